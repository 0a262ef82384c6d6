/**
 * The PostgreSQL adapter of the task store (node-postgres), for taskwire as several replicas on one
 * database. Same contract as the SQLite store (the store contract suite runs against both); what
 * differs is how replicas coordinate: a page is written only under its poll's lease (fenced by token),
 * evaluations take an advisory lock so two replicas never diff flags at once, inbox and outbox rows are
 * claimed with `FOR UPDATE SKIP LOCKED`, and every time compared is the database's `now()`.
 */
import type pg from 'pg';
import { diffFlags, type FlagDiff } from '../../core/flags.js';
import type { AccountRef, Cursor, ExternalAccount, Flag, HistoryEntry, StoredFlag, Task } from '../../core/model.js';
import type { CycleSample } from '../../core/risk.js';
import { LostLeaseError, type LeaseFence } from '../leases.js';
import { mergeResults, type AccountRecord, type ApplyResult, type ConnectorId, type DeliveriesResult, type DeliveryItems, type EvaluationPlanner, type ItemFailure, type StoreChannel, type StoreItem, type StoredEvidence, type TaskQuery, type TaskStore } from '../store.js';
import { openFlagOf, sampleOf, type FlagDbRow, type SampleRow } from '../rows.js';
import { fromRow, type TaskRow } from '../task-row.js';
import { applyItemsPg } from './apply.js';
import { channelOf, createPool, inTransaction, iso, migrate, type PgOptions, type Queryable } from './db.js';
import { listenFor } from './listen.js';
import { PgInbox } from './pg-inbox.js';
import { PgLeases } from './pg-leases.js';
import { PgOutbox } from './pg-outbox.js';

const EVALUATION_LOCK = 7_446_512_094;

type HistoryRowDb = { task_id: string; field: string; old_value: string | null; new_value: string | null; at: string; actor: HistoryEntry['actor']; actor_id: string | null; source: NonNullable<HistoryEntry['source']> };
const historyEntry = (r: HistoryRowDb): HistoryEntry => ({ taskId: r.task_id, field: r.field, oldValue: r.old_value, newValue: r.new_value, at: r.at, actor: r.actor, actorId: r.actor_id, source: r.source });

export class PgStore implements TaskStore {
  readonly driver = 'postgres' as const;
  readonly outbox: PgOutbox;
  readonly inbox: PgInbox;
  readonly leases: PgLeases;

  private constructor(
    readonly pool: pg.Pool,
    private readonly opts: PgOptions,
  ) {
    const schema = opts.schema ?? 'public';
    this.outbox = new PgOutbox(pool, schema);
    this.inbox = new PgInbox(pool, schema);
    this.leases = new PgLeases(pool);
  }

