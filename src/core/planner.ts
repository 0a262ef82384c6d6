/**
 * The follow-up planner: from the tasks, their open flags and what was already sent, the comments,
 * messages and status changes that close the loop. Pure — `now` and everything else come in as data.
 *
 * What it plans (each with an idempotency key derived from its content, so planning again never
 * yields a second copy):
 * - one status comment per flagged ticket, edited as its state changes, all-clear when flags resolve;
 *   at most `statusCommentsPerCycle` tickets get their first comment per cycle (gradual roll-out);
 * - one direct message per person per run, listing their tasks that need attention (and the ones
 *   waiting on them to verify), with buttons where the channel has them;
 * - a triage post per team for ownerless and team-owned tasks;
 * - an escalation to the team lead after `escalateAfter` follow-ups with no change to the task;
 * - status pushes allowed by the connector (a merged pull request moves the task to done in its own
 *   tool) — never over a change a person made after taskwire's last write;
 * - replies to the person who asked (email, opt-in): one acknowledgement when a request is captured,
 *   one "done — does it work for you?" when the work is done; never to an automated sender.
 *
 * A person's edit wins: a task whose status comment a person edited or deleted gets no more of them.
 *
 * Etiquette: the first sync of a connector seeds silently (no messages about what already existed);
 * a cooldown per task, flag and channel; each recipient's working hours in their own time zone
 * (messages wait for the morning); a cap per person per day; snoozed and exempt tasks are left alone.
 */
import { Calendar, type WorkCalendar } from './calendar.js';
import { COMMENT_FLAGS, statusCommentBody } from './followup-text.js';
import { taskHeadline } from './labels.js';
import type { Flag, FlagCode, MessageItem, OutboundAction, Task, TaskStatus } from './model.js';
import { AUTOMATED_SENDER_LABEL, isClosed } from './model.js';
import type { RiskResult } from './risk.js';

export type FollowupKind = 'status_comment' | 'direct_message' | 'triage' | 'escalation' | 'status_push' | 'requester_reply' | 'report';

export interface PlannedAction {
  /** Stable for the same content: the outbox keeps one row per key. */
  readonly key: string;
  readonly connector: string;
  readonly kind: FollowupKind;
  readonly taskId: string | null;
  /** A person id (messages) or a channel. */
  readonly recipient: string | null;
  /** What a newer action replaces: the status comment of a task, the DM to a person, a team's triage. */
  readonly subject: string;
  readonly action: OutboundAction;
  readonly reason: string;
  /** Not before this instant (the recipient's working hours). */
  readonly notBefore: string | null;
  /** The (task, flag) pairs a message is about, for cooldowns. */
  readonly about: readonly { readonly taskId: string; readonly code: FlagCode }[];
}

/** What was planned or sent before, as the planner needs to know it. */
export interface PastFollowup {
  readonly kind: FollowupKind;
  readonly recipient: string | null;
  readonly taskId: string | null;
  readonly about: readonly { readonly taskId: string; readonly code: FlagCode }[];
  readonly at: string;
  readonly status: 'planned' | 'pending' | 'claimed' | 'sending' | 'sent' | 'dead' | 'skipped';
  /** For a status push: the status it replaced. */
  readonly pushedFrom?: string | null;
}

export interface FollowupSettings {
  readonly mode: 'plan' | 'send';
  readonly cooldown: number;
  readonly maxPerPersonPerDay: number;
  readonly escalateAfter: number;
  readonly statusCommentsPerCycle: number;
  readonly snoozeLabel: string;
  readonly respectWorkingHours: boolean;
  /** The connector that reaches people (Slack), if any. */
  readonly dmConnector: string | null;
}

export interface PlannerTeam {
  readonly id: string;
  readonly name: string;
  readonly members: readonly string[];
  readonly lead: string | null;
  readonly channel: { readonly connector: string; readonly channel: string } | null;
}

