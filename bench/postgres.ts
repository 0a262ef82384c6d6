/**
 * PostgreSQL and replicas, on the machine's server (127.0.0.1:5432; TASKWIRE_TEST_PG names another),
 * in a database this suite creates and drops:
 *
 * - backfill: the GitHub connector reading 20k issues from the fake (a worker thread) into the
 *   PostgreSQL store, beside the same into SQLite, beside a raw floor on the same server — the same
 *   listing pages fetched, parsed and upserted with plain `pg`, one multi-row statement per page;
 * - intake: verified webhooks (the sandbox's GitHub secret) as fast as 64 connections allow, through
 *   one replica and then through three (round-robin, as a load balancer spreads them), each replica a
 *   `taskwire run` process on PostgreSQL with the four fakes as the world;
 * - failover: three replicas, a slow backfill of 2,500 issues; the replica holding the GitHub poll lease
 *   is killed (SIGKILL), and the time to the next page captured by another is measured.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { githubConfigSchema } from '../connectors/github/config.js';
import { createGithub } from '../connectors/github/connector.js';
import { buildIdentity } from '../src/core/identity.js';
import { pollConnector } from '../src/pipeline/poll.js';
import { SANDBOX_ENV } from '../src/sandbox/sandbox.js';
import { PgStore } from '../src/store/pg/pg-store.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { startFakeWorker } from './fake-host.js';
import { scenario } from './github-backfill.js';
import { report, time } from './harness.js';
import { bodies, load, pct } from './webhook-intake.js';

const SERVER = process.env['TASKWIRE_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';

async function onServer<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function benchPostgres(): Promise<void> {
  const db = `taskwire_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  await onServer(SERVER, (c) => c.query(`CREATE DATABASE "${db}"`));
  const u = new URL(SERVER);
  u.pathname = `/${db}`;
  const url = u.toString();
  process.env['TASKWIRE_BENCH_PG'] = url;
  try {
    const only = process.env['TASKWIRE_BENCH_ONLY'];
    const backfill = only && only !== 'backfill' ? [] : await benchBackfill(url);
    const intake = only && only !== 'intake' ? [] : await benchIntake();
    const failover = only && only !== 'failover' ? [] : await benchFailover();
    report('postgres: backfill, replicas, failover', [...backfill, ...intake, ...failover]);
  } finally {
    await onServer(SERVER, (c) => c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`));
  }
}

async function benchBackfill(url: string) {
  const dir = mkdtempSync(join(tmpdir(), 'taskwire-bench-pg-'));
  const fake = await startFakeWorker({ kind: 'github', scenario: scenario() });
  const repos = ['acme/infra', 'acme/api'];
  const total = 20_000;
  try {
    // Floor: the same listing pages, fetched, parsed, each page upserted in one statement with plain pg
    // into a text column (no jsonb re-parse the store does not do either). Run twice, the first a
    // warm-up of the fake, the connection and the JIT; the faster run counts.
    const floorOnce = () => onServer(url, async (c) => {
      await c.query('CREATE TABLE raw (id text PRIMARY KEY, body text NOT NULL)');
      const { ms } = await time(async () => {
        for (const repo of repos) {
          for (let page = 1; ; page++) {
            const res = await fetch(`${fake.url}/repos/${repo}/issues?state=all&sort=updated&direction=asc&per_page=100&page=${page}`, { headers: { authorization: 'token ghp_faketoken' } });
            const issues = (await res.json()) as { number: number }[];
            await c.query('INSERT INTO raw (id, body) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (id) DO UPDATE SET body = excluded.body', [issues.map((i) => `${repo}#${i.number}`), issues.map((i) => JSON.stringify(i))]);
            if (!/rel="next"/.test(res.headers.get('link') ?? '')) break;
          }
        }
      });
      await c.query('DROP TABLE raw');
      return ms;
    });
    const floorMs = Math.min(await floorOnce(), await floorOnce());
    const config = githubConfigSchema.parse({ name: 'github-bench', type: 'github', baseUrl: fake.url, token: 'ghp_faketoken', repos, historyPages: 0 });
    const identity = buildIdentity({ people: [], teams: [], discovered: [] });
    const backfill = async (store: SqliteStore | PgStore) => {
      const connector = createGithub(config, { log: pino({ level: 'silent' }), timezone: 'Europe/Berlin' });
      const { ms } = await time(() => pollConnector(store, connector, identity, new AbortController().signal));
      const stored = (await store.listTasks()).length;
      await store.close();
      return { ms, stored };
    };
    const sqlite = await backfill(SqliteStore.open(join(dir, 'tw.db')));
    const postgres = await backfill(await PgStore.open({ url, schema: 'backfill', poolSize: 10 }));
    const rate = (ms: number) => (total / ms) * 1000;
    return [
      { name: 'floor: fetch + parse + pg upsert of the same pages', value: rate(floorMs), unit: 'issues/s' },
      { name: 'connector backfill into PostgreSQL', value: rate(postgres.ms), unit: 'tasks/s' },
      { name: 'PostgreSQL ÷ floor', value: floorMs / postgres.ms, unit: '×', goal: '≥ 0.5×', met: floorMs / postgres.ms >= 0.5 },
      { name: 'connector backfill into SQLite', value: rate(sqlite.ms), unit: 'tasks/s' },
      { name: 'PostgreSQL ÷ SQLite', value: sqlite.ms / postgres.ms, unit: '×' },
      { name: 'tasks stored (PostgreSQL)', value: postgres.stored, unit: 'tasks', goal: '= 20,000', met: postgres.stored === total },
    ];
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The test suite's cluster (each replica a process), loaded after TASKWIRE_BENCH_PG is set. */
const clusterModule = () => import('../test/support/cluster.js');

