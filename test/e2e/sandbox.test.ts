/**
 * End to end over real HTTP: the CLI and the daemon against the four tools' fakes, seeded with the
 * sandbox scenario. What the tests read back is what the fakes recorded — the tools' side of things.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { SANDBOX_ENV } from '../../src/sandbox/sandbox.js';
import { CLIENT, CLIENT_THREAD, clientMail, cutoverRequest, NOTION_ROWS, PEOPLE, SUPPORT_MAILBOX } from '../../src/sandbox/scenario.js';
import { ourComments, sandboxEnv, type SandboxEnv } from '../support/sandbox.js';

const who = (id: string) => PEOPLE.find((p) => p.id === id)!;
let env: SandboxEnv | null = null;
afterEach(async () => {
  await env?.stop();
  env = null;
});

/** The flags the scenario is built to raise at install time, as "task: code". */
const EXPECTED_FLAGS = [
  'acme/infra#12: no_owner', // the firewall rule nobody owns
  'acme/infra#13: shared_owner', // two assignees
  // acme/infra#14 has its due date and priority from the GitHub project (acme/5): neither is flagged.
  'acme/infra#14: stale', // in progress, quiet for four workdays
  'acme/infra#15: no_due_date',
  'acme/infra#15: no_priority', // the bug with no priority
  'acme/infra#16: done_unverified',
  'OPS-12: blocked', // blocked by the unowned GitHub issue
  'OPS-12: dependency_at_risk',
  'OPS-12: deadline_at_risk',
  'OPS-14: done_unverified', // PR merged two days ago, nobody verified
  'OPS-15: team_owner', // assigned to "DevOps"
  'OPS-19: blocked', // → the Notion approval, overdue
  'OPS-19: dependency_at_risk',
  'OPS-19: deadline_at_risk', // cannot start before the overdue approval is done
  'OPS-20: blocked', // → OPS-19 → the approval
  'OPS-20: dependency_at_risk',
  'OPS-20: deadline_at_risk',
  'Client approval on scope: overdue',
  'Client approval on scope: missing_context',
  'Confirm DNS cutover window with the client: blocked',
  'Confirm DNS cutover window with the client: dependency_at_risk',
  'Confirm DNS cutover window with the client: deadline_at_risk',
  'Confirm DNS cutover window with the client: missing_context',
  'Final cutover: blocked',
  'Final cutover: dependency_at_risk',
  'Final cutover: deadline_at_risk', // due in 8 days: within the 14-day horizon
  'Final cutover: missing_context',
  'can someone fix the API issue?: no_owner', // the 9 PM capture: no owner, no date, no criteria
  'can someone fix the API issue?: no_due_date',
  'can someone fix the API issue?: no_priority',
  'can someone fix the API issue?: missing_context',
  '@sam can you rotate the staging certs by Friday?: no_priority',
  '@sam can you rotate the staging certs by Friday?: missing_context',
].sort();

async function flagsOf(e: SandboxEnv): Promise<string[]> {
  const { out } = await e.cli('tasks', '--all', '--json');
  const tasks = JSON.parse(out) as { id: string; key: string; kind: string; title: string }[];
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const store = e.store();
  try {
    const name = (id: string) => {
      const t = byId.get(id)!;
      return t.kind === 'github' || t.kind === 'jira' ? t.key : t.title;
    };
    return (await store.openFlags()).map((f) => `${name(f.taskId)}: ${f.code}`).sort();
  } finally {
    await store.close();
  }
}

