/**
 * Webhook intake, independent of the HTTP server: verify → handshake → record the delivery (a retry of
 * one already recorded is acknowledged and dropped) → acknowledge; the caller runs `process` after the
 * answer went out (a tool waits seconds at most), in order per connector. A bad delivery gets a 4xx and
 * stores nothing; one that fails while processing is marked failed, and polling catches up with it.
 */
import type { Logger } from 'pino';
import type { Connector, InboundDelivery, ParsedDelivery } from '../../connectors/port.js';
import type { Identity } from '../core/identity.js';
import { WebhookVerificationError } from '../errors.js';
import type { ApplyResult, TaskStore } from '../store/store.js';
import { ingestPage } from './ingest.js';

export interface IntakeAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly contentType?: string;
  /** What the delivery was: for logs and metrics. */
  readonly result: 'accepted' | 'duplicate' | 'handshake' | 'rejected' | 'unknown_connector';
  /** The work to do after answering (absent when there is nothing to do). */
  readonly process?: () => Promise<ProcessOutcome>;
}

export interface ProcessOutcome {
  readonly status: 'processed' | 'ignored' | 'failed';
  readonly applied?: ApplyResult;
  readonly detail?: string;
}

export interface IntakeDeps {
  readonly store: TaskStore;
  readonly identity: () => Identity;
  readonly log: Logger;
  /** Called with what a processed delivery changed (for incremental evaluation). */
  readonly onApplied?: (connector: Connector, applied: ApplyResult) => Promise<void>;
}

export async function receiveWebhook(deps: IntakeDeps, connector: Connector | undefined, rawBody: Buffer, headers: Readonly<Record<string, string | string[] | undefined>>): Promise<IntakeAnswer> {
  if (!connector?.webhook) return { status: 404, body: { error: 'no connector with webhooks by that name' }, result: 'unknown_connector' };
  const hook = connector.webhook;
  try {
    hook.verify(rawBody, headers);
  } catch (err) {
    if (err instanceof WebhookVerificationError) {
      deps.log.warn({ connector: connector.name, reason: err.message }, 'webhook rejected');
      return { status: err.status, body: { error: err.message }, result: 'rejected' };
    }
    throw err;
  }
  const reply = hook.handshake?.(rawBody, headers) ?? null;
  if (reply) return { status: reply.status, body: reply.body, ...(reply.contentType ? { contentType: reply.contentType } : {}), result: 'handshake' };

  const deliveryId = hook.deliveryId(rawBody, headers);
  if (!deliveryId) return { status: 400, body: { error: 'the delivery carries no id' }, result: 'rejected' };
  if (!(await deps.store.recordDelivery(connector.name, deliveryId, 'received'))) {
    return { status: 200, body: { ok: true, duplicate: true }, result: 'duplicate' };
  }
  return { status: 200, body: { ok: true }, result: 'accepted', process: () => processDelivery(deps, connector, deliveryId, () => hook.parse(rawBody, headers)) };
}

/**
 * A delivery from a connector's own connection (Slack Socket Mode), already acknowledged to the tool:
 * recorded (a redelivery is dropped) and processed like a webhook.
 */
export async function receiveInbound(deps: IntakeDeps, connector: Connector, delivery: InboundDelivery): Promise<ProcessOutcome | 'duplicate'> {
  if (!(await deps.store.recordDelivery(connector.name, delivery.deliveryId, 'received'))) return 'duplicate';
  return processDelivery(deps, connector, delivery.deliveryId, () => delivery.parse());
}

async function processDelivery(deps: IntakeDeps, connector: Connector, deliveryId: string, parse: () => Promise<ParsedDelivery>): Promise<ProcessOutcome> {
  try {
    const parsed = await parse();
    if (parsed.items.length === 0) {
      await deps.store.setDeliveryStatus(connector.name, deliveryId, 'ignored', parsed.ignored);
      return { status: 'ignored', ...(parsed.ignored ? { detail: parsed.ignored } : {}) };
    }
    const applied = await ingestPage(deps.store, { name: connector.name, kind: connector.kind }, deps.identity(), parsed.items, null);
    await deps.store.setDeliveryStatus(connector.name, deliveryId, 'processed');
    await deps.onApplied?.(connector, applied);
    return { status: 'processed', applied };
  } catch (err) {
    const detail = (err as Error).message;
    deps.log.warn({ connector: connector.name, deliveryId, err }, 'delivery could not be processed; polling will catch up');
    await deps.store.setDeliveryStatus(connector.name, deliveryId, 'failed', detail);
    return { status: 'failed', detail };
  }
}
