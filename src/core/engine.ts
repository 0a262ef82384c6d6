/**
 * The accountability engine: rules, the cross-tool graph, deadline risk and health over plain task data,
 * with `now` passed in. It keeps its indexes between calls so that a changed task re-evaluates itself and
 * what depends on it (its dependents, its parent, its owner's queue) rather than the world.
 */
import { calibrate, IDENTITY, resolvedAt, type Calibration, type RecordedForecast } from './calibration.js';
import { addDays, Calendar, humanDate, type WorkCalendar } from './calendar.js';
import { TaskGraph } from './graph.js';
import { groupHealth, type GroupHealth } from './health.js';
import type { Identity, Ownership } from './identity.js';
import { taskLabel } from './labels.js';
import { isClosed, isUnderWay, type Flag, type Task } from './model.js';
import { addUp, assessRisk, EMPTY_QUEUE, History, latestOf, median, QueueSum, type CycleSample, type OpenWork, type Queue, type RiskContext, type RiskResult, type WorkEstimate } from './risk.js';
import { RULES } from './rules/index.js';
import type { Exempt, RuleContext, RulesSettings, UpstreamTrouble } from './rules/types.js';

export interface EngineOptions {
  readonly settings: RulesSettings;
  readonly calendar: WorkCalendar;
  readonly identity: Identity;
  /** Display names of teams by id (people come from the identity registry). */
  readonly teamNames?: Readonly<Record<string, string>>;
}

export interface Evaluation {
  readonly now: number;
  /** Every open flag of the tasks in scope. */
  readonly flags: readonly Flag[];
  /** The tasks whose flags were evaluated: all, or those a change touched. */
  readonly scope: 'all' | ReadonlySet<string>;
}

export interface Explanation {
  readonly task: Task;
  readonly ownership: Ownership;
  readonly flags: readonly Flag[];
  readonly risk: RiskResult | null;
  readonly dependencies: readonly { readonly id: string; readonly label: string; readonly status: string }[];
  readonly unresolved: readonly string[];
  readonly dependents: readonly string[];
  readonly parent: string | null;
  readonly children: readonly string[];
  readonly cycle: readonly string[] | null;
}

type EvalContext = { -readonly [K in keyof RuleContext]: RuleContext[K] };

const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, medium: 2, low: 3 };
/** How far up a dependency chain dependency_at_risk looks. */
const MAX_CHAIN = 8;

export class Engine {
  private readonly settings: RulesSettings;
  private readonly cal: Calendar;
  private readonly identity: Identity;
  private readonly teamNames: Readonly<Record<string, string>>;
  private graph = new TaskGraph();
  private history: History;
  /** The instant the history's work under way was measured at (NaN: not yet). */
  private historyAt = NaN;
  private readonly risk = new Map<string, RiskResult>();
  /** Tasks whose cached risk was computed through a cycle of blockers (valid only from themselves). */
  private readonly cyclic = new Set<string>();
  private cuts = 0;
  /** The walk stack of riskOf; empty between top-level calls (each call removes what it added). */
  private readonly visiting = new Set<string>();
  private readonly work = new Map<string, WorkEstimate | { thin: string }>();
  private started: ReadonlyMap<string, string> = new Map();
  /** Cached work that depends on the time (tasks under way). */
  private readonly underWay = new Set<string>();
  private readonly byOwner = new Map<string, Set<string>>();
  private calibration: Calibration = IDENTITY;
  private readonly queues = new Map<string, Map<string, Queue>>();
  private readonly flags = new Map<string, Flag[]>();
  private readonly overdueByOwner = new Map<string, number>();
  private now = 0;

  constructor(opts: EngineOptions) {
    this.settings = opts.settings;
    this.cal = new Calendar(opts.calendar);
    this.identity = opts.identity;
    this.teamNames = opts.teamNames ?? {};
    this.history = new History([], this.cal);
  }

  /**
   * Loads the world: every task (deleted ones are ignored), the finished-task history, and when work in
   * progress started (its current run in progress): work under way for a while has less left to do.
   */
  load(tasks: readonly Task[], samples: readonly CycleSample[], started: ReadonlyMap<string, string> = new Map()): void {
    const live = tasks.filter((t) => t.deletedAt === null);
    this.graph = new TaskGraph(live);
    this.history = new History(samples, this.cal);
    this.historyAt = NaN; // work under way is counted at the next evaluation
    this.started = started;
    this.risk.clear();
    this.work.clear();
    this.byOwner.clear();
    this.flags.clear();
    for (const t of live) this.indexOwner(t);
  }

