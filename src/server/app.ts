/**
 * The HTTP surface (fastify): webhook intake on raw bytes (signatures are over the exact body), with a
 * body limit; a verified delivery is stored in the inbox before it is acknowledged, and processed from
 * there by the inbox worker. Health, readiness, metrics and the bearer-protected API are added by
 * `routes.ts`. The server owns no state: the store does.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Connector } from '../../connectors/port.js';
import { receiveWebhook } from '../pipeline/webhook-intake.js';
import type { TaskStore } from '../store/store.js';

export interface WebhookStats {
  /** Deliveries by connector and result (accepted, duplicate, rejected, handshake, unknown_connector). */
  count(connector: string, result: string): void;
  /** Time from arrival to the acknowledgement, in seconds. */
  ackSeconds?(seconds: number): void;
}

export interface ServerDeps {
  readonly store: TaskStore;
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly log: Logger;
  readonly bodyLimit: number;
  /** A delivery was stored: wake the inbox worker. */
  readonly onStored?: () => void;
  readonly stats?: WebhookStats;
}

export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: deps.bodyLimit, return503OnClosing: true, forceCloseConnections: 'idle' });
  const intake = { store: deps.store, log: deps.log, ...(deps.onStored ? { onStored: deps.onStored } : {}) };

  void app.register(async (scope) => {
    // Every content type arrives as raw bytes: signatures are computed over exactly what was sent.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.bodyLimit }, (_req, body, done) => done(null, body));
    scope.post<{ Params: { name: string } }>('/webhooks/:name', async (req, reply) => {
      const started = process.hrtime.bigint();
      const connector = deps.connectors.get(req.params.name);
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const answer = await receiveWebhook(intake, connector, raw, req.headers);
      deps.stats?.count(req.params.name, answer.result);
      deps.stats?.ackSeconds?.(Number(process.hrtime.bigint() - started) / 1e9);
      if (answer.contentType) void reply.type(answer.contentType);
      return reply.code(answer.status).send(answer.body);
    });
  });

  return app;
}
