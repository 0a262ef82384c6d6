/**
 * The SQLite adapter of the task store (better-sqlite3). Its work is synchronous; the async methods are
 * the interface's shape. One applyBatch = one transaction: items, history, references and cursor.
 */
import { diffFlags, flagKey, type FlagDiff } from '../core/flags.js';
import type { AccountRef, Cursor, ExternalAccount, Flag, HistoryEntry, StoredFlag, Task } from '../core/model.js';
import type { CycleSample } from '../core/risk.js';
import { openDatabase, type Db } from './db.js';
import { SqliteInbox } from './sqlite-inbox.js';
import { SqliteLeases } from './sqlite-leases.js';
import { LostLeaseError, type LeaseFence } from './leases.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import { mergeResults, type AccountRecord, type ApplyResult, type ConnectorId, type DeliveriesResult, type DeliveryItems, type EvaluationPlanner, type ItemFailure, type StoreItem, type StoredEvidence, type TaskQuery, type TaskStore } from './store.js';
import { mergeTask } from './task-merge.js';
import { openFlagOf, sampleOf, type FlagDbRow, type SampleRow } from './rows.js';
import { TASK_COLUMNS, fromRow, isoUtc, toRow, type TaskRow } from './task-row.js';

export interface SqliteStoreOptions {
  /** The store stamps bookkeeping times (first seen, recorded at) with this; tests pass a fixed clock. */
  readonly clock?: () => Date;
}

export class SqliteStore implements TaskStore {
  readonly db: Db;
  readonly outbox: SqliteOutbox;
  readonly inbox: SqliteInbox;
  readonly leases: SqliteLeases;
  readonly driver = 'sqlite' as const;
  private readonly now: () => string;
  private readonly stmt;

