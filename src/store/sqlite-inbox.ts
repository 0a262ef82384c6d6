/** The inbox on SQLite (better-sqlite3): see inbox.ts for what each method promises. */
import { deadLocalHolders, type Claim } from './claims.js';
import type { Db } from './db.js';
import type { InboxDepth, InboxRow, InboxStatus, InboxStore, ReceivedDelivery } from './inbox.js';

type Row = {
  id: number;
  connector: string;
  delivery_id: string;
  received_at: string;
  body: Buffer | null;
  headers: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  claimed_by: string | null;
  last_error: string | null;
  detail: string | null;
  finished_at: string | null;
};

export const inboxRow = (r: Row): InboxRow => ({
  id: Number(r.id),
  connector: r.connector,
  deliveryId: r.delivery_id,
  receivedAt: r.received_at,
  body: r.body,
  headers: JSON.parse(r.headers) as Record<string, string>,
  status: r.status as InboxStatus,
  attempts: Number(r.attempts),
  nextAttemptAt: r.next_attempt_at,
  claimedBy: r.claimed_by,
  lastError: r.last_error,
  detail: r.detail,
  finishedAt: r.finished_at,
});

export class SqliteInbox implements InboxStore {
  private readonly stmt;

  constructor(
    private readonly db: Db,
    private readonly clock: () => number,
  ) {
    this.stmt = {
      receive: db.prepare(
        `INSERT INTO inbox (connector, delivery_id, received_at, body, headers, status, next_attempt_at)
         VALUES (@connector, @deliveryId, @now, @body, @headers, 'received', @now) ON CONFLICT (connector, delivery_id) DO NOTHING`,
      ),
      // Expired claims first (a holder that died), then waiting rows in arrival order; each an index walk.
      claimExpired: db.prepare<{ until: string; holder: string; now: string; limit: number }, Row>(
        `UPDATE inbox SET lease_until = @until, claimed_by = @holder, attempts = attempts + 1
          WHERE id IN (SELECT id FROM inbox WHERE status = 'claimed' AND lease_until < @now ORDER BY lease_until LIMIT @limit)
          RETURNING *`,
      ),
      claimWaiting: db.prepare<{ until: string; holder: string; now: string; limit: number }, Row>(
        `UPDATE inbox SET status = 'claimed', lease_until = @until, claimed_by = @holder, attempts = attempts + 1
          WHERE id IN (SELECT id FROM inbox WHERE status = 'received' AND next_attempt_at <= @now ORDER BY id LIMIT @limit)
          RETURNING *`,
      ),
      renew: db.prepare(`UPDATE inbox SET lease_until = ? WHERE id = ? AND claimed_by = ? AND attempts = ? AND status = 'claimed'`),
      finish: db.prepare(
        `UPDATE inbox SET status = @status, detail = @detail, finished_at = @now, lease_until = NULL, last_error = NULL
          WHERE id = @id AND claimed_by = @holder AND attempts = @token AND status = 'claimed'`,
      ),
      retry: db.prepare(
        `UPDATE inbox SET status = 'received', next_attempt_at = ?, last_error = ?, lease_until = NULL
          WHERE id = ? AND claimed_by = ? AND attempts = ? AND status = 'claimed'`,
      ),
      dead: db.prepare(
        `UPDATE inbox SET status = 'dead', last_error = ?, finished_at = ?, lease_until = NULL
          WHERE id = ? AND claimed_by = ? AND attempts = ? AND status = 'claimed'`,
      ),
      release: db.prepare(`UPDATE inbox SET status = 'received', lease_until = NULL WHERE claimed_by = ? AND status = 'claimed'`),
      holders: db.prepare<[], { claimed_by: string }>(`SELECT DISTINCT claimed_by FROM inbox WHERE status = 'claimed' AND claimed_by IS NOT NULL`),
      get: db.prepare<[number], Row>('SELECT * FROM inbox WHERE id = ?'),
      replay: db.prepare(`UPDATE inbox SET status = 'received', next_attempt_at = ?, attempts = 0, last_error = NULL, finished_at = NULL WHERE id = ? AND status = 'dead' AND body IS NOT NULL`),
      depth: db.prepare<[], { waiting: number | null; oldest: string | null; dead: number | null }>(
        `SELECT sum(status IN ('received', 'claimed')) AS waiting, min(CASE WHEN status IN ('received', 'claimed') THEN received_at END) AS oldest,
                sum(status = 'dead') AS dead FROM inbox`,
      ),
      prune: db.prepare(
        `DELETE FROM inbox WHERE (status IN ('processed', 'ignored') AND finished_at < ?) OR (status = 'dead' AND finished_at < ?)`,
      ),
    };
  }

