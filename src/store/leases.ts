/**
 * Leases: work one process does at a time across replicas (a connector's poll, the evaluator). A lease
 * has a holder, a fencing token raised each time it changes hands, and an expiry on the database's
 * clock; it is renewed at half its length and runs out on its own when its holder dies. Writes made
 * under a lease check the token in their own transaction, so a stalled former holder changes nothing.
 */
import { deadLocalHolders } from './claims.js';

export interface LeaseFence {
  readonly name: string;
  readonly holder: string;
  readonly token: number;
}

export interface LeaseRecord extends LeaseFence {
  readonly acquiredAt: string;
  readonly renewedAt: string;
  readonly expiresAt: string;
  /** Still held (not past its expiry), by the database's clock. */
  readonly live: boolean;
}

export interface LeaseStore {
  /** Takes the lease (free, expired, or already ours: renewed); null while another holds it. */
  acquire(name: string, holder: string, ttlMs: number): Promise<LeaseFence | null>;
  /** Extends it while it is still ours (same holder and token, not expired); false when it is not. */
  renew(lease: LeaseFence, ttlMs: number): Promise<boolean>;
  /** Lets it go at once (another may take it now). */
  release(lease: LeaseFence): Promise<void>;
  list(): Promise<LeaseRecord[]>;
  /** Leases held by processes of this host that no longer run (a restart after kill -9): let go at once. */
  releaseOrphans(): Promise<number>;
}

/** Lets go of the live leases whose holders are dead processes of this host. */
export async function releaseOrphanLeases(leases: Pick<LeaseStore, 'list' | 'release'>): Promise<number> {
  const orphans = (await leases.list()).filter((l) => l.live && deadLocalHolders([l.holder]).length === 1);
  for (const l of orphans) await leases.release(l);
  return orphans.length;
}

/** A write made under a lease found the lease gone: nothing of it was written. */
export class LostLeaseError extends Error {
  override readonly name = 'LostLeaseError';
  constructor(lease: LeaseFence) {
    super(`lease ${lease.name} is no longer held by ${lease.holder} (token ${lease.token}): nothing was written`);
  }
}
