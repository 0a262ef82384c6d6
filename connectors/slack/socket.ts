/**
 * Socket Mode, for installs with no public ingress: @slack/socket-mode connects out with the app-level
 * token (`apps.connections.open` → a WebSocket), acknowledges each envelope at once, and hands the same
 * payloads the Events API would POST to the same handler (`inbound.ts`).
 */
import { SocketModeClient } from '@slack/socket-mode';
import type { Logger } from 'pino';
import type { InboundChannel, InboundDelivery } from '../port.js';
import type { SlackConfig } from './config.js';
import { deliveryIdOf, handleBody, type InboundDeps } from './inbound.js';

export function socketChannel(deps: InboundDeps, config: SlackConfig, log: Logger): InboundChannel {
  let client: SocketModeClient | null = null;
  return {
    async start(deliver: (d: InboundDelivery) => Promise<void>): Promise<void> {
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
          await e.ack(); // Slack wants the acknowledgement within 3 seconds; the work comes after
          if (e.type !== 'events_api' && e.type !== 'interactive') return;
          const deliveryId = deliveryIdOf(e.body);
          if (!deliveryId) return;
          await deliver({ deliveryId, parse: () => handleBody(deps, e.body) });
        })().catch((err: unknown) => log.warn({ connector: config.name, err }, 'Socket Mode delivery failed'));
      });
      await client.start();
    },
    async stop(): Promise<void> {
      const c = client;
      client = null;
      await c?.disconnect();
    },
  };
}