export interface PlannerInput {
  readonly now: number;
  readonly settings: FollowupSettings;
  readonly calendar: WorkCalendar;
  readonly tasks: ReadonlyMap<string, Task>;
  /** Every open flag after the evaluation. */
  readonly flags: readonly Flag[];
  /** When a flag was first seen (now, for one that just opened). */
  readonly firstSeen: (taskId: string, code: FlagCode) => string;
  readonly risk: ReadonlyMap<string, RiskResult>;
  readonly people: ReadonlyMap<string, { readonly name: string; readonly timezone: string | null }>;
  readonly teams: readonly PlannerTeam[];
  /** A person's account in the DM connector's tool, or null when they cannot be reached there. */
  readonly addressOf: (personId: string) => string | null;
  /** Connectors that write status comments (`writes.statusComment`). */
  readonly commentConnectors: ReadonlySet<string>;
  /** Per connector, the statuses it may push (e.g. Jira transitions configured, GitHub close/reopen). */
  readonly pushable: ReadonlyMap<string, ReadonlySet<TaskStatus>>;
  /** Connectors that show "blocked" with a label (GitHub with `writes.labels`). */
  readonly labelPushes: ReadonlySet<string>;
  /** Connectors that reply to requesters (email `writes.acknowledge` / `writes.statusReply`); absent: none. */
  readonly requesterReplies?: ReadonlyMap<string, { readonly acknowledge: boolean; readonly done: boolean }>;
  /** When each connector finished its first sync: what existed then is seeded silently. */
  readonly seededAt: (connector: string) => string | null;
  /** Tasks that had a status comment planned or sent before. */
  readonly commented: ReadonlySet<string>;
  /** Tasks whose status comment a person took over (edited, or deleted): taskwire leaves them alone. */
  readonly leftAlone: ReadonlySet<string>;
  readonly past: readonly PastFollowup[];
  /** Snoozes (from a Slack button): until when. */
  readonly snoozedUntil: ReadonlyMap<string, string>;
  /** Pull requests (or other evidence) saying a task's work is merged: its own tool should say done. */
  readonly doneEvidence: ReadonlyMap<string, { readonly at: string; readonly summary: string }>;
  /** The last time a person changed the task's status, and the last time taskwire wrote to it. */
  readonly lastHumanStatusChange: (taskId: string) => string | null;
  readonly exemptLabels: readonly string[];
  readonly label: (taskId: string) => string;
  readonly nameOf: (id: string) => string;
  readonly day: (date: string) => string;
  /** Who should verify a done task (person id). */
  readonly verifierOf: (t: Task) => string | null;
  /** Resolved dependencies and links of a task, for related links in comments. */
  readonly related: (taskId: string) => readonly string[];
  /** Whether an evaluation covered the world (false: only changed tasks were evaluated). */
  readonly fullScope: boolean;
}

/** Flags worth a direct message to the owner. */
const DM_FLAGS: ReadonlySet<FlagCode> = new Set<FlagCode>(['overdue', 'stale', 'blocked', 'deadline_at_risk', 'dependency_at_risk', 'no_due_date', 'missing_context', 'shared_owner']);
/** A flag worth a DM: of a DM kind, and not an early deadline warning kept at info (shown, not sent). */
const worthADm = (f: Flag) => DM_FLAGS.has(f.code) && !(f.code === 'deadline_at_risk' && f.severity === 'info');
const TRIAGE_FLAGS: ReadonlySet<FlagCode> = new Set<FlagCode>(['no_owner', 'team_owner']);
const DAY_MS = 86_400_000;

