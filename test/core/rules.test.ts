import { describe, expect, it } from 'vitest';
import type { FlagCode, Task } from '../../src/core/model.js';
import { gh, task } from '../support/tasks.js';
import { defaults, engine } from '../support/engine.js';

// Wednesday 25 Nov 2026, 10:00 in Berlin.
const NOW = Date.parse('2026-11-25T09:00:00Z');
const complete = { assignees: [gh('alexk')], owner: 'alex', due: '2026-12-10', priority: 'medium', acceptanceCriteria: 'it works', description: 'why' } as const;

function flagsOf(t: Task, world: Task[] = [], rules = {}) {
  const e = engine({ rules });
  e.load([t, ...world], []);
  const ev = e.evaluate(NOW);
  return ev.flags.filter((f) => f.taskId === t.id);
}
const codes = (t: Task, world: Task[] = [], rules = {}) => flagsOf(t, world, rules).map((f) => f.code).sort();

describe('a complete, healthy task has no flags', () => {
  it('open with one owner, a due date, a priority and context', () => {
    expect(codes(task({ key: 'a#1', ...complete }))).toEqual([]);
  });
});

describe.each<[string, Partial<Task>, FlagCode, RegExp]>([
  ['no_owner: nobody assigned', { assignees: [], owner: null }, 'no_owner', /nobody owns this task/],
  ['no_owner: only a bot assigned', { assignees: [gh('renovate[bot]', { isBot: true })], owner: null }, 'no_owner', /nobody owns/],
  ['shared_owner: two people', { assignees: [gh('alexk'), gh('samr')], owner: null }, 'shared_owner', /2 people share it \(Alex, Sam\)/],
  ['team_owner: the DevOps alias', { assignees: [{ kind: 'jira', id: 'x1', name: 'DevOps' }], owner: null }, 'team_owner', /assigned to Platform, not to one person/],
  ['unmapped_owner: unknown account', { assignees: [gh('stranger')], owner: null }, 'unmapped_owner', /github:stranger is not in the people registry/],
  ['no_due_date', { due: null }, 'no_due_date', /no due date/],
  ['no_priority', { priority: null, rawPriority: 'P9' }, 'no_priority', /priority "P9" maps to no level/],
  ['missing_context: no acceptance criteria', { acceptanceCriteria: null }, 'missing_context', /^add acceptance criteria$/],
  ['missing_context: neither', { acceptanceCriteria: '', description: ' ' }, 'missing_context', /^add acceptance criteria and a description$/],
  ['overdue: due yesterday', { due: '2026-11-24' }, 'overdue', /was due Tue 24 Nov: 1 day overdue/],
  ['due_soon: due tomorrow', { due: '2026-11-26' }, 'due_soon', /due Thu 26 Nov/],
  ['due_soon: due today', { due: '2026-11-25' }, 'due_soon', /due today/],
  ['stale: in progress, quiet for 4 workdays', { status: 'in_progress', lastHumanActivityAt: '2026-11-19T09:00:00Z' }, 'stale', /no human activity for 4 workdays/],
  ['blocked: marked blocked, nothing recorded', { status: 'blocked' }, 'blocked', /marked blocked in its tool/],
  ['done_unverified: done 3 days ago', { status: 'done', doneAt: '2026-11-22T09:00:00Z', reporter: gh('samr', { name: 'Sam' }) }, 'done_unverified', /done 3 days ago and nobody has verified it — Sam asked for it/],
])('%s', (_name, over, code, reason) => {
  it('flags it with its reason and the configured severity', () => {
    const f = flagsOf(task({ key: 'a#1', ...complete, ...over })).find((x) => x.code === code);
    expect(f, `expected ${code}`).toBeDefined();
    expect(f!.reason).toMatch(reason);
    expect(f!.severity).toBe(defaults.rules[code].severity);
  });
});

