/** A Jira connector instance: client, normalization settings, poll, webhooks, writes, people. */
import type { ExternalAccount } from '../../src/core/model.js';
import { withSignal } from '../kit/http-policy.js';
import type { Connector, ConnectorContext, OnlineCheck } from '../port.js';
import { JiraClient } from './client.js';
import type { JiraConfig } from './config.js';
import { account, maps, type JiraNormalizeContext } from './normalize.js';
import { fieldsOf, liveKeys, pollJira } from './poll.js';
import type { JiraUser } from './types.js';
import { jiraWebhook } from './webhook.js';
import { writeJira } from './write.js';

export interface JiraConnector extends Connector {
  readonly client: JiraClient;
}

export function createJira(config: JiraConfig, context: ConnectorContext): JiraConnector {
  const client = new JiraClient(config, context.log, context.timing, { timezone: context.timezone, ...(context.signal ? { signal: context.signal } : {}) });
  let me: Promise<JiraUser> | null = null;
  const myself = () =>
    (me ??= client.call('GET /myself', (api) => api.myself.getCurrentUser<JiraUser>()).catch((err: unknown) => {
      me = null;
      throw err;
    }));
  const { statusMap, priorityMap } = maps(config);
  const ctx = async (): Promise<JiraNormalizeContext> => ({
    host: config.host,
    statusMap,
    priorityMap,
    acceptanceCriteriaHeading: config.acceptanceCriteriaHeading,
    acceptanceCriteriaField: config.fields.acceptanceCriteria,
    sprintField: config.fields.sprint,
    selfAccountId: (await myself()).accountId,
  });
  // JQL dates are read in the API user's time zone; without one, the site's default (UTC assumed).
  const userTimeZone = async () => (await myself()).timeZone ?? 'UTC';

  return {
    name: config.name,
    kind: 'jira',
    client,
    poll: (cursor, signal) => pollJira({ client, config, ctx, userTimeZone }, cursor, signal),
    ...(config.webhook ? { webhook: jiraWebhook({ client, config, ctx }) } : {}),
    write: (action, opts) => withSignal(opts?.signal, () => writeJira({ client, config, selfAccountId: async () => (await myself()).accountId }, action, opts)),
    liveKeys: (signal) => liveKeys(client, config, signal),
    resolvePeople: () => people(client, config.name),
    checkOnline: () => checkJira(client, config, myself),
    stats: () => ({ requests: client.requests, rateRemaining: client.rate.remaining, rateLimit: client.rate.limit }),
  };
}

async function* people(client: JiraClient, connector: string): AsyncGenerator<ExternalAccount> {
  for (let startAt = 0; ; startAt += 100) {
    const users = (await client.call('GET /users/search', (api) => api.users.getAllUsers({ startAt, maxResults: 100 }))) as unknown as JiraUser[];
    for (const u of users) if (u.accountType !== 'customer' && u.active !== false) yield { ...account(u), connector };
    if (users.length < 100) return;
  }
}

async function checkJira(client: JiraClient, config: JiraConfig, myself: () => Promise<JiraUser>): Promise<OnlineCheck> {
  const ok: string[] = [];
  const problems: string[] = [];
  try {
    const me = await myself();
    ok.push(`authenticated as ${me.displayName ?? me.accountId} (time zone ${me.timeZone ?? 'not set: UTC assumed'})`);
  } catch (err) {
    return { ok, problems: [(err as Error).message] };
  }
  try {
    const page = (await client.call('POST /rest/api/3/search/jql', (api) => api.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql: config.jql, fields: ['key'], maxResults: 1 }))) as unknown as { issues: unknown[] };
    ok.push(`jql "${config.jql}" is valid (${page.issues.length === 0 ? 'no issues yet' : 'issues found'})`);
  } catch (err) {
    problems.push(`jql: ${(err as Error).message}`);
  }
  const custom = fieldsOf(config).filter((f) => f.startsWith('customfield_'));
  if (custom.length > 0) {
    try {
      const fields = (await client.call('GET /field', (api) => api.issueFields.getFields())) as unknown as { id: string; name: string }[];
      for (const f of custom) {
        const found = fields.find((x) => x.id === f);
        if (found) ok.push(`field ${f} is "${found.name}"`);
        else problems.push(`fields: ${f} does not exist on this site`);
      }
    } catch (err) {
      problems.push(`fields: ${(err as Error).message}`);
    }
  }
  return { ok, problems };
}
