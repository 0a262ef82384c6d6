/**
 * Deadline risk, explainable: for an open task with a due date, how much work is left, how much working
 * time its owner has before the end of the due day once the work due earlier is done, when it can start
 * (its blockers' forecast finish), and whether the owner is slower than usual. The probability of missing
 * the date is read exactly off the empirical distribution of the work (estimate × the team's historical
 * estimate accuracy, or the owner's — else the team's — historical cycle times); no black box, and when
 * history is too thin the result says so instead of guessing.
 */
import { errorFunction, probit } from 'simple-statistics';
import { humanDate, type Calendar } from './calendar.js';
import type { Calibration } from './calibration.js';
import type { Task, TaskType } from './model.js';

/** A finished task, for learning cycle times and estimate accuracy. */
export interface CycleSample {
  readonly taskId: string;
  readonly owner: string | null;
  readonly project: string | null;
  readonly type: TaskType;
  /** When work started (first move to in progress; else creation). */
  readonly startedAt: string;
  readonly doneAt: string;
  readonly estimateS: number | null;
  readonly spentS: number | null;
}

export type RiskLevel = 'low' | 'medium' | 'high' | 'unknown';

export interface RiskResult {
  readonly taskId: string;
  readonly level: RiskLevel;
  /** Probability of missing the due date, 0..1 (0 when unknown), calibrated on the team's resolved forecasts. */
  readonly pMiss: number;
  /** The model's own probability, before calibration (what calibration learns from). */
  readonly rawPMiss: number;
  /** Forecast finish date (team timezone), or null when unknown. */
  readonly expectedFinish: string | null;
  /** The forecast finish as an instant, for the tasks that wait on this one. */
  readonly finishMs: number | null;
  /** The finish as a distribution: working hours from now, sorted (null when unknown). */
  readonly finishHours: readonly number[] | null;
  /** Plain-words reasons, most important first. */
  readonly reasons: readonly string[];
  readonly inputs: {
    readonly workHours: number | null;
    readonly workSource: string;
    readonly samples: number;
    readonly availableHours: number;
    readonly queueHours: number;
    readonly queue: readonly string[];
    readonly earliestStart: string;
    readonly blockers: readonly { readonly id: string; readonly finish: string | null }[];
    readonly capacity: number;
  };
}

/** How much work a task needs, as a sorted empirical distribution of hours. */
export interface WorkEstimate {
  readonly hours: readonly number[];
  readonly median: number;
  readonly source: string;
}

/**
 * Estimate accuracy (actual ÷ estimate) assumed when the team has no history of estimates against time
 * spent: centred on the estimate, skewed late — work overruns more often and by more than it underruns.
 */
const DEFAULT_ACCURACY = [0.7, 0.8, 0.9, 1, 1, 1, 1.1, 1.25, 1.5, 2];
export const MIN_SAMPLES = 5;
/** How many of the team's samples a person's estimate accuracy is blended with. */
const SHRINK = 8;

const round1 = (n: number) => Math.round(n * 10) / 10;

export function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0;
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/** What the team's history says, precomputed once per evaluation. */
export class History {
  readonly accuracy: readonly number[];
  readonly accuracySource: string;
  private readonly accuracyByOwner = new Map<string, readonly number[]>();
  /** Cycle-time 20-quantiles per person and for the team, finished work and work under way together. */
  private readonly byOwner = new Map<string, readonly number[]>();
  private team: readonly number[] = [];
  /** Finished cycle times, sorted: per person and for the team (kept to merge the work under way into). */
  private readonly finishedByOwner = new Map<string, number[]>();
  private readonly finishedTeam: number[] = [];
  /** How many finished tasks each person's (and the team's) cycle times come from. */
  private readonly ownerCount = new Map<string, number>();
  private teamCount = 0;
  /** How much work under way each person's (and the team's) cycle times also count, as censored. */
  private readonly ownerOpen = new Map<string, number>();
  private teamOpen = 0;
  private readonly doneTimes = new Map<string, number[]>();
  /** Whether `measure` has run (finished work alone until it does). */
  private measured = false;

