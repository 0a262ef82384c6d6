/**
 * `npm run experiment:ceiling [-- --seed N] [--runs N]`: how well anyone could forecast the held-out
 * world's deadlines, for the README's reference rows. Two forecasters that know what taskwire cannot,
 * asked on the same mornings (every third working day, 09:00) about the same tasks, scored the same way
 * (src/core/backtest.ts, task-days):
 *
 * - *sizes and speeds known*: each task's true work and each person's speed; it replays the team's
 *   queues from that morning (earliest due first, one task at a time, blocked work waiting), so its
 *   forecast is a yes or a no. What it cannot know: who will be away.
 * - *speeds known, sizes not*: each person's speed and the distribution task sizes are drawn from, not
 *   the sizes; work under way is known to be larger than what has been done. `--runs` replays (default
 *   200) give the probability of missing. This is what a forecaster with a perfect record of each
 *   person could do without estimates: the practical ceiling for taskwire on this world.
 *
 * Neither knows future absences or the work that will be filed later. Prints, for each, task-day
 * precision and recall at the defaults' threshold and horizon, and the best precision reached at recall
 * ≥ 80 %.
 */
import { configSchema } from '../src/config/schema.js';
import { scoreBacktest, type Prediction } from '../src/core/backtest.js';
import { Calendar } from '../src/core/calendar.js';
import { mulberry32 } from '../connectors/kit/fake-server.js';
import { heldOutWorld, WORK, type HeldOutWorld, type TrueTask } from './held-out-world.js';

/** The defaults' threshold and horizon. */
const DEFAULTS = configSchema.parse({}).rules.deadline_at_risk;
const EVERY = 3;

/** Hours of work (speed 1) each open task has left, per replay; the forecaster's belief. */
type Belief = (t: TrueTask, done: number) => number;

interface Open {
  readonly t: TrueTask;
  left: number;
  doneAt: number | null;
}

/**
 * The team's queues replayed from `hour` with the given work left per task, everyone present: sets each
 * open task's `doneAt` (working-hour index; null when not done by `until`). Each person first finishes
 * the work they had under way, then takes the earliest-due task they can start (its blocker done).
 */
function replay(open: readonly Open[], hour: number, until: number): void {
  const byN = new Map(open.map((o) => [o.t.n, o]));
  // A blocker not among the open tasks was done before the morning.
  const ready = (o: Open, h: number) => {
    const blocker = o.t.waitsOn === null ? undefined : byN.get(o.t.waitsOn);
    return blocker === undefined || (blocker.doneAt !== null && blocker.doneAt <= h);
  };
  const current = new Map(open.filter((o) => o.t.startedAt !== null && o.t.startedAt < hour).map((o) => [o.t.person.id, o]));
  const queues = new Map<string, Open[]>();
  for (const o of open) {
    const q = queues.get(o.t.person.id);
    if (q) q.push(o);
    else queues.set(o.t.person.id, [o]);
  }
  for (const q of queues.values()) q.sort((a, b) => a.t.dueHour - b.t.dueHour || a.t.createdAt - b.t.createdAt);
  for (let h = hour; h < until; h++) {
    for (const [id, q] of queues) {
      const o = current.get(id) ?? q.find((x) => x.doneAt === null && ready(x, h));
      if (o === undefined) continue;
      current.set(id, o);
      o.left -= o.t.person.speed;
      if (o.left <= 0) {
        o.doneAt = h + 1;
        current.delete(id);
      }
    }
  }
}

/** Hours of its work a task had had done by `hour` (its owner's present hours since it started). */
function doneBy(w: HeldOutWorld, t: TrueTask, hour: number): number {
  if (t.startedAt === null || t.startedAt >= hour) return 0;
  const away = w.truth.away.get(t.person.id)!;
  let worked = 0;
  for (let h = t.startedAt; h < hour; h++) if (!away.has(Math.floor(h / w.truth.hoursPerDay))) worked++;
  return worked * t.person.speed;
}

