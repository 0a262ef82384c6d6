import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryWalk } from '../../../connectors/github/history.js';
import { labelMaps } from '../../../connectors/github/normalize.js';
import type { GhIssue, GhIssueEvent, GhUser } from '../../../connectors/github/types.js';
import { taskAsOf } from '../../../src/core/asof.js';
import { buildIdentity } from '../../../src/core/identity.js';
import type { SourceItem } from '../../../src/core/model.js';
import { pollConnector } from '../../../src/pipeline/poll.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { githubRig, type GithubRig } from '../../support/github.js';

const ctx = { timezone: 'Europe/Berlin', labels: labelMaps({}), acceptanceCriteriaHeading: 'Acceptance criteria' };
const user = (login: string): GhUser => ({ login, id: login.length, type: login.endsWith('[bot]') ? 'Bot' : 'User' });

const now: GhIssue = {
  id: 1,
  number: 7,
  html_url: 'https://github.com/acme/infra/issues/7',
  url: 'https://api.github.com/repos/acme/infra/issues/7',
  repository_url: 'https://api.github.com/repos/acme/infra',
  state: 'closed',
  state_reason: 'completed',
  title: 'Rotate the VPN certificates',
  body: null,
  user: user('alexk'),
  labels: [{ name: 'P1' }],
  assignee: user('samr'),
  assignees: [user('samr')],
  milestone: { number: 2, title: 'Cutover', due_on: '2026-12-04T08:00:00Z', state: 'open' },
  comments: 0,
  created_at: '2026-10-01T08:00:00Z',
  updated_at: '2026-10-09T15:00:00Z',
  closed_at: '2026-10-09T15:00:00Z',
};

let nextId = 100;
const ev = (event: string, at: string, actor: string, extra: Partial<GhIssueEvent> = {}): GhIssueEvent => ({ id: nextId++, event, actor: user(actor), created_at: at, issue: now, ...extra });

/** Oldest first as written; the stream lists them newest first. */
const written: GhIssueEvent[] = [
  ev('assigned', '2026-10-01T08:00:00Z', 'alexk', { assignee: user('alexk') }),
  ev('milestoned', '2026-10-01T08:00:00Z', 'alexk', { milestone: { title: 'Beta' } }),
  ev('labeled', '2026-10-02T09:00:00Z', 'alexk', { label: { name: 'in progress' } }),
  ev('unassigned', '2026-10-05T10:00:00Z', 'alexk', { assignee: user('alexk') }),
  ev('assigned', '2026-10-05T10:00:00Z', 'alexk', { assignee: user('samr') }),
  ev('demilestoned', '2026-10-06T11:00:00Z', 'samr', { milestone: { title: 'Beta' } }),
  ev('milestoned', '2026-10-06T11:00:00Z', 'samr', { milestone: { title: 'Cutover' } }),
  ev('labeled', '2026-10-07T12:00:00Z', 'samr', { label: { name: 'P1' } }),
  ev('closed', '2026-10-08T13:00:00Z', 'samr', { state_reason: 'completed' }),
  ev('reopened', '2026-10-08T16:00:00Z', 'alexk'),
  ev('unlabeled', '2026-10-09T14:59:00Z', 'ci[bot]', { label: { name: 'in progress' } }),
  ev('closed', '2026-10-09T15:00:00Z', 'samr', { state_reason: 'completed' }),
  ev('mentioned', '2026-10-09T15:00:00Z', 'samr'),
];
const stream = [...written].reverse();

function entries(items: readonly SourceItem[]) {
  return items.flatMap((i) => (i.type === 'history' ? i.entries.map((e) => ({ ...e, key: i.key })) : []));
}

