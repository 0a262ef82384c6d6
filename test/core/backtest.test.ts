import { describe, expect, it } from 'vitest';
import { median, missedDue, scoreBacktest, type Prediction } from '../../src/core/backtest.js';
import type { FlagCode } from '../../src/core/model.js';

const DAY = 86_400_000;
const d0 = Date.parse('2026-11-02T08:00:00Z');
const p = (taskId: string, due: string, day: number, pMiss: number | null, flags: FlagCode[] = []): Prediction => ({ taskId, due, day: d0 + day * DAY, pMiss, flags: new Set(flags) });

describe('backtest arithmetic on a small hand-computed case', () => {
  // Five cases: A, B, C missed; D, E on time; F unknown.
  // deadline_at_risk flags A (first on day 1) and B (day 3), and D (a false alarm); C is missed silently.
  const predictions = [
    p('A', '2026-11-10', 0, 0.3),
    p('A', '2026-11-10', 1, 0.9, ['deadline_at_risk']),
    p('B', '2026-11-10', 2, 0.5),
    p('B', '2026-11-10', 3, 0.7, ['deadline_at_risk', 'stale']),
    p('C', '2026-11-10', 0, 0.1),
    p('D', '2026-11-10', 0, 0.8, ['deadline_at_risk']),
    p('E', '2026-11-10', 0, 0.0),
    p('F', '2026-12-10', 0, 0.6, ['deadline_at_risk']),
  ];
  const truth: Record<string, boolean | null> = { A: true, B: true, C: true, D: false, E: false, F: null };
  // Lead: working days from the day to the due date = 6 - day (a simple stand-in).
  const score = scoreBacktest(predictions, (id) => truth[id]!, (day) => 6 - Math.round((day - d0) / DAY));

  it('counts cases, misses and the unknown', () => {
    expect(score).toMatchObject({ cases: 5, misses: 3, unknown: 1, predictions: 8 });
  });

  it('precision 2/3, recall 2/3, F1 2/3, lead from the first correct flag', () => {
    const f = score.flags.deadline_at_risk;
    expect(f).toMatchObject({ tp: 2, fp: 1, fn: 1, tn: 1, flagged: 3 });
    expect(f.precision).toBeCloseTo(2 / 3);
    expect(f.recall).toBeCloseTo(2 / 3);
    expect(f.f1).toBeCloseTo(2 / 3);
    expect([...f.leadDays].sort()).toEqual([3, 5]);
    expect(f.medianLeadDays).toBe(4);
    expect(score.flags.stale).toMatchObject({ tp: 1, fp: 0, fn: 2, tn: 2, precision: 1 });
    expect(score.flags.stale.recall).toBeCloseTo(1 / 3);
    expect(score.flags.dependency_at_risk).toMatchObject({ tp: 0, fp: 0, fn: 3, precision: null, recall: 0, f1: null });
  });

  it('task-days: each evaluated day of a case counts — a flag raised late catches the case but not its days', () => {
    // Missed cases' days: A d0 (silent), A d1 (flagged), B d2 (silent), B d3 (flagged), C d0 (silent) → 2 of 5.
    // Flagged days: A d1, B d3 (missed), D d0 (on time) → precision 2 of 3; F (unknown) is not counted.
    expect(score.flags.deadline_at_risk.taskDays).toMatchObject({ tp: 2, fp: 1, fn: 3 });
    expect(score.flags.deadline_at_risk.taskDays.recall).toBeCloseTo(2 / 5);
    expect(score.flags.deadline_at_risk.taskDays.precision).toBeCloseTo(2 / 3);
  });

  it('calibration bands and the Brier score over every forecast of a known case', () => {
    // Forecasts (p, y): A .3/1 .9/1, B .5/1 .7/1, C .1/1, D .8/0, E 0/0 — F is unknown and left out.
    const brier = ((0.3 - 1) ** 2 + (0.9 - 1) ** 2 + (0.5 - 1) ** 2 + (0.7 - 1) ** 2 + (0.1 - 1) ** 2 + 0.8 ** 2 + 0) / 7;
    expect(score.calibration.n).toBe(7);
    expect(score.calibration.brier).toBeCloseTo(brier);
    const band = (from: number) => score.calibration.bands.find((b) => b.from === from)!;
    expect(band(0)).toMatchObject({ n: 2, actualRate: 0.5 }); // .1 (missed), 0 (on time)
    expect(band(0).meanPredicted).toBeCloseTo(0.05);
    expect(band(0.8)).toMatchObject({ n: 2, actualRate: 0.5 }); // .9 (missed), .8 (on time)
    expect(band(0.6)).toMatchObject({ n: 1, actualRate: 1 });
  });

  it('median of even and odd lists', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('what counts as a miss', () => {
  const endOfDue = Date.parse('2026-11-10T23:00:00Z');
  const since = '2026-11-02T08:00:00.000Z';
  it('done by the end of the due day is on time, after it is a miss; open past it is a miss; open before it is unknown', () => {
    expect(missedDue({ status: 'done', doneAt: '2026-11-10T22:59:00.000Z' }, [], since, endOfDue, endOfDue + DAY)).toBe(false);
    expect(missedDue({ status: 'verified', doneAt: '2026-11-11T08:00:00.000Z' }, [], since, endOfDue, endOfDue + DAY)).toBe(true);
    expect(missedDue({ status: 'in_progress', doneAt: null }, [], since, endOfDue, endOfDue + 1)).toBe(true);
    expect(missedDue({ status: 'in_progress', doneAt: null }, [], since, endOfDue, endOfDue - 1)).toBeNull();
    expect(missedDue({ status: 'cancelled', doneAt: null }, [], since, endOfDue, endOfDue + DAY)).toBeNull();
  });
  it('the first move to done after the case began counts, even if the task was reopened later', () => {
    const moves = [
      { at: '2026-11-09T10:00:00.000Z', to: 'done' },
      { at: '2026-11-12T10:00:00.000Z', to: 'in_progress' },
    ];
    expect(missedDue({ status: 'in_progress', doneAt: null }, moves, since, endOfDue, endOfDue + 5 * DAY)).toBe(false);
  });
});
