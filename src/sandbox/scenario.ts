/**
 * The sandbox's story: a small IT services team (five people, Priya the lead, a "DevOps" alias) migrating
 * client A's infrastructure, its work spread across GitHub, Jira, Slack and Notion the way real teams
 * spread it — with the problems taskwire exists to catch, and a past quarter of finished work for the
 * risk model to learn from. Every date is relative to `now`, in the team's time zone.
 */
import { DateTime } from 'luxon';
import type { GithubIssueSeed, GithubScenario } from '../../connectors/github/fake.js';
import type { JiraScenario } from '../../connectors/jira/fake.js';
import type { NotionRowSeed, NotionScenario } from '../../connectors/notion/fake.js';
import type { SlackScenario } from '../../connectors/slack/fake.js';
import type { EmailScenario } from '../../connectors/email/fake.js';
import { syntheticHistory } from './history.js';

export const TEAM_TZ = 'Europe/Berlin';

export interface Person {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly github: string;
  readonly jira: string;
  readonly slack: string;
  readonly notion: string;
}

export const PEOPLE: readonly Person[] = [
  { id: 'priya', name: 'Priya Nair', email: 'priya@acme.example', github: 'priyan', jira: 'acc-priya', slack: 'U0PRIYA', notion: 'a1000000-0000-4000-8000-00000000prya' },
  { id: 'alex', name: 'Alex Kim', email: 'alex@acme.example', github: 'alexk', jira: 'acc-alex', slack: 'U0ALEX', notion: 'a1000000-0000-4000-8000-00000000alex' },
  { id: 'sam', name: 'Sam Rivera', email: 'sam@acme.example', github: 'samr', jira: 'acc-sam', slack: 'U0SAM', notion: 'a1000000-0000-4000-8000-000000000sam' },
  { id: 'jordan', name: 'Jordan Lee', email: 'jordan@acme.example', github: 'jordanl', jira: 'acc-jordan', slack: 'U0JORDAN', notion: 'a1000000-0000-4000-8000-00000000jord' },
  { id: 'mia', name: 'Mia Chen', email: 'mia@acme.example', github: 'miac', jira: 'acc-mia', slack: 'U0MIA', notion: 'a1000000-0000-4000-8000-000000000mia' },
];
const P = Object.fromEntries(PEOPLE.map((p) => [p.id, p])) as Record<string, Person>;

export const NOTION_SOURCE = '2f1a0000-0000-4000-8000-00000000c1a0';
export const NOTION_DATABASE = '0f3a9d1e-2c4b-4f6a-8b7c-9d0e1f2a3b4c';
export const SLACK_OPS = 'C0OPS00001';
/** The team's shared mailbox, and the client who writes to it. */
export const SUPPORT_MAILBOX = 'support@acme.example';
export const CLIENT = { name: 'Clara Jones', email: 'clara@client-a.example' } as const;
export const CLIENT_THREAD = 'dns-cutover.1@client-a.example';

