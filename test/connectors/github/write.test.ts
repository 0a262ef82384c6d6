import { afterEach, describe, expect, it } from 'vitest';
import { statusMarker } from '../../../src/core/text.js';
import { githubRig, type GithubRig } from '../../support/github.js';

const rigs: GithubRig[] = [];
/** Our comment as GitHub holds it: the marker, the seal (a hash of the text), the text. */
const sealed = (marker: string, text: string) => new RegExp(`^${marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n<!-- taskwire:seal [0-9a-f]{16} -->\n${text}$`);
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
    expect(comments[1]?.body).toMatch(sealed(marker, 'needs one owner; due date missing'));
    expect(new Set([a.externalId, b.externalId, c.externalId]).size).toBe(1);
    // Created once, edited once; the identical third write sent nothing.
    expect(r.fake.writes.map((w) => `${w.method} ${w.path.replace(/\d+$/, 'N')}`)).toEqual(['POST /repos/acme/infra/issues/1/comments', 'PATCH /repos/acme/infra/issues/comments/N']);
  });

  it('adds the marker when the body lacks it, so the comment is found again', async () => {
    const r = await rig();
    const marker = statusMarker('github-acme:acme/infra#1');
    await r.connector.write!({ type: 'status_comment', taskKey: 'acme/infra#1', marker, body: 'all clear' });
    await r.connector.write!({ type: 'status_comment', taskKey: 'acme/infra#1', marker, body: 'all clear again' });
    const ours = r.fake.comments('acme/infra', 1).filter((x) => x.body.startsWith(marker));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body).toMatch(sealed(marker, 'all clear again'));
  });

  it("a person's edit wins: taskwire leaves the edited comment alone and posts no second one", async () => {
    const r = await rig();
    const marker = statusMarker('github-acme:acme/infra#1');
    const write = (body: string, previous?: string) => r.connector.write!({ type: 'status_comment', taskKey: 'acme/infra#1', marker, body: `${marker}\n${body}` }, previous ? { previous: { externalId: previous } } : {});
    const first = await write('needs one owner');
    const id = Number(first.externalId);
    // Priya rewrites it (keeping the hidden lines, as an edit box does).
    const edited = r.fake.comments('acme/infra', 1).find((c) => c.id === id)!.body.replace('needs one owner', 'Priya owns this now — see the runbook');
    r.fake.editCommentAs('acme/infra', id, 'priya', edited);
    const later = await write('needs one owner; due date missing', String(id));
    expect(later).toMatchObject({ externalId: String(id), leftAlone: expect.stringMatching(/a person edited the status comment/) });
    // Even without knowing the comment's id, the seal tells.
    expect((await write('needs one owner; due date missing')).leftAlone).toMatch(/a person edited/);
    expect(r.fake.comments('acme/infra', 1).find((c) => c.id === id)!.body).toBe(edited);
    expect(r.fake.comments('acme/infra', 1).filter((c) => c.body.includes(marker))).toHaveLength(1);
  });

  it('a comment a person deleted stays deleted; a comment by someone else that quotes the marker is not ours', async () => {
    const r = await rig();
    const marker = statusMarker('github-acme:acme/infra#1');
    const write = (body: string, previous?: string) => r.connector.write!({ type: 'status_comment', taskKey: 'acme/infra#1', marker, body: `${marker}\n${body}` }, previous ? { previous: { externalId: previous } } : {});
    const first = await write('needs one owner');
    r.fake.deleteComment('acme/infra', Number(first.externalId));
    expect(await write('needs one owner; due date missing', first.externalId!)).toMatchObject({ leftAlone: 'a person deleted the status comment' });
    expect(r.fake.comments('acme/infra', 1).filter((c) => c.body.includes(marker))).toHaveLength(0);

    const other = await rig();
    other.fake.addComment('acme/infra', 1, 'alexk', `quoting taskwire:\n${marker}\nneeds one owner`);
    const ours = await other.connector.write!({ type: 'status_comment', taskKey: 'acme/infra#1', marker, body: `${marker}\nneeds one owner` });
    expect(ours.leftAlone).toBeUndefined();
    expect(other.fake.comments('acme/infra', 1).filter((c) => c.user === 'taskwire-bot')).toHaveLength(1);
    expect(other.fake.comments('acme/infra', 1).find((c) => c.user === 'alexk' && c.body.startsWith('quoting'))!.body).toContain('quoting taskwire');
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