  /** Connects, creates the schema if needed and migrates (once across replicas starting together). */
  static async open(opts: PgOptions): Promise<PgStore> {
    const pool = createPool(opts);
    try {
      await migrate(pool, opts.schema ?? 'public');
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PgStore(pool, opts);
  }

  private async now(q: Queryable = this.pool): Promise<string> {
    return (await q.query<{ now: string }>('SELECT iso_now() AS now')).rows[0]!.now;
  }

  async applyBatch(connector: ConnectorId, items: readonly StoreItem[], cursor: Cursor | null, lease?: LeaseFence): Promise<ApplyResult> {
    return inTransaction(this.pool, async (c) => {
      if (lease && !(await PgLeases.held(c, lease))) throw new LostLeaseError(lease);
      return applyItemsPg(c, connector, items, cursor, await this.now(c));
    });
  }

  async applyDeliveries(connector: ConnectorId, deliveries: readonly DeliveryItems[], accounts: readonly ExternalAccount[]): Promise<DeliveriesResult> {
    return inTransaction(this.pool, async (c) => {
      const now = await this.now(c);
      await this.recordAccountsIn(c, accounts, now);
      const results: ApplyResult[] = [];
      const finished: number[] = [];
      const lost: number[] = [];
      for (const d of deliveries) {
        if (!(await PgInbox.finishIn(c, d.claim, d.items.length === 0 ? 'ignored' : 'processed', d.ignored))) {
          lost.push(d.claim.id);
          continue;
        }
        if (d.items.length > 0) results.push(await applyItemsPg(c, connector, d.items, null, now));
        finished.push(d.claim.id);
      }
      return { applied: mergeResults(results), finished, lost };
    });
  }

  async getCursor(connector: string): Promise<Cursor | null> {
    const r = await this.pool.query<{ value: string }>('SELECT value FROM cursors WHERE connector = $1', [connector]);
    return r.rows[0] ? (JSON.parse(r.rows[0].value) as Cursor) : null;
  }

  async resetCursor(connector: string): Promise<void> {
    await this.pool.query('DELETE FROM cursors WHERE connector = $1', [connector]);
  }

  async getTask(id: string): Promise<Task | null> {
    const r = await this.pool.query<TaskRow>('SELECT * FROM tasks WHERE id = $1', [id]);
    return r.rows[0] ? fromRow(r.rows[0]) : null;
  }

  async listTasks(q: TaskQuery = {}): Promise<Task[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => `$${args.push(v)}`;
    if (!q.includeDeleted) where.push('deleted_at IS NULL');
    if (q.connector !== undefined) where.push(`connector = ${arg(q.connector)}`);
    if (q.owner !== undefined) where.push(`owner = ${arg(q.owner)}`);
    if (q.status !== undefined && q.status.length > 0) where.push(`status = ANY(${arg([...q.status])})`);
    if (q.flag !== undefined) where.push(`id IN (SELECT task_id FROM flags WHERE code = ${arg(q.flag)} AND resolved_at IS NULL)`);
    const sql = `SELECT * FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY due IS NULL, due, connector, key ${q.limit !== undefined ? `LIMIT ${Math.max(0, Math.floor(q.limit))}` : ''}`;
    return (await this.pool.query<TaskRow>(sql, args)).rows.map(fromRow);
  }

  async listEvidence(query: { since?: string | undefined; targets?: readonly string[] | undefined } = {}): Promise<StoredEvidence[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.since !== undefined) where.push(`recorded_at >= $${args.push(query.since)}`);
    if (query.targets !== undefined) {
      if (query.targets.length === 0) return [];
      where.push(`target = ANY($${args.push([...query.targets])})`);
    }
    type Row = { connector: string; source: string; source_url: string | null; target: string; kind: StoredEvidence['kind']; at: string; actor: StoredEvidence['actor']; actor_id: string | null; summary: string; until: string | null; recorded_at: string };
    const r = await this.pool.query<Row>(`SELECT * FROM evidence ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC`, args);
    return r.rows.map((x) => ({ connector: x.connector, source: x.source, sourceUrl: x.source_url, target: x.target, kind: x.kind, at: x.at, actor: x.actor, actorId: x.actor_id, summary: x.summary, ...(x.until === null ? {} : { until: x.until }), recordedAt: x.recorded_at }));
  }

  async history(taskId: string): Promise<HistoryEntry[]> {
    const r = await this.pool.query<HistoryRowDb>('SELECT task_id, field, old_value, new_value, at, actor, actor_id, source FROM task_history WHERE task_id = $1 ORDER BY at, id', [taskId]);
    return r.rows.map(historyEntry);
  }

  async allHistory(): Promise<Map<string, HistoryEntry[]>> {
    const out = new Map<string, HistoryEntry[]>();
    const r = await this.pool.query<HistoryRowDb>('SELECT task_id, field, old_value, new_value, at, actor, actor_id, source FROM task_history ORDER BY task_id, at, id');
    for (const row of r.rows) {
      const list = out.get(row.task_id);
      if (list) list.push(historyEntry(row));
      else out.set(row.task_id, [historyEntry(row)]);
    }
    return out;
  }

