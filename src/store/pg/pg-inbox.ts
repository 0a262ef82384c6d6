/**
 * The inbox on PostgreSQL: a delivery is inserted once (`ON CONFLICT DO NOTHING` on connector and
 * delivery id), whichever replica it reaches; rows are claimed with `FOR UPDATE SKIP LOCKED`, leases
 * and retries on the database's clock. See inbox.ts.
 *
 * A stored delivery wakes only the replica that stored it (in process): a NOTIFY per delivery would
 * serialize the commits of every replica's intake on PostgreSQL's notify queue and wake every replica
 * for each one (measured: intake 2,172/s with it, 2,807/s without, one replica). The other replicas
 * find it on their periodic scan if that replica dies first; a retry scheduled for later notifies.
 */
import type pg from 'pg';
import type { Claim } from '../claims.js';
import { deadLocalHolders } from '../claims.js';
import type { InboxDepth, InboxRow, InboxStatus, InboxStore, ReceivedDelivery } from '../inbox.js';
import { channelOf, iso, type Queryable } from './db.js';

type Row = {
  id: number;
  connector: string;
  delivery_id: string;
  received_at: Date;
  body: Buffer | null;
  headers: string;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  claimed_by: string | null;
  last_error: string | null;
  detail: string | null;
  finished_at: Date | null;
};

const inboxRow = (r: Row): InboxRow => ({
  id: r.id,
  connector: r.connector,
  deliveryId: r.delivery_id,
  receivedAt: iso(r.received_at)!,
  body: r.body,
  headers: JSON.parse(r.headers) as Record<string, string>,
  status: r.status as InboxStatus,
  attempts: r.attempts,
  nextAttemptAt: iso(r.next_attempt_at)!,
  claimedBy: r.claimed_by,
  lastError: r.last_error,
  detail: r.detail,
  finishedAt: iso(r.finished_at),
});

const FENCE = 'id = $1 AND claimed_by = $2 AND attempts = $3';
export class PgInbox implements InboxStore {
  /** Notified when a delivery is stored, so a replica's worker wakes at once. */
  private readonly channel: string;

  constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    this.channel = channelOf(schema, 'inbox');
  }

  async receive(d: ReceivedDelivery): Promise<boolean> {
    const r = await this.pool.query(
      `INSERT INTO inbox (connector, delivery_id, body, headers, status) VALUES ($1, $2, $3, $4, 'received')
       ON CONFLICT (connector, delivery_id) DO NOTHING`,
      [d.connector, d.deliveryId, d.body, JSON.stringify(d.headers)],
    );
    return r.rowCount === 1;
  }

  async claim(holder: string, leaseMs: number, limit: number): Promise<InboxRow[]> {
    // Expired claims (a holder that died) and waiting rows, oldest first; rows another replica is
    // claiming right now are skipped, not waited for.
    const r = await this.pool.query<Row>(
      `UPDATE inbox SET status = 'claimed', lease_until = now() + $2 * interval '1 millisecond', claimed_by = $1, attempts = attempts + 1
        WHERE id IN (SELECT id FROM inbox
                      WHERE (status = 'received' AND next_attempt_at <= now()) OR (status = 'claimed' AND lease_until < now())
                      ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [holder, leaseMs, limit],
    );
    return r.rows.map(inboxRow).sort((a, b) => a.id - b.id);
  }

  async renew(claims: readonly Claim[], leaseMs: number): Promise<Set<number>> {
    if (claims.length === 0) return new Set();
    const r = await this.pool.query<{ id: number }>(
      `UPDATE inbox i SET lease_until = now() + $4 * interval '1 millisecond'
         FROM unnest($1::bigint[], $2::text[], $3::integer[]) AS c(id, holder, token)
        WHERE i.id = c.id AND i.claimed_by = c.holder AND i.attempts = c.token AND i.status = 'claimed' RETURNING i.id`,
      [claims.map((c) => c.id), claims.map((c) => c.holder), claims.map((c) => c.token), leaseMs],
    );
    return new Set(r.rows.map((x) => x.id));
  }

  async finish(claim: Claim, status: 'processed' | 'ignored', detail?: string): Promise<boolean> {
    return PgInbox.finishIn(this.pool, claim, status, detail);
  }

  /** Finishes a row (inside the caller's transaction) only while its claim is held. */
  static async finishIn(q: Queryable, claim: Claim, status: 'processed' | 'ignored', detail?: string): Promise<boolean> {
    const r = await q.query(
      `UPDATE inbox SET status = $4, detail = $5, finished_at = now(), lease_until = NULL, last_error = NULL WHERE ${FENCE} AND status = 'claimed'`,
      [claim.id, claim.holder, claim.token, status, detail ?? null],
    );
    return r.rowCount === 1;
  }

  async fail(claim: Claim, error: string, retryInMs: number | null): Promise<boolean> {
    const r =
      retryInMs === null
        ? await this.pool.query(`UPDATE inbox SET status = 'dead', last_error = $4, finished_at = now(), lease_until = NULL WHERE ${FENCE} AND status = 'claimed'`, [claim.id, claim.holder, claim.token, error])
        : await this.pool.query(
            `UPDATE inbox SET status = 'received', next_attempt_at = now() + $5 * interval '1 millisecond', last_error = $4, lease_until = NULL WHERE ${FENCE} AND status = 'claimed'`,
            [claim.id, claim.holder, claim.token, error, retryInMs],
          );
    return r.rowCount === 1;
  }

  async release(holder: string): Promise<number> {
    return (await this.pool.query(`UPDATE inbox SET status = 'received', lease_until = NULL WHERE claimed_by = $1 AND status = 'claimed'`, [holder])).rowCount ?? 0;
  }

  async releaseOrphans(): Promise<number> {
    const holders = (await this.pool.query<{ claimed_by: string }>(`SELECT DISTINCT claimed_by FROM inbox WHERE status = 'claimed' AND claimed_by IS NOT NULL`)).rows.map((r) => r.claimed_by);
    let n = 0;
    for (const h of deadLocalHolders(holders)) n += await this.release(h);
    return n;
  }

  async list(q: { status?: readonly InboxStatus[]; limit?: number } = {}): Promise<InboxRow[]> {
    const r = await this.pool.query<Row>(
      `SELECT * FROM inbox ${q.status?.length ? 'WHERE status = ANY($1)' : ''} ORDER BY id DESC ${q.limit ? `LIMIT ${Math.max(1, Math.floor(q.limit))}` : ''}`,
      q.status?.length ? [[...q.status]] : [],
    );
    return r.rows.map(inboxRow);
  }

  async get(id: number): Promise<InboxRow | null> {
    const r = await this.pool.query<Row>('SELECT * FROM inbox WHERE id = $1', [id]);
    return r.rows[0] ? inboxRow(r.rows[0]) : null;
  }

  async replay(id: number): Promise<boolean> {
    const r = await this.pool.query(`UPDATE inbox SET status = 'received', next_attempt_at = now(), attempts = 0, last_error = NULL, finished_at = NULL WHERE id = $1 AND status = 'dead' AND body IS NOT NULL`, [id]);
    if (r.rowCount === 1) await this.pool.query('SELECT pg_notify($1, $2)', [this.channel, '']);
    return r.rowCount === 1;
  }

  async depth(): Promise<InboxDepth> {
    const r = await this.pool.query<{ waiting: number; oldest: number | null; dead: number }>(
      `SELECT count(*) FILTER (WHERE status IN ('received', 'claimed')) AS waiting,
              extract(epoch FROM now() - min(received_at) FILTER (WHERE status IN ('received', 'claimed')))::float8 AS oldest,
              count(*) FILTER (WHERE status = 'dead') AS dead FROM inbox`,
    );
    const x = r.rows[0]!;
    return { waiting: x.waiting, oldestAgeSeconds: Math.max(0, x.oldest ?? 0), dead: x.dead };
  }

  async prune(finishedRetentionMs: number, deadRetentionMs: number): Promise<number> {
    const r = await this.pool.query(
      `DELETE FROM inbox WHERE (status IN ('processed', 'ignored') AND finished_at < now() - $1 * interval '1 millisecond')
                            OR (status = 'dead' AND finished_at < now() - $2 * interval '1 millisecond')`,
      [finishedRetentionMs, deadRetentionMs],
    );
    return r.rowCount ?? 0;
  }
}
