import { describe, expect, it } from 'vitest';
import { humanDate } from '../../src/core/calendar.js';
import type { Flag, FlagCode, Task } from '../../src/core/model.js';
import { planFollowups, type PastFollowup, type PlannerInput } from '../../src/core/planner.js';
import { task } from '../support/tasks.js';

// Tuesday 24 Nov 2026, 10:00 in Berlin.
const NOW = Date.parse('2026-11-24T09:00:00Z');
const SEED = '2026-11-01T00:00:00.000Z';

function flag(taskId: string, code: FlagCode, severity: Flag['severity'] = 'warning'): Flag {
  return { taskId, code, severity, reason: `${code.replace(/_/g, ' ')} reason`, evidence: {} };
}

function input(tasks: Task[], flags: Flag[], over: Partial<PlannerInput> = {}): PlannerInput {
  return {
    now: NOW,
    settings: { mode: 'send', cooldown: 86_400_000, maxPerPersonPerDay: 5, escalateAfter: 3, statusCommentsPerCycle: 25, snoozeLabel: 'taskwire:snooze', respectWorkingHours: true, dmConnector: 'slack-acme' },
    calendar: { timezone: 'Europe/Berlin', workdays: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: { start: '09:00', end: '17:00' }, holidays: [] },
    tasks: new Map(tasks.map((t) => [t.id, t])),
    flags,
    firstSeen: () => '2026-11-24T08:00:00.000Z',
    risk: new Map(),
    people: new Map([
      ['alex', { name: 'Alex Kim', timezone: null }],
      ['sam', { name: 'Sam Rivera', timezone: 'America/New_York' }],
      ['priya', { name: 'Priya Nair', timezone: null }],
    ]),
    teams: [{ id: 'platform', name: 'Platform', members: ['alex', 'sam', 'priya'], lead: 'priya', channel: { connector: 'slack-acme', channel: 'C0PLATFORM' } }],
    addressOf: (p) => ({ alex: 'U0ALEX', sam: 'U0SAM', priya: 'U0PRIYA' })[p] ?? null,
    commentConnectors: new Set(['github-acme', 'jira-acme']),
    pushable: new Map([['jira-acme', new Set(['done' as const, 'blocked' as const, 'in_progress' as const, 'todo' as const])]]),
    labelPushes: new Set(['github-acme']),
    seededAt: () => SEED,
    commented: new Set(),
    leftAlone: new Set(),
    past: [],
    snoozedUntil: new Map(),
    doneEvidence: new Map(),
    lastHumanStatusChange: () => null,
    exemptLabels: ['no-followup'],
    label: (id) => id,
    nameOf: (id) => ({ alex: 'Alex Kim', sam: 'Sam Rivera', priya: 'Priya Nair' })[id] ?? id,
    day: humanDate,
    verifierOf: (t) => (t.reporter?.id === 'priya-gh' ? 'priya' : null),
    related: () => [],
    fullScope: true,
    ...over,
  };
}

const overdue = task({ key: 'acme/infra#1', title: 'Open firewall rule', owner: 'alex', due: '2026-11-20' });
const stale = task({ key: 'acme/infra#2', title: 'Rotate certs', owner: 'alex', status: 'in_progress' });
const ownerless = task({ key: 'acme/infra#3', title: 'Fix the API issue' });
const kinds = (plan: ReturnType<typeof planFollowups>) => plan.map((a) => `${a.kind}:${a.recipient ?? a.taskId}`);

