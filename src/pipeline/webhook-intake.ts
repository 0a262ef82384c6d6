/**
 * Webhook intake, independent of the HTTP server: verify → handshake → delivery id → decode (a signed
 * body that does not parse is a 400) → store it in the inbox (raw body and the headers processing
 * reads, with its dedupe record, in one row) → acknowledge. Only a stored delivery is acknowledged; a
 * retry of one stored before is acknowledged and dropped. Nothing is processed here: the inbox worker
 * (`inbox-worker.ts`) processes from the store, so a crash after the answer loses nothing.
 *
 * A bad delivery gets a 4xx and stores nothing.
 */
import type { Logger } from 'pino';
import type { Connector, Headers, InboundDelivery } from '../../connectors/port.js';
import { WebhookVerificationError } from '../errors.js';
import type { TaskStore } from '../store/store.js';

export interface IntakeAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly contentType?: string;
  /** What the delivery was: for logs and metrics. */
  readonly result: 'accepted' | 'duplicate' | 'handshake' | 'rejected' | 'unknown_connector';
}

export interface IntakeDeps {
  readonly store: TaskStore;
  readonly log: Logger;
  /** A delivery was stored: wake the worker that processes the inbox. */
  readonly onStored?: () => void;
}

/** Headers processing may read (the rest — and never credentials — are not kept). */
const KEPT_HEADER = /^(content-type|x-github-event|x-github-delivery|x-github-hook-installation-target-.*|x-atlassian-webhook-.*|x-slack-retry-.*|x-notion-.*)$/i;

export async function receiveWebhook(deps: IntakeDeps, connector: Connector | undefined, rawBody: Buffer, headers: Headers): Promise<IntakeAnswer> {
  if (!connector?.webhook) return { status: 404, body: { error: 'no connector with webhooks by that name' }, result: 'unknown_connector' };
  const hook = connector.webhook;
  try {
    hook.verify(rawBody, headers);
    const reply = (await hook.handshake?.(rawBody, headers)) ?? null;
    if (reply) return { status: reply.status, body: reply.body, ...(reply.contentType ? { contentType: reply.contentType } : {}), result: 'handshake' };
    hook.decode?.(rawBody, headers);
    const deliveryId = hook.deliveryId(rawBody, headers);
    if (!deliveryId) throw new WebhookVerificationError('the delivery carries no id', 400);
    const stored = await deps.store.inbox.receive({ connector: connector.name, deliveryId, body: rawBody, headers: keptHeaders(headers) });
    if (!stored) return { status: 200, body: { ok: true, duplicate: true }, result: 'duplicate' };
    deps.onStored?.();
    return { status: 200, body: { ok: true }, result: 'accepted' };
  } catch (err) {
    if (!(err instanceof WebhookVerificationError)) throw err;
    deps.log.warn({ connector: connector.name, reason: err.message }, 'webhook rejected');
    return { status: err.status, body: { error: err.message }, result: 'rejected' };
  }
}

/**
 * A delivery from a connector's own connection (Slack Socket Mode): stored like a webhook before the
 * connector acknowledges it to the tool. False for a redelivery of one stored before.
 */
export async function receiveInbound(deps: IntakeDeps, connector: Connector, delivery: InboundDelivery): Promise<boolean> {
  const stored = await deps.store.inbox.receive({ connector: connector.name, deliveryId: delivery.deliveryId, body: delivery.body, headers: delivery.headers });
  if (stored) deps.onStored?.();
  return stored;
}

export function keptHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || !KEPT_HEADER.test(k)) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}
