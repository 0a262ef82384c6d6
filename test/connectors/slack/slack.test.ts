import { afterEach, describe, expect, it } from 'vitest';
import type { SlackScenario } from '../../../connectors/slack/fake.js';
import { statusMarker } from '../../../src/core/text.js';
import { buildIdentity } from '../../../src/core/identity.js';
import { pollConnector } from '../../../src/pipeline/poll.js';
import { slackRig, type SlackRig } from '../../support/slack.js';

const scenario: SlackScenario = {
  users: [
    { id: 'U0ALEX', name: 'alex', realName: 'Alex Kim', email: 'alex@example.com' },
    { id: 'U0SAM', name: 'sam', realName: 'Sam Rivera', email: 'sam@example.com' },
    { id: 'U0PRIYA', name: 'priya', realName: 'Priya Nair', email: 'priya@example.com' },
  ],
  channels: { C0OPS: { name: 'ops' }, C0RANDOM: { name: 'random' } },
};

const rigs: SlackRig[] = [];
const tsIso = (ts: string) => new Date(Number(ts) * 1000).toISOString();
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.stop();
});

for (const transport of ['http', 'socket'] as const) {
  describe(`Slack capture and follow-up (events over ${transport === 'http' ? 'the Events API' : 'Socket Mode'})`, () => {
    const rig = async (over: Record<string, unknown> = {}) => {
      const r = await slackRig(transport, scenario, over);
      rigs.push(r);
      return r;
    };

    it('captures a message when someone reacts with :ticket: — owner from the first mention, due date, priority', async () => {
      const r = await rig();
      const ts = await r.fake.post('C0OPS', 'U0PRIYA', '<@U0SAM> can you rotate the staging certs by Friday? urgent\nThe old ones expire next week.');
      await r.fake.react('C0OPS', ts, 'U0PRIYA', 'ticket');
      await r.settle();
      const [task] = await r.store.listTasks();
      expect(task).toMatchObject({
        key: `C0OPS/${ts}`,
        title: '@sam can you rotate the staging certs by Friday? urgent',
        description: 'The old ones expire next week.',
        type: 'message',
        status: 'todo',
        priority: 'urgent',
        assignees: [{ kind: 'slack', id: 'U0SAM', name: 'sam' }],
        reporter: { kind: 'slack', id: 'U0PRIYA', name: 'priya' },
        url: expect.stringMatching(new RegExp(`/archives/C0OPS/p${ts.replace('.', '')}$`)),
      });
      expect(task!.due).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(new Date(`${task!.due}T12:00:00Z`).getUTCDay()).toBe(5); // a Friday
    });

    it('captures with the "Track as task" shortcut from any channel, and marks the message as tracked', async () => {
      const r = await rig();
      const ts = await r.fake.post('C0RANDOM', 'U0ALEX', 'can someone fix the API issue?');
      const res = await r.fake.shortcut('C0RANDOM', ts, 'U0PRIYA');
      expect(res.status).toBe(200);
      await r.settle();
      const [task] = await r.store.listTasks();
      expect(task).toMatchObject({ key: `C0RANDOM/${ts}`, title: 'can someone fix the API issue?', assignees: [], due: null, priority: null, acceptanceCriteria: null });
      expect(r.fake.thread('C0RANDOM', ts)).toHaveLength(1);
      const reactions = await r.connector.client.web.reactions.get({ channel: 'C0RANDOM', timestamp: ts });
      expect((reactions.message as { reactions?: { name: string }[] }).reactions?.map((x) => x.name)).toEqual(['ticket']);
    });

    it('a thread reply is human activity; the done reaction by the owner marks done, by the requester verified', async () => {
      const r = await rig();
      const ts = await r.fake.post('C0OPS', 'U0PRIYA', '<@U0SAM> rotate the staging certs by Friday');
      await r.fake.react('C0OPS', ts, 'U0PRIYA', 'ticket');
      await r.settle();
      await r.fake.post('C0OPS', 'U0SAM', 'on it', ts);
      await r.settle();
      const id = `slack-acme:C0OPS/${ts}`;
      const activity = (await r.store.history(id)).filter((h) => h.field === 'activity');
      expect(activity.map((h) => [h.actor, h.actorId])).toEqual([['human', 'U0SAM']]);
      await r.fake.react('C0OPS', ts, 'U0SAM', 'white_check_mark');
      await r.settle();
      expect((await r.store.getTask(id))?.status).toBe('done');
      await r.fake.react('C0OPS', ts, 'U0PRIYA', 'white_check_mark');
      await r.settle();
      expect((await r.store.getTask(id))?.status).toBe('verified');
      // Slack keeps no time for a reaction; the events do, and the status moves are history at those times.
      const moves = (await r.store.history(id)).filter((h) => h.field === 'status' && h.source === 'source');
      expect(moves.map((h) => [h.oldValue, h.newValue, h.actorId])).toEqual([
        ['"in_progress"', '"done"', 'U0SAM'],
        ['"done"', '"verified"', 'U0PRIYA'],
      ]);
      expect(moves[0]!.at > tsIso(ts)).toBe(true);
    });

    it('button clicks become evidence about the task they name', async () => {
      const r = await rig();
      await r.fake.click('U0SAM', 'taskwire_verify', JSON.stringify({ t: 'jira-acme:OPS-14', a: 'verify' }));
      await r.fake.click('U0SAM', 'taskwire_snooze', JSON.stringify({ t: 'github-acme:acme/infra#12', a: 'snooze' }));
      await r.settle();
      const ev = await r.store.listEvidence();
      expect(ev.map((e) => [e.target, e.kind, e.actorId])).toEqual(expect.arrayContaining([['jira-acme:OPS-14', 'verified', 'U0SAM'], ['github-acme:acme/infra#12', 'snoozed', 'U0SAM']]));
      expect(ev.find((e) => e.kind === 'snoozed')?.until).toBeDefined();
    });

    it('the status reply in the thread is edited in place, never posted twice', async () => {
      const r = await rig();
      const ts = await r.fake.post('C0OPS', 'U0ALEX', 'can someone fix the API issue?');
      await r.fake.react('C0OPS', ts, 'U0ALEX', 'ticket');
      await r.settle();
      const marker = statusMarker(`slack-acme:C0OPS/${ts}`);
      for (const body of ['**taskwire status**: needs one owner', '**taskwire status**: needs one owner and a due date', '**taskwire status**: needs one owner and a due date']) {
        await r.connector.write!({ type: 'status_comment', taskKey: `C0OPS/${ts}`, marker, body: `${marker}\n${body}` });
      }
      const replies = r.fake.thread('C0OPS', ts).filter((m) => m.user === 'UTASKWIRE');
      expect(replies).toHaveLength(1);
      expect(replies[0]!.text).toBe('*taskwire status*: needs one owner and a due date');
      expect(r.fake.updates).toHaveLength(1);
    });
  });
}

