/**
 * GitHub backfill of 20k issues from the fake over real HTTP on 127.0.0.1: the connector (Octokit with
 * its plugins, since-paging, normalization, store pages with history and cursor) next to a raw floor
 * that fetches the same listing pages with plain fetch, parses them and inserts each issue as a JSON row
 * with no connector logic. The fake runs in a worker thread, so the figures are taskwire's own work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { githubConfigSchema } from '../connectors/github/config.js';
import { createGithub } from '../connectors/github/connector.js';
import type { GithubScenario } from '../connectors/github/fake.js';
import { buildIdentity } from '../src/core/identity.js';
import { pollConnector } from '../src/pipeline/poll.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { startFakeWorker } from './fake-host.js';
import { report, time } from './harness.js';

const REPOS = ['acme/infra', 'acme/api'];
const PER_REPO = 10_000;

export function scenario(): GithubScenario {
  const t0 = Date.parse('2026-01-05T08:00:00Z');
  return {
    repos: REPOS.map((fullName, r) => ({
      fullName,
      milestones: [{ number: 1, title: 'Q4', dueOn: '2026-12-18T08:00:00Z' }],
      issues: Array.from({ length: PER_REPO }, (_, i) => ({
        title: `Issue ${i} in ${fullName}`,
        body: i % 10 === 0 ? `Blocked by #${Math.max(1, i - 3)}.\n\n## Acceptance criteria\n- works in staging` : 'Something to do, see OPS-12.',
        labels: i % 3 === 0 ? ['P2', 'bug'] : ['chore'],
        assignees: i % 4 === 0 ? [] : [`dev${i % 12}`],
        ...(i % 5 === 0 ? { milestone: 1 } : {}),
        state: i % 2 === 0 ? ('closed' as const) : ('open' as const),
        createdAt: new Date(t0 + (i * 2 + r) * 60_000).toISOString().replace('.000Z', 'Z'),
      })),
    })),
  };
}

export async function benchGithubBackfill(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'taskwire-bench-gh-'));
  const fake = await startFakeWorker({ kind: 'github', scenario: scenario() });
  const base = fake.url;
  const total = REPOS.length * PER_REPO;
  try {
    // Floor: the same listing pages, fetched, parsed, each issue inserted as one JSON row. Both sides
    // talk to the same fake in its worker thread, and each runs once untimed first (warm JIT, warm fake).
    const floorOnce = async (file: string) => {
      const floorDb = new Database(join(dir, file));
      floorDb.pragma('journal_mode = WAL');
      floorDb.exec('CREATE TABLE raw (id TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT');
      const ins = floorDb.prepare('INSERT OR REPLACE INTO raw (id, body) VALUES (?, ?)');
      const tx = floorDb.transaction((repo: string, issues: { number: number }[]) => {
        for (const i of issues) ins.run(`${repo}#${i.number}`, JSON.stringify(i));
      });
      let requests = 0;
      const t = await time(async () => {
        for (const repo of REPOS) {
          for (let page = 1; ; page++) {
            const res = await fetch(`${base}/repos/${repo}/issues?state=all&sort=updated&direction=asc&per_page=100&page=${page}`, { headers: { authorization: 'token ghp_faketoken' } });
            requests++;
            const issues = (await res.json()) as { number: number }[];
            tx(repo, issues);
            if (!/rel="next"/.test(res.headers.get('link') ?? '')) break;
          }
        }
      });
      floorDb.close();
      return { ms: t.ms, requests };
    };
    await floorOnce('floor-warm.db');
    const floor = await floorOnce('floor.db');
    const floorRequests = floor.requests;

    // The connector, into the real store.
    const store = SqliteStore.open(join(dir, 'tw.db'));
    // History off here: the floor reads issues only. The history pass is measured on its own below.
    const config = githubConfigSchema.parse({ name: 'github-bench', type: 'github', baseUrl: base, token: 'ghp_faketoken', repos: REPOS, historyPages: 0 });
    const connector = createGithub(config, { log: pino({ level: 'silent' }), timezone: 'Europe/Berlin' });
    const identity = buildIdentity({ people: [], teams: [], discovered: [] });
    const warmStore = SqliteStore.open(join(dir, 'tw-warm.db'));
    await pollConnector(warmStore, createGithub(config, { log: pino({ level: 'silent' }), timezone: 'Europe/Berlin' }), identity, new AbortController().signal);
    await warmStore.close();
    await fake.mark();
    const run = await time(() => pollConnector(store, connector, identity, new AbortController().signal));
    const requests = (await fake.requests()).length;
    const stored = (await store.listTasks()).length;
    await fake.mark();
    await pollConnector(store, connector, identity, new AbortController().signal);
    const idle = await fake.requests();
    await store.close();

    // The same backfill with history (the default: the newest 100 pages of each repo's issue events).
    const hStore = SqliteStore.open(join(dir, 'tw-history.db'));
    const hConfig = githubConfigSchema.parse({ name: 'github-bench', type: 'github', baseUrl: base, token: 'ghp_faketoken', repos: REPOS });
    await fake.mark();
    const withHistory = await time(() => pollConnector(hStore, createGithub(hConfig, { log: pino({ level: 'silent' }), timezone: 'Europe/Berlin' }), identity, new AbortController().signal));
    const eventPages = (await fake.requests()).filter((r) => r.path.endsWith('/issues/events')).length;
    const sourced = (hStore.db.prepare("SELECT count(*) AS n FROM task_history WHERE source = 'source'").get() as { n: number }).n;
    await hStore.close();

    const rate = (ms: number) => (total / ms) * 1000;
    report('github: backfill of 20k issues from the fake', [
      { name: 'floor: fetch + parse + insert the same pages', value: rate(floor.ms), unit: 'issues/s' },
      { name: 'connector backfill into the store', value: rate(run.ms), unit: 'tasks/s' },
      { name: 'connector ÷ floor', value: rate(run.ms) / rate(floor.ms), unit: '×' },
      { name: 'tasks stored', value: stored, unit: 'tasks' },
      { name: 'list requests, floor', value: floorRequests, unit: 'requests' },
      { name: 'requests, connector backfill', value: requests, unit: 'requests' },
      { name: 'idle cycle: requests', value: idle.length, unit: 'requests' },
      { name: 'backfill with history (newest 100 event pages per repo)', value: rate(withHistory.ms), unit: 'tasks/s' },
      { name: 'with history ÷ without', value: run.ms / withHistory.ms, unit: '×' },
      { name: 'event pages read', value: eventPages, unit: 'requests' },
      { name: 'history entries from events', value: sourced, unit: 'entries' },
      { name: 'idle cycle: answered 304', value: idle.filter((r) => r.status === 304).length, unit: 'requests', goal: '= repos', met: idle.length === REPOS.length && idle.every((r) => r.status === 304) },
    ]);
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
