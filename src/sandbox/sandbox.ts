/**
 * The sandbox: the four tools' fakes on 127.0.0.1, seeded with the scenario, and a ready config that
 * points taskwire at them. No accounts, no tokens, no network beyond this machine.
 */
import { GithubFake } from '../../connectors/github/fake.js';
import { JiraFake } from '../../connectors/jira/fake.js';
import { NotionFake } from '../../connectors/notion/fake.js';
import { SlackFake } from '../../connectors/slack/fake.js';
import { NOTION_DATABASE, PEOPLE, scenario, SLACK_OPS, SLACK_PLATFORM, TEAM_TZ, type Scenario } from './scenario.js';

export const SANDBOX_ENV = {
  GITHUB_TOKEN: 'ghp_sandbox',
  GITHUB_WEBHOOK_SECRET: 'sandbox-github-hook',
  JIRA_API_TOKEN: 'sandbox-jira-token',
  JIRA_WEBHOOK_SECRET: 'sandbox-jira-hook',
  SLACK_BOT_TOKEN: 'xoxb-sandbox',
  SLACK_SIGNING_SECRET: 'sandbox-slack-signing',
  NOTION_TOKEN: 'secret_sandbox',
  NOTION_WEBHOOK_SECRET: 'sandbox-notion-verify',
  TASKWIRE_API_TOKEN: 'sandbox-api-token-0123456789',
} as const;

export interface Sandbox {
  readonly github: GithubFake;
  readonly jira: JiraFake;
  readonly slack: SlackFake;
  readonly notion: NotionFake;
  readonly scenario: Scenario;
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
  const port = (i: number) => (opts.basePort ? opts.basePort + i : 0);
  await Promise.all([github.start(port(0)), jira.start(port(1)), slack.start(port(2)), notion.start(port(3))]);
  return {
    github,
    jira,
    slack,
    notion,
    scenario: s,
    config: (c = {}) => sandboxConfig({ github: github.url, jira: jira.url, slack: slack.apiUrl, notion: notion.url }, c),
    sendWebhooksTo: (base) => {
      const hook = (name: string) => `${base.replace(/\/+$/, '')}/webhooks/${name}`;
      github.setWebhookTarget({ url: hook('github-acme'), secret: SANDBOX_ENV.GITHUB_WEBHOOK_SECRET });
      jira.setWebhookTarget({ url: hook('jira-acme'), secret: SANDBOX_ENV.JIRA_WEBHOOK_SECRET });
      slack.setDelivery({ mode: 'http', url: hook('slack-acme'), signingSecret: SANDBOX_ENV.SLACK_SIGNING_SECRET });
      notion.setWebhookTarget({ url: hook('notion-acme'), verificationToken: SANDBOX_ENV.NOTION_WEBHOOK_SECRET });
    },
    stop: async () => {
      await Promise.all([github.stop(), jira.stop(), slack.stop(), notion.stop()]);
    },
  };
}

export function sandboxConfig(urls: { github: string; jira: string; slack: string; notion: string }, c: { mode?: 'plan' | 'send'; storePath?: string; port?: number; reportsDir?: string } = {}): string {
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
`;
}
