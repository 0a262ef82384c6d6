/**
 * The store's interface. Methods are async-shaped so a PostgreSQL adapter can replace the SQLite one
 * without touching callers; the SQLite adapter does its work synchronously inside them.
 */
import type { FlagDiff } from '../core/flags.js';
import type { PlannedAction } from '../core/planner.js';
import type { Claim } from './claims.js';
import type { InboxStore } from './inbox.js';
import type { LeaseFence, LeaseStore } from './leases.js';
import type { OutboxStore } from './outbox.js';
import type { CycleSample } from '../core/risk.js';
import type {
  AccountRef,
  Flag,
  ActorKind,
  ConnectorKind,
  Cursor,
  EvidenceItem,
  ExternalAccount,
  FlagCode,
  HistoryEntry,
  SourceHistoryEntry,
  StoredFlag,
  Task,
  TaskFields,
  TaskStatus,
} from '../core/model.js';

/** A normalized item ready for the store: a SourceItem whose task carries its resolved owner. */
export type StoreItem =
  | {
      readonly type: 'task';
      readonly task: TaskFields;
      readonly owner: string | null;
      readonly actor?: ActorKind | undefined;
      readonly actorId?: string | undefined;
      readonly history?: readonly SourceHistoryEntry[] | undefined;
    }
  | { readonly type: 'deleted'; readonly key: string; readonly at: string }
  | { readonly type: 'history'; readonly key: string; readonly entries: readonly SourceHistoryEntry[] }
  | {
      readonly type: 'activity';
      readonly key: string;
      readonly at: string;
      readonly actor: ActorKind;
      readonly actorId?: string | undefined;
      readonly what: string;
    }
  | EvidenceItem
  | { readonly type: 'failed'; readonly key: string; readonly error: string }
  | { readonly type: 'state'; readonly key: string; readonly value: string | null };

export interface ConnectorId {
  readonly name: string;
  readonly kind: ConnectorKind;
}

export interface ApplyResult {
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Older than what the store has (a poll page behind a webhook): skipped. */
  readonly stale: number;
  readonly deleted: number;
  readonly activity: number;
  /** Evidence rows recorded (new ones; a re-read keeps each once). */
  readonly evidence: number;
  /** Ids of tasks whose stored state changed, for incremental evaluation. */
  readonly changed: readonly string[];
  /** Items recorded as failing (read again on a later cycle). */
  readonly failed: number;
}

export type StoreChannel = 'inbox' | 'outbox' | 'changed' | 'touched' | 'reconnected';

/** A claimed inbox delivery and the items it carries (none: ignored, and why). */
export interface DeliveryItems {
  readonly claim: Claim;
  readonly items: readonly StoreItem[];
  readonly ignored?: string | undefined;
}

export interface DeliveriesResult {
  readonly applied: ApplyResult;
  /** Ids of the rows finished here. */
  readonly finished: readonly number[];
  /** Ids of the rows whose claim was lost: nothing of theirs was written. */
  readonly lost: readonly number[];
}

/** An item whose detail keeps failing: retried on later cycles with backoff, shown by health and /metrics. */
export interface ItemFailure {
  readonly connector: string;
  readonly key: string;
  readonly error: string;
  readonly attempts: number;
  readonly firstFailedAt: string;
  readonly lastFailedAt: string;
  readonly nextAttemptAt: string;
}

export interface StoredEvidence extends Omit<EvidenceItem, 'type' | 'actorId'> {
  readonly connector: string;
  readonly actorId: string | null;
  readonly recordedAt: string;
}

export interface TaskQuery {
  readonly connector?: string | undefined;
  readonly owner?: string | undefined;
  readonly status?: readonly TaskStatus[] | undefined;
  /** Tasks with this flag open. */
  readonly flag?: FlagCode | undefined;
  readonly includeDeleted?: boolean | undefined;
  readonly limit?: number | undefined;
}

export interface AccountRecord extends AccountRef {
  readonly connector: string;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
}

/**
 * How an evaluation plans follow-ups from its diff, inside the store's transaction. With `lease` (the
 * daemon's evaluator lease), nothing is written unless the lease is still the holder's: an evaluator
 * that lost its lease mid-evaluation (stalled, cut off) cannot plan from what it read before another
 * took over — LostLeaseError.
 */
export interface EvaluationPlanner {
  readonly mode: 'plan' | 'send';
  readonly cycle: string;
  readonly lease?: LeaseFence;
  plan(diff: FlagDiff, firstSeen: (taskId: string, code: FlagCode) => string): readonly PlannedAction[];
}

export interface TaskStore {
  /**
   * Applies one page of items and advances the connector's cursor in one transaction: all of it or
   * none of it. Unchanged items (same content hash) write nothing; an item older than the stored one
   * is skipped; field changes are recorded in the history. Under a lease (a poll), the page is
   * written only while the lease is still held (LostLeaseError otherwise): a stalled former holder can
   * never move a cursor back or write over newer data.
   */
  applyBatch(connector: ConnectorId, items: readonly StoreItem[], cursor: Cursor | null, lease?: LeaseFence): Promise<ApplyResult>;
  /**
   * Applies claimed inbox deliveries of one connector in one transaction: each delivery whose claim is
   * still held has its items applied and its row finished (processed, or ignored when it had none);
   * one whose claim was lost is left untouched (its new holder applies it). The accounts seen are
   * recorded in the same transaction.
   */
  applyDeliveries(connector: ConnectorId, deliveries: readonly DeliveryItems[], accounts: readonly ExternalAccount[]): Promise<DeliveriesResult>;
  getCursor(connector: string): Promise<Cursor | null>;
  resetCursor(connector: string): Promise<void>;