export function planFollowups(input: PlannerInput): PlannedAction[] {
  const out: PlannedAction[] = [];
  const byTask = new Map<string, Flag[]>();
  for (const f of input.flags) {
    const list = byTask.get(f.taskId);
    if (list) list.push(f);
    else byTask.set(f.taskId, [f]);
  }
  const teamCal = new Calendar(input.calendar);
  const nowIso = new Date(input.now).toISOString();
  const quiet = (t: Task) => input.exemptLabels.some((l) => t.labels.includes(l)) || t.labels.includes(input.settings.snoozeLabel) || (input.snoozedUntil.get(t.id) ?? '') > nowIso;
  const seeded = (t: Task, code: FlagCode) => {
    const seed = input.seededAt(t.connector);
    return seed === null || input.firstSeen(t.id, code) <= seed;
  };

  // 1. Status comments: state, not news — planned from the first cycle, new ones capped per cycle.
  let firsts = 0;
  const commentable = [...input.tasks.values()]
    .filter((t) => input.commentConnectors.has(t.connector) && t.deletedAt === null && (t.type !== 'pull_request' || byTask.has(t.id)))
    .sort((a, b) => severityRank(byTask.get(a.id)) - severityRank(byTask.get(b.id)) || a.id.localeCompare(b.id));
  for (const t of commentable) {
    if (input.leftAlone.has(t.id)) continue; // a person's edit wins
    if (!input.fullScope && !byTask.has(t.id) && !input.commented.has(t.id)) continue;
    const flags = (byTask.get(t.id) ?? []).filter((f) => COMMENT_FLAGS.has(f.code));
    const had = input.commented.has(t.id);
    if (flags.length === 0 && !had) continue; // nothing to say, and nothing said before
    if (!had && (quiet(t) || isClosed(t.status) && !flags.some((f) => f.code === 'done_unverified'))) continue;
    if (!had && firsts >= input.settings.statusCommentsPerCycle) continue;
    if (had && settling(input, t.id, flags)) continue;
    const verifier = input.verifierOf(t);
    const body = statusCommentBody(t, flags, {
      label: input.label,
      urlOf: (id) => input.tasks.get(id)?.url ?? null,
      nameOf: input.nameOf,
      day: input.day,
      verifier: verifier ? input.nameOf(verifier) : null,
      risk: input.risk.get(t.id),
      related: input.related(t.id),
    });
    if (!had) firsts++;
    out.push({
      // Keyed by what a reader cares about, not by the text: a forecast moving a few percent is no edit.
      key: `status:${t.id}:${hash(materialState(t, flags, input.risk.get(t.id)?.level))}`,
      connector: t.connector,
      kind: 'status_comment',
      taskId: t.id,
      recipient: null,
      subject: `status:${t.id}`,
      action: { type: 'status_comment', taskKey: t.key, marker: body.split('\n')[0]!, body },
      reason: flags.length === 0 ? 'flags resolved: all clear' : `${flags.length} open flag${flags.length === 1 ? '' : 's'}: ${flags.map((f) => f.code).join(', ')}`,
      notBefore: null,
      about: flags.map((f) => ({ taskId: t.id, code: f.code })),
    });
  }

  // 2. Direct messages: one per person per run — their tasks, and tasks waiting on them to verify.
  const dm = input.settings.dmConnector;
  if (dm !== null) {
    // A person is messaged when something is new for them; the message then says everything that
    // matters about those tasks, worst first, and ends with the done work waiting for them to verify.
    const perPerson = new Map<string, DmEntry[]>();
    const add = (person: string, e: DmEntry) => {
      const list = perPerson.get(person) ?? [];
      if (!list.some((x) => x.task.id === e.task.id && x.verify === e.verify)) list.push(e);
      perPerson.set(person, list);
    };
    const toVerify: { task: Task; flag: Flag; verifier: string; fresh: boolean }[] = [];
    for (const [taskId, flags] of byTask) {
      const t = input.tasks.get(taskId);
      if (!t || t.deletedAt !== null || quiet(t)) continue;
      const fresh = (f: Flag) => !seeded(t, f.code) && !cooling(input.past, t.id, f.code, input.now - input.settings.cooldown);
      const mine = flags.filter(worthADm).sort(byDmRank);
      const news = mine.filter(fresh);
      if (t.owner && news.length > 0) add(t.owner, { task: t, flags: mine, about: news, verify: false });
      const unverified = flags.find((f) => f.code === 'done_unverified');
      const verifier = unverified ? input.verifierOf(t) : null;
      if (unverified && verifier) toVerify.push({ task: t, flag: unverified, verifier, fresh: fresh(unverified) });
    }
    for (const v of toVerify) {
      if (v.fresh || perPerson.has(v.verifier)) add(v.verifier, { task: v.task, flags: [v.flag], about: v.fresh ? [v.flag] : [], verify: true });
    }
    for (const [person, entries] of [...perPerson].sort(([a], [b]) => a.localeCompare(b))) {
      const address = input.addressOf(person);
      if (address === null) continue;
      const sentToday = input.past.filter((p) => p.kind === 'direct_message' && p.recipient === person && p.status !== 'skipped' && p.status !== 'dead' && Date.parse(p.at) > input.now - DAY_MS).length;
      if (sentToday >= input.settings.maxPerPersonPerDay) continue;
      const name = input.people.get(person)?.name ?? person;
      entries.sort((a, b) => Number(a.verify) - Number(b.verify) || byDmRank(a.flags[0]!, b.flags[0]!) || severityRank(a.flags) - severityRank(b.flags) || a.task.id.localeCompare(b.task.id));
      const items: MessageItem[] = entries.map((e) => ({
        taskId: e.task.id,
        title: taskHeadline(e.task),
        url: e.task.url,
        lines: e.verify ? [`done and waiting for you to verify${e.task.acceptanceCriteria ? ` — acceptance criteria: ${oneLine(e.task.acceptanceCriteria)}` : ''}`] : e.flags.map((f) => f.reason),
        buttons: e.verify ? ['verify', 'snooze'] : ['ack', 'snooze'],
      }));
      const text = `Hi ${name.split(' ')[0]} — ${items.length === 1 ? 'one task needs' : `${items.length} tasks need`} your attention:\n${items.map((i) => `- ${i.url ? `[${i.title}](${i.url})` : i.title}: ${i.lines.join('; ')}`).join('\n')}`;
      const about = entries.flatMap((e) => e.about.map((f) => ({ taskId: e.task.id, code: f.code })));
      const key = `dm:${person}:${hash(about.map((a) => `${a.taskId}/${a.code}`).sort().join(','))}:${teamCal.localDate(input.now)}`;
      out.push({
        key,
        connector: dm,
        kind: 'direct_message',
        taskId: null,
        recipient: person,
        subject: `dm:${person}`,
        action: { type: 'direct_message', accountId: address, text, items, idempotencyKey: key },
        reason: `${items.length} task${items.length === 1 ? '' : 's'} for ${name}`,
        notBefore: notBefore(input, person),
        about,
      });
    }
  }

  // 3. Triage: ownerless and team-owned tasks to the team's channel.
  const triage = new Map<string, { team: PlannerTeam; tasks: { t: Task; f: Flag }[] }>();
  for (const [taskId, flags] of byTask) {
    const t = input.tasks.get(taskId);
    if (!t || t.deletedAt !== null || quiet(t)) continue;
    for (const f of flags) {
      if (!TRIAGE_FLAGS.has(f.code) || seeded(t, f.code) || cooling(input.past, t.id, f.code, input.now - input.settings.cooldown)) continue;
      const team = teamFor(input, t, f);
      if (!team?.channel) continue;
      const entry = triage.get(team.id) ?? { team, tasks: [] };
      entry.tasks.push({ t, f });
      triage.set(team.id, entry);
    }
  }
  for (const { team, tasks } of triage.values()) {
    const items: MessageItem[] = tasks.map(({ t, f }) => ({ taskId: t.id, title: taskHeadline(t), url: t.url, lines: [f.reason], buttons: [] }));
    const about = tasks.map(({ t, f }) => ({ taskId: t.id, code: f.code }));
    const text = `*Triage for ${team.name}* — ${items.length === 1 ? 'a task needs' : `${items.length} tasks need`} one owner:\n${items.map((i) => `- ${i.url ? `[${i.title}](${i.url})` : i.title}: ${i.lines.join('; ')}`).join('\n')}`;
    const key = `triage:${team.id}:${hash(about.map((a) => `${a.taskId}/${a.code}`).sort().join(','))}:${teamCal.localDate(input.now)}`;
    out.push({
      key,
      connector: team.channel!.connector,
      kind: 'triage',
      taskId: null,
      recipient: team.channel!.channel,
      subject: `triage:${team.id}`,
      action: { type: 'channel_post', channel: team.channel!.channel, text, items, idempotencyKey: key },
      reason: `${items.length} task${items.length === 1 ? '' : 's'} without one owner`,
      notBefore: input.settings.respectWorkingHours ? isoOrNull(teamCal.nextWorkingMoment(input.now), input.now) : null,
      about,
    });
  }

  // 4. Escalation: the owner was followed up `escalateAfter` times and nothing about the task changed.
  if (dm !== null) {
    for (const [taskId, flags] of byTask) {
      const t = input.tasks.get(taskId);
      if (!t || !t.owner || quiet(t)) continue;
      const lead = input.teams.find((tm) => tm.members.includes(t.owner!) && tm.lead && tm.lead !== t.owner)?.lead ?? null;
      if (!lead) continue;
      const nudges = input.past.filter((p) => p.kind === 'direct_message' && p.status === 'sent' && p.recipient === t.owner && p.at > t.updatedAt && p.about.some((a) => a.taskId === t.id));
      if (nudges.length < input.settings.escalateAfter) continue;
      if (input.past.some((p) => p.kind === 'escalation' && p.taskId === t.id && p.at > t.updatedAt)) continue;
      const address = input.addressOf(lead);
      if (address === null) continue;
      const open = flags.filter(worthADm);
      if (open.length === 0) continue;
      const text = `${input.nameOf(t.owner)} was reminded ${nudges.length} times about ${taskHeadline(t)} and nothing has changed since ${input.day(t.updatedAt.slice(0, 10))}: ${open.map((f) => f.reason).join('; ')}.`;
      const key = `escalate:${t.id}:${t.updatedAt}`;
      out.push({
        key,
        connector: dm,
        kind: 'escalation',
        taskId: t.id,
        recipient: lead,
        subject: `escalate:${t.id}`,
        action: { type: 'direct_message', accountId: address, text, items: [{ taskId: t.id, title: taskHeadline(t), url: t.url, lines: open.map((f) => f.reason), buttons: ['snooze'] }], idempotencyKey: key },
        reason: `${nudges.length} follow-ups with no change`,
        notBefore: notBefore(input, lead),
        about: open.map((f) => ({ taskId: t.id, code: f.code })),
      });
    }
  }

  // 5. Status pushes: merged work → done in the task's own tool, unless a person moved it since.
  for (const [taskId, ev] of input.doneEvidence) {
    const t = input.tasks.get(taskId);
    if (!t || t.deletedAt !== null || isClosed(t.status)) continue;
    if (!input.pushable.get(t.connector)?.has('done')) continue;
    const human = input.lastHumanStatusChange(t.id);
    if (human !== null && human > ev.at) continue; // a person's later edit wins
    out.push({
      key: `push:${t.id}:done:${ev.at}`,
      connector: t.connector,
      kind: 'status_push',
      taskId: t.id,
      recipient: null,
      subject: `push:${t.id}`,
      action: { type: 'status_push', taskKey: t.key, status: 'done' },
      reason: `${ev.summary}: moves ${input.label(t.id)} to done (awaiting verification)`,
      notBefore: null,
      about: [],
    });
  }

  // 6. While a task is blocked by open work, its own tool says so (opt-in): a GitHub label or a Jira
  //    transition; when the blocker clears, that is undone. Never over a person's later status change.
  for (const t of input.tasks.values()) {
    if (t.deletedAt !== null || isClosed(t.status)) continue;
    const can = input.pushable.get(t.connector);
    const viaLabel = input.labelPushes.has(t.connector);
    if (!viaLabel && !can?.has('blocked')) continue;
    // Only open dependencies count: a task that is blocked because taskwire marked it so is not "blocked by work".
    const blocked = (byTask.get(t.id) ?? []).find((f) => f.code === 'blocked' && Array.isArray((f.evidence as { blockers?: unknown }).blockers));
    const lastPush = input.past.filter((p) => p.kind === 'status_push' && p.taskId === t.id && p.status !== 'skipped' && p.status !== 'dead').sort((a, b) => a.at.localeCompare(b.at)).at(-1);
    const pushedBlocked = lastPush?.about.some((a) => a.code === 'blocked') ?? false;
    const human = input.lastHumanStatusChange(t.id);
    if (lastPush && human !== null && human > lastPush.at) continue; // a person took over the status
    if (blocked && !pushedBlocked && t.status !== 'blocked') {
      const since = input.firstSeen(t.id, 'blocked');
      out.push({
        key: `push:${t.id}:blocked:${since}`,
        connector: t.connector,
        kind: 'status_push',
        taskId: t.id,
        recipient: null,
        subject: `push:${t.id}`,
        action: viaLabel ? { type: 'label', taskKey: t.key, add: ['blocked'], remove: [] } : { type: 'status_push', taskKey: t.key, status: 'blocked', from: t.status },
        reason: blocked.reason,
        notBefore: null,
        about: [{ taskId: t.id, code: 'blocked' }],
      });
    } else if (!blocked && pushedBlocked) {
      // Back to where it was before taskwire marked it blocked (else in progress), as far as the tool allows.
      const before = lastPush?.pushedFrom && lastPush.pushedFrom !== 'blocked' ? (lastPush.pushedFrom as TaskStatus) : 'in_progress';
      const restore = can?.has(before) ? before : can?.has('in_progress') ? 'in_progress' : null;
      if (!viaLabel && (restore === null || t.status !== 'blocked')) continue;
      out.push({
        key: `push:${t.id}:unblocked:${lastPush!.at}`,
        connector: t.connector,
        kind: 'status_push',
        taskId: t.id,
        recipient: null,
        subject: `push:${t.id}`,
        action: viaLabel ? { type: 'label', taskKey: t.key, add: [], remove: ['blocked'] } : { type: 'status_push', taskKey: t.key, status: restore!, from: 'blocked' },
        reason: viaLabel ? 'no longer blocked' : `no longer blocked: back to ${restore}`,
        notBefore: null,
        about: [],
      });
    }
  }
  out.push(...requesterReplies(input));
  return out;
}

