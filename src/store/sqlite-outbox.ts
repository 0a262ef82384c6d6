/** The outbox on SQLite (better-sqlite3): see outbox.ts for what each method promises. */
import type { PastFollowup, PlannedAction } from '../core/planner.js';
import { deadLocalHolders, type Claim } from './claims.js';
import type { Db } from './db.js';
import { pastOf, type OutboxDepth, type OutboxRow, type OutboxStatus, type OutboxStore, type SendOutcome, type StatusCommentRecord } from './outbox.js';
import { commentRecord, outboxRow, type CommentRow, type OutboxDbRow as Row } from './rows.js';


const EPOCH = '1970-01-01T00:00:00.000Z';
/** The fencing check: still this holder's claim, from the same claim (its attempts). */
const FENCE = 'id = @id AND claimed_by = @holder AND attempts = @token';

export class SqliteOutbox implements OutboxStore {
  private readonly stmt;

  constructor(
    private readonly db: Db,
    private readonly clock: () => number,
  ) {
    this.stmt = {
      insert: db.prepare(
        `INSERT OR IGNORE INTO outbox (idempotency_key, connector, task_id, kind, recipient, subject, about, action, reason, status, next_attempt_at, cycle, created_at)
         VALUES (@key, @connector, @taskId, @kind, @recipient, @subject, @about, @action, @reason, @status, @next, @cycle, @now)`,
      ),
      supersede: db.prepare(
        `UPDATE outbox SET status = 'skipped', superseded_by = @id, last_error = 'superseded by a newer version'
          WHERE subject = @subject AND id <> @id AND status IN ('planned', 'pending')`,
      ),
      dueConnectors: db.prepare<[string, string], { connector: string }>(
        `SELECT DISTINCT connector FROM outbox WHERE (status = 'pending' AND next_attempt_at <= ?) OR (status = 'claimed' AND lease_until < ?)`,
      ),
      // The oldest row that is due — pending, or claimed by a holder whose lease ran out — and whose task
      // (else subject: a person's DM, a team's triage) has no earlier row unfinished: in order per task.
      claimNext: db.prepare<{ connector: string; now: string; until: string; holder: string }, Row>(
        `UPDATE outbox SET status = 'claimed', lease_until = @until, claimed_by = @holder, attempts = attempts + 1
          WHERE id = (SELECT o.id FROM outbox o
                       WHERE o.id IN (SELECT id FROM outbox WHERE connector = @connector AND status = 'pending' AND next_attempt_at <= @now
                                      UNION ALL
                                      SELECT id FROM outbox WHERE connector = @connector AND status = 'claimed' AND lease_until < @now)
                         AND NOT EXISTS (SELECT 1 FROM outbox e
                                          WHERE coalesce(e.task_id, e.subject) = coalesce(o.task_id, o.subject) AND e.id < o.id
                                            AND e.status IN ('pending', 'claimed', 'sending'))
                       ORDER BY o.id LIMIT 1)
          RETURNING *`,
      ),
      renew: db.prepare(`UPDATE outbox SET lease_until = @until WHERE ${FENCE} AND status IN ('claimed', 'sending')`),
      sending: db.prepare(`UPDATE outbox SET status = 'sending', lease_until = @until WHERE ${FENCE} AND status = 'claimed'`),
      finish: db.prepare(
        `UPDATE outbox SET status = @status, external_id = @externalId, sent_at = @sentAt, lease_until = NULL, last_error = @why
          WHERE ${FENCE} AND status IN ('claimed', 'sending')`,
      ),
      retry: db.prepare(`UPDATE outbox SET status = 'pending', next_attempt_at = @next, last_error = @error, lease_until = NULL WHERE ${FENCE} AND status IN ('claimed', 'sending')`),
      dead: db.prepare(`UPDATE outbox SET status = 'dead', last_error = @error, lease_until = NULL WHERE ${FENCE} AND status IN ('claimed', 'sending')`),
      ledger: db.prepare('INSERT INTO write_ledger (connector, task_key, what, external_id, at) VALUES (?, ?, ?, ?, ?)'),
      writtenByUs: db.prepare('UPDATE tasks SET last_written_by_us_at = ? WHERE connector = ? AND key = ?'),
      commentWritten: db.prepare(
        `INSERT INTO status_comments (task_id, connector, external_id, url, written_at) VALUES (@taskId, @connector, @externalId, @url, @now)
         ON CONFLICT (task_id) DO UPDATE SET connector = excluded.connector, external_id = excluded.external_id, url = coalesce(excluded.url, url), written_at = excluded.written_at`,
      ),
      commentLeftAlone: db.prepare(
        `INSERT INTO status_comments (task_id, connector, external_id, left_alone_at, left_alone_why) VALUES (@taskId, @connector, @externalId, @now, @why)
         ON CONFLICT (task_id) DO UPDATE SET left_alone_at = coalesce(left_alone_at, excluded.left_alone_at), left_alone_why = coalesce(left_alone_why, excluded.left_alone_why)`,
      ),
      release: db.prepare(
        `UPDATE outbox SET status = CASE status WHEN 'claimed' THEN 'pending' ELSE status END, lease_until = '${EPOCH}'
          WHERE claimed_by = ? AND status IN ('claimed', 'sending')`,
      ),
      holders: db.prepare<[], { claimed_by: string }>(`SELECT DISTINCT claimed_by FROM outbox WHERE status IN ('claimed', 'sending') AND claimed_by IS NOT NULL`),
      recover: db.prepare(
        `UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = 'interrupted while sending: checked before sending again' WHERE status = 'sending' AND lease_until < ?`,
      ),
      replay: db.prepare(`UPDATE outbox SET status = 'pending', next_attempt_at = ?, attempts = 0, last_error = NULL WHERE id = ? AND status IN ('dead', 'skipped', 'planned')`),
      commented: db.prepare<[string], { task_id: string }>(
        `SELECT DISTINCT task_id FROM outbox WHERE kind = 'status_comment' AND task_id IS NOT NULL AND status NOT IN ('dead', 'skipped') AND created_at <= ?`,
      ),
      depth: db.prepare<[], { pending: number | null; oldest: string | null; dead: number | null; planned: number | null }>(
        `SELECT sum(status IN ('pending', 'claimed', 'sending')) AS pending, min(CASE WHEN status IN ('pending', 'claimed', 'sending') THEN created_at END) AS oldest,
                sum(status = 'dead') AS dead, sum(status = 'planned') AS planned FROM outbox`,
      ),
    };
  }

