/**
 * `taskwire backtest`: for each working day in the window, the world rebuilt as it stood that morning
 * (tasks from their history, cycle-time samples from work finished by then — nothing later), the
 * engine run with that `now`, and every open dated task's forecast and flags recorded; then scored
 * against what happened (src/core/backtest.ts).
 */
import { samplesAsOf, startedTimes, worldAsOf } from '../core/asof.js';
import { scoreBacktest, missedDue, SCORED_FLAGS, type BacktestResult, type Prediction } from '../core/backtest.js';
import { addDays, Calendar } from '../core/calendar.js';
import { calibrate, IDENTITY, resolvedAt, type Calibration, type RecordedForecast } from '../core/calibration.js';
import type { Identity } from '../core/identity.js';
import { isClosed, type FlagCode, type HistoryEntry, type Task } from '../core/model.js';
import type { Config } from '../config/schema.js';
import { engineFromConfig } from '../main.js';
import { KEEP_DAYS } from './forecasts.js';
import type { TaskStore } from '../store/store.js';

export interface BacktestOptions {
  readonly config: Config;
  readonly identity: Identity;
  /** First and last evaluation day (team-local dates), and the step in days. */
  readonly from: string;
  readonly to: string;
  readonly everyDays: number;
  /** Count the step in working days (every third working day), not calendar days. */
  readonly workdays?: boolean | undefined;
  /** Outcomes are judged with what is known now. */
  readonly now: number;
  /** Each morning's forecast of each task, as made (for experiments that look inside the score). */
  readonly onPrediction?: ((p: Prediction) => void) | undefined;
}

export type { BacktestResult };

/**
 * The backtest over the store's tasks and history: from the earliest task (at most 90 days before
 * `to`) to today unless given.
 */
export async function backtestFromStore(store: TaskStore, o: Omit<BacktestOptions, 'from' | 'to'> & { from?: string | undefined; to?: string | undefined }): Promise<BacktestResult> {
  const cal = new Calendar({ timezone: o.config.timezone, ...o.config.calendar });
  const tasks = await store.listTasks({ includeDeleted: true });
  const to = o.to ?? cal.localDate(o.now);
  return runBacktest({ ...o, from: o.from ?? firstDay(tasks, to, cal), to }, tasks, await store.allHistory());
}

/** Where a look back starts by default: the earliest task's day, at most 90 days before `to`. */
function firstDay(tasks: readonly Task[], to: string, cal: Calendar): string {
  const earliest = tasks.map((t) => t.createdAt).sort()[0];
  const floor = addDays(to, -90);
  return earliest && cal.localDate(Date.parse(earliest)) > floor ? cal.localDate(Date.parse(earliest)) : floor;
}

type Raw = { taskId: string; due: string; day: number; p: number };

export function runBacktest(o: BacktestOptions, tasks: readonly Task[], history: ReadonlyMap<string, readonly HistoryEntry[]>): BacktestResult {
  const cal = new Calendar({ timezone: o.config.timezone, ...o.config.calendar });
  const historyOf = (id: string) => history.get(id) ?? [];
  const predictions: Prediction[] = [];
  // Rolling calibration: each day learns from the forecasts of earlier days whose outcome was known by
  // that morning — never from a later one.
  const raw: Raw[] = [];
  let days = 0;
  for (const date of evaluationDays(o, cal)) {
    const at = morningOf(date, o.config, cal);
    if (at > o.now) break;
    days++;
    const { world, engine, evaluation } = replayMorning(o, tasks, historyOf, at, (w) => calibrationAsOf(raw, w, at, cal));
    const risk = engine.riskResults();
    const flagsOf = new Map<string, Map<FlagCode, string>>();
    for (const f of evaluation.flags) {
      if (!(SCORED_FLAGS as readonly string[]).includes(f.code)) continue;
      const m = flagsOf.get(f.taskId) ?? new Map<FlagCode, string>();
      m.set(f.code, f.reason);
      flagsOf.set(f.taskId, m);
    }
    for (const t of askedOn(world, at, cal)) {
      const r = risk.get(t.id);
      const reasons = flagsOf.get(t.id) ?? new Map<FlagCode, string>();
      const p: Prediction = { taskId: t.id, due: t.due, day: at, pMiss: r && r.level !== 'unknown' ? r.pMiss : null, flags: new Set(reasons.keys()), reasons };
      predictions.push(p);
      o.onPrediction?.(p);
      if (r && r.level !== 'unknown') raw.push({ taskId: t.id, due: t.due, day: at, p: r.rawPMiss });
    }
  }
  const current = new Map(tasks.map((t) => [t.id, t]));
  const moves = (id: string) =>
    historyOf(id)
      .filter((h) => h.field === 'status' && h.newValue !== null)
      .map((h) => ({ at: h.at, to: JSON.parse(h.newValue!) as string }));
  const score = scoreBacktest(
    predictions,
    (id, due, firstDay) => {
      const t = current.get(id);
      return t ? missedDue(t, moves(id), new Date(firstDay).toISOString(), cal.endOf(due), o.now) : null;
    },
    (day, due) => Math.round((cal.workdayMsBetween(day, cal.endOf(due)) / 86_400_000) * 10) / 10,
  );
  return { ...score, from: o.from, to: o.to, everyDays: o.everyDays, ...(o.workdays ? { workdays: true } : {}), days, timezone: o.config.timezone, tasks: tasks.length };
}

