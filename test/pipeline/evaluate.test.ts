import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { evaluateAll, evaluateChanged } from '../../src/pipeline/evaluate.js';
import type { StoreItem } from '../../src/store/store.js';
import { gh, taskFields } from '../support/tasks.js';
import { engine } from '../support/engine.js';

const GH = { name: 'github-acme', kind: 'github' } as const;
const D1 = Date.parse('2026-11-25T08:00:00Z');
const D2 = Date.parse('2026-11-26T08:00:00Z');
const item = (over: Parameters<typeof taskFields>[0], owner: string | null = 'alex'): StoreItem => ({
  type: 'task',
  task: taskFields({ assignees: owner ? [gh('alexk')] : [], acceptanceCriteria: 'ok', due: '2026-12-10', ...over }),
  owner,
});

describe('flag lifecycle in the store', () => {
  it('opens, keeps and resolves flags with first seen, last seen and resolved times', async () => {
    const store = new SqliteStore(openDatabase(':memory:'));
    await store.applyBatch(GH, [item({ key: 'a#1' }, null), item({ key: 'a#2', due: null })], null);
    const e = engine();
    const first = await evaluateAll(store, e, D1);
    expect(first.diff.opened.map((f) => `${f.taskId} ${f.code}`).sort()).toEqual(['github-acme:a#1 no_owner', 'github-acme:a#2 no_due_date']);

    // a#2 gets a due date; a#1 is still ownerless a day later.
    const r = await store.applyBatch(GH, [item({ key: 'a#2', due: '2026-12-01', updatedAt: '2026-11-25T12:00:00Z' })], null);
    const second = await evaluateChanged(store, e, r.changed, D2);
    expect(second.diff.resolved.map((f) => `${f.taskId} ${f.code}`)).toEqual(['github-acme:a#2 no_due_date']);
    expect(second.diff.resolved[0]?.resolvedAt).toBe('2026-11-26T08:00:00.000Z');
    expect(second.diff.opened).toEqual([]);

    const third = await evaluateAll(store, e, D2);
    expect(third.diff.stillOpen.map((f) => f.code)).toEqual(['no_owner']);
    const open = await store.openFlags();
    expect(open).toEqual([
      expect.objectContaining({ taskId: 'github-acme:a#1', code: 'no_owner', firstSeenAt: '2026-11-25T08:00:00.000Z', lastSeenAt: '2026-11-26T08:00:00.000Z', resolvedAt: null }),
    ]);
    expect((await store.listTasks({ flag: 'no_owner' })).map((t) => t.key)).toEqual(['a#1']);
  });

  it('resolves the flags of a task that was deleted', async () => {
    const store = new SqliteStore(openDatabase(':memory:'));
    await store.applyBatch(GH, [item({ key: 'a#1' }, null)], null);
    const e = engine();
    await evaluateAll(store, e, D1);
    const r = await store.applyBatch(GH, [{ type: 'deleted', key: 'a#1', at: '2026-11-25T09:00:00Z' }], null);
    const after = await evaluateChanged(store, e, r.changed, D1);
    expect(after.diff.resolved.map((f) => f.code)).toEqual(['no_owner']);
    expect(await store.openFlags()).toEqual([]);
  });

  it('learns cycle times from the history of finished tasks', async () => {
    const store = new SqliteStore(openDatabase(':memory:'));
    await store.applyBatch(GH, [item({ key: 'a#1', status: 'todo', createdAt: '2026-11-02T08:00:00Z', updatedAt: '2026-11-02T08:00:00Z' })], null);
    await store.applyBatch(GH, [item({ key: 'a#1', status: 'in_progress', updatedAt: '2026-11-03T08:00:00Z' })], null);
    await store.applyBatch(GH, [item({ key: 'a#1', status: 'done', doneAt: '2026-11-04T12:00:00Z', updatedAt: '2026-11-04T12:00:00Z' })], null);
    expect(await store.cycleSamples()).toEqual([
      { taskId: 'github-acme:a#1', owner: 'alex', project: null, type: 'issue', startedAt: '2026-11-03T08:00:00.000Z', doneAt: '2026-11-04T12:00:00.000Z', estimateS: null, spentS: null },
    ]);
  });
});
