/**
 * One poll of one connector: page by page from its stored cursor, each page and the cursor that covers
 * it applied in one transaction before the next page is asked for — so a failure part-way resumes
 * after the last stored page, and nothing is read twice into the history. Under a lease (replicas on
 * PostgreSQL), each page is written only while the lease is still this process's.
 */
import type { Connector } from '../../connectors/port.js';
import type { Identity } from '../core/identity.js';
import type { TaskStore } from '../store/store.js';
import type { LeaseFence } from '../store/leases.js';
import { ingestPage } from './ingest.js';

export interface PollSummary {
  readonly connector: string;
  readonly pages: number;
  readonly items: number;
  readonly inserted: number;
  readonly updated: number;
  readonly evidence: number;
  readonly activity: number;
  /** Items recorded as failing in this poll (their detail could not be read; read again later). */
  readonly failed: number;
  /** Ids of tasks whose stored state changed (empty when `changedMany`). */
  readonly changed: readonly string[];
  /** More tasks changed than are worth listing (a backfill): evaluate everything instead. */
  readonly changedMany: boolean;
  /** The connector had no cursor: this was its first sync (a backfill, seeded silently). */
  readonly firstSync: boolean;
}

export async function pollConnector(
  store: TaskStore,
  connector: Connector,
  identity: Identity,
  signal: AbortSignal,
  onPage?: (page: { items: number; pages: number }) => void,
  lease?: LeaseFence,
): Promise<PollSummary> {
  const start = await store.getCursor(connector.name);
  const summary = { connector: connector.name, pages: 0, items: 0, inserted: 0, updated: 0, evidence: 0, activity: 0, failed: 0, firstSync: start === null };
  // A backfill changes every task: past a point the ids are not kept (they would only ask for a full
  // evaluation anyway, and 200k of them are tens of MiB).
  let changed: Set<string> | null = new Set<string>();
  if (!connector.poll) return { ...summary, changed: [], changedMany: false };
  for await (const page of connector.poll(start, signal)) {
    const r = await ingestPage(store, { name: connector.name, kind: connector.kind }, identity, page.items, page.cursor, lease);
    summary.pages++;
    summary.items += page.items.length;
    summary.inserted += r.inserted;
    summary.updated += r.updated;
    summary.evidence += r.evidence;
    summary.activity += r.activity;
    summary.failed += r.failed;
    if (changed !== null) for (const id of r.changed) changed.add(id);
    if (changed !== null && changed.size > MAX_LISTED) changed = null;
    onPage?.({ items: summary.items, pages: summary.pages });
  }
  // Items that failed before, due to be read again (with backoff): one at a time, none blocking the rest.
  const due = connector.refresh ? await store.dueItemFailures(connector.name, MAX_REFRESHED) : [];
  if (due.length > 0 && connector.refresh) {
    for await (const page of connector.refresh(due, signal)) {
      const r = await ingestPage(store, { name: connector.name, kind: connector.kind }, identity, page.items, null, lease);
      summary.items += page.items.length;
      summary.inserted += r.inserted;
      summary.updated += r.updated;
      summary.failed += r.failed;
      if (changed !== null) for (const id of r.changed) changed.add(id);
    }
  }
  return { ...summary, changed: changed === null ? [] : [...changed], changedMany: changed === null };
}

/** Changed tasks listed for an incremental evaluation; beyond this, the whole world is evaluated. */
const MAX_LISTED = 5_000;
/** Failing items read again per poll, at most. */
const MAX_REFRESHED = 50;