  /** The team's resolved forecasts, applied to every probability from the next evaluation on. */
  setCalibration(c: Calibration): void {
    this.calibration = c;
    this.risk.clear();
  }

  /**
   * Calibrates on the forecasts recorded on days before `at`'s, judged by the loaded tasks as they
   * stand at `at` (call after `load`, before `evaluate`). Returns how many had resolved.
   */
  calibrateFrom(forecasts: readonly RecordedForecast[], at: number): number {
    const resolved = resolvedAt(forecasts, (id) => this.graph.task(id), (d) => this.cal.endOf(d), this.cal.localDate(at), at);
    this.setCalibration(calibrate(resolved));
    return resolved.length;
  }

  /** The team-local date of an instant. */
  localDay(at: number): string {
    return this.cal.localDate(at);
  }

  /** Today's raw forecasts (before calibration), as they are recorded for tomorrow's calibration. */
  rawForecasts(): { readonly taskId: string; readonly due: string; readonly p: number }[] {
    const out: { taskId: string; due: string; p: number }[] = [];
    for (const [id, r] of this.risk) {
      const t = this.graph.task(id);
      if (t?.due && r.level !== 'unknown') out.push({ taskId: id, due: t.due, p: r.rawPMiss });
    }
    return out;
  }

  /** Evaluates every task as of `now`. */
  evaluate(now: number): Evaluation {
    this.now = now;
    for (const id of this.underWay) this.work.delete(id); // work in progress shrinks as time passes
    this.underWay.clear();
    if (now !== this.historyAt) this.measureHistory(now);
    this.risk.clear();
    this.cyclic.clear();
    this.queues.clear();
    this.computeOverdue();
    const ctx = this.context();
    const flags: Flag[] = [];
    this.flags.clear();
    for (const t of this.graph.all()) {
      const f = this.flagsFor(t, ctx);
      if (f.length) this.flags.set(t.id, f);
      flags.push(...f);
    }
    return { now, flags, scope: 'all' };
  }

  /**
   * Applies changed and removed tasks and re-evaluates only what they touch. Call `evaluate` first;
   * tasks outside the scope keep the flags of the last evaluation.
   */
  apply(changed: readonly Task[], removed: readonly string[], now: number): Evaluation {
    const sameNow = now === this.now;
    this.now = now;
    const touched = new Set<string>();
    /** Per owner, the earliest due date whose queue position a change may shift. */
    const owners = new Map<string, string>();
    const shifts = (owner: string | null, due: string | null) => {
      if (!owner) return;
      const from = due ?? '';
      const prev = owners.get(owner);
      if (prev === undefined || from < prev) owners.set(owner, from);
    };
    for (const id of removed) {
      const old = this.graph.task(id);
      shifts(old?.owner ?? null, old ? queuePosition(old) : null);
      for (const a of this.graph.remove(id)) touched.add(a);
      this.unindexOwner(id, old?.owner ?? null);
      this.flags.delete(id);
    }
    for (const t of changed) {
      const old = this.graph.task(t.id);
      shifts(old?.owner ?? null, old ? queuePosition(old) : null);
      shifts(t.owner, queuePosition(t));
      this.unindexOwner(t.id, old?.owner ?? null);
      this.work.delete(t.id);
      if (t.deletedAt !== null) {
        for (const a of this.graph.remove(t.id)) touched.add(a);
        this.flags.delete(t.id);
        continue;
      }
      for (const a of this.graph.upsert(t)) touched.add(a);
      this.indexOwner(t);
    }
    // The owner's queue: open dated work at or after the change's position sees its queue change.
    for (const [o, from] of owners) {
      this.queues.delete(o);
      for (const id of this.byOwner.get(o) ?? []) {
        const x = this.graph.task(id);
        if (x && x.due !== null && x.due >= from && !isClosed(x.status)) touched.add(id);
      }
    }
    // Chain reasons name an owner's overdue count: when it changes, so may any chain through their work.
    const before = new Map([...owners.keys()].map((o) => [o, this.overdueByOwner.get(o) ?? 0]));
    this.computeOverdue(sameNow ? owners.keys() : undefined);
    for (const [o, n] of before) {
      if ((this.overdueByOwner.get(o) ?? 0) === n) continue;
      for (const id of this.byOwner.get(o) ?? []) touched.add(id);
    }
    // Whatever waits on a touched task (dependents, parents) sees its forecast and chain change.
    const scope = new Set<string>();
    const stack = [...touched];
    while (stack.length) {
      const id = stack.pop()!;
      if (scope.has(id) || !this.graph.task(id)) continue;
      scope.add(id);
      this.risk.delete(id);
      this.cyclic.delete(id);
      stack.push(...this.graph.dependentsOf(id));
      const p = this.graph.parent(id);
      if (p) stack.push(p);
    }
    const ctx = this.context();
    const flags: Flag[] = [];
    for (const id of scope) {
      const f = this.flagsFor(this.graph.task(id)!, ctx);
      if (f.length) this.flags.set(id, f);
      else this.flags.delete(id);
      flags.push(...f);
    }
    return { now, flags, scope };
  }

