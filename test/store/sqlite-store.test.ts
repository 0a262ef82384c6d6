import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, schemaVersion } from '../../src/store/db.js';
import { migrations } from '../../src/store/migrations/index.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { HOLDER } from '../../src/store/claims.js';
import { claimOfRow } from '../../src/store/outbox.js';
import type { StoreItem } from '../../src/store/store.js';
import { StoreError } from '../../src/errors.js';
import { gh, taskFields } from '../support/tasks.js';

const GH = { name: 'github-acme', kind: 'github' } as const;
const item = (over: Parameters<typeof taskFields>[0], owner: string | null = null): StoreItem => ({
  type: 'task',
  task: taskFields(over),
  owner,
});

let dirs: string[] = [];
function tempStore(clockIso = '2026-11-20T12:00:00.000Z') {
  const dir = mkdtempSync(join(tmpdir(), 'taskwire-store-'));
  dirs.push(dir);
  const path = join(dir, 'nested', 'taskwire.db');
  return { path, store: SqliteStore.open(path, { clock: () => new Date(clockIso) }) };
}
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

const historyCount = (s: SqliteStore) => (s.db.prepare('SELECT count(*) AS n FROM task_history').get() as { n: number }).n;

describe('migrations', () => {
  it('creates every table from an empty file, in WAL mode with foreign keys on', async () => {
    const { store, path } = tempStore();
    expect(schemaVersion(store.db)).toBe(migrations.at(-1)?.version);
    const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    expect(tables.map((t) => (t as { name: string }).name)).toEqual([
      'accounts', 'cursors', 'evidence', 'flags', 'inbox', 'item_failures', 'leases', 'meta', 'outbox', 'runs', 'status_comments', 'task_history', 'task_refs', 'tasks', 'write_ledger',
    ]);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    await store.close();
    // Opening again applies nothing and keeps the data.
    const again = openDatabase(path);
    expect(schemaVersion(again)).toBe(migrations.at(-1)?.version);
    again.close();
  });

  it('applies only the migrations newer than the file, each once', () => {
    const { path, store } = tempStore();
    store.db.close();
    const latest = migrations.at(-1)!.version;
    const next = [...migrations, { version: latest + 1, name: 'extra', sql: 'CREATE TABLE extra (x INTEGER) STRICT;' }];
    // Re-running an applied migration would fail (its tables exist): only the new one may run.
    const db = openDatabase(path, { migrations: next });
    expect(schemaVersion(db)).toBe(latest + 1);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'extra'").get()).toEqual({ n: 1 });
    db.close();
  });

  it('refuses a store written by a newer taskwire', () => {
    const { path, store } = tempStore();
    store.db.pragma('user_version = 99');
    store.db.close();
    expect(() => openDatabase(path)).toThrow(StoreError);
    expect(() => openDatabase(path)).toThrow(/schema version 99/);
  });
});