  constructor(db: Db, opts: SqliteStoreOptions = {}) {
    this.db = db;
    const clock = opts.clock ?? (() => new Date());
    this.outbox = new SqliteOutbox(db, () => clock().getTime());
    this.inbox = new SqliteInbox(db, () => clock().getTime());
    // Leases coordinate processes: they run on the machine's clock (as PostgreSQL's now()), never on
    // a clock the demo or a test shifts by hours — a jump would take every lease from its holder.
    this.leases = new SqliteLeases(db, () => Date.now());
    this.now = () => clock().toISOString();
    const cols = TASK_COLUMNS.join(', ');
    const params = TASK_COLUMNS.map((c) => `@${c}`).join(', ');
    // first_seen_at and last_written_by_us_at are the store's own; an update keeps them.
    const updatable = TASK_COLUMNS.filter((c) => !['id', 'first_seen_at', 'last_written_by_us_at'].includes(c));
    this.stmt = {
      get: db.prepare<[string], TaskRow>('SELECT * FROM tasks WHERE id = ?'),
      insert: db.prepare(`INSERT INTO tasks (${cols}) VALUES (${params})`),
      update: db.prepare(`UPDATE tasks SET ${updatable.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`),
      deleteRefs: db.prepare('DELETE FROM task_refs WHERE task_id = ?'),
      insertRef: db.prepare('INSERT OR IGNORE INTO task_refs (task_id, rel, ref) VALUES (?, ?, ?)'),
      history: db.prepare(
        `INSERT INTO task_history (task_id, field, old_value, new_value, at, actor, actor_id, source, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'diff', ?)`,
      ),
      historyOnce: db.prepare(
        `INSERT OR IGNORE INTO task_history (task_id, field, old_value, new_value, at, actor, actor_id, source, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      softDelete: db.prepare('UPDATE tasks SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL'),
      putMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      dropMeta: db.prepare('DELETE FROM meta WHERE key = ?'),
      humanActivity: db.prepare(
        `UPDATE tasks SET last_human_activity_at = @at
         WHERE id = @id AND (last_human_activity_at IS NULL OR last_human_activity_at < @at)`,
      ),
      exists: db.prepare<[string], { id: string }>('SELECT id FROM tasks WHERE id = ?'),
      evidence: db.prepare(
        `INSERT OR IGNORE INTO evidence (connector, source, source_url, target, kind, at, actor, actor_id, summary, until, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      getCursor: db.prepare<[string], { value: string }>('SELECT value FROM cursors WHERE connector = ?'),
      putCursor: db.prepare(
        `INSERT INTO cursors (connector, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (connector) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      ),
      itemFailed: db.prepare(
        `INSERT INTO item_failures (connector, key, error, attempts, first_failed_at, last_failed_at, next_attempt_at)
         VALUES (@connector, @key, @error, 1, @now, @now, @next)
         ON CONFLICT (connector, key) DO UPDATE SET error = excluded.error, attempts = attempts + 1,
           last_failed_at = excluded.last_failed_at, next_attempt_at = excluded.next_attempt_at`,
      ),
      itemHealed: db.prepare('DELETE FROM item_failures WHERE connector = ? AND key = ?'),
      itemAttempts: db.prepare<[string, string], { attempts: number }>('SELECT attempts FROM item_failures WHERE connector = ? AND key = ?'),
      anyFailing: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM item_failures WHERE connector = ?'),
      account: db.prepare(
        `INSERT INTO accounts (kind, account_id, connector, name, email, is_bot, first_seen_at, last_seen_at)
         VALUES (@kind, @id, @connector, @name, @email, @isBot, @now, @now)
         ON CONFLICT (kind, account_id) DO UPDATE SET
           name = coalesce(excluded.name, name), email = coalesce(excluded.email, email),
           is_bot = max(is_bot, excluded.is_bot), last_seen_at = excluded.last_seen_at`,
      ),
    };
  }

  static open(path: string, opts: SqliteStoreOptions = {}): SqliteStore {
    return new SqliteStore(openDatabase(path), opts);
  }

  async applyBatch(connector: ConnectorId, items: readonly StoreItem[], cursor: Cursor | null, lease?: LeaseFence): Promise<ApplyResult> {
    if (lease === undefined) return this.applyBatchSync(connector, items, cursor);
    return this.db
      .transaction(() => {
        if (!this.leases.heldSync(lease)) throw new LostLeaseError(lease);
        return this.applyItems(connector, items, cursor);
      })
      .immediate();
  }

  async claimRun(kind: string, key: string, holder: string): Promise<boolean> {
    return this.db.prepare('INSERT INTO runs (kind, key, holder, at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO NOTHING').run(kind, key, holder, this.now()).changes === 1;
  }

  async applyDeliveries(connector: ConnectorId, deliveries: readonly DeliveryItems[], accounts: readonly ExternalAccount[]): Promise<DeliveriesResult> {
    return this.db
      .transaction((): DeliveriesResult => {
        this.recordAccountsSync(accounts);
        const results: ApplyResult[] = [];
        const finished: number[] = [];
        const lost: number[] = [];
        for (const d of deliveries) {
          // The claim first: a delivery taken over by another holder is theirs to apply.
          if (!this.inbox.finishSync(d.claim, d.items.length === 0 ? 'ignored' : 'processed', d.ignored)) {
            lost.push(d.claim.id);
            continue;
          }
          if (d.items.length > 0) results.push(this.applyItems(connector, d.items, null));
          finished.push(d.claim.id);
        }
        return { applied: mergeResults(results), finished, lost };
      })
      .immediate();
  }

  /** The synchronous body of applyBatch (also used by the benchmark to measure the store alone). */
  applyBatchSync(connector: ConnectorId, items: readonly StoreItem[], cursor: Cursor | null): ApplyResult {
    return this.db.transaction(() => this.applyItems(connector, items, cursor)).immediate();
  }

  /** Items (and the cursor that covers them) into the store, inside the caller's transaction. */
  private applyItems(connector: ConnectorId, items: readonly StoreItem[], cursor: Cursor | null): ApplyResult {
    const now = this.now();
    const counts = { inserted: 0, updated: 0, unchanged: 0, stale: 0, deleted: 0, activity: 0, evidence: 0, failed: 0 };
    const changed = new Set<string>();
    // An item read whole again heals its failure record (looked for only when the connector has any).
    const healing = this.stmt.anyFailing.get(connector.name)!.n > 0;
    for (const item of items) {
      if (item.type === 'task') {
        const outcome = this.applyTask(connector, item, now);
        counts[outcome]++;
        if (outcome === 'inserted' || outcome === 'updated') changed.add(`${connector.name}:${item.task.key}`);
        if (healing) this.stmt.itemHealed.run(connector.name, item.task.key);
      } else if (item.type === 'failed') {
        this.recordItemFailure(connector.name, item.key, item.error, now);
        counts.failed++;
      } else if (item.type === 'deleted') {
        const id = `${connector.name}:${item.key}`;
        const at = isoUtc(item.at);
        if (this.stmt.softDelete.run(at, id).changes === 1) {
          this.stmt.history.run(id, 'deletedAt', null, JSON.stringify(at), at, 'unknown', null, now);
          counts.deleted++;
          changed.add(id);
        }
      } else if (item.type === 'history') {
        // The tool's own history of a task already stored (kept once, with its source times).
        const id = `${connector.name}:${item.key}`;
        if (!this.stmt.exists.get(id)) continue;
        for (const h of item.entries) this.stmt.historyOnce.run(id, h.field, json(h.oldValue), json(h.newValue), isoUtc(h.at), h.actor, h.actorId ?? null, 'source', now);
      } else if (item.type === 'state') {
        const key = `connector:${connector.name}:${item.key}`;
        if (item.value === null) this.stmt.dropMeta.run(key);
        else this.stmt.putMeta.run(key, item.value);
      } else if (item.type === 'evidence') {
        const r = this.stmt.evidence.run(connector.name, item.source, item.sourceUrl, item.target, item.kind, isoUtc(item.at), item.actor, item.actorId ?? null, item.summary, item.until === undefined ? null : isoUtc(item.until), now);
        counts.evidence += r.changes;
      } else {
        const id = `${connector.name}:${item.key}`;
        if (!this.stmt.exists.get(id)) continue;
        const at = isoUtc(item.at);
        const r = this.stmt.historyOnce.run(id, 'activity', null, JSON.stringify(item.what), at, item.actor, item.actorId ?? null, 'activity', now);
        if (r.changes === 0) continue;
        counts.activity++;
        if (item.actor === 'human' && this.stmt.humanActivity.run({ at, id }).changes === 1) changed.add(id);
      }
    }
    if (cursor !== null) this.stmt.putCursor.run(connector.name, JSON.stringify(cursor), now);
    return { ...counts, changed: [...changed] };
  }

  /** An item that failed: read again after a backoff that doubles from 5 minutes up to 6 hours. */
  private recordItemFailure(connector: string, key: string, error: string, now: string): void {
    const attempts = this.stmt.itemAttempts.get(connector, key)?.attempts ?? 0;
    const next = new Date(Date.parse(now) + Math.min(6 * 3600_000, 5 * 60_000 * 2 ** attempts)).toISOString();
    this.stmt.itemFailed.run({ connector, key, error, now, next });
  }

  async itemFailures(connector?: string): Promise<ItemFailure[]> {
    type Row = { connector: string; key: string; error: string; attempts: number; first_failed_at: string; last_failed_at: string; next_attempt_at: string };
    const rows =
      connector === undefined
        ? this.db.prepare<[], Row>('SELECT * FROM item_failures ORDER BY connector, key').all()
        : this.db.prepare<[string], Row>('SELECT * FROM item_failures WHERE connector = ? ORDER BY key').all(connector);
    return rows.map((r) => ({ connector: r.connector, key: r.key, error: r.error, attempts: r.attempts, firstFailedAt: r.first_failed_at, lastFailedAt: r.last_failed_at, nextAttemptAt: r.next_attempt_at }));
  }

  async dueItemFailures(connector: string, limit: number): Promise<string[]> {
    return this.db
      .prepare<[string, string, number], { key: string }>('SELECT key FROM item_failures WHERE connector = ? AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?')
      .all(connector, this.now(), limit)
      .map((r) => r.key);
  }

  private applyTask(connector: ConnectorId, item: Extract<StoreItem, { type: 'task' }>, now: string) {
    const row = toRow(connector.name, connector.kind, item.task, item.owner, now);
    const outcome = this.upsertTask(row, item);
    // The tool's own history (changelog, timeline) is kept whatever happened to the current state:
    // each entry carries its source time, and a re-read keeps it once.
    for (const h of item.history ?? []) {
      this.stmt.historyOnce.run(row.id, h.field, json(h.oldValue), json(h.newValue), isoUtc(h.at), h.actor, h.actorId ?? null, 'source', now);
    }
    return outcome;
  }

  private upsertTask(row: TaskRow, item: Extract<StoreItem, { type: 'task' }>) {
    const m = mergeTask(this.stmt.get.get(row.id), row);
    if (m.outcome === 'inserted') {
      this.stmt.insert.run(m.row);
      this.insertRefs(row.id, item.task.dependsOn, item.task.links);
    } else if (m.outcome === 'updated') {
      for (const c of m.changes) this.stmt.history.run(row.id, c.field, c.oldValue, c.newValue, row.updated_at, item.actor ?? 'unknown', item.actorId ?? null, row.last_seen_at);
      this.stmt.update.run(m.row);
      if (m.refsChanged) this.writeRefs(row.id, item.task.dependsOn, item.task.links);
    }
    return m.outcome;
  }

  private writeRefs(id: string, dependsOn: readonly string[], links: readonly string[]) {
    this.stmt.deleteRefs.run(id);
    this.insertRefs(id, dependsOn, links);
  }

  /** Dependencies and links as rows (the parent is the tasks.parent column). */
  private insertRefs(id: string, dependsOn: readonly string[], links: readonly string[]) {
    for (const d of dependsOn) this.stmt.insertRef.run(id, 'depends_on', d);
    for (const l of links) this.stmt.insertRef.run(id, 'link', l);
  }

  async getCursor(connector: string): Promise<Cursor | null> {
    const r = this.stmt.getCursor.get(connector);
    return r === undefined ? null : (JSON.parse(r.value) as Cursor);
  }

  async resetCursor(connector: string): Promise<void> {
    this.db.prepare('DELETE FROM cursors WHERE connector = ?').run(connector);
  }

  async getTask(id: string): Promise<Task | null> {
    const r = this.stmt.get.get(id);
    return r === undefined ? null : fromRow(r);
  }

  async listTasks(q: TaskQuery = {}): Promise<Task[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (!q.includeDeleted) where.push('deleted_at IS NULL');
    if (q.connector !== undefined) {
      where.push('connector = ?');
      args.push(q.connector);
    }
    if (q.owner !== undefined) {
      where.push('owner = ?');
      args.push(q.owner);
    }
    if (q.status !== undefined && q.status.length > 0) {
      where.push(`status IN (${q.status.map(() => '?').join(', ')})`);
      args.push(...q.status);
    }
    if (q.flag !== undefined) {
      where.push('id IN (SELECT task_id FROM flags WHERE code = ? AND resolved_at IS NULL)');
      args.push(q.flag);
    }
    const sql = `SELECT * FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY due IS NULL, due, connector, key ${q.limit !== undefined ? `LIMIT ${Math.max(0, Math.floor(q.limit))}` : ''}`;
    return this.db.prepare<unknown[], TaskRow>(sql).all(...args).map(fromRow);
  }

  async listEvidence(query: { since?: string | undefined; targets?: readonly string[] | undefined } = {}): Promise<StoredEvidence[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.since !== undefined) {
      where.push('recorded_at >= ?');
      args.push(query.since);
    }
    if (query.targets !== undefined) {
      if (query.targets.length === 0) return [];
      where.push(`target IN (${query.targets.map(() => '?').join(', ')})`);
      args.push(...query.targets);
    }
    type Row = { connector: string; source: string; source_url: string | null; target: string; kind: StoredEvidence['kind']; at: string; actor: StoredEvidence['actor']; actor_id: string | null; summary: string; until: string | null; recorded_at: string };
    return this.db
      .prepare<unknown[], Row>(`SELECT * FROM evidence ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC`)
      .all(...args)
      .map((r) => ({ connector: r.connector, source: r.source, sourceUrl: r.source_url, target: r.target, kind: r.kind, at: r.at, actor: r.actor, actorId: r.actor_id, summary: r.summary, ...(r.until === null ? {} : { until: r.until }), recordedAt: r.recorded_at }));
  }

  async history(taskId: string): Promise<HistoryEntry[]> {
    const rows = this.db
      .prepare<[string], { task_id: string; field: string; old_value: string | null; new_value: string | null; at: string; actor: HistoryEntry['actor']; actor_id: string | null; source: NonNullable<HistoryEntry['source']> }>(
        'SELECT task_id, field, old_value, new_value, at, actor, actor_id, source FROM task_history WHERE task_id = ? ORDER BY at, id',
      )
      .all(taskId);
    return rows.map((r) => ({ taskId: r.task_id, field: r.field, oldValue: r.old_value, newValue: r.new_value, at: r.at, actor: r.actor, actorId: r.actor_id, source: r.source }));
  }

  /** Every task's history, oldest first per task (for rebuilding the past: `--as-of`, the backtest). */
  async allHistory(): Promise<Map<string, HistoryEntry[]>> {
    const out = new Map<string, HistoryEntry[]>();
    const rows = this.db
      .prepare<[], { task_id: string; field: string; old_value: string | null; new_value: string | null; at: string; actor: HistoryEntry['actor']; actor_id: string | null; source: NonNullable<HistoryEntry['source']> }>(
        'SELECT task_id, field, old_value, new_value, at, actor, actor_id, source FROM task_history ORDER BY task_id, at, id',
      )
      .all();
    for (const r of rows) {
      const e: HistoryEntry = { taskId: r.task_id, field: r.field, oldValue: r.old_value, newValue: r.new_value, at: r.at, actor: r.actor, actorId: r.actor_id, source: r.source };
      const list = out.get(r.task_id);
      if (list) list.push(e);
      else out.set(r.task_id, [e]);
    }
    return out;
  }

  async recomputeOwners(ownerOf: (assignees: readonly AccountRef[]) => string | null): Promise<number> {
    const rows = this.db.prepare<[], { id: string; assignees: string; owner: string | null }>('SELECT id, assignees, owner FROM tasks').all();
    const set = this.db.prepare('UPDATE tasks SET owner = ? WHERE id = ?');
    return this.db.transaction(() => {
      let n = 0;
      for (const r of rows) {
        const owner = ownerOf(JSON.parse(r.assignees) as AccountRef[]);
        if (owner !== r.owner) n += set.run(owner, r.id).changes;
      }
      return n;
    })();
  }

  async applyFlags(scope: 'all' | ReadonlySet<string>, flags: readonly Flag[], now: string): Promise<FlagDiff> {
    return this.applyFlagsSync(scope, flags, now);
  }

  async applyEvaluation(
    scope: 'all' | ReadonlySet<string>,
    flags: readonly Flag[],
    now: string,
    planner: EvaluationPlanner,
  ): Promise<{ diff: FlagDiff; planned: number }> {
    return this.db.transaction(() => {
      if (planner.lease && !this.leases.heldSync(planner.lease)) throw new LostLeaseError(planner.lease);
      const { diff, firstSeen } = this.writeFlags(scope, flags, now);
      const actions = planner.plan(diff, firstSeen);
      return { diff, planned: this.outbox.planSync(actions, planner.mode, planner.cycle, now) };
    }).immediate();
  }

  private applyFlagsSync(scope: 'all' | ReadonlySet<string>, flags: readonly Flag[], now: string): FlagDiff {
    return this.writeFlags(scope, flags, now).diff;
  }

  /**
   * The flag diff, written: new flags inserted, resolved ones closed; after a full evaluation every
   * open flag's last_seen_at moves in one statement and only the flags whose severity, reason or
   * evidence changed are rewritten — an evaluation that changes little writes little. Also when each
   * open flag was first seen (read once, before the writes).
   */
  private writeFlags(scope: 'all' | ReadonlySet<string>, flags: readonly Flag[], now: string): { diff: FlagDiff; firstSeen: (taskId: string, code: string) => string } {
    const insert = this.db.prepare(
      `INSERT INTO flags (task_id, code, severity, reason, evidence, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const refresh = this.db.prepare(
      'UPDATE flags SET severity = ?, reason = ?, evidence = ?, last_seen_at = ? WHERE task_id = ? AND code = ? AND resolved_at IS NULL',
    );
    const resolve = this.db.prepare('UPDATE flags SET resolved_at = ?, last_seen_at = ? WHERE id = ?');
    const touchAll = this.db.prepare('UPDATE flags SET last_seen_at = ? WHERE resolved_at IS NULL');
    // A nested call (from applyEvaluation) runs as a savepoint of the outer transaction.
    const run = this.db.transaction(() => {
      const previous = this.openFlagRows(undefined);
      const diff = diffFlags(previous, flags, scope);
      for (const f of diff.opened) insert.run(f.taskId, f.code, f.severity, f.reason, JSON.stringify(f.evidence), now, now);
      if (scope === 'all') {
        // Every open flag was seen by this evaluation: one statement, then only the changed rewritten.
        touchAll.run(now);
        for (const f of diff.changed ?? diff.stillOpen) refresh.run(f.severity, f.reason, JSON.stringify(f.evidence), now, f.taskId, f.code);
      } else {
        for (const f of diff.stillOpen) refresh.run(f.severity, f.reason, JSON.stringify(f.evidence), now, f.taskId, f.code);
      }
      for (const f of diff.resolved) resolve.run(now, now, f.rowId);
      const seen = new Map(previous.map((f) => [flagKey(f), f.firstSeenAt]));
      return {
        diff: { opened: diff.opened, stillOpen: diff.stillOpen, resolved: diff.resolved.map(({ rowId: _rowId, ...f }) => ({ ...f, resolvedAt: now })) },
        firstSeen: (taskId: string, code: string) => seen.get(`${taskId}\u0000${code}`) ?? now,
      };
    });
    return this.db.inTransaction ? run() : run.immediate();
  }

  async verifyTask(taskId: string, at: string, by: string | null, how: string): Promise<boolean> {
    return this.db.transaction(() => {
      const t = this.stmt.get.get(taskId);
      if (!t || t.verified_at !== null || (t.status !== 'done' && t.status !== 'verified')) return false;
      this.db.prepare('UPDATE tasks SET verified_at = ?, verified_by = ? WHERE id = ?').run(isoUtc(at), by, taskId);
      this.stmt.history.run(taskId, 'verifiedAt', null, JSON.stringify(isoUtc(at)), isoUtc(at), by ? 'human' : 'unknown', by ?? how, this.now());
      return true;
    })();
  }

  async resolveRef(ref: string): Promise<string | null> {
    if (this.stmt.exists.get(ref)) return ref;
    if (/^https?:\/\//i.test(ref)) {
      const norm = ref.replace(/[#?].*$/, '').replace(/\/+$/, '').toLowerCase();
      const r = this.db.prepare<[string], { id: string }>('SELECT id FROM tasks WHERE lower(rtrim(url, \'/\')) = ? AND deleted_at IS NULL LIMIT 1').get(norm);
      return r?.id ?? null;
    }
    const colon = ref.indexOf(':');
    if (colon <= 0) return null;
    const r = this.db.prepare<[string, string], { id: string }>('SELECT id FROM tasks WHERE kind = ? AND key = ? AND deleted_at IS NULL LIMIT 1').get(ref.slice(0, colon), ref.slice(colon + 1));
    return r?.id ?? null;
  }

  async lastHumanStatusChanges(asOf?: string): Promise<Map<string, string>> {
    const rows = this.db
      .prepare<[string], { task_id: string; at: string }>("SELECT task_id, max(at) AS at FROM task_history WHERE field = 'status' AND actor = 'human' AND at <= ? GROUP BY task_id")
      .all(asOf ?? '9999');
    return new Map(rows.map((r) => [r.task_id, r.at]));
  }

  async flagsOpenAt(at: string): Promise<Map<string, string>> {
    const rows = this.db
      .prepare<[string, string], { task_id: string; code: string; first_seen_at: string }>('SELECT task_id, code, first_seen_at FROM flags WHERE first_seen_at <= ? AND (resolved_at IS NULL OR resolved_at > ?)')
      .all(at, at);
    return new Map(rows.map((r) => [`${r.task_id}\u0000${r.code}`, r.first_seen_at]));
  }

  async flagSpans(since: string): Promise<{ taskId: string; from: string; to: string | null }[]> {
    return this.db
      .prepare<[string], { task_id: string; first_seen_at: string; resolved_at: string | null }>('SELECT task_id, first_seen_at, resolved_at FROM flags WHERE resolved_at IS NULL OR resolved_at >= ?')
      .all(since)
      .map((r) => ({ taskId: r.task_id, from: r.first_seen_at, to: r.resolved_at }));
  }

  async openFlags(taskId?: string): Promise<StoredFlag[]> {
    return this.openFlagRows(taskId).map(({ rowId: _rowId, ...f }) => f);
  }

  private openFlagRows(taskId: string | undefined): (StoredFlag & { rowId: number })[] {
    type Row = FlagDbRow;
    const rows =
      taskId === undefined
        ? this.db.prepare<[], Row>('SELECT * FROM flags WHERE resolved_at IS NULL ORDER BY task_id, code').all()
        : this.db.prepare<[string], Row>('SELECT * FROM flags WHERE resolved_at IS NULL AND task_id = ? ORDER BY code').all(taskId);
    return rows.map(openFlagOf);
  }

  async cycleSamples(): Promise<CycleSample[]> {
    type Row = SampleRow;
    const rows = this.db
      .prepare<[], Row>(
        `SELECT t.id, t.owner, t.project, t.type, t.created_at, t.done_at, t.estimate_s, t.spent_s,
                (SELECT min(h.at) FROM task_history h
                  WHERE h.task_id = t.id AND h.field = 'status' AND h.new_value = '"in_progress"') AS started_at
           FROM tasks t
          WHERE t.deleted_at IS NULL AND t.status IN ('done', 'verified') AND t.done_at IS NOT NULL`,
      )
      .all();
    return rows.map(sampleOf);
  }

  async startedTimes(): Promise<Map<string, string>> {
    const rows = this.db
      .prepare<[], { id: string; started: string | null }>(
        `SELECT t.id, (SELECT max(h.at) FROM task_history h
                        WHERE h.task_id = t.id AND h.field = 'status'
                          AND h.new_value IN ('"in_progress"', '"in_review"')
                          AND (h.old_value IS NULL OR h.old_value NOT IN ('"in_progress"', '"in_review"'))) AS started
           FROM tasks t WHERE t.deleted_at IS NULL AND t.status IN ('in_progress', 'in_review')`,
      )
      .all();
    return new Map(rows.filter((r) => r.started !== null).map((r) => [r.id, r.started!]));
  }

  async statusHistoryBetween(from: string, to: string): Promise<HistoryEntry[]> {
    type Row = { task_id: string; field: string; old_value: string | null; new_value: string | null; at: string; actor: HistoryEntry['actor']; actor_id: string | null };
    return this.db
      .prepare<[string, string], Row>(
        `SELECT task_id, field, old_value, new_value, at, actor, actor_id FROM task_history
          WHERE field = 'status' AND at >= ? AND at < ? ORDER BY at, id`,
      )
      .all(from, to)
      .map((r) => ({ taskId: r.task_id, field: r.field, oldValue: r.old_value, newValue: r.new_value, at: r.at, actor: r.actor, actorId: r.actor_id }));
  }

  async syncState(since: string): Promise<{ connector: string; lastSyncAt: string | null; webhookFailures: number; deadLetters: number; failingItems: number }[]> {
    type Row = { connector: string; last_sync_at: string | null; webhook_failures: number; dead_letters: number; failing_items: number };
    return this.db
      .prepare<[{ since: string }], Row>(
        `WITH names AS (
           SELECT connector FROM cursors UNION SELECT connector FROM inbox UNION SELECT connector FROM outbox UNION SELECT connector FROM item_failures)
         SELECT n.connector,
                (SELECT updated_at FROM cursors c WHERE c.connector = n.connector) AS last_sync_at,
                (SELECT count(*) FROM inbox d WHERE d.connector = n.connector AND d.received_at >= @since
                    AND (d.status = 'dead' OR (d.status IN ('received', 'claimed') AND d.last_error IS NOT NULL))) AS webhook_failures,
                (SELECT count(*) FROM outbox o WHERE o.connector = n.connector AND o.status = 'dead') AS dead_letters,
                (SELECT count(*) FROM item_failures f WHERE f.connector = n.connector) AS failing_items
           FROM names n ORDER BY n.connector`,
      )
      .all({ since })
      .map((r) => ({ connector: r.connector, lastSyncAt: r.last_sync_at, webhookFailures: r.webhook_failures, deadLetters: r.dead_letters, failingItems: r.failing_items }));
  }

  async recordAccounts(accounts: readonly ExternalAccount[]): Promise<void> {
    this.db.transaction(() => this.recordAccountsSync(accounts))();
  }

  private recordAccountsSync(accounts: readonly ExternalAccount[]): void {
    const now = this.now();
    for (const a of accounts) this.stmt.account.run({ kind: a.kind, id: a.id, connector: a.connector, name: a.name ?? null, email: a.email ?? null, isBot: a.isBot ? 1 : 0, now });
  }

  async listAccounts(): Promise<AccountRecord[]> {
    const rows = this.db
      .prepare<[], { kind: AccountRef['kind']; account_id: string; connector: string; name: string | null; email: string | null; is_bot: number; first_seen_at: string; last_seen_at: string }>(
        'SELECT * FROM accounts ORDER BY kind, account_id',
      )
      .all();
    return rows.map((r) => ({
      kind: r.kind,
      id: r.account_id,
      connector: r.connector,
      ...(r.name === null ? {} : { name: r.name }),
      ...(r.email === null ? {} : { email: r.email }),
      ...(r.is_bot ? { isBot: true } : {}),
      firstSeenAt: r.first_seen_at,
      lastSeenAt: r.last_seen_at,
    }));
  }

  async getMeta(key: string): Promise<string | null> {
    return this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key)?.value ?? null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  async deleteMeta(key: string): Promise<void> {
    this.stmt.dropMeta.run(key);
  }

  async listMeta(prefix: string): Promise<[string, string][]> {
    // A range on the primary key (not LIKE, whose `_` and `%` are wildcards).
    return this.db
      .prepare<[string, string], { key: string; value: string }>('SELECT key, value FROM meta WHERE key >= ? AND key < ? ORDER BY key')
      .all(prefix, `${prefix}\uffff`)
      .map((r) => [r.key, r.value]);
  }

  async ping(): Promise<boolean> {
    try {
      // Taking the write lock and letting go proves the file is writable without writing anything.
      this.db.exec('BEGIN IMMEDIATE; ROLLBACK');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
