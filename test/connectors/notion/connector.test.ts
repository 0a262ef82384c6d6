import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NotionRowSeed } from '../../../connectors/notion/fake.js';
import { hmacHex } from '../../../connectors/kit/hmac.js';
import { buildIdentity } from '../../../src/core/identity.js';
import { statusMarker } from '../../../src/core/text.js';
import { pollConnector } from '../../../src/pipeline/poll.js';
import { receiveWebhook } from '../../../src/pipeline/webhook-intake.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import pino from 'pino';
import { createNotion } from '../../../connectors/notion/connector.js';
import { RECEIVED_TOKEN_KEY } from '../../../connectors/notion/webhook.js';
import { drainInbox } from '../../support/inbox.js';
import { silentLog } from '../../support/github.js';
import { DS, NOTION_USERS, notionConfig, notionRig, type NotionRig } from '../../support/notion.js';

const identity = buildIdentity({ people: [], teams: [], discovered: [] });
const rigs: NotionRig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.fake.stop();
});
const PRIYA = NOTION_USERS[0]!.id;
const ALEX = NOTION_USERS[1]!.id;
const id = (n: number) => `1a2b3c4d-0000-4000-8000-${String(n).padStart(12, '0')}`;

function rows(n: number): NotionRowSeed[] {
  const t0 = Date.parse('2026-10-01T08:00:00Z');
  return Array.from({ length: n }, (_, i) => ({
    id: id(i + 1),
    values: { Name: `Row ${i + 1}`, Assignee: i % 3 === 0 ? [PRIYA] : [], Status: i % 4 === 0 ? 'In progress' : 'Not started', Priority: 'P2', Due: i % 2 === 0 ? '2026-12-01' : null, 'Blocked by': i > 0 && i % 10 === 0 ? [id(i)] : [] },
    // Several rows share each minute: Notion rounds last_edited_time down to the minute.
    createdTime: new Date(t0 + Math.floor(i / 7) * 60_000).toISOString(),
    createdBy: PRIYA,
  }));
}

async function rig(seed: NotionRowSeed[], over: Record<string, unknown> = {}, fakeOpts = {}) {
  const r = await notionRig(seed, over, fakeOpts);
  rigs.push(r);
  return { ...r, store: SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'tw-notion-')), 'tw.db')) };
}
const poll = (store: SqliteStore, r: NotionRig, c = r.connector) => pollConnector(store, c, identity, new AbortController().signal);
const queries = (r: NotionRig) => r.fake.server.calls('POST', `/v1/data_sources/${DS}/query`);
const count = (s: SqliteStore, sql: string) => (s.db.prepare(sql).get() as { n: number }).n;

