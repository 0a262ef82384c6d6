/**
 * Every account is an owner: a task assigned to an account the registry does not know yet is owned by
 * that account (its queue and history are its own); once the account is mapped to a person, the stored
 * owners are recomputed and its finished work counts as the person's.
 */
import { describe, expect, it } from 'vitest';
import { buildIdentity } from '../../src/core/identity.js';
import { reconcileOwners } from '../../src/pipeline/ingest.js';
import { openDatabase } from '../../src/store/db.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { gh, taskFields } from '../support/tasks.js';

describe('owners from the identity registry', () => {
  it('an unmapped account owns its tasks, and its history joins the person it is later mapped to', async () => {
    const store = new SqliteStore(openDatabase(':memory:'));
    const before = buildIdentity({ people: [], teams: [] });
    await store.applyBatch({ name: 'github-acme', kind: 'github' }, [
      { type: 'task', task: taskFields({ key: 'a#1', assignees: [gh('carol-net')], status: 'in_progress', updatedAt: '2026-11-02T09:00:00Z' }), owner: null },
    ], null);
    await store.applyBatch({ name: 'github-acme', kind: 'github' }, [
      { type: 'task', task: taskFields({ key: 'a#1', assignees: [gh('carol-net')], status: 'done', doneAt: '2026-11-04T09:00:00Z', updatedAt: '2026-11-04T09:00:00Z' }), owner: null },
    ], null);
    await reconcileOwners(store, before);
    expect((await store.getTask('github-acme:a#1'))?.owner).toBe('github:carol-net');
    expect((await store.cycleSamples()).map((s) => s.owner)).toEqual(['github:carol-net']);

    const after = buildIdentity({ people: [{ id: 'carol', name: 'Carol Ng', accounts: { github: ['carol-net'] } }], teams: [] });
    expect(await reconcileOwners(store, after)).toBe(1);
    expect((await store.getTask('github-acme:a#1'))?.owner).toBe('carol');
    expect((await store.cycleSamples()).map((s) => s.owner)).toEqual(['carol']);
  });
});
