/**
 * The sandbox: the four tools' fakes on 127.0.0.1, and the team's support mailbox (a fake IMAP server
 * and a fake SMTP server), seeded with the scenario, and a ready config that points taskwire at them.
 * No accounts, no tokens, no network beyond this machine.
 */
import { ImapFake } from '../../connectors/email/fake.js';
import { SmtpFake } from '../../connectors/email/fake-smtp.js';
import { GithubFake } from '../../connectors/github/fake.js';
import { JiraFake } from '../../connectors/jira/fake.js';
import { NotionFake } from '../../connectors/notion/fake.js';
import { SlackFake } from '../../connectors/slack/fake.js';
import { NOTION_DATABASE, PEOPLE, scenario, SLACK_OPS, SLACK_PLATFORM, SUPPORT_MAILBOX, TEAM_TZ, type Scenario } from './scenario.js';

export const SANDBOX_ENV = {
  GITHUB_TOKEN: 'ghp_sandbox',
  GITHUB_WEBHOOK_SECRET: 'sandbox-github-hook',
  JIRA_API_TOKEN: 'sandbox-jira-token',
  JIRA_WEBHOOK_SECRET: 'sandbox-jira-hook',
  SLACK_BOT_TOKEN: 'xoxb-sandbox',
  SLACK_SIGNING_SECRET: 'sandbox-slack-signing',
  NOTION_TOKEN: 'secret_sandbox',
  NOTION_WEBHOOK_SECRET: 'sandbox-notion-verify',
  SUPPORT_MAIL_PASSWORD: 'sandbox-mailbox',
  TASKWIRE_API_TOKEN: 'sandbox-api-token-0123456789',
} as const;

export interface Sandbox {
  readonly github: GithubFake;
  readonly jira: JiraFake;
  readonly slack: SlackFake;
  readonly notion: NotionFake;
  /** The support mailbox (IMAP) and where taskwire's replies go (SMTP). */
  readonly email: ImapFake;
  readonly smtp: SmtpFake;
  readonly scenario: Scenario;
  /** The sandbox's clock (the demo's, which may run ahead of the wall clock). */
  readonly now: () => number;
  /** A complete taskwire config for these fakes (secrets as ${ENV} references: see SANDBOX_ENV). */
  config(opts?: { mode?: 'plan' | 'send'; storePath?: string; port?: number; reportsDir?: string }): string;
  /** From now on the fakes send their signed webhooks to taskwire at `base` (…/webhooks/<connector>). */
  sendWebhooksTo(base: string): void;
  stop(): Promise<void>;
}

export async function startSandbox(opts: { now?: number; clock?: () => Date; basePort?: number } = {}): Promise<Sandbox> {
  const now = opts.now ?? Date.now();
  const s = scenario(now);
  const clock = opts.clock ?? (() => new Date());
  const github = new GithubFake(s.github, { tokens: [SANDBOX_ENV.GITHUB_TOKEN], self: 'taskwire-bot', clock });
  const jira = new JiraFake(s.jira, { self: 'acc-taskwire', email: 'taskwire@acme.example', apiToken: SANDBOX_ENV.JIRA_API_TOKEN, clock });
  const slack = new SlackFake(s.slack, { botToken: SANDBOX_ENV.SLACK_BOT_TOKEN, clock });
  const notion = new NotionFake(s.notion, { token: SANDBOX_ENV.NOTION_TOKEN, clock });
  const email = new ImapFake(s.email, { clock });
  const smtp = new SmtpFake({ user: s.email.user, password: SANDBOX_ENV.SUPPORT_MAIL_PASSWORD });
  const port = (i: number) => (opts.basePort ? opts.basePort + i : 0);
  await Promise.all([github.start(port(0)), jira.start(port(1)), slack.start(port(2)), notion.start(port(3)), email.start(port(4)), smtp.start(port(5))]);
  return {
    github,
    jira,
    slack,
    notion,
    email,
    smtp,
    scenario: s,
    now: () => clock().getTime(),
    config: (c = {}) => sandboxConfig({ github: github.url, jira: jira.url, slack: slack.apiUrl, notion: notion.url, imapPort: email.port, smtpPort: smtp.port }, c),
    sendWebhooksTo: (base) => {
      const hook = (name: string) => `${base.replace(/\/+$/, '')}/webhooks/${name}`;
      github.setWebhookTarget({ url: hook('github-acme'), secret: SANDBOX_ENV.GITHUB_WEBHOOK_SECRET });
      jira.setWebhookTarget({ url: hook('jira-acme'), secret: SANDBOX_ENV.JIRA_WEBHOOK_SECRET });
      slack.setDelivery({ mode: 'http', url: hook('slack-acme'), signingSecret: SANDBOX_ENV.SLACK_SIGNING_SECRET });
      notion.setWebhookTarget({ url: hook('notion-acme'), verificationToken: SANDBOX_ENV.NOTION_WEBHOOK_SECRET });
    },
    stop: async () => {
      await Promise.all([github.stop(), jira.stop(), slack.stop(), notion.stop(), email.stop(), smtp.stop()]);
    },
  };
}

