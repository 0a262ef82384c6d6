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

const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Short weekday + date for reasons: "Thu 26 Nov" (plain arithmetic: it runs for every flag). */
export function humanDate(date: string): string {
  const n = Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
  const weekday = WEEKDAY_NAMES[(((n + 3) % 7) + 7) % 7]!;
  return `${weekday} ${Number(date.slice(8, 10))} ${MONTH_NAMES[Number(date.slice(5, 7)) - 1]!}`;
}

/** An instant as the team reads it: "Tue 1 Dec 09:00" in their timezone. */
export function humanDateTime(iso: string, tz: string): string {
  const t = DateTime.fromISO(iso, { zone: tz });
  return `${humanDate(t.toISODate() as string)} ${t.toFormat('HH:mm')}`;
}

const DAY = 86_400_000;
const BUCKET = 15 * 60_000;
const dayNumOf = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY);
const dateOfDayNum = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);

/**
 * A work calendar for one timezone. Everything a 100k-task evaluation asks repeatedly is memoized: the
 * UTC offset per 15-minute bucket (offsets only change on the hour or half hour), and per local day its
 * working window. Days are handled as integers (days since 1970-01-01 on the local calendar).
 */
export class Calendar {
  readonly tz: string;
  private readonly workdays: ReadonlySet<number>;
  private readonly holidays: ReadonlySet<number>;
  private readonly startMin: number;
  private readonly endMin: number;
  private readonly offsets = new Map<number, number>();
  private readonly ends = new Map<string, number>();
  private readonly starts = new Map<string, number>();
  private readonly windows = new Map<number, [number, number] | null>();
  private readonly dayBounds = new Map<number, [number, number]>();

  constructor(cal: WorkCalendar) {
    this.tz = cal.timezone;
    this.workdays = new Set(cal.workdays.map((d) => WEEKDAYS.indexOf(d))); // 0 = Monday
    this.holidays = new Set(cal.holidays.map(dayNumOf));
    this.startMin = minutes(cal.hours.start);
    this.endMin = minutes(cal.hours.end);
  }

  /** Working hours in one workday. */
  get dayHours(): number {
    return (this.endMin - this.startMin) / 60;
  }

  isWorkday(date: string): boolean {
    return this.isWorkdayNum(dayNumOf(date));
  }

  private isWorkdayNum(n: number): boolean {
    // 1970-01-01 was a Thursday (index 3 with Monday = 0).
    return !this.holidays.has(n) && this.workdays.has((((n + 3) % 7) + 7) % 7);
  }

  /**
   * The local calendar day of an instant, as a day number. The UTC offset is looked up once per UTC
   * day when it is the same at both ends of that day (all but the few days with a transition); on a
   * transition day, once per 15 minutes (offsets change on the hour or half hour).
   */
  private dayNumAt(ms: number): number {
    return Math.floor((ms + this.offsetAt(ms)) / DAY);
  }

  private offsetAt(ms: number): number {
    const utcDay = Math.floor(ms / DAY);
    let dayOffset = this.offsets.get(-1 - utcDay);
    if (dayOffset === undefined) {
      const a = this.zoneOffset(utcDay * DAY);
      const b = this.zoneOffset((utcDay + 1) * DAY - 1);
      dayOffset = a === b ? a : NaN;
      this.offsets.set(-1 - utcDay, dayOffset);
    }
    if (!Number.isNaN(dayOffset)) return dayOffset;
    const bucket = Math.floor(ms / BUCKET);
    let offset = this.offsets.get(bucket);
    if (offset === undefined) this.offsets.set(bucket, (offset = this.zoneOffset(bucket * BUCKET)));
    return offset;
  }

  private zoneOffset(ms: number): number {
    return DateTime.fromMillis(ms, { zone: this.tz }).offset * 60_000;
  }

  localDate(ms: number): string {
    return dateOfDayNum(this.dayNumAt(ms));
  }

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

  /** [start, end) of a local day as instants. */
  private bounds(n: number): [number, number] {
    let b = this.dayBounds.get(n);
    if (!b) {
      const date = dateOfDayNum(n);
      this.dayBounds.set(n, (b = [this.startOf(date), this.endOf(date)]));
    }
    return b;
  }

  /** The working window [start, end) of a local day, or null on a non-workday. */
  private window(n: number): [number, number] | null {
    const cached = this.windows.get(n);
    if (cached !== undefined) return cached;
    let w: [number, number] | null = null;
    if (this.isWorkdayNum(n)) {
      const day = DateTime.fromISO(dateOfDayNum(n), { zone: this.tz });
      const at = (m: number) => day.set({ hour: Math.floor(m / 60), minute: m % 60 }).toMillis();
      w = [at(this.startMin), at(this.endMin)];
    }
    this.windows.set(n, w);
    return w;
  }