describe("GitHub's issue event stream as history", () => {
  it('walks back from the issue as it is now, across pages, to the fields each event moved, with GitHub’s times and actors', () => {
    const walk = new HistoryWalk({ ctx, pullRequests: 'evidence', milestoneDue: new Map([['Beta', '2026-11-20T08:00:00Z']]) });
    // Two pages, split in the middle of the stream: the walk carries each issue's state across.
    const items = [...walk.page(stream.slice(0, 5)), ...walk.page(stream.slice(5))];
    const got = entries(items).map((e) => [e.at, e.field, e.oldValue, e.newValue, e.actor]);
    expect(got).toEqual(
      expect.arrayContaining([
        ['2026-10-01T08:00:00Z', 'assignees', [], [{ kind: 'github', id: 'alexk' }], 'human'],
        ['2026-10-01T08:00:00Z', 'milestone', null, 'Beta', 'human'],
        ['2026-10-01T08:00:00Z', 'due', null, '2026-11-20', 'human'],
        ['2026-10-02T09:00:00Z', 'status', 'todo', 'in_progress', 'human'],
        ['2026-10-05T10:00:00Z', 'assignees', [{ kind: 'github', id: 'alexk' }], [], 'human'],
        ['2026-10-05T10:00:00Z', 'assignees', [], [{ kind: 'github', id: 'samr' }], 'human'],
        ['2026-10-06T11:00:00Z', 'due', '2026-11-20', null, 'human'],
        ['2026-10-06T11:00:00Z', 'due', null, '2026-12-04', 'human'],
        ['2026-10-07T12:00:00Z', 'priority', null, 'high', 'human'],
        ['2026-10-08T13:00:00Z', 'status', 'in_progress', 'done', 'human'],
        ['2026-10-08T16:00:00Z', 'status', 'done', 'in_progress', 'human'],
        ['2026-10-09T14:59:00Z', 'labels', ['P1', 'in progress'], ['P1'], 'bot'],
        ['2026-10-09T15:00:00Z', 'status', 'todo', 'done', 'human'],
      ]),
    );
    // Every status move, in order, ends where the issue is now.
    const status = entries(items)
      .filter((e) => e.field === 'status')
      .sort((a, b) => (a.at < b.at ? -1 : 1))
      .map((e) => `${String(e.oldValue)}→${String(e.newValue)}`);
    expect(status).toEqual(['todo→in_progress', 'in_progress→done', 'done→in_progress', 'in_progress→todo', 'todo→done']);
    // A person's event is activity; a bot's and a mention are not.
    const activity = items.filter((i) => i.type === 'activity');
    expect(activity).toHaveLength(written.length - 2);
    expect(activity.every((a) => a.type === 'activity' && a.actor === 'human')).toBe(true);
  });

  it("taskwire's own events are taskwire's: history, but no activity", () => {
    const events = [ev('labeled', '2026-10-09T16:00:00Z', 'taskwire-bot', { label: { name: 'P1' }, issue: { ...now, state: 'open', state_reason: null, labels: [{ name: 'P1' }, { name: 'blocked' }] } })];
    const items = new HistoryWalk({ ctx, pullRequests: 'evidence', milestoneDue: new Map(), self: 'taskwire-bot' }).page([{ ...events[0]!, label: { name: 'blocked' } }]);
    expect(entries(items).map((e) => [e.field, e.actor])).toEqual([['status', 'taskwire'], ['labels', 'taskwire']]);
    expect(items.some((i) => i.type === 'activity')).toBe(false);
  });

  it('a reopened issue was closed for the reason its closing gave (not planned → cancelled)', () => {
    const open: GhIssue = { ...now, state: 'open', state_reason: 'reopened', labels: [], milestone: null };
    const events = [ev('reopened', '2026-10-09T10:00:00Z', 'alexk', { issue: open }), ev('closed', '2026-10-08T10:00:00Z', 'samr', { issue: open, state_reason: 'not_planned' })];
    const status = entries(new HistoryWalk({ ctx, pullRequests: 'evidence', milestoneDue: new Map() }).page(events)).filter((e) => e.field === 'status');
    expect(status.map((e) => [e.at, e.oldValue, e.newValue])).toEqual([
      ['2026-10-09T10:00:00Z', 'cancelled', 'todo'],
      ['2026-10-08T10:00:00Z', 'todo', 'cancelled'],
    ]);
  });

  it('skips pull requests unless they are tracked as tasks', () => {
    const pr: GhIssue = { ...now, number: 8, pull_request: { merged_at: '2026-10-09T15:00:00Z', html_url: 'x' } };
    const events = [ev('closed', '2026-10-09T15:00:00Z', 'samr', { issue: pr })];
    expect(new HistoryWalk({ ctx, pullRequests: 'evidence', milestoneDue: new Map() }).page(events)).toEqual([]);
    const tracked = entries(new HistoryWalk({ ctx, pullRequests: 'tasks', milestoneDue: new Map() }).page(events));
    expect(tracked.map((e) => [e.field, e.oldValue, e.newValue])).toContainEqual(['status', 'in_review', 'done']);
  });
});

