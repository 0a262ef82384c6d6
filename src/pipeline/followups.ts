/**
 * Evaluate and plan: evidence applied (verifications), the engine run over the store, and the
 * follow-ups planned from the result — flags and outbox rows written in one transaction. The shell
 * gathers everything the pure planner needs; the planner decides.
 */
import { humanDate } from '../core/calendar.js';
import type { Engine, Evaluation } from '../core/engine.js';
import type { FlagDiff } from '../core/flags.js';
import type { Identity } from '../core/identity.js';
import type { Task, TaskStatus } from '../core/model.js';
import { planFollowups, type PlannedAction, type PlannerInput } from '../core/planner.js';
import { verifierOf } from '../core/verifier.js';
import { loadAndEvaluate } from './evaluate.js';
import { recordForecasts } from './forecasts.js';
import type { Config, ConnectorConfig } from '../config/schema.js';
import type { LeaseFence } from '../store/leases.js';
import type { TaskStore } from '../store/store.js';

export interface FollowupDeps {
  readonly store: TaskStore;
  readonly engine: Engine;
  readonly config: Config;
  readonly identity: Identity;
  /** The daemon's evaluator lease: the evaluation's writes are fenced by it. */
  readonly lease?: LeaseFence;
}

export interface PlanResult {
  readonly evaluation: Evaluation;
  readonly diff: FlagDiff;
  readonly planned: number;
  readonly verified: number;
}

const DAY = 86_400_000;
export const seededKey = (connector: string) => `seeded:${connector}`;
export const capturedKey = (connector: string) => `captured:${connector}`;

/**
 * Connectors whose first complete capture is stored but not yet seeded. A full evaluation that starts
 * after the capture was marked sees all of it: the flags it opens describe what existed before
 * taskwire, and it records the seed at its own cycle time (so those flags are seeded, `<=`). Seeding
 * at the capture's time instead would make every flag of a backfill news whenever the evaluation runs
 * after it — on another replica, or behind a queue — and message people about old work.
 */
async function pendingSeeds(store: TaskStore, config: Config): Promise<string[]> {
  const out: string[] = [];
  for (const c of config.connectors) {
    if ((await store.getMeta(capturedKey(c.name))) !== null && (await store.getMeta(seededKey(c.name))) === null) out.push(c.name);
  }
  return out;
}

/**
 * Evaluates the store as of `now` — all of it, or (with `changed`) only what the changed tasks touch on
 * an engine loaded before — and plans follow-ups from the result.
 */
export async function evaluateAndPlan(deps: FollowupDeps, now: number, changed?: readonly string[]): Promise<PlanResult> {
  const { store, engine, config } = deps;
  const verified = await applyVerifications(store, now);
  const seeding = changed === undefined ? await pendingSeeds(store, config) : [];
  const cycle = new Date(now).toISOString();
  let evaluation: Evaluation;
  if (changed === undefined) {
    evaluation = await loadAndEvaluate(store, engine, now);
    // The day's forecasts, for calibrating the days after (once a day: the morning's, as a backtest asks).
    await recordForecasts(store, engine, now);
  } else {
    const fresh: Task[] = [];
    const removed: string[] = [];
    for (const id of changed) {
      const t = await store.getTask(id);
      if (t === null || t.deletedAt !== null) removed.push(id);
      else fresh.push(t);
    }
    evaluation = engine.apply(fresh, removed, now);
  }
  const scope = evaluation.scope === 'all' ? 'all' : new Set([...evaluation.scope, ...(changed ?? [])]);
  const input = await plannerInput(deps, now, evaluation.scope === 'all', new Map(seeding.map((c) => [c, cycle])));
  const { diff, planned } = await store.applyEvaluation(scope, evaluation.flags, cycle, {
    mode: config.followups.mode,
    cycle,
    ...(deps.lease ? { lease: deps.lease } : {}),
    // The planner sees every open flag (a message lists all of a person's tasks), not only the scope's.
    plan: (_diff, firstSeen) => planFollowups({ ...input, flags: engine.currentFlags(), firstSeen }),
  });
  for (const c of seeding) await store.setMeta(seededKey(c), cycle);
  return { evaluation, diff, planned, verified };
}

/**
 * What the planner would plan at `now` from the store as it is (or as it stood, for `plan --as-of`):
 * the whole world evaluated, nothing written — no flags stored, no outbox rows.
 */
export async function planAt(deps: FollowupDeps, now: number): Promise<{ evaluation: Evaluation; actions: readonly PlannedAction[] }> {
  const { store, engine } = deps;
  const evaluation = await loadAndEvaluate(store, engine, now);
  const input = await plannerInput(deps, now, true);
  const at = new Date(now).toISOString();
  const open = await store.flagsOpenAt(at);
  const actions = planFollowups({ ...input, flags: engine.currentFlags(), firstSeen: (taskId, code) => open.get(`${taskId}\u0000${code}`) ?? at });
  return { evaluation, actions };
}

/** Verification evidence (an approved PR, a "Mark verified" click) marks its done task verified. */
export async function applyVerifications(store: TaskStore, now: number): Promise<number> {
  let n = 0;
  for (const e of await store.listEvidence({ since: new Date(now - 30 * DAY).toISOString() })) {
    if (e.kind !== 'verified') continue;
    const id = await store.resolveRef(e.target);
    if (id && (await store.verifyTask(id, e.at, e.actorId, e.summary))) n++;
  }
  return n;
}

