/**
 * The forecasts the daemon made, kept so that later evaluations can calibrate on them: the first full
 * evaluation of each day records the raw probability of missing of every open task due within 30 days
 * (one meta entry per day, `forecasts:<day>`, 60 days kept), and every evaluation calibrates on the days before its own whose outcomes it
 * can see (src/core/calibration.ts). With `--as-of`, only the days before that morning count, judged by
 * the world as it stood then.
 */
import type { RecordedForecast } from '../core/calibration.js';
import { addDays } from '../core/calendar.js';
import type { Engine } from '../core/engine.js';
import type { TaskStore } from '../store/store.js';

const PREFIX = 'forecasts:';
/** Days of forecasts kept (and learned from). */
export const KEEP_DAYS = 60;
/** Only work due within this many days is recorded: further out nothing is flagged, and 10k dated tasks a day add up. */
const AHEAD_DAYS = 30;

type Row = [taskId: string, due: string, p: number];

/** Records today's raw forecasts, once a day (the first full evaluation of the day); prunes old days. */
export async function recordForecasts(store: TaskStore, engine: Engine, now: number): Promise<boolean> {
  const day = engine.localDay(now);
  if ((await store.getMeta(PREFIX + day)) !== null) return false;
  const until = addDays(day, AHEAD_DAYS);
  const rows: Row[] = engine
    .rawForecasts()
    .filter((f) => f.due <= until)
    .map((f) => [f.taskId, f.due, Math.round(f.p * 1000) / 1000]);
  await store.setMeta(PREFIX + day, JSON.stringify(rows));
  const oldest = addDays(day, -KEEP_DAYS);
  for (const [key] of await store.listMeta(PREFIX)) if (key.slice(PREFIX.length) < oldest) await store.deleteMeta(key);
  return true;
}

/** Every recorded forecast (the engine keeps only those of days before the one it evaluates). */
export async function recordedForecasts(store: TaskStore): Promise<RecordedForecast[]> {
  const out: RecordedForecast[] = [];
  for (const [key, value] of await store.listMeta(PREFIX)) {
    const day = key.slice(PREFIX.length);
    for (const [taskId, due, p] of JSON.parse(value) as Row[]) out.push({ taskId, due, day, p });
  }
  return out;
}