describe('applyBatch', () => {
  it('inserts a page and advances the cursor with it', async () => {
    const { store } = tempStore();
    const r = await store.applyBatch(GH, [item({ key: 'acme/api#1' }), item({ key: 'acme/api#2' })], { since: 'a' });
    expect(r).toMatchObject({ inserted: 2, updated: 0, unchanged: 0 });
    expect(r.changed).toEqual(['github-acme:acme/api#1', 'github-acme:acme/api#2']);
    expect(await store.getCursor('github-acme')).toEqual({ since: 'a' });
    const t = await store.getTask('github-acme:acme/api#1');
    expect(t).toMatchObject({ id: 'github-acme:acme/api#1', connector: 'github-acme', kind: 'github', key: 'acme/api#1', status: 'todo' });
    expect(t?.firstSeenAt).toBe('2026-11-20T12:00:00.000Z');
  });

  it('writes nothing — no history, no update — when the same items are applied again', async () => {
    const { store } = tempStore();
    const page = [item({ key: 'acme/api#1', assignees: [gh('alexk')] }, 'alex'), item({ key: 'acme/api#2' })];
    await store.applyBatch(GH, page, null);
    const before = store.db.prepare('SELECT * FROM tasks ORDER BY id').all();
    const h0 = historyCount(store);
    const r = await store.applyBatch(GH, page, null);
    expect(r).toMatchObject({ inserted: 0, updated: 0, unchanged: 2, changed: [] });
    expect(historyCount(store)).toBe(h0);
    expect(store.db.prepare('SELECT * FROM tasks ORDER BY id').all()).toEqual(before);
  });

  it('records each field change in the history with its source time and actor', async () => {
    const { store } = tempStore();
    await store.applyBatch(GH, [item({ key: 'acme/api#1', status: 'todo', due: null })], null);
    const changed: StoreItem = {
      type: 'task',
      task: taskFields({ key: 'acme/api#1', status: 'in_progress', due: '2026-11-26', updatedAt: '2026-11-03T10:00:00Z' }),
      owner: null,
      actor: 'human',
      actorId: 'alexk',
    };
    const r = await store.applyBatch(GH, [changed], null);
    expect(r).toMatchObject({ updated: 1, changed: ['github-acme:acme/api#1'] });
    const h = await store.history('github-acme:acme/api#1');
    expect(h).toEqual([
      { taskId: 'github-acme:acme/api#1', field: 'status', oldValue: '"todo"', newValue: '"in_progress"', at: '2026-11-03T10:00:00.000Z', actor: 'human', actorId: 'alexk', source: 'diff' },
      { taskId: 'github-acme:acme/api#1', field: 'due', oldValue: null, newValue: '"2026-11-26"', at: '2026-11-03T10:00:00.000Z', actor: 'human', actorId: 'alexk', source: 'diff' },
    ]);
  });

  it('keeps the newer state when an older poll page arrives after a webhook', async () => {
    const { store } = tempStore();
    await store.applyBatch(GH, [item({ key: 'acme/api#1', status: 'done', updatedAt: '2026-11-05T10:00:00Z' })], null);
    const r = await store.applyBatch(GH, [item({ key: 'acme/api#1', status: 'in_progress', updatedAt: '2026-11-04T10:00:00Z' })], null);
    expect(r).toMatchObject({ stale: 1, updated: 0 });
    expect((await store.getTask('github-acme:acme/api#1'))?.status).toBe('done');
  });

  it('leaves items and cursor untouched when a batch fails part-way', async () => {
    const { store } = tempStore();
    await store.applyBatch(GH, [item({ key: 'acme/api#1' })], { page: 1 });
    const bad = item({ key: 'acme/api#3', updatedAt: 'not a time' });
    await expect(store.applyBatch(GH, [item({ key: 'acme/api#2' }), bad], { page: 2 })).rejects.toThrow(/not a timestamp/);
    expect(await store.getCursor('github-acme')).toEqual({ page: 1 });
    expect(await store.getTask('github-acme:acme/api#2')).toBeNull();
    expect((await store.listTasks()).map((t) => t.key)).toEqual(['acme/api#1']);
  });

  it('soft-deletes, hides deleted tasks by default, and restores a task that comes back', async () => {
    const { store } = tempStore();
    await store.applyBatch(GH, [item({ key: 'acme/api#1' }), item({ key: 'acme/api#2' })], null);
    const r = await store.applyBatch(GH, [{ type: 'deleted', key: 'acme/api#2', at: '2026-11-06T00:00:00Z' }], null);
    expect(r.deleted).toBe(1);
    expect((await store.listTasks()).map((t) => t.key)).toEqual(['acme/api#1']);
    const all = await store.listTasks({ includeDeleted: true });
    expect(all.find((t) => t.key === 'acme/api#2')?.deletedAt).toBe('2026-11-06T00:00:00.000Z');
    // Deleting twice is a no-op.
    expect((await store.applyBatch(GH, [{ type: 'deleted', key: 'acme/api#2', at: '2026-11-07T00:00:00Z' }], null)).deleted).toBe(0);
    await store.applyBatch(GH, [item({ key: 'acme/api#2', updatedAt: '2026-11-08T00:00:00Z' })], null);
    expect((await store.getTask('github-acme:acme/api#2'))?.deletedAt).toBeNull();
    const fields = (await store.history('github-acme:acme/api#2')).map((h) => [h.field, h.newValue]);
    expect(fields).toEqual([
      ['deletedAt', '"2026-11-06T00:00:00.000Z"'],
      ['deletedAt', null],
    ]);
  });

  it('records human activity once and moves last_human_activity_at forward only', async () => {
    const { store } = tempStore();
    await store.applyBatch(GH, [item({ key: 'acme/api#1' })], null);
    const comment = { type: 'activity', key: 'acme/api#1', at: '2026-11-10T08:00:00Z', actor: 'human', actorId: 'samr', what: 'comment' } as const;
    expect((await store.applyBatch(GH, [comment, comment], null)).activity).toBe(1);
    await store.applyBatch(GH, [{ ...comment, at: '2026-11-09T08:00:00Z' }], null);
    await store.applyBatch(GH, [{ ...comment, at: '2026-11-11T08:00:00Z', actor: 'bot', actorId: 'ci-bot' }], null);
    expect((await store.getTask('github-acme:acme/api#1'))?.lastHumanActivityAt).toBe('2026-11-10T08:00:00.000Z');
  });

  it('keeps the tool’s own history once across overlapping re-reads', async () => {
    const { store } = tempStore();
    const history = [{ field: 'status', oldValue: 'todo', newValue: 'in_progress', at: '2026-11-01T10:00:00Z', actor: 'human', actorId: 'a1' }] as const;
    const withHistory: StoreItem = { type: 'task', task: taskFields({ key: 'OPS-1' }), owner: null, history };
    const JIRA = { name: 'jira-acme', kind: 'jira' } as const;
    await store.applyBatch(JIRA, [withHistory], null);
    await store.applyBatch(JIRA, [withHistory], null);
    expect(await store.history('jira-acme:OPS-1')).toHaveLength(1);
  });

  it('stores references as rows and rewrites them when they change', async () => {
    const { store } = tempStore();
    await store.applyBatch(GH, [item({ key: 'acme/api#1', dependsOn: ['jira:OPS-14'], parent: 'github-acme:acme/api#9', links: [] })], null);
    const refs = () => store.db.prepare('SELECT rel, ref FROM task_refs ORDER BY rel, ref').all();
    expect(refs()).toEqual([{ rel: 'depends_on', ref: 'jira:OPS-14' }]);
    expect((await store.getTask('github-acme:acme/api#1'))?.parent).toBe('github-acme:acme/api#9');
    await store.applyBatch(GH, [item({ key: 'acme/api#1', dependsOn: [], parent: null, links: ['https://x.test/1'], updatedAt: '2026-11-03T00:00:00Z' })], null);
    expect(refs()).toEqual([{ rel: 'link', ref: 'https://x.test/1' }]);
  });
});

