/**
 * What connectors' own state says about tasks (e.g. which GitHub project planned a due date, and where
 * two projects disagree), read from the store for `explain` and `health`.
 */
import { findConnectorModule } from '../../connectors/index.js';
import type { TaskNotes } from '../../connectors/port.js';
import type { Config } from '../config/schema.js';
import type { TaskStore } from '../store/store.js';

async function read(store: TaskStore, connector: string, kind: string, key?: string): Promise<ReadonlyMap<string, TaskNotes>> {
  const notes = findConnectorModule(kind)?.notes;
  if (!notes) return new Map();
  const ns = `connector:${connector}:`;
  const entries = (await store.listMeta(ns + notes.prefix(key))).map(([k, v]) => [k.slice(ns.length), v] as const);
  return notes.read(entries);
}

/** One task's notes, or null when its connector keeps none. */
export async function taskNotes(store: TaskStore, config: Config, task: { readonly connector: string; readonly key: string }): Promise<TaskNotes | null> {
  const c = config.connectors.find((x) => x.name === task.connector);
  if (!c) return null;
  return (await read(store, c.name, c.type, task.key)).get(task.key) ?? null;
}

/** Every task whose sources disagree (two projects saying different due dates), by connector. */
export async function conflicts(store: TaskStore, config: Config): Promise<{ connector: string; key: string; conflicts: readonly string[] }[]> {
  const out: { connector: string; key: string; conflicts: readonly string[] }[] = [];
  for (const c of config.connectors) {
    for (const [key, n] of await read(store, c.name, c.type)) if (n.conflicts.length > 0) out.push({ connector: c.name, key, conflicts: n.conflicts });
  }
  return out;
}