async function intakeThrough(n: number): Promise<{ rate: number; p50: number; errors: number; stored: number; sent: number }> {
  const { cluster } = await clusterModule();
  const c = await cluster(n);
  try {
    const urls = c.replicas.map((r) => `${r.url}/webhooks/github-acme`);
    const run = await load(urls[0]!, { urls, secret: SANDBOX_ENV.GITHUB_WEBHOOK_SECRET, bodies: bodies(6_000, 'acme/infra'), mode: { kind: 'burst', concurrency: 64 }, prefix: `r${n}` });
    const stored = (await c.store.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM inbox WHERE delivery_id LIKE $1", [`r${n}-%`])).rows[0]!.n;
    return { rate: (run.sent / run.ms) * 1000, p50: pct(run.latencies, 50), errors: run.errors, stored, sent: run.sent };
  } finally {
    await c.stop();
  }
}

async function benchIntake() {
  const one = await intakeThrough(1);
  const three = await intakeThrough(3);
  return [
    { name: 'intake, one replica: deliveries acknowledged per second', value: one.rate, unit: 'deliveries/s' },
    { name: 'intake, one replica: p50 acknowledgement', value: one.p50, unit: 'ms' },
    { name: 'intake, three replicas: deliveries acknowledged per second', value: three.rate, unit: 'deliveries/s', goal: '≥ one replica', met: three.rate >= one.rate },
    { name: 'intake, three replicas: p50 acknowledgement', value: three.p50, unit: 'ms' },
    { name: 'intake: deliveries stored', value: one.stored + three.stored, unit: 'deliveries', goal: '= sent', met: one.stored + three.stored === one.sent + three.sent },
    { name: 'intake: errors', value: one.errors + three.errors, unit: 'requests' },
  ];
}

async function benchFailover() {
  const { cluster } = await clusterModule();
  const { until } = await import('../test/support/daemon.js');
  const c = await cluster(3, {
    before: (sb) => {
      for (let i = 0; i < 2500; i++) sb.github.createIssue('acme/infra', { title: `Backlog item ${i + 1}`, user: 'alexk' });
      sb.github.server.setLatency(250);
    },
  });
  try {
    const cursor = async () => JSON.stringify(await c.store.getCursor('github-acme'));
    await until(async () => (await c.store.getCursor('github-acme')) !== null, 60_000, () => 'the first page');
    const holder = (await c.store.leases.list()).find((l) => l.name === 'poll:github-acme' && l.live)!;
    const victim = c.replicaOf(holder.holder);
    c.replicas[victim]!.d.child.kill('SIGKILL');
    const killedAt = Date.now();
    // The killed replica's last page may still land in the instant after the kill: wait for a page
    // captured by another holder (the lease changed hands, then the cursor moved).
    await until(async () => (await c.store.leases.list()).some((l) => l.name === 'poll:github-acme' && l.live && l.holder !== holder.holder), 60_000, () => 'a new holder');
    const takenAt = Date.now();
    const taken = await cursor();
    await until(async () => (await cursor()) !== taken, 60_000, () => 'the next page');
    const nextPage = Date.now();
    return [
      { name: 'failover: kill -9 → lease taken over', value: (takenAt - killedAt) / 1000, unit: 's' },
      { name: 'failover: kill -9 → next page captured', value: (nextPage - killedAt) / 1000, unit: 's', goal: '< 30 s', met: nextPage - killedAt < 30_000 },
    ];
  } finally {
    await c.stop();
  }
}