describe('the follow-up planner', () => {
  it('plans a status comment per flagged ticket, one DM per person, a triage post — each with a content key', () => {
    const plan = planFollowups(input([overdue, stale, ownerless], [flag(overdue.id, 'overdue', 'critical'), flag(stale.id, 'stale'), flag(ownerless.id, 'no_owner')]));
    expect(kinds(plan)).toEqual([`status_comment:${overdue.id}`, `status_comment:${stale.id}`, `status_comment:${ownerless.id}`, 'direct_message:alex', 'triage:C0PLATFORM']);
    const dm = plan.find((a) => a.kind === 'direct_message')!;
    expect(dm.action).toMatchObject({ type: 'direct_message', accountId: 'U0ALEX' });
    expect(dm.action.type === 'direct_message' && dm.action.items?.map((i) => i.taskId)).toEqual([overdue.id, stale.id]);
    expect(dm.about).toEqual([{ taskId: overdue.id, code: 'overdue' }, { taskId: stale.id, code: 'stale' }]);
    // Planning the same state again gives the same keys: the outbox keeps one copy.
    expect(planFollowups(input([overdue, stale, ownerless], [flag(overdue.id, 'overdue', 'critical'), flag(stale.id, 'stale'), flag(ownerless.id, 'no_owner')])).map((a) => a.key)).toEqual(plan.map((a) => a.key));
  });

  it('shows an early deadline warning (info) on the ticket but sends no DM for it; a confident one (warning) is sent', () => {
    const due = task({ key: 'acme/infra#4', title: 'Renew the signing key', owner: 'alex', due: '2026-12-04' });
    const early = planFollowups(input([due], [flag(due.id, 'deadline_at_risk', 'info')]));
    expect(kinds(early)).toEqual([`status_comment:${due.id}`]);
    const confident = planFollowups(input([due], [flag(due.id, 'deadline_at_risk', 'warning')]));
    expect(kinds(confident)).toEqual([`status_comment:${due.id}`, 'direct_message:alex']);
  });

  it("plans no status comment on a ticket whose comment a person took over (a person's edit wins)", () => {
    const plan = planFollowups(input([overdue], [flag(overdue.id, 'overdue')], { commented: new Set([overdue.id]), leftAlone: new Set([overdue.id]) }));
    expect(plan.filter((a) => a.kind === 'status_comment')).toEqual([]);
  });

  it('writes an all-clear once the flags of a commented ticket resolve', () => {
    const plan = planFollowups(input([overdue], [], { commented: new Set([overdue.id]) }));
    expect(plan).toHaveLength(1);
    expect(plan[0]!.action.type === 'status_comment' && plan[0]!.action.body).toMatch(/all clear/);
  });

  it('seeds silently: no messages about flags that existed at the first sync, but status comments still roll out', () => {
    const plan = planFollowups(input([overdue, ownerless], [flag(overdue.id, 'overdue'), flag(ownerless.id, 'no_owner')], { seededAt: () => '2026-11-24T08:00:00.000Z' }));
    expect(kinds(plan)).toEqual([`status_comment:${overdue.id}`, `status_comment:${ownerless.id}`]);
  });

  it('caps first status comments per cycle (gradual roll-out); tickets commented before are always kept current', () => {
    const many = Array.from({ length: 5 }, (_, i) => task({ key: `acme/infra#${10 + i}`, owner: 'alex' }));
    const plan = planFollowups(input(many, many.map((t) => flag(t.id, 'no_due_date')), { settings: { ...input([], []).settings, statusCommentsPerCycle: 2, dmConnector: null }, commented: new Set([many[4]!.id]) }));
    expect(plan.map((a) => a.taskId)).toEqual([many[0]!.id, many[1]!.id, many[4]!.id]);
  });

  it('keeps a cooldown per task and flag: a DM sent recently is not repeated; a new flag still goes out', () => {
    const past: PastFollowup[] = [{ kind: 'direct_message', recipient: 'alex', taskId: null, about: [{ taskId: overdue.id, code: 'overdue' }], at: '2026-11-24T07:00:00.000Z', status: 'sent' }];
    const plan = planFollowups(input([overdue, stale], [flag(overdue.id, 'overdue'), flag(stale.id, 'stale')], { past }));
    const dm = plan.find((a) => a.kind === 'direct_message')!;
    expect(dm.about).toEqual([{ taskId: stale.id, code: 'stale' }]);
    const later = planFollowups(input([overdue], [flag(overdue.id, 'overdue')], { past, now: NOW + 2 * 86_400_000 }));
    expect(later.some((a) => a.kind === 'direct_message')).toBe(true);
  });

  it('a message leads with the worst thing about a task, not only what is new, and ends with the done work to verify', () => {
    const late = task({ key: 'acme/infra#5', title: 'Renew the VPN certificate', owner: 'priya', due: '2026-11-20' });
    const done = task({ key: 'acme/infra#6', title: 'Move the backups', owner: 'alex', status: 'done', reporter: { kind: 'github', id: 'priya-gh' } });
    // Priya was told about the overdue task and the done work this morning; now it has gone quiet too.
    const past: PastFollowup[] = [{ kind: 'direct_message', recipient: 'priya', taskId: null, about: [{ taskId: late.id, code: 'overdue' }, { taskId: done.id, code: 'done_unverified' }], at: '2026-11-24T07:00:00.000Z', status: 'sent' }];
    const plan = planFollowups(input([late, done], [flag(late.id, 'stale'), flag(late.id, 'overdue'), flag(done.id, 'done_unverified')], { past }));
    const dm = plan.find((a) => a.kind === 'direct_message' && a.recipient === 'priya')!;
    expect(dm.action.type === 'direct_message' && dm.action.items?.map((i) => [i.taskId, i.lines])).toEqual([
      [late.id, ['overdue reason', 'stale reason']],
      [done.id, ['done and waiting for you to verify']],
    ]);
    expect(dm.about).toEqual([{ taskId: late.id, code: 'stale' }]);
    // Nothing new: no message, however much is still open.
    expect(planFollowups(input([late, done], [flag(late.id, 'overdue'), flag(done.id, 'done_unverified')], { past })).some((a) => a.kind === 'direct_message')).toBe(false);
  });

  it('edits a status comment only on a material change: a forecast moving a few percent is the same comment', () => {
    const t = task({ key: 'acme/infra#7', title: 'Cut over DNS', owner: 'alex', due: '2026-11-27' });
    const risk = (pMiss: number) => new Map([[t.id, { taskId: t.id, level: 'high', pMiss, expectedFinish: '2026-11-30', finishMs: null, reasons: [`${Math.round(pMiss * 100)}% likely late`], inputs: {} }]]) as unknown as PlannerInput['risk'];
    const comment = (pMiss: number, level = 'high') => {
      const r = risk(pMiss);
      (r.get(t.id) as { level: string }).level = level;
      return planFollowups(input([t], [flag(t.id, 'deadline_at_risk')], { risk: r, commented: new Set([t.id]) })).find((a) => a.kind === 'status_comment')!;
    };
    expect(comment(0.61).key).toBe(comment(0.66).key);
    expect(comment(0.61).key).not.toBe(comment(0.3, 'medium').key);
  });

  it('does not flip a status comment back and forth while a forecast wavers, and says a fact a person changed at once', () => {
    const t = task({ key: 'acme/infra#8', title: 'Cut over DNS', owner: 'alex', due: '2026-11-27' });
    const past: PastFollowup[] = [{ kind: 'status_comment', recipient: null, taskId: t.id, about: [{ taskId: t.id, code: 'deadline_at_risk' }, { taskId: t.id, code: 'no_priority' }], at: new Date(NOW - 10 * 60_000).toISOString(), status: 'sent' }];
    const comments = (flags: Flag[], now = NOW) => planFollowups(input([t], flags, { past, now, commented: new Set([t.id]) })).filter((a) => a.kind === 'status_comment');
    // Ten minutes after the comment, the risk dips under its threshold: no edit yet.
    expect(comments([flag(t.id, 'no_priority')])).toEqual([]);
    // An hour later it still holds: now the comment says so.
    expect(comments([flag(t.id, 'no_priority')], NOW + 60 * 60_000)).toHaveLength(1);
    // A priority set by a person is said at once, as is anything new.
    expect(comments([flag(t.id, 'deadline_at_risk')])).toHaveLength(1);
    expect(comments([flag(t.id, 'deadline_at_risk'), flag(t.id, 'no_priority'), flag(t.id, 'blocked')])).toHaveLength(1);
  });

  it("waits for the recipient's working hours, in their own time zone", () => {
    const samTask = task({ key: 'acme/infra#4', owner: 'sam', due: '2026-11-20' });
    const plan = planFollowups(input([samTask, overdue], [flag(samTask.id, 'overdue'), flag(overdue.id, 'overdue')]));
    // 09:00 UTC is 10:00 in Berlin (now) but 04:00 in New York (Sam waits until 09:00 there = 14:00 UTC).
    expect(plan.find((a) => a.recipient === 'alex')!.notBefore).toBeNull();
    expect(plan.find((a) => a.recipient === 'sam')!.notBefore).toBe('2026-11-24T14:00:00.000Z');
    // On a Saturday, Berlin waits for Monday 09:00.
    const saturday = planFollowups(input([overdue], [flag(overdue.id, 'overdue')], { now: Date.parse('2026-11-28T12:00:00Z') }));
    expect(saturday.find((a) => a.kind === 'direct_message')!.notBefore).toBe('2026-11-30T08:00:00.000Z');
  });

  it('caps messages per person per day', () => {
    const past: PastFollowup[] = Array.from({ length: 5 }, (_, i) => ({ kind: 'direct_message', recipient: 'alex', taskId: null, about: [{ taskId: `x${i}`, code: 'stale' }], at: '2026-11-24T06:00:00.000Z', status: 'sent' }));
    expect(planFollowups(input([overdue], [flag(overdue.id, 'overdue')], { past })).some((a) => a.kind === 'direct_message')).toBe(false);
  });

  it('leaves snoozed and exempt tasks alone', () => {
    const labelled = task({ key: 'acme/infra#5', owner: 'alex', due: '2026-11-20', labels: ['no-followup'] });
    const snoozeLabel = task({ key: 'acme/infra#6', owner: 'alex', due: '2026-11-20', labels: ['taskwire:snooze'] });
    const plan = planFollowups(input([overdue, labelled, snoozeLabel], [flag(overdue.id, 'overdue'), flag(labelled.id, 'overdue'), flag(snoozeLabel.id, 'overdue')], { snoozedUntil: new Map([[overdue.id, '2026-11-25T09:00:00.000Z']]) }));
    expect(plan.filter((a) => a.kind === 'direct_message')).toEqual([]);
  });

  it('escalates to the team lead after the configured number of follow-ups with no change, once', () => {
    const past: PastFollowup[] = [1, 2, 3].map((d) => ({ kind: 'direct_message', recipient: 'alex', taskId: null, about: [{ taskId: overdue.id, code: 'overdue' }], at: `2026-11-2${d}T09:00:00.000Z`, status: 'sent' }));
    const t = { ...overdue, updatedAt: '2026-11-20T09:00:00.000Z' };
    const plan = planFollowups(input([t], [flag(t.id, 'overdue')], { past }));
    const esc = plan.find((a) => a.kind === 'escalation');
    expect(esc).toMatchObject({ recipient: 'priya', taskId: t.id });
    expect(esc!.action.type === 'direct_message' && esc!.action.text).toMatch(/Alex Kim was reminded 3 times/);
    const again = planFollowups(input([t], [flag(t.id, 'overdue')], { past: [...past, { kind: 'escalation', recipient: 'priya', taskId: t.id, about: [], at: '2026-11-24T08:00:00.000Z', status: 'sent' }] }));
    expect(again.some((a) => a.kind === 'escalation')).toBe(false);
  });

  it('asks the requester to verify done work, quoting the acceptance criteria', () => {
    const done = task({ key: 'acme/infra#7', owner: 'alex', status: 'done', reporter: { kind: 'github', id: 'priya-gh' }, acceptanceCriteria: 'health checks green in staging' });
    const plan = planFollowups(input([done], [flag(done.id, 'done_unverified')]));
    const dm = plan.find((a) => a.kind === 'direct_message')!;
    expect(dm.recipient).toBe('priya');
    expect(dm.action.type === 'direct_message' && dm.action.items?.[0]).toMatchObject({ buttons: ['verify', 'snooze'], lines: ['done and waiting for you to verify — acceptance criteria: health checks green in staging'] });
  });

  it("pushes done when a linked PR merged — unless a person changed the status after that", () => {
    const jira = task({ key: 'OPS-14', connector: 'jira-acme', kind: 'jira', status: 'in_progress', owner: 'alex' });
    const ev = new Map([[jira.id, { at: '2026-11-22T15:00:00.000Z', summary: 'PR acme/infra#45 merged by samr' }]]);
    const plan = planFollowups(input([jira], [], { doneEvidence: ev }));
    expect(plan.find((a) => a.kind === 'status_push')?.action).toEqual({ type: 'status_push', taskKey: 'OPS-14', status: 'done' });
    const human = planFollowups(input([jira], [], { doneEvidence: ev, lastHumanStatusChange: () => '2026-11-23T10:00:00.000Z' }));
    expect(human.some((a) => a.kind === 'status_push')).toBe(false);
  });
});

