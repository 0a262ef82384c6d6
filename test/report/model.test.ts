/**
 * The report model tells the truth: each tile counts what its list shows, each task is listed once
 * per section, a move appears once and only when the team made it, and an owner not yet in the
 * registry is named rather than reported as nobody.
 */
import { describe, expect, it } from 'vitest';
import type { Flag, FlagCode, HistoryEntry, Task } from '../../src/core/model.js';
import { buildReport, burndown, type ReportInput } from '../../src/core/report/model.js';
import { renderMarkdown } from '../../src/core/report/render-markdown.js';
import { gh, task } from '../support/tasks.js';

const NOW = Date.parse('2026-12-02T08:00:00Z');
const flag = (taskId: string, code: FlagCode, reason = code.replace(/_/g, ' ')): Flag => ({ taskId, code, severity: 'warning', reason, evidence: {} });
const move = (taskId: string, from: string, to: string, at: string, over: Partial<HistoryEntry> = {}): HistoryEntry => ({ taskId, field: 'status', oldValue: JSON.stringify(from), newValue: JSON.stringify(to), at, actor: 'human', actorId: null, ...over });

function input(tasks: Task[], flags: Flag[], over: Partial<ReportInput> = {}): ReportInput {
  return {
    title: 'taskwire daily report',
    now: NOW,
    timezone: 'Europe/Berlin',
    today: '2026-12-02',
    window: { from: '2026-12-01T07:00:00.000Z', to: '2026-12-02T08:00:00.000Z' },
    tasks,
    flags,
    risk: new Map(),
    health: [],
    statusHistory: [],
    previous: null,
    people: [{ id: 'alex', name: 'Alex Kim' }],
    verifierOf: () => null,
    label: (id) => id,
    nameOf: (id) => (id === 'alex' ? 'Alex Kim' : id),
    followups: { mode: 'send', items: [] },
    trend: [],
    sync: { connectors: [], unmappedPeople: [], unresolvedReferences: 0 },
    ...over,
  };
}