describe('queries', () => {
  it('filters by connector, owner, status and open flag', async () => {
    const { store } = tempStore();
    await store.applyBatch(GH, [
      item({ key: 'a#1', status: 'in_progress', due: '2026-11-30' }, 'alex'),
      item({ key: 'a#2', status: 'done' }, 'sam'),
      item({ key: 'a#3', status: 'todo', due: '2026-11-25' }, 'alex'),
    ], null);
    await store.applyBatch({ name: 'jira-acme', kind: 'jira' }, [item({ key: 'OPS-1' }, 'alex')], null);
    expect((await store.listTasks({ owner: 'alex' })).map((t) => t.key)).toEqual(['a#3', 'a#1', 'OPS-1']);
    expect((await store.listTasks({ connector: 'jira-acme' })).map((t) => t.key)).toEqual(['OPS-1']);
    expect((await store.listTasks({ status: ['todo', 'done'] })).map((t) => t.key)).toEqual(['a#3', 'a#2', 'OPS-1']);
    store.db
      .prepare("INSERT INTO flags (task_id, code, severity, reason, first_seen_at, last_seen_at) VALUES (?, 'no_due_date', 'warning', 'no due date', 'x', 'x')")
      .run('github-acme:a#2');
    expect((await store.listTasks({ flag: 'no_due_date' })).map((t) => t.key)).toEqual(['a#2']);
    expect(await store.listTasks({ flag: 'overdue' })).toEqual([]);
  });

  it('deduplicates webhook deliveries by id per connector, keeping the body of the first', async () => {
    const { store } = tempStore();
    const d = (connector: string, body: string) => ({ connector, deliveryId: 'd-1', body: Buffer.from(body), headers: { 'x-github-event': 'issues' } });
    expect(await store.inbox.receive(d('github-acme', 'first'))).toBe(true);
    expect(await store.inbox.receive(d('github-acme', 'second'))).toBe(false);
    expect(await store.inbox.receive(d('jira-acme', 'other'))).toBe(true);
    const rows = await store.inbox.list();
    expect(rows.map((r) => [r.connector, r.body?.toString(), r.headers])).toEqual([
      ['jira-acme', 'other', { 'x-github-event': 'issues' }],
      ['github-acme', 'first', { 'x-github-event': 'issues' }],
    ]);
  });

  it('recomputes owners when asked and reports how many changed', async () => {
    const { store } = tempStore();
    await store.applyBatch(GH, [item({ key: 'a#1', assignees: [gh('alexk')] }), item({ key: 'a#2', assignees: [gh('samr')] })], null);
    const n = await store.recomputeOwners((as) => (as[0]?.id === 'alexk' ? 'alex' : null));
    expect(n).toBe(1);
    expect((await store.getTask('github-acme:a#1'))?.owner).toBe('alex');
    expect(await store.recomputeOwners((as) => (as[0]?.id === 'alexk' ? 'alex' : null))).toBe(0);
  });

  it('reports itself writable, and not after it is closed', async () => {
    const { store } = tempStore();
    expect(await store.ping()).toBe(true);
    await store.close();
    expect(await store.ping()).toBe(false);
  });
});