  async recomputeOwners(ownerOf: (assignees: readonly AccountRef[]) => string | null): Promise<number> {
    return inTransaction(this.pool, async (c) => {
      const rows = (await c.query<{ id: string; assignees: string; owner: string | null }>('SELECT id, assignees, owner FROM tasks FOR UPDATE')).rows;
      const changed = rows.map((r) => ({ id: r.id, owner: ownerOf(JSON.parse(r.assignees) as AccountRef[]), was: r.owner })).filter((x) => x.owner !== x.was);
      if (changed.length > 0) await c.query('UPDATE tasks t SET owner = u.owner FROM unnest($1::text[], $2::text[]) AS u(id, owner) WHERE t.id = u.id', [changed.map((x) => x.id), changed.map((x) => x.owner)]);
      return changed.length;
    });
  }

  async applyFlags(scope: 'all' | ReadonlySet<string>, flags: readonly Flag[], now: string): Promise<FlagDiff> {
    return inTransaction(this.pool, (c) => this.applyFlagsIn(c, scope, flags, now));
  }

  async applyEvaluation(
    scope: 'all' | ReadonlySet<string>,
    flags: readonly Flag[],
    now: string,
    planner: EvaluationPlanner,
  ): Promise<{ diff: FlagDiff; planned: number }> {
    return inTransaction(this.pool, async (c) => {
      const { diff, firstSeen } = await this.writeFlags(c, scope, flags, now);
      // After the evaluation lock: a former holder's evaluation waiting on it finds its lease gone.
      if (planner.lease && !(await PgLeases.held(c, planner.lease))) throw new LostLeaseError(planner.lease);
      const actions = planner.plan(diff, firstSeen);
      return { diff, planned: await this.outbox.planIn(c, actions, planner.mode, planner.cycle, now) };
    });
  }

  private async applyFlagsIn(c: pg.PoolClient, scope: 'all' | ReadonlySet<string>, flags: readonly Flag[], now: string): Promise<FlagDiff> {
    return (await this.writeFlags(c, scope, flags, now)).diff;
  }

  /**
   * The flag diff, written (one statement each for the new, the still open and the resolved), and when
   * each open flag was first seen. Evaluations across replicas take turns (an advisory lock held to
   * the end of the transaction).
   */
  private async writeFlags(c: pg.PoolClient, scope: 'all' | ReadonlySet<string>, flags: readonly Flag[], now: string): Promise<{ diff: FlagDiff; firstSeen: (taskId: string, code: string) => string }> {
    await c.query('SELECT pg_advisory_xact_lock($1)', [EVALUATION_LOCK]);
    const previous = await this.openFlagRows(c);
    const diff = diffFlags(previous, flags, scope);
    if (diff.opened.length > 0) {
      const o = diff.opened;
      await c.query(
        `INSERT INTO flags (task_id, code, severity, reason, evidence, first_seen_at, last_seen_at)
         SELECT u.task_id, u.code, u.severity, u.reason, u.evidence, $6, $6
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(task_id, code, severity, reason, evidence)`,
        [o.map((f) => f.taskId), o.map((f) => f.code), o.map((f) => f.severity), o.map((f) => f.reason), o.map((f) => JSON.stringify(f.evidence)), now],
      );
    }
    if (diff.stillOpen.length > 0) {
      const s = diff.stillOpen;
      await c.query(
        `UPDATE flags f SET severity = u.severity, reason = u.reason, evidence = u.evidence, last_seen_at = $6
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(task_id, code, severity, reason, evidence)
          WHERE f.task_id = u.task_id AND f.code = u.code AND f.resolved_at IS NULL`,
        [s.map((f) => f.taskId), s.map((f) => f.code), s.map((f) => f.severity), s.map((f) => f.reason), s.map((f) => JSON.stringify(f.evidence)), now],
      );
    }
    if (diff.resolved.length > 0) await c.query('UPDATE flags SET resolved_at = $1, last_seen_at = $1 WHERE id = ANY($2)', [now, diff.resolved.map((f) => f.rowId)]);
    const seen = new Map(previous.map((f) => [`${f.taskId}\u0000${f.code}`, f.firstSeenAt]));
    return {
      diff: { opened: diff.opened, stillOpen: diff.stillOpen, resolved: diff.resolved.map(({ rowId: _rowId, ...f }) => ({ ...f, resolvedAt: now })) },
      firstSeen: (taskId, code) => seen.get(`${taskId}\u0000${code}`) ?? now,
    };
  }

