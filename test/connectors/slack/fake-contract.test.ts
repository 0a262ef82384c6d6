import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackFake } from '../../../connectors/slack/fake.js';
import { ContractChecker } from '../../support/openapi.js';

const checker = new ContractChecker('slack/slack-web-openapi-v2-2020.json');
/**
 * Slack's description is from 2020 and no longer maintained: it forbids `response_metadata`, which
 * Slack has returned with every cursor-paginated answer since 2017. That one difference is allowed.
 */
const spec = {
  check: (method: string, path: string, status: number, body: unknown) => checker.check(method, path, status, body).filter((e) => !e.includes('"additionalProperty":"response_metadata"')),
};
const fake = new SlackFake(
  {
    users: [{ id: 'U0SAM', name: 'sam', realName: 'Sam Rivera', email: 'sam@example.com' }],
    channels: { C0OPS00001: { name: 'ops', messages: [{ user: 'U0SAM', text: 'rotate certs', at: '2026-11-20T09:00:00Z', reactions: { ticket: ['U0SAM'] }, replies: [{ user: 'U0SAM', text: 'on it', at: '2026-11-20T09:05:00Z' }] }] } },
  },
  { botToken: 'xoxb-test' },
);
beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});

async function call(method: string, args: Record<string, string>) {
  const res = await fetch(`${fake.apiUrl}/${method}`, { method: 'POST', headers: { authorization: 'Bearer xoxb-test', 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(args).toString() });
  return { status: res.status, body: (await res.json()) as { ok: boolean; [k: string]: unknown } };
}

describe("the Slack fake's answers against Slack's (2020) Web API description", () => {
  let parent = '';
  it.each([
    ['get', '/auth.test', {}],
    ['get', '/conversations.history', { channel: 'C0OPS00001', limit: '10' }],
    ['post', '/conversations.open', { users: 'U0SAM' }],
    ['get', '/users.info', { user: 'U0SAM' }],
    ['get', '/users.lookupByEmail', { email: 'sam@example.com' }],
  ] as const)('%s %s', async (method, path, args) => {
    const res = await call(path.slice(1), args);
    expect(res.body.ok).toBe(true);
    expect(spec.check(method, path, res.status, res.body)).toEqual([]);
  });

  it('conversations.replies and chat.postMessage (fields Slack added after 2020 — metadata — aside)', async () => {
    const history = await call('conversations.history', { channel: 'C0OPS00001' });
    parent = (history.body['messages'] as { ts: string }[])[0]!.ts;
    const replies = await call('conversations.replies', { channel: 'C0OPS00001', ts: parent });
    expect(spec.check('get', '/conversations.replies', 200, replies.body)).toEqual([]);
    const posted = await call('chat.postMessage', { channel: 'C0OPS00001', text: 'hello', thread_ts: parent });
    expect(spec.check('post', '/chat.postMessage', 200, posted.body)).toEqual([]);
  });

  it("answers errors the Slack way: HTTP 200 with ok: false", async () => {
    expect(await call('conversations.history', { channel: 'C0NOPE0001' })).toEqual({ status: 200, body: { ok: false, error: 'channel_not_found' } });
    const res = await fetch(`${fake.apiUrl}/auth.test`, { method: 'POST', headers: { authorization: 'Bearer xoxb-wrong' } });
    expect(await res.json()).toEqual({ ok: false, error: 'invalid_auth' });
  });
});
