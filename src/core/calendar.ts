/**
 * The work calendar: dates in the team's timezone, workdays, holidays and working hours. Pure (luxon
 * does the timezone arithmetic from the IANA data built into Node). Due dates are calendar days: a task
 * due 2026-11-26 is overdue from the first instant of 2026-11-27 in the team's timezone, whatever the
 * UTC offset does in between.
 */
import { DateTime } from 'luxon';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface WorkCalendar {
  readonly timezone: string;
  readonly workdays: readonly Weekday[];
  readonly hours: { readonly start: string; readonly end: string };
  readonly holidays: readonly string[];
}

const HOUR = 3_600_000;

/** The calendar date (`YYYY-MM-DD`) of an instant in a timezone. */
export function localDate(ms: number, tz: string): string {
  return DateTime.fromMillis(ms, { zone: tz }).toISODate() as string;
}

/** The first instant after the given local day: when a task due that day becomes overdue. */
export function endOfDay(date: string, tz: string): number {
  return DateTime.fromISO(date, { zone: tz }).plus({ days: 1 }).startOf('day').toMillis();
}

/** The first instant of the given local day. */
export function startOfDay(date: string, tz: string): number {
  return DateTime.fromISO(date, { zone: tz }).startOf('day').toMillis();
}

/** Whole calendar days from date a to date b (b − a), both `YYYY-MM-DD`. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Short weekday + date for reasons: "Thu 26 Nov". */
export function humanDate(date: string): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).toFormat('ccc d LLL');
}

export class Calendar {
  readonly tz: string;
  private readonly workdays: ReadonlySet<number>;
  private readonly holidays: ReadonlySet<string>;
  private readonly startMin: number;
  private readonly endMin: number;

  constructor(cal: WorkCalendar) {
    this.tz = cal.timezone;
    this.workdays = new Set(cal.workdays.map((d) => WEEKDAYS.indexOf(d) + 1)); // luxon: 1 = Monday
    this.holidays = new Set(cal.holidays);
    this.startMin = minutes(cal.hours.start);
    this.endMin = minutes(cal.hours.end);
  }

  /** Working hours in one workday. */
  get dayHours(): number {
    return (this.endMin - this.startMin) / 60;
  }

  isWorkday(date: string): boolean {
    return !this.holidays.has(date) && this.workdays.has(DateTime.fromISO(date, { zone: 'UTC' }).weekday);
  }

  localDate(ms: number): string {
    return localDate(ms, this.tz);
  }

  private readonly ends = new Map<string, number>();
  private readonly starts = new Map<string, number>();
  private readonly windows = new Map<string, [number, number] | null>();

  /** endOfDay in this calendar's timezone, memoized (a hot path across 100k tasks). */
  endOf(date: string): number {
    let v = this.ends.get(date);
    if (v === undefined) this.ends.set(date, (v = endOfDay(date, this.tz)));
    return v;
  }

  startOf(date: string): number {
    let v = this.starts.get(date);
    if (v === undefined) this.starts.set(date, (v = startOfDay(date, this.tz)));
    return v;
  }

  /** The working window [start, end) of a local date in ms, or null on a non-workday. */
  private window(date: string): [number, number] | null {
    const cached = this.windows.get(date);
    if (cached !== undefined) return cached;
    const w = this.computeWindow(date);
    this.windows.set(date, w);
    return w;
  }

  private computeWindow(date: string): [number, number] | null {
    if (!this.isWorkday(date)) return null;
    const day = DateTime.fromISO(date, { zone: this.tz });
    const at = (m: number) => day.set({ hour: Math.floor(m / 60), minute: m % 60 }).toMillis();
    return [at(this.startMin), at(this.endMin)];
  }

  /** Working hours between two instants (0 when to ≤ from). */
  workingHoursBetween(fromMs: number, toMs: number): number {
    if (toMs <= fromMs) return 0;
    let total = 0;
    let date = this.localDate(fromMs);
    const last = this.localDate(toMs);
    for (let guard = 0; date <= last && guard < 3660; guard++, date = addDays(date, 1)) {
      const w = this.window(date);
      if (w) total += Math.max(0, Math.min(w[1], toMs) - Math.max(w[0], fromMs));
    }
    return total / HOUR;
  }

  /** The instant at which `hours` working hours after `fromMs` have been worked. */
  addWorkingHours(fromMs: number, hours: number): number {
    let left = hours * HOUR;
    let date = this.localDate(fromMs);
    for (let guard = 0; guard < 3660; guard++, date = addDays(date, 1)) {
      const w = this.window(date);
      if (!w) continue;
      const start = Math.max(w[0], fromMs);
      const span = Math.max(0, w[1] - start);
      if (left <= span) return start + left;
      left -= span;
    }
    return fromMs + hours * HOUR;
  }

  /** Time between two instants counting only workdays (weekends and holidays don't age work), in ms. */
  workdayMsBetween(fromMs: number, toMs: number): number {
    if (toMs <= fromMs) return 0;
    let total = 0;
    let date = this.localDate(fromMs);
    const last = this.localDate(toMs);
    for (let guard = 0; date <= last && guard < 3660; guard++, date = addDays(date, 1)) {
      if (!this.isWorkday(date)) continue;
      const s = this.startOf(date);
      const e = this.endOf(date);
      total += Math.max(0, Math.min(e, toMs) - Math.max(s, fromMs));
    }
    return total;
  }
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}
