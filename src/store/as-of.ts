/**
 * The store as it stood at an instant (`--as-of`): a read-only view whose tasks are rebuilt from their
 * history, whose cycle-time samples and flag spans hold only what was known by then, and which has no
 * report delivered after it. Evaluating commands run on it unchanged; anything that would write refuses.
 */
import { samplesAsOf, startedTimes, worldAsOf } from '../core/asof.js';
import type { RecordedForecast } from '../core/calibration.js';
import type { AccountRef, HistoryEntry, Task } from '../core/model.js';
import { UsageError } from '../errors.js';
import type { OutboxRow } from './outbox.js';
import type { TaskQuery, TaskStore } from './store.js';

const WRITES = new Set(['applyBatch', 'resetCursor', 'recomputeOwners', 'applyFlags', 'applyEvaluation', 'verifyTask', 'recordAccounts', 'setMeta', 'deleteMeta', 'applyEvidence']);

export interface AsOfStore extends TaskStore {
  readonly asOf: string;
  /** The forecasts of the mornings before the instant as replayed from history (computed when first asked; empty when no replay was given). */
  replayedForecasts(): RecordedForecast[];
}

/**
 * Replays the mornings before the instant from every task and its history (the composition root's
 * engine does the work): for calibrating on when no forecasts were recorded by then.
 */
export type ReplayForecasts = (tasks: readonly Task[], history: ReadonlyMap<string, readonly HistoryEntry[]>, atMs: number) => RecordedForecast[];

export async function storeAsOf(store: TaskStore, asOfMs: number, ownerOf?: (assignees: readonly AccountRef[]) => string | null, replay?: ReplayForecasts): Promise<AsOfStore> {
  const asOf = new Date(asOfMs).toISOString();
  const history = await store.allHistory();
  const historyOf = (id: string): readonly HistoryEntry[] => history.get(id) ?? [];
  const all = await store.listTasks({ includeDeleted: true });
  const world = worldAsOf(all, historyOf, asOf, ownerOf);
  let replayed: RecordedForecast[] | undefined;
  const byId = new Map(world.map((t) => [t.id, t]));
  const samples = samplesAsOf(world, historyOf);
  // The outbox as it stood then: rows planned by then, each sent only if it was sent by then.
  const outbox = new Proxy(store.outbox, {
    get(target, prop, receiver) {
      if (prop === 'list') return async (q: Parameters<typeof target.list>[0]) => (await target.list(q)).filter((r: OutboxRow) => r.createdAt <= asOf);
      if (prop === 'past') return (since: string) => target.past(since, asOf);
      if (prop === 'commentedTasks') return () => target.commentedTasks(asOf);
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const overrides: Partial<Record<keyof AsOfStore, unknown>> = {
    asOf,
    replayedForecasts: () => (replayed ??= replay ? replay(all, history, asOfMs) : []),
    outbox,
    listTasks: async (q: TaskQuery = {}) => world.filter((t) => matches(t, q)),
    getTask: async (id: string) => byId.get(id) ?? null,
    cycleSamples: async () => samples,
    startedTimes: async () => startedTimes(world, historyOf, asOf),
    history: async (id: string) => historyOf(id).filter((h) => h.at <= asOf),
    listEvidence: async (q: Parameters<TaskStore['listEvidence']>[0] = {}) => (await store.listEvidence(q)).filter((e) => e.at <= asOf),
    lastHumanStatusChanges: async () => store.lastHumanStatusChanges(asOf),
    // A flag the daemon raised later was not open then; the planner treats it as new that morning.
    flagsOpenAt: (at: string) => store.flagsOpenAt(at < asOf ? at : asOf),
    statusHistoryBetween: async (from: string, to: string) => store.statusHistoryBetween(from, to < asOf ? to : asOf),
    flagSpans: async (since: string) => (await store.flagSpans(since)).filter((s) => s.from <= asOf).map((s) => ({ ...s, to: s.to !== null && s.to > asOf ? null : s.to })),
    // A report delivered after the instant did not exist yet.
    getMeta: async (key: string) => (key.startsWith('last_report') ? null : store.getMeta(key)),
    openFlags: async () => {
      throw new UsageError('stored flags are the present: with --as-of, flags come from evaluating the past');
    },
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && prop in overrides) return overrides[prop as keyof AsOfStore];
      if (typeof prop === 'string' && WRITES.has(prop)) {
        return async () => {
          throw new UsageError(`--as-of looks at the past: it cannot ${prop}`);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as unknown as AsOfStore;
}

function matches(t: Task, q: TaskQuery): boolean {
  if (q.flag !== undefined) throw new UsageError('stored flags are the present: with --as-of, flags come from evaluating the past');
  if (q.owner !== undefined && t.owner !== q.owner) return false;
  if (q.connector !== undefined && t.connector !== q.connector) return false;
  if (q.status !== undefined && q.status.length > 0 && !q.status.includes(t.status)) return false;
  return t.deletedAt === null || q.includeDeleted === true;
}