describe('blocked, shown in the tool', () => {
  const byDeps = (taskId: string): Flag => ({ ...flag(taskId, 'blocked'), evidence: { blockers: ['jira-acme:OPS-1'] } });
  const noDm = () => ({ settings: { ...input([], []).settings, dmConnector: null }, commentConnectors: new Set<string>() });

  it('labels a blocked GitHub issue and transitions a blocked Jira ticket; undone when the blocker clears, back to the status it had; a person\'s edit wins', () => {
    const gh = task({ key: 'acme/infra#8', owner: 'alex', status: 'in_progress' });
    const jira = task({ key: 'OPS-9', connector: 'jira-acme', kind: 'jira', owner: 'alex', status: 'todo' });
    const on = planFollowups(input([gh, jira], [byDeps(gh.id), byDeps(jira.id)], noDm()));
    expect(on.map((a) => a.action)).toEqual([
      { type: 'label', taskKey: 'acme/infra#8', add: ['blocked'], remove: [] },
      { type: 'status_push', taskKey: 'OPS-9', status: 'blocked', from: 'todo' },
    ]);
    const past: PastFollowup[] = on.map((a) => ({ kind: 'status_push', recipient: null, taskId: a.taskId, about: a.about, at: '2026-11-24T08:30:00.000Z', status: 'sent', pushedFrom: a.action.type === 'status_push' ? (a.action.from ?? null) : null }));
    // Now the Jira ticket is Blocked because taskwire said so: that alone does not keep it blocked.
    const jiraBlocked = { ...jira, status: 'blocked' as const };
    const marked = { ...flag(jira.id, 'blocked'), evidence: { unresolved: [] } };
    const off = planFollowups(input([gh, jiraBlocked], [marked], { past, ...noDm() }));
    expect(off.map((a) => a.action)).toEqual([
      { type: 'label', taskKey: 'acme/infra#8', add: [], remove: ['blocked'] },
      { type: 'status_push', taskKey: 'OPS-9', status: 'todo', from: 'blocked' },
    ]);
    const human = planFollowups(input([gh, jiraBlocked], [], { past, lastHumanStatusChange: () => '2026-11-24T08:45:00.000Z', ...noDm() }));
    expect(human).toEqual([]);
  });

  it('does not mark blocked what is only marked blocked (no open dependency), and leaves a status a person already changed', () => {
    const jira = task({ key: 'OPS-9', connector: 'jira-acme', kind: 'jira', owner: 'alex', status: 'in_progress' });
    expect(planFollowups(input([jira], [{ ...flag(jira.id, 'blocked'), evidence: { unresolved: ['vendor'] } }], noDm()))).toEqual([]);
    const past: PastFollowup[] = [{ kind: 'status_push', recipient: null, taskId: jira.id, about: [{ taskId: jira.id, code: 'blocked' }], at: '2026-11-24T08:30:00.000Z', status: 'sent', pushedFrom: 'todo' }];
    // Someone already moved it on from Blocked: nothing to undo.
    expect(planFollowups(input([jira], [], { past, ...noDm() }))).toEqual([]);
  });
});