  explain(id: string): Explanation | null {
    const task = this.graph.task(id) ?? this.graph.task(this.graph.resolve(id) ?? '');
    if (!task) return null;
    const g = this.graph;
    return {
      task,
      ownership: this.ownershipOf(task),
      flags: this.flags.get(task.id) ?? [],
      risk: this.riskOf(task.id, new Set()) ?? null,
      dependencies: g.dependenciesOf(task.id).map((d) => ({ id: d, label: this.label(d), status: g.task(d)?.status ?? 'unknown' })),
      unresolved: g.unresolvedOf(task.id),
      dependents: g.dependentsOf(task.id),
      parent: g.parent(task.id) ?? null,
      children: g.children(task.id),
      cycle: g.cycle(task.id) ?? null,
    };
  }

  health(): GroupHealth[] {
    const flags = [...this.flags.values()].flat();
    return groupHealth([...this.graph.all()], flags, this.risk);
  }

  /** Unresolved references across the graph, for reports (kept, never dropped). */
  unresolved(): { from: string; ref: string }[] {
    return this.graph.unresolved();
  }

  /** Every open flag as of the last evaluate/apply. */
  currentFlags(): Flag[] {
    return [...this.flags.values()].flat();
  }

  riskResults(): ReadonlyMap<string, RiskResult> {
    return this.risk;
  }

  /** A task's place in the graph alone (no risk, no ownership): cheap enough to walk thousands. */
  links(id: string): { dependencies: readonly string[]; dependents: readonly string[]; parent: string | null; children: readonly string[]; cycle: readonly string[] | null } {
    const g = this.graph;
    return { dependencies: g.dependenciesOf(id), dependents: g.dependentsOf(id), parent: g.parent(id) ?? null, children: g.children(id), cycle: g.cycle(id) ?? null };
  }

  /** Working days from the evaluation's day to `date` (0 when it is today or past): how far ahead a warning comes. */
  workdaysUntil(date: string): number {
    let n = 0;
    for (let d = this.cal.localDate(this.now); d < date && n < 400; ) {
      d = addDays(d, 1);
      if (this.cal.isWorkday(d)) n++;
    }
    return n;
  }

  /** Every loaded task (deleted ones are never loaded). */
  tasks(): IterableIterator<Task> {
    return this.graph.all();
  }

  /** A loaded task by id. */
  task(id: string): Task | undefined {
    return this.graph.task(id);
  }

  /** A reference (id, kind:key, URL) to a loaded task's id. */
  resolve(ref: string): string | undefined {
    return this.graph.resolve(ref);
  }

  /** The tasks a task is connected to across tools: its dependencies, parent and links that resolve. */
  related(id: string): string[] {
    const t = this.graph.task(id);
    if (!t) return [];
    const out = new Set<string>(this.graph.dependenciesOf(id));
    const parent = this.graph.parent(id);
    if (parent) out.add(parent);
    for (const l of t.links) {
      const r = this.graph.resolve(l);
      if (r) out.add(r);
    }
    out.delete(id);
    return [...out];
  }

  /** "OPS-14 (Jira)", "“Client approval on scope” (Notion)" */
  readonly label = (id: string): string => {
    const t = this.graph.task(id);
    return t ? taskLabel(t) : id;
  };

