/**
 * Evaluate: the store's tasks and history → the engine (pure) → the flag diff, recorded in one
 * transaction. The follow-up planner (issue 8) plans from the returned diff.
 */
import type { Engine, Evaluation } from '../core/engine.js';
import type { FlagDiff } from '../core/flags.js';
import type { AsOfStore } from '../store/as-of.js';
import type { TaskStore } from '../store/store.js';
import { recordedForecasts } from './forecasts.js';

export interface EvaluateResult {
  readonly evaluation: Evaluation;
  readonly diff: FlagDiff;
}

/**
 * Loads every task and the finished-task history into the engine, calibrates it on the forecasts of
 * earlier days that have resolved, and evaluates the world as of `now`. The store as it stood at an
 * instant (`--as-of`) with no recorded forecast resolved by then calibrates on the mornings before it
 * replayed from history instead, as `taskwire backtest` makes them.
 */
export async function loadAndEvaluate(store: TaskStore, engine: Engine, now: number): Promise<Evaluation> {
  const [tasks, samples, started, forecasts] = await Promise.all([store.listTasks(), store.cycleSamples(), store.startedTimes(), recordedForecasts(store)]);
  engine.load(tasks, samples, started);
  if (engine.calibrateFrom(forecasts, now) === 0 && isAsOf(store)) engine.calibrateFrom(store.replayedForecasts(), now);
  return engine.evaluate(now);
}

function isAsOf(store: TaskStore): store is AsOfStore {
  return typeof (store as Partial<AsOfStore>).replayedForecasts === 'function';
}

/** A full evaluation whose flags are recorded (first seen, last seen, resolved). */
export async function evaluateAll(store: TaskStore, engine: Engine, now: number): Promise<EvaluateResult> {
  const evaluation = await loadAndEvaluate(store, engine, now);
  const diff = await store.applyFlags('all', evaluation.flags, new Date(now).toISOString());
  return { evaluation, diff };
}

/** Re-evaluates only what the changed tasks touch (after an ingest), and records that part. */
export async function evaluateChanged(store: TaskStore, engine: Engine, changedIds: readonly string[], now: number): Promise<EvaluateResult> {
  const changed = [];
  const removed: string[] = [];
  for (const id of changedIds) {
    const t = await store.getTask(id);
    if (t === null || t.deletedAt !== null) removed.push(id);
    else changed.push(t);
  }
  const evaluation = engine.apply(changed, removed, now);
  const scope = evaluation.scope === 'all' ? 'all' : new Set([...evaluation.scope, ...removed]);
  const diff = await store.applyFlags(scope, evaluation.flags, new Date(now).toISOString());
  return { evaluation, diff };
}
