import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { Calendar, addDays, endOfDay } from '../../src/core/calendar.js';
import { task } from '../support/tasks.js';
import { engine } from '../support/engine.js';

// Zones with DST forwards and backwards, southern-hemisphere DST, half-hour and 45-minute offsets.
const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'America/Sao_Paulo', 'Asia/Kolkata', 'Pacific/Chatham', 'Europe/London', 'America/St_Johns', 'UTC'];
// Days around 2026's DST changes in those zones, plus arbitrary days.
const DST_DAYS = ['2026-03-08', '2026-03-29', '2026-04-05', '2026-09-27', '2026-10-04', '2026-10-25', '2026-11-01', '2027-03-14', '2027-03-28'];

const zone = fc.constantFrom(...ZONES);
const day = fc.oneof(
  fc.constantFrom(...DST_DAYS).chain((d) => fc.integer({ min: -1, max: 1 }).map((k) => addDays(d, k))),
  fc.integer({ min: 0, max: 730 }).map((k) => addDays('2026-01-01', k)),
);

/** An oracle that shares no code with the calendar: the local date of an instant, from Intl. */
function intlDate(ms: number, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

describe('due dates are calendar days in the team timezone, on every side of a DST change', () => {
  it('the end of a due day is the first instant of the next local day', () => {
    fc.assert(
      fc.property(zone, day, (tz, due) => {
        const end = endOfDay(due, tz);
        expect(intlDate(end - 1, tz)).toBe(due);
        expect(intlDate(end, tz)).toBe(addDays(due, 1));
      }),
      { numRuns: 500 },
    );
  });

  it('a task is overdue exactly when the local date is past its due date', () => {
    fc.assert(
      fc.property(zone, day, fc.integer({ min: -3 * 86_400_000, max: 3 * 86_400_000 }), (tz, due, offset) => {
        const now = Date.parse(`${due}T12:00:00Z`) + offset;
        const e = engine({ calendar: { timezone: tz, workdays: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: { start: '09:00', end: '17:00' }, holidays: [] } });
        e.load([task({ key: 'a#1', due })], []);
        const flagged = e.evaluate(now).flags.some((f) => f.code === 'overdue');
        expect(flagged).toBe(intlDate(now, tz) > due);
      }),
      { numRuns: 300 },
    );
  });

  it('working hours are never negative and a workday never holds more than its hours', () => {
    fc.assert(
      fc.property(zone, day, fc.integer({ min: 0, max: 40 * 86_400_000 }), (tz, start, span) => {
        const cal = new Calendar({ timezone: tz, workdays: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: { start: '09:00', end: '17:00' }, holidays: [] });
        const from = Date.parse(`${start}T00:00:00Z`);
        const h = cal.workingHoursBetween(from, from + span);
        expect(h).toBeGreaterThanOrEqual(0);
        expect(h).toBeLessThanOrEqual((Math.ceil(span / 86_400_000) + 1) * 8 + 1e-9);
        // Adding the hours back lands no later than the end of the span.
        if (h > 0) expect(cal.addWorkingHours(from, h)).toBeLessThanOrEqual(from + span + 1);
      }),
      { numRuns: 300 },
    );
  });

  it('working hours and their inverse agree with a plain day-by-day walk', () => {
    const workdays = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
    fc.assert(
      fc.property(zone, day, fc.integer({ min: 0, max: 50 * 86_400_000 }), fc.integer({ min: 0, max: 86_400_000 }), (tz, start, span, shift) => {
        const cal = new Calendar({ timezone: tz, workdays: [...workdays], hours: { start: '09:00', end: '17:00' }, holidays: ['2026-12-25'] });
        const from = Date.parse(`${start}T00:00:00Z`) + shift;
        const to = from + span;
        let naive = 0;
        for (let d = DateTime.fromMillis(from, { zone: tz }).startOf('day'); d.toMillis() < to; d = d.plus({ days: 1 })) {
          if (d.weekday > 5 || d.toISODate() === '2026-12-25') continue;
          const s = d.set({ hour: 9 }).toMillis();
          const e = d.set({ hour: 17 }).toMillis();
          naive += Math.max(0, Math.min(e, to) - Math.max(s, from));
        }
        expect(cal.workingHoursBetween(from, to)).toBeCloseTo(naive / 3_600_000, 6);
        const h = naive / 3_600_000;
        if (h > 0) expect(cal.workingHoursBetween(from, cal.addWorkingHours(from, h))).toBeCloseTo(h, 6);
      }),
      { numRuns: 300 },
    );
  });
});
