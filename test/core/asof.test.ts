import { describe, expect, it } from 'vitest';
import { samplesAsOf, taskAsOf, worldAsOf } from '../../src/core/asof.js';
import type { HistoryEntry, Task } from '../../src/core/model.js';
import { gh, task } from '../support/tasks.js';

const T = (s: string) => `2026-11-${s}Z`;
const change = (field: string, from: unknown, to: unknown, at: string, extra: Partial<HistoryEntry> = {}): HistoryEntry => ({
  taskId: 'github-acme:acme/infra#1',
  field,
  oldValue: from === null ? null : JSON.stringify(from),
  newValue: to === null ? null : JSON.stringify(to),
  at,
  actor: 'human',
  actorId: 'alexk',
  source: 'diff',
  ...extra,
});

/** A task as it is now, after one change to each tracked field at 10:00 on the 10th. */
const AT = T('10T10:00:00.000');
const now: Task = task({
  key: 'acme/infra#1',
  title: 'New title',
  description: 'New description',
  status: 'in_progress',
  priority: 'high',
  assignees: [gh('alexk')],
  owner: 'alex',
  due: '2026-11-20',
  acceptanceCriteria: 'new criteria',
  estimateS: 7200,
  spentS: 3600,
  remainingS: 3600,
  parent: 'github-acme:acme/infra#9',
  dependsOn: ['jira:OPS-2'],
  labels: ['P1'],
  project: 'acme/infra',
  milestone: 'Cutover',
  createdAt: T('02T09:00:00.000'),
  updatedAt: AT,
  lastHumanActivityAt: AT,
});
const before: Record<string, unknown> = {
  title: 'Old title',
  description: 'Old description',
  status: 'todo',
  priority: 'low',
  assignees: [],
  owner: null,
  due: '2026-11-13',
  acceptanceCriteria: null,
  estimateS: 3600,
  spentS: null,
  remainingS: null,
  parent: null,
  dependsOn: [],
  labels: [],
  project: 'acme/old',
  milestone: null,
};
const history = Object.entries(before).map(([field, old]) => change(field, old, now[field as keyof Task], AT));

