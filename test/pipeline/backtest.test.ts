/**
 * The backtest on small worlds built by hand: no peeking (a future that holds the answer must not change
 * a past forecast), and outcomes judged from what happened.
 */
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import type { HistoryEntry, Task } from '../../src/core/model.js';
import { identityFromConfig } from '../../src/main.js';
import { replayForecasts, runBacktest } from '../../src/pipeline/backtest.js';
import { task } from '../support/tasks.js';

const H = 3600;
const config = configSchema.parse({
  timezone: 'UTC',
  people: [{ id: 'alex', name: 'Alex', accounts: { jira: 'acc-alex' } }],
  rules: { deadline_at_risk: { minLevel: 'high', horizon: '30d' } },
});
const identity = identityFromConfig(config);
const alex = [{ kind: 'jira' as const, id: 'acc-alex' }];

const status = (taskId: string, from: string, to: string, at: string): HistoryEntry => ({ taskId, field: 'status', oldValue: JSON.stringify(from), newValue: JSON.stringify(to), at, actor: 'human', actorId: 'acc-alex', source: 'source' });

/** A finished task: estimate `estH`, really took `tookH` working hours (09:00–17:00), ending on `doneDay`. */
function finished(n: number, doneDay: string, estH: number, tookDays: number): { t: Task; h: HistoryEntry[] } {
  const done = `${doneDay}T16:00:00.000Z`;
  const start = new Date(Date.parse(`${doneDay}T16:00:00.000Z`) - tookDays * 86_400_000).toISOString();
  const id = `jira-acme:OPS-${n}`;
  const t = task({ key: `OPS-${n}`, connector: 'jira-acme', kind: 'jira', assignees: alex, owner: 'alex', status: 'done', estimateS: estH * H, createdAt: start, updatedAt: done, doneAt: done });
  return { t, h: [status(id, 'todo', 'in_progress', start), status(id, 'in_progress', 'done', done)] };
}

describe('no peeking', () => {
  it('a forecast as of a day uses only what was known that day, however decisive the future is', () => {
    // The past (before 2026-11-02): estimates held — 8h tasks took a day.
    const past = ['2026-10-13', '2026-10-15', '2026-10-19', '2026-10-21', '2026-10-23', '2026-10-27'].map((d, i) => finished(10 + i, d, 8, 1));
    // The future (after the evaluation day): everything took six times its estimate. A model that
    // learned from this would call the task below hopeless.
    const future = ['2026-11-16', '2026-11-18', '2026-11-20', '2026-11-24', '2026-11-26', '2026-11-30', '2026-12-02', '2026-12-04', '2026-12-08', '2026-12-10', '2026-12-14', '2026-12-16'].map((d, i) => finished(30 + i, d, 8, 6));
    // The task: 8h estimate, created on the 2nd, due on the 3rd, done on the 3rd.
    const id = 'jira-acme:OPS-50';
    const subject = task({ key: 'OPS-50', connector: 'jira-acme', kind: 'jira', assignees: alex, owner: 'alex', status: 'done', estimateS: 8 * H, due: '2026-11-03', createdAt: '2026-11-02T08:00:00.000Z', updatedAt: '2026-11-03T15:00:00.000Z', doneAt: '2026-11-03T15:00:00.000Z' });
    const history = new Map<string, HistoryEntry[]>([...past, ...future].map(({ t, h }) => [t.id, h]));
    history.set(id, [status(id, 'todo', 'in_progress', '2026-11-03T09:00:00.000Z'), status(id, 'in_progress', 'done', '2026-11-03T15:00:00.000Z')]);
    const tasks = [...past, ...future].map((x) => x.t).concat(subject);
    const now = Date.parse('2026-12-20T12:00:00Z');

    const honest = runBacktest({ config, identity, from: '2026-11-02', to: '2026-11-02', everyDays: 1, now }, tasks, history);
    const c = honest.caseList.find((x) => x.taskId === id)!;
    expect(c.missed).toBe(false);
    expect(c.firstFlags.deadline_at_risk).toBeUndefined();
    expect(honest.flags.deadline_at_risk.fp).toBe(0);

    // The same evaluation with the future's samples handed in as if known would flag it: the test can
    // tell a leak from no leak.
    const leaky = runBacktest({ config, identity, from: '2026-11-02', to: '2026-11-02', everyDays: 1, now }, tasks.map((t) => (t.id.startsWith('jira-acme:OPS-3') ? { ...t, createdAt: '2026-10-01T08:00:00.000Z' } : t)), new Map([...history].map(([k, v]) => [k, k.startsWith('jira-acme:OPS-3') ? v.map((e) => ({ ...e, at: shiftBack(e.at) })) : v])));
    expect(leaky.caseList.find((x) => x.taskId === id)!.firstFlags.deadline_at_risk).toBeDefined();
  });

  it('judges outcomes by what happened: done after the due day is a miss; still open past it is a miss; open before it is undecided', () => {
    const mk = (n: number, over: Partial<Task>) => task({ key: `OPS-${n}`, connector: 'jira-acme', kind: 'jira', assignees: alex, owner: 'alex', createdAt: '2026-11-02T08:00:00.000Z', ...over });
    const late = mk(1, { status: 'done', due: '2026-11-04', doneAt: '2026-11-05T10:00:00.000Z' });
    const open = mk(2, { status: 'in_progress', due: '2026-11-04' });
    const later = mk(3, { status: 'todo', due: '2026-12-20' });
    const history = new Map<string, HistoryEntry[]>([[late.id, [status(late.id, 'in_progress', 'done', '2026-11-05T10:00:00.000Z')]]]);
    const r = runBacktest({ config, identity, from: '2026-11-02', to: '2026-11-03', everyDays: 1, now: Date.parse('2026-11-10T12:00:00Z') }, [late, open, later], history);
    expect(r.caseList.map((c) => [c.taskId, c.missed]).sort()).toEqual([
      [late.id, true],
      [open.id, true],
    ]);
    expect(r.unknown).toBe(1);
    expect(r.days).toBe(2);
  });
});

/** Sixty days earlier: the future's samples moved into the past, as a leak would see them. */
function shiftBack(iso: string): string {
  return new Date(Date.parse(iso) - 60 * 86_400_000).toISOString();
}

describe('the replay --as-of calibrates on when nothing was recorded', () => {
  const open = (n: number, due: string) => task({ key: `OPS-${n}`, connector: 'jira-acme', kind: 'jira', assignees: alex, owner: 'alex', estimateS: 8 * H, due, createdAt: '2026-09-01T09:00:00.000Z', updatedAt: '2026-09-01T09:00:00.000Z' });
  const at = Date.parse('2026-11-30T09:00:00Z');

  it('replays every third working day of the 60 days before, oldest first, each forecast once per morning', () => {
    const f = replayForecasts({ config, identity }, [open(1, '2026-12-31')], new Map(), at);
    const days = [...new Set(f.map((x) => x.day))];
    expect(days[0]! >= '2026-10-01').toBe(true); // not older than 60 days
    expect(days.at(-1)! < '2026-11-30').toBe(true); // not the morning itself
    expect(days.length).toBe(f.length);
    expect(days.length).toBeGreaterThanOrEqual(13);
  });

  it('stops once it has 5,000 forecasts: a large store replays a morning or two, not fourteen', () => {
    const many = Array.from({ length: 3_000 }, (_, i) => open(i, '2026-12-31'));
    const days = new Set(replayForecasts({ config, identity }, many, new Map(), at).map((x) => x.day));
    expect(days.size).toBe(2);
  });
});