  constructor(
    samples: readonly CycleSample[],
    private readonly cal: Calendar,
  ) {
    const ratios: number[] = [];
    const ownerRatios = new Map<string, number[]>();
    for (const s of samples) {
      const hours = cal.workingHoursBetween(Date.parse(s.startedAt), Date.parse(s.doneAt));
      if (hours > 0) {
        this.finishedTeam.push(hours);
        if (s.owner) push(this.finishedByOwner, s.owner, hours);
      }
      if (s.owner) push(this.doneTimes, s.owner, Date.parse(s.doneAt));
      // Actual ÷ estimate: time logged when the tool tracks it, else the working hours it was in progress.
      const actual = s.spentS ? s.spentS / 3600 : hours;
      if (s.estimateS && s.estimateS > 0 && actual > 0) {
        const r = actual / (s.estimateS / 3600);
        ratios.push(r);
        if (s.owner) push(ownerRatios, s.owner, r);
      }
    }
    const byHours = (x: number, y: number) => x - y;
    this.finishedTeam.sort(byHours);
    for (const v of this.finishedByOwner.values()) v.sort(byHours);
    this.teamCount = this.finishedTeam.length;
    for (const [owner, v] of this.finishedByOwner) this.ownerCount.set(owner, v.length);
    const enough = ratios.length >= MIN_SAMPLES;
    this.accuracy = enough ? quantiles(ratios.sort((a, b) => a - b), 20) : DEFAULT_ACCURACY;
    // A person's own record, shrunk toward the team's: their samples plus SHRINK evenly spread team
    // quantiles, so a few unlucky tasks do not make everything they own look late.
    if (enough) {
      const prior = quantiles(this.accuracy, SHRINK - 1);
      for (const [owner, v] of ownerRatios) if (v.length >= MIN_SAMPLES) this.accuracyByOwner.set(owner, quantiles([...v, ...prior].sort((a, b) => a - b), 20));
    }
    this.accuracySource = enough ? `the team's estimate accuracy over ${ratios.length} finished tasks` : 'a default estimate spread (−30%…+100%)';
  }

  /**
   * Counts the work under way at `now` (whose, and when its current run started): it has taken at least
   * as long as it has run so far, and cycle times learned only from finished work would leave out exactly
   * the long ones (a slow person's open task is the one not in their record yet). Finished and running
   * work are read together as a Kaplan–Meier estimate, the running work counted as censored.
   */
  measure(open: readonly OpenWork[], now: number): void {
    this.measured = true;
    const running = new Map<string, number[]>();
    const all: number[] = [];
    for (const o of open) {
      const hours = this.cal.workingHoursBetween(Date.parse(o.startedAt), now);
      if (hours <= 0) continue;
      all.push(hours);
      if (o.owner) push(running, o.owner, hours);
    }
    // Cycle times kept as their 20-quantiles: the same distribution at a fixed size, however long the history.
    this.team = kaplanMeierQuantiles(this.finishedTeam, all, 20);
    this.teamOpen = all.length;
    this.byOwner.clear();
    this.ownerOpen.clear();
    for (const owner of new Set([...this.finishedByOwner.keys(), ...running.keys()])) {
      const r = running.get(owner) ?? [];
      this.byOwner.set(owner, kaplanMeierQuantiles(this.finishedByOwner.get(owner) ?? [], r, 20));
      if (r.length) this.ownerOpen.set(owner, r.length);
    }
  }

  /**
   * The remaining work of a task as a distribution, or `thin` when nothing supports a forecast. Work in
   * progress for `elapsedH` working hours (and no time logged) is what the distribution, read as a
   * log-normal, says is left given that it has not finished yet (`residual`).
   */
  work(t: Task, nameOf: (id: string) => string, elapsedH = 0): WorkEstimate | { thin: string } {
    const w = this.fullWork(t, nameOf);
    if ('thin' in w || elapsedH <= 0 || t.spentS || t.remainingS !== null) return w;
    const hours = residual(w.hours, elapsedH);
    return { hours, median: median(hours), source: `${w.source}, ${round1(elapsedH)}h in progress` };
  }

