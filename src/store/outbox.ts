/**
 * The outbox: every outbound write, planned in the same transaction as the flag change that caused it,
 * keyed for idempotency, claimed with a lease before it is sent, its result recorded after. A crash
 * anywhere leaves a row that is either not yet sent (claimed: the lease runs out and it is sent) or
 * possibly sent (`sending`: the connector checks the tool before writing again).
 */
import { hostname } from 'node:os';
import type { FlagCode, OutboundAction } from '../core/model.js';
import type { FollowupKind, PastFollowup, PlannedAction } from '../core/planner.js';
import type { Db } from './db.js';

export type OutboxStatus = PastFollowup['status'];

export interface OutboxRow {
  readonly id: number;
  readonly key: string;
  readonly connector: string;
  readonly taskId: string | null;
  readonly kind: FollowupKind;
  readonly recipient: string | null;
  readonly subject: string;
  readonly about: readonly { taskId: string; code: FlagCode }[];
  readonly action: OutboundAction;
  readonly reason: string | null;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly leaseUntil: string | null;
  readonly lastError: string | null;
  readonly externalId: string | null;
  readonly cycle: string | null;
  readonly createdAt: string;
  readonly sentAt: string | null;
}

type Row = {
  id: number;
  idempotency_key: string;
  connector: string;
  task_id: string | null;
  kind: string;
  recipient: string | null;
  subject: string;
  about: string;
  action: string;
  reason: string | null;
  status: string;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  last_error: string | null;
  external_id: string | null;
  cycle: string | null;
  created_at: string;
  sent_at: string | null;
};

const fromRow = (r: Row): OutboxRow => ({
  id: r.id,
  key: r.idempotency_key,
  connector: r.connector,
  taskId: r.task_id,
  kind: r.kind as FollowupKind,
  recipient: r.recipient,
  subject: r.subject,
  about: JSON.parse(r.about) as OutboxRow['about'],
  action: JSON.parse(r.action) as OutboundAction,
  reason: r.reason,
  status: r.status as OutboxStatus,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  leaseUntil: r.lease_until,
  lastError: r.last_error,
  externalId: r.external_id,
  cycle: r.cycle,
  createdAt: r.created_at,
  sentAt: r.sent_at,
});

/** Writes that may notify people twice if repeated blindly (a status comment is an upsert; a message is not). */
export const needsCheckBeforeRetry = (a: OutboundAction) => a.type === 'direct_message' || a.type === 'channel_post';

/**
 * Who holds a claim: host, pid and start time of this process. A claim whose process is gone (or an
 * earlier run that had the same pid, as pid 1 in a restarted container) can be taken over at once.
 */
export const CLAIMER = `${hostname()}:${process.pid}:${Date.now()}`;

export class Outbox {
  constructor(private readonly db: Db) {}