  private iso(offsetMs = 0): string {
    return new Date(this.clock() + offsetMs).toISOString();
  }

  async plan(actions: readonly PlannedAction[], mode: 'plan' | 'send', cycle: string): Promise<number> {
    return this.db.transaction(() => this.planSync(actions, mode, cycle, this.iso())).immediate();
  }

  /** Records planned actions inside the caller's transaction (an evaluation's). */
  planSync(actions: readonly PlannedAction[], mode: 'plan' | 'send', cycle: string, now: string): number {
    let added = 0;
    for (const a of actions) {
      const r = this.stmt.insert.run({
        key: a.key,
        connector: a.connector,
        taskId: a.taskId,
        kind: a.kind,
        recipient: a.recipient,
        subject: a.subject,
        about: JSON.stringify(a.about),
        action: JSON.stringify(a.action),
        reason: a.reason,
        status: mode === 'plan' ? 'planned' : 'pending',
        next: a.notBefore ?? now,
        cycle,
        now,
      });
      if (r.changes === 1) {
        added++;
        this.stmt.supersede.run({ id: r.lastInsertRowid, subject: a.subject });
      }
    }
    return added;
  }

  async dueConnectors(): Promise<string[]> {
    const now = this.iso();
    return this.stmt.dueConnectors.all(now, now).map((r) => r.connector);
  }

  async claimNext(connector: string, holder: string, leaseMs: number): Promise<OutboxRow | null> {
    const r = this.db.transaction(() => this.stmt.claimNext.get({ connector, now: this.iso(), until: this.iso(leaseMs), holder })).immediate();
    return r === undefined ? null : outboxRow(r);
  }

  async renew(claims: readonly Claim[], leaseMs: number): Promise<Set<number>> {
    const until = this.iso(leaseMs);
    return this.db.transaction(() => new Set(claims.filter((c) => this.stmt.renew.run({ until, ...fence(c) }).changes === 1).map((c) => c.id)))();
  }

  async markSending(claim: Claim, leaseMs: number): Promise<boolean> {
    return this.stmt.sending.run({ until: this.iso(leaseMs), ...fence(claim) }).changes === 1;
  }

