import { afterEach, describe, expect, it } from 'vitest';
import { statusMarker } from '../../../src/core/text.js';
import { githubRig, type GithubRig } from '../../support/github.js';

const rigs: GithubRig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.fake.stop();
});

async function rig(over: Record<string, unknown> = {}) {
  const r = await githubRig({ repos: [{ fullName: 'acme/infra', issues: [{ title: 'Open firewall rule', comments: [{ user: 'alexk', body: 'on it' }] }] }] }, over);
  rigs.push(r);
  return r;
}

describe('GitHub write-back against the fake', () => {
  it('three status-comment upserts leave exactly one comment, edited in place', async () => {
    const r = await rig();
    const marker = statusMarker('github-acme:acme/infra#1');
    const write = (body: string) => r.connector.write!({ type: 'status_comment', taskKey: 'acme/infra#1', marker, body: `${marker}\n${body}` });
    const a = await write('needs one owner');
    const b = await write('needs one owner; due date missing');
    const c = await write('needs one owner; due date missing');
    const comments = r.fake.comments('acme/infra', 1);
    expect(comments).toHaveLength(2); // the person's comment and ours
    expect(comments.filter((x) => x.body.includes(marker))).toHaveLength(1);
    expect(comments[1]?.body).toBe(`${marker}\nneeds one owner; due date missing`);
    expect(new Set([a.externalId, b.externalId, c.externalId]).size).toBe(1);
    // Created once, edited once; the identical third write sent nothing.
    expect(r.fake.writes.map((w) => `${w.method} ${w.path.replace(/\d+$/, 'N')}`)).toEqual(['POST /repos/acme/infra/issues/1/comments', 'PATCH /repos/acme/infra/issues/comments/N']);
  });

  it('adds the marker when the body lacks it, so the comment is found again', async () => {
    const r = await rig();
    const marker = statusMarker('github-acme:acme/infra#1');
    await r.connector.write!({ type: 'status_comment', taskKey: 'acme/infra#1', marker, body: 'all clear' });
    await r.connector.write!({ type: 'status_comment', taskKey: 'acme/infra#1', marker, body: 'all clear again' });
    expect(r.fake.comments('acme/infra', 1).filter((x) => x.body.startsWith(marker)).map((x) => x.body)).toEqual([`${marker}\nall clear again`]);
  });

  it('label and close/reopen writes are opt-in', async () => {
    const off = await rig();
    await expect(off.connector.write!({ type: 'label', taskKey: 'acme/infra#1', add: ['blocked'], remove: [] })).rejects.toThrow(/writes.labels/);
    await expect(off.connector.write!({ type: 'status_push', taskKey: 'acme/infra#1', status: 'done' })).rejects.toThrow(/writes.closeReopen/);
    expect(off.fake.writes).toEqual([]);

    const on = await rig({ writes: { labels: true, closeReopen: true } });
    await on.connector.write!({ type: 'label', taskKey: 'acme/infra#1', add: ['blocked'], remove: ['in progress'] });
    expect(on.fake.issueState('acme/infra', 1).labels).toEqual(['blocked']);
    await on.connector.write!({ type: 'status_push', taskKey: 'acme/infra#1', status: 'done' });
    expect(on.fake.issueState('acme/infra', 1)).toMatchObject({ state: 'closed', stateReason: 'completed' });
    // Asking again for what is already so writes nothing.
    const writes = on.fake.writes.length;
    await on.connector.write!({ type: 'status_push', taskKey: 'acme/infra#1', status: 'done' });
    expect(on.fake.writes.length).toBe(writes);
    await expect(on.connector.write!({ type: 'direct_message', accountId: 'alexk', text: 'hi' })).rejects.toThrow(/cannot send a direct_message/);
  });
});
