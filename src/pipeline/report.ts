/**
 * The report from the store: evaluate as of now, gather the window's history and the sync state, and
 * hand plain data to the pure builder. The window runs from the last delivered report (else the start
 * of the previous working day) to now.
 */
import { Calendar, addDays } from '../core/calendar.js';
import type { Engine } from '../core/engine.js';
import type { Identity } from '../core/identity.js';
import { verifierOf } from '../core/verifier.js';
import { buildReport, burndown, dailyTrend, type Headline, type Report, type ReportFollowup } from '../core/report/model.js';
import type { Config } from '../config/schema.js';
import type { Task } from '../core/model.js';
import type { TaskStore } from '../store/store.js';
import { loadAndEvaluate } from './evaluate.js';

const LAST_AT = 'last_report_at';
const LAST_HEADLINE = 'last_report_headline';

export interface ReportOptions {
  readonly store: TaskStore;
  readonly config: Config;
  readonly engine: Engine;
  readonly identity: Identity;
  readonly now: number;
  /** Start of the window, overriding the last report. */
  readonly since?: string | undefined;
}

export async function reportFromStore(o: ReportOptions): Promise<Report> {
  const { store, config, engine, identity, now } = o;
  const evaluation = await loadAndEvaluate(store, engine, now);
  const cal = new Calendar({ timezone: config.timezone, ...config.calendar });
  const from = o.since ?? (await store.getMeta(LAST_AT)) ?? previousWorkdayStart(cal, now);
  const to = new Date(now).toISOString();
  const previousText = await store.getMeta(LAST_HEADLINE);
  const tasks = await store.listTasks();
  const [statusHistory, sync, accounts] = await Promise.all([store.statusHistoryBetween(from, to), store.syncState(from), store.listAccounts()]);
  const verifier = verifierOf(identity, config.teams);
  const syncBy = new Map(sync.map((s) => [s.connector, s]));
  return buildReport({
    title: 'taskwire daily report',
    now,
    timezone: config.timezone,
    today: cal.localDate(now),
    window: { from, to },
    tasks,
    flags: evaluation.flags,
    risk: engine.riskResults(),
    health: engine.health(),
    statusHistory,
    previous: previousText === null ? null : (JSON.parse(previousText) as Headline),
    people: config.people.map((p) => ({ id: p.id, name: p.name })),
    verifierOf: verifier,
    label: engine.label,
    nameOf: engine.nameOf,
    accountName: (a) => {
      const r = identity.resolve(a);
      return r.kind === 'person' ? engine.nameOf(r.personId) : null;
    },
    followups: { mode: config.followups.mode, items: await followupItems(store, from, engine, recipientName(config, engine)) },
    // Past days from the stored flag lifecycle; today from this evaluation (a preview stores nothing).
    burndown: burndowns(engine, tasks, lastDays(cal, now, 14)),
    trend: dailyTrend(tasks, [...(await store.flagSpans(new Date(now - 15 * DAY).toISOString())), ...evaluation.flags.map((f) => ({ taskId: f.taskId, from: to, to: null }))], lastDays(cal, now, 14)),
    sync: {
      connectors: config.connectors.map((c) => {
        const s = syncBy.get(c.name);
        return { name: c.name, kind: c.type, lastSyncAt: s?.lastSyncAt ?? null, webhookFailures: s?.webhookFailures ?? 0, deadLetters: s?.deadLetters ?? 0, ...(s?.failingItems ? { failingItems: s.failingItems } : {}) };
      }),
      unmappedPeople: accounts.filter((a) => identity.resolve(a).kind === 'unmapped').map((a) => ({ kind: a.kind, id: a.id, name: a.name ?? null })),
      unresolvedReferences: engine.unresolved().length,
    },
  });
}

/** Each milestone's and project's open tasks over the last days, where its history reaches back. */
function burndowns(engine: Engine, tasks: readonly Task[], days: { date: string; end: string }[]) {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const out = new Map<string, { date: string; remaining: number }[]>();
  for (const g of engine.health()) {
    const line = burndown(g.tasks.flatMap((id) => byId.get(id) ?? []), days);
    if (line) out.set(`${g.kind}:${g.name}`, line);
  }
  return out;
}

/** After a report is delivered: the next one covers what happened since, and shows the change. */
export async function recordReport(store: TaskStore, report: Report): Promise<void> {
  await store.setMeta(LAST_AT, report.window.to);
  await store.setMeta(LAST_HEADLINE, JSON.stringify(report.headline));
}

const DAY = 86_400_000;

/** The end of each of the last `n` days (today included), in the team's time zone. */
function lastDays(cal: Calendar, now: number, n: number): { date: string; end: string }[] {
  const today = cal.localDate(now);
  return Array.from({ length: n }, (_, i) => {
    const date = addDays(today, i - n + 1);
    return { date, end: new Date(Math.min(now, cal.endOf(date))).toISOString() };
  });
}

/** The follow-ups planned or sent in the window (from the outbox), for the report. */
async function followupItems(store: TaskStore, from: string, engine: Engine, nameOf: (recipient: string) => string): Promise<ReportFollowup[]> {
  return (await store.outbox.list({ since: from }))
    .filter((r) => r.status !== 'skipped')
    .map((r) => ({
      channel: r.connector,
      to: r.recipient !== null ? nameOf(r.recipient) : r.taskId ? engine.label(r.taskId) : '',
      what: r.kind === 'status_comment' ? 'status comment' : r.kind === 'direct_message' ? 'direct message' : r.kind === 'status_push' ? `status change${r.action.type === 'status_push' ? ` → ${r.action.status}` : ''}` : r.kind === 'requester_reply' ? 'email reply' : r.kind,
      taskId: r.taskId,
      state: r.status === 'sent' ? 'sent' : r.status === 'dead' ? 'dead' : 'planned',
    }));
}

/** Who a follow-up went to, as people read it: a person's name, a team's channel by the team's name. */
function recipientName(config: Config, engine: Engine): (recipient: string) => string {
  const people = new Set(config.people.map((p) => p.id));
  const channels = new Map(config.teams.filter((t) => t.channel).map((t) => [t.channel!.channel, `the ${t.name} channel`]));
  return (r) => (people.has(r) ? engine.nameOf(r) : (channels.get(r) ?? r));
}

/** The first instant of the last workday before today, in the team's timezone. */
export function previousWorkdayStart(cal: Calendar, now: number): string {
  let day = addDays(cal.localDate(now), -1);
  for (let i = 0; i < 31 && !cal.isWorkday(day); i++) day = addDays(day, -1);
  return new Date(cal.startOf(day)).toISOString();
}