export function sandboxConfig(urls: { github: string; jira: string; slack: string; notion: string; imapPort: number; smtpPort: number }, c: { mode?: 'plan' | 'send'; storePath?: string; port?: number; reportsDir?: string } = {}): string {
  const people = PEOPLE.map((p) => `  - { id: ${p.id}, name: ${p.name}, email: ${p.email}, accounts: { github: ${p.github}, jira: ${p.jira}, slack: ${p.slack}, notion: ${p.notion} } }`).join('\n');
  return `# taskwire against the sandbox: the four tools' fakes on this machine (taskwire sandbox / taskwire demo).
timezone: ${TEAM_TZ}
store: { path: ${c.storePath ?? 'data/sandbox.db'} }
server: { host: 127.0.0.1, port: ${c.port ?? 8080}, apiToken: "\${TASKWIRE_API_TOKEN}", ui: { enabled: true } }
log: { level: warn }
people:
${people}
teams:
  - { id: platform, name: Platform, aliases: [DevOps], members: [priya, alex, sam, jordan, mia], lead: priya, channel: { connector: slack-acme, channel: ${SLACK_PLATFORM} } }
followups:
  mode: ${c.mode ?? 'send'}
  respectWorkingHours: false       # the sandbox runs at any hour
  dispatchEvery: 1s
  directMessages: { connector: slack-acme }
report:
  outputDir: ${c.reportsDir ?? 'reports'}
  post: [{ connector: slack-acme, channel: ${SLACK_PLATFORM} }]
connectors:
  - name: github-acme
    type: github
    baseUrl: ${urls.github}
    token: \${GITHUB_TOKEN}
    repos: [acme/infra]
    projects: [{ project: acme/5 }]     # due dates, status and priority from the team's GitHub project
    webhook: { secrets: ["\${GITHUB_WEBHOOK_SECRET}"] }
    pacing: { writes: 0s, notifications: 0s }   # the fake has no secondary rate limits; keep GitHub's defaults for real
    writes: { statusComment: true, labels: true }
  - name: jira-acme
    type: jira
    host: ${urls.jira}
    email: taskwire@acme.example
    apiToken: \${JIRA_API_TOKEN}
    jql: project = OPS
    fields: { acceptanceCriteria: customfield_10050 }
    webhook: { secret: "\${JIRA_WEBHOOK_SECRET}" }
    writes: { statusComment: true, transitions: { todo: Reopen, in_progress: Start progress, blocked: Block, done: Done } }
  - name: slack-acme
    type: slack
    slackApiUrl: ${urls.slack}
    botToken: \${SLACK_BOT_TOKEN}
    signingSecret: \${SLACK_SIGNING_SECRET}
    channels: [${SLACK_OPS}]
  - name: notion-acme
    type: notion
    baseUrl: ${urls.notion}
    token: \${NOTION_TOKEN}
    dataSources:
      - database: ${NOTION_DATABASE}
        project: Client A migration
        properties: { acceptanceCriteria: Acceptance criteria, verified: Verified, milestone: Milestone }
    webhook: { verificationToken: "\${NOTION_WEBHOOK_SECRET}" }
    writes: { statusComment: true }
  - name: email-acme
    type: email
    host: 127.0.0.1
    port: ${urls.imapPort}
    tls: false
    allowPlaintext: true               # the fake on loopback; a real server: tls: true (993)
    user: ${SUPPORT_MAILBOX}
    password: \${SUPPORT_MAIL_PASSWORD}
    team: { domains: [acme.example] }
    smtp: { host: 127.0.0.1, port: ${urls.smtpPort}, requireTls: false, from: ${SUPPORT_MAILBOX}, fromName: Acme IT }
    writes: { acknowledge: true, statusReply: true }
`;
}
