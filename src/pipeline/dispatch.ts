/**
 * The dispatcher: claims due outbox rows with a lease, sends each outside any transaction, records what
 * happened. Retryable failures wait (the tool's Retry-After, else exponential backoff with jitter);
 * permanent ones — 401/403/404/422, a write the config does not allow — go to the dead letters with the
 * reason. Rows for one connector are sent one at a time, in order; connectors run side by side.
 *
 * Crash safety: a row claimed but not sent is claimed again when its lease runs out. A status comment is
 * an upsert (found by its marker), so sending it again is harmless. A message is not: it is marked
 * `sending` first, and if that is where a crash left it, the connector checks the tool for it (by its
 * idempotency key) before sending it again — a person never gets the same message twice.
 */
import type { Logger } from 'pino';
import type { Connector } from '../../connectors/port.js';
import { ConnectorError } from '../errors.js';
import { needsCheckBeforeRetry, type OutboxRow } from '../store/outbox.js';
import type { TaskStore } from '../store/store.js';

export interface DispatchDeps {
  readonly store: TaskStore;
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly log: Logger;
  readonly now: () => number;
}

export interface DispatchOptions {
  readonly limit?: number;
  readonly leaseMs?: number;
  readonly maxAttempts?: number;
  readonly baseBackoffMs?: number;
}

export interface DispatchResult {
  readonly sent: number;
  readonly retried: number;
  readonly dead: number;
}

const PERMANENT_STATUS = new Set([400, 401, 403, 404, 410, 422]);

/** One pass: everything due now (up to `limit`). */
export async function dispatchDue(deps: DispatchDeps, opts: DispatchOptions = {}): Promise<DispatchResult> {
  const { store, log } = deps;
  const lease = opts.leaseMs ?? 5 * 60_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  store.outbox.releaseOrphans(iso(deps.now()), processAlive);
  store.outbox.recoverInterrupted(iso(deps.now()));
  const rows = store.outbox.claimDue(iso(deps.now()), iso(deps.now() + lease), opts.limit ?? 200);
  const byConnector = new Map<string, OutboxRow[]>();
  for (const r of rows) byConnector.set(r.connector, [...(byConnector.get(r.connector) ?? []), r]);
  const result = { sent: 0, retried: 0, dead: 0 };
  await Promise.all(
    [...byConnector].map(async ([name, list]) => {
      const connector = deps.connectors.get(name);
      for (const row of list) {
        if (!connector?.write) {
          store.outbox.markDead(row.id, `connector ${name} is not configured or cannot write`);
          result.dead++;
          continue;
        }
        if (needsCheckBeforeRetry(row.action)) store.outbox.markSending(row.id, iso(deps.now() + lease));
        try {
          const r = await connector.write(row.action, { attempt: row.attempts });
          const at = iso(deps.now());
          store.outbox.markSent(row.id, r.externalId, at);
          store.outbox.recordWrite(name, 'taskKey' in row.action ? row.action.taskKey : null, row.kind, r.externalId, at);
          result.sent++;
        } catch (err) {
          const e = err instanceof ConnectorError ? err : null;
          const permanent = (e !== null && (!e.retryable || (e.status !== undefined && PERMANENT_STATUS.has(e.status)))) || row.attempts >= (opts.maxAttempts ?? 8);
          const message = (err as Error).message;
          if (permanent) {
            store.outbox.markDead(row.id, message);
            result.dead++;
            log.warn({ connector: name, outbox: row.id, kind: row.kind, err: message }, 'follow-up could not be sent: dead-lettered (taskwire outbox --dead)');
          } else {
            const base = opts.baseBackoffMs ?? 30_000;
            const wait = e?.retryAfterMs ?? Math.min(6 * 3600_000, base * 2 ** (row.attempts - 1)) * (0.5 + Math.random() / 2);
            store.outbox.markRetry(row.id, message, iso(deps.now() + wait));
            result.retried++;
            log.info({ connector: name, outbox: row.id, kind: row.kind, waitMs: Math.round(wait) }, 'follow-up failed; will retry');
          }
        }
      }
    }),
  );
  return result;
}

/** Sends until nothing is due (or `passes` are done): what `taskwire sync` does in send mode. */
export async function dispatchAll(deps: DispatchDeps, opts: DispatchOptions & { passes?: number } = {}): Promise<DispatchResult> {
  const total = { sent: 0, retried: 0, dead: 0 };
  for (let i = 0; i < (opts.passes ?? 10); i++) {
    const r = await dispatchDue(deps, opts);
    total.sent += r.sent;
    total.retried += r.retried;
    total.dead += r.dead;
    if (r.sent + r.retried + r.dead === 0) break;
  }
  return total;
}

/** Whether a process runs on this host (signal 0 checks without signalling). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
