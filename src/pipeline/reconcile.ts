/**
 * Deletions nobody told us about: a tool whose webhooks were missed (or not set up) never says an item
 * is gone, and incremental polls only see what changed. Once a day, a connector that can list every key
 * in scope is asked for them; stored tasks missing from a complete answer are soft-deleted.
 */
import type { Connector } from '../../connectors/port.js';
import type { TaskStore } from '../store/store.js';

const EVERY_MS = 24 * 60 * 60 * 1000;

export async function reconcileDeletions(store: TaskStore, connector: Connector, now: number, opts: { force?: boolean; signal?: AbortSignal } = {}): Promise<{ checked: boolean; deleted: string[] }> {
  if (!connector.liveKeys) return { checked: false, deleted: [] };
  const key = `reconcile:${connector.name}`;
  const last = await store.getMeta(key);
  if (!opts.force && last !== null && now - Date.parse(last) < EVERY_MS) return { checked: false, deleted: [] };
  const live = new Set(await connector.liveKeys(opts.signal));
  const stored = await store.listTasks({ connector: connector.name });
  const at = new Date(now).toISOString();
  const gone = stored.filter((t) => !live.has(t.key));
  if (gone.length > 0) await store.applyBatch({ name: connector.name, kind: connector.kind }, gone.map((t) => ({ type: 'deleted', key: t.key, at })), null);
  await store.setMeta(key, at);
  return { checked: true, deleted: gone.map((t) => t.id) };
}
