import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Flag, Task, TaskStatus } from '../../src/core/model.js';
import { gh, task } from '../support/tasks.js';
import { engine } from '../support/engine.js';

const NOW = Date.parse('2026-11-25T08:00:00Z');
const H = 3600;
const STATUSES: TaskStatus[] = ['todo', 'in_progress', 'blocked', 'in_review', 'done', 'verified', 'cancelled'];
const OWNERS = [['alexk', 'alex'], ['samr', 'sam'], ['stranger', null], [null, null]] as const;

/** A random task in a world of n tasks, with random references to others (cycles included). */
const arbTask = (i: number, n: number) =>
  fc.record({
    status: fc.constantFrom(...STATUSES),
    owner: fc.constantFrom(...OWNERS),
    due: fc.option(fc.integer({ min: -5, max: 15 }).map((d) => new Date(Date.parse('2026-11-25') + d * 86_400_000).toISOString().slice(0, 10)), { nil: null }),
    estimateS: fc.option(fc.integer({ min: 1, max: 40 }).map((h) => h * H), { nil: null }),
    deps: fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: 2 }),
    parent: fc.option(fc.integer({ min: 0, max: n - 1 }), { nil: null }),
  }).map((r): Task =>
    task({
      key: `a#${i}`,
      status: r.status,
      assignees: r.owner[0] ? [gh(r.owner[0])] : [],
      owner: r.owner[1],
      due: r.due,
      estimateS: r.estimateS,
      dependsOn: r.deps.filter((d) => d !== i).map((d) => `github-acme:a#${d}`),
      parent: r.parent === null || r.parent === i ? null : `github-acme:a#${r.parent}`,
      doneAt: r.status === 'done' ? '2026-11-20T10:00:00Z' : null,
    }),
  );

const N = 12;
const world = fc.tuple(...Array.from({ length: N }, (_, i) => arbTask(i, N)));
const byKey = (f: Flag) => `${f.taskId} ${f.code} ${f.reason}`;

describe('incremental evaluation', () => {
  it('gives the same flags as evaluating the world again, after any change', () => {
    fc.assert(
      fc.property(world, fc.integer({ min: 0, max: N - 1 }), arbTask(0, N), fc.boolean(), (tasks, which, replacement, remove) => {
        const e = engine();
        e.load(tasks, []);
        e.evaluate(NOW);
        const changed = { ...replacement, key: `a#${which}`, id: `github-acme:a#${which}` };
        const next = tasks.map((t, i) => (i === which ? changed : t)).filter((_, i) => !(remove && i === which));
        if (remove) e.apply([], [changed.id], NOW);
        else e.apply([changed], [], NOW);

        const fresh = engine();
        fresh.load(next, []);
        fresh.evaluate(NOW);
        expect(e.currentFlags().map(byKey).sort()).toEqual(fresh.currentFlags().map(byKey).sort());
      }),
      { numRuns: 200 },
    );
  });

  it('re-evaluates the changed task, what depends on it and its owner’s queue, not the world', () => {
    const e = engine();
    const tasks = [
      task({ key: 'a#1', owner: 'alex', assignees: [gh('alexk')], due: '2026-11-30' }),
      task({ key: 'a#2', owner: 'sam', assignees: [gh('samr')], due: '2026-12-01', dependsOn: ['github-acme:a#1'] }),
      task({ key: 'a#3', owner: 'alex', assignees: [gh('alexk')], due: '2026-12-02' }),
      task({ key: 'a#4', owner: 'sam', assignees: [gh('samr')], due: '2026-12-03' }),
      task({ key: 'a#5', parent: 'github-acme:a#2' }),
    ];
    e.load(tasks, []);
    e.evaluate(NOW);
    const ev = e.apply([{ ...tasks[0]!, due: '2026-12-05' }], [], NOW);
    expect([...(ev.scope as Set<string>)].sort()).toEqual(['github-acme:a#1', 'github-acme:a#2', 'github-acme:a#3']);
  });
});

describe('explain and health', () => {
  it('explains a task: flags, ownership, graph and risk inputs', () => {
    const e = engine();
    e.load([
      task({ key: 'a#1', owner: 'alex', assignees: [gh('alexk')], due: '2026-11-25', estimateS: 24 * H, dependsOn: ['jira:OPS-404'], milestone: 'Cutover' }),
    ], []);
    e.evaluate(NOW);
    const x = e.explain('jira:nope');
    expect(x).toBeNull();
    const ex = e.explain('github-acme:a#1')!;
    expect(ex.ownership.owner).toBe('alex');
    expect(ex.unresolved).toEqual(['jira:OPS-404']);
    expect(ex.flags.map((f) => f.code)).toContain('deadline_at_risk');
    expect(ex.risk?.inputs).toMatchObject({ workHours: 24, availableHours: 8, queueHours: 0, capacity: 1 });
  });

  it('rolls milestones and projects up into on track / at risk / off track with reasons', () => {
    const e = engine();
    e.load([
      task({ key: 'a#1', owner: 'alex', assignees: [gh('alexk')], due: '2026-11-24', milestone: 'Cutover', project: 'client-a' }),
      task({ key: 'a#2', owner: 'sam', assignees: [gh('samr')], due: '2026-12-10', estimateS: 8 * H, milestone: 'Cutover', project: 'client-a', status: 'done', doneAt: '2026-11-20T10:00:00Z' }),
      task({ key: 'a#3', owner: 'sam', assignees: [gh('samr')], due: '2026-12-10', estimateS: 8 * H, milestone: 'Later', project: 'client-a' }),
      task({ key: 'a#4', owner: 'sam', assignees: [gh('samr')], due: '2026-12-10', estimateS: 8 * H, milestone: 'Blocked one', dependsOn: ['github-acme:a#3'] }),
    ], []);
    e.evaluate(NOW);
    const h = e.health();
    const get = (kind: string, name: string) => h.find((g) => g.kind === kind && g.name === name)!;
    expect(get('milestone', 'Cutover')).toMatchObject({ state: 'off_track', total: 2, done: 1, overdue: 1, doneShare: 0.5, plannedFinish: '2026-12-10' });
    expect(get('milestone', 'Cutover').reasons[0]).toBe('1 overdue task');
    expect(get('milestone', 'Later')).toMatchObject({ state: 'on_track', forecastFinish: '2026-11-25' });
    expect(get('milestone', 'Blocked one')).toMatchObject({ state: 'at_risk', blocked: 1 });
    expect(h[0]?.state).toBe('off_track');
  });
});