describe('replies to requesters (email)', () => {
  const clara = { kind: 'email' as const, id: 'clara@client.test', email: 'clara@client.test', name: 'Clara Client' };
  const mailTask = (over: Partial<Task> & { key: string }) => task({ connector: 'support', kind: 'email', type: 'message', reporter: clara, firstSeenAt: '2026-11-24T08:00:00.000Z', ...over });
  const replies = new Map([['support', { acknowledge: true, done: true }]]);
  const plannedReplies = (tasks: Task[], over: Partial<PlannerInput> = {}) => planFollowups(input(tasks, [], { requesterReplies: replies, ...over })).filter((a) => a.kind === 'requester_reply');

  it('one acknowledgement for a request captured after the first sync, one "done" reply; keyed by task and stage only', () => {
    const open = mailTask({ key: 'a@client.test', title: 'Move the DNS cutover', owner: 'alex', due: '2026-12-01' });
    const done = mailTask({ key: 'b@client.test', title: 'Renew the cert', status: 'done', owner: 'alex' });
    const plan = plannedReplies([open, done]);
    expect(plan.map((a) => a.key)).toEqual(['reply:support:a@client.test:ack', 'reply:support:b@client.test:done']);
    expect(plan[0]!.action).toMatchObject({ type: 'requester_reply', taskKey: 'a@client.test', stage: 'ack' });
    expect((plan[0]!.action as { body: string }).body).toBe('Hello Clara,\n\nWe have your request "Move the DNS cutover": Alex Kim is looking after it, due Tue 1 Dec. We will write again when it is done.');
    expect((plan[1]!.action as { body: string }).body).toContain('"Renew the cert" is done (Alex Kim). Could you check that it works for you?');
    // Planned again later: the same keys, so the outbox keeps one of each.
    expect(plannedReplies([open, done], { now: NOW + 86_400_000 }).map((a) => a.key)).toEqual(plan.map((a) => a.key));
  });

  it('nothing for what existed at the first sync, for an automated sender, with the writes off, or for a verified task', () => {
    const old = mailTask({ key: 'c@client.test', firstSeenAt: SEED });
    const robot = mailTask({ key: 'd@client.test', labels: ['automated-sender'] });
    const verified = mailTask({ key: 'e@client.test', status: 'verified' });
    expect(plannedReplies([old, robot, verified])).toEqual([]);
    expect(plannedReplies([mailTask({ key: 'f@client.test' })], { requesterReplies: new Map([['support', { acknowledge: false, done: true }]]) })).toEqual([]);
    expect(planFollowups(input([mailTask({ key: 'g@client.test' })], [])).filter((a) => a.kind === 'requester_reply')).toEqual([]);
  });
});