describe('outbox claims of a process that is gone', () => {
  it('are let go at once (a row left sending comes back flagged for a check), while live claims keep their lease', async () => {
    const { store } = tempStore();
    const action = (key: string) => ({ key, connector: 'slack-acme', kind: 'direct_message' as const, taskId: null, recipient: 'sam', subject: `dm:${key}`, action: { type: 'direct_message' as const, accountId: 'U0SAM', text: key, items: [], idempotencyKey: key }, reason: 'r', notBefore: null, about: [] });
    await store.outbox.plan([action('a'), action('b'), action('c')], 'send', 'c1');
    const claim = () => store.outbox.claimNext('slack-acme', HOLDER, 300_000);
    const [a, b, c] = [await claim(), await claim(), await claim()];
    expect(await store.outbox.markSending(claimOfRow(b!), 300_000)).toBe(true);
    // a and b were claimed by a process of this host that died (pid 999999); c by a live one (this test's parent).
    store.db.prepare('UPDATE outbox SET claimed_by = ? WHERE id IN (?, ?)').run(`${hostname()}:999999:1`, a!.id, b!.id);
    store.db.prepare('UPDATE outbox SET claimed_by = ? WHERE id = ?').run(`${hostname()}:${process.ppid}:1`, c!.id);
    expect(await store.outbox.releaseOrphans()).toBe(2);
    expect(await store.outbox.recoverInterrupted()).toBe(1);
    const again = [(await claim())?.id, (await claim())?.id, await claim()];
    expect(again).toEqual([a!.id, b!.id, null]);
    expect((await store.outbox.list({})).find((r) => r.id === b!.id)!.lastError).toMatch(/checked before sending again/);
  });
});
