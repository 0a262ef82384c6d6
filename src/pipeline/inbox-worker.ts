/**
 * The inbox worker: processes stored deliveries. They are claimed a few at a time with a lease (renewed
 * while they are processed), in arrival order per connector, connectors side by side. A delivery's
 * items are applied and its row finished in one store transaction, only while the claim is still held:
 * each delivery takes effect once, whatever crashes or races. One that fails is retried with backoff
 * and dead-lettered with its reason after `maxAttempts` (`taskwire inbox --dead`, `--replay ID`). At most
 * one pass runs at a time; a wake during a pass runs one more after it. On start the daemon wakes it,
 * so whatever was received and not processed before a crash is processed then.
 */
import type { Logger } from 'pino';
import type { Connector, ParsedDelivery } from '../../connectors/port.js';
import type { Identity } from '../core/identity.js';
import { HOLDER, LostClaimError, type Claim } from '../store/claims.js';
import { claimOf, type InboxRow } from '../store/inbox.js';
import type { ApplyResult, TaskStore } from '../store/store.js';
import { ingestPage } from './ingest.js';
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
}

export interface InboxSettings {
  readonly leaseMs?: number;
  readonly maxAttempts?: number;
  readonly baseBackoffMs?: number;
  /** Rows claimed at once. */
  readonly batch?: number;
}

export type InboxOutcome = 'processed' | 'ignored' | 'retry' | 'dead' | 'lost';

export type InboxTally = Record<InboxOutcome, number>;

/** Processes every due delivery (batch after batch) until none is left. */
export async function processInbox(deps: InboxWorkerDeps, settings: InboxSettings = {}): Promise<InboxTally> {
  const tally: InboxTally = { processed: 0, ignored: 0, retry: 0, dead: 0, lost: 0 };
  const leaseMs = settings.leaseMs ?? 120_000;
  await deps.store.inbox.releaseOrphans();
  while (!deps.signal?.aborted) {
    const rows = await deps.store.inbox.claim(deps.holder ?? HOLDER, leaseMs, settings.batch ?? 20);
    if (rows.length === 0) break;
    const claims = rows.map(claimOf);
    const keeper = keepLease(async () => (await deps.store.inbox.renew(claims, leaseMs)).size > 0, leaseMs / 2, () => undefined);
    try {
      const byConnector = new Map<string, InboxRow[]>();
      for (const r of rows) byConnector.set(r.connector, [...(byConnector.get(r.connector) ?? []), r]);
      await Promise.all(
        [...byConnector.values()].map(async (list) => {
          for (const row of list) {
            if (deps.signal?.aborted) return;
            const outcome = await processRow(deps, settings, row);
            tally[outcome]++;
            deps.onOutcome?.(row.connector, outcome);
          }
        }),
      );
    } finally {
      keeper.stop();
    }
  }
  return tally;
}

/** The worker as the daemon runs it: woken by each stored delivery and on start; one pass at a time. */
export class InboxWorker {
  private readonly flight = new SingleFlight();

  constructor(
    private readonly deps: InboxWorkerDeps,
    private readonly settings: InboxSettings = {},
  ) {}

  wake(): Promise<void> {
    return this.flight.run(async () => {
      try {
        await processInbox(this.deps, this.settings);
      } catch (err) {
        this.deps.log.error({ err: (err as Error).message }, 'inbox pass failed; the next wake tries again');
      }
    });
  }

  idle(): Promise<void> {
    return this.flight.idle();
  }
}

async function processRow(deps: InboxWorkerDeps, settings: InboxSettings, row: InboxRow): Promise<InboxOutcome> {
  const claim = claimOf(row);
  const connector = deps.connectors.get(row.connector);
  const source = connector?.webhook ?? connector?.inbound;
  if (!connector || !source) return fail(deps, settings, row, `connector ${row.connector} is not configured (or takes no deliveries)`, true);
  if (row.body === null) return fail(deps, settings, row, 'the body was not kept (received before the inbox)', true);
  let parsed: ParsedDelivery;
  try {
    parsed = await source.parse(row.body, row.headers);
  } catch (err) {
    if (deps.signal?.aborted) return 'lost'; // stopping: released and taken up again on start
    return fail(deps, settings, row, (err as Error).message, false);
  }
  if (parsed.items.length === 0) return (await deps.store.inbox.finish(claim, 'ignored', parsed.ignored)) ? 'ignored' : 'lost';
  let applied: ApplyResult;
  try {
    applied = await ingestPage(deps.store, { name: connector.name, kind: connector.kind }, deps.identity(), parsed.items, null, { inbox: claim });
  } catch (err) {
    if (err instanceof LostClaimError) return 'lost';
    return fail(deps, settings, row, (err as Error).message, false);
  }
  await deps.onApplied?.(connector, applied);
  return 'processed';
}

async function fail(deps: InboxWorkerDeps, settings: InboxSettings, row: InboxRow, error: string, permanent: boolean): Promise<InboxOutcome> {
  const claim: Claim = claimOf(row);
  const dead = permanent || row.attempts >= (settings.maxAttempts ?? 8);
  const wait = Math.min(6 * 3600_000, (settings.baseBackoffMs ?? 30_000) * 2 ** (row.attempts - 1)) * (0.5 + Math.random() / 2);
  const held = await deps.store.inbox.fail(claim, error, dead ? null : wait);
  deps.log.warn({ connector: row.connector, deliveryId: row.deliveryId, attempts: row.attempts, err: error }, dead ? 'delivery dead-lettered (taskwire inbox --dead)' : 'delivery failed; will retry');
  return held ? (dead ? 'dead' : 'retry') : 'lost';
}