  /** `ms` itself when it falls in working hours, else the start of the next working window. */
  nextWorkingMoment(ms: number): number {
    let n = this.dayNumAt(ms);
    for (let i = 0; i < 400; i++, n++) {
      const w = this.window(n);
      if (w && ms < w[1]) return Math.max(ms, w[0]);
    }
    return ms; // no working window within a year: do not hold anything back forever
  }

  /** Working hours between two instants (0 when to ≤ from). */
  workingHoursBetween(fromMs: number, toMs: number): number {
    if (toMs <= fromMs) return 0;
    const a = this.dayNumAt(fromMs);
    const b = this.dayNumAt(toMs);
    const overlap = (n: number) => {
      const w = this.window(n);
      return w ? Math.max(0, Math.min(w[1], toMs) - Math.max(w[0], fromMs)) : 0;
    };
    if (a === b) return overlap(a) / 3_600_000;
    // The lower prefix first: a lookup below the table rebuilds it on a new base, one above only extends it.
    const lower = this.cumulative(a + 1);
    const upper = this.cumulative(b);
    return (overlap(a) + overlap(b) + upper - lower) / 3_600_000;
  }

  /** The instant at which `hours` working hours after `fromMs` have been worked. */
  addWorkingHours(fromMs: number, hours: number): number {
    let left = hours * 3_600_000;
    const a = this.dayNumAt(fromMs);
    const w = this.window(a);
    if (w) {
      const start = Math.max(w[0], fromMs);
      const span = Math.max(0, w[1] - start);
      if (left <= span) return start + left;
      left -= span;
    }
    // The first later day by whose end `left` more working ms have passed (binary search on the prefix sums).
    const base = this.cumulative(a + 1);
    let lo = a + 1;
    let hi = a + 1;
    while (this.cumulative(hi + 1) - base < left) {
      if (hi - a > 3660) return fromMs + hours * 3_600_000;
      hi = a + 1 + (hi - a) * 2;
    }
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative(mid + 1) - base >= left) hi = mid;
      else lo = mid + 1;
    }
    const day = this.window(lo)!;
    return day[0] + (left - (this.cumulative(lo) - base));
  }

  private cumBase = 0;
  private cum: number[] = [];

  /** Working ms in the days [cumBase, n): prefix sums over day numbers, grown on demand (a month at a time or more). */
  private cumulative(n: number): number {
    if (this.cum.length === 0 || n < this.cumBase) {
      const covered = this.cum.length === 0 ? n : this.cumBase + this.cum.length - 1;
      this.cumBase = n - 31;
      this.cum = [0];
      this.extend(Math.max(n, covered) + 1);
    }
    if (n - this.cumBase >= this.cum.length) this.extend(n + Math.max(31, this.cum.length));
    return this.cum[n - this.cumBase]!;
  }

  private extend(upTo: number) {
    for (let n = this.cumBase + this.cum.length - 1; n < upTo; n++) {
      const w = this.window(n);
      this.cum.push(this.cum[this.cum.length - 1]! + (w ? w[1] - w[0] : 0));
    }
  }

  /**
   * Time between two instants counting only workdays (weekends and holidays don't age work), in ms. The
   * first and last day count exactly; whole days between count 24 h each (a DST day's hour more or less
   * does not matter at this grain), by arithmetic rather than by walking every day.
   */
  workdayMsBetween(fromMs: number, toMs: number): number {
    if (toMs <= fromMs) return 0;
    const first = this.dayNumAt(fromMs);
    const last = this.dayNumAt(toMs);
    const part = (n: number) => {
      if (!this.isWorkdayNum(n)) return 0;
      const [s, e] = this.bounds(n);
      return Math.max(0, Math.min(e, toMs) - Math.max(s, fromMs));
    };
    if (first === last) return part(first);
    return part(first) + part(last) + this.workdaysIn(first + 1, last) * DAY;
  }

  /** Number of workdays among day numbers [a, b). */
  private workdaysIn(a: number, b: number): number {
    if (b <= a) return 0;
    const weeks = Math.floor((b - a) / 7);
    let count = weeks * this.workdays.size;
    for (let n = a + weeks * 7; n < b; n++) if (this.workdays.has((((n + 3) % 7) + 7) % 7)) count++;
    for (const h of this.holidays) if (h >= a && h < b && this.workdays.has((((h + 3) % 7) + 7) % 7)) count--;
    return count;
  }
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}