  /**
   * Records planned actions (inside the caller's transaction). A key seen before is kept as it was;
   * a new action supersedes older unsent ones with the same subject (an outdated comment text, an
   * earlier version of today's message). Returns how many rows were added.
   */
  plan(actions: readonly PlannedAction[], mode: 'plan' | 'send', cycle: string, now: string): number {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO outbox (idempotency_key, connector, task_id, kind, recipient, subject, about, action, reason, status, next_attempt_at, cycle, created_at)
       VALUES (@key, @connector, @taskId, @kind, @recipient, @subject, @about, @action, @reason, @status, @next, @cycle, @now)`,
    );
    const supersede = this.db.prepare(
      `UPDATE outbox SET status = 'skipped', superseded_by = @id, last_error = 'superseded by a newer version'
        WHERE subject = @subject AND id <> @id AND status IN ('planned', 'pending')`,
    );
    let added = 0;
    for (const a of actions) {
      const r = insert.run({
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
        supersede.run({ id: r.lastInsertRowid, subject: a.subject });
      }
    }
    return added;
  }

  /** Claims up to `limit` due rows (pending and due, or claimed with an expired lease) for sending. */
  claimDue(now: string, leaseUntil: string, limit: number): OutboxRow[] {
    return this.db
      .prepare<[string, string, string, string, number], Row>(
        `UPDATE outbox SET status = 'claimed', lease_until = ?, claimed_by = ?, attempts = attempts + 1
          WHERE id IN (SELECT id FROM outbox
                        WHERE (status = 'pending' AND next_attempt_at <= ?) OR (status = 'claimed' AND lease_until < ?)
                        ORDER BY id LIMIT ?)
          RETURNING *`,
      )
      .all(leaseUntil, CLAIMER, now, now, limit)
      .map(fromRow)
      .sort((a, b) => a.id - b.id);
  }

  /**
   * Claims held by a process of this host that no longer runs (killed, crashed) are let go at once
   * rather than when their lease runs out: their rows are taken up again (a message left `sending` is
   * checked for in the tool before it is sent again). `alive` says whether a pid still runs.
   */
  releaseOrphans(now: string, alive: (pid: number) => boolean): number {
    const host = `${hostname()}:`;
    const holders = this.db.prepare<[string], { claimed_by: string }>(`SELECT DISTINCT claimed_by FROM outbox WHERE status IN ('claimed', 'sending') AND lease_until >= ? AND claimed_by IS NOT NULL`).all(now);
    let released = 0;
    for (const { claimed_by } of holders) {
      if (claimed_by === CLAIMER || !claimed_by.startsWith(host)) continue;
      const pid = Number(claimed_by.slice(host.length).split(':')[0]);
      if (!Number.isInteger(pid) || (pid !== process.pid && alive(pid))) continue;
      released += this.db.prepare(`UPDATE outbox SET lease_until = '1970-01-01T00:00:00.000Z' WHERE status IN ('claimed', 'sending') AND claimed_by = ?`).run(claimed_by).changes;
    }
    return released;
  }

  /** Rows left `sending` by a crash: they go back to the queue, flagged so the connector checks before writing. */
  recoverInterrupted(now: string): number {
    return this.db.prepare(`UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = 'interrupted while sending: checked before sending again' WHERE status = 'sending' AND lease_until < ?`).run(now, now).changes;
  }

  markSending(id: number, leaseUntil: string): void {
    this.db.prepare(`UPDATE outbox SET status = 'sending', lease_until = ? WHERE id = ?`).run(leaseUntil, id);
  }

  markSent(id: number, externalId: string | null, at: string): void {
    this.db.prepare(`UPDATE outbox SET status = 'sent', external_id = ?, sent_at = ?, lease_until = NULL, last_error = NULL WHERE id = ?`).run(externalId, at, id);
  }

  markRetry(id: number, error: string, nextAt: string): void {
    this.db.prepare(`UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ?, lease_until = NULL WHERE id = ?`).run(nextAt, error, id);
  }

  markDead(id: number, error: string): void {
    this.db.prepare(`UPDATE outbox SET status = 'dead', last_error = ?, lease_until = NULL WHERE id = ?`).run(error, id);
  }

  /** A dead row back to the queue (`taskwire outbox --replay ID`). */
  replay(id: number, now: string): boolean {
    return this.db.prepare(`UPDATE outbox SET status = 'pending', next_attempt_at = ?, attempts = 0, last_error = NULL WHERE id = ? AND status IN ('dead', 'skipped', 'planned')`).run(now, id).changes === 1;
  }

  list(q: { status?: readonly OutboxStatus[]; since?: string; limit?: number } = {}): OutboxRow[] {
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
    return this.db
      .prepare<unknown[], Row>(`SELECT * FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${q.limit ? `LIMIT ${Math.max(1, Math.floor(q.limit))}` : ''}`)
      .all(...args)
      .map(fromRow);
  }

  /**
   * What was planned or sent since `since`, as the planner reads it. With `asOf` (`plan --as-of`): as it
   * stood then — rows planned by then, each sent only if it was sent by then.
   */
  past(since: string, asOf?: string): PastFollowup[] {
    const rows = asOf === undefined ? this.list({ since }) : this.list({ since }).filter((r) => r.createdAt <= asOf);
    return rows.map((r) => {
      const pushedFrom = r.action.type === 'status_push' ? (r.action.from ?? null) : null;
      if (asOf === undefined) return { kind: r.kind, recipient: r.recipient, taskId: r.taskId, about: r.about, at: r.sentAt ?? r.createdAt, status: r.status, pushedFrom };
      const sentThen = r.sentAt !== null && r.sentAt <= asOf;
      const status: PastFollowup['status'] = sentThen ? 'sent' : r.status === 'planned' || r.status === 'skipped' ? r.status : 'pending';
      return { kind: r.kind, recipient: r.recipient, taskId: r.taskId, about: r.about, at: sentThen ? r.sentAt : r.createdAt, status, pushedFrom };
    });
  }

  /** Tasks that have (or will have) a status comment; with `asOf`, planned by then. */
  commentedTasks(asOf?: string): Set<string> {
    const rows = this.db
      .prepare<[string], { task_id: string }>(`SELECT DISTINCT task_id FROM outbox WHERE kind = 'status_comment' AND task_id IS NOT NULL AND status NOT IN ('dead', 'skipped') AND created_at <= ?`)
      .all(asOf ?? '9999');
    return new Set(rows.map((r) => r.task_id));
  }

  /** Depth and age of what waits to be sent, and the dead letters (for /metrics and health). */
  depth(now: number): { pending: number; oldestAgeSeconds: number; dead: number; planned: number } {
    const r = this.db
      .prepare<[], { pending: number; oldest: string | null; dead: number; planned: number }>(
        `SELECT sum(status IN ('pending', 'claimed', 'sending')) AS pending, min(CASE WHEN status IN ('pending', 'claimed', 'sending') THEN created_at END) AS oldest,
                sum(status = 'dead') AS dead, sum(status = 'planned') AS planned FROM outbox`,
      )
      .get()!;
    return { pending: r.pending ?? 0, oldestAgeSeconds: r.oldest ? Math.max(0, (now - Date.parse(r.oldest)) / 1000) : 0, dead: r.dead ?? 0, planned: r.planned ?? 0 };
  }

  /** What taskwire wrote, for echo suppression and the task's `last_written_by_us_at`. */
  recordWrite(connector: string, taskKey: string | null, what: string, externalId: string | null, at: string): void {
    this.db.prepare('INSERT INTO write_ledger (connector, task_key, what, external_id, at) VALUES (?, ?, ?, ?, ?)').run(connector, taskKey, what, externalId, at);
    if (taskKey !== null) this.db.prepare('UPDATE tasks SET last_written_by_us_at = ? WHERE connector = ? AND key = ?').run(at, connector, taskKey);
  }
}