describe('Slack request verification (Events API over HTTP)', () => {
  it('accepts a signed request, rejects tampered, stale and wrongly signed ones, answers url_verification, drops retries', async () => {
    const r = await slackRig('http', scenario);
    rigs.push(r);
    expect((await r.fake.urlVerification()).body).toMatch(/"challenge":"challenge-/);
    const hook = r.connector.webhook!;
    const body = Buffer.from(JSON.stringify({ type: 'event_callback', event_id: 'Ev1', event: { type: 'message', channel: 'C0OPS', user: 'U0SAM', ts: '1.000001' } }));
    const { hmacHex } = await import('../../../connectors/kit/hmac.js');
    const now = Math.floor(Date.now() / 1000);
    const sign = (b: Buffer, ts = now, secret = 'slack-signing-secret') => ({ 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${hmacHex('sha256', secret, `v0:${ts}:${b.toString()}`)}` });
    expect(() => hook.verify(body, sign(body))).not.toThrow();
    expect(() => hook.verify(Buffer.from(body.toString().replace('U0SAM', 'U0EVE')), sign(body))).toThrow(/does not match/);
    expect(() => hook.verify(body, sign(body, now - 6 * 60))).toThrow(/more than 5 minutes/);
    expect(() => hook.verify(body, sign(body, now, 'other'))).toThrow(/does not match/);

    const ts = await r.fake.post('C0OPS', 'U0PRIYA', 'fix the VPN');
    const first = await r.fake.deliverEvent({ type: 'reaction_added', user: 'U0PRIYA', reaction: 'ticket', item: { type: 'message', channel: 'C0OPS', ts }, event_ts: ts }, { eventId: 'EvSAME' });
    const retry = await r.fake.deliverEvent({ type: 'reaction_added', user: 'U0PRIYA', reaction: 'ticket', item: { type: 'message', channel: 'C0OPS', ts }, event_ts: ts }, { eventId: 'EvSAME', retryNum: 1 });
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(JSON.parse(retry.body)).toMatchObject({ duplicate: true });
    const stale = await r.fake.deliverEvent({ type: 'message', channel: 'C0OPS', user: 'U0SAM', ts: '2.000001' }, { timestamp: now - 3600 });
    expect(stale.status).toBe(401);
  });
});

describe('Slack poll: what the events missed', () => {
  it('captures messages already carrying :ticket:, reads tracked threads again, and keeps re-reads idempotent', async () => {
    const t0 = Date.now() - 2 * 86_400_000;
    const r = await slackRig('http', {
      ...scenario,
      channels: {
        C0OPS: {
          name: 'ops',
          messages: [
            { user: 'U0PRIYA', text: '<@U0SAM> can you rotate the staging certs by Friday?', at: new Date(t0).toISOString(), reactions: { ticket: ['U0PRIYA'] }, replies: [{ user: 'U0SAM', text: 'on it', at: new Date(t0 + 60_000).toISOString() }] },
            { user: 'U0ALEX', text: 'lunch?', at: new Date(t0 + 120_000).toISOString() },
          ],
        },
      },
    });
    rigs.push(r);
    r.fake.setDelivery(undefined);
    const identity = buildIdentity({ people: [], teams: [], discovered: [] });
    const first = await pollConnector(r.store, r.connector, identity, new AbortController().signal);
    expect(first.inserted).toBe(1);
    const [task] = await r.store.listTasks();
    expect(task).toMatchObject({ status: 'in_progress', assignees: [{ id: 'U0SAM' }] }); // the owner replied: work started
    const again = await pollConnector(r.store, r.connector, identity, new AbortController().signal);
    expect(again).toMatchObject({ inserted: 0, updated: 0, activity: 0 });
  });
});
