/**
 * A second simulated team history, independent of the sandbox's and kept out of tuning: a platform
 * team of six on GitHub only, with no estimates. Each person works their own queue earliest-due-first,
 * one task at a time, at a speed of their own that nobody wrote down; people are away for a few days;
 * some tasks wait on a colleague's; due dates are weekly milestones (Fridays), chosen by a lead who
 * plans every task as if it were average-sized and done by an average-speed person — so the slow, the
 * overloaded, the absent and the blocked miss. Seeded: the same seed gives the same history.
 *
 * The output is what a store holds after syncing such a team: each task's current state and its status
 * history with the tool's times (as GitHub's issue event stream gives it).
 */
import { DateTime } from 'luxon';
import { mulberry32 } from '../connectors/kit/fake-server.js';
import type { SourceHistoryEntry, TaskFields } from '../src/core/model.js';

export interface WorldPerson {
  readonly id: string;
  readonly name: string;
  readonly login: string;
  /** Work hours done per working hour (1 = average). */
  readonly speed: number;
}

export const HELD_OUT_PEOPLE: readonly WorldPerson[] = [
  { id: 'hana', name: 'Hana Ito', login: 'hana-ops', speed: 1.45 },
  { id: 'ivo', name: 'Ivo Petrov', login: 'ivo-net', speed: 1.2 },
  { id: 'jo', name: 'Jo Okafor', login: 'jo-sre', speed: 1.0 },
  { id: 'kai', name: 'Kai Lund', login: 'kai-dev', speed: 0.9 },
  { id: 'lena', name: 'Lena Roth', login: 'lena-db', speed: 0.75 },
  { id: 'milo', name: 'Milo Sanz', login: 'milo-sec', speed: 0.6 },
];

export interface WorldOptions {
  readonly seed?: number;
  /** A Monday (team-local date): the quarter starts there. */
  readonly start?: string;
  readonly weeks?: number;
  readonly timezone?: string;
}

export interface HeldOutWorld {
  readonly repo: string;
  readonly people: readonly WorldPerson[];
  readonly tasks: readonly { readonly task: TaskFields; readonly history: readonly SourceHistoryEntry[] }[];
  /** The end of the simulated quarter: "now" for the backtest. */
  readonly now: number;
  readonly start: string;
  readonly timezone: string;
  /** What the tools never show, for the ceiling check (experiments/ceiling.ts) and diagnosis. */
  readonly truth: WorldTruth;
}

/** The simulation behind the history, in working hours from the start (09:00 on the first Monday). */
export interface WorldTruth {
  readonly hoursPerDay: number;
  /** Working days in the quarter. */
  readonly days: number;
  /** Working-day indexes each person was away. */
  readonly away: ReadonlyMap<string, ReadonlySet<number>>;
  readonly tasks: readonly TrueTask[];
  /** A working-hour index as an instant (ms). */
  readonly instant: (hour: number) => number;
}

export interface TrueTask {
  /** The task's id in the store. */
  readonly id: string;
  readonly n: number;
  readonly person: WorldPerson;
  readonly createdAt: number;
  /** The due date (team-local). */
  readonly due: string;
  /** Hours of work for a speed-1 person. */
  readonly work: number;
  /** The end of the due day. */
  readonly dueHour: number;
  readonly waitsOn: number | null;
  readonly startedAt: number | null;
  readonly doneAt: number | null;
}

const DAY_HOURS = 8;
/** How much work a task takes at speed 1: log-normal around 9 hours, between 2 and 60. */
export const WORK = { median: 9, sigma: 0.7, min: 2, max: 60 } as const;
const TITLES = ['Patch the bastion hosts', 'Rotate the VPN certificates', 'Move the metrics store to new disks', 'Add a readiness probe to the billing API', 'Upgrade the Postgres replicas', 'Tighten the S3 bucket policies', 'Script the on-call handover', 'Split the monolith deploy job', 'Renew the SSO signing key', 'Migrate the queue workers', 'Set alert thresholds for latency', 'Clean up stale feature flags', 'Benchmark the new instance type', 'Archive old build artifacts', 'Automate the firewall audit', 'Document the DR runbook'];

