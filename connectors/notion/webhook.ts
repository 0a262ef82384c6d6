/**
 * Notion webhooks. When a subscription is created Notion POSTs one unsigned `{ verification_token }`:
 * it is logged with what to do (paste it into Notion's Verify dialog, and into `webhook.verificationToken`)
 * and kept, so deliveries verify even before the config names it. Every other delivery carries
 * `X-Notion-Signature: sha256=<hex>` = HMAC-SHA256 of the raw body keyed with that token, checked in
 * constant time. Events are signals — batched, possibly out of order, retried up to 8 times — so the
 * page is read again; the event `id` deduplicates.
 * https://developers.notion.com/reference/webhooks
 */
import type { Logger } from 'pino';
import type { SourceItem } from '../../src/core/model.js';
import { WebhookVerificationError } from '../../src/errors.js';
import { header, matchesAnySecret } from '../kit/hmac.js';
import type { ConnectorState, Headers, ParsedDelivery, Reply, WebhookHandler } from '../port.js';
import type { NotionClient } from './client.js';
import type { NotionSourceContext } from './normalize.js';
import { toTask } from './normalize.js';
import { fullLists } from './poll.js';
import type { ResolvedSource } from './sources.js';
import type { NotionPage, NotionWebhookEvent } from './types.js';

export const TOKEN_KEY = 'verification_token';

export interface NotionWebhookDeps {
  readonly name: string;
  readonly client: NotionClient;
  readonly configuredToken: string | undefined;
  readonly state: ConnectorState | undefined;
  readonly log: Logger;
  readonly sources: () => Promise<ResolvedSource[]>;
  readonly ctxFor: (source: ResolvedSource) => Promise<NotionSourceContext>;
}

export function notionWebhook(deps: NotionWebhookDeps): WebhookHandler {
  let received: string | null = null;
  // A token Notion sent earlier (before a restart) verifies deliveries until the config names one.
  void deps.state?.get(TOKEN_KEY).then((t) => (received ??= t), () => undefined);
  const tokens = () => [deps.configuredToken, received].filter((t): t is string => typeof t === 'string' && t.length > 0);
  const isHandshake = (raw: Buffer) => {
    try {
      const b = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      return typeof b['verification_token'] === 'string' && Object.keys(b).length === 1;
    } catch {
      return false;
    }
  };

  return {
    verify(raw: Buffer, headers: Headers): void {
      if (isHandshake(raw)) return; // the one unsigned request, answered by handshake()
      const signature = header(headers, 'x-notion-signature');
      if (!signature) throw new WebhookVerificationError('missing X-Notion-Signature header', 401);
      const known = tokens();
      if (known.length === 0) throw new WebhookVerificationError('no verification token yet: set webhook.verificationToken (Notion sends it once, when the subscription is created)', 401);
      if (!matchesAnySecret(known, raw, signature, { algorithm: 'sha256', prefix: 'sha256=' })) throw new WebhookVerificationError('X-Notion-Signature does not match the verification token', 401);
    },

    handshake(raw: Buffer): Reply | null {
      if (!isHandshake(raw)) return null;
      const token = (JSON.parse(raw.toString('utf8')) as { verification_token: string }).verification_token;
      received = token;
      void deps.state?.set(TOKEN_KEY, token);
      deps.log.warn(
        { connector: deps.name },
        `Notion sent the webhook verification token. Paste it into the integration's Webhooks tab → Verify, and set webhook.verificationToken for ${deps.name} to it: ${token}`,
      );
      return { status: 200, body: { ok: true } };
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
      const e = JSON.parse(raw.toString('utf8')) as NotionWebhookEvent;
      if (e.type === 'page.deleted') return { items: [{ type: 'deleted', key: e.entity.id, at: e.timestamp }] };
      if (e.type.startsWith('comment.')) {
        const pageId = e.data?.page_id;
        if (!pageId || e.type === 'comment.deleted') return { items: [], ignored: `${e.type} is not used` };
        const person = e.authors?.find((a) => a.type === 'person');
        return { items: [{ type: 'activity', key: pageId, at: e.timestamp, actor: person ? 'human' : 'bot', ...(e.authors?.[0] ? { actorId: e.authors[0].id } : {}), what: 'comment' }] };
      }
      if (e.type.startsWith('page.') && e.entity.type === 'page') {
        const page = (await deps.client.call(`pages.retrieve ${e.entity.id}`, (api) => api.pages.retrieve({ page_id: e.entity.id }))) as unknown as NotionPage;
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
