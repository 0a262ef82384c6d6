/**
 * Calibration from the team's own resolved forecasts: what the model said (its raw probability of
 * missing) against what then happened, per band of probability, shrunk toward the raw figure while a
 * band holds few forecasts. A team whose work runs later than the model thinks gets higher
 * probabilities; one that catches up gets lower ones. Pure: the caller decides which forecasts were
 * resolved by when (a backtest only ever passes those resolved before the day it evaluates).
 */

export interface ResolvedForecast {
  /** The model's raw probability of missing. */
  readonly p: number;
  /** 1: the date was missed; 0: met. */
  readonly missed: 0 | 1;
}

export interface Calibration {
  /** The calibrated probability for a raw one. */
  apply(p: number): number;
  /** Resolved forecasts it learned from. */
  readonly n: number;
}

const EDGES = [0, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 1.0000001];
/** Forecasts a band needs before its own rate counts as much as the raw probability. */
const PRIOR = 25;

export const IDENTITY: Calibration = { apply: (p) => p, n: 0 };

export function calibrate(resolved: readonly ResolvedForecast[]): Calibration {
  if (resolved.length === 0) return IDENTITY;
  const bands = EDGES.slice(0, -1).map(() => ({ n: 0, p: 0, y: 0 }));
  for (const r of resolved) {
    const b = bands[bandOf(r.p)]!;
    b.n++;
    b.p += r.p;
    b.y += r.missed;
  }
  // Per band: how far the outcomes sat from what was said, weighted by how much the band has seen.
  const shift = bands.map((b) => (b.n === 0 ? 0 : ((b.y - b.p) / b.n) * (b.n / (b.n + PRIOR))));
  return { apply: (p) => Math.min(1, Math.max(0, p + shift[bandOf(p)]!)), n: resolved.length };
}

function bandOf(p: number): number {
  for (let i = EDGES.length - 2; i >= 0; i--) if (p >= EDGES[i]!) return i;
  return 0;
}

/** A forecast as recorded: the model's raw probability for a task and due date, on a day (team-local). */
export interface RecordedForecast {
  readonly taskId: string;
  readonly due: string;
  readonly day: string;
  readonly p: number;
}

/**
 * The recorded forecasts whose outcome is known at `at`: the work was done (missed when done after its
 * due day ended), or the due day is over with the work still open (missed). Cancelled work and work
 * still open before its date are not known yet; a forecast of `at`'s own day or later is left out.
 */
export function resolvedAt(
  forecasts: readonly RecordedForecast[],
  taskOf: (id: string) => { readonly status: string; readonly doneAt: string | null } | undefined,
  endOf: (day: string) => number,
  today: string,
  at: number,
): ResolvedForecast[] {
  const out: ResolvedForecast[] = [];
  // One outcome per task and date, however many days it was forecast on.
  const outcomes = new Map<string, 0 | 1 | null>();
  const outcome = (taskId: string, due: string): 0 | 1 | null => {
    const t = taskOf(taskId);
    if (!t || t.status === 'cancelled') return null;
    const end = endOf(due);
    const done = t.doneAt !== null && Date.parse(t.doneAt) <= at ? Date.parse(t.doneAt) : null;
    if (done !== null) return done >= end ? 1 : 0;
    return end <= at ? 1 : null;
  };
  for (const f of forecasts) {
    if (f.day >= today) continue;
    const key = `${f.taskId}\u0000${f.due}`;
    let y = outcomes.get(key);
    if (y === undefined) outcomes.set(key, (y = outcome(f.taskId, f.due)));
    if (y !== null) out.push({ p: f.p, missed: y });
  }
  return out;
}
