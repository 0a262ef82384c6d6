import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import nock from 'nock';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createGithub } from '../../../connectors/github/connector.js';
import { hmacHex } from '../../../connectors/kit/hmac.js';
import { statusMarker } from '../../../src/core/text.js';
import { WebhookVerificationError } from '../../../src/errors.js';
import { receiveWebhook } from '../../../src/pipeline/webhook-intake.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { goldenJson } from '../../support/golden.js';
import { drainInbox } from '../../support/inbox.js';
import { githubConfig, silentLog } from '../../support/github.js';

const API = 'https://api.github.test';
const SECRET = 'it-is-a-secret';
const raw = (name: string) => readFileSync(resolve(import.meta.dirname, '../../fixtures/github/webhooks', `${name}.json`));

function connector(secrets = [SECRET]) {
  const config = githubConfig(API, { repos: ['Codertocat/Hello-World'], webhook: { secrets } });
  return createGithub(config, { log: silentLog, timezone: 'Europe/Berlin', timing: { retryBaseMs: 1, retries: 0 } });
}

function headers(event: string, body: Buffer, secret = SECRET, delivery = 'd-1') {
  return { 'x-github-event': event, 'x-github-delivery': delivery, 'x-hub-signature-256': `sha256=${hmacHex('sha256', secret, body)}`, 'content-type': 'application/json' };
}