describe('GitHub history over HTTP, into the store, and back as of an instant', () => {
  const rigs: GithubRig[] = [];
  afterEach(async () => {
    for (const r of rigs.splice(0)) await r.fake.stop();
  });
  const identity = buildIdentity({ people: [], teams: [], discovered: [] });

  async function setup(over: Record<string, unknown> = {}) {
    let clock = Date.parse('2026-10-01T08:00:00Z');
    const r = await githubRig({ repos: [{ fullName: 'acme/infra', milestones: [{ number: 1, title: 'Cutover', dueOn: '2026-12-04T08:00:00Z' }] }] }, over, { clock: () => new Date(clock) });
    rigs.push(r);
    const at = (iso: string) => (clock = Date.parse(iso));
    const n = r.fake.createIssue('acme/infra', { title: 'Rotate the VPN certificates', user: 'alexk', createdAt: '2026-10-01T08:00:00Z' });
    at('2026-10-02T09:00:00Z');
    r.fake.updateIssue('acme/infra', n, { labels: ['in progress'], assignees: ['samr'] }, 'samr');
    at('2026-10-05T10:00:00Z');
    r.fake.updateIssue('acme/infra', n, { milestone: 1, labels: ['in progress', 'P1'] }, 'alexk');
    at('2026-10-08T13:00:00Z');
    r.fake.updateIssue('acme/infra', n, { state: 'closed', labels: ['P1'] }, 'samr');
    at('2026-10-09T08:00:00Z');
    const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'tw-ghh-')), 'tw.db'));
    return { r, n, store, at };
  }

  it('the first sync brings the past with GitHub’s times, so the task as of a past morning is what it was then', async () => {
    const { r, n, store } = await setup();
    await pollConnector(store, r.connector, identity, new AbortController().signal);
    const id = `github-acme:acme/infra#${n}`;
    const task = (await store.getTask(id))!;
    expect(task.status).toBe('done');
    const history = await store.history(id);
    expect(history.filter((h) => h.source === 'source').map((h) => [h.at, h.field])).toEqual(
      expect.arrayContaining([
        ['2026-10-02T09:00:00.000Z', 'status'],
        ['2026-10-05T10:00:00.000Z', 'due'],
        ['2026-10-05T10:00:00.000Z', 'priority'],
        ['2026-10-08T13:00:00.000Z', 'status'],
      ]),
    );
    const asOf = (iso: string) => taskAsOf(task, history, iso);
    expect(asOf('2026-10-01T12:00:00.000Z')).toMatchObject({ status: 'todo', assignees: [], due: null, priority: null, doneAt: null });
    expect(asOf('2026-10-02T09:00:00.000Z')).toMatchObject({ status: 'in_progress', assignees: [{ kind: 'github', id: 'samr' }], due: null });
    expect(asOf('2026-10-06T08:00:00.000Z')).toMatchObject({ status: 'in_progress', due: '2026-12-04', priority: 'high', milestone: 'Cutover' });
    expect(asOf('2026-10-08T12:59:59.000Z')).toMatchObject({ status: 'in_progress', doneAt: null });
    expect(asOf('2026-10-08T13:00:00.000Z')).toMatchObject({ status: 'done', doneAt: '2026-10-08T13:00:00.000Z' });
  });

  it('ends the history where GitHub stops paging the stream (422), instead of failing every cycle', async () => {
    const issues = Array.from({ length: 80 }, (_, i) => ({ title: `Issue ${i}`, labels: ['P2', 'bug'], createdAt: new Date(Date.parse('2026-10-01T08:00:00Z') + i * 60_000).toISOString().replace('.000Z', 'Z') }));
    const r = await githubRig({ repos: [{ fullName: 'acme/infra', issues }] }, {}, { eventPagesLimit: 1 });
    rigs.push(r);
    const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'tw-ghh-')), 'tw.db'));
    const first = await pollConnector(store, r.connector, identity, new AbortController().signal);
    expect(first.inserted).toBe(80);
    const refused = r.fake.server.requests.filter((q) => q.path === '/repos/acme/infra/issues/events' && q.status === 422);
    expect(refused).toHaveLength(1);
    // The newest 100 events (the last 50 issues' two labels) made it into the history.
    const sourced = (store.db.prepare("SELECT count(DISTINCT task_id) AS n FROM task_history WHERE source = 'source' AND field = 'labels'").get() as { n: number }).n;
    expect(sourced).toBe(50);
    const before = r.fake.server.requests.length;
    await pollConnector(store, r.connector, identity, new AbortController().signal);
    expect(r.fake.server.requests.slice(before).map((q) => q.status)).toEqual([304]);
  });

  it('later syncs read only the new events, and only when issues changed; historyPages: 0 reads none', async () => {
    const { r, n, store, at } = await setup();
    const poll = () => pollConnector(store, r.connector, identity, new AbortController().signal);
    await poll();
    const events = () => r.fake.server.requests.filter((q) => q.path === '/repos/acme/infra/issues/events').length;
    const first = events();
    expect(first).toBe(1);
    await poll(); // idle: no events request
    expect(events()).toBe(first);
    at('2026-10-09T10:00:00Z');
    r.fake.updateIssue('acme/infra', n, { state: 'open' }, 'alexk');
    await poll();
    expect(events()).toBe(first + 1);
    const reopen = (await store.history(`github-acme:acme/infra#${n}`)).filter((h) => h.source === 'source' && h.field === 'status' && h.at === '2026-10-09T10:00:00.000Z');
    expect(reopen.map((h) => [h.oldValue, h.newValue, h.actorId])).toEqual([['"done"', '"todo"', 'alexk']]);
    // Nothing read twice.
    const all = (await store.history(`github-acme:acme/infra#${n}`)).filter((h) => h.source === 'source');
    expect(new Set(all.map((h) => `${h.field}|${h.at}|${h.newValue}`)).size).toBe(all.length);

    const { r: r2, store: store2 } = await setup({ historyPages: 0 });
    await pollConnector(store2, r2.connector, identity, new AbortController().signal);
    expect(r2.fake.server.requests.some((q) => q.path === '/repos/acme/infra/issues/events')).toBe(false);
  });
});
