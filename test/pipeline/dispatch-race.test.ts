/**
 * Nothing is posted twice:
 * - two dispatchers race on one store (two connections, two holders), with writes slower than the
 *   claim's lease — the lease is renewed while a send waits, so each row goes out once;
 * - a write the tool applies but whose answer is lost is not repeated: the comment is found again by
 *   its marker and author, the message by its idempotency key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { githubConfigSchema } from '../../connectors/github/config.js';
import { createGithub } from '../../connectors/github/connector.js';
import { GithubFake } from '../../connectors/github/fake.js';
import type { Connector } from '../../connectors/port.js';
import { slackConfigSchema } from '../../connectors/slack/config.js';
import { createSlack } from '../../connectors/slack/connector.js';
import { SlackFake } from '../../connectors/slack/fake.js';
import type { PlannedAction } from '../../src/core/planner.js';
import { statusMarker } from '../../src/core/text.js';
import { dispatchAll, dispatchDue } from '../../src/pipeline/dispatch.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { silentLog } from '../support/github.js';

const ISSUES = [1, 2, 3, 4];
const USERS = ['U0ALEX', 'U0SAM', 'U0MIA'];
const gh = new GithubFake({ repos: [{ fullName: 'acme/infra', issues: [...ISSUES, 5].map((n) => ({ title: `Issue ${n}` })) }] }, { self: 'taskwire-bot' });
const slack = new SlackFake({ users: [...USERS, 'U0JO'].map((id) => ({ id, name: id.slice(2).toLowerCase() })), channels: {} }, { botToken: 'xoxb-test' });
beforeAll(async () => {
  await gh.start();
  await slack.start();
});
afterAll(async () => {
  await gh.stop();
  await slack.stop();
});

function comment(n: number, text: string): PlannedAction {
  const taskId = `github-acme:acme/infra#${n}`;
  const marker = statusMarker(taskId);
  return { key: `status:${n}:${text}`, connector: 'github-acme', kind: 'status_comment', taskId, recipient: null, subject: `status:${taskId}`, action: { type: 'status_comment', taskKey: `acme/infra#${n}`, marker, body: `${marker}\n**taskwire status**: ${text}` }, reason: 'no_owner', notBefore: null, about: [] };
}

function dm(user: string, text: string): PlannedAction {
  const key = `dm:${user}:${text}`;
  return { key, connector: 'slack-acme', kind: 'direct_message', taskId: null, recipient: user, subject: `dm:${user}`, action: { type: 'direct_message', accountId: user, text, idempotencyKey: key }, reason: 'tasks need attention', notBefore: null, about: [] };
}

/** A dispatcher of its own: its own connection to the store file, its own connectors. */
function dispatcher(path: string): { store: SqliteStore; connectors: Map<string, Connector> } {
  const store = SqliteStore.open(path);
  const github = createGithub(githubConfigSchema.parse({ name: 'github-acme', type: 'github', baseUrl: gh.url, token: 'ghp_faketoken', repos: ['acme/infra'], pacing: { writes: '0s', notifications: '0s' } }), { log: silentLog, timezone: 'UTC', timing: { retryBaseMs: 1, retries: 2 } });
  const sl = createSlack(slackConfigSchema.parse({ name: 'slack-acme', type: 'slack', slackApiUrl: slack.apiUrl, botToken: 'xoxb-test', signingSecret: 's', channels: [] }), { log: silentLog, timezone: 'UTC', timing: { retryBaseMs: 1, retries: 2 } });
  return { store, connectors: new Map<string, Connector>([['github-acme', github], ['slack-acme', sl]]) };
}

const ourComments = (n: number) => gh.comments('acme/infra', n).filter((c) => c.user === 'taskwire-bot');

describe('two dispatchers racing on one store', () => {
  it('with sends slower than the lease: one comment per ticket, one message per person', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tw-race-')), 'tw.db');
    const a = dispatcher(path);
    const b = dispatcher(path);
    await a.store.outbox.plan([...ISSUES.map((n) => comment(n, 'needs one owner')), ...USERS.map((u) => dm(u, `hello ${u}`))], 'send', 'c1');
    // Every answer takes 300 ms; a claim lasts 200 ms unless renewed.
    gh.server.setLatency(300);
    slack.server.setLatency(300);
    try {
      const opts = { leaseMs: 200, baseBackoffMs: 1 };
      const [ra, rb] = await Promise.all([dispatchAll({ ...a, log: silentLog, holder: 'dispatcher-a' }, opts), dispatchAll({ ...b, log: silentLog, holder: 'dispatcher-b' }, opts)]);
      expect(ra.sent + rb.sent).toBe(ISSUES.length + USERS.length);
      expect(ra.sent).toBeGreaterThan(0);
      expect(rb.sent).toBeGreaterThan(0); // both really dispatched
      for (const n of ISSUES) expect(ourComments(n), `acme/infra#${n}`).toHaveLength(1);
      for (const u of USERS) expect(slack.dmsTo(u).map((m) => m.text), u).toEqual([`hello ${u}`]);
      expect((await a.store.outbox.list()).map((r) => r.status)).toEqual(Array(ISSUES.length + USERS.length).fill('sent'));
    } finally {
      gh.server.setLatency(0);
      slack.server.setLatency(0);
      await a.store.close();
      await b.store.close();
    }
  }, 60_000);
});

describe('a write applied by the tool whose answer is lost', () => {
  it('is not written again: no second comment, no second message', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tw-lost-')), 'tw.db');
    const d = dispatcher(path);
    await d.store.outbox.plan([comment(5, 'needs a due date'), dm('U0JO', 'one task needs you')], 'send', 'c1');
    gh.server.dropResponse((q) => q.method === 'POST' && q.path === '/repos/acme/infra/issues/5/comments');
    slack.server.dropResponse((q) => q.path === '/api/chat.postMessage');
    try {
      const deps = { ...d, log: silentLog };
      const first = await dispatchDue(deps, { baseBackoffMs: 200 });
      expect(first.retried).toBe(2); // both failed as far as taskwire could tell…
      expect(ourComments(5)).toHaveLength(1); // …but both reached the tools
      expect(slack.dmsTo('U0JO')).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 250));
      const second = await dispatchAll(deps, { baseBackoffMs: 1 });
      expect(second.sent).toBe(2);
      expect(ourComments(5)).toHaveLength(1);
      expect(ourComments(5)[0]!.body).toContain('needs a due date');
      expect(slack.dmsTo('U0JO').map((m) => m.text)).toEqual(['one task needs you']);
      // The second attempt looked before it wrote, and wrote nothing.
      expect(gh.server.calls('POST', '/repos/acme/infra/issues/5/comments')).toHaveLength(1);
      expect(slack.server.calls('POST', '/api/chat.postMessage').filter((q) => (q.body as { text?: string }).text === 'one task needs you')).toHaveLength(1);
    } finally {
      gh.server.clearFaults();
      slack.server.clearFaults();
      await d.store.close();
    }
  }, 30_000);
});
