/**
 * `taskwire backtest`: for each working day in the window, the world rebuilt as it stood that morning
 * (tasks from their history, cycle-time samples from work finished by then — nothing later), the
 * engine run with that `now`, and every open dated task's forecast and flags recorded; then scored
 * against what happened (src/core/backtest.ts).
 */
import { samplesAsOf, startedTimes, worldAsOf } from '../core/asof.js';
import { scoreBacktest, missedDue, SCORED_FLAGS, type BacktestResult, type Prediction } from '../core/backtest.js';
import { addDays, Calendar } from '../core/calendar.js';
import { calibrate, resolvedAt, type Calibration } from '../core/calibration.js';
import type { Identity } from '../core/identity.js';
import { isClosed, type FlagCode, type HistoryEntry, type Task } from '../core/model.js';
import type { Config } from '../config/schema.js';
import { engineFromConfig } from '../main.js';
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
  const earliest = tasks.map((t) => t.createdAt).sort()[0];
  const to = o.to ?? cal.localDate(o.now);
  const floor = addDays(to, -90);
  const from = o.from ?? (earliest && cal.localDate(Date.parse(earliest)) > floor ? cal.localDate(Date.parse(earliest)) : floor);
  return runBacktest({ ...o, from, to }, tasks, await store.allHistory());
}

export function runBacktest(o: BacktestOptions, tasks: readonly Task[], history: ReadonlyMap<string, readonly HistoryEntry[]>): BacktestResult {
  const cal = new Calendar({ timezone: o.config.timezone, ...o.config.calendar });
  const historyOf = (id: string) => history.get(id) ?? [];
  const ownerOf = (a: Parameters<Identity['ownership']>[0]) => o.identity.ownership(a).owner;
  const startHour = o.config.calendar.hours.start;
  const predictions: Prediction[] = [];
  // Rolling calibration: each day learns from the forecasts of earlier days whose outcome was known by
  // that morning — never from a later one.
  const raw: { taskId: string; due: string; day: number; p: number }[] = [];
  let days = 0;
  for (const date of evaluationDays(o, cal)) {
    // The morning of that day, as the daily report would see it.
    const at = cal.startOf(date) + minutesOf(startHour) * 60_000;
    if (at > o.now) break;
    days++;
    const asOf = new Date(at).toISOString();
    const world = worldAsOf(tasks, historyOf, asOf, ownerOf);
    const engine = engineFromConfig(o.config, o.identity);
    engine.load(world, samplesAsOf(world, historyOf), startedTimes(world, historyOf, asOf));
    engine.setCalibration(calibrationAsOf(raw, world, at, cal));
    const evaluation = engine.evaluate(at);
    const risk = engine.riskResults();
    const flagsOf = new Map<string, Map<FlagCode, string>>();
    for (const f of evaluation.flags) {
      if (!(SCORED_FLAGS as readonly string[]).includes(f.code)) continue;
      const m = flagsOf.get(f.taskId) ?? new Map<FlagCode, string>();
      m.set(f.code, f.reason);
      flagsOf.set(f.taskId, m);
    }
    for (const t of world) {
      if (t.deletedAt !== null || isClosed(t.status) || t.due === null || at >= cal.endOf(t.due)) continue;
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

/** The forecasts made before `at` whose outcome the world as of `at` knows, as a calibration (the live rule, `resolvedAt`). */
export function calibrationAsOf(raw: readonly { taskId: string; due: string; day: number; p: number }[], world: readonly Task[], at: number, cal: Calendar): Calibration {
  const byId = new Map(world.map((t) => [t.id, t]));
  const recorded = raw.map((f) => ({ taskId: f.taskId, due: f.due, day: cal.localDate(f.day), p: f.p }));
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
