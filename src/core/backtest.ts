/**
 * Scoring the model against what happened. Pure: the shell rebuilds each evaluation day (`--as-of`),
 * runs the engine, and hands over what it predicted; this compares it with the outcomes.
 *
 * A case is one task with one due date: predicted on the days it was open before that date ended; it
 * was missed when the work was done after the end of the due day (team time), or was still not done
 * when that day was over. A due date moved later starts a new case — the first plan was still missed.
 * A flag counts as a prediction of a miss if it was raised on any evaluated day of the case; its lead
 * time is the working days from the first such day to the due date.
 */
import type { FlagCode } from './model.js';

export const SCORED_FLAGS = ['deadline_at_risk', 'dependency_at_risk', 'stale'] as const satisfies readonly FlagCode[];
export type ScoredFlag = (typeof SCORED_FLAGS)[number];

export interface Prediction {
  readonly taskId: string;
  readonly due: string;
  /** The evaluation instant (ms). */
  readonly day: number;
  /** The model's probability of missing the date (null when it could not forecast). */
  readonly pMiss: number | null;
  readonly flags: ReadonlySet<FlagCode>;
  /** Each flag's reason that day (for the case list). */
  readonly reasons?: ReadonlyMap<FlagCode, string>;
}

/** A backtest over a window: the score, and what it covered. */
export interface BacktestResult extends BacktestScore {
  readonly from: string;
  readonly to: string;
  readonly everyDays: number;
  /** The step counts working days. */
  readonly workdays?: boolean;
  readonly days: number;
  readonly timezone: string;
  /** Tasks in the store, and how many had a due date at some evaluation day. */
  readonly tasks: number;
}

/** One due date of one task: what happened, and when each scored flag first said so. */
export interface BacktestCase {
  readonly taskId: string;
  readonly due: string;
  readonly missed: boolean;
  readonly firstFlags: Partial<Record<ScoredFlag, { readonly day: string; readonly reason: string | null }>>;
}

export interface FlagScore {
  readonly flagged: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly f1: number | null;
  /** Working days from the first correct flag to the due date, per true positive. */
  readonly leadDays: readonly number[];
  readonly medianLeadDays: number | null;
  /**
   * The same, counted per evaluated day of each case (a task-day): recall is the share of the days a
   * missed date was open on which the flag said so — a flag raised only the day before catches the
   * case but few of its days; precision is the share of flagged task-days whose date was then missed.
   */
  readonly taskDays: { readonly tp: number; readonly fp: number; readonly fn: number; readonly precision: number | null; readonly recall: number | null };
}

export interface CalibrationBand {
  readonly from: number;
  readonly to: number;
  readonly n: number;
  readonly meanPredicted: number | null;
  readonly actualRate: number | null;
}

export interface BacktestScore {
  /** Cases with a known outcome. */
  readonly cases: number;
  readonly misses: number;
  /** Cases whose outcome is not known yet (still open, date not over) or that were cancelled. */
  readonly unknown: number;
  readonly predictions: number;
  readonly flags: Readonly<Record<ScoredFlag, FlagScore>>;
  /** Over every (case, day) with a forecast: predicted probability against what happened. */
  readonly calibration: { readonly bands: readonly CalibrationBand[]; readonly brier: number | null; readonly n: number };
  readonly caseList: readonly BacktestCase[];
}

const BANDS = [0, 0.2, 0.4, 0.6, 0.8, 1.0000001];

/**
 * `outcome(taskId, due)`: true missed, false on time, null unknown. `leadDays(dayMs, due)`: working days
 * from an evaluation instant to the end of the due day.
 */
