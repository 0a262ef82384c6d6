/**
 * The dispatcher: sends due outbox rows, one row per connector at a time, claimed just before it is
 * sent, in order per task. Rows of different connectors go out side by side.
 *
 * Never twice:
 * - a row is claimed with a lease, renewed at half its length while the send waits (write pacing, a
 *   tool's Retry-After); if a renewal finds the claim gone, the send is aborted;
 * - a row is completed only while its claim is still held (holder and fencing token checked in the same
 *   statement): a holder that lost its claim changes nothing;
 * - every write is safe to repeat: status comments are found by marker and author and edited only when
 *   their text differs; a message is marked `sending` first and, on any later attempt, looked for in
 *   the tool by its idempotency key before it is sent again; status pushes read the tool's current
 *   state first.
 *
 * A person's edit wins: a status comment a person edited (or deleted) is left alone from then on.
 * Retryable failures wait (the tool's Retry-After, else exponential backoff with jitter); permanent ones
 * — 401/403/404/422, a write the config does not allow — go to the dead letters with the reason.
 */
import type { Logger } from 'pino';
import type { Connector } from '../../connectors/port.js';
import { ConnectorError } from '../errors.js';
import { HOLDER, LostClaimError } from '../store/claims.js';
import { claimOfRow, needsCheckBeforeRetry, type OutboxRow } from '../store/outbox.js';
import type { TaskStore } from '../store/store.js';
import { keepLease } from './lease.js';

export interface DispatchDeps {
  readonly store: TaskStore;
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly log: Logger;
  /** Who claims (this process, unless a test plays two dispatchers). */
  readonly holder?: string;
}

export interface DispatchOptions {
  /** How long a claim lasts without renewal (renewed at half of it while a send waits). */
  readonly leaseMs?: number;
  readonly maxAttempts?: number;
  readonly baseBackoffMs?: number;
  /** Rows sent per connector in one pass at most. */
  readonly maxRows?: number;
  /** Stops the pass (shutdown): rows in flight are left to be taken up again. */
  readonly signal?: AbortSignal;
}

export interface DispatchResult {
  readonly sent: number;
  readonly retried: number;
  readonly dead: number;
  /** Status comments a person had edited: left alone. */
  readonly leftAlone: number;
  /** Rows whose claim was lost mid-send (another holder took them over): nothing recorded here. */
  readonly lost: number;
}

type Tally = { -readonly [K in keyof DispatchResult]: number };

const PERMANENT_STATUS = new Set([400, 401, 403, 404, 410, 422]);

/** One pass: what is due now, each connector's rows one at a time. */
export async function dispatchDue(deps: DispatchDeps, opts: DispatchOptions = {}): Promise<DispatchResult> {
  const { store } = deps;
  await store.outbox.releaseOrphans();
  await store.outbox.recoverInterrupted();
  const tally: Tally = { sent: 0, retried: 0, dead: 0, leftAlone: 0, lost: 0 };
  const names = await store.outbox.dueConnectors();
  await Promise.all(
    names.map(async (name) => {
      for (let n = 0; n < (opts.maxRows ?? 500) && !opts.signal?.aborted; n++) {
        const row = await store.outbox.claimNext(name, deps.holder ?? HOLDER, opts.leaseMs ?? 60_000);
        if (row === null) break;
        await sendOne(deps, row, opts, tally);
      }
    }),
  );
  return tally;
}

/** Sends until nothing is due (or `passes` are done): what `taskwire sync` does in send mode. */
export async function dispatchAll(deps: DispatchDeps, opts: DispatchOptions & { passes?: number } = {}): Promise<DispatchResult> {
  const total: Tally = { sent: 0, retried: 0, dead: 0, leftAlone: 0, lost: 0 };
  for (let i = 0; i < (opts.passes ?? 10); i++) {
    const r = await dispatchDue(deps, opts);
    for (const k of Object.keys(total) as (keyof Tally)[]) total[k] += r[k];
    if (r.sent + r.retried + r.dead + r.leftAlone === 0 || opts.signal?.aborted) break;
  }
  return total;
}

