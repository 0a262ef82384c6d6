/** A Notion connector against the Notion fake on 127.0.0.1. */
import { notionConfigSchema, type NotionConfig } from '../../connectors/notion/config.js';
import { createNotion, type NotionConnector } from '../../connectors/notion/connector.js';
import { NotionFake, type NotionFakeOptions, type NotionScenario, type NotionSourceSeed } from '../../connectors/notion/fake.js';
import { silentLog } from './github.js';

export const DS = '2f1a0000-0000-4000-8000-00000000d501';
export const DB = '0f3a9d1e-2c4b-4f6a-8b7c-9d0e1f2a3b4c';

export const NOTION_USERS = [
  { id: 'u0000000-0000-4000-8000-0000000priya', name: 'Priya Nair', email: 'priya@example.com' },
  { id: 'u0000000-0000-4000-8000-00000000alex', name: 'Alex Kim', email: 'alex@example.com' },
];

export const SCHEMA: NotionSourceSeed['schema'] = {
  Name: 'title',
  Assignee: 'people',
  Due: 'date',
  Status: { type: 'status', options: ['Not started', 'In progress', 'Blocked', 'Done'] },
  Priority: { type: 'select', options: ['P0', 'P1', 'P2', 'P3'] },
  'Blocked by': 'relation',
  'Parent item': 'relation',
  'Acceptance criteria': 'rich_text',
  Estimate: 'number',
  Verified: 'checkbox',
  Milestone: { type: 'select', options: ['Cutover'] },
};

export interface NotionRig {
  readonly fake: NotionFake;
  readonly config: NotionConfig;
  readonly connector: NotionConnector;
  connect(over?: Record<string, unknown>, timing?: { retryBaseMs?: number; retries?: number; perSecond?: number }): NotionConnector;
}

export async function notionRig(rows: NotionSourceSeed['rows'], over: Record<string, unknown> = {}, fakeOpts: NotionFakeOptions = {}, state?: Map<string, string>): Promise<NotionRig> {
  const scenario: NotionScenario = { users: NOTION_USERS, sources: [{ id: DS, database: DB, title: 'Client A tasks', schema: SCHEMA, rows: rows ?? [] }] };
  const fake = new NotionFake(scenario, { token: 'secret_test', ...fakeOpts });
  await fake.start();
  const kv = state ?? new Map<string, string>();
  const connect = (more: Record<string, unknown> = {}, timing: { retryBaseMs?: number; retries?: number; perSecond?: number } = { retryBaseMs: 5, retries: 3, perSecond: 1000 }) =>
    createNotion(notionConfig(fake.url, { ...over, ...more }), {
      log: silentLog,
      timezone: 'Europe/Berlin',
      timing,
      state: { get: async (k) => kv.get(k) ?? null, set: async (k, v) => void kv.set(k, v) },
    });
  return { fake, config: notionConfig(fake.url, over), connector: connect(), connect };
}

export function notionConfig(baseUrl: string, over: Record<string, unknown> = {}): NotionConfig {
  return notionConfigSchema.parse({
    name: 'notion-acme',
    type: 'notion',
    baseUrl,
    token: 'secret_test',
    dataSources: [{ database: DB, project: 'Client A migration', properties: { parent: 'Parent item', acceptanceCriteria: 'Acceptance criteria', estimate: 'Estimate', verified: 'Verified', milestone: 'Milestone' } }],
    ...over,
  });
}
