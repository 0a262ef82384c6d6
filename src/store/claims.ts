/**
 * Who holds a claim, and how claims are fenced. A row of the outbox or the inbox is claimed by one
 * holder with a lease; its `attempts` (raised by every claim) is the fencing token. Completing a row
 * checks holder and token in the same statement, so a holder whose lease ran out and whose row was
 * claimed again changes nothing (graphile-worker's `locked_by`, pg-boss's fetch-and-complete).
 */
import { hostname } from 'node:os';

/**
 * This process as a holder: host (or TASKWIRE_REPLICA_ID, e.g. a pod's name), pid and start time. A
 * claim whose process is gone from this host (or an earlier run that had the same pid, as pid 1 in a
 * restarted container) can be taken over at once; another host's only when its lease runs out.
 */
export const HOLDER = `${process.env['TASKWIRE_REPLICA_ID'] || hostname()}:${process.pid}:${Date.now()}`;

/** A claim on one row: the fencing check its completion makes. */
export interface Claim {
  readonly id: number;
  readonly holder: string;
  /** The row's `attempts` when it was claimed. */
  readonly token: number;
}

/** Thrown inside a store transaction when its claim is no longer held: the transaction rolls back. */
export class LostClaimError extends Error {
  override readonly name = 'LostClaimError';
  constructor(what: string) {
    super(`${what}: the claim was lost (its lease ran out and another holder took it); nothing was written`);
  }
}

/** The pid of a holder on this host (null for another host's holder, which only its lease frees). */
export function localPid(holder: string): number | null {
  const host = `${HOLDER.split(':')[0]!}:`;
  if (!holder.startsWith(host)) return null;
  const pid = Number(holder.slice(host.length).split(':')[0]);
  return Number.isInteger(pid) ? pid : null;
}

/** Whether a process runs on this host (signal 0 checks without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Holders among `holders` that are dead processes of this host (not this process's own holder). */
export function deadLocalHolders(holders: readonly string[], alive: (pid: number) => boolean = processAlive): string[] {
  return holders.filter((h) => {
    if (h === HOLDER) return false;
    const pid = localPid(h);
    return pid !== null && (pid === process.pid || !alive(pid));
  });
}