beforeEach(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  // Every declared stub must have been used.
  expect(nock.isDone()).toBe(true);
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('GitHub webhook verification', () => {
  const body = raw('issues.opened');
  const hook = connector([SECRET]).webhook!;

  it('accepts a delivery signed with the secret', () => {
    expect(() => hook.verify(body, headers('issues', body))).not.toThrow();
    expect(hook.deliveryId(body, headers('issues', body))).toBe('d-1');
  });
  it('rejects a tampered body (401)', () => {
    const h = headers('issues', body);
    const tampered = Buffer.from(body.toString().replace('Spelling error', 'Spelling errer'));
    expect(() => hook.verify(tampered, h)).toThrow(WebhookVerificationError);
  });
  it('rejects a delivery signed with another secret (401)', () => {
    expect(() => hook.verify(body, headers('issues', body, 'not-the-secret'))).toThrow(/does not match/);
  });
  it('accepts either secret during a rotation', () => {
    const rotating = connector(['old-secret', 'new-secret']).webhook!;
    expect(() => rotating.verify(body, headers('issues', body, 'old-secret'))).not.toThrow();
    expect(() => rotating.verify(body, headers('issues', body, 'new-secret'))).not.toThrow();
    expect(() => rotating.verify(body, headers('issues', body, SECRET))).toThrow(WebhookVerificationError);
  });
  it('rejects missing headers: no signature 401, no event or delivery id 400', () => {
    const h = headers('issues', body);
    const without = (k: string) => Object.fromEntries(Object.entries(h).filter(([key]) => key !== k));
    const status = (k: string) => {
      try {
        hook.verify(body, without(k));
        return 0;
      } catch (err) {
        return (err as WebhookVerificationError).status;
      }
    };
    expect(status('x-hub-signature-256')).toBe(401);
    expect(status('x-github-event')).toBe(400);
    expect(status('x-github-delivery')).toBe(400);
  });
  it('compares the signature in constant time (a prefix of the right signature is not accepted)', () => {
    const h = headers('issues', body);
    expect(() => hook.verify(body, { ...h, 'x-hub-signature-256': h['x-hub-signature-256'].slice(0, 20) })).toThrow(WebhookVerificationError);
  });
});

describe('GitHub webhook payloads (from @octokit/webhooks-examples) → items (golden)', () => {
  const blockers = (n: number) => nock(API).get(`/repos/Codertocat/Hello-World/issues/${n}/dependencies/blocked_by`).query(true).reply(200, []);
  const parse = async (event: string, file = event) => connector().webhook!.parse(raw(file), headers(event, raw(file)));

  it('issues.opened: the issue as a task (blockers asked for, none), and the sender as human activity', async () => {
    blockers(1);
    nock(API).get('/user').reply(200, { login: 'taskwire-bot' });
    const parsed = await parse('issues', 'issues.opened');
    goldenJson('github/webhook-issues.opened.json', parsed);
    expect(parsed.items.map((i) => i.type)).toEqual(['task', 'activity']);
  });

  it('issues.deleted: a soft delete', async () => {
    nock(API).get('/user').reply(200, { login: 'taskwire-bot' });
    const parsed = await parse('issues', 'issues.deleted');
    expect(parsed.items).toEqual([{ type: 'deleted', key: 'Codertocat/Hello-World#1', at: expect.any(String) }]);
  });

  it('issue_comment.created: human activity and the refreshed issue', async () => {
    blockers(1);
    nock(API).get('/user').reply(200, { login: 'taskwire-bot' });
    const parsed = await parse('issue_comment', 'issue_comment.created');
    goldenJson('github/webhook-issue_comment.created.json', parsed);
    expect(parsed.items.find((i) => i.type === 'activity')).toMatchObject({ actor: 'human', actorId: 'Codertocat', what: 'comment' });
  });

  it('pull_request and review events naming no task give nothing, and say why', async () => {
    nock(API).get('/user').reply(200, { login: 'taskwire-bot' });
    expect(await parse('pull_request', 'pull_request.opened')).toEqual({ items: [], ignored: 'pull request names no task' });
  });

  it('ping and events from other repositories are ignored', async () => {
    expect(await parse('ping', 'ping')).toMatchObject({ items: [], ignored: 'ping' });
    const other = Buffer.from(raw('issues.opened').toString().replaceAll('Codertocat/Hello-World', 'someone/else'));
    expect(await connector().webhook!.parse(other, headers('issues', other))).toMatchObject({ items: [], ignored: expect.stringMatching(/not in this connector's scope/) });
  });
});

describe('GitHub webhooks through the intake', () => {
  it('records a delivery once: a redelivery with the same id is acknowledged and dropped', async () => {
    const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'tw-ghw-')), 'tw.db'));
    const c = connector();
    const deps = { store, log: silentLog };
    const body = raw('issues.opened');
    blockers();
    nock(API).get('/user').reply(200, { login: 'taskwire-bot' });
    const first = await receiveWebhook(deps, c, body, headers('issues', body, SECRET, 'dup-1'));
    expect(first).toMatchObject({ status: 200, result: 'accepted' });
    expect(await drainInbox(store, c)).toMatchObject({ processed: 1 });
    const again = await receiveWebhook(deps, c, body, headers('issues', body, SECRET, 'dup-1'));
    expect(again).toMatchObject({ status: 200, result: 'duplicate' });
    expect(await drainInbox(store, c)).toMatchObject({ processed: 0 });
    expect((await store.listTasks()).map((t) => t.key)).toEqual(['Codertocat/Hello-World#1']);
    const bad = await receiveWebhook(deps, c, body, headers('issues', body, 'wrong', 'dup-2'));
    expect(bad).toMatchObject({ status: 401, result: 'rejected' });
    expect(store.db.prepare('SELECT count(*) AS n FROM inbox').get()).toEqual({ n: 1 });

    function blockers() {
      nock(API).get('/repos/Codertocat/Hello-World/issues/1/dependencies/blocked_by').query(true).reply(200, []);
    }
  });

  it("our own status comment coming back is taskwire's activity, not a person's, and refreshes nothing", async () => {
    const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'tw-ghw-')), 'tw.db'));
    const c = connector();
    const deps = { store, log: silentLog };
    nock(API).get('/user').reply(200, { login: 'taskwire-bot' });
    nock(API).get('/repos/Codertocat/Hello-World/issues/1/dependencies/blocked_by').query(true).reply(200, []);
    const opened = raw('issues.opened');
    await receiveWebhook(deps, c, opened, headers('issues', opened, SECRET, 'open-1'));
    await drainInbox(store, c);
    const before = await store.getTask('github-acme:Codertocat/Hello-World#1');
    const payload = JSON.parse(raw('issue_comment.created').toString()) as { comment: { body: string; user: { login: string } } };
    payload.comment.body = `${statusMarker('github-acme:Codertocat/Hello-World#1')}\n**taskwire status**: needs one owner`;
    const body = Buffer.from(JSON.stringify(payload));
    await receiveWebhook(deps, c, body, headers('issue_comment', body, SECRET, 'echo-1'));
    const outcome = await drainInbox(store, c);
    expect(outcome).toMatchObject({ processed: 1 });
    expect(outcome.applied[0]).toMatchObject({ inserted: 0, updated: 0, activity: 1, changed: [] });
    const after = await store.getTask('github-acme:Codertocat/Hello-World#1');
    expect(after?.lastHumanActivityAt).toBe(before?.lastHumanActivityAt);
    expect((await store.history(after!.id)).filter((h) => h.field === 'activity').map((h) => h.actor)).toEqual(['human', 'taskwire']);
  });
});
