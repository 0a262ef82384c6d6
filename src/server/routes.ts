/**
 * Health, readiness, metrics and the read API:
 * - `GET /healthz`: the process answers.
 * - `GET /readyz`: ready or not (503 while starting, stopping, or when the store is not writable) to
 *   anyone; with the API token, also the store's state, each connector's last poll and its error, and
 *   which replica holds which lease (a connector's poll, the evaluator) since when.
 * - `GET /metrics`: Prometheus text.
 * - `GET /api/tasks`, `GET /api/report`: behind `server.apiToken` (a bearer token); off without it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FLAG_CODES, TASK_STATUSES, type FlagCode, type TaskStatus } from '../core/model.js';
import type { Report } from '../core/report/model.js';
import type { TaskStore } from '../store/store.js';
import type { Metrics } from './metrics.js';
import { sameSecret } from './ui/auth.js';

export interface ConnectorState {
  readonly name: string;
  readonly lastSuccessAt: string | null;
  readonly lastError: string | null;
  readonly failingSince: string | null;
}

export interface RouteDeps {
  readonly store: TaskStore;
  readonly metrics: Metrics;
  readonly apiToken: string | undefined;
  readonly ready: () => boolean;
  readonly connectorStates: () => readonly ConnectorState[];
  readonly report: (format: 'json' | 'markdown' | 'html') => Promise<{ report: Report; text: string }>;
}

export function addRoutes(app: FastifyInstance, deps: RouteDeps): void {
  /** The request carries the API token (compared in constant time); never, when no token is set. */
  const authorized = (req: FastifyRequest): boolean => {
    if (!deps.apiToken) return false;
    return sameSecret(/^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '', deps.apiToken);
  };

  app.get('/healthz', async () => ({ ok: true }));

  app.get('/readyz', async (req, reply) => {
    const writable = await deps.store.ping();
    const ready = deps.ready() && writable;
    // Connector errors name hosts and settings: only for those holding the API token.
    if (!authorized(req)) return reply.code(ready ? 200 : 503).send({ ready });
    const leases = writable ? (await deps.store.leases.list()).filter((l) => l.live).map(({ name, holder, token, acquiredAt, expiresAt }) => ({ name, holder, token, since: acquiredAt, expiresAt })) : [];
    return reply.code(ready ? 200 : 503).send({ ready, store: writable ? 'writable' : 'not writable', connectors: deps.connectorStates(), leases });
  });

  app.get('/metrics', async (_req, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });

  const guard = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!deps.apiToken) return reply.code(404).send({ error: 'the API is off: set server.apiToken to turn it on' });
    if (!authorized(req)) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or wrong bearer token' });
    return undefined;
  };

  const CLOSED: string[] = ['done', 'verified', 'cancelled'];
  const OPEN: string[] = TASK_STATUSES.filter((x) => !CLOSED.includes(x));
  app.get<{ Querystring: { flag?: string; owner?: string; connector?: string; status?: string } }>('/api/tasks', { onRequest: guard }, async (req, reply) => {
    const q = req.query;
    if (q.flag !== undefined && !FLAG_CODES.includes(q.flag as FlagCode)) return reply.code(400).send({ error: `flag must be one of ${FLAG_CODES.join(', ')}` });
    // As `taskwire tasks --status`: open, closed, or statuses; every task when absent (an API is for scripts).
    const status = q.status?.split(',').flatMap((s) => (s.trim() === 'open' ? OPEN : s.trim() === 'closed' ? CLOSED : [s.trim()]));
    if (status?.some((s) => !TASK_STATUSES.includes(s as TaskStatus))) return reply.code(400).send({ error: `status must be open, closed or among ${TASK_STATUSES.join(', ')}` });
    const tasks = await deps.store.listTasks({ flag: q.flag as FlagCode | undefined, owner: q.owner, connector: q.connector, status: status as TaskStatus[] | undefined });
    const flags = await deps.store.openFlags();
    const byTask = new Map<string, { code: string; severity: string; reason: string }[]>();
    for (const f of flags) byTask.set(f.taskId, [...(byTask.get(f.taskId) ?? []), { code: f.code, severity: f.severity, reason: f.reason }]);
    return tasks.map((t) => ({ ...t, flags: byTask.get(t.id) ?? [] }));
  });

  app.get<{ Querystring: { format?: string } }>('/api/report', { onRequest: guard }, async (req, reply) => {
    const format = (req.query.format ?? 'json') as 'json' | 'markdown' | 'html';
    if (!['json', 'markdown', 'html'].includes(format)) return reply.code(400).send({ error: 'format must be json, markdown or html' });
    const { text } = await deps.report(format);
    const type = format === 'json' ? 'application/json; charset=utf-8' : format === 'html' ? 'text/html; charset=utf-8' : 'text/markdown; charset=utf-8';
    return reply.type(type).send(text);
  });
}