  async complete(claim: Claim, row: OutboxRow, outcome: SendOutcome): Promise<boolean> {
    return this.db
      .transaction(() => {
        const now = this.iso();
        const left = outcome.leftAlone ?? null;
        const done = this.stmt.finish.run({ status: left === null ? 'sent' : 'skipped', externalId: outcome.externalId, sentAt: left === null ? now : null, why: left, ...fence(claim) });
        if (done.changes !== 1) return false;
        const taskKey = 'taskKey' in row.action ? row.action.taskKey : null;
        if (left === null) {
          this.stmt.ledger.run(row.connector, taskKey, row.kind, outcome.externalId, now);
          if (taskKey !== null) this.stmt.writtenByUs.run(now, row.connector, taskKey);
        }
        if (row.kind === 'status_comment' && row.taskId !== null) {
          const rec = { taskId: row.taskId, connector: row.connector, externalId: outcome.externalId, now };
          if (left === null) this.stmt.commentWritten.run({ ...rec, url: outcome.url ?? null });
          else this.stmt.commentLeftAlone.run({ ...rec, why: left });
        }
        return true;
      })
      .immediate();
  }

  async retry(claim: Claim, error: string, inMs: number): Promise<boolean> {
    return this.stmt.retry.run({ next: this.iso(inMs), error, ...fence(claim) }).changes === 1;
  }

  async dead(claim: Claim, error: string): Promise<boolean> {
    return this.stmt.dead.run({ error, ...fence(claim) }).changes === 1;
  }

  async release(holder: string): Promise<number> {
    return this.stmt.release.run(holder).changes;
  }

  async releaseOrphans(): Promise<number> {
    let n = 0;
    for (const h of deadLocalHolders(this.stmt.holders.all().map((r) => r.claimed_by))) n += this.stmt.release.run(h).changes;
    return n;
  }

  async recoverInterrupted(): Promise<number> {
    const now = this.iso();
    return this.stmt.recover.run(now, now).changes;
  }

  async replay(id: number): Promise<boolean> {
    return this.stmt.replay.run(this.iso(), id).changes === 1;
  }

  async list(q: { status?: readonly OutboxStatus[]; since?: string; limit?: number; taskId?: string } = {}): Promise<OutboxRow[]> {
    return this.listSync(q);
  }

  private listSync(q: { status?: readonly OutboxStatus[]; since?: string; limit?: number; taskId?: string }): OutboxRow[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.status?.length) {
      where.push(`status IN (${q.status.map(() => '?').join(', ')})`);
      args.push(...q.status);
    }
    if (q.since) {
      where.push('created_at >= ?');
      args.push(q.since);
    }
    if (q.taskId !== undefined) {
      where.push(`(task_id = ? OR about LIKE ? ESCAPE '\\')`);
      args.push(q.taskId, `%${JSON.stringify(q.taskId).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    return this.db
      .prepare<unknown[], Row>(`SELECT * FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${q.limit ? `LIMIT ${Math.max(1, Math.floor(q.limit))}` : ''}`)
      .all(...args)
      .map(outboxRow);
  }

  async past(since: string, asOf?: string): Promise<PastFollowup[]> {
    return this.listSync({ since })
      .filter((r) => asOf === undefined || r.createdAt <= asOf)
      .map((r) => pastOf(r, asOf));
  }

  async commentedTasks(asOf?: string): Promise<Set<string>> {
    return new Set(this.stmt.commented.all(asOf ?? '9999').map((r) => r.task_id));
  }

  async statusComments(taskId?: string): Promise<StatusCommentRecord[]> {
    const rows = taskId === undefined ? this.db.prepare<[], CommentRow>('SELECT * FROM status_comments ORDER BY task_id').all() : this.db.prepare<[string], CommentRow>('SELECT * FROM status_comments WHERE task_id = ?').all(taskId);
    return rows.map(commentRecord);
  }

  async depth(): Promise<OutboxDepth> {
    const r = this.stmt.depth.get()!;
    return { pending: r.pending ?? 0, oldestAgeSeconds: r.oldest ? Math.max(0, (this.clock() - Date.parse(r.oldest)) / 1000) : 0, dead: r.dead ?? 0, planned: r.planned ?? 0 };
  }
}

const fence = (c: Claim) => ({ id: c.id, holder: c.holder, token: c.token });