/**
 * Forecasts a replay stops after: each band of the calibration has long counted as much as the model by
 * then, and each replayed morning costs a full evaluation (a large store gets there in a morning or two).
 */
const REPLAY_ENOUGH = 5_000;

/**
 * What `--as-of` calibrates on when no recorded forecast had resolved by `at` (a store synced after the
 * fact, a daemon that was not running then): the mornings before `at` replayed as `taskwire backtest`
 * replays them — every third working day counted from the earliest task, within the KEEP_DAYS days the
 * daemon remembers, each morning the world as it stood then — the oldest first (their outcomes are the
 * likeliest known), until REPLAY_ENOUGH forecasts. On a backtest's own days and below that many
 * forecasts, `--as-of` then says what the backtest says.
 */
export function replayForecasts(o: Pick<BacktestOptions, 'config' | 'identity'>, tasks: readonly Task[], history: ReadonlyMap<string, readonly HistoryEntry[]>, at: number): RecordedForecast[] {
  const cal = new Calendar({ timezone: o.config.timezone, ...o.config.calendar });
  const historyOf = (id: string) => history.get(id) ?? [];
  const to = cal.localDate(at);
  const out: RecordedForecast[] = [];
  const oldest = addDays(to, -KEEP_DAYS);
  for (const date of evaluationDays({ from: firstDay(tasks, to, cal), to, everyDays: 3, workdays: true }, cal)) {
    const morning = morningOf(date, o.config, cal);
    if (morning >= at || out.length >= REPLAY_ENOUGH) break;
    if (date < oldest) continue;
    const { world, engine } = replayMorning(o, tasks, historyOf, morning, () => IDENTITY);
    const risk = engine.riskResults();
    for (const t of askedOn(world, morning, cal)) {
      const r = risk.get(t.id);
      if (r && r.level !== 'unknown') out.push({ taskId: t.id, due: t.due, day: date, p: r.rawPMiss });
    }
  }
  return out;
}

/** One morning as it stood: the world rebuilt from history, and the engine's evaluation of it. */
function replayMorning(o: Pick<BacktestOptions, 'config' | 'identity'>, tasks: readonly Task[], historyOf: (id: string) => readonly HistoryEntry[], at: number, calibration: (world: readonly Task[]) => Calibration) {
  const asOf = new Date(at).toISOString();
  const world = worldAsOf(tasks, historyOf, asOf, (a) => o.identity.ownership(a).owner);
  const engine = engineFromConfig(o.config, o.identity);
  engine.load(world, samplesAsOf(world, historyOf), startedTimes(world, historyOf, asOf));
  engine.setCalibration(calibration(world));
  return { world, engine, evaluation: engine.evaluate(at) };
}

/** The tasks a morning forecasts: open, dated, their due day not over. */
function askedOn(world: readonly Task[], at: number, cal: Calendar): (Task & { due: string })[] {
  return world.filter((t): t is Task & { due: string } => t.deletedAt === null && !isClosed(t.status) && t.due !== null && at < cal.endOf(t.due));
}

/** The start of working hours on a day, as the daily report sees it. */
function morningOf(date: string, config: Config, cal: Calendar): number {
  return cal.startOf(date) + minutesOf(config.calendar.hours.start) * 60_000;
}

/** The forecasts made before `at` whose outcome the world as of `at` knows, as a calibration (the live rule, `resolvedAt`). */
export function calibrationAsOf(raw: readonly Raw[], world: readonly Task[], at: number, cal: Calendar): Calibration {
  const byId = new Map(world.map((t) => [t.id, t]));
  // As long a memory as the daemon's: the forecasts of the last KEEP_DAYS days.
  const oldest = addDays(cal.localDate(at), -KEEP_DAYS);
  const recorded = raw.map((f) => ({ taskId: f.taskId, due: f.due, day: cal.localDate(f.day), p: f.p })).filter((f) => f.day >= oldest);
  return calibrate(resolvedAt(recorded, (id) => byId.get(id), (d) => cal.endOf(d), cal.localDate(at), at));
}

/** The evaluation days: every `everyDays` calendar days (a step of 1 skips non-working days), or every `everyDays` working days. */
function evaluationDays(o: Pick<BacktestOptions, 'from' | 'to' | 'everyDays' | 'workdays'>, cal: Calendar): string[] {
  const out: string[] = [];
  let workday = 0;
  for (let date = o.from; date <= o.to; date = addDaysIso(date, o.workdays ? 1 : o.everyDays)) {
    if ((o.workdays || o.everyDays === 1) && !cal.isWorkday(date)) continue;
    if (o.workdays && workday++ % o.everyDays !== 0) continue;
    out.push(date);
  }
  return out;
}

function addDaysIso(date: string, n: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}
