/**
 * One poll of one connector: page by page from its stored cursor, each page and the cursor that covers
 * it applied in one transaction before the next page is asked for — so a failure part-way resumes
 * after the last stored page, and nothing is read twice into the history.
 */
import type { Connector } from '../../connectors/port.js';
import type { Identity } from '../core/identity.js';
import type { TaskStore } from '../store/store.js';
import { ingestPage } from './ingest.js';

export interface PollSummary {
  readonly connector: string;
  readonly pages: number;
  readonly items: number;
  readonly inserted: number;
  readonly updated: number;
  readonly evidence: number;
  readonly activity: number;
  /** Ids of tasks whose stored state changed. */
  readonly changed: readonly string[];
  /** The connector had no cursor: this was its first sync (a backfill, seeded silently). */
  readonly firstSync: boolean;
}

export async function pollConnector(
  store: TaskStore,
  connector: Connector,
  identity: Identity,
  signal: AbortSignal,
  onPage?: (page: { items: number; pages: number }) => void,
): Promise<PollSummary> {
  const start = await store.getCursor(connector.name);
  const summary = { connector: connector.name, pages: 0, items: 0, inserted: 0, updated: 0, evidence: 0, activity: 0, firstSync: start === null };
  const changed = new Set<string>();
  if (!connector.poll) return { ...summary, changed: [] };
  for await (const page of connector.poll(start, signal)) {
    const r = await ingestPage(store, { name: connector.name, kind: connector.kind }, identity, page.items, page.cursor);
    summary.pages++;
    summary.items += page.items.length;
    summary.inserted += r.inserted;
    summary.updated += r.updated;
    summary.evidence += r.evidence;
    summary.activity += r.activity;
    for (const id of r.changed) changed.add(id);
    onPage?.({ items: summary.items, pages: summary.pages });
  }
  return { ...summary, changed: [...changed] };
}