/** Mail as the client's mail client writes it, sent at `at` (ms) in the team's zone. */
export function clientMail(at: number, m: { subject: string; body: string; id: string; inReplyTo?: string; from?: { name: string; email: string }; to?: string }): string {
  const from = m.from ?? CLIENT;
  const date = DateTime.fromMillis(at, { zone: TEAM_TZ }).toRFC2822();
  return [
    `From: ${from.name} <${from.email}>`,
    `To: ${m.to ?? `Acme IT <${SUPPORT_MAILBOX}>`}`,
    `Subject: ${m.subject}`,
    `Message-ID: <${m.id}>`,
    `Date: ${date}`,
    ...(m.inReplyTo ? [`In-Reply-To: <${m.inReplyTo}>`, `References: <${CLIENT_THREAD}>${m.inReplyTo === CLIENT_THREAD ? '' : ` <${m.inReplyTo}>`}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    m.body,
  ].join('\r\n');
}

/** Friday 17:40 (or whenever the story needs it): the client asks to move the DNS cutover. */
export function cutoverRequest(at: number): string {
  // The Tuesday at least three days ahead, written as people write it: "Tuesday 1 December".
  let day = DateTime.fromMillis(at, { zone: TEAM_TZ }).plus({ days: 3 });
  while (day.weekday !== 2) day = day.plus({ days: 1 });
  const tuesday = day.toFormat('cccc d LLLL');
  return clientMail(at, {
    subject: 'Please move the DNS cutover',
    id: CLIENT_THREAD,
    body: `Hi team,\n\nplease move the DNS cutover to ${tuesday}, evening: our change freeze starts the morning after.\nIt is the window in your list: https://www.notion.so/acme/${notionId(2).replace(/-/g, '')}\n\nAcceptance criteria:\n- api.client-a.example resolves to the new platform before the freeze\n\nBest,\nClara\n-- \nClara Jones | Client A | +49 30 555 0100`,
  });
}
export const SLACK_PLATFORM = 'C0PLATFORM';
const notionId = (n: number) => `5c0e0000-0000-4000-8000-${String(n).padStart(12, '0')}`;
/** The client task list's rows, by name. */
export const NOTION_ROWS = { approval: notionId(1), window: notionId(2), cutover: notionId(3), contacts: notionId(4) } as const;

export interface Scenario {
  readonly github: GithubScenario;
  readonly jira: JiraScenario;
  readonly slack: SlackScenario;
  readonly notion: NotionScenario;
  /** The team's shared support mailbox: empty at install; client mail arrives as the story goes on. */
  readonly email: EmailScenario;
  /** Local dates the story uses, for the demo's words. */
  readonly dates: { readonly thursday: string; readonly friday: string; readonly cutover: string };
}

export function scenario(now: number): Scenario {
  const local = DateTime.fromMillis(now, { zone: TEAM_TZ });
  // Never in the future: "08:30 today" is five minutes ago when the sandbox starts earlier than that.
  const at = (daysAgo: number, hour = 10, minute = 0) => {
    const t = local.minus({ days: daysAgo }).set({ hour, minute, second: 0, millisecond: 0 });
    return (t.toMillis() > now - 300_000 ? DateTime.fromMillis(now - 300_000) : t).toUTC().toISO()!;
  };
  const gh = (daysAgo: number, hour = 10) => at(daysAgo, hour).replace(/\.\d{3}Z$/, 'Z');
  /** Calendar days back to the weekday `n` working days ago (so "quiet for 4 workdays" holds on any day). */
  const workdaysAgo = (n: number) => {
    let d = local;
    let left = n;
    while (left > 0) {
      d = d.minus({ days: 1 });
      if (d.weekday <= 5) left--;
    }
    return Math.round(local.startOf('day').diff(d.startOf('day'), 'days').days);
  };
  const dayIn = (days: number) => local.plus({ days }).toISODate()!;
  const nextWeekday = (weekday: number) => {
    let d = local.plus({ days: 1 });
    while (d.weekday !== weekday) d = d.plus({ days: 1 });
    return d.toISODate()!;
  };
  const thursday = nextWeekday(4);
  const friday = nextWeekday(5);
  const cutover = DateTime.fromISO(nextWeekday(3), { zone: TEAM_TZ }).plus({ days: 7 }).toISODate()!;

  // ---- Jira: the plan, and a past quarter of work for the risk model to learn from (and be scored on) ----
  const history = syntheticHistory({
    now,
    timezone: TEAM_TZ,
    lead: P['priya']!.jira,
    people: [
      { id: 'alex', jira: P['alex']!.jira, optimism: 1.25 },
      { id: 'sam', jira: P['sam']!.jira, optimism: 0.95 },
      { id: 'jordan', jira: P['jordan']!.jira, optimism: 1.6 },
      { id: 'mia', jira: P['mia']!.jira, optimism: 1.05 },
    ],
  });
  const jira: JiraScenario = {
    users: [
      { accountId: 'acc-taskwire', displayName: 'taskwire', email: 'taskwire@acme.example', timeZone: TEAM_TZ, accountType: 'app' },
      ...PEOPLE.map((p) => ({ accountId: p.jira, displayName: p.name, email: p.email, timeZone: TEAM_TZ })),
      { accountId: 'acc-devops', displayName: 'DevOps' },
    ],
    projects: [{ key: 'OPS', name: 'Operations' }],
    issues: [
      ...history,
      {
        key: 'OPS-12',
        summary: 'Migrate DNS records for client A',
        description: 'Move the client A zone to the new resolvers. Blocked by acme/infra#12 (the firewall rule).',
        assignee: P['alex']!.jira,
        reporter: P['priya']!.jira,
        status: 'In Progress',
        priority: 'High',
        duedate: thursday,
        estimateS: 16 * 3600,
        custom: { customfield_10050: 'records verified in staging before cutover' },
        created: at(9),
        updated: at(1, 11),
        statusHistory: [['In Progress', at(3), P['alex']!.jira]],
        comments: [{ author: P['alex']!.jira, body: 'Zone export done, waiting on the firewall.', at: at(1, 11) }],
      },
      { key: 'OPS-14', summary: 'Add health checks', description: 'Probes for every service.\n\n## Acceptance criteria\n\nall services report healthy in staging', assignee: P['sam']!.jira, reporter: P['priya']!.jira, status: 'Done', priority: 'Medium', duedate: dayIn(-1), created: at(12), updated: at(2, 16), statusHistory: [['In Progress', at(6), P['sam']!.jira], ['Done', at(2, 16), P['sam']!.jira]] },
      { key: 'OPS-15', summary: 'Patch the VPN concentrator', description: 'CVE-2026-1234.\n\n## Acceptance criteria\n\npatched and rebooted', assignee: 'acc-devops', reporter: P['priya']!.jira, status: 'To Do', priority: 'Highest', duedate: dayIn(6), created: at(1, 15), updated: at(1, 15) },
      { key: 'OPS-19', summary: 'Confirm server specs', description: `Sizing for client A. Depends on the client's approval: https://www.notion.so/acme/${notionId(1).replace(/-/g, '')}\n\n## Acceptance criteria\n\nspecs signed off`, assignee: P['jordan']!.jira, reporter: P['priya']!.jira, status: 'To Do', priority: 'Medium', duedate: dayIn(4), estimateS: 8 * 3600, created: at(8), updated: at(8) },
      { key: 'OPS-20', summary: 'Deploy client environment', description: 'Terraform apply for client A.\n\n## Acceptance criteria\n\nenvironment reachable from the client VPN', assignee: P['sam']!.jira, reporter: P['priya']!.jira, status: 'To Do', priority: 'High', duedate: dayIn(6), estimateS: 24 * 3600, blockedBy: ['OPS-19'], created: at(8), updated: at(8) },
    ],
  };

  // ---- GitHub: the engineering ----
  const issue = (s: GithubIssueSeed): GithubIssueSeed => s;
  const github: GithubScenario = {
    users: [...PEOPLE.map((p) => ({ login: p.github, name: p.name })), { login: 'renovate[bot]', type: 'Bot' as const }, { login: 'taskwire-bot', name: 'taskwire' }],
    repos: [
      {
        fullName: 'acme/infra',
        milestones: [{ number: 1, title: 'Cutover', dueOn: `${cutover}T07:00:00Z` }],
        issues: [
          issue({ number: 12, title: 'Open firewall rule for DNS cutover', body: 'Port 53 from the new resolvers to the client network. Needed for OPS-12.\n\n## Acceptance criteria\n- rule in place in staging\n- verified with dig', labels: ['P1', 'network'], milestone: 1, user: P['priya']!.github, createdAt: gh(6), updatedAt: gh(6) }),
          issue({ number: 13, title: 'Upgrade the ingress controller', body: 'To 1.12 before the cutover.\n\n## Acceptance criteria\n- no 5xx during the rollout', labels: ['P2'], assignees: [P['alex']!.github, P['sam']!.github], milestone: 1, user: P['priya']!.github, createdAt: gh(7), updatedAt: gh(2) }),
          issue({ number: 14, title: 'Migrate CI runners to the new cluster', body: 'Move the self-hosted runners.\n\n## Acceptance criteria\n- all pipelines green on the new runners', labels: ['P2', 'in progress'], assignees: [P['jordan']!.github], user: P['jordan']!.github, createdAt: gh(workdaysAgo(4) + 6), updatedAt: gh(workdaysAgo(4), 9), comments: [{ user: P['jordan']!.github, body: 'Started on the runner images.', at: gh(workdaysAgo(4), 9) }] }),
          issue({ number: 15, title: 'Login page returns 500 on Safari', body: 'Reported by the client.\n\n## Acceptance criteria\n- login works in Safari 17', labels: ['bug'], assignees: [P['mia']!.github], user: P['mia']!.github, createdAt: gh(1), updatedAt: gh(1) }),
          issue({ number: 45, title: 'OPS-14: add health checks', body: 'Adds /healthz probes to every service.', state: 'closed', user: P['sam']!.github, assignees: [P['sam']!.github], createdAt: gh(5), updatedAt: gh(2, 15), closedAt: gh(2, 15), pull: { merged: true, mergedAt: gh(2, 15), mergedBy: P['sam']!.github, headRef: 'ops-14-health-checks' } }),
          issue({ number: 16, title: 'Renew wildcard certificate', body: 'Expires next month.\n\n## Acceptance criteria\n- new cert deployed', labels: ['P3'], assignees: [P['alex']!.github], state: 'closed', user: 'renovate[bot]', createdAt: gh(20), updatedAt: gh(15), closedAt: gh(15) }),
        ],
      },
    ],
    // The team plans its GitHub work in a project: the runner migration's date and priority live there.
    projects: [
      {
        project: 'acme/5',
        title: 'Platform roadmap',
        items: [
          { issue: 'acme/infra#12', values: { Status: 'Todo' } },
          { issue: 'acme/infra#14', values: { Status: 'In Progress', Priority: 'P1', 'Target date': DateTime.fromISO(cutover).plus({ days: 7 }).toISODate()! } },
        ],
      },
    ],
  };

  // ---- Slack: where tasks are born ----
  const slack: SlackScenario = {
    users: PEOPLE.map((p) => ({ id: p.slack, name: p.id, realName: p.name, email: p.email, tz: TEAM_TZ })),
    channels: {
      [SLACK_OPS]: {
        name: 'ops',
        messages: [
          // 9 PM yesterday, captured with :ticket: — no owner, no date, no acceptance criteria.
          { user: P['mia']!.slack, text: 'can someone fix the API issue?', at: at(1, 21), reactions: { ticket: [P['mia']!.slack] } },
          { user: P['priya']!.slack, text: `<@${P['sam']!.slack}> can you rotate the staging certs by Friday?`, at: at(0, 8, 30), reactions: { ticket: [P['priya']!.slack] } },
          { user: P['alex']!.slack, text: 'lunch at 12?', at: at(0, 9) },
        ],
      },
      [SLACK_PLATFORM]: { name: 'platform-team' },
    },
  };

  // ---- Notion: the client's task list ----
  const row = (n: number, values: Record<string, unknown>, daysAgo: number, by = 'priya'): NotionRowSeed => ({ id: notionId(n), values, createdTime: at(daysAgo + 2), lastEditedTime: at(daysAgo), createdBy: P[by]!.notion, lastEditedBy: P[by]!.notion });
  const notion: NotionScenario = {
    users: PEOPLE.map((p) => ({ id: p.notion, name: p.name, email: p.email })),
    sources: [
      {
        id: NOTION_SOURCE,
        database: NOTION_DATABASE,
        title: 'Client A tasks',
        schema: {
          Name: 'title',
          Assignee: 'people',
          Due: 'date',
          Status: { type: 'status', options: ['Not started', 'In progress', 'Blocked', 'Done'] },
          Priority: { type: 'select', options: ['P0', 'P1', 'P2', 'P3'] },
          'Blocked by': 'relation',
          'Acceptance criteria': 'rich_text',
          Milestone: { type: 'select', options: ['Cutover'] },
          Verified: 'checkbox',
        },
        rows: [
          row(1, { Name: 'Client approval on scope', Assignee: [P['priya']!.notion], Due: dayIn(-3), Status: 'In progress', Priority: 'P1', 'Acceptance criteria': 'signed scope document in the shared drive', Milestone: 'Cutover' }, 4),
          row(2, { Name: 'Confirm DNS cutover window with the client', Assignee: [P['alex']!.notion], Due: dayIn(5), Status: 'Not started', Priority: 'P1', 'Blocked by': [notionId(1)], 'Acceptance criteria': 'window agreed in writing', Milestone: 'Cutover' }, 3),
          row(3, { Name: 'Final cutover', Assignee: [P['priya']!.notion], Due: cutover, Status: 'Not started', Priority: 'P0', 'Blocked by': [notionId(2)], 'Acceptance criteria': 'client A served from the new platform', Milestone: 'Cutover' }, 3),
          row(4, { Name: 'Collect client contacts', Assignee: [P['mia']!.notion], Due: dayIn(-6), Status: 'Done', Priority: 'P3', Verified: true, 'Acceptance criteria': 'contact sheet shared' }, 6, 'mia'),
        ],
      },
    ],
  };
  const email: EmailScenario = { user: SUPPORT_MAILBOX, password: 'sandbox-mailbox', folders: { INBOX: [], Sent: [] } };
  return { github, jira, slack, notion, email, dates: { thursday, friday, cutover } };
}