  private fullWork(t: Task, nameOf: (id: string) => string): WorkEstimate | { thin: string } {
    if (!this.measured) this.measure([], 0);
    // An estimate is spread by how its owner's estimates turned out (else the team's, else a default).
    const own = t.owner ? this.accuracyByOwner.get(t.owner) : undefined;
    const fromBase = (base: number, what: string): WorkEstimate => {
      const hours = (own ?? this.accuracy).map((r) => base * r);
      return { hours, median: median(hours), source: own ? `${what}, as ${nameOf(t.owner!)}'s estimates turn out` : what };
    };
    if (t.remainingS !== null) return fromBase(t.remainingS / 3600, `remaining estimate ${round1(t.remainingS / 3600)}h`);
    if (t.estimateS !== null) {
      const est = t.estimateS / 3600;
      const spent = (t.spentS ?? 0) / 3600;
      if (spent >= est) return fromBase(est * 0.25, `already over its ${round1(est)}h estimate (${round1(spent)}h logged)`);
      return fromBase(est - spent, `estimate ${round1(est)}h${spent ? ` − ${round1(spent)}h logged` : ''}`);
    }
    const cycles = t.owner ? this.byOwner.get(t.owner) : undefined;
    const ownN = t.owner ? (this.ownerCount.get(t.owner) ?? 0) : 0;
    const underWay = (n: number) => (n > 0 ? ` and ${n} under way` : '');
    if (cycles && ownN >= MIN_SAMPLES) {
      return { hours: cycles, median: median(cycles), source: `${nameOf(t.owner!)}'s cycle time over ${ownN} finished tasks${underWay(this.ownerOpen.get(t.owner!) ?? 0)}` };
    }
    if (this.teamCount >= MIN_SAMPLES) {
      return { hours: this.team, median: median(this.team), source: `the team's cycle time over ${this.teamCount} finished tasks${underWay(this.teamOpen)}` };
    }
    const n = Math.max(ownN, this.teamCount);
    return { thin: `not enough history to forecast: no estimate, and only ${n} finished task${n === 1 ? '' : 's'} to learn from` };
  }

  private readonly throughputs = new Map<string, { recent: number; usual: number }>();
  private throughputNow = NaN;

  /** Completions by an owner in the last 14 days against their usual 14 days (the 8 weeks before). */
  throughput(owner: string, now: number): { recent: number; usual: number } {
    if (now !== this.throughputNow) {
      this.throughputs.clear();
      this.throughputNow = now;
    }
    const known = this.throughputs.get(owner);
    if (known) return known;
    const times = this.doneTimes.get(owner) ?? [];
    const day = 86_400_000;
    let recent = 0;
    let before = 0;
    for (const t of times) {
      if (t > now) continue;
      if (t > now - 14 * day) recent++;
      else if (t > now - 70 * day) before++;
    }
    const result = { recent, usual: before / 4 };
    this.throughputs.set(owner, result);
    return result;
  }
}

export interface RiskContext {
  readonly now: number;
  /** The team's own record of resolved forecasts, applied to the model's probability (absent: none). */
  readonly calibration?: Calibration;
  readonly cal: Calendar;
  readonly history: History;
  readonly nameOf: (id: string) => string;
  readonly label: (taskId: string) => string;
}

export interface RiskInput {
  readonly task: Task & { readonly due: string };
  readonly work: WorkEstimate | { thin: string };
  /**
   * The owner's work that comes first: how many tasks, the first few ids, the distribution of their
   * hours added up (sorted, `[0]` when none: see `addUp`) and its median.
   */
  readonly queue: Queue;
  /** Open blockers: their forecast finish instants and distributions (working hours from now; null: unknown). */
  readonly blockers: readonly Blocker[];
}

export interface Blocker {
  readonly id: string;
  readonly finishMs: number | null;
  readonly finishHours: readonly number[] | null;
}

export function assessRisk(input: RiskInput, ctx: RiskContext): RiskResult {
  const { task, work } = input;
  const dueEnd = ctx.cal.endOf(task.due);
  let start = ctx.now;
  for (const b of input.blockers) if (b.finishMs !== null && b.finishMs > start) start = b.finishMs;
  const tp = task.owner ? ctx.history.throughput(task.owner, ctx.now) : { recent: 0, usual: 0 };
  const slower = tp.usual >= 2 && tp.recent < tp.usual * 0.75;
  // Finishing fewer tasks lately says less than it seems (task sizes vary): a mild brake, not a halving.
  const capacity = slower ? Math.max(0.8, tp.recent / tp.usual) : 1;
  const available = ctx.cal.workingHoursBetween(start, dueEnd) * capacity;
  if ('thin' in work) return new Assessment(input, ctx, 'unknown', 0, null, start, available, capacity, tp, slower);

  // The owner works through the queue ahead while what this task waits for is being finished; the task
  // itself starts when both are done. In the owner's hours: max(wait, queue), then the work. Each
  // outcome of the work with each outcome of what comes before it: the share of pairs that do not fit
  // before the end of the due day.
  const total = ctx.cal.workingHoursBetween(ctx.now, dueEnd) * capacity;
  const wait = latestOf(input.blockers.map((b) => b.finishHours).filter((h): h is readonly number[] => h !== null)).map((h) => h * capacity);
  const before = wait.length === 1 && wait[0] === 0 ? input.queue.sum : latest(wait, input.queue.sum);
  let misses = 0;
  for (const h of work.hours) misses += before.length - fitsBelow(before, total - h);
  const rawPMiss = misses / (work.hours.length * before.length);
  const pMiss = ctx.calibration ? ctx.calibration.apply(rawPMiss) : rawPMiss;
  const level: RiskLevel = pMiss >= 0.5 ? 'high' : pMiss >= 0.2 ? 'medium' : 'low';
  return new Assessment(input, ctx, level, pMiss, before, start, available, capacity, tp, slower, rawPMiss);
}

