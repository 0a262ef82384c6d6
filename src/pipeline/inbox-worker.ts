/**
 * The inbox worker: processes stored deliveries. They are claimed a few at a time with a lease (renewed
 * while they are processed), in arrival order per connector, connectors side by side. A delivery's
 * items are applied and its row finished in one store transaction (one for the whole batch), only while
 * the claim is still held: each delivery takes effect once, whatever crashes or races. One that fails is retried with backoff
 * and dead-lettered with its reason after `maxAttempts` (`taskwire inbox --dead`, `--replay ID`). At most
 * one pass runs at a time; a wake during a pass runs one more after it. On start the daemon wakes it,
 * so whatever was received and not processed before a crash is processed then.
 */
import type { Logger } from 'pino';
import type { Connector, ParsedDelivery } from '../../connectors/port.js';
import type { ExternalAccount } from '../core/model.js';
import type { Identity } from '../core/identity.js';
import { HOLDER, type Claim } from '../store/claims.js';
import { claimOf, type InboxRow } from '../store/inbox.js';
import type { ApplyResult, TaskStore } from '../store/store.js';
import { resolveItems } from './ingest.js';
import { keepLease, SingleFlight } from './lease.js';

export interface InboxWorkerDeps {
  readonly store: TaskStore;
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly identity: () => Identity;
  readonly log: Logger;
  /** Who claims (this process, unless a test plays two workers). */
  readonly holder?: string;
  /** Called with what a processed delivery changed (for incremental evaluation). */
  readonly onApplied?: (connector: Connector, applied: ApplyResult) => Promise<void>;
  /** Each delivery's outcome, for metrics. */
  readonly onOutcome?: (connector: string, outcome: InboxOutcome) => void;
  /** Stops the worker (shutdown): deliveries in flight are left to be taken up again. */
  readonly signal?: AbortSignal;
  /** True while deliveries keep arriving: processing then gives way to acknowledging them. */
  readonly arriving?: () => boolean;
}

export interface InboxSettings {
  readonly leaseMs?: number;
  readonly maxAttempts?: number;
  readonly baseBackoffMs?: number;
  /** Rows claimed at once. */
  readonly batch?: number;
  /** A wake waits this long before the pass, so a burst is processed in batches, not one by one. */
  readonly coalesceMs?: number;
  /** While deliveries keep arriving, one batch at most this often (the rest of the time answers them)… */
  readonly burstBatchMs?: number;
  /** …unless the oldest waiting delivery is older than this: then processing catches up at full speed. */
  readonly maxLagMs?: number;
}

export type InboxOutcome = 'processed' | 'ignored' | 'retry' | 'dead' | 'lost';

export type InboxTally = Record<InboxOutcome, number>;

/** Processes every due delivery (batch after batch) until none is left. */
export async function processInbox(deps: InboxWorkerDeps, settings: InboxSettings = {}): Promise<InboxTally> {
  const tally: InboxTally = { processed: 0, ignored: 0, retry: 0, dead: 0, lost: 0 };
  const leaseMs = settings.leaseMs ?? 120_000;
  if (deps.signal?.aborted) return tally;
  await deps.store.inbox.releaseOrphans();
  while (!deps.signal?.aborted) {
    const rows = await deps.store.inbox.claim(deps.holder ?? HOLDER, leaseMs, settings.batch ?? 50);
    if (rows.length === 0) break;
    const claims = rows.map(claimOf);
    const keeper = keepLease(async () => (await deps.store.inbox.renew(claims, leaseMs)).size > 0, leaseMs / 2, () => undefined);
    try {
      const byConnector = new Map<string, InboxRow[]>();
      for (const r of rows) byConnector.set(r.connector, [...(byConnector.get(r.connector) ?? []), r]);
      await Promise.all([...byConnector.values()].map((list) => processRows(deps, settings, list, tally)));
    } finally {
      keeper.stop();
    }
    // Acknowledging new deliveries comes first: the server answers between batches, and during a burst
    // processing takes one batch per `burstBatchMs` (the backlog is safe in the inbox meanwhile) as long
    // as it lags less than `maxLagMs`.
    const lag = Date.now() - Math.min(...rows.map((r) => Date.parse(r.receivedAt)));
    const paced = deps.arriving?.() === true && lag < (settings.maxLagMs ?? 5000);
    await new Promise((r) => (paced ? setTimeout(r, settings.burstBatchMs ?? 200) : setImmediate(r)));
  }
  return tally;
}