  async verifyTask(taskId: string, at: string, by: string | null, how: string): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const when = new Date(at).toISOString();
      const r = await c.query(
        `UPDATE tasks SET verified_at = $2, verified_by = $3 WHERE id = $1 AND verified_at IS NULL AND status IN ('done', 'verified')`,
        [taskId, when, by],
      );
      if (r.rowCount !== 1) return false;
      await c.query(
        `INSERT INTO task_history (task_id, field, old_value, new_value, at, actor, actor_id, source, recorded_at) VALUES ($1, 'verifiedAt', NULL, $2, $3, $4, $5, 'diff', iso_now())`,
        [taskId, JSON.stringify(when), when, by ? 'human' : 'unknown', by ?? how],
      );
      return true;
    });
  }

  async resolveRef(ref: string): Promise<string | null> {
    if ((await this.pool.query('SELECT 1 FROM tasks WHERE id = $1', [ref])).rowCount === 1) return ref;
    if (/^https?:\/\//i.test(ref)) {
      const norm = ref.replace(/[#?].*$/, '').replace(/\/+$/, '').toLowerCase();
      const r = await this.pool.query<{ id: string }>("SELECT id FROM tasks WHERE lower(rtrim(url, '/')) = $1 AND deleted_at IS NULL LIMIT 1", [norm]);
      return r.rows[0]?.id ?? null;
    }
    const colon = ref.indexOf(':');
    if (colon <= 0) return null;
    const r = await this.pool.query<{ id: string }>('SELECT id FROM tasks WHERE kind = $1 AND key = $2 AND deleted_at IS NULL LIMIT 1', [ref.slice(0, colon), ref.slice(colon + 1)]);
    return r.rows[0]?.id ?? null;
  }

  async lastHumanStatusChanges(asOf?: string): Promise<Map<string, string>> {
    const r = await this.pool.query<{ task_id: string; at: string }>("SELECT task_id, max(at) AS at FROM task_history WHERE field = 'status' AND actor = 'human' AND at <= $1 GROUP BY task_id", [asOf ?? '9999']);
    return new Map(r.rows.map((x) => [x.task_id, x.at]));
  }

  async flagSpans(since: string): Promise<{ taskId: string; from: string; to: string | null }[]> {
    const r = await this.pool.query<{ task_id: string; first_seen_at: string; resolved_at: string | null }>('SELECT task_id, first_seen_at, resolved_at FROM flags WHERE resolved_at IS NULL OR resolved_at >= $1', [since]);
    return r.rows.map((x) => ({ taskId: x.task_id, from: x.first_seen_at, to: x.resolved_at }));
  }

  async flagsOpenAt(at: string): Promise<Map<string, string>> {
    const r = await this.pool.query<{ task_id: string; code: string; first_seen_at: string }>('SELECT task_id, code, first_seen_at FROM flags WHERE first_seen_at <= $1 AND (resolved_at IS NULL OR resolved_at > $1)', [at]);
    return new Map(r.rows.map((x) => [`${x.task_id}\u0000${x.code}`, x.first_seen_at]));
  }

  async openFlags(taskId?: string): Promise<StoredFlag[]> {
    return (await this.openFlagRows(this.pool, taskId)).map(({ rowId: _rowId, ...f }) => f);
  }

  private async openFlagRows(q: Queryable, taskId?: string): Promise<(StoredFlag & { rowId: number })[]> {
    type Row = FlagDbRow;
    const r =
      taskId === undefined
        ? await q.query<Row>('SELECT * FROM flags WHERE resolved_at IS NULL ORDER BY task_id, code')
        : await q.query<Row>('SELECT * FROM flags WHERE resolved_at IS NULL AND task_id = $1 ORDER BY code', [taskId]);
    return r.rows.map(openFlagOf);
  }

  async cycleSamples(): Promise<CycleSample[]> {
    type Row = SampleRow;
    const r = await this.pool.query<Row>(
      `SELECT t.id, t.owner, t.project, t.type, t.created_at, t.done_at, t.estimate_s, t.spent_s,
              (SELECT min(h.at) FROM task_history h WHERE h.task_id = t.id AND h.field = 'status' AND h.new_value = '"in_progress"') AS started_at
         FROM tasks t WHERE t.deleted_at IS NULL AND t.status IN ('done', 'verified') AND t.done_at IS NOT NULL`,
    );
    return r.rows.map(sampleOf);
  }

  async startedTimes(): Promise<Map<string, string>> {
    const r = await this.pool.query<{ id: string; started: string | null }>(
      `SELECT t.id, (SELECT max(h.at) FROM task_history h
                      WHERE h.task_id = t.id AND h.field = 'status' AND h.new_value IN ('"in_progress"', '"in_review"')
                        AND (h.old_value IS NULL OR h.old_value NOT IN ('"in_progress"', '"in_review"'))) AS started
         FROM tasks t WHERE t.deleted_at IS NULL AND t.status IN ('in_progress', 'in_review')`,
    );
    return new Map(r.rows.filter((x) => x.started !== null).map((x) => [x.id, x.started!]));
  }

  async statusHistoryBetween(from: string, to: string): Promise<HistoryEntry[]> {
    const r = await this.pool.query<HistoryRowDb>("SELECT task_id, field, old_value, new_value, at, actor, actor_id, source FROM task_history WHERE field = 'status' AND at >= $1 AND at < $2 ORDER BY at, id", [from, to]);
    return r.rows.map(({ source: _s, ...x }) => ({ taskId: x.task_id, field: x.field, oldValue: x.old_value, newValue: x.new_value, at: x.at, actor: x.actor, actorId: x.actor_id }));
  }

  async syncState(since: string): Promise<{ connector: string; lastSyncAt: string | null; webhookFailures: number; deadLetters: number; failingItems: number }[]> {
    type Row = { connector: string; last_sync_at: string | null; webhook_failures: number; dead_letters: number; failing_items: number };
    const r = await this.pool.query<Row>(
      `WITH names AS (SELECT connector FROM cursors UNION SELECT connector FROM inbox UNION SELECT connector FROM outbox UNION SELECT connector FROM item_failures)
       SELECT n.connector,
              (SELECT updated_at FROM cursors c WHERE c.connector = n.connector) AS last_sync_at,
              (SELECT count(*) FROM inbox d WHERE d.connector = n.connector AND d.received_at >= $1::timestamptz
                  AND (d.status = 'dead' OR (d.status IN ('received', 'claimed') AND d.last_error IS NOT NULL))) AS webhook_failures,
              (SELECT count(*) FROM outbox o WHERE o.connector = n.connector AND o.status = 'dead') AS dead_letters,
              (SELECT count(*) FROM item_failures f WHERE f.connector = n.connector) AS failing_items
         FROM names n ORDER BY n.connector`,
      [since],
    );
    return r.rows.map((x) => ({ connector: x.connector, lastSyncAt: x.last_sync_at, webhookFailures: x.webhook_failures, deadLetters: x.dead_letters, failingItems: x.failing_items }));
  }

  async itemFailures(connector?: string): Promise<ItemFailure[]> {
    type Row = { connector: string; key: string; error: string; attempts: number; first_failed_at: string; last_failed_at: string; next_attempt_at: Date };
    const r =
      connector === undefined
        ? await this.pool.query<Row>('SELECT * FROM item_failures ORDER BY connector, key')
        : await this.pool.query<Row>('SELECT * FROM item_failures WHERE connector = $1 ORDER BY key', [connector]);
    return r.rows.map((x) => ({ connector: x.connector, key: x.key, error: x.error, attempts: x.attempts, firstFailedAt: x.first_failed_at, lastFailedAt: x.last_failed_at, nextAttemptAt: iso(x.next_attempt_at)! }));
  }

  async dueItemFailures(connector: string, limit: number): Promise<string[]> {
    const r = await this.pool.query<{ key: string }>('SELECT key FROM item_failures WHERE connector = $1 AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $2', [connector, limit]);
    return r.rows.map((x) => x.key);
  }

  async recordAccounts(accounts: readonly ExternalAccount[]): Promise<void> {
    if (accounts.length === 0) return;
    await this.recordAccountsIn(this.pool, accounts, await this.now());
  }

  private async recordAccountsIn(q: Queryable, accounts: readonly ExternalAccount[], now: string): Promise<void> {
    if (accounts.length === 0) return;
    // One row per account (the last seen wins), sorted so concurrent writers lock in the same order.
    const byKey = new Map(accounts.map((a) => [`${a.kind}\u0000${a.id}`, a]));
    const list = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, a]) => a);
    await q.query(
      `INSERT INTO accounts (kind, account_id, connector, name, email, is_bot, first_seen_at, last_seen_at)
       SELECT u.kind, u.id, u.connector, u.name, u.email, u.is_bot, $7, $7
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::integer[]) AS u(kind, id, connector, name, email, is_bot)
       ON CONFLICT (kind, account_id) DO UPDATE SET
         name = coalesce(excluded.name, accounts.name), email = coalesce(excluded.email, accounts.email),
         is_bot = greatest(accounts.is_bot, excluded.is_bot), last_seen_at = excluded.last_seen_at`,
      [list.map((a) => a.kind), list.map((a) => a.id), list.map((a) => a.connector), list.map((a) => a.name ?? null), list.map((a) => a.email ?? null), list.map((a) => (a.isBot ? 1 : 0)), now],
    );
  }

  async listAccounts(): Promise<AccountRecord[]> {
    type Row = { kind: AccountRef['kind']; account_id: string; connector: string; name: string | null; email: string | null; is_bot: number; first_seen_at: string; last_seen_at: string };
    const r = await this.pool.query<Row>('SELECT * FROM accounts ORDER BY kind, account_id');
    return r.rows.map((x) => ({
      kind: x.kind,
      id: x.account_id,
      connector: x.connector,
      ...(x.name === null ? {} : { name: x.name }),
      ...(x.email === null ? {} : { email: x.email }),
      ...(x.is_bot ? { isBot: true } : {}),
      firstSeenAt: x.first_seen_at,
      lastSeenAt: x.last_seen_at,
    }));
  }

  async claimRun(kind: string, key: string, holder: string): Promise<boolean> {
    return (await this.pool.query('INSERT INTO runs (kind, key, holder) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [kind, key, holder])).rowCount === 1;
  }

  async getMeta(key: string): Promise<string | null> {
    return (await this.pool.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key])).rows[0]?.value ?? null;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.pool.query('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  async deleteMeta(key: string): Promise<void> {
    await this.pool.query('DELETE FROM meta WHERE key = $1', [key]);
  }

  async listMeta(prefix: string): Promise<[string, string][]> {
    // starts_with is exact (LIKE would read `_` and `%` as wildcards).
    const rows = (await this.pool.query<{ key: string; value: string }>('SELECT key, value FROM meta WHERE starts_with(key, $1) ORDER BY key', [prefix])).rows;
    return rows.map((r) => [r.key, r.value]);
  }

  async ping(): Promise<boolean> {
    try {
      // Reachable, and a primary (a read-only standby cannot take taskwire's writes).
      return (await this.pool.query<{ writable: boolean }>('SELECT NOT pg_is_in_recovery() AS writable')).rows[0]?.writable === true;
    } catch {
      return false;
    }
  }

  async notify(channel: 'changed' | 'touched', payload: string): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [channelOf(this.opts.schema ?? 'public', channel), payload]);
  }

  async listen(on: (channel: StoreChannel, payload: string) => void): Promise<{ close(): Promise<void> }> {
    return listenFor(this.opts, on);
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
