/**
 * taskwire as N replicas for tests: each `taskwire run` a separate OS process, all on one PostgreSQL
 * schema of their own (the machine's server), the four tools' fakes (the sandbox) in this process as
 * the world — so the fakes outlive a killed replica and say what really reached them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_ENV, startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { PgStore } from '../../src/store/pg/pg-store.js';
import { freePort, spawnDaemon, until, type DaemonChild } from './daemon.js';
import pg from 'pg';
import { PG_URL, dropSchema, freshSchema } from './pg.js';

export interface Replica {
  readonly port: number;
  readonly url: string;
  d: DaemonChild;
}

export interface Cluster {
  readonly sb: Sandbox;
  readonly dir: string;
  readonly schema: string;
  readonly env: Record<string, string>;
  readonly replicas: Replica[];
  /** A store on the cluster's schema, for the test to look at. */
  readonly store: PgStore;
  /** Starts replica `i` again (after a kill). */
  restart(i: number): Promise<void>;
  /** Which replica a holder (host:pid:start) is, by pid. */
  replicaOf(holder: string): number;
  /** The database role replica `i` connects as (with `roles`). */
  roleOf(i: number): string;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  readonly mode?: 'plan' | 'send';
  /** Extra YAML appended to the sandbox config (top-level keys it does not set). */
  readonly extraYaml?: string;
  /** Replaces parts of the generated config (e.g. a faster report schedule). */
  readonly edit?: (yaml: string) => string;
  /** Seeds the fakes before the replicas start. */
  readonly before?: (sb: Sandbox) => void | Promise<void>;
  /** Each replica connects as a database role of its own (`roleOf(i)`), so one can be cut off. */
  readonly roles?: boolean;
}

const healthy = (url: string) => fetch(`${url}/healthz`).then((r) => r.ok, () => false);

export async function cluster(n: number, opts: ClusterOptions = {}): Promise<Cluster> {
  const sb = await startSandbox({ now: Date.now(), clock: () => new Date() });
  await opts.before?.(sb);
  // Each replica its own "host" (TASKWIRE_REPLICA_ID): a dead one's claims and leases are taken over
  // when they run out, as across machines — not at once, as a restart on the same host would.
  const schema = freshSchema();
  const dir = mkdtempSync(join(tmpdir(), 'tw-cluster-'));
  const config = sb
    .config({ mode: opts.mode ?? 'plan', port: 0, reportsDir: 'reports' })
    .replace(/^store: .*$/m, `store: { driver: postgres, url: "\${DATABASE_URL}", schema: ${schema}, poolSize: 4 }`);
  writeFileSync(join(dir, 'taskwire.yaml'), (opts.edit ?? ((y) => y))(config) + (opts.extraYaml ?? ''));
  const env = { ...SANDBOX_ENV, DATABASE_URL: PG_URL } as Record<string, string>;
  const roleOf = (i: number) => `${schema}_r${i}`;
  if (opts.roles)
    await admin(async (c) => {
      for (let i = 0; i < n; i++) await c.query(`CREATE ROLE "${roleOf(i)}" LOGIN SUPERUSER`);
    });
  const envOf = (i: number) => ({ ...env, TASKWIRE_REPLICA_ID: `replica-${i}`, ...(opts.roles ? { DATABASE_URL: withUser(PG_URL, roleOf(i)) } : {}) });
  const replicas: Replica[] = [];
  for (let i = 0; i < n; i++) {
    const port = await freePort();
    replicas.push({ port, url: `http://127.0.0.1:${port}`, d: spawnDaemon(dir, envOf(i), ['--port', String(port)]) });
  }
  const store = await PgStore.open({ url: PG_URL, schema, poolSize: 2 });
  for (const r of replicas) await until(() => healthy(r.url), 60_000, () => `replica ${r.port} to answer (${r.d.output()})`);
  return {
    sb,
    dir,
    schema,
    env,
    replicas,
    store,
    restart: async (i) => {
      const r = replicas[i]!;
      r.d = spawnDaemon(dir, envOf(i), ['--port', String(r.port)]);
      await until(() => healthy(r.url), 60_000, () => `replica ${r.port} to answer again (${r.d.output()})`);
    },
    roleOf,
    replicaOf: (holder) => replicas.findIndex((r, i) => holder.startsWith(`replica-${i}:`) && holder.split(':')[1] === String(r.d.child.pid)),
    stop: async () => {
      for (const r of replicas) if (r.d.child.exitCode === null && r.d.child.signalCode === null) r.d.child.kill('SIGTERM');
      await Promise.all(replicas.map((r) => Promise.race([r.d.exited, new Promise((res) => setTimeout(res, 15_000))])));
      for (const r of replicas) if (r.d.child.exitCode === null && r.d.child.signalCode === null) r.d.child.kill('SIGKILL');
      await store.close();
      await sb.stop();
      await dropSchema(schema);
      if (opts.roles)
        await admin(async (c) => {
          // One query at a time on a client (pg 9 will refuse overlapping ones).
          for (let i = 0; i < n; i++) await c.query(`DROP ROLE IF EXISTS "${roleOf(i)}"`);
        });
    },
  };
}

/** Runs `fn` on a connection of the test's own (as the superuser of the machine's server). */
export async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const withUser = (url: string, user: string) => {
  const u = new URL(url);
  u.username = user;
  return u.toString();
};

/** Open flags as "task: code" (GitHub and Jira by key, Slack and Notion by title), sorted. */
export async function flagNames(store: { listTasks(q: { includeDeleted: boolean }): Promise<{ id: string; key: string; kind: string; title: string }[]>; openFlags(): Promise<{ taskId: string; code: string }[]> }): Promise<string[]> {
  const byId = new Map((await store.listTasks({ includeDeleted: true })).map((t) => [t.id, t]));
  const name = (id: string) => {
    const t = byId.get(id);
    return !t ? id : t.kind === 'github' || t.kind === 'jira' ? t.key : t.title;
  };
  return (await store.openFlags()).map((f) => `${name(f.taskId)}: ${f.code}`).sort();
}
