import { describe, expect, it } from 'vitest';
import { DEFAULT_PRIORITY_WORDS, dueFromText, plainText, priorityFromText, toTask, type SlackNormalizeContext } from '../../../connectors/slack/normalize.js';

const ctx: SlackNormalizeContext = {
  timezone: 'Europe/Berlin',
  workspaceUrl: 'https://acme.slack.com',
  captureReaction: 'ticket',
  doneReaction: 'white_check_mark',
  ownerFrom: 'mention',
  priorityWords: DEFAULT_PRIORITY_WORDS,
  botUserId: 'UTASKWIRE',
  names: new Map([['U0SAM', 'sam']]),
  acceptanceCriteriaHeading: 'Acceptance criteria',
};

describe('due dates from what people write, in the team time zone', () => {
  it.each([
    // Posted Saturday 00:30 in Berlin (still Friday in UTC): "tomorrow" is Sunday there.
    ['tomorrow EOD', '2026-10-23T22:30:00Z', 'Europe/Berlin', '2026-10-25'],
    // Across the end of summer time (25 Oct 2026): Friday 23:30 in Berlin → Monday is the 26th.
    ['by Monday', '2026-10-23T21:30:00Z', 'Europe/Berlin', '2026-10-26'],
    // Across the start of summer time in New York (8 Mar 2026).
    ['by Monday', '2026-03-07T23:00:00Z', 'America/New_York', '2026-03-09'],
    ['by Friday', '2026-11-24T09:00:00Z', 'Europe/Berlin', '2026-11-27'],
    ['can you do it by EOD?', '2026-11-24T16:00:00Z', 'Asia/Tokyo', '2026-11-25'],
    ['by Dec 3', '2026-11-24T09:00:00Z', 'Europe/Berlin', '2026-12-03'],
    ['can someone fix the API issue?', '2026-11-23T20:00:00Z', 'Europe/Berlin', null],
  ])('"%s" posted at %s in %s → %s', (text, at, tz, want) => expect(dueFromText(text, new Date(at), tz)).toBe(want));
});

describe('priority from words or emoji', () => {
  it.each([
    ['prod is down, urgent', 'urgent'],
    ['please look :rotating_light:', 'urgent'],
    ['important: renew the cert', 'high'],
    ['no rush, whenever you can', 'low'],
    ['an urgency review', null],
  ])('%s → %s', (text, want) => expect(priorityFromText(text, DEFAULT_PRIORITY_WORDS).priority).toBe(want));
});

describe('a captured message as a task', () => {
  const message = { ts: '1795500000.000100', user: 'U0PRIYA', text: '<@U0SAM> rotate the staging certs by Friday\n<https://github.com/acme/infra/issues/12|the firewall issue> first' };
  it('reads owner, title and links; the done reaction of the owner is done, of the requester verified', () => {
    const t = toTask({ channel: 'C0OPS', message, reactions: [], capturedBy: 'U0PRIYA' }, ctx);
    expect(t).toMatchObject({ title: '@sam rotate the staging certs by Friday', assignees: [{ id: 'U0SAM', name: 'sam' }], reporter: { id: 'U0PRIYA' }, status: 'todo', links: ['https://github.com/acme/infra/issues/12'], url: 'https://acme.slack.com/archives/C0OPS/p1795500000000100' });
    expect(plainText(message.text, ctx.names)).toContain('the firewall issue (https://github.com/acme/infra/issues/12)');
    const done = toTask({ channel: 'C0OPS', message, reactions: [{ name: 'white_check_mark', users: ['U0SAM'] }], capturedBy: null }, ctx);
    expect(done.status).toBe('done');
    const verified = toTask({ channel: 'C0OPS', message, reactions: [{ name: 'white_check_mark', users: ['U0SAM', 'U0PRIYA'] }], capturedBy: null }, ctx);
    expect(verified).toMatchObject({ status: 'verified' });
    // Someone else's tick means nothing.
    expect(toTask({ channel: 'C0OPS', message, reactions: [{ name: 'white_check_mark', users: ['U0EVE'] }], capturedBy: null }, ctx).status).toBe('todo');
  });
  it('with ownerFrom: reactor, whoever captured it owns it', () => {
    const t = toTask({ channel: 'C0OPS', message: { ...message, text: 'fix the VPN' }, reactions: [], capturedBy: 'U0ALEX' }, { ...ctx, ownerFrom: 'reactor' });
    expect(t.assignees).toEqual([{ kind: 'slack', id: 'U0ALEX' }]);
  });
});