/**
 * 7. Replies to the person who asked: once when the request is captured, once when it is done. Keyed
 * by task and stage only, so a task reopened and done again gets no second "done"; what existed when
 * the connector first synced gets none.
 */
function requesterReplies(input: PlannerInput): PlannedAction[] {
  const out: PlannedAction[] = [];
  for (const t of input.tasks.values()) {
    const r = input.requesterReplies?.get(t.connector);
    const seed = input.seededAt(t.connector);
    if (!r || t.deletedAt !== null || t.reporter === null || t.labels.includes(AUTOMATED_SENDER_LABEL) || seed === null || t.firstSeenAt <= seed) continue;
    const hello = `Hello ${(t.reporter.name ?? '').split(' ')[0] || 'there'},`;
    const owner = t.owner !== null ? input.nameOf(t.owner) : null;
    const stages: ['ack' | 'done', string, string][] = [];
    if (r.acknowledge && !isClosed(t.status)) {
      const who = owner !== null ? ` ${owner} is looking after it` : ' it is with the team';
      const due = t.due !== null ? `, due ${input.day(t.due)}` : '';
      stages.push(['ack', `${hello}\n\nWe have your request "${t.title}":${who}${due}. We will write again when it is done.`, 'request captured: acknowledged']);
    }
    if (r.done && t.status === 'done') {
      stages.push(['done', `${hello}\n\n"${t.title}" is done${owner !== null ? ` (${owner})` : ''}. Could you check that it works for you? A reply saying it works closes it; anything else reopens it.`, 'work done: the requester is asked to confirm']);
    }
    for (const [stage, body, reason] of stages) {
      out.push({
        key: `reply:${t.id}:${stage}`,
        connector: t.connector,
        kind: 'requester_reply',
        taskId: t.id,
        recipient: t.reporter.id,
        subject: `reply:${t.id}:${stage}`,
        action: { type: 'requester_reply', taskKey: t.key, stage, body },
        reason,
        notBefore: null,
        about: [],
      });
    }
  }
  return out;
}

