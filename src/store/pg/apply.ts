/**
 * A page of items into PostgreSQL, in bulk: the stored rows of the page's tasks read (and locked, in
 * id order) with one query, each item merged in memory by the same rule the SQLite store uses
 * (`mergeTask`), then every kind of write sent as one statement over arrays (`unnest`) — inserts,
 * updates, history, references, evidence, activity — not a round trip per task. Runs inside the
 * caller's transaction.
 */
import type pg from 'pg';
import type { Cursor } from '../../core/model.js';
import { mergeTask, type FieldChange } from '../task-merge.js';
import { TASK_COLUMNS, isoUtc, toRow, type TaskRow } from '../task-row.js';
import type { ApplyResult, ConnectorId, StoreItem } from '../store.js';

type TaskItem = Extract<StoreItem, { type: 'task' }>;
type HistoryRow = [taskId: string, field: string, oldValue: string | null, newValue: string | null, at: string, actor: string, actorId: string | null, source: string, recordedAt: string];

const INT_COLUMNS = new Set(['estimate_s', 'spent_s', 'remaining_s']);
const colType = (c: string) => (INT_COLUMNS.has(c) ? 'integer[]' : 'text[]');
const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));

export async function applyItemsPg(c: pg.PoolClient, connector: ConnectorId, items: readonly StoreItem[], cursor: Cursor | null, now: string): Promise<ApplyResult> {
  const counts = { inserted: 0, updated: 0, unchanged: 0, stale: 0, deleted: 0, activity: 0, evidence: 0, failed: 0 };
  const changed = new Set<string>();
  const history: HistoryRow[] = [];
  const tasks = items.filter((i): i is TaskItem => i.type === 'task');
  if (tasks.length > 0) await applyTasks(c, connector, tasks, now, counts, changed, history);
  await applyDeletions(c, connector, items, now, counts, changed, history);
  for (const item of items) {
    if (item.type === 'history') for (const h of item.entries) history.push([`${connector.name}:${item.key}`, h.field, json(h.oldValue), json(h.newValue), isoUtc(h.at), h.actor, h.actorId ?? null, 'source', now]);
  }
  await insertHistory(c, history);
  await applyActivity(c, connector, items, now, counts, changed);
  counts.evidence += await insertEvidence(c, connector, items, now);
  await applyFailures(c, connector, items, now, counts);
  await applyState(c, connector, items);
  if (cursor !== null) {
    await c.query(`INSERT INTO cursors (connector, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (connector) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, [connector.name, JSON.stringify(cursor), now]);
  }
  return { ...counts, changed: [...changed] };
}

async function applyTasks(c: pg.PoolClient, connector: ConnectorId, items: readonly TaskItem[], now: string, counts: Record<string, number>, changed: Set<string>, history: HistoryRow[]): Promise<void> {
  const ids = [...new Set(items.map((i) => `${connector.name}:${i.task.key}`))].sort();
  const stored = new Map((await c.query<TaskRow>('SELECT * FROM tasks WHERE id = ANY($1) ORDER BY id FOR UPDATE', [ids])).rows.map((r) => [r.id, r]));
  const state = new Map<string, TaskRow>(stored);
  const inserts = new Map<string, TaskItem>();
  const updates = new Map<string, TaskItem>();
  for (const item of items) {
    const row = toRow(connector.name, connector.kind, item.task, item.owner, now);
    const m = mergeTask(state.get(row.id), row);
    counts[m.outcome]!++;
    if (m.outcome === 'unchanged' || m.outcome === 'stale') continue;
    state.set(row.id, row);
    changed.add(row.id);
    if (m.outcome === 'updated') for (const ch of m.changes) history.push(diffRow(row.id, ch, row, item));
    // A task first seen in this page is inserted with its latest state.
    (stored.has(row.id) ? updates : inserts).set(row.id, item);
  }
  const raced = await insertTasks(c, [...inserts.keys()].map((id) => state.get(id)!));
  // Inserted meanwhile by another replica: merged again as updates.
  for (const id of raced) {
    const theirs = (await c.query<TaskRow>('SELECT * FROM tasks WHERE id = $1 FOR UPDATE', [id])).rows[0];
    const m = mergeTask(theirs, state.get(id)!);
    if (m.outcome === 'updated') {
      for (const ch of m.changes) history.push(diffRow(id, ch, m.row, inserts.get(id)!));
      updates.set(id, inserts.get(id)!);
    }
  }
  await updateTasks(c, [...updates.keys()].map((id) => state.get(id)!));
  const refsOf = [...inserts.keys(), ...updates.keys()].filter((id) => !raced.has(id) || updates.has(id)).map((id) => ({ id, item: (inserts.get(id) ?? updates.get(id))! }));
  await writeRefs(c, refsOf.filter(({ id }) => stored.get(id)?.depends_on !== state.get(id)!.depends_on || stored.get(id)?.links !== state.get(id)!.links));
  for (const item of items) for (const h of item.history ?? []) history.push([`${connector.name}:${item.task.key}`, h.field, json(h.oldValue), json(h.newValue), isoUtc(h.at), h.actor, h.actorId ?? null, 'source', now]);
}

const diffRow = (id: string, ch: FieldChange, row: TaskRow, item: TaskItem): HistoryRow => [id, ch.field, ch.oldValue, ch.newValue, row.updated_at, item.actor ?? 'unknown', item.actorId ?? null, 'diff', row.last_seen_at];

/** Inserts new rows; returns the ids another writer inserted first. */
async function insertTasks(c: pg.PoolClient, rows: readonly TaskRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const params = TASK_COLUMNS.map((col) => rows.map((r) => r[col]));
  const sql = `INSERT INTO tasks (${TASK_COLUMNS.join(', ')})
    SELECT * FROM unnest(${TASK_COLUMNS.map((col, i) => `$${i + 1}::${colType(col)}`).join(', ')})
    ON CONFLICT (id) DO NOTHING RETURNING id`;
  const done = new Set((await c.query<{ id: string }>(sql, params)).rows.map((r) => r.id));
  return new Set(rows.map((r) => r.id).filter((id) => !done.has(id)));
}

/** Updates rows in one statement; first seen and taskwire's own write time are the store's and stay. */
async function updateTasks(c: pg.PoolClient, rows: readonly TaskRow[]): Promise<void> {
  if (rows.length === 0) return;
  const cols = TASK_COLUMNS.filter((col) => !['first_seen_at', 'last_written_by_us_at'].includes(col));
  const params = cols.map((col) => rows.map((r) => r[col]));
  const sql = `UPDATE tasks t SET ${cols.filter((col) => col !== 'id').map((col) => `${col} = u.${col}`).join(', ')}
    FROM unnest(${cols.map((col, i) => `$${i + 1}::${colType(col)}`).join(', ')}) AS u(${cols.join(', ')})
    WHERE t.id = u.id`;
  await c.query(sql, params);
}

async function writeRefs(c: pg.PoolClient, tasks: readonly { id: string; item: TaskItem }[]): Promise<void> {
  if (tasks.length === 0) return;
  await c.query('DELETE FROM task_refs WHERE task_id = ANY($1)', [tasks.map((t) => t.id)]);
  const refs = tasks.flatMap(({ id, item }) => [...item.task.dependsOn.map((r) => [id, 'depends_on', r]), ...item.task.links.map((r) => [id, 'link', r])]);
  if (refs.length === 0) return;
  await c.query('INSERT INTO task_refs (task_id, rel, ref) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING', [refs.map((r) => r[0]), refs.map((r) => r[1]), refs.map((r) => r[2])]);
}

async function applyDeletions(c: pg.PoolClient, connector: ConnectorId, items: readonly StoreItem[], now: string, counts: Record<string, number>, changed: Set<string>, history: HistoryRow[]): Promise<void> {
  const gone = items.filter((i): i is Extract<StoreItem, { type: 'deleted' }> => i.type === 'deleted');
  if (gone.length === 0) return;
  const r = await c.query<{ id: string; at: string }>(
    'UPDATE tasks t SET deleted_at = u.at FROM unnest($1::text[], $2::text[]) AS u(id, at) WHERE t.id = u.id AND t.deleted_at IS NULL RETURNING t.id, u.at',
    [gone.map((g) => `${connector.name}:${g.key}`), gone.map((g) => isoUtc(g.at))],
  );
  for (const row of r.rows) {
    history.push([row.id, 'deletedAt', null, JSON.stringify(row.at), row.at, 'unknown', null, 'diff', now]);
    counts.deleted!++;
    changed.add(row.id);
  }
}

/** History rows in one statement: diffs always, the tool's own history and activity once (and only for stored tasks). */
async function insertHistory(c: pg.PoolClient, rows: readonly HistoryRow[]): Promise<void> {
  if (rows.length === 0) return;
  const cols = (i: number) => rows.map((r) => r[i]);
  await c.query(
    `INSERT INTO task_history (task_id, field, old_value, new_value, at, actor, actor_id, source, recorded_at)
     SELECT u.task_id, u.field, u.old_value, u.new_value, u.at, u.actor, u.actor_id, u.source, u.recorded_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
         WITH ORDINALITY AS u(task_id, field, old_value, new_value, at, actor, actor_id, source, recorded_at, n)
      WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.id = u.task_id)
      ORDER BY u.n
     ON CONFLICT DO NOTHING`,
    [0, 1, 2, 3, 4, 5, 6, 7, 8].map(cols),
  );
}

async function applyActivity(c: pg.PoolClient, connector: ConnectorId, items: readonly StoreItem[], now: string, counts: Record<string, number>, changed: Set<string>): Promise<void> {
  const acts = items.filter((i): i is Extract<StoreItem, { type: 'activity' }> => i.type === 'activity');
  if (acts.length === 0) return;
  const rows = acts.map((a) => [`${connector.name}:${a.key}`, JSON.stringify(a.what), isoUtc(a.at), a.actor, a.actorId ?? null]);
  const r = await c.query<{ task_id: string; at: string; actor: string }>(
    `INSERT INTO task_history (task_id, field, old_value, new_value, at, actor, actor_id, source, recorded_at)
     SELECT u.task_id, 'activity', NULL, u.what, u.at, u.actor, u.actor_id, 'activity', $6
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(task_id, what, at, actor, actor_id, n)
      WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.id = u.task_id)
      ORDER BY u.n
     ON CONFLICT DO NOTHING RETURNING task_id, at, actor`,
    [...[0, 1, 2, 3, 4].map((i) => rows.map((x) => x[i])), now],
  );
  counts.activity! += r.rowCount ?? 0;
  const human = r.rows.filter((x) => x.actor === 'human');
  if (human.length === 0) return;
  const moved = await c.query<{ id: string }>(
    `UPDATE tasks t SET last_human_activity_at = u.at FROM (SELECT id, max(at) AS at FROM unnest($1::text[], $2::text[]) AS x(id, at) GROUP BY id) u
      WHERE t.id = u.id AND (t.last_human_activity_at IS NULL OR t.last_human_activity_at < u.at) RETURNING t.id`,
    [human.map((h) => h.task_id), human.map((h) => h.at)],
  );
  for (const m of moved.rows) changed.add(m.id);
}

async function insertEvidence(c: pg.PoolClient, connector: ConnectorId, items: readonly StoreItem[], now: string): Promise<number> {
  const ev = items.filter((i): i is Extract<StoreItem, { type: 'evidence' }> => i.type === 'evidence');
  if (ev.length === 0) return 0;
  const rows = ev.map((e) => [e.source, e.sourceUrl, e.target, e.kind, isoUtc(e.at), e.actor, e.actorId ?? null, e.summary, e.until === undefined ? null : isoUtc(e.until)]);
  const r = await c.query(
    `INSERT INTO evidence (connector, source, source_url, target, kind, at, actor, actor_id, summary, until, recorded_at)
     SELECT $10, u.* , $11 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) AS u
     ON CONFLICT DO NOTHING`,
    [...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => rows.map((x) => x[i])), connector.name, now],
  );
  return r.rowCount ?? 0;
}

/** Items that failed are recorded (read again after a backoff doubling from 5 minutes to 6 hours); items read whole again heal. */
async function applyFailures(c: pg.PoolClient, connector: ConnectorId, items: readonly StoreItem[], now: string, counts: Record<string, number>): Promise<void> {
  const healed = items.filter((i): i is TaskItem => i.type === 'task').map((i) => i.task.key);
  if (healed.length > 0) await c.query('DELETE FROM item_failures WHERE connector = $1 AND key = ANY($2)', [connector.name, healed]);
  for (const f of items) {
    if (f.type !== 'failed') continue;
    await c.query(
      `INSERT INTO item_failures (connector, key, error, attempts, first_failed_at, last_failed_at, next_attempt_at)
       VALUES ($1, $2, $3, 1, $4, $4, now() + interval '5 minutes')
       ON CONFLICT (connector, key) DO UPDATE SET error = excluded.error, attempts = item_failures.attempts + 1, last_failed_at = excluded.last_failed_at,
         next_attempt_at = now() + least(interval '6 hours', interval '5 minutes' * power(2, item_failures.attempts))`,
      [connector.name, f.key, f.error, now],
    );
    counts.failed!++;
  }
}

/** The connector's own state written with the page (one statement each for upserts and deletes). */
async function applyState(c: pg.PoolClient, connector: ConnectorId, items: readonly StoreItem[]): Promise<void> {
  const state = new Map<string, string | null>();
  for (const i of items) if (i.type === 'state') state.set(`connector:${connector.name}:${i.key}`, i.value);
  if (state.size === 0) return;
  const put = [...state].filter((e): e is [string, string] => e[1] !== null);
  const drop = [...state].filter(([, v]) => v === null).map(([k]) => k);
  if (put.length > 0) {
    await c.query('INSERT INTO meta (key, value) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [put.map((e) => e[0]), put.map((e) => e[1])]);
  }
  if (drop.length > 0) await c.query('DELETE FROM meta WHERE key = ANY($1::text[])', [drop]);
}
