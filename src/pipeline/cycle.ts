/**
 * One whole cycle, as `taskwire sync` and the daemon run it: capture from every enabled connector
 * (at the same time, each failure kept to its own connector), reconcile owners, evaluate and record the
 * flag diff. Follow-ups are planned from that diff (see `followups.ts`).
 */
import type { Logger } from 'pino';
import type { Connector } from '../../connectors/port.js';
import type { Engine } from '../core/engine.js';
import type { FlagDiff } from '../core/flags.js';
import type { Identity } from '../core/identity.js';
import type { TaskStore } from '../store/store.js';
import { evaluateAll } from './evaluate.js';
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
}

export interface CycleDeps {
  readonly store: TaskStore;
  readonly connectors: readonly Connector[];
  readonly identity: Identity;
  readonly engine: Engine;
  readonly log: Logger;
  readonly now: () => number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (connector: string, progress: { items: number; pages: number }) => void;
}

/** Polls every connector at once; one that fails is reported and the others carry on. */
export async function captureAll(deps: Omit<CycleDeps, 'engine'>): Promise<CaptureOutcome[]> {
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
        deps.log.warn({ connector: c.name, err }, 'poll failed; the other connectors carry on');
        return { connector: c.name, ok: false, error: (err as Error).message, ms: deps.now() - started };
      }
    }),
  );
}

export async function runCycle(deps: CycleDeps): Promise<CycleResult> {
  const capture = await captureAll(deps);
  const ownersChanged = await reconcileOwners(deps.store, deps.identity);
  const { evaluation, diff } = await evaluateAll(deps.store, deps.engine, deps.now());
  return { capture, ownersChanged, diff, openFlags: evaluation.flags.length };
}