  readonly nameOf = (id: string): string => this.identity.person(id)?.name ?? this.teamNames[id] ?? id;

  private flagsFor(t: Task, ctx: EvalContext): Flag[] {
    const closed = isClosed(t.status);
    // Of the closed, only work that is done (not verified, not cancelled) can still be flagged.
    if (closed && t.status !== 'done') return [];
    const out: Flag[] = [];
    let prepared = false;
    for (const rule of RULES) {
      if (closed && !rule.appliesToClosed) continue;
      const setting = this.settings[rule.code];
      if (!setting.enabled || exempt(t, this.settings.exempt) || exempt(t, setting.exempt)) continue;
      if (!prepared) {
        // Rules read this task's ownership and risk through the shared context.
        ctx.ownership = this.ownershipOf(t);
        this.riskOf(t.id, this.visiting);
        prepared = true;
      }
      const found = rule.check(t, ctx);
      if (found) out.push({ taskId: t.id, code: rule.code, severity: found.severity ?? setting.severity, reason: found.reason, evidence: found.evidence });
    }
    return out;
  }

  /** One rule context per evaluation; `ownership` is set for each task as it is checked. */
  private context(): EvalContext {
    const memo = new Map<string, UpstreamTrouble | null>();
    return {
      now: this.now,
      cal: this.cal,
      settings: this.settings,
      ownership: { owner: null, people: [], teams: [], unmapped: [], bots: [] },
      graph: this.graph,
      risk: this.risk,
      label: this.label,
      nameOf: this.nameOf,
      day: humanDate,
      upstream: (id) => this.upstream(id, memo),
    };
  }

  private ownershipOf(t: Task): Ownership {
    return this.identity.ownership(t.assignees);
  }

  private indexOwner(t: Task) {
    if (!t.owner) return;
    let s = this.byOwner.get(t.owner);
    if (!s) this.byOwner.set(t.owner, (s = new Set()));
    s.add(t.id);
  }

  private unindexOwner(id: string, owner: string | null) {
    if (owner) this.byOwner.get(owner)?.delete(id);
  }

  /** Open overdue tasks per owner (for chain reasons): for every owner, or only those given. */
  private computeOverdue(only?: Iterable<string>) {
    const today = this.cal.localDate(this.now);
    const owners = only === undefined ? this.byOwner.keys() : only;
    if (only === undefined) this.overdueByOwner.clear();
    for (const owner of owners) {
      let n = 0;
      for (const id of this.byOwner.get(owner) ?? []) {
        const t = this.graph.task(id);
        if (t && t.due !== null && t.due < today && !isClosed(t.status)) n++;
      }
      if (n) this.overdueByOwner.set(owner, n);
      else this.overdueByOwner.delete(owner);
    }
  }

  /**
   * Cycle times as of `now`: the finished work, and the work under way as long as it has run so far.
   * Measured by each full evaluation; `apply` keeps them until the next one, as it keeps the start times
   * loaded with the world.
   */
  private measureHistory(now: number): void {
    const open: OpenWork[] = [];
    for (const [id, startedAt] of this.started) {
      const t = this.graph.task(id);
      if (t && isUnderWay(t.status)) open.push({ owner: t.owner, startedAt });
    }
    this.history.measure(open, now);
    this.historyAt = now;
    this.work.clear();
  }

  private workOf(t: Task): WorkEstimate | { thin: string } {
    let w = this.work.get(t.id);
    if (!w) {
      const since = isUnderWay(t.status) ? this.started.get(t.id) : undefined;
      const elapsed = since === undefined ? 0 : this.cal.workingHoursBetween(Date.parse(since), this.now);
      if (since !== undefined) this.underWay.add(t.id);
      this.work.set(t.id, (w = this.history.work(t, this.nameOf, elapsed)));
    }
    return w;
  }

  /**
   * The owner's open dated work in order (work under way first, then due date, then priority); each
   * task's queue is what precedes it, its hours added up as distributions.
   */
  private queueOf(t: Task & { due: string }): Queue {
    if (!t.owner) return EMPTY_QUEUE;
    let q = this.queues.get(t.owner);
    if (!q) {
      q = new Map();
      const mine = [...(this.byOwner.get(t.owner) ?? [])]
        .map((id) => this.graph.task(id)!)
        .filter((x): x is Task & { due: string } => x.due !== null && !isClosed(x.status))
        .sort(queueOrder);
      const sum = new QueueSum();
      const ids: string[] = [];
      for (const x of mine) {
        q.set(x.id, { count: ids.length, hours: median(sum.hours), ids: ids.slice(0, 5), sum: sum.hours });
        const w = this.workOf(x);
        if (!('thin' in w)) sum.add(w.hours);
        ids.push(x.id);
      }
      this.queues.set(t.owner, q);
    }
    return q.get(t.id) ?? EMPTY_QUEUE;
  }

