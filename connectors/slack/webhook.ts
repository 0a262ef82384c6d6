/**
 * Slack requests over HTTP (Events API and interactivity): `X-Slack-Signature: v0=<hex>` = HMAC-SHA256
 * of `v0:<X-Slack-Request-Timestamp>:<raw body>` with the signing secret, compared in constant time;
 * timestamps more than 5 minutes off are rejected (replays); `url_verification` answered with its
 * challenge; retries (`X-Slack-Retry-Num`) deduplicated by `event_id`.
 * https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
import { WebhookVerificationError } from '../../src/errors.js';
import { header, matchesAnySecret } from '../kit/hmac.js';
import type { Headers, ParsedDelivery, Reply, WebhookHandler } from '../port.js';
import { deliveryIdOf, handleBody, type InboundDeps } from './inbound.js';

const MAX_SKEW_S = 5 * 60;

/** A body as Slack sends it: JSON (events) or form-encoded `payload=<json>` (interactivity). */
export function bodyOf(raw: Buffer, headers: Headers): unknown {
  const text = raw.toString('utf8');
  const type = header(headers, 'content-type') ?? '';
  if (type.includes('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(text);
    const payload = form.get('payload');
    if (payload !== null) return JSON.parse(payload) as unknown;
    return Object.fromEntries(form);
  }
  return JSON.parse(text) as unknown;
}

export function slackWebhook(deps: InboundDeps, now: () => number = Date.now): WebhookHandler {
  const secret = deps.config.signingSecret;
  if (!secret) throw new Error(`${deps.config.name}: signingSecret is empty`); // the schema prevents this
  return {
    verify(raw: Buffer, headers: Headers): void {
      const signature = header(headers, 'x-slack-signature');
      const ts = header(headers, 'x-slack-request-timestamp');
      if (!signature || !ts) throw new WebhookVerificationError('missing X-Slack-Signature or X-Slack-Request-Timestamp header', 401);
      const at = Number(ts);
      if (!Number.isFinite(at) || Math.abs(now() / 1000 - at) > MAX_SKEW_S) throw new WebhookVerificationError('X-Slack-Request-Timestamp is more than 5 minutes off (a replay, or a wrong clock)', 401);
      if (!matchesAnySecret([secret], `v0:${ts}:${raw.toString('utf8')}`, signature, { algorithm: 'sha256', prefix: 'v0=' })) {
        throw new WebhookVerificationError('X-Slack-Signature does not match signingSecret', 401);
      }
    },

    handshake(raw: Buffer, headers: Headers): Reply | null {
      let body: { type?: string; challenge?: string; ssl_check?: string };
      try {
        body = bodyOf(raw, headers) as typeof body;
      } catch {
        return { status: 400, body: { error: 'body is neither JSON nor a Slack form' } };
      }
      if (body.type === 'url_verification') return { status: 200, body: { challenge: body.challenge ?? '' } };
      if (body.ssl_check === '1') return { status: 200, body: '' };
      return null;
    },

    decode(raw: Buffer, headers: Headers): void {
      let body: unknown;
      try {
        body = bodyOf(raw, headers);
      } catch {
        throw new WebhookVerificationError('body is neither JSON nor a Slack form', 400);
      }
      if (body === null || typeof body !== 'object' || typeof (body as { type?: unknown }).type !== 'string') throw new WebhookVerificationError('body is not a Slack event or interaction (no type)', 400);
    },

    deliveryId: (raw: Buffer, headers: Headers) => deliveryIdOf(bodyOf(raw, headers)),

    parse: async (raw: Buffer, headers: Headers): Promise<ParsedDelivery> => handleBody(deps, bodyOf(raw, headers)),
  };
}
