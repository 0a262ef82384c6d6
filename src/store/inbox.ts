/**
 * The webhook inbox as the pipeline sees it (one interface, a SQLite and a PostgreSQL adapter): a
 * verified delivery is stored before it is acknowledged, claimed with a lease to be processed, finished
 * only by its holder, retried with backoff, dead-lettered with its reason, pruned after a retention.
 */
import type { Claim } from './claims.js';

export type InboxStatus = 'received' | 'claimed' | 'processed' | 'ignored' | 'dead';

export interface InboxRow {
  readonly id: number;
  readonly connector: string;
  readonly deliveryId: string;
  readonly receivedAt: string;
  /** The raw body as received (null for rows from before the inbox kept bodies). */
  readonly body: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly status: InboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly claimedBy: string | null;
  readonly lastError: string | null;
  readonly detail: string | null;
  readonly finishedAt: string | null;
}

export interface ReceivedDelivery {
  readonly connector: string;
  readonly deliveryId: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface InboxDepth {
  /** Received and not yet finished (waiting, being processed, waiting to retry). */
  readonly waiting: number;
  readonly oldestAgeSeconds: number;
  readonly dead: number;
}

export interface InboxStore {
  /** Stores a verified delivery with its dedupe record; false when this delivery id was seen before. */
  receive(d: ReceivedDelivery): Promise<boolean>;
  /** Claims up to `limit` due rows, oldest first, for `holder` with a lease of `leaseMs`. */
  claim(holder: string, leaseMs: number, limit: number): Promise<InboxRow[]>;
  /** Extends the lease of rows still held; returns the ids still held. */
  renew(claims: readonly Claim[], leaseMs: number): Promise<Set<number>>;
  /** Finished with nothing to apply (or applied outside a store batch). False when the claim was lost. */
  finish(claim: Claim, status: 'processed' | 'ignored', detail?: string): Promise<boolean>;
  /** Failed: retried after `retryInMs`, or dead with the reason when null. False when the claim was lost. */
  fail(claim: Claim, error: string, retryInMs: number | null): Promise<boolean>;
  /** Lets go of every claim `holder` has (shutdown): the rows are taken up again at once. */
  release(holder: string): Promise<number>;
  /** Lets go of claims held by processes of this host that no longer run (a restart after kill -9). */
  releaseOrphans(): Promise<number>;
  list(q?: { status?: readonly InboxStatus[]; limit?: number }): Promise<InboxRow[]>;
  get(id: number): Promise<InboxRow | null>;
  /** A dead row back to the queue (`taskwire inbox --replay ID`). */
  replay(id: number): Promise<boolean>;
  depth(): Promise<InboxDepth>;
  /** Deletes finished rows older than the retentions; returns how many. */
  prune(finishedRetentionMs: number, deadRetentionMs: number): Promise<number>;
}

/** The fence a store batch checks before it commits: the inbox row it finishes, still held. */
export interface InboxFence {
  readonly inbox: Claim;
}

export const claimOf = (row: InboxRow): Claim => ({ id: row.id, holder: row.claimedBy ?? '', token: row.attempts });