/**
 * One task's assessment. Reasons and inputs are words and details for people (flags, explain, the
 * report): built on first read, from methods on the prototype — a 100k-task evaluation allocates one
 * small object per dated task and no closures.
 */
class Assessment implements RiskResult {
  readonly taskId: string;
  private reasonsCache: readonly string[] | undefined;
  private inputsCache: RiskResult['inputs'] | undefined;

  constructor(
    private readonly input: RiskInput,
    private readonly ctx: RiskContext,
    readonly level: RiskLevel,
    readonly pMiss: number,
    /** What comes before the work (queue, or blockers and queue), in the owner's hours; null: unknown. */
    private readonly before: readonly number[] | null,
    private readonly start: number,
    private readonly available: number,
    private readonly capacity: number,
    private readonly tp: { recent: number; usual: number },
    private readonly slower: boolean,
    readonly rawPMiss = pMiss,
  ) {
    this.taskId = input.task.id;
  }

  private finishCache: readonly number[] | null | undefined;

  /** Working hours from now until done: what comes first, then the work (computed when asked for). */
  get finishHours(): readonly number[] | null {
    if (this.finishCache === undefined) {
      const { work } = this.input;
      this.finishCache = this.before === null || 'thin' in work ? null : addUp(this.before, work.hours).map((h) => h / this.capacity);
    }
    return this.finishCache;
  }

  private finishMsCache: number | null | undefined;

  get finishMs(): number | null {
    if (this.finishMsCache === undefined) {
      const h = this.finishHours;
      this.finishMsCache = h === null ? null : this.ctx.cal.addWorkingHours(this.ctx.now, median(h));
    }
    return this.finishMsCache;
  }

  get expectedFinish(): string | null {
    const ms = this.finishMs;
    return ms === null ? null : this.ctx.cal.localDate(ms);
  }

  get reasons(): readonly string[] {
    return (this.reasonsCache ??= this.explain());
  }

  get inputs(): RiskResult['inputs'] {
    return (this.inputsCache ??= this.details());
  }

  toJSON() {
    return { taskId: this.taskId, level: this.level, pMiss: this.pMiss, rawPMiss: this.rawPMiss, expectedFinish: this.expectedFinish, finishMs: this.finishMs, reasons: this.reasons, inputs: this.inputs };
  }

  private details(): RiskResult['inputs'] {
    const { work, queue, blockers } = this.input;
    return {
      workHours: 'thin' in work ? null : round1(work.median),
      workSource: 'thin' in work ? work.thin : work.source,
      samples: 'thin' in work ? 0 : work.hours.length,
      availableHours: round1(this.available),
      queueHours: round1(queue.hours),
      queue: queue.ids,
      earliestStart: new Date(this.start).toISOString(),
      blockers: blockers.map((b) => ({ id: b.id, finish: b.finishMs === null ? null : this.ctx.cal.localDate(b.finishMs) })),
      capacity: round1(this.capacity),
    };
  }

