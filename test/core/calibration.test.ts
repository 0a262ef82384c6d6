import { describe, expect, it } from 'vitest';
import { calibrate, IDENTITY } from '../../src/core/calibration.js';

describe('calibration from resolved forecasts', () => {
  it('is the identity with nothing resolved', () => {
    expect(calibrate([])).toBe(IDENTITY);
    expect(IDENTITY.apply(0.42)).toBe(0.42);
  });

  it('moves a band toward what happened, more the more it has seen', () => {
    // Said 30%, and 4 in 5 of those dates were missed: a team whose work runs later than the model thinks.
    const few = calibrate(Array.from({ length: 5 }, (_, i) => ({ p: 0.3, missed: (i < 4 ? 1 : 0) })));
    const many = calibrate(Array.from({ length: 100 }, (_, i) => ({ p: 0.3, missed: (i < 80 ? 1 : 0) })));
    // Shift: (0.8 − 0.3) × n / (n + 25).
    expect(few.apply(0.3)).toBeCloseTo(0.3 + 0.5 * (5 / 30));
    expect(many.apply(0.3)).toBeCloseTo(0.3 + 0.5 * (100 / 125));
    expect(many.n).toBe(100);
    // Other bands are untouched until they have seen something.
    expect(many.apply(0.9)).toBe(0.9);
  });

  it('lowers a band whose dates were met, never below 0', () => {
    const c = calibrate(Array.from({ length: 200 }, () => ({ p: 0.9, missed: 0 as const })));
    expect(c.apply(0.9)).toBeCloseTo(0.9 - 0.9 * (200 / 225));
    expect(c.apply(0.85)).toBeGreaterThanOrEqual(0);
  });
});

describe('rolling calibration in the backtest never peeks', () => {
  it('a forecast counts only once its outcome is known that morning, from what was known then', async () => {
    const { calibrationAsOf } = await import('../../src/pipeline/backtest.js');
    const { Calendar } = await import('../../src/core/calendar.js');
    const { task } = await import('../support/tasks.js');
    const cal = new Calendar({ timezone: 'Europe/Berlin', workdays: ['mon', 'tue', 'wed', 'thu', 'fri'], holidays: [], hours: { start: '09:00', end: '17:00' } });
    const day = (d: string) => Date.parse(`${d}T08:00:00Z`);
    // Forecast 90% on Monday for a date of Wednesday 25 Nov; the work was done on Tuesday (met).
    const raw = Array.from({ length: 30 }, (_, i) => ({ taskId: `github-acme:a#${i}`, due: '2026-11-25', day: day('2026-11-23'), p: 0.9 }));
    // Monday evening as the world stood then: not done, date not over — nothing is known yet.
    const before = raw.map((r) => task({ key: r.taskId.slice('github-acme:'.length), status: 'in_progress', due: r.due }));
    expect(calibrationAsOf(raw, before, day('2026-11-24') - 3600_000, cal).n).toBe(0);
    // Wednesday morning: done Tuesday, before the date ended — met, known, and the 90% band comes down.
    const after = raw.map((r) => task({ key: r.taskId.slice('github-acme:'.length), status: 'done', due: r.due, doneAt: '2026-11-24T15:00:00.000Z' }));
    const c = calibrationAsOf(raw, after, day('2026-11-25'), cal);
    expect(c.n).toBe(30);
    expect(c.apply(0.9)).toBeLessThan(0.6);
  });
});

describe('calibration in the live engine, from recorded forecasts', () => {
  it('resolvedAt: done late is a miss, done in time is not, open past its day is a miss; open before it, cancelled, and today are unknown', async () => {
    const { resolvedAt } = await import('../../src/core/calibration.js');
    const endOf = (d: string) => Date.parse(`${d}T23:00:00Z`);
    const at = Date.parse('2026-11-26T08:00:00Z');
    const tasks: Record<string, { status: string; doneAt: string | null }> = {
      late: { status: 'done', doneAt: '2026-11-25T10:00:00Z' },
      inTime: { status: 'done', doneAt: '2026-11-24T10:00:00Z' },
      overdue: { status: 'in_progress', doneAt: null },
      ahead: { status: 'in_progress', doneAt: null },
      dropped: { status: 'cancelled', doneAt: null },
      doneLater: { status: 'done', doneAt: '2026-11-27T10:00:00Z' },
    };
    const f = (taskId: string, due: string, day = '2026-11-23', p = 0.4) => ({ taskId, due, day, p });
    const r = resolvedAt(
      [f('late', '2026-11-24'), f('inTime', '2026-11-24'), f('overdue', '2026-11-25'), f('ahead', '2026-11-30'), f('dropped', '2026-11-24'), f('doneLater', '2026-11-30'), f('late', '2026-11-24', '2026-11-26')],
      (id) => tasks[id],
      endOf,
      '2026-11-26',
      at,
    );
    // late (missed), inTime (met), overdue (missed); the rest unknown — and the forecast of today itself is left out.
    expect(r).toEqual([{ p: 0.4, missed: 1 }, { p: 0.4, missed: 0 }, { p: 0.4, missed: 1 }]);
  });

  it("the engine's probabilities move with the team's record; its raw ones do not", async () => {
    const { engine } = await import('../support/engine.js');
    const { task, gh } = await import('../support/tasks.js');
    const NOW = Date.parse('2026-11-25T08:00:00Z');
    const H = 3600;
    const t = task({ key: 'a#1', assignees: [gh('alexk')], owner: 'alex', due: '2026-11-25', estimateS: 7 * H });
    const plain = engine();
    plain.load([t], []);
    plain.evaluate(NOW);
    const raw = plain.riskResults().get('github-acme:a#1')!;
    // Forty past dates that were all missed, forecast at the same raw probability.
    const past = Array.from({ length: 40 }, (_, i) => task({ key: `p#${i}`, status: 'done', due: '2026-11-10', doneAt: '2026-11-12T10:00:00Z' }));
    const e = engine();
    e.load([t, ...past], []);
    expect(e.calibrateFrom(past.map((p) => ({ taskId: p.id, due: '2026-11-10', day: '2026-11-09', p: raw.rawPMiss })), NOW)).toBe(40);
    e.evaluate(NOW);
    const r = e.riskResults().get('github-acme:a#1')!;
    expect(r.rawPMiss).toBe(raw.rawPMiss);
    expect(r.pMiss).toBeGreaterThan(raw.pMiss + 0.2);
  });
});
