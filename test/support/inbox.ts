/** Processes what the inbox holds, as the daemon's worker does (for tests that feed the intake directly). */
import type { Connector } from '../../connectors/port.js';
import { buildIdentity, type Identity } from '../../src/core/identity.js';
import { processInbox, type InboxTally } from '../../src/pipeline/inbox-worker.js';
import type { ApplyResult, TaskStore } from '../../src/store/store.js';
import { silentLog } from './github.js';

export async function drainInbox(store: TaskStore, connectors: Connector | readonly Connector[], identity: Identity = buildIdentity({ people: [], teams: [], discovered: [] })): Promise<InboxTally & { applied: ApplyResult[] }> {
  const list: readonly Connector[] = Array.isArray(connectors) ? (connectors as readonly Connector[]) : [connectors as Connector];
  const applied: ApplyResult[] = [];
  const tally = await processInbox({ store, connectors: new Map(list.map((c) => [c.name, c])), identity: () => identity, log: silentLog, onApplied: async (_c, a) => void applied.push(a) }, { baseBackoffMs: 1 });
  return { ...tally, applied };
}