describe('ownership counts distinct accounts, whether the registry knows them or not', () => {
  const jira = (id: string, name?: string) => ({ kind: 'jira' as const, id, ...(name ? { name } : {}) });
  it.each<[string, Task['assignees'], string[]]>([
    ['one unmapped account: an owner, not yet registered', [gh('carol-net')], ['unmapped_owner']],
    ['two unmapped accounts: shared', [gh('carol-net'), gh('dan-ops')], ['shared_owner', 'unmapped_owner']],
    ['a person and an unmapped account: shared', [gh('alexk'), gh('carol-net')], ['shared_owner', 'unmapped_owner']],
    ['the same unmapped account twice: one owner', [gh('carol-net'), gh('Carol-Net')], ['unmapped_owner']],
    ['a team alias among two unmapped accounts: team and shared', [jira('x1', 'DevOps'), jira('u-1', 'Carol'), jira('u-2', 'Dan')], ['shared_owner', 'team_owner', 'unmapped_owner']],
    ['a team alias and one unmapped account: team', [jira('x1', 'DevOps'), jira('u-1', 'Carol')], ['team_owner', 'unmapped_owner']],
    ['a bot and one unmapped account: one owner', [gh('renovate[bot]', { isBot: true }), gh('carol-net')], ['unmapped_owner']],
  ])('%s', (_name, assignees, expected) => {
    const ownership = codes(task({ key: 'a#1', ...complete, assignees, owner: null })).filter((c) => ['no_owner', 'shared_owner', 'team_owner', 'unmapped_owner'].includes(c));
    expect(ownership).toEqual(expected);
  });

  it('names the accounts that share it', () => {
    const f = flagsOf(task({ key: 'a#1', ...complete, assignees: [gh('alexk'), gh('carol-net')], owner: null })).find((x) => x.code === 'shared_owner');
    expect(f?.reason).toBe('2 people share it (Alex, github:carol-net): it needs one owner');
  });
});

describe.each<[string, Partial<Task>, FlagCode]>([
  ['due in 3 days is not due_soon (within 2d)', { due: '2026-11-28' }, 'due_soon'],
  ['due today is not overdue', { due: '2026-11-25' }, 'overdue'],
  ['a weekend does not make work stale', { status: 'in_progress', lastHumanActivityAt: '2026-11-20T16:00:00Z' }, 'stale'],
  ['bot activity does not count, but recent human activity does', { status: 'in_progress', lastHumanActivityAt: '2026-11-24T09:00:00Z' }, 'stale'],
  ['todo work is never stale', { status: 'todo', lastHumanActivityAt: '2026-10-01T09:00:00Z' }, 'stale'],
  ['verified work is not done_unverified', { status: 'verified', doneAt: '2026-11-01T09:00:00Z', verifiedAt: '2026-11-02T09:00:00Z' }, 'done_unverified'],
  ['done today is not yet done_unverified (after 1d)', { status: 'done', doneAt: '2026-11-25T08:00:00Z' }, 'done_unverified'],
  ['work done two months ago is history, not done_unverified (within 30d)', { status: 'done', doneAt: '2026-09-20T08:00:00Z' }, 'done_unverified'],
  ['closed tasks have no owner flags', { status: 'cancelled', assignees: [], owner: null }, 'no_owner'],
  ['a done task is not overdue', { status: 'done', due: '2026-11-01', doneAt: '2026-11-24T09:00:00Z' }, 'overdue'],
])('%s', (_name, over, code) => {
  it('does not flag it', () => {
    expect(codes(task({ key: 'a#1', ...complete, ...over }))).not.toContain(code);
  });
});

describe('settings', () => {
  it('honours enabled, severity and per-rule and global exemptions', () => {
    const t = task({ key: 'a#1', ...complete, due: null, labels: ['Ops-Chore'], type: 'message' });
    expect(codes(t)).toContain('no_due_date');
    const r = defaults.rules;
    expect(codes(t, [], { no_due_date: { ...r.no_due_date, enabled: false } })).not.toContain('no_due_date');
    expect(codes(t, [], { no_due_date: { ...r.no_due_date, exempt: { labels: ['ops-chore'], types: [], projects: [] } } })).not.toContain('no_due_date');
    expect(codes(t, [], { no_due_date: { ...r.no_due_date, exempt: { labels: [], types: ['message'], projects: [] } } })).not.toContain('no_due_date');
    expect(codes(t, [], { exempt: { labels: [], types: [], projects: [] } })).toContain('no_due_date');
    expect(flagsOf(t, [], { exempt: { labels: ['ops-chore'], types: [], projects: [] } })).toEqual([]);
    expect(flagsOf(t, [], { no_due_date: { ...r.no_due_date, severity: 'critical' } }).find((f) => f.code === 'no_due_date')?.severity).toBe('critical');
  });

  it('stale threshold comes from config', () => {
    const t = task({ key: 'a#1', ...complete, status: 'in_progress', lastHumanActivityAt: '2026-11-24T08:00:00Z' });
    expect(codes(t)).not.toContain('stale');
    expect(codes(t, [], { stale: { ...defaults.rules.stale, after: 86_400_000 } })).toContain('stale');
  });
});
