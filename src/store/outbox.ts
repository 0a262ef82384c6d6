/**
 * The outbox as the pipeline sees it (one interface; a SQLite and a PostgreSQL adapter): every
 * outbound write, planned in the same transaction as the flag change that caused it, keyed for
 * idempotency, claimed one at a time with a lease just before it is sent (in order per task), its
 * lease renewed while the send waits, and completed only while its claim is still held. A crash leaves
 * a row either not yet sent (claimed: taken up again) or possibly sent (`sending`: the connector
 * checks the tool before writing again).
 */
import type { FlagCode, OutboundAction } from '../core/model.js';
import type { FollowupKind, PastFollowup, PlannedAction } from '../core/planner.js';
import type { Claim } from './claims.js';

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
  readonly claimedBy: string | null;
  readonly lastError: string | null;
  readonly externalId: string | null;
  readonly cycle: string | null;
  readonly createdAt: string;
  readonly sentAt: string | null;
}

/** What became of a send: written (with the tool's id), or left alone because a person took it over. */
export interface SendOutcome {
  readonly externalId: string | null;
  readonly url?: string | undefined;
  /** Why taskwire did not write (a person edited or deleted its status comment). */
  readonly leftAlone?: string | undefined;
}

/** The status comment taskwire keeps on a task, as the tool last showed it to us. */
export interface StatusCommentRecord {
  readonly taskId: string;
  readonly connector: string;
  readonly externalId: string | null;
  readonly url: string | null;
  readonly writtenAt: string | null;
  /** When taskwire found a person had edited (or deleted) it, and what it found; null while it is ours. */
  readonly leftAloneAt: string | null;
  readonly leftAloneWhy: string | null;
}

export interface OutboxDepth {
  readonly pending: number;
  readonly oldestAgeSeconds: number;
  readonly dead: number;
  readonly planned: number;
}

export interface OutboxStore {
  /**
   * Records planned actions in a transaction of its own (the report's posts; evaluations plan inside
   * theirs). A key seen before is kept as it was; a new action supersedes older unsent ones with the
   * same subject. Returns how many rows were added.
   */
  plan(actions: readonly PlannedAction[], mode: 'plan' | 'send', cycle: string): Promise<number>;
  /** Connectors with rows due now. */
  dueConnectors(): Promise<string[]>;
  /**
   * Claims the next due row of a connector for `holder`, with a lease: the oldest whose task (or
   * subject) has no earlier row still unfinished, so one task's writes go out in order.
   */
  claimNext(connector: string, holder: string, leaseMs: number): Promise<OutboxRow | null>;
  /** Extends the lease of rows still held; returns the ids still held. */
  renew(claims: readonly Claim[], leaseMs: number): Promise<Set<number>>;
  /** A message that cannot be made idempotent is on its way: a crash leaves it to be checked for. */
  markSending(claim: Claim, leaseMs: number): Promise<boolean>;
  /**
   * Sent (or left alone): the row, the write ledger and the task's status-comment record, in one
   * transaction — only while the claim is held. False when the claim was lost (nothing written).
   */
  complete(claim: Claim, row: OutboxRow, outcome: SendOutcome): Promise<boolean>;
  /** Failed, to be tried again in `inMs`. Fenced. */
  retry(claim: Claim, error: string, inMs: number): Promise<boolean>;
  /** Failed for good (dead letters, `taskwire outbox --dead`). Fenced. */
  dead(claim: Claim, error: string): Promise<boolean>;
  /** Lets go of `holder`'s claims (shutdown): claimed rows are taken up again at once, `sending` ones checked first. */
  release(holder: string): Promise<number>;
  /** Lets go of claims held by processes of this host that no longer run (a restart after kill -9). */
  releaseOrphans(): Promise<number>;
  /** Rows left `sending` whose lease ran out go back to the queue, to be checked for in the tool first. */
  recoverInterrupted(): Promise<number>;
  /** A dead, skipped or planned row back to the queue (`taskwire outbox --replay ID`). */
  replay(id: number): Promise<boolean>;
  /** Rows by status, since a time, about one task (its own rows and those naming it, such as a DM). */
  list(q?: { status?: readonly OutboxStatus[]; since?: string; limit?: number; taskId?: string }): Promise<OutboxRow[]>;
  /**
   * What was planned or sent since `since`, as the planner reads it. With `asOf` (`plan --as-of`): as it
   * stood then — rows planned by then, each sent only if it was sent by then.
   */
  past(since: string, asOf?: string): Promise<PastFollowup[]>;
  /** Tasks that have (or will have) a status comment; with `asOf`, planned by then. */
  commentedTasks(asOf?: string): Promise<Set<string>>;
  /** The status comment records (all, or one task's). */
  statusComments(taskId?: string): Promise<StatusCommentRecord[]>;
  depth(): Promise<OutboxDepth>;
}

/** Writes that may notify people twice if repeated blindly (a status comment is an upsert; a message is not). */
export const needsCheckBeforeRetry = (a: OutboundAction) => a.type === 'direct_message' || a.type === 'channel_post';

export const claimOfRow = (row: Pick<OutboxRow, 'id' | 'claimedBy' | 'attempts'>): Claim => ({ id: row.id, holder: row.claimedBy ?? '', token: row.attempts });

/** What a past row means to the planner (as it stood at `asOf`, when given). */
export function pastOf(r: OutboxRow, asOf?: string): PastFollowup {
  const pushedFrom = r.action.type === 'status_push' ? (r.action.from ?? null) : null;
  if (asOf === undefined) return { kind: r.kind, recipient: r.recipient, taskId: r.taskId, about: r.about, at: r.sentAt ?? r.createdAt, status: r.status, pushedFrom };
  const sentThen = r.sentAt !== null && r.sentAt <= asOf;
  const status: PastFollowup['status'] = sentThen ? 'sent' : r.status === 'planned' || r.status === 'skipped' ? r.status : 'pending';
  return { kind: r.kind, recipient: r.recipient, taskId: r.taskId, about: r.about, at: sentThen ? r.sentAt : r.createdAt, status, pushedFrom };
}
