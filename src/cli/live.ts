/** Commands that show flags evaluate the store as of now, in memory (nothing is written). */
import type { Engine, Evaluation } from '../core/engine.js';
import { engineFromConfig, loadIdentity, openStore } from '../main.js';
import { loadAndEvaluate } from '../pipeline/evaluate.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import type { CommandContext } from './context.js';

export interface Live {
  readonly store: SqliteStore;
  readonly engine: Engine;
  readonly evaluation: Evaluation;
}

export async function withLiveEvaluation<T>(ctx: CommandContext, now: number, fn: (live: Live) => Promise<T>): Promise<T> {
  const store = openStore(ctx.config, ctx.io.cwd, () => now);
  try {
    const engine = engineFromConfig(ctx.config, await loadIdentity(ctx.config, store));
    const evaluation = await loadAndEvaluate(store, engine, now);
    return await fn({ store, engine, evaluation });
  } finally {
    await store.close();
  }
}
