/**
 * A seeded past quarter for the sandbox team, for the risk model to learn from and the backtest to
 * score it on: each person works their queue in order at their own pace; estimates are optimistic by a
 * factor that differs per person; some work waits on a colleague's; people are away for a few days;
 * work is added late with short dates. Due dates are what a lead would plan from the estimates (the
 * queue, plus a day or two of slack) — so some are met and some are missed, for reasons the history
 * shows. Served through the Jira fake's changelog, like a real team's Jira.
 */
import { DateTime } from 'luxon';
import { mulberry32 } from '../../connectors/kit/fake-server.js';
import type { JiraIssueSeed } from '../../connectors/jira/fake.js';

export interface HistoryPerson {
  readonly id: string;
  readonly jira: string;
  /** Real work ÷ estimate, on average (1.4: estimates 40% optimistic). */
  readonly optimism: number;
}

export interface HistoryOptions {
  readonly now: number;
  readonly timezone: string;
  readonly people: readonly HistoryPerson[];
  readonly lead: string;
  /** Weeks of history before now. */
  readonly weeks?: number;
  readonly seed?: number;
  readonly firstKey?: number;
  readonly project?: string;
}

/** Spread of real work around the person's optimism: exp(±NOISE/2). */
const NOISE = 0.8;
const TITLES = ['Rotate service credentials', 'Upgrade the database minor version', 'Add alerting for disk usage', 'Migrate cron jobs to the scheduler', 'Patch base images', 'Document the restore procedure', 'Tune the load balancer health checks', 'Clean up unused DNS records', 'Automate certificate renewal', 'Move logs to the new retention policy', 'Harden SSH configuration', 'Review firewall rules', 'Set up staging for the client', 'Capacity check before the release', 'Replace the deprecated API client', 'Backup verification drill'];

interface Planned {
  key: string;
  person: HistoryPerson;
  title: string;
  created: number;
  estimateH: number;
  actualH: number;
  due: string;
  blockedBy: string | null;
}