function cooling(past: readonly PastFollowup[], taskId: string, code: FlagCode, since: number): boolean {
  return past.some((p) => (p.kind === 'direct_message' || p.kind === 'triage') && p.status !== 'skipped' && p.status !== 'dead' && Date.parse(p.at) > since && p.about.some((a) => a.taskId === taskId && a.code === code));
}

function teamFor(input: PlannerInput, t: Task, f: Flag): PlannerTeam | undefined {
  const named = (f.evidence as { teams?: unknown }).teams;
  if (Array.isArray(named)) {
    const hit = input.teams.find((tm) => named.includes(tm.id));
    if (hit) return hit;
  }
  const reporter = t.reporter ? [...input.people.keys()].find((p) => p === t.reporter!.id) : undefined;
  return input.teams.find((tm) => reporter !== undefined && tm.members.includes(reporter)) ?? input.teams.find((tm) => tm.channel !== null);
}

/** The recipient's next working moment in their own time zone (now, during working hours). */
function notBefore(input: PlannerInput, person: string): string | null {
  if (!input.settings.respectWorkingHours) return null;
  const tz = input.people.get(person)?.timezone ?? input.calendar.timezone;
  const cal = new Calendar({ ...input.calendar, timezone: tz });
  return isoOrNull(cal.nextWorkingMoment(input.now), input.now);
}