interface Sim {
  readonly n: number;
  readonly person: WorldPerson;
  readonly createdAt: number; // working-hour index
  readonly work: number; // true hours of work for a speed-1 person
  readonly due: string;
  readonly dueHour: number; // working-hour index of the end of the due day
  readonly waitsOn: number | null;
  left: number;
  startedAt: number | null;
  doneAt: number | null;
}

export function heldOutWorld(o: WorldOptions = {}): HeldOutWorld {
  const rnd = mulberry32(o.seed ?? 20261);
  const zone = o.timezone ?? 'Europe/Berlin';
  const start = DateTime.fromISO(o.start ?? '2026-08-31', { zone }).startOf('day');
  const weeks = o.weeks ?? 13;
  const days = weeks * 5;
  // Working day d (0-based, Mon–Fri), hour h → an instant at 09:00 + h local.
  const dayDate = (d: number) => start.plus({ days: Math.floor(d / 5) * 7 + (d % 5) });
  const instant = (hour: number) => dayDate(Math.floor(hour / DAY_HOURS)).set({ hour: 9 + (hour % DAY_HOURS), minute: 0 });
  const iso = (hour: number) => instant(hour).toUTC().toISO({ suppressMilliseconds: true })!;
  // Work done in working hour h is done at that hour's end (17:00 for the day's last), not at the next
  // hour's start (the next morning's 09:00, after the due day has ended). The quarter ends at `now`.
  const doneIso = (hour: number) => (hour >= total ? iso(total - 1) : instant(hour - 1).plus({ hours: 1 }).toUTC().toISO({ suppressMilliseconds: true })!);
  const fridayOf = (week: number) => week * 5 + 4;
  // Absences: one or two spans of 2–5 working days per person.
  const away = new Map<string, Set<number>>();
  for (const p of HELD_OUT_PEOPLE) {
    const s = new Set<number>();
    for (let k = 0; k < 1 + Math.floor(rnd() * 2); k++) {
      const first = 5 + Math.floor(rnd() * (days - 15));
      const len = 2 + Math.floor(rnd() * 4);
      for (let d = first; d < first + len; d++) s.add(d);
    }
    away.set(p.id, s);
  }
  const lognormal = (median: number, sigma: number) => {
    const u = Math.max(1e-9, rnd());
    const v = rnd();
    return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  };

  // Planning: every Monday the lead files the week's work; each task goes to the person whose planned
  // queue is shortest, and is due the Friday of the week by which an average person would finish it
  // (the planned queue plus this task, at speed 1, plus a day of slack).
  const sims: Sim[] = [];
  const planned = new Map<string, number>(HELD_OUT_PEOPLE.map((p) => [p.id, 0]));
  for (let week = 0; week < weeks - 2; week++) {
    const monday = week * 5 * DAY_HOURS;
    for (const p of HELD_OUT_PEOPLE) planned.set(p.id, Math.max(0, planned.get(p.id)! - 5 * DAY_HOURS));
    const count = 13 + Math.floor(rnd() * 6);
    for (let k = 0; k < count; k++) {
      const createdAt = monday + Math.floor(rnd() * 3) * DAY_HOURS + Math.floor(rnd() * 4);
      const person = [...HELD_OUT_PEOPLE].sort((a, b) => planned.get(a.id)! - planned.get(b.id)! || a.id.localeCompare(b.id))[Math.floor(rnd() * 2)]!;
      const work = Math.min(WORK.max, Math.max(WORK.min, lognormal(WORK.median, WORK.sigma)));
      const guess = 8; // every task is planned as an average one
      planned.set(person.id, planned.get(person.id)! + guess);
      const finishDay = Math.floor((createdAt + planned.get(person.id)!) / DAY_HOURS) + 1;
      const dueWeek = Math.max(week + 1, Math.ceil((finishDay - 4) / 5));
      const dueDay = fridayOf(dueWeek);
      const open = sims.filter((s) => s.person.id !== person.id && s.createdAt <= createdAt && s.dueHour > createdAt);
      const waitsOn = rnd() < 0.15 && open.length > 0 ? open[Math.floor(rnd() * open.length)]!.n : null;
      sims.push({ n: sims.length + 1, person, createdAt, work, due: dayDate(dueDay).toISODate()!, dueHour: (dueDay + 1) * DAY_HOURS, waitsOn, left: work, startedAt: null, doneAt: null });
    }
  }

  // Work: hour by hour, each person on one task at a time, earliest due first among what can start.
  const total = days * DAY_HOURS;
  const current = new Map<string, Sim | null>();
  const byN = new Map(sims.map((s) => [s.n, s]));
  for (let hour = 0; hour < total; hour++) {
    const day = Math.floor(hour / DAY_HOURS);
    for (const p of HELD_OUT_PEOPLE) {
      if (away.get(p.id)!.has(day)) continue;
      let t = current.get(p.id) ?? null;
      if (t === null) {
        const ready = sims.filter((s) => s.person === p && s.doneAt === null && s.createdAt <= hour && (s.waitsOn === null || (byN.get(s.waitsOn)!.doneAt ?? Infinity) <= hour));
        ready.sort((a, b) => a.dueHour - b.dueHour || a.createdAt - b.createdAt);
        t = ready[0] ?? null;
        if (t === null) continue;
        t.startedAt ??= hour;
        current.set(p.id, t);
      }
      t.left -= p.speed;
      if (t.left <= 0) {
        t.doneAt = hour + 1;
        current.set(p.id, null);
      }
    }
  }

  const repo = 'acme/platform';
  const tasks = sims.map((s) => {
    const created = iso(s.createdAt);
    const history: SourceHistoryEntry[] = [];
    const by = { actor: 'human' as const, actorId: s.person.login };
    if (s.startedAt !== null) history.push({ field: 'status', oldValue: 'todo', newValue: 'in_progress', at: iso(s.startedAt), ...by });
    if (s.doneAt !== null) history.push({ field: 'status', oldValue: 'in_progress', newValue: 'done', at: doneIso(s.doneAt), ...by });
    const status = s.doneAt !== null ? 'done' : s.startedAt !== null ? 'in_progress' : 'todo';
    const last = history.at(-1)?.at ?? created;
    const task: TaskFields = {
      key: `${repo}#${s.n}`,
      url: `https://github.com/${repo}/issues/${s.n}`,
      type: 'issue',
      title: `${TITLES[s.n % TITLES.length]} (${s.n})`,
      description: s.waitsOn ? `Blocked by #${s.waitsOn}.` : null,
      status,
      rawStatus: s.doneAt !== null ? 'closed (completed)' : 'open',
      priority: 'medium',
      rawPriority: 'P2',
      assignees: [{ kind: 'github', id: s.person.login }],
      reporter: { kind: 'github', id: 'lead-anna' },
      due: s.due,
      acceptanceCriteria: 'done when deployed',
      estimateS: null,
      spentS: null,
      remainingS: null,
      parent: null,
      dependsOn: s.waitsOn ? [`github:${repo}#${s.waitsOn}`] : [],
      links: [],
      labels: ['P2'],
      project: repo,
      milestone: `Week of ${s.due}`,
      createdAt: created,
      updatedAt: last,
      lastHumanActivityAt: last,
      doneAt: s.doneAt !== null ? doneIso(s.doneAt) : null,
      verifiedAt: null,
      verifiedBy: null,
    };
    return { task, history };
  });
  const truth: WorldTruth = {
    hoursPerDay: DAY_HOURS,
    days,
    away,
    tasks: sims.map((s) => ({ id: `github-platform:${repo}#${s.n}`, n: s.n, person: s.person, createdAt: s.createdAt, due: s.due, work: s.work, dueHour: s.dueHour, waitsOn: s.waitsOn, startedAt: s.startedAt, doneAt: s.doneAt })),
    instant: (hour) => instant(hour).toMillis(),
  };
  return { repo, people: HELD_OUT_PEOPLE, tasks, now: instant(total - 1).toMillis(), start: start.toISODate()!, timezone: zone, truth };
}