describe('Notion poll against the fake, over HTTP', () => {
  it('resolves the database to its data source and reads every page of rows, oldest edit first', async () => {
    const r = await rig(rows(250));
    const s = await poll(r.store, r);
    expect(s.inserted).toBe(250);
    expect(queries(r)).toHaveLength(3);
    expect(queries(r)[0]!.body).toMatchObject({ sorts: [{ timestamp: 'last_edited_time', direction: 'ascending' }], page_size: 100 });
    expect(await r.store.getTask(`notion-acme:${id(11)}`)).toMatchObject({ dependsOn: [`notion:${id(10)}`], project: 'Client A migration', due: '2026-12-01' });
  });

  it('re-reads the minute-rounded overlap without duplicating history, and picks up an edit', async () => {
    const r = await rig(rows(20));
    await poll(r.store, r);
    const before = count(r.store, 'SELECT count(*) AS n FROM task_history');
    const again = await poll(r.store, r);
    expect(again).toMatchObject({ inserted: 0, updated: 0 });
    expect(count(r.store, 'SELECT count(*) AS n FROM task_history')).toBe(before);
    expect((queries(r).at(-1)!.body as { filter: { last_edited_time: { on_or_after: string } } }).filter.last_edited_time.on_or_after).toMatch(/:00\.000Z$|:\d\d\.\d{3}Z$/);
    await r.fake.edit(id(5), { Status: 'Blocked', Assignee: [ALEX] }, ALEX);
    const next = await poll(r.store, r);
    expect(next.updated).toBe(1);
    expect(await r.store.getTask(`notion-acme:${id(5)}`)).toMatchObject({ status: 'blocked', assignees: [{ id: ALEX, name: 'Alex Kim' }] });
  });

  it('resumes after a failure from the stored page cursor, and waits out a 429', async () => {
    const r = await rig(rows(250));
    let n = 0;
    r.fake.server.fail({ status: 502, times: 4, body: { object: 'error', status: 502, code: 'internal_server_error', message: 'boom' }, match: (q) => q.path.endsWith('/query') && ++n >= 2 });
    await expect(poll(r.store, r)).rejects.toThrow(/502|internal_server_error/);
    expect((await r.store.listTasks()).length).toBe(100);
    r.fake.rateLimit(1, 1, (q) => q.path.endsWith('/query'));
    const started = Date.now();
    const c = r.connect({}, { retryBaseMs: 5, retries: 3, perSecond: 1000 });
    const resumed = await poll(r.store, r, c);
    expect(resumed.inserted).toBe(150);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('reads relations holding more than 25 references in full', async () => {
    const blockers = Array.from({ length: 40 }, (_, i) => id(100 + i));
    const r = await rig([{ id: id(1), values: { Name: 'Cutover', 'Blocked by': blockers }, createdBy: PRIYA }]);
    await poll(r.store, r);
    const t = await r.store.getTask(`notion-acme:${id(1)}`);
    expect(t?.dependsOn).toHaveLength(40);
    expect(r.fake.server.calls('GET', /\/v1\/pages\/.*\/properties\//).length).toBe(2);
  });

  it('continues past the 10,000-row cap of one query with a new query from the newest edit read', async () => {
    const r = await rig(rows(130), {}, { queryLimit: 60 });
    const s = await poll(r.store, r);
    expect(s.inserted).toBe(130);
    expect(queries(r).length).toBeGreaterThanOrEqual(3);
  });
});

describe('Notion webhooks', () => {
  const TOKEN = 'secret_configured_token_4f2a';
  const setup = async (webhook: Record<string, unknown> = { verificationToken: TOKEN }) => {
    const r = await rig(rows(3), { webhook });
    const store = r.store;
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const state = new Map<string, string>();
    const connector = createNotion(notionConfig(r.fake.url, { webhook }), { log, timezone: 'Europe/Berlin', timing: { retryBaseMs: 5, retries: 3, perSecond: 1000 }, state: { get: async (k) => state.get(k) ?? null, set: async (k, v) => void state.set(k, v) } });
    const deps = { store, log };
    const deliver = async (body: unknown, token: string | null) => {
      const raw = Buffer.from(JSON.stringify(body));
      const headers = token === null ? { 'content-type': 'application/json' } : { 'content-type': 'application/json', 'x-notion-signature': `sha256=${hmacHex('sha256', token, raw)}` };
      const answer = await receiveWebhook(deps, connector, raw, headers);
      const outcome = await drainInbox(store, connector, identity);
      return { answer, outcome };
    };
    return { r, store, deliver, lines, state };
  };

  it('cannot be taken over: an unsigned handshake never adds a token, events signed with it are refused, and the log never shows it', async () => {
    const { r, store, deliver, lines, state } = await setup();
    await poll(store, r);
    // The attacker's unsigned "handshake" is answered (it proves nothing) and changes nothing.
    const hs = await deliver({ verification_token: 'secret_attacker_token_9999' }, null);
    expect(hs.answer).toMatchObject({ status: 200, result: 'handshake' });
    expect([...state.values()]).toEqual([]);
    // An event signed with the attacker's token: refused, nothing stored, the page still there.
    const forged = await deliver(r.fake.event('page.deleted', { id: id(1), type: 'page' }, ALEX), 'secret_attacker_token_9999');
    expect(forged.answer).toMatchObject({ status: 401, result: 'rejected' });
    expect(await store.inbox.list()).toEqual([]);
    expect((await store.getTask(`notion-acme:${id(1)}`))?.deletedAt).toBeNull();
    // The configured token still verifies.
    await r.fake.edit(id(2), { Status: 'Done' }, ALEX);
    const ok = await deliver(r.fake.event('page.properties_updated', { id: id(2), type: 'page' }, ALEX, { parent: { id: DS, type: 'data_source' } }), TOKEN);
    expect(ok.answer.result).toBe('accepted');
    expect(ok.outcome.processed).toBe(1);
    expect((await store.getTask(`notion-acme:${id(2)}`))?.status).toBe('done');
    expect(lines.join('')).not.toContain('secret_attacker_token_9999');
    expect(lines.join('')).toContain('…9999');
  });

  it('without a configured token: the set-up token is kept aside (masked in logs) for check --online, and events are refused', async () => {
    const { r, deliver, lines, state } = await setup({});
    const hs = await deliver({ verification_token: 'secret_sent_by_notion_1a2b' }, null);
    expect(hs.answer).toMatchObject({ status: 200, result: 'handshake' });
    expect(state.get(RECEIVED_TOKEN_KEY)).toBe('secret_sent_by_notion_1a2b');
    expect(lines.join('')).not.toContain('secret_sent_by_notion_1a2b');
    // Even signed with the token Notion sent, an event is refused until the config names it.
    const refused = await deliver(r.fake.event('page.properties_updated', { id: id(2), type: 'page' }, ALEX), 'secret_sent_by_notion_1a2b');
    expect(refused.answer).toMatchObject({ status: 401, result: 'rejected' });
    const withState = createNotion(notionConfig(r.fake.url, { webhook: {} }), { log: silentLog, timezone: 'UTC', state: { get: async (k) => state.get(k) ?? null, set: async () => undefined } });
    expect((await withState.checkOnline!()).problems.join('\n')).toContain('secret_sent_by_notion_1a2b');
  });

  it('a signed body that is not a Notion event is a 400 and is not stored', async () => {
    const { store, deliver } = await setup();
    const bad = await deliver({ hello: 'world' }, TOKEN);
    expect(bad.answer).toMatchObject({ status: 400, result: 'rejected' });
    expect(await store.inbox.list()).toEqual([]);
  });

  it('drops a duplicate event, and out-of-order events end in the current state (pages are read again)', async () => {
    const { r, store, deliver } = await setup();
    await r.fake.edit(id(1), { Status: 'In progress' }, ALEX);
    const first = r.fake.event('page.properties_updated', { id: id(1), type: 'page' }, ALEX);
    await r.fake.edit(id(1), { Status: 'Done' }, ALEX);
    const second = r.fake.event('page.properties_updated', { id: id(1), type: 'page' }, ALEX);
    await deliver(second, TOKEN);
    await deliver(first, TOKEN); // arrives late: the page is read again, and it says Done
    expect((await store.getTask(`notion-acme:${id(1)}`))?.status).toBe('done');
    const dup = await deliver(second, TOKEN);
    expect(dup.answer.result).toBe('duplicate');
    await r.fake.trash(id(3), ALEX);
    await deliver(r.fake.event('page.deleted', { id: id(3), type: 'page' }, ALEX), TOKEN);
    expect((await store.getTask(`notion-acme:${id(3)}`))?.deletedAt).not.toBeNull();
  });
});

describe('Notion write-back against the fake', () => {
  it('three status-comment upserts leave exactly one comment, updated; a status push sets the row', async () => {
    const r = await rig(rows(2), { writes: { properties: true } });
    const marker = statusMarker(`notion-acme:${id(1)}`);
    for (const body of ['needs an owner', 'needs an owner and a due date', 'needs an owner and a due date']) {
      await r.connector.write!({ type: 'status_comment', taskKey: id(1), marker, body: `${marker}\n**taskwire status**: ${body}` });
    }
    const comments = r.fake.commentsOn(id(1));
    expect(comments).toHaveLength(1);
    expect(comments[0]!.text).toBe('**taskwire status**: needs an owner and a due date');
    expect(r.fake.server.calls('PATCH', /\/v1\/comments\//)).toHaveLength(1);
    await r.connector.write!({ type: 'status_push', taskKey: id(1), status: 'blocked' });
    expect(r.fake.values(id(1))['Status']).toBe('Blocked');
    await r.connector.write!({ type: 'status_push', taskKey: id(2), status: 'verified' });
    expect(r.fake.values(id(2))).toMatchObject({ Status: 'Done', Verified: true });
  });
});

describe("the Notion connector's requests conform to Notion's OpenAPI description", () => {
  it('data source queries and comment creation', async () => {
    const { ContractChecker } = await import('../../support/openapi.js');
    const spec = new ContractChecker('notion/notion-openapi-2025-09-03.json');
    const r = await rig(rows(3));
    await poll(r.store, r);
    await poll(r.store, r);
    await r.connector.write!({ type: 'status_comment', taskKey: id(1), marker: statusMarker('x'), body: 'taskwire status: ok' });
    const sent = r.fake.server.requests.filter((q) => q.method === 'POST');
    expect(sent.length).toBeGreaterThanOrEqual(3);
    for (const q of sent) {
      const path = q.path.startsWith('/v1/data_sources/') ? '/v1/data_sources/{data_source_id}/query' : q.path;
      // The description is partial: it models property sorts only. Timestamp sorts
      // (`{ timestamp: 'last_edited_time', direction }`) are in the SDK's own request types.
      const problems = spec.checkRequest('POST', path, q.body).filter((p) => !(/^\/sorts\/\d+ must have required property 'property'/.test(p) && JSON.stringify(q.body).includes('"timestamp":"last_edited_time"')));
      expect(problems, `${q.method} ${q.path}`).toEqual([]);
    }
  });
});