describe('the sandbox end to end', () => {
  it('captures from all four tools and raises the flags the scenario is built to raise', async () => {
    env = await sandboxEnv();
    const sync = await env.cli('sync');
    expect(sync.code, sync.out).toBe(0);
    for (const name of ['github-acme', 'jira-acme', 'slack-acme', 'notion-acme']) expect(sync.out).toMatch(new RegExp(`^${name}: first sync \\(seeded silently\\)`, 'm'));
    const { out } = await env.cli('tasks', '--all', '--json');
    const tasks = JSON.parse(out) as { connector: string; status: string }[];
    const per = (c: string) => tasks.filter((t) => t.connector === c).length;
    expect([per('github-acme'), per('jira-acme'), per('slack-acme'), per('notion-acme')]).toEqual([5, env.sb.scenario.jira.issues!.length, 2, 4]);
    expect(await flagsOf(env)).toEqual(EXPECTED_FLAGS);
    // Seeded silently: status comments and blocked transitions, no messages to anyone.
    expect(env.sb.slack.posts.filter((p) => p.channel.startsWith('D'))).toEqual([]);
    expect(env.sb.jira.statusOf('OPS-12')).toBe('Blocked');
  });

  it('leaves exactly one status comment per flagged ticket over repeated cycles, edited in place as things change', async () => {
    env = await sandboxEnv();
    expect((await env.cli('sync')).code).toBe(0);
    const store = env.store();
    const flagged = new Set((await store.openFlags()).map((f) => f.taskId));
    const tasks = (await store.listTasks()).filter((t) => flagged.has(t.id));
    const quiet13 = (await store.getTask('github-acme:acme/infra#13'))!.lastHumanActivityAt;
    await store.close();
    const before = new Map(tasks.map((t) => [t.id, ourComments(env!.sb, t).map((c) => c.text)]));
    // People act between cycles; the cycles run again and again.
    env.sb.jira.updateIssue('OPS-15', { assignee: who('alex').jira }, who('priya').jira);
    env.sb.github.addComment('acme/infra', 14, who('jordan').github, 'Three of five pipelines moved.');
    for (let i = 0; i < 3; i++) {
      env.jump(3 * 3600_000);
      const r = await env.cli('sync');
      expect(r.code, r.out).toBe(0);
    }
    for (const t of tasks) {
      const now = ourComments(env.sb, t);
      expect(now.length, `${t.id}: ${JSON.stringify(now)}`).toBe(1);
    }
    // OPS-15 now has one owner: its one comment was edited, not joined by a second.
    const ops15 = tasks.find((t) => t.key === 'OPS-15')!;
    expect(before.get(ops15.id)![0]).toMatch(/not to one person/);
    expect(ourComments(env.sb, ops15)[0]!.text).not.toMatch(/not to one person/);
    // taskwire's own comments and edits never count as human activity.
    const s2 = env.store();
    expect((await s2.getTask('github-acme:acme/infra#13'))!.lastHumanActivityAt).toBe(quiet13);
    await s2.close();
  });

  it("a person's edit to a status comment wins: left alone over later cycles, no second comment, said by plan and explain", async () => {
    env = await sandboxEnv();
    expect((await env.cli('sync')).code).toBe(0);
    const store = env.store();
    const flagged = new Set((await store.openFlags()).map((f) => f.taskId));
    const gh = (await store.listTasks({ connector: 'github-acme' })).find((t) => flagged.has(t.id) && ourComments(env!.sb, t).length === 1)!;
    await store.close();
    // Priya rewrites taskwire's comment on a GitHub issue and Jira's OPS-15.
    const [, repo, n] = /^(.+)#(\d+)$/.exec(gh.key)!;
    const ghComment = env.sb.github.comments(repo!, Number(n)).find((c) => c.user === 'taskwire-bot')!;
    const ghText = ghComment.body.split('\n').filter((l) => l.startsWith('<!--')).concat('Priya: I own this now; the runbook has the plan.').join('\n');
    env.sb.github.editCommentAs(repo!, ghComment.id, who('priya').github, ghText);
    const jiraComment = env.sb.jira.comments('OPS-15').find((c) => c.author === 'acc-taskwire')!;
    env.sb.jira.editComment('OPS-15', jiraComment.id, who('priya').jira, 'Priya: sorting out the owner on Monday.');
    // Things change that would rewrite both comments; cycles run again.
    env.sb.jira.updateIssue('OPS-15', { assignee: who('alex').jira }, who('priya').jira);
    env.sb.github.updateIssue(repo!, Number(n), { assignees: [who('sam').github] }, who('priya').github);
    for (let i = 0; i < 2; i++) {
      env.jump(3 * 3600_000);
      const r = await env.cli('sync');
      expect(r.code, r.out).toBe(0);
    }
    expect(env.sb.github.comments(repo!, Number(n)).filter((c) => c.body.includes('<!-- taskwire:status'))).toEqual([expect.objectContaining({ id: ghComment.id, body: ghText })]);
    expect(env.sb.jira.comments('OPS-15').filter((c) => c.author === 'acc-taskwire')).toHaveLength(1);
    expect(env.sb.jira.comments('OPS-15').find((c) => c.id === jiraComment.id)!.text).toContain('sorting out the owner on Monday');
    const plan = await env.cli('plan');
    expect(plan.out).toMatch(new RegExp(`status comment on ${gh.id.replace(/[/#]/g, '.')} left alone since .*: a person edited the status comment`));
    expect(plan.out).toMatch(/status comment on jira-acme:OPS-15 left alone since .*edited the status comment/);
    expect((await env.cli('explain', 'OPS-15')).out).toMatch(/Status comment: left alone since .* a person's edit wins/);
  });

  it('looks at the past with --as-of, and scores its own flags on the history with taskwire backtest', async () => {
    env = await sandboxEnv();
    expect((await env.cli('sync')).code).toBe(0);
    // OPS-14 was done two days ago (Sunday 16:00): on Friday morning it was still in progress.
    const friday = JSON.parse((await env.cli('tasks', '--all', '--as-of', '2026-11-20', '--json')).out) as { key: string; status: string }[];
    expect(friday.find((t) => t.key === 'OPS-14')?.status).toBe('in_progress');
    expect(friday.some((t) => t.key === 'OPS-15')).toBe(false); // created on Monday
    const explain = await env.cli('explain', 'OPS-14', '--as-of', '2026-11-20');
    expect(explain.out).toMatch(/status in_progress/);
    expect(explain.out).not.toMatch(/done_unverified/);
    const report = await env.cli('report', '--as-of', '2026-11-20');
    expect(report.code, report.out).toBe(0);
    expect(report.out).toMatch(/# taskwire daily report — Fri 20 Nov/);
    expect((await env.cli('report', '--as-of', '2026-11-20', '--post')).code).toBe(2);
    expect((await env.cli('tasks', '--as-of', '2027-01-01')).out).toMatch(/--as-of: .* is in the future/);
    // What taskwire would have planned on Friday morning: OPS-14 still in progress then, so no "done,
    // nobody verified" follow-up about it; nothing is written.
    const count = async () => {
      const s = env!.store();
      const n = (await s.outbox.list({})).length;
      await s.close();
      return n;
    };
    const outboxBefore = await count();
    const planned = await env.cli('plan', '--as-of', '2026-11-20', '--json');
    expect(planned.code, planned.out).toBe(0);
    const plan = JSON.parse(planned.out) as { asOf: string; actions: { kind: string; taskId: string | null; reason: string }[] };
    expect(plan.asOf).toBe('2026-11-20T08:00:00.000Z');
    expect(plan.actions.length).toBeGreaterThan(0);
    expect(plan.actions.some((a) => a.taskId === 'jira-acme:OPS-14' && /verif/i.test(a.reason))).toBe(false);
    expect(plan.actions.some((a) => a.taskId === 'jira-acme:OPS-15')).toBe(false); // created on Monday
    const now = JSON.parse((await env.cli('plan', '--as-of', '2026-11-24T07:30:00Z', '--json')).out) as typeof plan;
    expect(now.actions.some((a) => a.taskId === 'jira-acme:OPS-14' && /verif/i.test(a.reason))).toBe(true);
    expect(await count()).toBe(outboxBefore);
    expect((await env.cli('plan', '--as-of', '2026-11-20')).out).toMatch(/^as of 2026-11-20T08:00:00.000Z, taskwire would have planned \d+ follow-ups/m);
    const backtest = await env.cli('backtest', '--html', 'backtest.html');
    expect(backtest.code, backtest.out).toBe(0);
    expect(backtest.out).toMatch(/^Backtest \d{4}-\d{2}-\d{2} → 2026-11-24, every working day/m);
    expect(backtest.out).toMatch(/deadline_at_risk +\d+ +\d+ +\d+ +\d+ +\d+%/);
    expect(backtest.out).toMatch(/^Goal \(task-days\): recall ≥ 80% at precision ≥ 70%/m);
    expect(readFileSync(join(env.dir, 'backtest.html'), 'utf8')).toMatch(/<svg/);
  });

  it('reflects a change that arrives by signed webhook before the next poll', async () => {
    env = await sandboxEnv();
    const { config } = loadConfig({ path: 'taskwire.yaml', env: { ...SANDBOX_ENV }, cwd: env.dir });
    const daemon = new Daemon({ config, log: pino({ level: 'silent' }), cwd: env.dir, now: env.now, port: 0 });
    await daemon.start();
    try {
      env.sb.sendWebhooksTo(daemon.url);
      const store = env.store();
      await until(async () => (await store.getTask('github-acme:acme/infra#12')) !== null && (await store.getTask('notion-acme:' + NOTION_ROWS.approval)) !== null);
      const polls = () => env!.sb.github.server.requests.filter((r) => r.method === 'GET' && r.path === '/repos/acme/infra/issues').length;
      const pollsBefore = polls();
      env.sb.github.updateIssue('acme/infra', 12, { assignees: [who('alex').github] }, who('priya').github);
      await env.sb.notion.edit(NOTION_ROWS.approval, { Status: 'Done' }, who('priya').notion);
      // A date set in the GitHub project arrives as a projects_v2_item webhook.
      env.sb.github.projects.setField('acme/5', 'acme/infra#12', 'Target date', '2030-01-15', who('priya').github);
      await until(async () => (await store.getTask('github-acme:acme/infra#12'))?.owner === 'alex' && (await store.getTask('notion-acme:' + NOTION_ROWS.approval))?.status === 'done' && (await store.getTask('github-acme:acme/infra#12'))?.due === '2030-01-15');
      expect(polls()).toBe(pollsBefore); // no poll ran: the webhooks carried it
      // Re-evaluated at once: #12 has an owner now, and the approval no longer blocks OPS-19.
      await until(async () => {
        const open = await store.openFlags();
        return !open.some((f) => f.taskId === 'github-acme:acme/infra#12' && f.code === 'no_owner') && !open.some((f) => f.taskId === 'jira-acme:OPS-19' && f.code === 'blocked' && JSON.stringify(f.evidence).includes('notion'));
      });
      await store.close();
    } finally {
      await daemon.stop();
    }
  });
});

describe('the sandbox: a client email thread', () => {
  it('captured from the mailbox over IMAP IDLE (no poll), flagged, acknowledged once; done by a team reply (the client asked to confirm), verified by the client', async () => {
    env = await sandboxEnv();
    const { config } = loadConfig({ path: 'taskwire.yaml', env: { ...SANDBOX_ENV }, cwd: env.dir });
    const daemon = new Daemon({ config, log: pino({ level: 'silent' }), cwd: env.dir, now: env.now, port: 0, dispatchEveryMs: 200 });
    await daemon.start();
    const store = env.store();
    try {
      const id = `email-acme:${CLIENT_THREAD}`;
      // The first sync (seeds silently) is done once every connector has a cursor.
      await until(async () => (await store.getCursor('email-acme')) !== null && (await store.getCursor('notion-acme')) !== null, 20_000);
      const selects = () => env!.sb.email.commands.filter((c) => c.startsWith('EXAMINE') || c.startsWith('SELECT')).length;
      env.sb.email.deliver(cutoverRequest(env.now()));
      await until(async () => (await store.getTask(id)) !== null);
      const t = (await store.getTask(id))!;
      expect(t).toMatchObject({ title: 'Please move the DNS cutover', status: 'todo', owner: null, kind: 'email' });
      expect(t.reporter).toMatchObject({ id: CLIENT.email, name: CLIENT.name });
      expect(t.acceptanceCriteria).toBe('- api.client-a.example resolves to the new platform before the freeze');
      await until(async () => (await store.openFlags()).some((f) => f.taskId === id && f.code === 'no_owner'));
      // Acknowledged by email, threaded under the request, once.
      await until(async () => env!.sb.smtp.sent.length === 1);
      const ack = env.sb.smtp.sent[0]!;
      expect(ack).toMatchObject({ to: [CLIENT.email], subject: 'Re: Please move the DNS cutover', inReplyTo: `<${CLIENT_THREAD}>` });
      expect(ack.text).toContain('We have your request "Please move the DNS cutover"');
      await until(async () => env!.sb.email.messages('Sent').length === 1); // filed where a retry would look
      // Alex answers the client from his own mailbox, copying support@: he owns it, and it is done.
      const alex = who('alex');
      env.sb.email.deliver(clientMail(env.now(), { subject: 'Re: Please move the DNS cutover', id: 'dns-cutover.2@acme.example', inReplyTo: CLIENT_THREAD, from: { name: alex.name, email: alex.email }, to: `${CLIENT.email}, ${SUPPORT_MAILBOX}`, body: 'Moved, the records are staged. [done]' }));
      await until(async () => (await store.getTask(id))?.status === 'done');
      expect((await store.getTask(id))!.owner).toBe('alex');
      await until(async () => env!.sb.smtp.sent.length === 2);
      expect(env.sb.smtp.sent[1]!.text).toContain('Could you check that it works for you?');
      // The client confirms: verified, and nothing more is sent.
      env.sb.email.deliver(clientMail(env.now(), { subject: 'Re: Please move the DNS cutover', id: 'dns-cutover.3@client-a.example', inReplyTo: 'dns-cutover.2@acme.example', body: 'Works from our office, thanks!' }));
      await until(async () => (await store.getTask(id))?.status === 'verified');
      expect((await store.getTask(id))!.verifiedBy).toBe(CLIENT.email);
      await new Promise((r) => setTimeout(r, 1000));
      expect(env.sb.smtp.sent).toHaveLength(2);
      // Each message arrived through IDLE: a SELECT per arrival, not a wait for the 5-minute interval.
      expect(selects()).toBeGreaterThanOrEqual(3);
      // Named on the command line by tool and title, and explained like any task.
      const explain = await env.cli('explain', 'email:please-move-the-dns-cutover');
      expect(explain.code, explain.out).toBe(0);
      expect(explain.out).toMatch(/Please move the DNS cutover/);
      expect(explain.out).toMatch(/verified/);
    } finally {
      await store.close();
      await daemon.stop();
    }
  }, 60_000);
});

describe('the sandbox: GitHub planned in a project', () => {
  it('the runner migration carries its date and priority from the project, and explain says where they came from', async () => {
    env = await sandboxEnv();
    expect((await env.cli('sync')).code).toBe(0);
    const { out } = await env.cli('explain', 'acme/infra#14');
    expect(out).toMatch(/priority high/);
    expect(out).toMatch(/Planned in\n {2}due \S+ from project acme\/5 \(Target date\): a project's date beats the milestone's/);
    expect(out).toMatch(/priority "P1" from project acme\/5/);
    const json = JSON.parse((await env.cli('explain', 'acme/infra#14', '--json')).out) as { task: { due: string | null; rawPriority: string }; sources: string[]; flags: { code: string }[] };
    expect(json.task.due).not.toBeNull();
    expect(json.task.rawPriority).toBe('P1 (acme/5)');
    expect(json.flags.map((f) => f.code)).not.toContain('no_due_date');
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