  /**
   * Risk of an open task with a due date, blockers first. Within a cycle of blockers the answer depends
   * on where the walk starts, so each task's own risk is always computed from itself: results that met a
   * cycle are cached for top-level use only, and recomputed when another task's walk passes through.
   */
  private riskOf(id: string, visiting: Set<string>): RiskResult | undefined {
    const top = visiting.size === 0;
    const cached = this.risk.get(id);
    if (cached && (top || !this.cyclic.has(id))) return cached;
    const t = this.graph.task(id);
    if (!t || t.due === null || isClosed(t.status)) return undefined;
    if (visiting.has(id)) {
      this.cuts++;
      return undefined;
    }
    const cutsBefore = this.cuts;
    visiting.add(id);
    const blockers = this.openBlockers(t).map((b) => ({ id: b, ...this.finishOf(b, visiting) }));
    const ctx: RiskContext = { now: this.now, cal: this.cal, history: this.history, nameOf: this.nameOf, label: this.label, ...(this.calibration.n > 0 ? { calibration: this.calibration } : {}) };
    const due = t as Task & { due: string };
    const r = assessRisk({ task: due, work: this.workOf(t), queue: this.queueOf(due), blockers }, ctx);
    visiting.delete(id);
    const cyclic = this.cuts !== cutsBefore;
    if (top || !cyclic) {
      this.risk.set(id, r);
      if (cyclic) this.cyclic.add(id);
      else this.cyclic.delete(id);
    }
    return r;
  }

  /**
   * Forecast finish of any task, as an instant and as a distribution of working hours from now: its
   * risk forecast, else (no due date) its blockers' finish, then its own work. Unknown: both null.
   */
  private finishOf(id: string, visiting: Set<string>): { finishMs: number | null; finishHours: readonly number[] | null } {
    const unknown = { finishMs: null, finishHours: null };
    const t = this.graph.task(id);
    if (!t) return unknown;
    if (isClosed(t.status)) return { finishMs: this.now, finishHours: [0] };
    if (t.due !== null) {
      const r = this.riskOf(id, visiting);
      return r ? { finishMs: r.finishMs, finishHours: r.finishHours } : unknown;
    }
    if (visiting.has(id)) {
      this.cuts++;
      return unknown;
    }
    visiting.add(id);
    const starts = this.openBlockers(t).map((b) => this.finishOf(b, visiting).finishHours);
    visiting.delete(id);
    const w = this.workOf(t);
    if (starts.some((s) => s === null) || 'thin' in w) return unknown;
    const hours = addUp(latestOf(starts as (readonly number[])[]), w.hours);
    return { finishMs: this.cal.addWorkingHours(this.now, median(hours)), finishHours: hours };
  }

  private openBlockers(t: Task): string[] {
    if (this.graph.dependenciesOf(t.id).length === 0 && !this.graph.hasChildren(t.id)) return [];
    const out: string[] = [];
    for (const d of [...this.graph.dependenciesOf(t.id), ...this.graph.children(t.id)]) {
      const dt = this.graph.task(d);
      if (dt && !isClosed(dt.status) && !out.includes(d)) out.push(d);
    }
    return out;
  }

