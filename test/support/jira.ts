/** A Jira connector against the Jira fake on 127.0.0.1. */
import { jiraConfigSchema, type JiraConfig } from '../../connectors/jira/config.js';
import { createJira, type JiraConnector } from '../../connectors/jira/connector.js';
import { JiraFake, type JiraFakeOptions, type JiraScenario } from '../../connectors/jira/fake.js';
import { silentLog } from './github.js';

export interface JiraRig {
  readonly fake: JiraFake;
  readonly config: JiraConfig;
  readonly connector: JiraConnector;
  connect(over?: Record<string, unknown>, timing?: { retryBaseMs?: number; retries?: number }): JiraConnector;
}

export const JIRA_USERS = [
  { accountId: 'acc-bot', displayName: 'taskwire bot', email: 'taskwire@example.com', timeZone: 'Europe/Berlin' },
  { accountId: 'acc-alex', displayName: 'Alex Kim', email: 'alex@example.com' },
  { accountId: 'acc-sam', displayName: 'Sam Rivera' },
  { accountId: 'acc-devops', displayName: 'DevOps' },
  { accountId: 'acc-automation', displayName: 'Automation for Jira', accountType: 'app' as const },
];

export async function jiraRig(scenario: Partial<JiraScenario>, over: Record<string, unknown> = {}, fakeOpts: Partial<JiraFakeOptions> = {}): Promise<JiraRig> {
  const fake = new JiraFake({ users: JIRA_USERS, ...scenario }, { self: 'acc-bot', email: 'taskwire@example.com', apiToken: 'jira-token', ...fakeOpts });
  await fake.start();
  const connect = (more: Record<string, unknown> = {}, timing = { retryBaseMs: 5, retries: 4 }) =>
    createJira(jiraConfig(fake.url, { ...over, ...more }), { log: silentLog, timezone: 'Europe/Berlin', timing });
  return { fake, config: jiraConfig(fake.url, over), connector: connect(), connect };
}

export function jiraConfig(host: string, over: Record<string, unknown> = {}): JiraConfig {
  return jiraConfigSchema.parse({ name: 'jira-acme', type: 'jira', host, email: 'taskwire@example.com', apiToken: 'jira-token', jql: 'project = OPS', ...over });
}
