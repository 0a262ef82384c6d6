/**
 * A Slack connector against the Slack fake, with its events arriving over HTTP (through the real
 * webhook server) or over Socket Mode — the same tests run on both.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { slackConfigSchema } from '../../connectors/slack/config.js';
import { createSlack, type SlackConnector } from '../../connectors/slack/connector.js';
import { SlackFake, type SlackScenario } from '../../connectors/slack/fake.js';
import { buildIdentity } from '../../src/core/identity.js';
import { receiveInbound } from '../../src/pipeline/webhook-intake.js';
import { buildServer, type WebhookServer } from '../../src/server/app.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { silentLog } from './github.js';

export const SIGNING_SECRET = 'slack-signing-secret';

export interface SlackRig {
  readonly fake: SlackFake;
  readonly store: SqliteStore;
  readonly connector: SlackConnector;
  /** Waits until every delivered event has been processed into the store. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export async function slackRig(transport: 'http' | 'socket', scenario: SlackScenario, over: Record<string, unknown> = {}): Promise<SlackRig> {
  const fake = new SlackFake(scenario, { botToken: 'xoxb-test', appToken: 'xapp-test' });
  await fake.start();
  const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'tw-slack-')), 'tw.db'));
  const identity = () => buildIdentity({ people: [], teams: [], discovered: [] });
  const config = slackConfigSchema.parse({
    name: 'slack-acme',
    type: 'slack',
    slackApiUrl: fake.apiUrl,
    botToken: 'xoxb-test',
    channels: ['C0OPS'],
    ...(transport === 'http' ? { signingSecret: SIGNING_SECRET } : { socketMode: true, appToken: 'xapp-test' }),
    ...over,
  });
  const connector = createSlack(config, { log: silentLog, timezone: 'Europe/Berlin', timing: { retryBaseMs: 5, retries: 2 } });
  let server: WebhookServer | null = null;
  const pending = new Set<Promise<unknown>>();
  if (transport === 'http') {
    server = buildServer({ store, connectors: new Map([[connector.name, connector]]), identity, log: silentLog, bodyLimit: 1_048_576 });
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (server.app.server.address() as AddressInfo).port;
    fake.setDelivery({ mode: 'http', url: `http://127.0.0.1:${port}/webhooks/slack-acme`, signingSecret: SIGNING_SECRET });
  } else {
    fake.setDelivery({ mode: 'socket' });
    await connector.inbound!.start(async (d) => {
      const p = receiveInbound({ store, identity, log: silentLog }, connector, d);
      pending.add(p);
      await p.finally(() => pending.delete(p));
    });
    await fake.socketConnected();
  }
  return {
    fake,
    store,
    connector,
    settle: async () => {
      // Processing starts just after the acknowledgement: give it a turn, then wait for the queues.
      await new Promise((r) => setTimeout(r, 20));
      await server?.drain();
      await Promise.all([...pending]);
    },
    stop: async () => {
      await new Promise((r) => setTimeout(r, 20));
      await server?.drain();
      await Promise.all([...pending]);
      await connector.close?.();
      await server?.app.close();
      await fake.stop();
      await store.close();
    },
  };
}
