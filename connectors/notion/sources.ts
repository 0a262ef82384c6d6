/**
 * The configured data sources, resolved: a database id becomes its data sources (API 2025-09-03), each
 * with its schema (property names → types), its property map and value maps, and its project name.
 */
import type { Client } from '@notionhq/client';
import type { NotionClient } from './client.js';
import type { NotionConfig } from './config.js';
import { valueMaps, type PropertyMap } from './normalize.js';

export interface ResolvedSource {
  readonly id: string;
  readonly title: string;
  readonly project: string;
  readonly properties: PropertyMap;
  readonly statusMap: ReturnType<typeof valueMaps>['statusMap'];
  readonly priorityMap: ReturnType<typeof valueMaps>['priorityMap'];
  /** Property name → Notion type, from the data source's schema. */
  readonly schema: Readonly<Record<string, string>>;
  /** Property name → the option names of a status or select property. */
  readonly options: Readonly<Record<string, readonly string[]>>;
}

type Options = { options?: { name: string }[] };
type DataSourceInfo = { id: string; title?: { plain_text: string }[]; properties?: Record<string, { type: string; status?: Options; select?: Options }> };

export async function resolveSources(client: NotionClient, config: NotionConfig): Promise<ResolvedSource[]> {
  const out: ResolvedSource[] = [];
  for (const s of config.dataSources) {
    const ids = s.id
      ? [s.id]
      : ((await client.call(`databases.retrieve ${s.database ?? ''}`, (api: Client) => api.databases.retrieve({ database_id: s.database! }))) as unknown as { data_sources?: { id: string }[] }).data_sources?.map((d) => d.id) ?? [];
    for (const id of ids) {
      const ds = (await client.call(`dataSources.retrieve ${id}`, (api: Client) => api.dataSources.retrieve({ data_source_id: id }))) as unknown as DataSourceInfo;
      const title = (ds.title ?? []).map((t) => t.plain_text).join('') || id;
      out.push({
        id,
        title,
        project: s.project ?? title,
        properties: s.properties,
        ...valueMaps(s),
        schema: Object.fromEntries(Object.entries(ds.properties ?? {}).map(([name, p]) => [name, p.type])),
        options: Object.fromEntries(Object.entries(ds.properties ?? {}).map(([name, p]) => [name, (p.status ?? p.select)?.options?.map((o) => o.name) ?? []])),
      });
    }
  }
  return out;
}

/** Configured property names that do not exist in the data source, or have a type that cannot hold that field. */
export function schemaProblems(source: ResolvedSource): string[] {
  const want: Record<keyof PropertyMap, readonly string[]> = {
    title: ['title'],
    owner: ['people'],
    due: ['date'],
    status: ['status', 'select'],
    priority: ['select', 'status'],
    blockedBy: ['relation'],
    parent: ['relation'],
    acceptanceCriteria: ['rich_text'],
    estimate: ['number'],
    spent: ['number'],
    verified: ['checkbox'],
    milestone: ['select', 'rich_text', 'date', 'relation'],
  };
  const problems: string[] = [];
  for (const [field, types] of Object.entries(want) as [keyof PropertyMap, readonly string[]][]) {
    const name = source.properties[field];
    if (name === undefined) continue;
    const type = source.schema[name];
    if (type === undefined) problems.push(`${source.title}: properties.${field}: no property named "${name}" (has: ${Object.keys(source.schema).join(', ')})`);
    else if (!types.includes(type)) problems.push(`${source.title}: properties.${field}: "${name}" is a ${type} property; it must be ${types.join(' or ')}`);
  }
  return problems;
}
