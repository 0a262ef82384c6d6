/**
 * The daily report as plain data: what a lead reads instead of a status meeting. Built by a pure
 * function from the tasks, the evaluation, the history of the window and the sync state; rendered
 * elsewhere (Markdown, JSON, …). The JSON renderer emits exactly this shape (`version` 1).
 */
import type { GroupHealth, HealthState } from '../health.js';
import { isAccountOwner } from '../identity.js';
import { hasHumanKey, TOOL_NAME } from '../labels.js';
import type { AccountRef, Flag, FlagCode, HistoryEntry, Task } from '../model.js';
import type { RiskLevel, RiskResult } from '../risk.js';

export interface ReportItem {
  readonly id: string;
  /** "OPS-14 (Jira)" */
  readonly label: string;
  readonly title: string;
  readonly url: string | null;
  readonly owner: string | null;
  readonly due: string | null;
  readonly status: Task['status'];
  /** Why it is listed, in one line. */
  readonly reason?: string | undefined;
  /** Every open flag on the task, most pressing first: a renderer shows them together where the task first appears. */
  readonly flags?: readonly { readonly code: FlagCode; readonly reason: string }[];
}

export const HEADLINE_KEYS = ['open', 'done', 'verified', 'new', 'overdue', 'atRisk', 'blocked', 'ownerless', 'undated'] as const;
export type Headline = Record<(typeof HEADLINE_KEYS)[number], number>;

export interface ConnectorSync {
  readonly name: string;
  readonly kind: string;
  readonly lastSyncAt: string | null;
  readonly webhookFailures: number;
  readonly deadLetters: number;
  /** Items whose detail keeps failing to be read (absent when none). */
  readonly failingItems?: number;
}

export interface ReportFollowup {
  readonly channel: string;
  readonly to: string;
  readonly what: string;
  readonly taskId: string | null;
  readonly state: 'planned' | 'sent' | 'dead';
}

export interface TrendPoint {
  readonly date: string;
  readonly open: number;
  readonly flagged: number;
}

export interface Report {
  readonly version: 1;
  readonly title: string;
  readonly generatedAt: string;
  readonly timezone: string;
  readonly window: { readonly from: string; readonly to: string };
  /** Three lines to read first: since the last report, what needs a decision, what is most at risk. */
  readonly summary: readonly string[];
  /** One line per person instead of a stand-up: done since the last report, doing, stuck, to verify. */
  readonly standup: readonly { readonly person: string; readonly name: string; readonly line: string }[];
  readonly headline: Headline;
  /** The previous report's headline, and the change since (null on the first report). */
  readonly previous: Headline | null;
  readonly change: Headline | null;
  readonly needsDecision: {
    readonly ownerless: readonly ReportItem[];
    readonly teamOwned: readonly ReportItem[];
    readonly sharedOwner: readonly ReportItem[];
    readonly undated: readonly ReportItem[];
    readonly unprioritized: readonly ReportItem[];
    readonly cycles: readonly { readonly path: readonly string[]; readonly reason: string }[];
  };
  /** Each tile's tasks are the union of its lists; a task appears in one list of a section. */
  readonly atRisk: {
    readonly overdue: readonly ReportItem[];
    readonly stale: readonly ReportItem[];
    readonly deadline: readonly (ReportItem & { readonly level: RiskLevel; readonly pMiss: number; readonly expectedFinish: string | null; readonly reasons: readonly string[] })[];
    readonly dependency: readonly ReportItem[];
    readonly blocked: readonly ReportItem[];
  };
  readonly awaitingVerification: readonly (ReportItem & { readonly verifier: string | null; readonly doneAt: string | null; readonly acceptanceCriteria: string | null })[];
  readonly byPerson: readonly {
    readonly person: string;
    readonly name: string;
    readonly overdue: readonly ReportItem[];
    readonly dueToday: readonly ReportItem[];
    readonly atRisk: readonly ReportItem[];
    readonly blocked: readonly ReportItem[];
    readonly toVerify: readonly ReportItem[];
  }[];
  readonly health: readonly {
    readonly kind: GroupHealth['kind'];
    readonly name: string;
    readonly state: HealthState;
    readonly reasons: readonly string[];
    readonly open: number;
    readonly doneShare: number;
    readonly verifiedShare: number;
    readonly forecastFinish: string | null;
    readonly plannedFinish: string | null;
    readonly total: number;
    readonly done: number;
    /** Open tasks at the end of each of the last days (absent when history does not allow). */
    readonly burndown?: readonly { readonly date: string; readonly remaining: number }[];
  }[];
  readonly changes: {
    readonly created: readonly ReportItem[];
    readonly closed: readonly ReportItem[];
    readonly reopened: readonly ReportItem[];
    readonly statusMoves: readonly { readonly item: ReportItem; readonly from: string; readonly to: string; readonly at: string }[];
  };
  readonly followups: { readonly mode: 'plan' | 'send'; readonly items: readonly ReportFollowup[] };
  /** For charts: open and flagged tasks at the end of each of the last 14 days (team time zone). */
  readonly trend: readonly TrendPoint[];
  /** Open flags by kind. */
  readonly flagCounts: Readonly<Partial<Record<FlagCode, number>>>;
  /** Open work per owner: how many tasks, how many overdue or at risk. */
  readonly workload: readonly { readonly person: string; readonly name: string; readonly open: number; readonly overdue: number; readonly atRisk: number }[];
  readonly sync: {
    readonly connectors: readonly ConnectorSync[];
    readonly unmappedPeople: readonly { readonly kind: string; readonly id: string; readonly name: string | null }[];
    readonly unresolvedReferences: number;
  };
}