  private explain(): readonly string[] {
    const { task, work, queue } = this.input;
    const ctx = this.ctx;
    if ('thin' in work) return [work.thin];
    const dayH = ctx.cal.dayHours;
    const days = (h: number) => `${round1(h / dayH)} working day${round1(h / dayH) === 1 ? '' : 's'}`;
    const who = task.owner ? ctx.nameOf(task.owner) : 'the owner';
    const queued = queue.count;
    // When the work cannot start before a blocker finishes, the time left counts from then: say so.
    const startDay = ctx.cal.localDate(this.start);
    const later = startDay > ctx.cal.localDate(ctx.now);
    const workReason = `needs ~${days(work.median)} of work (${work.source}); ${later ? `after what it waits for is done (${humanDate(startDay)}), ` : ''}${days(this.available)} left until ${humanDate(task.due)}`;
    const queueReasons = queued > 0 ? [`${queued} task${queued === 1 ? '' : 's'} due earlier come${queued === 1 ? 's' : ''} first in ${who}'s queue (~${days(queue.hours)})`] : [];
    const late = this.input.blockers.filter((b) => b.finishMs === null || b.finishMs > ctx.now);
    const blockerReasons = late.map((b) =>
      b.finishMs === null ? `waits for ${ctx.label(b.id)}, whose finish cannot be forecast` : `cannot start before ${ctx.label(b.id)} is forecast to finish (${humanDate(ctx.cal.localDate(b.finishMs))})`,
    );
    const tail: string[] = [];
    if (this.slower) tail.push(`${who} finished ${this.tp.recent} task${this.tp.recent === 1 ? '' : 's'} in the last 2 weeks against a usual ${round1(this.tp.usual)}`);
    if (this.level !== 'low' && this.expectedFinish !== null && this.expectedFinish > task.due) tail.push(`forecast finish ${humanDate(this.expectedFinish)}, after the due date`);
    // Lead with what changes the outcome most: a blocker that finishes late comes before the work itself,
    // and when the work alone would fit, the queue in front of it is the reason.
    if (this.level !== 'low' && blockerReasons.length > 0) return [...blockerReasons, workReason, ...queueReasons, ...tail];
    if (this.level !== 'low' && queueReasons.length > 0 && work.median <= this.available) return [...queueReasons, workReason, ...tail];
    return [workReason, ...queueReasons, ...blockerReasons, ...tail];
  }
}

/** The owner's work ahead of a task (see RiskInput.queue). */
export interface Queue {
  readonly count: number;
  readonly hours: number;
  readonly ids: readonly string[];
  readonly sum: readonly number[];
}

export const EMPTY_QUEUE: Queue = { count: 0, hours: 0, ids: [], sum: [0] };