const isoOrNull = (ms: number, now: number) => (ms > now ? new Date(ms).toISOString() : null);

/** What makes a status comment worth editing: its flags, owner, due date, status and risk level. */
function materialState(t: Task, flags: readonly Flag[], riskLevel: string | undefined): string {
  return JSON.stringify([flags.map((f) => f.code).sort(), t.owner, t.due, t.status, flags.some((f) => f.code === 'deadline_at_risk') ? (riskLevel ?? null) : null]);
}

/** A comment changed within this long is not edited for a forecast that eased: no flip-flop. */
export const COMMENT_SETTLE_MS = 60 * 60_000;
/** Flags that come from a forecast rather than a fact a person changed: they can waver. */
const FORECAST_FLAGS: ReadonlySet<FlagCode> = new Set<FlagCode>(['deadline_at_risk', 'dependency_at_risk', 'due_soon']);

/**
 * A forecast that eases waits for the comment to settle: when the last comment on the task was planned
 * less than COMMENT_SETTLE_MS ago and the only change is forecast flags dropping, nothing is planned
 * this time — a risk that dips under its threshold and back within minutes edits nothing. A fact a
 * person changed (an owner assigned, a blocker closed) and any new flag go out at once.
 */
function settling(input: PlannerInput, taskId: string, flags: readonly Flag[]): boolean {
  const last = input.past
    .filter((p) => p.kind === 'status_comment' && p.taskId === taskId && p.status !== 'skipped' && p.status !== 'dead')
    .reduce<PastFollowup | null>((a, p) => (a === null || p.at > a.at ? p : a), null);
  if (last === null || Date.parse(last.at) <= input.now - COMMENT_SETTLE_MS) return false;
  const now = new Set(flags.map((f) => f.code));
  const before = new Set(last.about.map((a) => a.code));
  const dropped = [...before].filter((c) => !now.has(c));
  return [...now].every((c) => before.has(c)) && dropped.length > 0 && dropped.every((c) => FORECAST_FLAGS.has(c));
}

interface DmEntry {
  readonly task: Task;
  /** What the message says about the task, worst first. */
  readonly flags: readonly Flag[];
  /** What is new in it: the cooldown and the message's key. */
  readonly about: readonly Flag[];
  readonly verify: boolean;
}

/** Worst first in a message: late, stuck, at risk, then quiet and missing details. */
const DM_ORDER: readonly FlagCode[] = ['overdue', 'blocked', 'deadline_at_risk', 'dependency_at_risk', 'stale', 'shared_owner', 'no_due_date', 'missing_context', 'done_unverified'];
const byDmRank = (a: Flag, b: Flag) => DM_ORDER.indexOf(a.code) - DM_ORDER.indexOf(b.code);

function severityRank(flags: readonly Flag[] | undefined): number {
  if (!flags || flags.length === 0) return 3;
  return Math.min(...flags.map((f) => (f.severity === 'critical' ? 0 : f.severity === 'warning' ? 1 : 2)));
}

const oneLine = (s: string) => (s.length > 200 ? `${s.slice(0, 199)}…` : s).replace(/\s*\n\s*/g, ' ');

/** A short, stable content hash (FNV-1a, 32-bit, base 36): enough to tell one content from another. */
export function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}