export interface ReportInput {
  readonly title: string;
  readonly now: number;
  readonly timezone: string;
  /** Local date of `now`, for "due today". */
  readonly today: string;
  readonly window: { readonly from: string; readonly to: string };
  readonly tasks: readonly Task[];
  readonly flags: readonly Flag[];
  readonly risk: ReadonlyMap<string, RiskResult>;
  readonly health: readonly GroupHealth[];
  /** Status changes in the window (field `status`), oldest first. */
  readonly statusHistory: readonly HistoryEntry[];
  readonly previous: Headline | null;
  readonly people: readonly { readonly id: string; readonly name: string }[];
  /** Who should verify a task that is done: the reporter's person, else the owner's team lead. */
  readonly verifierOf: (t: Task) => string | null;
  readonly label: (taskId: string) => string;
  readonly nameOf: (id: string) => string;
  /** The name of the person an account is mapped to; null when the registry does not know it. */
  readonly accountName?: (a: AccountRef) => string | null;
  readonly followups: Report['followups'];
  readonly trend: readonly TrendPoint[];
  /** Per milestone or project (`milestone:Cutover`): open tasks at the end of each of the last days. */
  readonly burndown?: ReadonlyMap<string, readonly { readonly date: string; readonly remaining: number }[]>;
  readonly sync: Report['sync'];
}

const CLOSED = new Set(['done', 'verified', 'cancelled']);
const SEVERITY_ORDER = ['critical', 'warning', 'info'];
const OPEN_AGAIN = new Set(['todo', 'in_progress', 'blocked', 'in_review']);