/** The worker as the daemon runs it: woken by each stored delivery and on start; one pass at a time. */
export class InboxWorker {
  private readonly flight = new SingleFlight();
  private soon: Promise<void> | null = null;
  private lastWake = 0;
  private readonly deps: InboxWorkerDeps;

  constructor(
    deps: InboxWorkerDeps,
    private readonly settings: InboxSettings = {},
  ) {
    this.deps = { arriving: () => Date.now() - this.lastWake < 20, ...deps };
  }

  /** A pass shortly (wakes close together make one pass), or one more after the pass in progress. */
  wake(): Promise<void> {
    this.lastWake = Date.now();
    this.soon ??= new Promise<void>((r) => setTimeout(r, this.settings.coalesceMs ?? 10)).then(() => {
      this.soon = null;
      return this.flight.run(async () => {
        try {
          await processInbox(this.deps, this.settings);
        } catch (err) {
          if (!this.deps.signal?.aborted) this.deps.log.error({ err }, 'inbox pass failed; the next wake tries again');
        }
      });
    });
    return this.soon;
  }

  idle(): Promise<void> {
    return this.flight.idle();
  }
}

/**
 * One connector's claimed rows, in order: each parsed (a failure is that row's alone), then all applied
 * and finished in one store transaction — should that fail, row by row, so one bad delivery cannot hold
 * back the others.
 */
async function processRows(deps: InboxWorkerDeps, settings: InboxSettings, rows: readonly InboxRow[], tally: InboxTally): Promise<void> {
  const count = (row: InboxRow, outcome: InboxOutcome) => {
    tally[outcome]++;
    deps.onOutcome?.(row.connector, outcome);
  };
  const connector = deps.connectors.get(rows[0]!.connector);
  const source = connector?.webhook ?? connector?.inbound;
  const parsed: { row: InboxRow; delivery: ParsedDelivery }[] = [];
  for (const row of rows) {
    if (deps.signal?.aborted) return; // stopping: released and taken up again on start
    if (!connector || !source) count(row, await fail(deps, settings, row, `connector ${row.connector} is not configured (or takes no deliveries)`, true));
    else if (row.body === null) count(row, await fail(deps, settings, row, 'the body was not kept (received before the inbox)', true));
    else {
      try {
        parsed.push({ row, delivery: await source.parse(row.body, row.headers) });
      } catch (err) {
        if (deps.signal?.aborted) return;
        count(row, await fail(deps, settings, row, (err as Error).message, false));
      }
    }
  }
  if (!connector || parsed.length === 0) return;
  try {
    await apply(deps, connector, parsed, count);
  } catch {
    for (const p of parsed) {
      try {
        await apply(deps, connector, [p], count);
      } catch (err) {
        count(p.row, await fail(deps, settings, p.row, (err as Error).message, false));
      }
    }
  }
}

async function apply(deps: InboxWorkerDeps, connector: Connector, parsed: readonly { row: InboxRow; delivery: ParsedDelivery }[], count: (row: InboxRow, outcome: InboxOutcome) => void): Promise<void> {
  const id = { name: connector.name, kind: connector.kind };
  const accounts = new Map<string, ExternalAccount>();
  const deliveries = parsed.map(({ row, delivery }) => {
    const r = resolveItems(id, deps.identity(), delivery.items);
    for (const a of r.accounts) accounts.set(`${a.kind}:${a.id}`, a);
    return { claim: claimOf(row), items: r.storeItems, ignored: delivery.ignored };
  });
  const result = await deps.store.applyDeliveries(id, deliveries, [...accounts.values()]);
  const lost = new Set(result.lost);
  for (const { row, delivery } of parsed) count(row, lost.has(row.id) ? 'lost' : delivery.items.length === 0 ? 'ignored' : 'processed');
  if (result.finished.length > 0) await deps.onApplied?.(connector, result.applied);
}

async function fail(deps: InboxWorkerDeps, settings: InboxSettings, row: InboxRow, error: string, permanent: boolean): Promise<InboxOutcome> {
  const claim: Claim = claimOf(row);
  const dead = permanent || row.attempts >= (settings.maxAttempts ?? 8);
  const wait = Math.min(6 * 3600_000, (settings.baseBackoffMs ?? 30_000) * 2 ** (row.attempts - 1)) * (0.5 + Math.random() / 2);
  const held = await deps.store.inbox.fail(claim, error, dead ? null : wait);
  deps.log.warn({ connector: row.connector, deliveryId: row.deliveryId, attempts: row.attempts, err: error }, dead ? 'delivery dead-lettered (taskwire inbox --dead)' : 'delivery failed; will retry');
  return held ? (dead ? 'dead' : 'retry') : 'lost';
}
