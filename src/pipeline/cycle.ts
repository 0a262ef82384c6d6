/**
 * One whole cycle, as `taskwire sync` and the daemon run it: capture from every enabled connector
 * (at the same time, each failure kept to its own connector), reconcile owners, evaluate and plan
 * follow-ups (flags and outbox in one transaction), and in send mode dispatch.
 */
import type { Logger } from 'pino';
import type { Connector } from '../../connectors/port.js';
import type { Engine } from '../core/engine.js';
import type { FlagDiff } from '../core/flags.js';
import type { Identity } from '../core/identity.js';
import type { Config } from '../config/schema.js';
import type { TaskStore } from '../store/store.js';
import { dispatchAll, type DispatchResult } from './dispatch.js';
import { capturedKey, evaluateAndPlan } from './followups.js';
import { reconcileOwners } from './ingest.js';
import { pollConnector, type PollSummary } from './poll.js';
import { reconcileDeletions } from './reconcile.js';

export interface CaptureOutcome {
  readonly connector: string;
  readonly ok: boolean;
  readonly summary?: PollSummary;
  readonly error?: string;
  readonly ms: number;
}

export interface CycleResult {
  readonly capture: readonly CaptureOutcome[];
  readonly ownersChanged: number;
  readonly diff: FlagDiff;
  readonly openFlags: number;
  readonly planned: number;
  readonly verified: number;
  readonly dispatch: DispatchResult | null;
}

export interface CycleDeps {
  readonly store: TaskStore;
  readonly connectors: readonly Connector[];
  readonly identity: Identity;
  readonly engine: Engine;
  readonly config: Config;
  readonly log: Logger;
  readonly now: () => number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (connector: string, progress: { items: number; pages: number }) => void;
}

/** Polls every connector at once; one that fails is reported and the others carry on. */
export async function captureAll(deps: Pick<CycleDeps, 'store' | 'connectors' | 'identity' | 'log' | 'now' | 'signal' | 'onProgress'>): Promise<CaptureOutcome[]> {
  const signal = deps.signal ?? new AbortController().signal;
  return Promise.all(
    deps.connectors.map(async (c): Promise<CaptureOutcome> => {
      const started = deps.now();
      try {
        const summary = await pollConnector(deps.store, c, deps.identity, signal, (p) => deps.onProgress?.(c.name, p));
        const reconciled = await reconcileDeletions(deps.store, c, deps.now(), { signal });
        if (reconciled.deleted.length > 0) deps.log.info({ connector: c.name, deleted: reconciled.deleted.length }, 'items gone from the tool soft-deleted');
        deps.log.info({ connector: c.name, pages: summary.pages, items: summary.items, inserted: summary.inserted, updated: summary.updated }, 'poll finished');
        return { connector: c.name, ok: true, summary, ms: deps.now() - started };
      } catch (err) {
        // The command prints the one line people need; the details are for debugging.
        deps.log.debug({ connector: c.name, err }, 'poll failed; the other connectors carry on');
        return { connector: c.name, ok: false, error: (err as Error).message, ms: deps.now() - started };
      }
    }),
  );
}

/**
 * A connector's first complete sync is its seed: everything it found then existed before taskwire, so
 * no messages are sent about it (status comments, which describe state, still roll out gradually).
 * The capture marks itself complete here; the next full evaluation — the first to see all of it, on
 * whichever replica evaluates — records the seed (see evaluateAndPlan).
 */
export async function markCaptured(store: TaskStore, outcomes: readonly CaptureOutcome[], at: string): Promise<void> {
  for (const o of outcomes) {
    if (o.ok && (await store.getMeta(capturedKey(o.connector))) === null) await store.setMeta(capturedKey(o.connector), at);
  }
}

export async function runCycle(deps: CycleDeps): Promise<CycleResult> {
  const capture = await captureAll(deps);
  const ownersChanged = await reconcileOwners(deps.store, deps.identity);
  const now = deps.now();
  await markCaptured(deps.store, capture, new Date(now).toISOString());
  const { evaluation, diff, planned, verified } = await evaluateAndPlan({ store: deps.store, engine: deps.engine, config: deps.config, identity: deps.identity }, now);
  const dispatch =
    deps.config.followups.mode === 'send'
      ? await dispatchAll({ store: deps.store, connectors: new Map(deps.connectors.map((c) => [c.name, c])), log: deps.log }, deps.signal ? { signal: deps.signal } : {})
      : null;
  return { capture, ownersChanged, diff, openFlags: evaluation.flags.length, planned, verified, dispatch };
}