/** Issues with their status history, for the Jira fake. */
export function syntheticHistory(o: HistoryOptions): JiraIssueSeed[] {
  const rnd = mulberry32(o.seed ?? 7);
  const zone = o.timezone;
  const weeks = o.weeks ?? 12;
  const project = o.project ?? 'OPS';
  let n = o.firstKey ?? 100;
  const start = DateTime.fromMillis(o.now, { zone }).startOf('week').minus({ weeks }).set({ hour: 9 });
  const nowDt = DateTime.fromMillis(o.now, { zone });

  // Working-time arithmetic in hours of 9:00–17:00, Monday–Friday, with absences per person.
  const away = new Map<string, Set<string>>();
  for (const p of o.people) {
    const days = new Set<string>();
    const absences = 1 + Math.floor(rnd() * 2);
    for (let a = 0; a < absences; a++) {
      const first = start.plus({ days: Math.floor(rnd() * weeks * 7) });
      const len = 2 + Math.floor(rnd() * 4);
      for (let d = 0; d < len; d++) days.add(first.plus({ days: d }).toISODate()!);
    }
    away.set(p.id, days);
  }
  const working = (p: HistoryPerson | null, d: DateTime) => d.weekday <= 5 && !(p && away.get(p.id)?.has(d.toISODate()!));
  /** The instant `hours` working hours after `from`, for `p` (null: planning ignores absences). */
  const addHours = (p: HistoryPerson | null, from: DateTime, hours: number): DateTime => {
    let t = from;
    let left = hours;
    for (let guard = 0; guard < 1000; guard++) {
      const dayStart = t.set({ hour: 9, minute: 0, second: 0, millisecond: 0 });
      const dayEnd = t.set({ hour: 17, minute: 0, second: 0, millisecond: 0 });
      if (!working(p, t) || t >= dayEnd) {
        t = dayStart.plus({ days: 1 });
        continue;
      }
      if (t < dayStart) t = dayStart;
      const avail = dayEnd.diff(t, 'hours').hours;
      if (left <= avail) return t.plus({ hours: left });
      left -= avail;
      t = dayStart.plus({ days: 1 });
    }
    return t;
  };

  // Weekly planning: each Monday every person gets new work (and some arrives mid-week, late).
  const specs: { person: HistoryPerson; created: DateTime; estimateH: number; actualH: number; late: boolean; slackDays: number; title: string; wantsBlocker: boolean }[] = [];
  for (let w = 0; w < weeks; w++) {
    const monday = start.plus({ weeks: w });
    for (const p of o.people) {
      const count = 1 + Math.floor(rnd() * 3);
      for (let i = 0; i < count; i++) {
        const late = rnd() < 0.15;
        const estimateH = 4 + Math.round(rnd() * 20);
        // Real work: the person's optimism, with noise (log-normal-ish, about 0.7–1.5).
        const actualH = Math.max(2, estimateH * p.optimism * Math.exp((rnd() - 0.5) * NOISE));
        specs.push({ person: p, created: late ? monday.plus({ days: 2, hours: 3 }) : monday, estimateH, actualH, late, slackDays: late ? 0 : 1 + Math.floor(rnd() * 2), title: TITLES[Math.floor(rnd() * TITLES.length)]!, wantsBlocker: rnd() < 0.12 });
      }
    }
  }
  specs.sort((x, y) => x.created.toMillis() - y.created.toMillis());

  // Plan and reality side by side, in the order work arrives. The lead plans each task by its estimate
  // from when its person will be free, plus slack; the person really works at their own pace, after
  // their earlier work and after what the task waits on.
  const planned: Planned[] = [];
  const started = new Map<string, DateTime>();
  const finished = new Map<string, DateTime>();
  const actualEnd = new Map<string, number>(o.people.map((p) => [p.id, start.toMillis()]));
  for (const x of specs) {
    const p = x.person;
    const created = x.created.toMillis();
    const others = planned.filter((y) => y.person.id !== p.id);
    const blockedBy = x.wantsBlocker && others.length > 0 ? others[Math.floor(rnd() * others.length)]!.key : null;
    const blockerEnd = blockedBy ? (finished.get(blockedBy)?.toMillis() ?? created) : created;
    // The lead sees when the person will be free (stand-ups), and plans the new work by its estimate.
    const planFrom = DateTime.fromMillis(Math.max(created, actualEnd.get(p.id)!, blockedBy ? blockerEnd : 0), { zone });
    const planFinish = addHours(null, planFrom, x.estimateH);
    let due = planFinish.plus({ days: x.slackDays });
    while (due.weekday > 5) due = due.plus({ days: 1 });
    const begin = addHours(p, DateTime.fromMillis(Math.max(created, actualEnd.get(p.id)!, blockerEnd), { zone }), 0);
    const end = addHours(p, begin, x.actualH);
    actualEnd.set(p.id, end.toMillis());
    const key = `${project}-${n++}`;
    started.set(key, begin);
    finished.set(key, end);
    planned.push({ key, person: p, title: x.title, created, estimateH: x.estimateH, actualH: x.actualH, due: due.toISODate()!, blockedBy });
  }

  const iso = (d: DateTime) => d.toUTC().toISO()!;
  const lead = o.lead;
  // The quarter is history: work still unfinished by now is left out (the present is the scenario's).
  const verifiedAt = (x: Planned) => finished.get(x.key)!.plus({ days: 1 }).set({ hour: 11, minute: 0 });
  return planned
    .filter((x) => verifiedAt(x) < nowDt)
    .map((x): JiraIssueSeed => {
      const s = started.get(x.key)!;
      const f = finished.get(x.key)!;
      const history: [string, string, string?][] = [
        ['In Progress', iso(s), x.person.jira],
        ['Done', iso(f), x.person.jira],
        ['Verified', iso(verifiedAt(x)), lead],
      ];
      const status = 'Verified';
      const updated = iso(verifiedAt(x));
      return {
        key: x.key,
        summary: x.title,
        description: `${x.title}.\n\n## Acceptance criteria\n\ndone as described`,
        assignee: x.person.jira,
        reporter: lead,
        status,
        priority: 'Medium',
        duedate: x.due,
        estimateS: Math.round(x.estimateH * 3600),
        created: iso(DateTime.fromMillis(x.created, { zone })),
        updated,
        statusHistory: history,
        ...(x.blockedBy ? { blockedBy: [x.blockedBy] } : {}),
      };
    });
}