export function buildReport(input: ReportInput): Report {
  const byId = new Map(input.tasks.map((t) => [t.id, t]));
  const flagsOf = new Map<string, Map<FlagCode, Flag>>();
  for (const f of input.flags) {
    let m = flagsOf.get(f.taskId);
    if (!m) flagsOf.set(f.taskId, (m = new Map<FlagCode, Flag>()));
    m.set(f.code, f);
  }
  const flag = (t: Task, code: FlagCode) => flagsOf.get(t.id)?.get(code);
  // An assignee not yet in the registry is an owner nobody has named: say who, not "no owner".
  const ownerText = (t: Task): string | null => {
    if (t.owner !== null) return isAccountOwner(t.owner) ? `${t.owner} (not in the registry)` : input.nameOf(t.owner);
    if (t.assignees.length === 0 || flag(t, 'team_owner')) return null;
    return t.assignees.map((a) => input.accountName?.(a) ?? `${a.kind}:${a.id} (not in the registry)`).join(', ');
  };
  const item = (t: Task, reason?: string): ReportItem => ({
    id: t.id,
    // Keyless tools (Notion, Slack): the tool names the link and the title follows.
    label: hasHumanKey(t) ? input.label(t.id) : TOOL_NAME[t.kind],
    title: t.title,
    url: t.url,
    owner: ownerText(t),
    due: t.due,
    status: t.status,
    reason,
    flags: [...(flagsOf.get(t.id)?.values() ?? [])]
      .filter((f) => f.code !== 'due_soon')
      .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity))
      .map((f) => ({ code: f.code, reason: f.reason })),
  });
  const byDue = (a: Task, b: Task) => cmp(a.due ?? '9999', b.due ?? '9999') || cmp(a.id, b.id);
  const within = (iso: string | null) => iso !== null && iso >= input.window.from && iso < input.window.to;

  // One pass over every task for the counts and the lists; only the lists are sorted.
  const live: Task[] = [];
  const open: Task[] = [];
  const headline: Headline = { open: 0, done: 0, verified: 0, new: 0, overdue: 0, atRisk: 0, blocked: 0, ownerless: 0, undated: 0 };
  for (const t of input.tasks) {
    if (t.deletedAt !== null) continue;
    live.push(t);
    if (within(t.doneAt)) headline.done++;
    if (within(t.verifiedAt)) headline.verified++;
    if (within(t.createdAt)) headline.new++;
    if (CLOSED.has(t.status)) continue;
    open.push(t);
    const fs = flagsOf.get(t.id);
    if (!fs) continue;
    if (fs.has('overdue')) headline.overdue++;
    if (fs.has('deadline_at_risk') || fs.has('dependency_at_risk')) headline.atRisk++;
    if (fs.has('blocked')) headline.blocked++;
    if (fs.has('no_owner') || fs.has('team_owner') || fs.has('shared_owner')) headline.ownerless++;
    if (fs.has('no_due_date')) headline.undated++;
  }
  headline.open = open.length;
  open.sort(byDue);
  const flagged = (code: FlagCode, unless: readonly FlagCode[] = []) =>
    open.filter((t) => flag(t, code) && !unless.some((u) => flag(t, u))).map((t) => item(t, flag(t, code)!.reason));

  const change = input.previous === null ? null : (Object.fromEntries(HEADLINE_KEYS.map((k) => [k, headline[k] - input.previous![k]])) as Headline);

  const seenCycles = new Set<string>();
  const cycles: { path: string[]; reason: string }[] = [];
  for (const t of open) {
    const f = flag(t, 'dependency_cycle');
    if (!f) continue;
    const path = (f.evidence['cycle'] as string[] | undefined) ?? [t.id];
    const key = [...new Set(path)].sort().join('|');
    if (seenCycles.has(key)) continue;
    seenCycles.add(key);
    cycles.push({ path, reason: f.reason });
  }

  const deadline = open
    .filter((t) => flag(t, 'deadline_at_risk'))
    .map((t) => {
      const r = input.risk.get(t.id);
      return { ...item(t, flag(t, 'deadline_at_risk')!.reason), level: r?.level ?? 'unknown', pMiss: r?.pMiss ?? 0, expectedFinish: r?.expectedFinish ?? null, reasons: r?.reasons ?? [] };
    })
    .sort((a, b) => b.pMiss - a.pMiss || cmp(a.id, b.id));

  const unverified = live.filter((t) => flag(t, 'done_unverified')).sort(byDue);
  const awaiting = unverified.map((t) => {
    const v = input.verifierOf(t);
    return { ...item(t, flag(t, 'done_unverified')!.reason), verifier: v === null ? null : input.nameOf(v), doneAt: t.doneAt, acceptanceCriteria: t.acceptanceCriteria };
  });

  // One pass each to group by owner and by verifier, so the per-person view stays linear in tasks.
  const openBy = new Map<string, Task[]>();
  for (const t of open) if (t.owner !== null) push(openBy, t.owner, t);
  const toVerifyBy = new Map<string, Task[]>();
  for (const t of unverified) {
    const v = input.verifierOf(t);
    if (v !== null) push(toVerifyBy, v, t);
  }
  const byPerson = input.people
    .map((p) => {
      const mine = openBy.get(p.id) ?? [];
      const pick = (pred: (t: Task) => boolean, reason: (t: Task) => string | undefined) => mine.filter(pred).map((t) => item(t, reason(t)));
      const risky = (t: Task) => flag(t, 'deadline_at_risk') ?? flag(t, 'dependency_at_risk');
      return {
        person: p.id,
        name: p.name,
        overdue: pick((t) => !!flag(t, 'overdue'), (t) => flag(t, 'overdue')?.reason),
        dueToday: pick((t) => t.due === input.today, () => undefined),
        atRisk: pick((t) => !!risky(t), (t) => risky(t)?.reason),
        blocked: pick((t) => !!flag(t, 'blocked'), (t) => flag(t, 'blocked')?.reason),
        toVerify: (toVerifyBy.get(p.id) ?? []).map((t) => item(t)),
      };
    })
    .filter((p) => p.overdue.length + p.dueToday.length + p.atRisk.length + p.blocked.length + p.toVerify.length > 0);

  const moves = teamMoves(input.statusHistory.filter((h) => h.field === 'status' && within(h.at) && byId.has(h.taskId))).map((h) => ({
    item: item(byId.get(h.taskId)!),
    from: parse(h.oldValue),
    to: parse(h.newValue),
    at: h.at,
  }));
  const reopenedIds = new Set(moves.filter((m) => CLOSED.has(m.from) && OPEN_AGAIN.has(m.to)).map((m) => m.item.id));

  const needsDecision = {
    // One list per task, the most pressing first: nobody, a team, several people.
    ownerless: flagged('no_owner'),
    teamOwned: flagged('team_owner', ['no_owner']),
    sharedOwner: flagged('shared_owner', ['no_owner', 'team_owner']),
    undated: flagged('no_due_date'),
    unprioritized: flagged('no_priority'),
    cycles,
  };
  const summary = [
    `Since the last report: ${headline.done} done, ${headline.verified} verified, ${headline.new} new, ${plural(moves.length, 'status move')}.`,
    `Needs a decision: ${joinCounts([
      [headline.ownerless, 'without one owner'],
      [needsDecision.undated.length, 'without a due date'],
      [needsDecision.unprioritized.length, 'without a priority'],
      [cycles.length, cycles.length === 1 ? 'dependency cycle' : 'dependency cycles'],
    ])}.`,
    mostAtRisk(deadline, flagged('overdue')),
  ];

  const doneBy = new Map<string, Task[]>();
  for (const t of live) if (t.owner !== null && within(t.doneAt)) push(doneBy, t.owner, t);
  const short = (t: Task) => (hasHumanKey(t) ? input.label(t.id) : t.title);
  const listed = (ts: readonly Task[]) => (ts.length > 3 ? `${ts.slice(0, 3).map(short).join(', ')} +${ts.length - 3}` : ts.map(short).join(', '));
  const standup = input.people.flatMap((p) => {
    const mine = openBy.get(p.id) ?? [];
    const parts: [string, Task[]][] = [
      ['done', doneBy.get(p.id) ?? []],
      ['doing', mine.filter((t) => t.status === 'in_progress' || t.status === 'in_review')],
      ['blocked or at risk', mine.filter((t) => flag(t, 'blocked') ?? flag(t, 'overdue') ?? flag(t, 'deadline_at_risk') ?? flag(t, 'dependency_at_risk'))],
      ['to verify', toVerifyBy.get(p.id) ?? []],
    ];
    const said = parts.filter(([, ts]) => ts.length > 0).map(([what, ts]) => `${what}: ${listed(ts)}`);
    return said.length ? [{ person: p.id, name: p.name, line: said.join(' · ') }] : [];
  });

  return {
    version: 1,
    title: input.title,
    generatedAt: new Date(input.now).toISOString(),
    timezone: input.timezone,
    window: input.window,
    summary,
    standup,
    headline,
    previous: input.previous,
    change,
    needsDecision,
    atRisk: { overdue: flagged('overdue'), stale: flagged('stale', ['overdue']), deadline, dependency: flagged('dependency_at_risk', ['deadline_at_risk']), blocked: flagged('blocked') },
    awaitingVerification: awaiting,
    byPerson,
    health: input.health.map((g) => ({
      kind: g.kind,
      name: g.name,
      state: g.state,
      reasons: g.reasons,
      open: g.open,
      doneShare: g.doneShare,
      verifiedShare: g.verifiedShare,
      forecastFinish: g.forecastFinish,
      plannedFinish: g.plannedFinish,
      total: g.total,
      done: g.done,
      ...(input.burndown?.get(`${g.kind}:${g.name}`) ? { burndown: input.burndown.get(`${g.kind}:${g.name}`)! } : {}),
    })),
    changes: {
      created: live.filter((t) => within(t.createdAt)).sort(byDue).map((t) => item(t)),
      closed: live.filter((t) => within(t.doneAt) || (t.status === 'cancelled' && within(t.updatedAt))).sort(byDue).map((t) => item(t)),
      reopened: [...reopenedIds].map((id) => item(byId.get(id)!)),
      statusMoves: moves,
    },
    followups: input.followups,
    trend: input.trend,
    flagCounts: countFlags(input.flags, live),
    workload: input.people
      .map((p) => {
        const mine = openBy.get(p.id) ?? [];
        return { person: p.id, name: p.name, open: mine.length, overdue: mine.filter((t) => flag(t, 'overdue')).length, atRisk: mine.filter((t) => flag(t, 'deadline_at_risk') ?? flag(t, 'dependency_at_risk')).length };
      })
      .filter((w) => w.open > 0),
    sync: input.sync,
  };
}

