/**
 * Notion webhooks. Every delivery carries `X-Notion-Signature: sha256=<hex>` = HMAC-SHA256 of the raw
 * body keyed with the subscription's verification token, checked in constant time against the
 * configured `webhook.verificationToken` — the only token ever trusted.
 *
 * When a subscription is created Notion POSTs one unsigned `{ verification_token }`. Being unsigned,
 * it proves nothing, so it never adds or replaces a token: with a token configured it changes nothing;
 * without one it is kept aside (masked in logs) for `taskwire check --online` to show, so the operator
 * can paste it into Notion's Verify dialog and into the config. Until the config names a token, events
 * are refused. Events are signals — batched, possibly out of order, retried up to 8 times — so the page
 * is read again; the event `id` deduplicates.
 * https://developers.notion.com/reference/webhooks
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { SourceItem } from '../../src/core/model.js';
import { WebhookVerificationError } from '../../src/errors.js';
import { header, matchesAnySecret, safeEqual } from '../kit/hmac.js';
import type { ConnectorState, Headers, ParsedDelivery, Reply, WebhookHandler } from '../port.js';
import type { NotionClient } from './client.js';
import type { NotionSourceContext } from './normalize.js';
import { toTask } from './normalize.js';
import { fullLists } from './poll.js';
import type { ResolvedSource } from './sources.js';
import type { NotionPage } from './types.js';

/** Where the unsigned set-up token is kept aside (never trusted) for `taskwire check --online`. */
export const RECEIVED_TOKEN_KEY = 'received_verification_token';

export interface NotionWebhookDeps {
  readonly name: string;
  readonly client: NotionClient;
  readonly configuredToken: string | undefined;
  readonly state: ConnectorState | undefined;
  readonly log: Logger;
  readonly sources: () => Promise<ResolvedSource[]>;
  readonly ctxFor: (source: ResolvedSource) => Promise<NotionSourceContext>;
}

/** The shape every Notion event shares (developers.notion.com/reference/webhooks-events-delivery). */
const eventSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string().min(1),
  timestamp: z.string().min(1),
  entity: z.looseObject({ id: z.string().min(1), type: z.string().min(1) }),
  authors: z.array(z.looseObject({ id: z.string(), type: z.string() })).optional(),
  data: z.looseObject({ page_id: z.string().optional() }).optional(),
});

function readEvent(raw: Buffer): z.infer<typeof eventSchema> {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new WebhookVerificationError('body is not JSON', 400);
  }
  const r = eventSchema.safeParse(body);
  if (!r.success) throw new WebhookVerificationError(`not a Notion event: ${r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`, 400);
  return r.data;
}

const handshakeSchema = z.strictObject({ verification_token: z.string().min(1).max(512) });

/** A secret shown in logs: its shape, never its value (`secret_…9f2a`). */
export const mask = (token: string) => `${token.slice(0, Math.min(7, Math.floor(token.length / 4)))}…${token.slice(-4)}`;

export function notionWebhook(deps: NotionWebhookDeps): WebhookHandler {
  const configured = deps.configuredToken && deps.configuredToken.length > 0 ? deps.configuredToken : null;
  const handshakeToken = (raw: Buffer): string | null => {
    try {
      const r = handshakeSchema.safeParse(JSON.parse(raw.toString('utf8')));
      return r.success ? r.data.verification_token : null;
    } catch {
      return null;
    }
  };

  return {
    verify(raw: Buffer, headers: Headers): void {
      if (handshakeToken(raw) !== null) return; // the one unsigned request: handshake() keeps it aside, trusts nothing
      if (configured === null) throw new WebhookVerificationError('no verification token is configured: events are refused until webhook.verificationToken is set (taskwire check --online shows the token Notion sent)', 401);
      const signature = header(headers, 'x-notion-signature');
      if (!signature) throw new WebhookVerificationError('missing X-Notion-Signature header', 401);
      if (!matchesAnySecret([configured], raw, signature, { algorithm: 'sha256', prefix: 'sha256=' })) throw new WebhookVerificationError('X-Notion-Signature does not match webhook.verificationToken', 401);
    },

    async handshake(raw: Buffer): Promise<Reply | null> {
      const token = handshakeToken(raw);
      if (token === null) return null;
      if (configured !== null) {
        // Unsigned: it cannot change what is trusted. (Notion sends it only when a subscription is created.)
        if (!safeEqual(token, configured)) deps.log.warn({ connector: deps.name, received: mask(token) }, 'a Notion verification request with another token was ignored: the configured webhook.verificationToken stays the only one trusted (a new subscription? set its token in the config)');
        return { status: 200, body: { ok: true } };
      }
      await deps.state?.set(RECEIVED_TOKEN_KEY, token);
      deps.log.warn(
        { connector: deps.name, received: mask(token) },
        `Notion sent the webhook verification token: run taskwire check --online to see it, paste it into the integration's Webhooks tab → Verify, and set webhook.verificationToken for ${deps.name} to it (events are refused until then)`,
      );
      return { status: 200, body: { ok: true } };
    },

    decode(raw: Buffer): void {
      readEvent(raw);
    },

    deliveryId: (raw: Buffer) => {
      try {
        const id = (JSON.parse(raw.toString('utf8')) as { id?: unknown }).id;
        return typeof id === 'string' ? id : '';
      } catch {
        return '';
      }
    },

    async parse(raw: Buffer): Promise<ParsedDelivery> {
      const e = readEvent(raw);
      if (e.type.startsWith('comment.')) {
        const pageId = e.data?.page_id;
        if (!pageId || e.type === 'comment.deleted') return { items: [], ignored: `${e.type} is not used` };
        const person = e.authors?.find((a) => a.type === 'person');
        return { items: [{ type: 'activity', key: pageId, at: e.timestamp, actor: person ? 'human' : 'bot', ...(e.authors?.[0] ? { actorId: e.authors[0].id } : {}), what: 'comment' }] };
      }
      if (e.type.startsWith('page.') && e.entity.type === 'page') {
        // Even page.deleted is read again: the page says whether it is in the trash now (events come out of order).
        const page = await retrieve(deps.client, e.entity.id);
        if (page === null) return e.type === 'page.deleted' ? { items: [{ type: 'deleted', key: e.entity.id, at: e.timestamp }] } : { items: [], ignored: 'the page is not shared with the integration (or is gone)' };
        const source = (await deps.sources()).find((s) => s.id === page.parent.data_source_id);
        if (!source) return { items: [], ignored: 'page is not in a configured data source' };
        if (page.in_trash || page.archived) return { items: [{ type: 'deleted', key: page.id, at: page.last_edited_time }] };
        const ctx = await deps.ctxFor(source);
        const items: SourceItem[] = [{ type: 'task', task: toTask(page, { ...ctx, fullLists: await fullLists(deps.client, page) }) }];
        const person = e.authors?.find((a) => a.type === 'person');
        if (person) items.push({ type: 'activity', key: page.id, at: e.timestamp, actor: 'human', actorId: person.id, what: e.type });
        return { items };
      }
      return { items: [], ignored: `event ${e.type} is not used` };
    },
  };
}

/** The page as it is now; null when Notion no longer shows it to the integration (deleted, or unshared). */
async function retrieve(client: NotionClient, id: string): Promise<NotionPage | null> {
  try {
    return (await client.call(`pages.retrieve ${id}`, (api) => api.pages.retrieve({ page_id: id }))) as unknown as NotionPage;
  } catch (err) {
    if ((err as { status?: number }).status === 404) return null;
    throw err;
  }
}
