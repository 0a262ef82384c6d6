import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hmacHex } from '../../../connectors/kit/hmac.js';
import type { ParsedDelivery } from '../../../connectors/port.js';
import { statusMarker } from '../../../src/core/text.js';
import { WebhookVerificationError } from '../../../src/errors.js';
import { receiveWebhook } from '../../../src/pipeline/webhook-intake.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { goldenJson } from '../../support/golden.js';
import { drainInbox } from '../../support/inbox.js';
import { silentLog } from '../../support/github.js';
import { jiraRig, type JiraRig } from '../../support/jira.js';

const SECRET = 'jira-hook-secret';
const rigs: JiraRig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.fake.stop();
});
const raw = (name: string) => readFileSync(resolve(import.meta.dirname, '../../fixtures/jira/webhooks', `${name}.json`));
const headers = (body: Buffer, secret = SECRET, id = 'wh-1') => ({ 'content-type': 'application/json', 'x-atlassian-webhook-identifier': id, 'x-hub-signature': `sha256=${hmacHex('sha256', secret, body)}` });

async function rig(over: Record<string, unknown> = {}) {
  const r = await jiraRig(
    {
      projects: [{ key: 'OPS', name: 'Operations' }],
      issues: [
        { key: 'OPS-9', summary: 'Confirm server specs', assignee: 'acc-sam' },
        { key: 'OPS-12', summary: 'Migrate DNS records for client A', assignee: 'acc-alex', blockedBy: ['OPS-9'], comments: [{ author: 'acc-sam', body: 'first' }] },
      ],
    },
    { webhook: { secret: SECRET }, ...over },
  );
  rigs.push(r);
  return r;
}

describe('Jira webhooks', () => {
  it('verifies X-Hub-Signature over the raw body: valid, tampered, wrong secret, missing headers', async () => {
    const hook = (await rig()).connector.webhook!;
    const body = raw('issue_updated');
    expect(() => hook.verify(body, headers(body))).not.toThrow();
    expect(hook.deliveryId(body, headers(body))).toBe('wh-1');
    expect(() => hook.verify(Buffer.from(body.toString().replace('Migrate', 'Migrat3')), headers(body))).toThrow(WebhookVerificationError);
    expect(() => hook.verify(body, headers(body, 'nope'))).toThrow(/does not match/);
    const { 'x-hub-signature': _s, ...unsigned } = headers(body);
    expect(() => hook.verify(body, unsigned)).toThrow(/missing X-Hub-Signature/);
    const { 'x-atlassian-webhook-identifier': _i, ...noId } = headers(body);
    expect(() => hook.verify(body, noId)).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('turns recorded deliveries into items (golden)', async () => {
    const r = await rig();
    const hook = r.connector.webhook!;
    const names = ['issue_created', 'issue_updated', 'issue_deleted', 'comment_created'];
    const parsed: Record<string, ParsedDelivery> = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await hook.parse(raw(n), headers(raw(n)))] as const)));
    goldenJson('jira/webhooks.json', JSON.parse(JSON.stringify(parsed).replaceAll(r.fake.url, 'https://jira.test')));
    expect(parsed['issue_deleted']!.items).toEqual([{ type: 'deleted', key: 'OPS-9', at: '2026-11-20T10:00:00.000Z' }]);
    expect(parsed['issue_updated']!.items.map((i) => i.type)).toEqual(['task', 'activity']);
  });

  it('drops a repeated delivery (same identifier), and a deleted issue is soft-deleted', async () => {
    const r = await rig();
    const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'tw-jw-')), 'tw.db'));
    const deps = { store, log: silentLog };
    const created = raw('issue_created');
    await receiveWebhook(deps, r.connector, created, headers(created, SECRET, 'id-1'));
    await drainInbox(store, r.connector);
    const retry = await receiveWebhook(deps, r.connector, created, { ...headers(created, SECRET, 'id-1'), 'x-atlassian-webhook-retry': '1' });
    expect(retry.result).toBe('duplicate');
    expect((await store.listTasks()).map((t) => t.key)).toEqual(['OPS-9']);
    const deleted = raw('issue_deleted');
    await receiveWebhook(deps, r.connector, deleted, headers(deleted, SECRET, 'id-2'));
    await drainInbox(store, r.connector);
    expect(await store.listTasks()).toEqual([]);
    expect((await store.getTask('jira-acme:OPS-9'))?.deletedAt).toBe('2026-11-20T10:00:00.000Z');
  });
});

describe('Jira write-back against the fake', () => {
  it('three status-comment upserts leave exactly one comment, edited in place', async () => {
    const r = await rig();
    const marker = statusMarker('jira-acme:OPS-12');
    const write = (body: string) => r.connector.write!({ type: 'status_comment', taskKey: 'OPS-12', marker, body: `${marker}\n**taskwire status**\n\n${body}` });
    const a = await write('- needs a due date');
    const b = await write('- needs a due date\n- blocked by OPS-9');
    const c = await write('- needs a due date\n- blocked by OPS-9');
    const comments = r.fake.comments('OPS-12');
    const ours = comments.filter((x) => x.properties.some((p) => p.key === 'taskwire'));
    expect(comments).toHaveLength(2);
    expect(ours).toHaveLength(1);
    expect(ours[0]!.text).toContain('blocked by OPS-9');
    expect(ours[0]!.text).not.toContain('<!--'); // Jira would show the marker: it lives in the property
    expect(new Set([a.externalId, b.externalId, c.externalId]).size).toBe(1);
    expect(r.fake.writes.map((w) => `${w.method} ${w.path.replace(/\d+$/, 'N')}`)).toEqual(['POST /rest/api/3/issue/OPS-12/comment', 'PUT /rest/api/3/issue/OPS-12/comment/N']);
  });

  it('pushes a status as a transition by name, and says what is available when none fits', async () => {
    const r = await rig({ writes: { transitions: { blocked: 'Block', in_progress: 'Start progress', verified: 'Deploy' } } });
    await r.connector.write!({ type: 'status_push', taskKey: 'OPS-12', status: 'blocked' });
    expect(r.fake.statusOf('OPS-12')).toBe('Blocked');
    await expect(r.connector.write!({ type: 'status_push', taskKey: 'OPS-12', status: 'verified' })).rejects.toThrow(/no transition "Deploy".*available: Reopen, Start progress/);
    await expect(r.connector.write!({ type: 'status_push', taskKey: 'OPS-12', status: 'done' })).rejects.toThrow(/no transition is configured for status "done"/);
  });
});
