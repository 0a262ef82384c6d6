/**
 * Project and milestone health across tools: counts, done and verified share, overdue, at risk, blocked,
 * and the forecast finish against the planned date (the latest due date of the group's tasks), rolled up
 * into on track / at risk / off track with the reasons.
 */
import { humanDate } from './calendar.js';
import { isClosed, type Flag, type Task } from './model.js';
import type { RiskResult } from './risk.js';

export type HealthState = 'on_track' | 'at_risk' | 'off_track';

export interface GroupHealth {
  readonly kind: 'milestone' | 'project';
  readonly name: string;
  readonly total: number;
  readonly open: number;
  readonly done: number;
  readonly verified: number;
  readonly overdue: number;
  readonly atRisk: number;
  readonly blocked: number;
  readonly doneShare: number;
  readonly verifiedShare: number;
  readonly plannedFinish: string | null;
  readonly forecastFinish: string | null;
  readonly unforecast: number;
  readonly state: HealthState;
  readonly reasons: readonly string[];
  readonly tasks: readonly string[];
}

export function groupHealth(
  tasks: readonly Task[],
  flags: readonly Flag[],
  risk: ReadonlyMap<string, RiskResult>,
): GroupHealth[] {
  const flagsOf = new Map<string, Set<string>>();
  for (const f of flags) {
    let s = flagsOf.get(f.taskId);
    if (!s) flagsOf.set(f.taskId, (s = new Set()));
    s.add(f.code);
  }
  const groups = new Map<string, { kind: GroupHealth['kind']; name: string; tasks: Task[] }>();
  const add = (kind: GroupHealth['kind'], name: string | null, t: Task) => {
    if (!name) return;
    const key = `${kind}:${name}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { kind, name, tasks: [] }));
    g.tasks.push(t);
  };
  for (const t of tasks) {
    if (t.deletedAt !== null || t.status === 'cancelled') continue;
    add('milestone', t.milestone, t);
    add('project', t.project, t);
  }
  return [...groups.values()].map((g) => summarize(g.kind, g.name, g.tasks, flagsOf, risk)).sort((a, b) => rank(a.state) - rank(b.state) || a.name.localeCompare(b.name));
}

const rank = (s: HealthState) => (s === 'off_track' ? 0 : s === 'at_risk' ? 1 : 2);

function summarize(
  kind: GroupHealth['kind'],
  name: string,
  tasks: readonly Task[],
  flagsOf: ReadonlyMap<string, ReadonlySet<string>>,
  risk: ReadonlyMap<string, RiskResult>,
): GroupHealth {
  const has = (t: Task, code: string) => flagsOf.get(t.id)?.has(code) ?? false;
  const open = tasks.filter((t) => !isClosed(t.status));
  const done = tasks.filter((t) => t.status === 'done' || t.status === 'verified').length;
  const verified = tasks.filter((t) => t.status === 'verified' || t.verifiedAt !== null).length;
  const overdue = open.filter((t) => has(t, 'overdue')).length;
  const atRisk = open.filter((t) => has(t, 'deadline_at_risk') || has(t, 'dependency_at_risk')).length;
  const blocked = open.filter((t) => has(t, 'blocked')).length;
  const dues = tasks.map((t) => t.due).filter((d): d is string => d !== null).sort();
  const plannedFinish = dues.at(-1) ?? null;
  let forecastFinish: string | null = null;
  let unforecast = 0;
  for (const t of open) {
    const f = risk.get(t.id)?.expectedFinish ?? null;
    if (f === null) unforecast++;
    else if (forecastFinish === null || f > forecastFinish) forecastFinish = f;
  }
  const reasons: string[] = [];
  if (overdue) reasons.push(`${overdue} overdue task${overdue === 1 ? '' : 's'}`);
  const late = forecastFinish !== null && plannedFinish !== null && forecastFinish > plannedFinish;
  if (late) reasons.push(`forecast to finish ${humanDate(forecastFinish!)}, after its last due date ${humanDate(plannedFinish)}`);
  if (atRisk) reasons.push(`${atRisk} task${atRisk === 1 ? '' : 's'} at risk`);
  if (blocked) reasons.push(`${blocked} blocked`);
  if (unforecast && open.length) reasons.push(`${unforecast} of ${open.length} open tasks cannot be forecast (no due date, estimate or history)`);
  const state: HealthState = overdue > 0 || late ? 'off_track' : atRisk > 0 || blocked > 0 ? 'at_risk' : 'on_track';
  if (state === 'on_track') reasons.unshift(open.length ? 'open work fits before its due dates' : 'all work is done');
  const share = (n: number) => (tasks.length ? Math.round((n / tasks.length) * 100) / 100 : 0);
  return {
    kind,
    name,
    total: tasks.length,
    open: open.length,
    done,
    verified,
    overdue,
    atRisk,
    blocked,
    doneShare: share(done),
    verifiedShare: share(verified),
    plannedFinish,
    forecastFinish,
    unforecast,
    state,
    reasons,
    tasks: tasks.map((t) => t.id),
  };
}