  /**
   * The most serious troubled chain above a task: a dependency or subtask (at any depth up to
   * MAX_CHAIN) that is overdue, at risk, or due after the task that waits on it. A breadth-first walk in
   * id order makes the answer independent of how the graph was built; the most serious cause wins,
   * then the shortest chain, then ids.
   */
  private upstream(id: string, memo: Map<string, UpstreamTrouble | null>): UpstreamTrouble | null {
    if (memo.has(id)) return memo.get(id)!;
    const self = this.graph.task(id);
    if (!self || (this.graph.dependenciesOf(id).length === 0 && !this.graph.hasChildren(id))) return null;
    const today = this.cal.localDate(this.now);
    const prev = new Map<string, string>([[id, id]]);
    let frontier = [id];
    let best: UpstreamTrouble | null = null;
    for (let depth = 0; depth < MAX_CHAIN && frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const v of frontier) {
        const vt = this.graph.task(v)!;
        for (const d of this.openBlockers(vt).sort()) {
          if (prev.has(d)) continue;
          prev.set(d, v);
          next.push(d);
          const own = this.problem(vt, this.graph.task(d)!, today);
          if (!own) continue;
          const candidate = this.chainTo(id, d, own, prev);
          if (best === null || worse(candidate, best)) best = candidate;
        }
      }
      frontier = next;
    }
    memo.set(id, best);
    return best;
  }

  private chainTo(root: string, cause: string, own: { text: string; cause: UpstreamTrouble['cause'] }, prev: Map<string, string>): UpstreamTrouble {
    const chain = [cause];
    for (let c = prev.get(cause)!; c !== root; c = prev.get(c)!) chain.push(c);
    const steps = chain.map((c, i) => {
      const ct = this.graph.task(c)!;
      if (i > 0) return `${this.label(c)}${ct.due ? ` due ${humanDate(ct.due)}` : ''}`;
      const waiter = prev.get(c)!;
      return `${this.graph.parent(c) === waiter ? 'subtask' : 'blocked by'} ${this.label(c)}, ${own.text}`;
    });
    return { chain, steps, cause: own.cause };
  }

  private problem(t: Task, dep: Task, today: string): { text: string; cause: UpstreamTrouble['cause'] } | null {
    const ownerNote = () => {
      const n = dep.owner ? (this.overdueByOwner.get(dep.owner) ?? 0) : 0;
      return n > 1 ? `, its owner has ${n} overdue tasks` : dep.owner ? '' : ', nobody owns it';
    };
    if (dep.due !== null && dep.due < today) return { text: `overdue since ${humanDate(dep.due)}${ownerNote()}`, cause: 'overdue' };
    const r = this.riskOf(dep.id, new Set());
    if (r && (r.level === 'high' || r.level === 'medium')) {
      return { text: `${r.level} risk of missing ${humanDate(dep.due!)} (${Math.round(r.pMiss * 100)}%)${ownerNote()}`, cause: 'at_risk' };
    }
    if (dep.due !== null && t.due !== null && dep.due > t.due) return { text: `due ${humanDate(dep.due)}, after this task's date`, cause: 'due_later' };
    return null;
  }
}

const CAUSE_RANK: Record<UpstreamTrouble['cause'], number> = { overdue: 0, at_risk: 1, cycle: 2, due_later: 3 };
function worse(a: UpstreamTrouble, b: UpstreamTrouble): boolean {
  const order = CAUSE_RANK[a.cause] - CAUSE_RANK[b.cause] || a.chain.length - b.chain.length || (a.chain.join() < b.chain.join() ? -1 : a.chain.join() > b.chain.join() ? 1 : 0);
  return order < 0;
}

function exempt(t: Task, e: Exempt): boolean {
  if (e.types.includes(t.type)) return true;
  if (t.project !== null && e.projects.includes(t.project)) return true;
  if (e.labels.length === 0) return false;
  const labels = new Set(t.labels.map((l) => l.toLowerCase()));
  return e.labels.some((l) => labels.has(l.toLowerCase()));
}

/** Where a task sits in its owner's queue, as the due date from which a change there shifts it ('': the front). */
function queuePosition(t: Task): string | null {
  return isUnderWay(t.status) ? '' : t.due;
}

/**
 * An owner's queue order: work under way first, then by due date, then priority, then the oldest first
 * (of two tasks due the same day, the one asked for earlier is usually picked up first), then id.
 */
function queueOrder(a: Task & { due: string }, b: Task & { due: string }): number {
  const rank = (t: Task) => PRIORITY_RANK[t.priority ?? ''] ?? 4;
  return underWayFirst(a, b) || compare(a.due, b.due) || rank(a) - rank(b) || compare(a.createdAt, b.createdAt) || compare(a.id, b.id);
}

const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** Work under way comes before work not started, whatever its due date: people finish what they hold. */
function underWayFirst(a: Task, b: Task): number {
  return Number(!isUnderWay(a.status)) - Number(!isUnderWay(b.status));
}
