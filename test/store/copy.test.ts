/**
 * `taskwire store copy`: a SQLite store that has synced and sent follow-ups, moved into PostgreSQL and
 * back, holds the same rows in every table; taskwire on the copy picks up where it was (nothing sent
 * twice); a copy that fails leaves the target as it was; it refuses a non-empty target and a source a
 * taskwire is running on; the password never reaches the output.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { runCli } from '../../src/cli.js';
import { SANDBOX_ENV } from '../../src/sandbox/sandbox.js';
import { HOLDER } from '../../src/store/claims.js';
import { COPIED_TABLES, copyStore } from '../../src/store/copy.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { captureIo } from '../support/io.js';
import { PG_URL, dropSchema, freshSchema } from '../support/pg.js';
import { ourComments, sandboxEnv, type SandboxEnv } from '../support/sandbox.js';

let env: SandboxEnv | null = null;
const schemas: string[] = [];
afterEach(async () => {
  await env?.stop();
  env = null;
  for (const s of schemas.splice(0)) await dropSchema(s);
});

const schema = () => {
  const s = freshSchema();
  schemas.push(s);
  return s;
};

/** Every copied table of a SQLite file, rows in primary-key order. */
function dump(path: string): Record<string, unknown[]> {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(COPIED_TABLES.map((t) => [t, db.prepare(`SELECT * FROM "${t}" ORDER BY 1, 2`).all()]));
  } finally {
    db.close();
  }
}

async function cli(dir: string, args: string[], extraEnv: Record<string, string> = {}, clock?: () => number) {
  const { io, stdout, stderr } = captureIo({ env: { ...SANDBOX_ENV, DATABASE_URL: PG_URL, ...extraEnv }, cwd: dir });
  const code = await runCli(args, io, clock);
  return { code, out: stdout(), err: stderr() };
}

/** A store that synced the sandbox and sent its follow-ups, with a delivery waiting in its inbox. */
async function lived(): Promise<SandboxEnv> {
  const e = await sandboxEnv();
  expect((await e.cli('sync')).code).toBe(0);
  const store = e.store();
  await store.inbox.receive({ connector: 'github-acme', deliveryId: 'waiting-1', body: Buffer.from('{"zen":"Keep it logically awesome."}'), headers: { 'x-github-event': 'ping' } });
  await store.close();
  return e;
}

async function tasksOf(e: SandboxEnv) {
  const st = e.store();
  try {
    return await st.listTasks();
  } finally {
    await st.close();
  }
}

/** What the tools hold from taskwire: messages to people, and its comments on each ticket. */
async function sent(e: SandboxEnv) {
  const comments = (await tasksOf(e)).map((t) => `${t.id} ${ourComments(e.sb, t).map((c) => c.text).join('|')}`);
  return { posts: e.sb.slack.posts.length, comments };
}