/**
 * The team's status moves: taskwire's own pushes left out, and a move seen twice — by the diff of two
 * reads and in the tool's changelog, at the same instant — listed once (the changelog's, which knows
 * who made it).
 */
function teamMoves(history: readonly HistoryEntry[]): HistoryEntry[] {
  const byMove = new Map<string, HistoryEntry>();
  for (const h of history) {
    const k = `${h.taskId}\u0000${h.oldValue}\u0000${h.newValue}\u0000${h.at}`;
    const seen = byMove.get(k);
    if (!seen || (seen.source !== 'source' && h.source === 'source')) byMove.set(k, h);
  }
  return [...byMove.values()].filter((h) => h.actor !== 'taskwire');
}

function mostAtRisk(deadline: readonly (ReportItem & { readonly reason?: string | undefined })[], overdue: readonly ReportItem[]): string {
  const top = deadline[0] ?? overdue[0];
  return top ? `Most at risk: ${top.label} ${top.title}${top.reason ? ` — ${top.reason}` : ''}.` : 'Most at risk: nothing this week.';
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

function joinCounts(parts: readonly (readonly [number, string])[]): string {
  const some = parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  return some.length ? some.join(', ') : 'nothing';
}

function countFlags(flags: readonly Flag[], live: readonly Task[]): Partial<Record<FlagCode, number>> {
  const ids = new Set(live.map((t) => t.id));
  const out: Partial<Record<FlagCode, number>> = {};
  for (const f of flags) if (ids.has(f.taskId)) out[f.code] = (out[f.code] ?? 0) + 1;
  return out;
}

/**
 * A milestone's or project's burndown: its open tasks at the end of each day (created by then, not
 * closed by then). Absent when none of its tasks existed before the first day (no history to draw).
 */
export function burndown(
  tasks: readonly Pick<Task, 'createdAt' | 'doneAt' | 'status' | 'updatedAt' | 'deletedAt'>[],
  dayEnds: readonly { readonly date: string; readonly end: string }[],
): { date: string; remaining: number }[] | null {
  if (dayEnds.length === 0 || !tasks.some((t) => t.createdAt <= dayEnds[0]!.end)) return null;
  return dailyTrend(tasks.map((t, i) => ({ ...t, id: String(i) })), [], dayEnds).map((p) => ({ date: p.date, remaining: p.open }));
}

/**
 * Open and flagged tasks at the end of each day: a task is open on a day if it was created by then and
 * not closed by then; flagged if one of its flags was open at that instant.
 */
export function dailyTrend(
  tasks: readonly Pick<Task, 'id' | 'createdAt' | 'doneAt' | 'status' | 'updatedAt' | 'deletedAt'>[],
  flagSpans: readonly { readonly taskId: string; readonly from: string; readonly to: string | null }[],
  dayEnds: readonly { readonly date: string; readonly end: string }[],
): TrendPoint[] {
  return dayEnds.map(({ date, end }) => {
    let open = 0;
    for (const t of tasks) {
      if (t.deletedAt !== null && t.deletedAt <= end) continue;
      const closedAt = t.doneAt ?? (t.status === 'cancelled' ? t.updatedAt : null);
      if (t.createdAt <= end && (closedAt === null || closedAt > end)) open++;
    }
    const flagged = new Set<string>();
    for (const s of flagSpans) if (s.from <= end && (s.to === null || s.to > end)) flagged.add(s.taskId);
    return { date, open, flagged: flagged.size };
  });
}

function push<T>(m: Map<string, T[]>, k: string, v: T) {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

/** Code-point order: locale-aware comparison is orders of magnitude slower and not needed for ids and dates. */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function parse(v: string | null): string {
  if (v === null) return 'none';
  try {
    return String(JSON.parse(v));
  } catch {
    return v;
  }
}
