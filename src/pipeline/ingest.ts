/**
 * Ingest: a page of connector items → owners resolved through the identity registry → one store batch
 * (items + cursor in one transaction). Accounts seen on the way are recorded for `taskwire people`.
 */
import { createHash } from 'node:crypto';
import type { Identity } from '../core/identity.js';
import type { Cursor, ExternalAccount, SourceItem } from '../core/model.js';
import type { LeaseFence } from '../store/leases.js';
import type { ApplyResult, ConnectorId, StoreItem, TaskStore } from '../store/store.js';

export async function ingestPage(store: TaskStore, connector: ConnectorId, identity: Identity, items: readonly SourceItem[], cursor: Cursor | null, lease?: LeaseFence): Promise<ApplyResult> {
  const { storeItems, accounts } = resolveItems(connector, identity, items);
  if (accounts.length > 0) await store.recordAccounts(accounts);
  return store.applyBatch(connector, storeItems, cursor, lease);
}

/** Owners resolved through the identity registry, and the accounts seen on the way. */
export function resolveItems(connector: ConnectorId, identity: Identity, items: readonly SourceItem[]): { storeItems: StoreItem[]; accounts: ExternalAccount[] } {
  const seen = new Map<string, ExternalAccount>();
  const storeItems: StoreItem[] = items.map((item) => {
    if (item.type !== 'task') return item;
    for (const a of [...item.task.assignees, ...(item.task.reporter ? [item.task.reporter] : [])]) {
      seen.set(`${a.kind}:${a.id}`, { ...a, connector: connector.name });
    }
    return { ...item, owner: identity.ownership(item.task.assignees).owner };
  });
  return { storeItems, accounts: [...seen.values()] };
}

const IDENTITY_KEY = 'identity_fingerprint';

/**
 * When the people/teams config (or a discovered email) changed since the owners were computed,
 * recompute every task's owner. Returns how many owners changed.
 */
export async function reconcileOwners(store: TaskStore, identity: Identity): Promise<number> {
  const fingerprint = createHash('sha256').update(identity.fingerprint).digest('hex');
  if ((await store.getMeta(IDENTITY_KEY)) === fingerprint) return 0;
  const changed = await store.recomputeOwners((assignees) => identity.ownership(assignees).owner);
  await store.setMeta(IDENTITY_KEY, fingerprint);
  return changed;
}