describe('taskwire store copy', () => {
  it('SQLite → PostgreSQL → SQLite keeps every row of every table', async () => {
    env = await lived();
    const s = schema();
    const to = await cli(env.dir, ['store', 'copy', '--from', 'sqlite:data/tw.db', '--to', 'postgres:', '--schema', s]);
    expect(to.err).toMatch(/^copying SQLite .*tw\.db → PostgreSQL 127\.0\.0\.1:5432\/\S+ \(schema tw_/);
    expect(to.out).toMatch(/every table counted equal on both sides/);
    expect(to.code).toBe(0);
    const back = await cli(env.dir, ['store', 'copy', '--from', `postgres:${PG_URL}`, '--to', 'sqlite:data/back.db', '--schema', s]);
    expect(back.code).toBe(0);
    const [original, roundTrip] = [dump(join(env.dir, 'data/tw.db')), dump(join(env.dir, 'data/back.db'))];
    for (const t of ['tasks', 'task_history', 'flags', 'outbox', 'status_comments', 'inbox', 'cursors'] as const) expect(original[t]!.length, t).toBeGreaterThan(0);
    for (const t of COPIED_TABLES) expect(roundTrip[t], t).toEqual(original[t]);
  }, 120_000);

  it('taskwire on the copy picks up where it was: decides what it would have on SQLite, sends nothing twice, new rows take new ids', async () => {
    // The same world twice: one taskwire syncs again on its SQLite store, the other after moving it.
    const outcome: { posts: number; comments: string[] }[] = [];
    let copied = '';
    for (const move of [false, true]) {
      env = await lived();
      const e = env;
      const before = await sent(e);
      expect(before.posts).toBeGreaterThan(0);
      if (move) {
        copied = schema();
        expect((await cli(e.dir, ['store', 'copy', '--from', 'sqlite:data/tw.db', '--to', 'postgres:', '--schema', copied])).code).toBe(0);
        const yaml = readFileSync(join(e.dir, 'taskwire.yaml'), 'utf8').replace(/^store: .*$/m, `store: { driver: postgres, url: "\${DATABASE_URL}", schema: ${copied} }`);
        writeFileSync(join(e.dir, 'taskwire.yaml'), yaml);
      }
      const again = await cli(e.dir, ['-c', 'taskwire.yaml', 'sync'], {}, e.now);
      expect(again.code, again.err).toBe(0);
      const after = await sent(e);
      // Status comments edited in place, no message sent again.
      expect(after.posts).toBe(before.posts);
      for (const t of await tasksOf(e)) expect(ourComments(e.sb, t).length, t.id).toBeLessThanOrEqual(1);
      // Each sandbox has its own ports (in links, and so in the seal of each comment).
      outcome.push({ posts: after.posts, comments: after.comments.map((c) => c.replace(/127\.0\.0\.1:\d+/g, 'fake').replace(/taskwire:seal \w+/g, 'seal')).sort() });
      await e.stop();
      env = null;
    }
    expect(outcome[1]).toEqual(outcome[0]);
    // The inbox's id sequence moved past the copied rows: a new delivery is stored, not refused.
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      const maxId = (await c.query<{ m: number }>(`SELECT max(id)::int AS m FROM "${copied}".inbox`)).rows[0]!.m;
      const r = await c.query<{ id: number }>(`INSERT INTO "${copied}".inbox (connector, delivery_id, status) VALUES ('github-acme', 'new-1', 'received') RETURNING id::int AS id`);
      expect(r.rows[0]!.id).toBeGreaterThan(maxId);
    } finally {
      await c.end();
    }
  }, 180_000);

  it('a copy that fails half-way leaves the target as it was', async () => {
    env = await lived();
    const s = schema();
    const at = { driver: 'postgres', url: PG_URL, schema: s } as const;
    // The target refuses the inbox (the 11th table), long after the tasks went in.
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    try {
      await copyStore({ driver: 'sqlite', path: join(env.dir, 'data/empty.db') }, at); // creates the schema
      await c.query(`CREATE FUNCTION "${s}".refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`);
      await c.query(`CREATE TRIGGER refuse BEFORE INSERT ON "${s}".inbox FOR EACH ROW EXECUTE FUNCTION "${s}".refuse()`);
      await expect(copyStore({ driver: 'sqlite', path: join(env.dir, 'data/tw.db') }, at)).rejects.toThrow(/disk full/);
      for (const t of ['tasks', 'task_history', 'flags', 'outbox'])
        expect((await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${s}"."${t}"`)).rows[0]!.n, t).toBe(0);
    } finally {
      await c.end();
    }
  }, 120_000);

  it('refuses a target that holds tasks, and a source a taskwire is running on', async () => {
    env = await lived();
    const s = schema();
    expect((await cli(env.dir, ['store', 'copy', '--from', 'sqlite:data/tw.db', '--to', 'postgres:', '--schema', s])).code).toBe(0);
    const twice = await cli(env.dir, ['store', 'copy', '--from', 'sqlite:data/tw.db', '--to', 'postgres:', '--schema', s]);
    expect(twice.code).toBe(1);
    expect(twice.err).toMatch(/the target already holds \d+ tasks row\(s\): copy into an empty store/);
    // This process holds a lease on the source, as a running daemon does.
    const store = SqliteStore.open(join(env.dir, 'data/tw.db'));
    await store.leases.acquire('poll:github-acme', HOLDER, 60_000);
    await store.close();
    const running = await cli(env.dir, ['store', 'copy', '--from', 'sqlite:data/tw.db', '--to', 'sqlite:data/other.db']);
    expect(running.code).toBe(1);
    expect(running.err).toMatch(/a taskwire is running on the source \(.+\): stop it first/);
  }, 120_000);

  it('never prints the password; says what it needs', async () => {
    const dir = (await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), 'tw-copy-'));
    const url = new URL(PG_URL);
    url.password = 's3cret-pw';
    const r = await cli(dir, ['store', 'copy', '--from', 'sqlite:none.db', '--to', `postgres:${url.toString()}`, '--schema', schema()]);
    expect(r.out + r.err).not.toContain('s3cret-pw');
    const missing = await cli(dir, ['store', 'copy', '--from', 'sqlite:a.db', '--to', 'postgres:'], { DATABASE_URL: '' });
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/postgres: without a URL reads \$DATABASE_URL, which is not set/);
    const vague = await cli(dir, ['store', 'copy', '--from', 'a', '--to', 'b']);
    expect(vague.err).toMatch(/"a": give sqlite:<path> or postgres:<url>/);
  });
});
