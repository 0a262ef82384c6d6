/**
 * Commands that show flags evaluate the store in memory (nothing is written) — as of now, or with
 * `--as-of` as of an instant in the past: tasks rebuilt from their history, and only what was known then.
 */
import { startOfDay } from '../core/calendar.js';
import type { Engine, Evaluation } from '../core/engine.js';
import { UsageError } from '../errors.js';
import { engineFromConfig, loadIdentity, openStore } from '../main.js';
import { loadAndEvaluate } from '../pipeline/evaluate.js';
import type { Identity } from '../core/identity.js';
import { replayForecasts } from '../pipeline/backtest.js';
import { storeAsOf, type AsOfStore } from '../store/as-of.js';
import type { TaskStore } from '../store/store.js';
import type { CommandContext } from './context.js';

export interface Live {
  readonly store: TaskStore;
  readonly engine: Engine;
  readonly evaluation: Evaluation;
  /** The instant evaluated. */
  readonly now: number;
}

export async function withLiveEvaluation<T>(ctx: CommandContext, now: number, fn: (live: Live) => Promise<T>, asOf?: string): Promise<T> {
  const sqlite = await openStore(ctx.config, ctx.io.cwd, () => now);
  try {
    const identity = await loadIdentity(ctx.config, sqlite);
    const at = asOf === undefined ? now : parseAsOf(asOf, ctx, now);
    const store = asOf === undefined ? sqlite : await asOfStore(ctx, sqlite, identity, at);
    const engine = engineFromConfig(ctx.config, identity);
    const evaluation = await loadAndEvaluate(store, engine, at);
    return await fn({ store, engine, evaluation, now: at });
  } finally {
    await sqlite.close();
  }
}

/**
 * The store as it stood at `at` (`--as-of`). Where no forecast recorded by then has resolved, the
 * mornings before it are replayed from history to calibrate on, as `taskwire backtest` does.
 */
export function asOfStore(ctx: Pick<CommandContext, 'config' | 'log'>, store: TaskStore, identity: Identity, at: number): Promise<AsOfStore> {
  return storeAsOf(store, at, (a) => identity.ownership(a).owner, (tasks, history, atMs) => {
    const started = performance.now();
    const forecasts = replayForecasts({ config: ctx.config, identity }, tasks, history, atMs);
    ctx.log.info({ forecasts: forecasts.length, ms: Math.round(performance.now() - started) }, '--as-of: no forecast recorded by then had resolved; calibrated on the earlier mornings replayed from history');
    return forecasts;
  });
}

/**
 * `--as-of`: a date is that morning (the start of working hours, team time zone) — what the daily
 * report would have seen; a date-time is taken as written (UTC unless it has an offset).
 */
export function parseAsOf(s: string, ctx: Pick<CommandContext, 'config'>, now: number): number {
  let t: number;
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    const [h, m] = ctx.config.calendar.hours.start.split(':').map(Number);
    t = startOfDay(s, ctx.config.timezone) + ((h ?? 0) * 60 + (m ?? 0)) * 60_000;
  } else {
    t = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(s) ? s : `${s}Z`);
  }
  if (Number.isNaN(t)) throw new UsageError(`--as-of: "${s}" is not a date (YYYY-MM-DD) or date-time (2026-10-01T09:00)`);
  if (t > now) throw new UsageError(`--as-of: ${new Date(t).toISOString()} is in the future`);
  return t;
}
