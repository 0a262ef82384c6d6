/**
 * A small fixed scenario in a store: an IT team migrating a client's infrastructure, spread across
 * GitHub, Jira, Slack and Notion. Used by report golden tests (and a seed for the sandbox later).
 */
import type { StoreItem } from '../../src/store/store.js';
import type { SqliteStore } from '../../src/store/sqlite-store.js';
import { taskFields } from './tasks.js';

export const SCENARIO_CONFIG = `
timezone: Europe/Berlin
store: { path: data/tw.db }
people:
  - { id: alex, name: Alex Kim, email: alex@example.com, accounts: { github: alexk, jira: acc-alex, slack: U0ALEX } }
  - { id: sam, name: Sam Rivera, email: sam@example.com, accounts: { github: samr, jira: acc-sam, slack: U0SAM } }
  - { id: priya, name: Priya Nair, accounts: { jira: acc-priya, notion: n-priya } }
teams:
  - { id: platform, name: Platform, aliases: [DevOps], members: [alex, sam, priya], lead: priya }
connectors:
  - { name: github-acme, type: github, token: "\${GITHUB_TOKEN}", repos: [acme/infra] }
  - { name: jira-acme, type: jira, host: "https://acme.atlassian.net", email: bot@acme.test, apiToken: "\${JIRA_API_TOKEN}", jql: "project = OPS" }
`;
export const SCENARIO_ENV = { GITHUB_TOKEN: 'ghp_test', JIRA_API_TOKEN: 'jira_test' };

/** Wednesday 25 Nov 2026, 08:00 in Berlin. */
export const SCENARIO_NOW = Date.parse('2026-11-25T07:00:00Z');

const H = 3600;
const gh = (id: string) => ({ kind: 'github' as const, id });
const jira = (id: string, name?: string) => ({ kind: 'jira' as const, id, ...(name ? { name } : {}) });

export async function seedScenario(store: SqliteStore): Promise<void> {
  const t = (over: Parameters<typeof taskFields>[0], owner: string | null): StoreItem => ({ type: 'task', task: taskFields(over), owner });
  await store.applyBatch({ name: 'jira-acme', kind: 'jira' }, [
    t({ key: 'OPS-12', url: 'https://acme.atlassian.net/browse/OPS-12', title: 'Migrate DNS records for client A', status: 'in_progress', due: '2026-11-26', assignees: [jira('acc-alex')], acceptanceCriteria: 'records verified in staging before cutover', estimateS: 12 * H, dependsOn: ['github:acme/infra#7'], milestone: 'Cutover', lastHumanActivityAt: '2026-11-24T10:00:00Z', createdAt: '2026-11-10T09:00:00Z', updatedAt: '2026-11-24T10:00:00Z' }, 'alex'),
    t({ key: 'OPS-14', url: 'https://acme.atlassian.net/browse/OPS-14', title: 'Add health checks', status: 'done', doneAt: '2026-11-23T15:00:00Z', assignees: [jira('acc-sam')], reporter: jira('acc-priya'), acceptanceCriteria: 'all services report healthy', due: '2026-11-24', milestone: 'Cutover', createdAt: '2026-11-09T09:00:00Z', updatedAt: '2026-11-23T15:00:00Z' }, 'sam'),
    t({ key: 'OPS-15', url: 'https://acme.atlassian.net/browse/OPS-15', title: 'Patch the VPN concentrator', assignees: [jira('grp-1', 'DevOps')], due: '2026-12-04', acceptanceCriteria: 'patched', createdAt: '2026-11-24T16:00:00Z', updatedAt: '2026-11-24T16:00:00Z' }, null),
  ], null);
  await store.applyBatch({ name: 'github-acme', kind: 'github' }, [
    t({ key: 'acme/infra#7', url: 'https://github.com/acme/infra/issues/7', title: 'Open firewall rule for DNS cutover', assignees: [], due: '2026-11-24', acceptanceCriteria: 'port 53 open to the new resolvers', milestone: 'Cutover', createdAt: '2026-11-12T09:00:00Z', updatedAt: '2026-11-12T09:00:00Z' }, null),
    t({ key: 'acme/infra#9', url: 'https://github.com/acme/infra/issues/9', title: 'Rotate staging certificates', assignees: [gh('alexk'), gh('samr')], due: '2026-11-27', priority: null, rawPriority: null, acceptanceCriteria: 'new certs served', createdAt: '2026-11-20T09:00:00Z', updatedAt: '2026-11-20T09:00:00Z' }, null),
  ], null);
  // A status move inside the report window.
  await store.applyBatch({ name: 'github-acme', kind: 'github' }, [
    t({ key: 'acme/infra#9', url: 'https://github.com/acme/infra/issues/9', title: 'Rotate staging certificates', status: 'in_progress', assignees: [gh('alexk'), gh('samr')], due: '2026-11-27', priority: null, rawPriority: null, acceptanceCriteria: 'new certs served', createdAt: '2026-11-20T09:00:00Z', updatedAt: '2026-11-24T11:00:00Z', lastHumanActivityAt: '2026-11-24T11:00:00Z' }, null),
  ], null);
}
