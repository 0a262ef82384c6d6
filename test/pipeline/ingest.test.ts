import { describe, expect, it } from 'vitest';
import { buildIdentity } from '../../src/core/identity.js';
import { ingestPage, reconcileOwners } from '../../src/pipeline/ingest.js';
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

function openMemory() {
  return openDatabase(':memory:');
}
