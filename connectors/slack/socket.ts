/**
 * Socket Mode, for installs with no public ingress: @slack/socket-mode connects out with the app-level
 * token (`apps.connections.open` → a WebSocket), stores each envelope in the inbox, then acknowledges it,
 * and the inbox hands the same payloads the Events API would POST to the same handler (`inbound.ts`).
 */
import { SocketModeClient } from '@slack/socket-mode';
import type { Logger } from 'pino';
import type { InboundChannel, InboundDelivery } from '../port.js';
import type { SlackConfig } from './config.js';
import { deliveryIdOf, handleBody, type InboundDeps } from './inbound.js';

export function socketChannel(deps: InboundDeps, config: SlackConfig, log: Logger): InboundChannel {
  let client: SocketModeClient | null = null;
  return {
    async start(deliver: (d: InboundDelivery) => Promise<boolean>): Promise<void> {
      const logger = {
        debug: () => undefined,
        info: () => undefined,
        warn: (...m: unknown[]) => log.warn({ connector: config.name }, m.map(String).join(' ')),
        error: (...m: unknown[]) => log.error({ connector: config.name }, m.map(String).join(' ')),
        setLevel: () => undefined,
        getLevel: () => 'info' as never,
        setName: () => undefined,
      };
      client = new SocketModeClient({ appToken: config.appToken ?? '', logger, clientOptions: { slackApiUrl: `${config.slackApiUrl}/` } });
      client.on('slack_event', (e: { ack: () => Promise<void>; type: string; body: unknown }) => {
        void (async () => {
          const deliveryId = e.type === 'events_api' || e.type === 'interactive' ? deliveryIdOf(e.body) : '';
          // Stored first, acknowledged after (Slack wants it within 3 seconds; storing takes
          // milliseconds): a crash in between means Slack sends it again, never that it is lost.
          if (deliveryId) await deliver({ deliveryId, body: Buffer.from(JSON.stringify(e.body)), headers: { 'content-type': 'application/json' } });
          await e.ack();
        })().catch((err: unknown) => log.warn({ connector: config.name, err: (err as Error).message }, 'Socket Mode delivery not stored; Slack will send it again'));
      });
      await client.start();
    },
    parse: async (raw) => handleBody(deps, JSON.parse(raw.toString('utf8')) as unknown),
    async stop(): Promise<void> {
      const c = client;
      client = null;
      await c?.disconnect();
    },
  };
}