describe('a task as of an instant', () => {
  it.each(Object.keys(before))('%s: the old value just before the change, the new value at and after it', (field) => {
    const justBefore = taskAsOf(now, history, T('10T09:59:59.999'))!;
    const at = taskAsOf(now, history, AT)!;
    const after = taskAsOf(now, history, T('10T10:00:00.001'))!;
    expect(justBefore[field as keyof Task]).toEqual(before[field]);
    expect(at[field as keyof Task]).toEqual(now[field as keyof Task]);
    expect(after[field as keyof Task]).toEqual(now[field as keyof Task]);
  });

  it('does not exist before it was created; human activity and the last update are bounded by the instant', () => {
    expect(taskAsOf(now, history, T('02T08:59:59.999'))).toBeNull();
    const early = taskAsOf(now, history, T('05T12:00:00.000'))!;
    expect(early.lastHumanActivityAt).toBe(now.createdAt);
    expect(early.updatedAt).toBe(now.createdAt);
    expect(taskAsOf(now, history, T('11T00:00:00.000'))!.lastHumanActivityAt).toBe(AT);
  });

  it('undoes several changes of one field back to the value it had, and sets done/verified times by the last move', () => {
    const t = task({ key: 'acme/infra#2', status: 'verified', createdAt: T('01T09:00:00.000'), doneAt: T('12T09:00:00.000'), verifiedAt: T('13T09:00:00.000') });
    const h = [
      change('status', 'todo', 'in_progress', T('03T09:00:00.000')),
      change('status', 'in_progress', 'done', T('06T09:00:00.000')),
      change('status', 'done', 'in_progress', T('08T09:00:00.000')), // reopened
      change('status', 'in_progress', 'done', T('12T09:00:00.000')),
      change('status', 'done', 'verified', T('13T09:00:00.000')),
    ];
    expect(taskAsOf(t, h, T('02T09:00:00.000'))!.status).toBe('todo');
    expect(taskAsOf(t, h, T('07T09:00:00.000'))).toMatchObject({ status: 'done', doneAt: T('06T09:00:00.000'), verifiedAt: null });
    expect(taskAsOf(t, h, T('09T09:00:00.000'))).toMatchObject({ status: 'in_progress', doneAt: null });
    expect(taskAsOf(t, h, T('12T12:00:00.000'))).toMatchObject({ status: 'done', doneAt: T('12T09:00:00.000'), verifiedAt: null });
    expect(taskAsOf(t, h, T('14T09:00:00.000'))).toMatchObject({ status: 'verified', verifiedAt: T('13T09:00:00.000') });
  });

  it("prefers the tool's own time for a change over taskwire's later sighting of it", () => {
    const t = task({ key: 'OPS-1', status: 'done', createdAt: T('01T09:00:00.000'), doneAt: T('05T10:00:00.000') });
    const h = [
      change('status', 'in_progress', 'done', T('05T10:00:00.000'), { source: 'source' }),
      change('status', 'in_progress', 'done', T('05T16:00:00.000'), { source: 'diff' }), // seen at the next update
    ];
    expect(taskAsOf(t, h, T('05T12:00:00.000'))!.status).toBe('done');
  });

  it('recomputes the owner from the assignees when only the assignees are in the history', () => {
    const t = task({ key: 'OPS-3', assignees: [{ kind: 'jira', id: 'acc-sam' }], owner: 'sam', createdAt: T('01T09:00:00.000') });
    const h = [change('assignees', [{ kind: 'jira', id: 'acc-alex' }], [{ kind: 'jira', id: 'acc-sam' }], T('05T09:00:00.000'), { source: 'source' })];
    const ownerOf = (a: readonly { id: string }[]) => (a[0]?.id === 'acc-alex' ? 'alex' : a[0]?.id === 'acc-sam' ? 'sam' : null);
    expect(taskAsOf(t, h, T('04T09:00:00.000'), ownerOf)).toMatchObject({ owner: 'alex', assignees: [{ kind: 'jira', id: 'acc-alex' }] });
  });

  it('brings back a task deleted later', () => {
    const t = task({ key: 'OPS-4', createdAt: T('01T09:00:00.000'), deletedAt: T('09T09:00:00.000') });
    expect(taskAsOf(t, [], T('05T09:00:00.000'))!.deletedAt).toBeNull();
    expect(taskAsOf(t, [], T('10T09:00:00.000'))!.deletedAt).toBe(T('09T09:00:00.000'));
  });
});

describe('cycle-time samples as of an instant', () => {
  it('holds only work finished by then, started at its first move to in progress by then', () => {
    const a = task({ key: 'OPS-10', status: 'done', owner: 'sam', createdAt: T('01T09:00:00.000'), doneAt: T('04T09:00:00.000') });
    const b = task({ key: 'OPS-11', status: 'done', owner: 'sam', createdAt: T('01T09:00:00.000'), doneAt: T('12T09:00:00.000') });
    const hist: Record<string, HistoryEntry[]> = {
      [a.id]: [change('status', 'todo', 'in_progress', T('02T09:00:00.000'), { taskId: a.id }), change('status', 'in_progress', 'done', T('04T09:00:00.000'), { taskId: a.id })],
      [b.id]: [change('status', 'todo', 'in_progress', T('03T09:00:00.000'), { taskId: b.id }), change('status', 'in_progress', 'done', T('12T09:00:00.000'), { taskId: b.id })],
    };
    const historyOf = (id: string) => hist[id] ?? [];
    const world = worldAsOf([a, b], historyOf, T('06T09:00:00.000'));
    expect(world.map((t) => t.status)).toEqual(['done', 'in_progress']);
    expect(samplesAsOf(world, historyOf)).toEqual([expect.objectContaining({ taskId: a.id, startedAt: T('02T09:00:00.000'), doneAt: T('04T09:00:00.000') })]);
  });
});