async function plannerInput(deps: FollowupDeps, now: number, fullScope: boolean, seedingNow: ReadonlyMap<string, string> = new Map()): Promise<Omit<PlannerInput, 'firstSeen'>> {
  const { store, engine, config, identity } = deps;
  const f = config.followups;
  // The tasks the engine holds (just loaded, or kept current by the changes it was given): the store
  // is not read a second time. Deleted tasks are not among them; the planner leaves those alone anyway.
  const tasks = new Map([...engine.tasks()].map((t) => [t.id, t]));
  const since = new Date(now - Math.max(f.cooldown, 14 * DAY)).toISOString();
  const [past, evidence, humanChanges, accounts] = await Promise.all([
    store.outbox.past(since),
    store.listEvidence({ since: new Date(now - 30 * DAY).toISOString() }),
    store.lastHumanStatusChanges(),
    store.listAccounts(),
  ]);
  const snoozedUntil = new Map<string, string>();
  const doneEvidence = new Map<string, { at: string; summary: string }>();
  for (const e of evidence) {
    const id = engine.resolve(e.target) ?? (await store.resolveRef(e.target));
    if (!id) continue;
    if (e.kind === 'snoozed' && e.until && e.until > (snoozedUntil.get(id) ?? '')) snoozedUntil.set(id, e.until);
    // "I'm on it": no more reminders about it for a cooldown.
    if (e.kind === 'acknowledged') {
      const until = new Date(Date.parse(e.at) + f.cooldown).toISOString();
      if (until > (snoozedUntil.get(id) ?? '')) snoozedUntil.set(id, until);
    }
    if (e.kind === 'done' && !doneEvidence.has(id)) doneEvidence.set(id, { at: e.at, summary: e.summary });
  }
  const seeds = new Map<string, string | null>();
  for (const c of config.connectors) seeds.set(c.name, seedingNow.get(c.name) ?? (await store.getMeta(seededKey(c.name))));
  const latestSeed = [...seeds.values()].reduce<string>((a, b) => (b !== null && b > a ? b : a), '');
  const dmConnector = f.directMessages?.connector ?? null;
  const dmKind = config.connectors.find((c) => c.name === dmConnector)?.type;
  const addressOf = (person: string): string | null => {
    if (!dmKind) return null;
    const listed = config.people.find((p) => p.id === person)?.accounts[dmKind]?.[0];
    if (listed) return listed;
    const found = accounts.find((a) => a.kind === dmKind && !a.isBot && identity.resolve(a).kind === 'person' && (identity.resolve(a) as { personId: string }).personId === person);
    return found?.id ?? null;
  };
  return {
    now,
    settings: {
      mode: f.mode,
      cooldown: f.cooldown,
      maxPerPersonPerDay: f.maxPerPersonPerDay,
      escalateAfter: f.escalateAfter,
      statusCommentsPerCycle: f.statusCommentsPerCycle,
      snoozeLabel: f.snoozeLabel,
      respectWorkingHours: f.respectWorkingHours,
      dmConnector,
    },
    calendar: { timezone: config.timezone, ...config.calendar },
    tasks,
    flags: [],
    risk: engine.riskResults(),
    people: new Map(config.people.map((p) => [p.id, { name: p.name, timezone: p.timezone ?? null }])),
    teams: config.teams.map((t) => ({ id: t.id, name: t.name, members: t.members, lead: t.lead ?? null, channel: t.channel ?? null })),
    addressOf,
    commentConnectors: new Set(config.connectors.filter(writesComments).map((c) => c.name)),
    pushable: new Map(config.connectors.map((c) => [c.name, pushableStatuses(c)])),
    labelPushes: new Set(config.connectors.filter((c) => c.type === 'github' && c.writes.labels).map((c) => c.name)),
    requesterReplies: new Map(config.connectors.flatMap((c) => (c.type === 'email' && c.enabled ? [[c.name, { acknowledge: c.writes.acknowledge, done: c.writes.statusReply }] as const] : []))),
    // A flag can depend on several tools (a Jira ticket blocked by a Notion row): whatever the latest
    // seed's evaluation found existed before taskwire, whichever tool its task is in.
    seededAt: (c) => (seeds.get(c) ? latestSeed : null),
    commented: await store.outbox.commentedTasks(),
    leftAlone: new Set((await store.outbox.statusComments()).filter((c) => c.leftAloneAt !== null).map((c) => c.taskId)),
    past,
    snoozedUntil,
    doneEvidence,
    lastHumanStatusChange: (id) => humanChanges.get(id) ?? null,
    exemptLabels: config.rules.exempt.labels,
    label: engine.label,
    nameOf: engine.nameOf,
    day: humanDate,
    verifierOf: verifierOf(identity, config.teams),
    related: (id) => engine.related(id),
    fullScope,
  };
}

function writesComments(c: ConnectorConfig): boolean {
  if (!c.enabled) return false;
  if (c.type === 'email') return false; // a mail cannot be edited in place: requesters get replies instead
  return c.type === 'slack' ? true : c.writes.statusComment;
}

function pushableStatuses(c: ConnectorConfig): ReadonlySet<TaskStatus> {
  if (c.type === 'github') {
    const project = c.writes.projectStatus ? (['todo', 'in_progress', 'blocked', 'in_review', 'done'] as const) : [];
    return new Set([...(c.writes.closeReopen ? (['done', 'cancelled', 'todo', 'in_progress'] as const) : []), ...project]);
  }
  if (c.type === 'jira') return new Set(Object.keys(c.writes.transitions ?? {}) as TaskStatus[]);
  if (c.type === 'notion') return new Set(c.writes.properties ? (['todo', 'in_progress', 'blocked', 'in_review', 'done', 'verified', 'cancelled'] as const) : []);
  return new Set();
}
