/**
 * The outbox on PostgreSQL: rows claimed with `FOR UPDATE SKIP LOCKED`, one per connector at a time, in
 * order per task; leases and retries on the database's clock; completion fenced by holder and token.
 * See outbox.ts.
 */
import type pg from 'pg';
import type { PastFollowup, PlannedAction } from '../../core/planner.js';
import { deadLocalHolders, type Claim } from '../claims.js';
import { pastOf, type OutboxDepth, type OutboxRow, type OutboxStatus, type OutboxStore, type SendOutcome, type StatusCommentRecord } from '../outbox.js';
import { commentRecord, outboxRow as sharedOutboxRow, type CommentRow, type OutboxDbRow } from '../rows.js';
import { channelOf, inTransaction, iso, type Queryable } from './db.js';

/** As the shared row, with PostgreSQL's timestamps (timestamptz comes back as a Date). */
type Row = Omit<OutboxDbRow, 'next_attempt_at' | 'lease_until'> & { next_attempt_at: Date; lease_until: Date | null };

const outboxRow = (r: Row): OutboxRow => sharedOutboxRow({ ...r, next_attempt_at: iso(r.next_attempt_at)!, lease_until: iso(r.lease_until) });


const FENCE = 'id = $1 AND claimed_by = $2 AND attempts = $3';
const fence = (c: Claim) => [c.id, c.holder, c.token];
export class PgOutbox implements OutboxStore {
  /** Notified when rows are planned to be sent, so dispatchers wake at once. */
  readonly channel: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    this.channel = channelOf(schema, 'outbox');
  }

  async plan(actions: readonly PlannedAction[], mode: 'plan' | 'send', cycle: string): Promise<number> {
    return inTransaction(this.pool, async (c) => this.planIn(c, actions, mode, cycle, (await c.query<{ now: string }>('SELECT iso_now() AS now')).rows[0]!.now));
  }

  /** Records planned actions inside the caller's transaction (an evaluation's). */
  async planIn(q: Queryable, actions: readonly PlannedAction[], mode: 'plan' | 'send', cycle: string, now: string): Promise<number> {
    let added = 0;
    for (const a of actions) {
      const r = await q.query<{ id: number }>(
        `INSERT INTO outbox (idempotency_key, connector, task_id, kind, recipient, subject, about, action, reason, status, next_attempt_at, cycle, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::timestamptz, $12, $13) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
        [a.key, a.connector, a.taskId, a.kind, a.recipient, a.subject, JSON.stringify(a.about), JSON.stringify(a.action), a.reason, mode === 'plan' ? 'planned' : 'pending', a.notBefore ?? now, cycle, now],
      );
      const id = r.rows[0]?.id;
      if (id === undefined) continue;
      added++;
      await q.query(`UPDATE outbox SET status = 'skipped', superseded_by = $1, last_error = 'superseded by a newer version' WHERE subject = $2 AND id <> $1 AND status IN ('planned', 'pending')`, [id, a.subject]);
    }
    if (added > 0 && mode === 'send') await q.query('SELECT pg_notify($1, $2)', [this.channel, '']);
    return added;
  }

  async dueConnectors(): Promise<string[]> {
    const r = await this.pool.query<{ connector: string }>(`SELECT DISTINCT connector FROM outbox WHERE (status = 'pending' AND next_attempt_at <= now()) OR (status = 'claimed' AND lease_until < now())`);
    return r.rows.map((x) => x.connector);
  }

  async claimNext(connector: string, holder: string, leaseMs: number): Promise<OutboxRow | null> {
    // The oldest due row whose task (else subject) has no earlier row unfinished — in order per task —
    // skipping rows another replica is claiming right now.
    const r = await this.pool.query<Row>(
      `UPDATE outbox SET status = 'claimed', lease_until = now() + $3 * interval '1 millisecond', claimed_by = $2, attempts = attempts + 1
        WHERE id = (SELECT o.id FROM outbox o
                     WHERE o.connector = $1
                       AND ((o.status = 'pending' AND o.next_attempt_at <= now()) OR (o.status = 'claimed' AND o.lease_until < now()))
                       AND NOT EXISTS (SELECT 1 FROM outbox e
                                        WHERE coalesce(e.task_id, e.subject) = coalesce(o.task_id, o.subject) AND e.id < o.id
                                          AND e.status IN ('pending', 'claimed', 'sending'))
                     ORDER BY o.id LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [connector, holder, leaseMs],
    );
    return r.rows[0] ? outboxRow(r.rows[0]) : null;
  }

  async renew(claims: readonly Claim[], leaseMs: number): Promise<Set<number>> {
    if (claims.length === 0) return new Set();
    const r = await this.pool.query<{ id: number }>(
      `UPDATE outbox o SET lease_until = now() + $4 * interval '1 millisecond'
         FROM unnest($1::bigint[], $2::text[], $3::integer[]) AS c(id, holder, token)
        WHERE o.id = c.id AND o.claimed_by = c.holder AND o.attempts = c.token AND o.status IN ('claimed', 'sending') RETURNING o.id`,
      [claims.map((c) => c.id), claims.map((c) => c.holder), claims.map((c) => c.token), leaseMs],
    );
    return new Set(r.rows.map((x) => x.id));
  }

  async markSending(claim: Claim, leaseMs: number): Promise<boolean> {
    const r = await this.pool.query(`UPDATE outbox SET status = 'sending', lease_until = now() + $4 * interval '1 millisecond' WHERE ${FENCE} AND status = 'claimed'`, [...fence(claim), leaseMs]);
    return r.rowCount === 1;
  }

  async complete(claim: Claim, row: OutboxRow, outcome: SendOutcome): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const left = outcome.leftAlone ?? null;
      const done = await c.query<{ now: string }>(
        `UPDATE outbox SET status = $4, external_id = $5, sent_at = CASE WHEN $4 = 'sent' THEN iso_now() END, lease_until = NULL, last_error = $6
          WHERE ${FENCE} AND status IN ('claimed', 'sending') RETURNING iso_now() AS now`,
        [...fence(claim), left === null ? 'sent' : 'skipped', outcome.externalId, left],
      );
      const now = done.rows[0]?.now;
      if (now === undefined) return false;
      const taskKey = 'taskKey' in row.action ? row.action.taskKey : null;
      if (left === null) {
        await c.query('INSERT INTO write_ledger (connector, task_key, what, external_id, at) VALUES ($1, $2, $3, $4, $5)', [row.connector, taskKey, row.kind, outcome.externalId, now]);
        if (taskKey !== null) await c.query('UPDATE tasks SET last_written_by_us_at = $1 WHERE connector = $2 AND key = $3', [now, row.connector, taskKey]);
      }
      if (row.kind === 'status_comment' && row.taskId !== null) await recordComment(c, row, outcome, left, now);
      return true;
    });
  }

  async retry(claim: Claim, error: string, inMs: number): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE outbox SET status = 'pending', next_attempt_at = now() + $5 * interval '1 millisecond', last_error = $4, lease_until = NULL WHERE ${FENCE} AND status IN ('claimed', 'sending')`,
      [...fence(claim), error, inMs],
    );
    return r.rowCount === 1;
  }

  async dead(claim: Claim, error: string): Promise<boolean> {
    const r = await this.pool.query(`UPDATE outbox SET status = 'dead', last_error = $4, lease_until = NULL WHERE ${FENCE} AND status IN ('claimed', 'sending')`, [...fence(claim), error]);
    return r.rowCount === 1;
  }

  async release(holder: string): Promise<number> {
    const r = await this.pool.query(
      `UPDATE outbox SET status = CASE status WHEN 'claimed' THEN 'pending' ELSE status END, lease_until = now() - interval '1 millisecond'
        WHERE claimed_by = $1 AND status IN ('claimed', 'sending')`,
      [holder],
    );
    return r.rowCount ?? 0;
  }

  async releaseOrphans(): Promise<number> {
    const holders = (await this.pool.query<{ claimed_by: string }>(`SELECT DISTINCT claimed_by FROM outbox WHERE status IN ('claimed', 'sending') AND claimed_by IS NOT NULL`)).rows.map((r) => r.claimed_by);
    let n = 0;
    for (const h of deadLocalHolders(holders)) n += await this.release(h);
    return n;
  }

  async recoverInterrupted(): Promise<number> {
    const r = await this.pool.query(`UPDATE outbox SET status = 'pending', next_attempt_at = now(), last_error = 'interrupted while sending: checked before sending again' WHERE status = 'sending' AND lease_until < now()`);
    return r.rowCount ?? 0;
  }

  async replay(id: number): Promise<boolean> {
    const r = await this.pool.query(`UPDATE outbox SET status = 'pending', next_attempt_at = now(), attempts = 0, last_error = NULL WHERE id = $1 AND status IN ('dead', 'skipped', 'planned')`, [id]);
    if (r.rowCount === 1) await this.pool.query('SELECT pg_notify($1, $2)', [this.channel, '']);
    return r.rowCount === 1;
  }

  async list(q: { status?: readonly OutboxStatus[]; since?: string; limit?: number; taskId?: string } = {}): Promise<OutboxRow[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.status?.length) where.push(`status = ANY($${args.push([...q.status])})`);
    if (q.since) where.push(`created_at >= $${args.push(q.since)}`);
    if (q.taskId !== undefined) where.push(`(task_id = $${args.push(q.taskId)} OR about::jsonb @> $${args.push(JSON.stringify([{ taskId: q.taskId }]))}::jsonb)`);
    const r = await this.pool.query<Row>(`SELECT * FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${q.limit ? `LIMIT ${Math.max(1, Math.floor(q.limit))}` : ''}`, args);
    return r.rows.map(outboxRow);
  }

  async past(since: string, asOf?: string): Promise<PastFollowup[]> {
    return (await this.list({ since })).filter((r) => asOf === undefined || r.createdAt <= asOf).map((r) => pastOf(r, asOf));
  }

  async commentedTasks(asOf?: string): Promise<Set<string>> {
    const r = await this.pool.query<{ task_id: string }>(
      `SELECT DISTINCT task_id FROM outbox WHERE kind = 'status_comment' AND task_id IS NOT NULL AND status NOT IN ('dead', 'skipped') AND created_at <= $1`,
      [asOf ?? '9999'],
    );
    return new Set(r.rows.map((x) => x.task_id));
  }

  async statusComments(taskId?: string): Promise<StatusCommentRecord[]> {
    const r = taskId === undefined ? await this.pool.query<CommentRow>('SELECT * FROM status_comments ORDER BY task_id') : await this.pool.query<CommentRow>('SELECT * FROM status_comments WHERE task_id = $1', [taskId]);
    return r.rows.map(commentRecord);
  }

  async depth(): Promise<OutboxDepth> {
    const r = await this.pool.query<{ pending: number; oldest: string | null; dead: number; planned: number; now: string }>(
      `SELECT count(*) FILTER (WHERE status IN ('pending', 'claimed', 'sending')) AS pending,
              min(created_at) FILTER (WHERE status IN ('pending', 'claimed', 'sending')) AS oldest,
              count(*) FILTER (WHERE status = 'dead') AS dead, count(*) FILTER (WHERE status = 'planned') AS planned, iso_now() AS now FROM outbox`,
    );
    const x = r.rows[0]!;
    return { pending: x.pending, oldestAgeSeconds: x.oldest ? Math.max(0, (Date.parse(x.now) - Date.parse(x.oldest)) / 1000) : 0, dead: x.dead, planned: x.planned };
  }
}

async function recordComment(c: pg.PoolClient, row: OutboxRow, outcome: SendOutcome, left: string | null, now: string): Promise<void> {
  if (left === null) {
    await c.query(
      `INSERT INTO status_comments (task_id, connector, external_id, url, written_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (task_id) DO UPDATE SET connector = excluded.connector, external_id = excluded.external_id, url = coalesce(excluded.url, status_comments.url), written_at = excluded.written_at`,
      [row.taskId, row.connector, outcome.externalId, outcome.url ?? null, now],
    );
  } else {
    await c.query(
      `INSERT INTO status_comments (task_id, connector, external_id, left_alone_at, left_alone_why) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (task_id) DO UPDATE SET left_alone_at = coalesce(status_comments.left_alone_at, excluded.left_alone_at), left_alone_why = coalesce(status_comments.left_alone_why, excluded.left_alone_why)`,
      [row.taskId, row.connector, outcome.externalId, now, left],
    );
  }
}
