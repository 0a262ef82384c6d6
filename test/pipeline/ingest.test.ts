import { describe, expect, it } from 'vitest';
import { buildIdentity } from '../../src/core/identity.js';
import { ingestPage, reconcileOwners } from '../../src/pipeline/ingest.js';
import { pollConnector } from '../../src/pipeline/poll.js';
import type { Connector } from '../../connectors/port.js';
import { openDatabase } from '../../src/store/db.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { gh, taskItem } from '../support/tasks.js';

const GH = { name: 'github-acme', kind: 'github' } as const;
const people = [{ id: 'alex', name: 'Alex', accounts: { github: ['alexk'] } }];

describe('ingestPage', () => {
  it('resolves owners, records accounts seen and applies the page with its cursor', async () => {
    const store = new SqliteStore(openMemory());
    const identity = buildIdentity({ people, teams: [] });
    const r = await ingestPage(store, GH, identity, [
      taskItem({ key: 'a#1', assignees: [gh('alexk')], reporter: gh('stranger', { name: 'Stranger' }) }),
      taskItem({ key: 'a#2', assignees: [gh('alexk'), gh('someone')] }),
    ], { since: '2026-11-01' });
    expect(r.inserted).toBe(2);
    expect((await store.getTask('github-acme:a#1'))?.owner).toBe('alex');
    expect((await store.getTask('github-acme:a#2'))?.owner).toBeNull();
    expect((await store.listAccounts()).map((a) => a.id)).toEqual(['alexk', 'someone', 'stranger']);
    expect(await store.getCursor('github-acme')).toEqual({ since: '2026-11-01' });
  });

  it('recomputes owners once when the people registry changes', async () => {
    const store = new SqliteStore(openMemory());
    await ingestPage(store, GH, buildIdentity({ people, teams: [] }), [taskItem({ key: 'a#1', assignees: [gh('samr')] })], null);
    expect(await reconcileOwners(store, buildIdentity({ people, teams: [] }))).toBe(0);
    const grown = buildIdentity({ people: [...people, { id: 'sam', name: 'Sam', accounts: { github: ['samr'] } }], teams: [] });
    expect(await reconcileOwners(store, grown)).toBe(1);
    expect((await store.getTask('github-acme:a#1'))?.owner).toBe('sam');
    expect(await reconcileOwners(store, grown)).toBe(0);
  });
});

describe('pollConnector', () => {
  const connector = (pages: number, perPage: number): Connector =>
    ({
      name: 'github-acme',
      kind: 'github',
      async *poll() {
        for (let p = 0; p < pages; p++) yield { items: Array.from({ length: perPage }, (_, i) => taskItem({ key: `a#${p * perPage + i}` })), cursor: { page: p } };
      },
    }) as unknown as Connector;

  it('lists the changed tasks for an incremental evaluation, and past 5,000 (a backfill) says "many" instead', async () => {
    const identity = buildIdentity({ people, teams: [] });
    const few = await pollConnector(new SqliteStore(openMemory()), connector(3, 10), identity, new AbortController().signal);
    expect(few).toMatchObject({ inserted: 30, changedMany: false });
    expect(few.changed).toHaveLength(30);
    const many = await pollConnector(new SqliteStore(openMemory()), connector(60, 100), identity, new AbortController().signal);
    expect(many).toMatchObject({ inserted: 6000, changedMany: true, changed: [] });
  });
});

function openMemory() {
  return openDatabase(':memory:');
}