  private iso(offsetMs = 0): string {
    return new Date(this.clock() + offsetMs).toISOString();
  }

  async receive(d: ReceivedDelivery): Promise<boolean> {
    return this.stmt.receive.run({ connector: d.connector, deliveryId: d.deliveryId, now: this.iso(), body: d.body, headers: JSON.stringify(d.headers) }).changes === 1;
  }

  async claim(holder: string, leaseMs: number, limit: number): Promise<InboxRow[]> {
    const args = { until: this.iso(leaseMs), holder, now: this.iso(), limit };
    return this.db
      .transaction(() => {
        const expired = this.stmt.claimExpired.all(args);
        return [...expired, ...this.stmt.claimWaiting.all({ ...args, limit: limit - expired.length })];
      })
      .immediate()
      .map(inboxRow)
      .sort((a, b) => a.id - b.id);
  }

  async renew(claims: readonly Claim[], leaseMs: number): Promise<Set<number>> {
    const until = this.iso(leaseMs);
    return this.db.transaction(() => new Set(claims.filter((c) => this.stmt.renew.run(until, c.id, c.holder, c.token).changes === 1).map((c) => c.id)))();
  }

  async finish(claim: Claim, status: 'processed' | 'ignored', detail?: string): Promise<boolean> {
    return this.finishSync(claim, status, detail);
  }

  /** For a store batch: finishes the row inside the batch's transaction. */
  finishSync(claim: Claim, status: 'processed' | 'ignored', detail?: string): boolean {
    return this.stmt.finish.run({ status, detail: detail ?? null, now: this.iso(), id: claim.id, holder: claim.holder, token: claim.token }).changes === 1;
  }

  async fail(claim: Claim, error: string, retryInMs: number | null): Promise<boolean> {
    const r = retryInMs === null ? this.stmt.dead.run(error, this.iso(), claim.id, claim.holder, claim.token) : this.stmt.retry.run(this.iso(retryInMs), error, claim.id, claim.holder, claim.token);
    return r.changes === 1;
  }

  async release(holder: string): Promise<number> {
    return this.stmt.release.run(holder).changes;
  }

  async releaseOrphans(): Promise<number> {
    let n = 0;
    for (const h of deadLocalHolders(this.stmt.holders.all().map((r) => r.claimed_by))) n += this.stmt.release.run(h).changes;
    return n;
  }

  async list(q: { status?: readonly InboxStatus[]; limit?: number } = {}): Promise<InboxRow[]> {
    const where = q.status?.length ? `WHERE status IN (${q.status.map(() => '?').join(', ')})` : '';
    return this.db
      .prepare<unknown[], Row>(`SELECT * FROM inbox ${where} ORDER BY id DESC ${q.limit ? `LIMIT ${Math.max(1, Math.floor(q.limit))}` : ''}`)
      .all(...(q.status ?? []))
      .map(inboxRow);
  }

  async get(id: number): Promise<InboxRow | null> {
    const r = this.stmt.get.get(id);
    return r === undefined ? null : inboxRow(r);
  }

  async replay(id: number): Promise<boolean> {
    return this.stmt.replay.run(this.iso(), id).changes === 1;
  }

  async depth(): Promise<InboxDepth> {
    const r = this.stmt.depth.get()!;
    return { waiting: r.waiting ?? 0, oldestAgeSeconds: r.oldest ? Math.max(0, (this.clock() - Date.parse(r.oldest)) / 1000) : 0, dead: r.dead ?? 0 };
  }

  async prune(finishedRetentionMs: number, deadRetentionMs: number): Promise<number> {
    return this.stmt.prune.run(this.iso(-finishedRetentionMs), this.iso(-deadRetentionMs)).changes;
  }
}