  getTask(id: string): Promise<Task | null>;
  listTasks(query?: TaskQuery): Promise<Task[]>;
  /** Evidence about tasks (newest first), optionally only what was recorded at or after `since`. */
  listEvidence(query?: { since?: string | undefined; targets?: readonly string[] | undefined }): Promise<StoredEvidence[]>;
  /** Every change to a task, oldest first. */
  history(taskId: string): Promise<HistoryEntry[]>;
  /** Sets the owner of every task from its assignees (after the identity registry changed). */
  recomputeOwners(ownerOf: (assignees: readonly AccountRef[]) => string | null): Promise<number>;

  /**
   * Records an evaluation's flags for the tasks in its scope, in one transaction: new flags open (first
   * seen now), flags found again are refreshed (last seen now), open flags not found are resolved.
   */
  applyFlags(scope: 'all' | ReadonlySet<string>, flags: readonly Flag[], now: string): Promise<FlagDiff>;
  /**
   * applyFlags, and the follow-ups planned from the resulting diff written to the outbox in the same
   * transaction: a flag change and the messages it causes are recorded together or not at all.
   */
  applyEvaluation(
    scope: 'all' | ReadonlySet<string>,
    flags: readonly Flag[],
    now: string,
    planner: EvaluationPlanner,
  ): Promise<{ diff: FlagDiff; planned: number }>;
  /** The outbox (planned follow-ups, their delivery state, the write ledger, status comments). */
  readonly outbox: OutboxStore;
  /** The webhook inbox (deliveries kept before they are acknowledged, processed from here). */
  readonly inbox: InboxStore;
  /** Leases: work one replica does at a time. */
  readonly leases: LeaseStore;
  /** Claims a run of once-per-cluster work (`report`, `2026-12-02`); false when another replica has. */
  claimRun(kind: string, key: string, holder: string): Promise<boolean>;
  /** Which database: for logs and `taskwire check`. */
  readonly driver: 'sqlite' | 'postgres';
  /**
   * Replicas on one database tell each other (PostgreSQL NOTIFY): a delivery was stored (`inbox`),
   * follow-ups are due (`outbox`), tasks changed that the evaluator must look at (`changed`, with the
   * ids as JSON, or `*`). Absent with one process (SQLite).
   */
  notify?(channel: 'changed' | 'touched', payload: string): Promise<void>;
  /**
   * Listens on a connection of its own, reconnecting after a loss; `reconnected` after each
   * (re)connection, so the listener scans for what it may have missed.
   */
  listen?(on: (channel: StoreChannel, payload: string) => void): Promise<{ close(): Promise<void> }>;
  /** Marks a done task verified (evidence from a tool, a button, or `taskwire verify`); kept until it reopens. */
  verifyTask(taskId: string, at: string, by: string | null, how: string): Promise<boolean>;
  /** A reference (id, kind:key, or URL) to the id of a stored task. */
  resolveRef(ref: string): Promise<string | null>;
  /** Per task, the last status change a person made (by `asOf`, when given). */
  lastHumanStatusChanges(asOf?: string): Promise<Map<string, string>>;
  /** When each flag (open or resolved since `since`) was open: for the report's trend. */
  flagSpans(since: string): Promise<{ taskId: string; from: string; to: string | null }[]>;
  /** Flags open at an instant (`taskId\u0000code` → when first seen), for planning as of then. */
  flagsOpenAt(at: string): Promise<Map<string, string>>;
  /** Every task's history, oldest first per task (for rebuilding the past: `--as-of`, the backtest). */
  allHistory(): Promise<Map<string, HistoryEntry[]>>;
  /** Open flags, of one task or of all. */
  openFlags(taskId?: string): Promise<StoredFlag[]>;
  /** Finished tasks with when work on them started (first move to in progress, else creation). */
  cycleSamples(): Promise<CycleSample[]>;
  /** Tasks under way (in progress, in review): when their current run started. */
  startedTimes(): Promise<Map<string, string>>;

  /** Status changes with `from ≤ at < to`, oldest first (for the report's "changes"). */
  statusHistoryBetween(from: string, to: string): Promise<HistoryEntry[]>;
  /**
   * Per connector: last cursor save, webhook deliveries that failed since `since` (dead, or waiting to
   * be retried), dead-lettered outbox rows, items that keep failing.
   */
  syncState(since: string): Promise<{ connector: string; lastSyncAt: string | null; webhookFailures: number; deadLetters: number; failingItems: number }[]>;
  /** Items whose detail keeps failing (all, or one connector's). */
  itemFailures(connector?: string): Promise<ItemFailure[]>;
  /** Keys of a connector's failing items due to be read again. */
  dueItemFailures(connector: string, limit: number): Promise<string[]>;

  /** Records accounts seen as assignees or listed by a tool. */
  recordAccounts(accounts: readonly ExternalAccount[]): Promise<void>;
  listAccounts(): Promise<AccountRecord[]>;

  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
  /** Every meta entry whose key starts with `prefix`, in key order. */
  listMeta(prefix: string): Promise<[string, string][]>;
  deleteMeta(key: string): Promise<void>;

  /** True when the store can be written (for /readyz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Several apply results as one (a batch of deliveries). */
export function mergeResults(results: readonly ApplyResult[]): ApplyResult {
  const out = { inserted: 0, updated: 0, unchanged: 0, stale: 0, deleted: 0, activity: 0, evidence: 0, failed: 0 };
  const changed = new Set<string>();
  for (const r of results) {
    for (const k of Object.keys(out) as (keyof typeof out)[]) out[k] += r[k];
    for (const id of r.changed) changed.add(id);
  }
  return { ...out, changed: [...changed] };
}