/** Each morning's forecast of each open dated task: the share of `runs` replays that finish after the due day. */
function forecast(w: HeldOutWorld, belief: Belief, runs: number): Prediction[] {
  const { hoursPerDay, days, tasks } = w.truth;
  const out: Prediction[] = [];
  for (let day = 0; day < days; day += EVERY) {
    const hour = day * hoursPerDay;
    const at = w.truth.instant(hour);
    const known = tasks.filter((t) => t.createdAt <= hour && (t.doneAt === null || t.doneAt > hour));
    const asked = known.filter((t) => t.dueHour > hour);
    const misses = new Map<string, number>(asked.map((t) => [t.id, 0]));
    const until = Math.min(days * hoursPerDay, Math.max(hour, ...asked.map((t) => t.dueHour)));
    const done = known.map((t) => doneBy(w, t, hour));
    for (let r = 0; r < runs; r++) {
      const open: Open[] = known.map((t, i) => ({ t, left: belief(t, done[i]!), doneAt: null }));
      replay(open, hour, until);
      for (const o of open) if (misses.has(o.t.id) && (o.doneAt === null || o.doneAt > o.t.dueHour)) misses.set(o.t.id, misses.get(o.t.id)! + 1);
    }
    for (const t of asked) out.push({ taskId: t.id, due: t.due, day: at, pMiss: misses.get(t.id)! / runs, flags: new Set() });
  }
  return out;
}

/** A forecaster that knows each task's size. */
const knowsSizes: Belief = (t, done) => t.work - done;

/** A forecaster that knows the size distribution (not the size): a draw from it, larger than what is done. */
function knowsDistribution(seed: number): Belief {
  const rnd = mulberry32(seed);
  const draw = () => {
    const u = Math.max(1e-9, rnd());
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
    return Math.min(WORK.max, Math.max(WORK.min, WORK.median * Math.exp(WORK.sigma * z)));
  };
  return (_t, done) => {
    for (let k = 0; k < 1000; k++) {
      const x = draw();
      if (x > done) return x - done;
    }
    return 1; // past nearly every size the generator draws: an hour left
  };
}

interface Row {
  readonly forecaster: string;
  readonly atDefaults: { precision: number; recall: number; lead: number | null };
  readonly bestPrecisionAtRecall80: number | null;
}

/** Task-day precision and recall of flagging from `threshold` within the default horizon. */
function score(w: HeldOutWorld, predictions: readonly Prediction[], threshold: number) {
  const cal = new Calendar({ timezone: w.timezone, workdays: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: { start: '09:00', end: '17:00' }, holidays: [] });
  const byId = new Map(w.tasks.map((x) => [`github-platform:${x.task.key}`, x.task]));
  const flagged = predictions.map((p) => ({ ...p, flags: new Set(p.pMiss !== null && p.pMiss >= threshold && cal.endOf(p.due) - p.day <= DEFAULTS.horizon ? (['deadline_at_risk'] as const) : []) }));
  const s = scoreBacktest(
    flagged,
    (id, due) => {
      const t = byId.get(id)!;
      const end = cal.endOf(due);
      if (t.doneAt !== null) return Date.parse(t.doneAt) >= end;
      return end <= w.now ? true : null;
    },
    (day, due) => Math.round((cal.workdayMsBetween(day, cal.endOf(due)) / 86_400_000) * 10) / 10,
  ).flags.deadline_at_risk;
  return { precision: s.taskDays.precision ?? 0, recall: s.taskDays.recall ?? 0, lead: s.medianLeadDays };
}

export function ceiling(seed?: number, runs = 200): Row[] {
  const w = heldOutWorld(seed === undefined ? {} : { seed });
  const rows: Row[] = [];
  for (const [forecaster, belief, n] of [
    ['sizes and speeds known', knowsSizes, 1],
    ['speeds known, sizes not', knowsDistribution(7), runs],
  ] as const) {
    const predictions = forecast(w, belief, n);
    let best: number | null = null;
    for (let th = 0.01; th <= 1; th += 0.01) {
      const s = score(w, predictions, th);
      if (s.recall >= 0.8 && (best === null || s.precision > best)) best = s.precision;
    }
    rows.push({ forecaster, atDefaults: score(w, predictions, DEFAULTS.minProbability), bestPrecisionAtRecall80: best });
  }
  return rows;
}

const pct = (n: number | null) => (n === null ? '—' : `${Math.round(n * 100)} %`);

if (import.meta.url === `file://${process.argv[1]}`) {
  const seedAt = process.argv.indexOf('--seed');
  const runsAt = process.argv.indexOf('--runs');
  const rows = ceiling(seedAt > 0 ? Number(process.argv[seedAt + 1]) : undefined, runsAt > 0 ? Number(process.argv[runsAt + 1]) : undefined);
  const at = `${DEFAULTS.horizon / 86_400_000} days, ${DEFAULTS.minProbability}`;
  const lines = [`| forecaster | precision (${at}) | recall | median lead | best precision at recall ≥ 80 % |`, '| --- | ---: | ---: | ---: | ---: |'];
  for (const r of rows) lines.push(`| ${r.forecaster} | ${pct(r.atDefaults.precision)} | ${pct(r.atDefaults.recall)} | ${r.atDefaults.lead ?? '—'} working days | ${pct(r.bestPrecisionAtRecall80)} |`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