async function sendOne(deps: DispatchDeps, row: OutboxRow, opts: DispatchOptions, tally: Tally): Promise<void> {
  const { store, log } = deps;
  const claim = claimOfRow(row);
  const leaseMs = opts.leaseMs ?? 60_000;
  const connector = deps.connectors.get(row.connector);
  if (!connector?.write) {
    if (await store.outbox.dead(claim, `connector ${row.connector} is not configured or cannot write`)) tally.dead++;
    return;
  }
  let previous: { externalId: string } | undefined;
  if (row.kind === 'status_comment' && row.taskId !== null) {
    const rec = (await store.outbox.statusComments(row.taskId))[0];
    if (rec?.leftAloneAt) {
      // A person took the comment over: it stays theirs.
      if (await store.outbox.complete(claim, row, { externalId: rec.externalId, leftAlone: rec.leftAloneWhy ?? 'a person edited the status comment' })) tally.leftAlone++;
      return;
    }
    if (rec?.externalId) previous = { externalId: rec.externalId };
  }
  if (needsCheckBeforeRetry(row.action) && !(await store.outbox.markSending(claim, leaseMs))) {
    tally.lost++;
    return;
  }
  const held = new AbortController();
  const keeper = keepLease(async () => (await store.outbox.renew([claim], leaseMs)).has(claim.id), leaseMs / 2, () => held.abort(new LostClaimError(`outbox #${row.id}`)));
  const signal = opts.signal ? AbortSignal.any([held.signal, opts.signal]) : held.signal;
  try {
    const r = await connector.write(row.action, { attempt: row.attempts, signal, ...(previous ? { previous } : {}) });
    keeper.stop();
    if (!(await store.outbox.complete(claim, row, r))) {
      tally.lost++;
      log.warn({ connector: row.connector, outbox: row.id }, 'follow-up sent, but its claim had passed to another dispatcher: left for it to record');
    } else if (r.leftAlone) {
      tally.leftAlone++;
      log.info({ connector: row.connector, outbox: row.id, task: row.taskId, why: r.leftAlone }, 'status comment left alone: a person changed it');
    } else tally.sent++;
  } catch (err) {
    keeper.stop();
    if (held.signal.aborted) {
      tally.lost++;
      log.warn({ connector: row.connector, outbox: row.id }, 'follow-up claim lost while sending: another dispatcher took it over');
      return;
    }
    if (opts.signal?.aborted) return; // stopping: the row is released and taken up again
    await recordFailure(deps, row, err, opts, tally);
  }
}

async function recordFailure(deps: DispatchDeps, row: OutboxRow, err: unknown, opts: DispatchOptions, tally: Tally): Promise<void> {
  const claim = claimOfRow(row);
  const e = err instanceof ConnectorError ? err : null;
  const message = (err as Error).message;
  const permanent = (e !== null && (!e.retryable || (e.status !== undefined && PERMANENT_STATUS.has(e.status)))) || row.attempts >= (opts.maxAttempts ?? 8);
  if (permanent) {
    if (await deps.store.outbox.dead(claim, message)) tally.dead++;
    deps.log.warn({ connector: row.connector, outbox: row.id, kind: row.kind, err: message }, 'follow-up could not be sent: dead-lettered (taskwire outbox --dead)');
    return;
  }
  const base = opts.baseBackoffMs ?? 30_000;
  const wait = e?.retryAfterMs ?? Math.min(6 * 3600_000, base * 2 ** (row.attempts - 1)) * (0.5 + Math.random() / 2);
  if (await deps.store.outbox.retry(claim, message, wait)) tally.retried++;
  deps.log.info({ connector: row.connector, outbox: row.id, kind: row.kind, waitMs: Math.round(wait) }, 'follow-up failed; will retry');
}
