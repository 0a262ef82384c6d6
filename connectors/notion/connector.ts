/** A Notion connector instance: client, resolved data sources, poll, webhooks, writes, people. */
import type { Client } from '@notionhq/client';
import type { ExternalAccount } from '../../src/core/model.js';
import { withSignal } from '../kit/http-policy.js';
import type { Connector, ConnectorContext, OnlineCheck } from '../port.js';
import { NotionClient } from './client.js';
import type { NotionConfig } from './config.js';
import { account, type NotionSourceContext } from './normalize.js';
import { liveKeys, pollNotion } from './poll.js';
import { resolveSources, schemaProblems, type ResolvedSource } from './sources.js';
import type { NotionUser } from './types.js';
import { notionWebhook, RECEIVED_TOKEN_KEY } from './webhook.js';
import { writeNotion } from './write.js';

export interface NotionConnector extends Connector {
  readonly client: NotionClient;
}

/** Data sources (and their schemas) are resolved again at most this often. */
const SOURCES_TTL_MS = 10 * 60 * 1000;

export function createNotion(config: NotionConfig, context: ConnectorContext): NotionConnector {
  const client = new NotionClient(config, context.log, context.timing, { timezone: context.timezone, ...(context.signal ? { signal: context.signal } : {}) });
  let resolved: { at: number; sources: Promise<ResolvedSource[]> } | null = null;
  const sources = () => {
    if (resolved === null || Date.now() - resolved.at > SOURCES_TTL_MS) {
      const p = resolveSources(client, config);
      resolved = { at: Date.now(), sources: p };
      p.catch(() => (resolved = null));
    }
    return resolved.sources;
  };
  let me: Promise<string> | null = null;
  const botUserId = () =>
    (me ??= client
      .call('users.me', (api: Client) => api.users.me({}))
      .then((u) => u.id)
      .catch((err: unknown) => {
        me = null;
        throw err;
      }));
  const ctxFor = async (s: ResolvedSource): Promise<NotionSourceContext> => ({
    timezone: context.timezone,
    properties: s.properties,
    statusMap: s.statusMap,
    priorityMap: s.priorityMap,
    project: s.project,
    botUserId: await botUserId(),
  });
  return {
    name: config.name,
    kind: 'notion',
    client,
    poll: (cursor, signal) => pollNotion({ client, config, sources, ctxFor }, cursor, signal),
    ...(config.webhook ? { webhook: notionWebhook({ name: config.name, client, configuredToken: config.webhook.verificationToken, state: context.state, log: context.log, sources, ctxFor }) } : {}),
    write: (action, opts) => withSignal(opts?.signal, () => writeNotion({ client, config, botUserId, sources }, action, opts)),
    liveKeys: async () => liveKeys(client, await sources()),
    resolvePeople: () => people(client, config.name),
    checkOnline: async () => withWebhookSetup(await checkNotion(client, sources, botUserId), config, context),
    stats: () => ({ requests: client.requests, rateRemaining: null, rateLimit: null }),
  };
}

async function* people(client: NotionClient, connector: string): AsyncGenerator<ExternalAccount> {
  let start: string | undefined;
  do {
    const r = (await client.call('users.list', (api: Client) => api.users.list({ page_size: 100, ...(start ? { start_cursor: start } : {}) }))) as unknown as { results: NotionUser[]; has_more: boolean; next_cursor: string | null };
    for (const u of r.results) if (u.type === 'person') yield { ...account(u), connector };
    start = r.has_more && r.next_cursor ? r.next_cursor : undefined;
  } while (start);
}

async function checkNotion(client: NotionClient, sources: () => Promise<ResolvedSource[]>, botUserId: () => Promise<string>): Promise<OnlineCheck> {
  const ok: string[] = [];
  const problems: string[] = [];
  try {
    ok.push(`authenticated as integration ${await botUserId()}`);
    for (const s of await sources()) {
      const p = schemaProblems(s);
      if (p.length === 0) ok.push(`${s.title}: every mapped property exists with a fitting type`);
      problems.push(...p.map((x) => `dataSources: ${x}`));
    }
  } catch (err) {
    problems.push((err as Error).message);
  }
  return { ok, problems };
}

/** `check --online` says where the webhook set-up stands: the token Notion sent, to paste in, until the config names one. */
async function withWebhookSetup(check: OnlineCheck, config: NotionConfig, context: ConnectorContext): Promise<OnlineCheck> {
  if (!config.webhook) return check;
  if (config.webhook.verificationToken) return { ...check, ok: [...check.ok, 'webhook: verificationToken set (events are verified with it)'] };
  const received = await context.state?.get(RECEIVED_TOKEN_KEY);
  const problem = received
    ? `webhook: Notion sent the verification token ${received} — paste it into the integration's Webhooks tab → Verify, then set webhook.verificationToken to it (events are refused until then)`
    : "webhook: no verificationToken yet — create the subscription in Notion's Webhooks tab; taskwire keeps the token Notion sends and shows it here (events are refused until it is set)";
  return { ...check, problems: [...check.problems, problem] };
}