describe('the report model', () => {
  it('counts in each tile exactly the tasks its lists show, each once', () => {
    const a = task({ key: 'a#1', owner: null });
    const b = task({ key: 'a#2', owner: null, assignees: [gh('carol-net'), gh('dan-ops')] });
    const c = task({ key: 'a#3', owner: null });
    const d = task({ key: 'a#4', owner: 'alex', assignees: [gh('alexk')], due: '2026-11-28' });
    const e = task({ key: 'a#5', owner: 'alex', assignees: [gh('alexk')] });
    const flags = [flag(a.id, 'no_owner'), flag(b.id, 'shared_owner'), flag(c.id, 'team_owner'), flag(c.id, 'no_owner'), flag(d.id, 'overdue'), flag(d.id, 'deadline_at_risk'), flag(d.id, 'dependency_at_risk'), flag(e.id, 'stale')];
    const r = buildReport(input([a, b, c, d, e], flags));
    const ownership = [...r.needsDecision.ownerless, ...r.needsDecision.teamOwned, ...r.needsDecision.sharedOwner];
    expect(r.headline.ownerless).toBe(3);
    expect(ownership.map((i) => i.id).sort()).toEqual([a.id, b.id, c.id].sort());
    expect(r.headline.overdue).toBe(1);
    expect(r.atRisk.overdue.map((i) => i.id)).toEqual([d.id]);
    expect(r.headline.atRisk).toBe(1);
    expect([...r.atRisk.deadline, ...r.atRisk.dependency].map((i) => i.id)).toEqual([d.id]);
    // Stale work has a list of its own, whether or not its owner is in the registry.
    expect(r.atRisk.stale.map((i) => i.id)).toEqual([e.id]);
  });

  it('names an owner the registry does not know yet instead of reporting nobody', () => {
    const t = task({ key: 'a#1', owner: null, assignees: [gh('carol-net')] });
    const r = buildReport(input([t], [flag(t.id, 'overdue')]));
    expect(r.atRisk.overdue[0]!.owner).toBe('github:carol-net (not in the registry)');
    const nobody = task({ key: 'a#2', owner: null });
    expect(buildReport(input([nobody], [flag(nobody.id, 'no_owner')])).needsDecision.ownerless[0]!.owner).toBeNull();
  });

  it("lists a status move once, and not taskwire's own pushes", () => {
    const t = task({ key: 'OPS-1', owner: 'alex' });
    const u = task({ key: 'OPS-2', owner: 'alex' });
    const history = [
      // The same move seen twice: by the diff of two reads and in the tool's changelog.
      move(t.id, 'todo', 'in_progress', '2026-12-01T10:00:00.000Z', { source: 'diff', actor: 'unknown' }),
      move(t.id, 'todo', 'in_progress', '2026-12-01T10:00:00.000Z', { source: 'source', actor: 'human', actorId: 'alexk' }),
      // taskwire moved it to Blocked, and back.
      move(u.id, 'in_progress', 'blocked', '2026-12-01T11:00:00.000Z', { source: 'source', actor: 'taskwire' }),
      move(u.id, 'in_progress', 'blocked', '2026-12-01T11:00:00.000Z', { source: 'diff', actor: 'unknown' }),
    ];
    const r = buildReport(input([t, u], [], { statusHistory: history }));
    expect(r.changes.statusMoves.map((m) => [m.item.id, m.from, m.to])).toEqual([[t.id, 'todo', 'in_progress']]);
  });

  it('opens with three lines: since yesterday, what needs a decision, what is most at risk', () => {
    const done = task({ key: 'a#1', owner: 'alex', status: 'done', doneAt: '2026-12-01T15:00:00.000Z' });
    const lost = task({ key: 'a#2', owner: null });
    const late = task({ key: 'a#3', owner: 'alex', due: '2026-12-04' });
    const risk = new Map([[late.id, { taskId: late.id, level: 'high', pMiss: 0.72, expectedFinish: '2026-12-08', reasons: [] }]]) as unknown as ReportInput['risk'];
    const r = buildReport(input([done, lost, late], [flag(lost.id, 'no_owner'), flag(late.id, 'deadline_at_risk', 'high risk of missing Fri 4 Dec (72%)')], { risk }));
    expect(r.summary).toEqual([
      'Since the last report: 1 done, 0 verified, 0 new, 0 status moves.',
      'Needs a decision: 1 without one owner.',
      `Most at risk: ${late.id} ${late.title} — high risk of missing Fri 4 Dec (72%).`,
    ]);
  });

  it('gives each person a stand-up line: done since the last report, doing, blocked or at risk, to verify', () => {
    const done = task({ key: 'OPS-1', owner: 'alex', status: 'done', doneAt: '2026-12-01T15:00:00.000Z' });
    const doing = task({ key: 'OPS-2', owner: 'alex', status: 'in_progress' });
    const stuck = task({ key: 'OPS-3', owner: 'alex', status: 'todo' });
    const verify = task({ key: 'OPS-4', owner: 'sam', status: 'done', doneAt: '2026-11-20T15:00:00.000Z' });
    const r = buildReport(input([done, doing, stuck, verify], [flag(stuck.id, 'blocked'), flag(verify.id, 'done_unverified')], { verifierOf: (t) => (t.id === verify.id ? 'alex' : null), label: (id) => id.split(':')[1]! }));
    expect(r.standup).toEqual([{ person: 'alex', name: 'Alex Kim', line: 'done: OPS-1 · doing: OPS-2 · blocked or at risk: OPS-3 · to verify: OPS-4' }]);
  });

  it('draws a burndown only where history reaches back, and lists a task once with all its flags', () => {
    const days = [{ date: '2026-11-30', end: '2026-11-30T23:00:00.000Z' }, { date: '2026-12-01', end: '2026-12-01T23:00:00.000Z' }];
    const a = task({ key: 'a#1', createdAt: '2026-11-20T09:00:00.000Z', status: 'done', doneAt: '2026-12-01T10:00:00.000Z' });
    const b = task({ key: 'a#2', createdAt: '2026-11-20T09:00:00.000Z' });
    expect(burndown([a, b], days)).toEqual([{ date: '2026-11-30', remaining: 2 }, { date: '2026-12-01', remaining: 1 }]);
    expect(burndown([task({ key: 'a#3', createdAt: '2026-12-01T09:00:00.000Z' })], days)).toBeNull();
    const t = task({ key: 'a#4', owner: 'alex', due: '2026-11-28' });
    const r = buildReport(input([t], [flag(t.id, 'overdue', 'was due Sat 28 Nov'), flag(t.id, 'blocked', 'blocked by OPS-1'), flag(t.id, 'no_priority', 'no priority set')]));
    expect(r.atRisk.overdue[0]!.flags!.map((f) => f.code).sort()).toEqual(['blocked', 'no_priority', 'overdue']);
    const md = renderMarkdown(r);
    const mentions = md.split('\n').filter((l) => l.startsWith('- [') && l.includes('a#4'));
    expect(mentions.length).toBeGreaterThan(1);
    expect(mentions.filter((l) => !l.endsWith('listed above'))).toHaveLength(1);
    expect(md).toMatch(/— no priority set\n {2}- was due Sat 28 Nov\n {2}- blocked by OPS-1\n/);
  });
});

