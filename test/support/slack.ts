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
import type { FastifyInstance } from 'fastify';
import { InboxWorker } from '../../src/pipeline/inbox-worker.js';
import { buildServer } from '../../src/server/app.js';
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
  const connectors = new Map([[connector.name, connector]]);
  const worker = new InboxWorker({ store, connectors, identity, log: silentLog }, { baseBackoffMs: 1 });
  const intake = { store, log: silentLog, onStored: () => void worker.wake() };
  let server: FastifyInstance | null = null;
  const pending = new Set<Promise<unknown>>();
  if (transport === 'http') {
    server = buildServer({ ...intake, connectors, bodyLimit: 1_048_576 });
    await server.listen({ port: 0, host: '127.0.0.1' });
    const port = (server.server.address() as AddressInfo).port;
    fake.setDelivery({ mode: 'http', url: `http://127.0.0.1:${port}/webhooks/slack-acme`, signingSecret: SIGNING_SECRET });
  } else {
    fake.setDelivery({ mode: 'socket' });
    await connector.inbound!.start(async (d) => {
      const p = receiveInbound(intake, connector, d);
      pending.add(p);
      return p.finally(() => pending.delete(p));
    });
    await fake.socketConnected();
  }
  const settle = async () => {
    // Stored before the acknowledgement, processed just after: give it a turn, then drain the inbox.
    await new Promise((r) => setTimeout(r, 20));
    await Promise.all([...pending]);
    await worker.wake();
  };
  return {
    fake,
    store,
    connector,
    settle,
    stop: async () => {
      await settle();
      await connector.close?.();
      await server?.close();
      await fake.stop();
      await store.close();
    },
  };
}