export function scoreBacktest(predictions: readonly Prediction[], outcome: (taskId: string, due: string, firstDay: number) => boolean | null, leadDays: (dayMs: number, due: string) => number): BacktestScore {
  const cases = new Map<string, { taskId: string; due: string; preds: Prediction[] }>();
  for (const p of predictions) {
    const key = `${p.taskId}\u0000${p.due}`;
    const c = cases.get(key);
    if (c) c.preds.push(p);
    else cases.set(key, { taskId: p.taskId, due: p.due, preds: [p] });
  }
  let known = 0;
  let misses = 0;
  let unknown = 0;
  const tallies = Object.fromEntries(SCORED_FLAGS.map((f) => [f, { tp: 0, fp: 0, fn: 0, tn: 0, lead: [] as number[], days: { tp: 0, fp: 0, fn: 0 } }])) as Record<ScoredFlag, { tp: number; fp: number; fn: number; tn: number; lead: number[]; days: { tp: number; fp: number; fn: number } }>;
  const pairs: { p: number; y: number }[] = [];
  const caseList: BacktestCase[] = [];
  for (const c of cases.values()) {
    const missed = outcome(c.taskId, c.due, Math.min(...c.preds.map((p) => p.day)));
    if (missed === null) {
      unknown++;
      continue;
    }
    known++;
    if (missed) misses++;
    const sorted = [...c.preds].sort((a, b) => a.day - b.day);
    for (const p of sorted) if (p.pMiss !== null) pairs.push({ p: p.pMiss, y: missed ? 1 : 0 });
    const firstFlags: Partial<Record<ScoredFlag, { day: string; reason: string | null }>> = {};
    for (const f of SCORED_FLAGS) {
      const first = sorted.find((p) => p.flags.has(f));
      if (first) firstFlags[f] = { day: new Date(first.day).toISOString(), reason: first.reasons?.get(f) ?? null };
      const t = tallies[f];
      for (const p of sorted) {
        const said = p.flags.has(f);
        if (said && missed) t.days.tp++;
        else if (said) t.days.fp++;
        else if (missed) t.days.fn++;
      }
      if (first && missed) {
        t.tp++;
        t.lead.push(leadDays(first.day, c.due));
      } else if (first) t.fp++;
      else if (missed) t.fn++;
      else t.tn++;
    }
    caseList.push({ taskId: c.taskId, due: c.due, missed, firstFlags });
  }
  const scoreOf = (f: ScoredFlag): FlagScore => {
    const t = tallies[f];
    const precision = t.tp + t.fp > 0 ? t.tp / (t.tp + t.fp) : null;
    const recall = t.tp + t.fn > 0 ? t.tp / (t.tp + t.fn) : null;
    const f1 = precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : null;
    const d = t.days;
    const taskDays = { ...d, precision: d.tp + d.fp > 0 ? d.tp / (d.tp + d.fp) : null, recall: d.tp + d.fn > 0 ? d.tp / (d.tp + d.fn) : null };
    return { flagged: t.tp + t.fp, tp: t.tp, fp: t.fp, fn: t.fn, tn: t.tn, precision, recall, f1, leadDays: t.lead, medianLeadDays: median(t.lead), taskDays };
  };
  const flags: Record<ScoredFlag, FlagScore> = { deadline_at_risk: scoreOf('deadline_at_risk'), dependency_at_risk: scoreOf('dependency_at_risk'), stale: scoreOf('stale') };
  const bands: CalibrationBand[] = [];
  for (let i = 0; i < BANDS.length - 1; i++) {
    const inBand = pairs.filter((x) => x.p >= BANDS[i]! && x.p < BANDS[i + 1]!);
    bands.push({
      from: BANDS[i]!,
      to: Math.min(1, BANDS[i + 1]!),
      n: inBand.length,
      meanPredicted: inBand.length ? inBand.reduce((s, x) => s + x.p, 0) / inBand.length : null,
      actualRate: inBand.length ? inBand.reduce((s, x) => s + x.y, 0) / inBand.length : null,
    });
  }
  const brier = pairs.length ? pairs.reduce((s, x) => s + (x.p - x.y) ** 2, 0) / pairs.length : null;
  return { cases: known, misses, unknown, predictions: predictions.length, flags, calibration: { bands, brier, n: pairs.length }, caseList };
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Whether a task missed a due date: done (its first move to done or verified after `since`, the first
 * day it was predicted open) after the end of that day is a miss, by then is not; not done and the day
 * over by `endMs` is a miss; else unknown. Cancelled work has no outcome.
 */
export function missedDue(
  t: { readonly status: string; readonly doneAt: string | null },
  statusMoves: readonly { readonly at: string; readonly to: string }[],
  since: string,
  endOfDue: number,
  endMs: number,
): boolean | null {
  if (t.status === 'cancelled') return null;
  const moved = statusMoves.filter((m) => m.at >= since && (m.to === 'done' || m.to === 'verified')).map((m) => m.at).sort()[0];
  const done = moved ?? (t.status === 'done' || t.status === 'verified' ? t.doneAt : null);
  if (done !== null && done >= since) return Date.parse(done) >= endOfDue;
  if (endMs >= endOfDue) return true;
  return null;
}
