/**
 * Incremental capture per data source: rows edited on or after the cursor minus an overlap (Notion
 * rounds `last_edited_time` down to the minute), oldest first, 100 a page by `start_cursor`, the cursor
 * saved after every page. One query returns at most 10,000 rows; when Notion says the result was cut
 * (`request_status: incomplete`), a new query continues from the newest edit read. Relations and people
 * holding more than the 25 references a page carries inline are read in full.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@notionhq/client';
import type { Cursor, SourceItem } from '../../src/core/model.js';
import type { NotionClient } from './client.js';
import type { NotionConfig } from './config.js';
import { toTask, truncatedProperties, type NotionSourceContext } from './normalize.js';
import type { ResolvedSource } from './sources.js';
import type { NotionPage } from './types.js';

interface SourceCursor {
  readonly since: string | null;
  /** A pass in progress: the bound its query used, its next page, the newest edit seen. */
  readonly pass: { readonly from: string | null; readonly start: string | null; readonly high: string | null } | null;
}

export interface NotionCursor extends Cursor {
  readonly v: 1;
  readonly scope: string;
  readonly sources: Readonly<Record<string, SourceCursor>>;
}

export interface NotionPollDeps {
  readonly client: NotionClient;
  readonly config: NotionConfig;
  readonly sources: () => Promise<ResolvedSource[]>;
  readonly ctxFor: (source: ResolvedSource) => Promise<NotionSourceContext>;
}

type QueryResult = { results: NotionPage[]; has_more: boolean; next_cursor: string | null; request_status?: { type: string; incomplete_reason?: string } };

export async function* pollNotion(deps: NotionPollDeps, previous: Cursor | null, signal: AbortSignal): AsyncGenerator<{ items: SourceItem[]; cursor: Cursor }> {
  const sources = await deps.sources();
  const scope = createHash('sha256').update(JSON.stringify(sources.map((s) => s.id).sort())).digest('hex').slice(0, 16);
  const prev = previous as NotionCursor | null;
  let cursor: NotionCursor = prev?.v === 1 && prev.scope === scope ? prev : { v: 1, scope, sources: {} };
  for (const source of sources) {
    const ctx = await deps.ctxFor(source);
    let sc: SourceCursor = cursor.sources[source.id] ?? { since: null, pass: null };
    let from = sc.pass?.from ?? (sc.since ? new Date(Date.parse(sc.since) - deps.config.overlap).toISOString() : null);
    let start = sc.pass?.start ?? null;
    let high = sc.pass?.high ?? sc.since;
    for (;;) {
      signal.throwIfAborted();
      const res = await query(deps.client, source.id, from, start);
      const items: SourceItem[] = [];
      for (const page of res.results) {
        if (page.in_trash || page.archived) {
          items.push({ type: 'deleted', key: page.id, at: page.last_edited_time });
          continue;
        }
        items.push({ type: 'task', task: toTask(page, { ...ctx, fullLists: await fullLists(deps.client, page) }) });
        if (high === null || page.last_edited_time > high) high = page.last_edited_time;
      }
      const cut = !res.has_more && res.request_status?.type === 'incomplete';
      if (res.has_more && res.next_cursor) {
        sc = { since: sc.since, pass: { from, start: res.next_cursor, high } };
      } else if (cut && high !== null && high !== from) {
        // 10,000 rows read: a new query from the newest edit read (rows at that minute are read again, harmlessly).
        sc = { since: sc.since, pass: { from: high, start: null, high } };
      } else {
        sc = { since: high, pass: null };
      }
      cursor = { ...cursor, sources: { ...cursor.sources, [source.id]: sc } };
      yield { items, cursor };
      if (sc.pass === null) break;
      from = sc.pass.from;
      start = sc.pass.start;
    }
  }
}

async function query(client: NotionClient, id: string, from: string | null, start: string | null): Promise<QueryResult> {
  return (await client.call(`dataSources.query ${id}`, (api: Client) =>
    api.dataSources.query({
      data_source_id: id,
      page_size: 100,
      sorts: [{ timestamp: 'last_edited_time', direction: 'ascending' }],
      ...(from ? { filter: { timestamp: 'last_edited_time', last_edited_time: { on_or_after: from } } } : {}),
      ...(start ? { start_cursor: start } : {}),
    }),
  )) as unknown as QueryResult;
}

/** Full lists of a page's relation / people properties cut at 25 inline references. */
export async function fullLists(client: NotionClient, page: NotionPage): Promise<Map<string, unknown[]>> {
  const out = new Map<string, unknown[]>();
  for (const { id } of truncatedProperties(page)) {
    const all: unknown[] = [];
    let start: string | undefined;
    do {
      const r = (await client.call(`pages.properties.retrieve ${page.id}/${id}`, (api: Client) => api.pages.properties.retrieve({ page_id: page.id, property_id: id, ...(start ? { start_cursor: start } : {}) }))) as unknown as {
        results?: { type: string; relation?: { id: string }; people?: unknown }[];
        has_more?: boolean;
        next_cursor?: string | null;
      };
      for (const item of r.results ?? []) all.push(item.type === 'relation' ? item.relation : item.people);
      start = r.has_more && r.next_cursor ? r.next_cursor : undefined;
    } while (start);
    out.set(id, all);
  }
  return out;
}

/** Every live row id of every data source (for deletions no webhook reported). */
export async function liveKeys(client: NotionClient, sources: readonly ResolvedSource[]): Promise<string[]> {
  const ids: string[] = [];
  for (const s of sources) {
    let start: string | null = null;
    do {
      const r: QueryResult = await query(client, s.id, null, start);
      ids.push(...r.results.filter((p) => !p.in_trash && !p.archived).map((p) => p.id));
      start = r.has_more ? r.next_cursor : null;
      if (!r.has_more && r.request_status?.type === 'incomplete') throw new Error(`${s.title}: more than 10,000 rows — a complete listing is not possible; deletions are left to webhooks`);
    } while (start);
  }
  return ids;
}