/** How many of a sorted sample are ≤ `limit` (binary search). */
function fitsBelow(sorted: readonly number[], limit: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The distribution of a + b for independent a and b, each a sorted sample: every pair added, kept as
 * its 20-quantiles. Sums of several tasks this way keep their skew where a sum of means would not (one
 * long task in a person's history weighs on every task of their queue through the mean, but only on
 * some of its outcomes through the sum).
 */
export function addUp(a: readonly number[], b: readonly number[]): number[] {
  return pairwise(a, b, (x, y) => x + y);
}

/**
 * A sample combined with another is taken at its 10-quantiles (11 points): 121 pairs instead of 441,
 * for a result kept at 21 points anyway. The probability itself is read against the full sample.
 */
function coarse(sorted: readonly number[]): readonly number[] {
  return sorted.length > 11 ? quantiles(sorted, 10) : sorted;
}

/** The distribution of max(a, b) for independent a and b, each a sorted sample; kept as its 20-quantiles. */
export function latest(a: readonly number[], b: readonly number[]): number[] {
  return pairwise(a, b, (x, y) => (x > y ? x : y));
}

/** `op` of every pair of two sorted samples (each taken coarse), kept as the 20-quantiles of the result. */
function pairwise(a: readonly number[], b: readonly number[], op: (x: number, y: number) => number): number[] {
  const [xs, ys] = [coarse(a), coarse(b)];
  const all = new Float64Array(xs.length * ys.length);
  let i = 0;
  for (const x of xs) for (const y of ys) all[i++] = op(x, y);
  all.sort();
  return quantiles(all as unknown as readonly number[], 20);
}

/** When the last of several independent finishes comes (`[0]`: none, nothing to wait for). */
export function latestOf(finishes: readonly (readonly number[])[]): readonly number[] {
  return finishes.reduce<readonly number[]>((acc, f) => (acc.length === 1 && acc[0] === 0 ? f : latest(acc, f)), [0]);
}

/** How many tasks of a queue are added up pair by pair; past them the sum keeps its shape (see `QueueSum`). */
const EXACT_TASKS = 8;

/**
 * A queue's hours added up task by task. The first EXACT_TASKS tasks are combined pair by pair (`addUp`);
 * after that the sum is near its limit shape, and each further task moves it by its mean and widens it
 * by its variance (the sum's shape kept, scaled) — a few operations per task instead of a sort of 441.
 */
export class QueueSum {
  private exact: readonly number[] = [0];
  private tasks = 0;
  private mean = 0;
  private variance = 0;
  private exactMean = 0;
  private exactVariance = 0;
  private current: readonly number[] = [0];

  get hours(): readonly number[] {
    return this.current;
  }

  add(work: readonly number[]): void {
    const m = work.reduce((a, b) => a + b, 0) / work.length;
    const v = work.reduce((a, b) => a + (b - m) ** 2, 0) / work.length;
    this.tasks++;
    this.mean += m;
    this.variance += v;
    if (this.tasks <= EXACT_TASKS) {
      this.exact = this.current = addUp(this.exact, work);
      this.exactMean = this.mean;
      this.exactVariance = this.variance;
      return;
    }
    const scale = this.exactVariance > 0 ? Math.sqrt(this.variance / this.exactVariance) : 1;
    this.current = this.exact.map((h) => Math.max(0, this.mean + (h - this.exactMean) * scale));
  }
}

/** Work under way, for the cycle-time estimate: whose, and when its current run started. */
export interface OpenWork {
  readonly owner: string | null;
  readonly startedAt: string;
}

/**
 * The k-quantiles (k + 1 points) of cycle times read off the Kaplan–Meier estimate of finished work
 * (`finished`, sorted) and work still running (`running`: hours so far, censored). With nothing running
 * this is exactly `quantiles(finished, k)`. Past the last finish the estimate says nothing; those
 * quantiles take the longest time seen (finished or still running), a floor rather than a guess.
 */
export function kaplanMeierQuantiles(finished: readonly number[], running: readonly number[], k: number): number[] {
  if (running.length === 0) return quantiles(finished, k);
  if (finished.length === 0) return [];
  const censored = [...running].sort((x, y) => x - y);
  const steps: { hours: number; cdf: number }[] = [];
  let survival = 1;
  let atRisk = finished.length + censored.length;
  let i = 0;
  let j = 0;
  // Walk both in order; at a tie, finishes come first: work still running at t is at risk at t.
  while (i < finished.length) {
    const h = finished[i]!;
    for (; j < censored.length && censored[j]! < h; j++) atRisk--;
    let events = 0;
    for (; i < finished.length && finished[i] === h; i++) events++;
    survival *= 1 - events / atRisk;
    steps.push({ hours: h, cdf: 1 - survival });
    atRisk -= events;
  }
  const longest = Math.max(finished.at(-1)!, censored.at(-1)!);
  // As many points as the finished sample would give (a few finished tasks are a few points), at most k + 1.
  const n = Math.min(k, finished.length - 1);
  let s = 0;
  return Array.from({ length: n + 1 }, (_, p) => {
    const q = n === 0 ? 0.5 : p / n;
    while (s < steps.length && steps[s]!.cdf < q - 1e-9) s++;
    return s < steps.length ? steps[s]!.hours : longest;
  });
}

/**
 * A sorted sample summarized by its k-quantiles (k + 1 points, min to max): the same distribution for
 * reading probabilities off, at a fixed size however long the history is.
 */
export function quantiles(sorted: readonly number[], k: number): number[] {
  if (sorted.length <= k + 1) return [...sorted];
  return Array.from({ length: k + 1 }, (_, i) => sorted[Math.round((i / k) * (sorted.length - 1))]!);
}

/**
 * What is left of work that has run `elapsed` hours without finishing: the work's distribution read as
 * a log-normal (its median, and its spread from the 20th and 80th percentiles), conditioned on taking
 * longer than `elapsed`, at 21 evenly spread quantiles. Work that has run long is likely a large task,
 * with more left, not less — a distribution cut at the longest time seen would say "almost done".
 */
export function residual(sorted: readonly number[], elapsed: number): number[] {
  const at = (q: number) => sorted[Math.round(q * (sorted.length - 1))]!;
  const mu = Math.log(Math.max(0.1, median(sorted)));
  const spread = (Math.log(Math.max(0.1, at(0.8))) - Math.log(Math.max(0.1, at(0.2)))) / (2 * Z80);
  const sigma = Math.max(0.1, spread);
  const f = normalCdf((Math.log(elapsed) - mu) / sigma);
  return Array.from({ length: 21 }, (_, i) => {
    const q = Math.min(1 - 1e-9, f + (1 - f) * ((i + 0.5) / 21));
    return Math.max(0, Math.exp(mu + sigma * probit(q)) - elapsed);
  });
}

/** The standard normal's 80th percentile. */
const Z80 = 0.8416212335729143;

const normalCdf = (z: number) => 0.5 * (1 + errorFunction(z / Math.SQRT2));

function push<T>(m: Map<string, T[]>, k: string, v: T) {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}
