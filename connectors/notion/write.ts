/**
 * Writing back to Notion: one status comment per page — Notion comments cannot hide a marker, so ours
 * is the integration's comment carrying the "taskwire status" signature, found again by listing the
 * page's comments (a crash between creating and recording it never leaves two) and edited in place —
 * and, when allowed (`writes.properties`), status and verified pushed into the row's properties
 * (setting a property is the same however often it is repeated). Only the integration can edit its own
 * comments in Notion; a person can delete one, and then taskwire does not post it again.
 */
import type { Client } from '@notionhq/client';
import { MARKER_PREFIX } from '../../src/core/text.js';
import { ConnectorError } from '../../src/errors.js';
import type { OutboundAction, WriteOptions, WriteResult } from '../port.js';
import type { NotionClient } from './client.js';
import type { NotionConfig } from './config.js';
import { text } from './normalize.js';
import type { ResolvedSource } from './sources.js';
import type { NotionComment, NotionPage } from './types.js';

export const SIGNATURE = 'taskwire status';

export interface NotionWriteDeps {
  readonly client: NotionClient;
  readonly config: NotionConfig;
  readonly botUserId: () => Promise<string>;
  readonly sources: () => Promise<ResolvedSource[]>;
}

export async function writeNotion(deps: NotionWriteDeps, action: OutboundAction, opts: WriteOptions = {}): Promise<WriteResult> {
  const { config, client } = deps;
  const refuse = (why: string) => new ConnectorError(config.name, why, { retryable: false, status: 422 });
  if (action.type === 'status_comment') {
    if (!config.writes.statusComment) throw refuse('status comments are off (writes.statusComment: false)');
    const body = action.body.split('\n').filter((l) => !l.trim().startsWith(MARKER_PREFIX)).join('\n').trim();
    const signed = body.toLowerCase().includes(SIGNATURE) ? body : `${body}\n— ${SIGNATURE}`;
    const rich = chunks(signed).map((content) => ({ type: 'text' as const, text: { content } }));
    const me = await deps.botUserId();
    const all = await comments(client, action.taskKey);
    // The comment we wrote before, by id (gone: a person deleted it, and it stays deleted), else by author and signature.
    const previousId = opts.previous?.externalId ?? null;
    if (previousId !== null && !all.some((c) => c.id === previousId)) return { externalId: previousId, leftAlone: 'a person deleted the status comment' };
    const ours = all.find((c) => (previousId !== null ? c.id === previousId : text(c.rich_text).toLowerCase().includes(SIGNATURE)) && c.created_by.id === me);
    if (ours) {
      if (text(ours.rich_text) === signed) return { externalId: ours.id };
      await client.call(`comments.update ${ours.id}`, (api: Client) => api.comments.update({ comment_id: ours.id, rich_text: rich }), { lane: 'notify', idempotent: true });
      return { externalId: ours.id };
    }
    const created = (await client.call(`comments.create ${action.taskKey}`, (api: Client) => api.comments.create({ parent: { page_id: action.taskKey }, rich_text: rich }), { lane: 'notify' })) as unknown as NotionComment;
    return { externalId: created.id };
  }
  if (action.type === 'status_push') {
    if (!config.writes.properties) throw refuse('property writes are off (writes.properties: false)');
    const page = (await client.call(`pages.retrieve ${action.taskKey}`, (api: Client) => api.pages.retrieve({ page_id: action.taskKey }))) as unknown as NotionPage;
    const source = (await deps.sources()).find((s) => s.id === page.parent.data_source_id);
    if (!source) throw refuse(`page ${action.taskKey} is not in a configured data source`);
    const properties: Record<string, unknown> = {};
    const statusName = Object.entries(source.statusMap).find(([, v]) => v === (action.status === 'verified' && source.properties.verified ? 'done' : action.status))?.[0];
    const statusType = source.schema[source.properties.status];
    // The option as the schema spells it (the value map is lowercased).
    const option = statusName ? source.options[source.properties.status]?.find((o) => o.toLowerCase() === statusName) : undefined;
    if (option && (statusType === 'status' || statusType === 'select')) properties[source.properties.status] = { [statusType]: { name: option } };
    if (action.status === 'verified' && source.properties.verified) properties[source.properties.verified] = { checkbox: true };
    if (Object.keys(properties).length === 0) throw refuse(`no property value means "${action.status}" in ${source.title} (statusMap)`);
    await client.call(`pages.update ${action.taskKey}`, (api: Client) => api.pages.update({ page_id: action.taskKey, properties: properties as never }), { lane: 'write', idempotent: true });
    return { externalId: null, url: page.url };
  }
  throw refuse(`Notion cannot send a ${action.type}`);
}

async function comments(client: NotionClient, pageId: string): Promise<NotionComment[]> {
  const out: NotionComment[] = [];
  let start: string | undefined;
  do {
    const r = (await client.call(`comments.list ${pageId}`, (api: Client) => api.comments.list({ block_id: pageId, page_size: 100, ...(start ? { start_cursor: start } : {}) }))) as unknown as { results: NotionComment[]; has_more: boolean; next_cursor: string | null };
    out.push(...r.results);
    start = r.has_more && r.next_cursor ? r.next_cursor : undefined;
  } while (start);
  return out;
}

/** Notion's rich-text items hold at most 2,000 characters each. */
function chunks(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += 2000) out.push(s.slice(i, i + 2000));
  return out.length > 0 ? out : [''];
}
