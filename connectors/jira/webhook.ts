/**
 * Jira admin webhooks: `X-Hub-Signature: sha256=<hex>` (WebSub style — note the header has no `-256`)
 * checked over the raw bytes in constant time; `X-Atlassian-Webhook-Identifier` (unchanged across
 * Jira's retries) as the dedupe key. Deliveries may repeat and arrive out of order: the store keeps
 * the newest state by `updated`, and link or worklog events re-read the issues they touch.
 * https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks
 */
import type { SourceItem } from '../../src/core/model.js';
import { WebhookVerificationError } from '../../src/errors.js';
import { header, matchesAnySecret } from '../kit/hmac.js';
import type { Headers, ParsedDelivery, WebhookHandler } from '../port.js';
import type { JiraClient } from './client.js';
import type { JiraConfig } from './config.js';
import { actorOf, commentItems, isoOf, type JiraNormalizeContext } from './normalize.js';
import { fieldsOf, itemsFor } from './poll.js';
import type { JiraComment, JiraIssue, JiraUser } from './types.js';

interface Payload {
  readonly timestamp?: number;
  readonly webhookEvent?: string;
  readonly issue_event_type_name?: string;
  readonly user?: JiraUser;
  readonly issue?: JiraIssue;
  readonly comment?: JiraComment;
  readonly issueLink?: { readonly sourceIssueId?: number | string; readonly destinationIssueId?: number | string };
  readonly worklog?: { readonly issueId?: string };
}

export interface JiraWebhookDeps {
  readonly client: JiraClient;
  readonly config: JiraConfig;
  readonly ctx: () => Promise<JiraNormalizeContext>;
}

export function jiraWebhook(deps: JiraWebhookDeps): WebhookHandler {
  const secret = deps.config.webhook?.secret;
  if (!secret) throw new Error(`${deps.config.name}: webhook.secret is empty`); // the schema prevents this

  return {
    verify(rawBody: Buffer, headers: Headers): void {
      const signature = header(headers, 'x-hub-signature');
      if (!signature) throw new WebhookVerificationError('missing X-Hub-Signature header (was the Jira webhook saved with a secret?)', 401);
      if (!header(headers, 'x-atlassian-webhook-identifier')) throw new WebhookVerificationError('missing X-Atlassian-Webhook-Identifier header', 400);
      if (!matchesAnySecret([secret], rawBody, signature, { algorithm: 'sha256', prefix: 'sha256=' })) {
        throw new WebhookVerificationError('X-Hub-Signature does not match webhook.secret', 401);
      }
    },

    decode(rawBody: Buffer): void {
      let p: unknown;
      try {
        p = JSON.parse(rawBody.toString('utf8'));
      } catch {
        throw new WebhookVerificationError('body is not JSON', 400);
      }
      if (p === null || typeof p !== 'object' || typeof (p as { webhookEvent?: unknown }).webhookEvent !== 'string') throw new WebhookVerificationError('body is not a Jira webhook event (no webhookEvent)', 400);
    },

    deliveryId: (_raw: Buffer, headers: Headers) => header(headers, 'x-atlassian-webhook-identifier') ?? '',

    async parse(rawBody: Buffer): Promise<ParsedDelivery> {
      let p: Payload;
      try {
        p = JSON.parse(rawBody.toString('utf8')) as Payload;
      } catch {
        return { items: [], ignored: 'body is not JSON' };
      }
      const ctx = await deps.ctx();
      const event = p.webhookEvent ?? '';
      const at = isoOf(p.timestamp ?? null) ?? isoOf(p.issue?.fields.updated) ?? new Date().toISOString();
      const actor = actorOf(p.user, ctx.selfAccountId);
      switch (event) {
        case 'jira:issue_created':
        case 'jira:issue_updated': {
          if (!p.issue) return { items: [], ignored: `${event} without an issue` };
          const items = itemsFor(p.issue, ctx).map((i) => (i.type === 'task' ? { ...i, actor, ...(p.user ? { actorId: p.user.accountId } : {}) } : i));
          const activity: SourceItem[] = actor === 'human' || actor === 'bot' || actor === 'taskwire' ? [{ type: 'activity', key: p.issue.key, at, actor, ...(p.user ? { actorId: p.user.accountId } : {}), what: p.issue_event_type_name ?? event }] : [];
          return { items: [...items, ...activity] };
        }
        case 'jira:issue_deleted':
          return p.issue ? { items: [{ type: 'deleted', key: p.issue.key, at }] } : { items: [], ignored: 'issue_deleted without an issue' };
        case 'comment_created':
        case 'comment_updated':
          if (!p.issue || !p.comment) return { items: [], ignored: `${event} without an issue or comment` };
          return { items: commentItems(p.issue.key, [p.comment], ctx) };
        case 'issuelink_created':
        case 'issuelink_deleted':
        case 'worklog_created':
        case 'worklog_updated':
        case 'worklog_deleted': {
          // The payloads carry ids only: the issues they touch are read again.
          const ids = [p.issueLink?.sourceIssueId, p.issueLink?.destinationIssueId, p.worklog?.issueId, p.issue?.id].filter((x): x is string | number => x !== undefined && x !== null);
          if (ids.length === 0) return { items: [], ignored: `${event} names no issue` };
          const issues = await Promise.all([...new Set(ids.map(String))].map((id) => refetch(deps, id)));
          return { items: issues.filter((i): i is JiraIssue => i !== null).flatMap((i) => itemsFor(i, ctx)) };
        }
        default:
          return { items: [], ignored: `event ${event || '(none)'} is not used` };
      }
    },
  };
}

async function refetch(deps: JiraWebhookDeps, id: string): Promise<JiraIssue | null> {
  try {
    return (await deps.client.call(`GET issue ${id}`, (api) => api.issues.getIssue({ issueIdOrKey: id, fields: fieldsOf(deps.config), expand: 'changelog' }))) as unknown as JiraIssue;
  } catch (err) {
    if ((err as { status?: number }).status === 404) return null; // gone, or outside what we may see
    throw err;
  }
}
