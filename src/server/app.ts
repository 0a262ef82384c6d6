/**
 * The HTTP surface (fastify): webhook intake on raw bytes (signatures are over the exact body), with a
 * body limit, answered fast and processed after, in order per connector; health, readiness, metrics and
 * the bearer-protected API are added by `routes.ts`. The server owns no state: the store does.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import type { Connector } from '../../connectors/port.js';
import type { Identity } from '../core/identity.js';
import { receiveWebhook, type ProcessOutcome } from '../pipeline/webhook-intake.js';
import type { ApplyResult, TaskStore } from '../store/store.js';

export interface WebhookStats {
  /** Deliveries by connector and result (accepted, duplicate, rejected, handshake, unknown_connector, processed, ignored, failed). */
  count(connector: string, result: string): void;
  /** Time from arrival to the acknowledgement, in seconds. */
  ackSeconds?(seconds: number): void;
}

export interface ServerDeps {
  readonly store: TaskStore;
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly identity: () => Identity;
  readonly log: Logger;
  readonly bodyLimit: number;
  readonly onApplied?: (connector: Connector, applied: ApplyResult) => Promise<void>;
  readonly stats?: WebhookStats;
}

export interface WebhookServer {
  readonly app: FastifyInstance;
  /** Waits for deliveries acknowledged but not yet processed (graceful shutdown). */
  drain(): Promise<void>;
  /** Processing work for a connector's deliveries, in arrival order. */
  enqueue(connector: string, work: () => Promise<ProcessOutcome>): Promise<ProcessOutcome>;
}

export function buildServer(deps: ServerDeps): WebhookServer {
  const app = Fastify({ logger: false, bodyLimit: deps.bodyLimit, return503OnClosing: true, forceCloseConnections: 'idle' });
  const queues = new Map<string, PQueue>();
  const queue = (name: string) => {
    let q = queues.get(name);
    if (!q) queues.set(name, (q = new PQueue({ concurrency: 1 })));
    return q;
  };
  const enqueue = (connector: string, work: () => Promise<ProcessOutcome>) => queue(connector).add<ProcessOutcome>(work);

  void app.register(async (scope) => {
    // Every content type arrives as raw bytes: signatures are computed over exactly what was sent.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.bodyLimit }, (_req, body, done) => done(null, body));
    scope.post<{ Params: { name: string } }>('/webhooks/:name', async (req, reply) => {
      const started = process.hrtime.bigint();
      const connector = deps.connectors.get(req.params.name);
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const answer = await receiveWebhook({ store: deps.store, identity: deps.identity, log: deps.log, ...(deps.onApplied ? { onApplied: deps.onApplied } : {}) }, connector, raw, req.headers);
      deps.stats?.count(req.params.name, answer.result);
      if (answer.process && connector) {
        const work = answer.process;
        // After the answer: the tool waits seconds at most, and retries what it thinks failed.
        reply.raw.once('finish', () => {
          void enqueue(connector.name, work).then((o) => deps.stats?.count(connector.name, o.status));
        });
      }
      deps.stats?.ackSeconds?.(Number(process.hrtime.bigint() - started) / 1e9);
      if (answer.contentType) void reply.type(answer.contentType);
      return reply.code(answer.status).send(answer.body);
    });
  });

  return {
    app,
    enqueue,
    drain: async () => {
      await Promise.all([...queues.values()].map((q) => q.onIdle()));
    },
  };
}
