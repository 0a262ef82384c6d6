/** A Slack connector instance: client, capture settings, events (HTTP or Socket Mode), poll, writes, people. */
import type { ExternalAccount, Priority } from '../../src/core/model.js';
import { withSignal } from '../kit/http-policy.js';
import type { Connector, ConnectorContext, OnlineCheck } from '../port.js';
import { SlackClient } from './client.js';
import type { SlackConfig } from './config.js';
import type { InboundDeps } from './inbound.js';
import { DEFAULT_PRIORITY_WORDS, type SlackNormalizeContext } from './normalize.js';
import { pollSlack } from './poll.js';
import { socketChannel } from './socket.js';
import type { SlackUser } from './types.js';
import { slackWebhook } from './webhook.js';
import { writeSlack } from './write.js';

export interface SlackConnector extends Connector {
  readonly client: SlackClient;
}

/** Names are refreshed at most this often (mentions in titles read as @name). */
const NAMES_TTL_MS = 60 * 60 * 1000;

export function createSlack(config: SlackConfig, context: ConnectorContext): SlackConnector {
  const client = new SlackClient(config, context.log, context.timing, { timezone: context.timezone, ...(context.signal ? { signal: context.signal } : {}) });
  let names: { at: number; map: Map<string, string> } | null = null;
  const nameMap = async () => {
    if (names === null || Date.now() - names.at > NAMES_TTL_MS) {
      const map = new Map<string, string>();
      for await (const u of listUsers(client)) map.set(u.id, u.profile?.display_name || u.real_name || u.name || u.id);
      names = { at: Date.now(), map };
    }
    return names.map;
  };
  // Channel names, looked up once per channel (conversations.info; channels:read). A failure leaves the id.
  const channelNames = new Map<string, string>();
  const channelName = async (id: string) => {
    if (channelNames.has(id)) return;
    try {
      const r = await client.call('conversations.info', (w) => w.conversations.info({ channel: id }));
      channelNames.set(id, r.channel?.name ?? id);
    } catch (err) {
      context.log.debug({ connector: config.name, channel: id, err: (err as Error).message }, 'channel name not readable; the id is used');
      channelNames.set(id, id);
    }
  };
  const priorityWords = { ...DEFAULT_PRIORITY_WORDS, ...(config.priorityWords ?? {}) } as Record<Priority, readonly string[]>;
  const ctx = async (): Promise<SlackNormalizeContext> => {
    const me = await client.whoAmI();
    for (const c of config.channels) await channelName(c);
    return {
      timezone: context.timezone,
      workspaceUrl: me.url,
      captureReaction: config.captureReaction,
      doneReaction: config.doneReaction,
      ownerFrom: config.ownerFrom,
      priorityWords,
      botUserId: me.userId,
      names: await nameMap(),
      channelNames,
      acceptanceCriteriaHeading: config.acceptanceCriteriaHeading,
    };
  };
  const deps: InboundDeps = { client, config, ctx };
  const inbound = config.socketMode ? socketChannel(deps, config, context.log) : undefined;
  return {
    name: config.name,
    kind: 'slack',
    client,
    poll: (cursor, signal) => pollSlack(deps, cursor, signal),
    ...(!config.socketMode ? { webhook: slackWebhook(deps) } : {}),
    ...(inbound ? { inbound } : {}),
    write: (action, opts) => withSignal(opts?.signal, () => writeSlack(client, config, action, opts)),
    resolvePeople: () => people(client, config.name),
    checkOnline: () => checkSlack(client, config),
    stats: () => ({ requests: client.requests, rateRemaining: null, rateLimit: null }),
    close: async () => inbound?.stop(),
  };
}

async function* listUsers(client: SlackClient): AsyncGenerator<SlackUser> {
  let cursor: string | undefined;
  do {
    const r = await client.call('users.list', (w) => w.users.list({ limit: 200, ...(cursor ? { cursor } : {}) }));
    for (const u of (r.members ?? []) as SlackUser[]) yield u;
    cursor = r.response_metadata?.next_cursor || undefined;
  } while (cursor);
}

/** Workspace members with their emails (users:read.email), for the identity registry; bots left out. */
async function* people(client: SlackClient, connector: string): AsyncGenerator<ExternalAccount> {
  for await (const u of listUsers(client)) {
    if (u.deleted || u.is_bot || u.is_app_user || u.id === 'USLACKBOT') continue;
    const name = u.profile?.real_name || u.real_name || u.name;
    yield { kind: 'slack', id: u.id, connector, ...(name ? { name } : {}), ...(u.profile?.email ? { email: u.profile.email } : {}) };
  }
}

async function checkSlack(client: SlackClient, config: SlackConfig): Promise<OnlineCheck> {
  const ok: string[] = [];
  const problems: string[] = [];
  try {
    const me = await client.whoAmI();
    ok.push(`authenticated as bot ${me.userId} in ${me.url}`);
  } catch (err) {
    return { ok, problems: [(err as Error).message] };
  }
  for (const channel of config.channels) {
    try {
      await client.call('conversations.history', (w) => w.conversations.history({ channel, limit: 1 }));
      ok.push(`channel ${channel}: readable`);
    } catch (err) {
      problems.push(`channels: ${(err as Error).message}`);
    }
  }
  try {
    const r = await client.call('users.list', (w) => w.users.list({ limit: 5 }));
    const withEmail = ((r.members ?? []) as SlackUser[]).some((u) => u.profile?.email);
    if (withEmail) ok.push('user emails readable (users:read.email)');
    else problems.push('no user emails visible: add the users:read.email scope so people are matched across tools by email');
  } catch (err) {
    problems.push(`users: ${(err as Error).message}`);
  }
  return { ok, problems };
}
