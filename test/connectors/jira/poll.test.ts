import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JiraIssueSeed } from '../../../connectors/jira/fake.js';
import { jqlFor } from '../../../connectors/jira/poll.js';
import { buildIdentity } from '../../../src/core/identity.js';
import { pollConnector } from '../../../src/pipeline/poll.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { jiraConfig, jiraRig, type JiraRig } from '../../support/jira.js';

const identity = buildIdentity({ people: [], teams: [], discovered: [] });
const rigs: JiraRig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.fake.stop();
});

function issues(n: number, project = 'OPS'): JiraIssueSeed[] {
  const t0 = Date.parse('2026-10-01T08:00:00Z');
  return Array.from({ length: n }, (_, i) => ({
    key: `${project}-${i + 1}`,
    summary: `Task ${i + 1}`,
    description: i % 5 === 0 ? 'Do it.\n\n## Acceptance criteria\n\nworks' : 'Do it.',
    assignee: i % 3 === 0 ? 'acc-alex' : null,
    duedate: i % 2 === 0 ? '2026-12-01' : null,
    created: new Date(t0 + i * 30_000).toISOString(),
    comments: i % 10 === 0 ? [{ author: 'acc-sam', body: 'on it', at: new Date(t0 + i * 30_000 + 1000).toISOString() }] : [],
    statusHistory: i % 7 === 0 ? [['In Progress', new Date(t0 + i * 30_000 + 5000).toISOString(), 'acc-alex']] : [],
    status: i % 7 === 0 ? 'In Progress' : 'To Do',
  }));
}

async function rig(seeds: JiraIssueSeed[], over: Record<string, unknown> = {}) {
  const r = await jiraRig({ issues: seeds, projects: [{ key: 'OPS', name: 'Operations' }, { key: 'NET', name: 'Network' }] }, over);
  rigs.push(r);
  return { ...r, store: SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'tw-jira-')), 'tw.db')) };
}
const poll = (store: SqliteStore, r: JiraRig, c = r.connector) => pollConnector(store, c, identity, new AbortController().signal);
const searches = (r: JiraRig) => r.fake.server.calls('POST', '/rest/api/3/search/jql');
const count = (s: SqliteStore, sql: string) => (s.db.prepare(sql).get() as { n: number }).n;

describe('Jira poll against the fake, over HTTP', () => {
  it('reads every page of the enhanced search with an explicit field list, changelog and comments', async () => {
    const r = await rig(issues(250));
    const s = await poll(r.store, r);
    expect(s.inserted).toBe(250);
    expect(searches(r)).toHaveLength(3);
    const body = searches(r)[0]!.body as { jql: string; fields: string[]; expand: string; maxResults: number };
    expect(body.jql).toBe('(project = OPS) ORDER BY updated ASC, key ASC');
    expect(body.fields).toContain('duedate');
    expect(body.expand).toBe('changelog');
    expect(await r.store.getTask('jira-acme:OPS-11')).toMatchObject({ acceptanceCriteria: 'works', due: '2026-12-01' });
    expect(count(r.store, "SELECT count(*) AS n FROM task_history WHERE source = 'source' AND field = 'status'")).toBe(36);
    expect(count(r.store, "SELECT count(*) AS n FROM task_history WHERE field = 'activity'")).toBe(25);
  });

  it('asks from the cursor minus the overlap, in the API user\'s time zone, floored to the minute', () => {
    const config = jiraConfig('https://x.test', { jql: 'project in (OPS, NET)', overlap: '2m' });
    expect(jqlFor(config, '2026-11-20T09:15:42.123Z', 'Europe/Berlin')).toBe('(project in (OPS, NET)) AND updated >= "2026/11/20 10:13" ORDER BY updated ASC, key ASC');
    expect(jqlFor(config, '2026-07-20T09:15:00.000Z', 'America/New_York')).toBe('(project in (OPS, NET)) AND updated >= "2026/07/20 05:13" ORDER BY updated ASC, key ASC');
  });

  it('re-reads the overlap without duplicating history, and picks up a change', async () => {
    const r = await rig(issues(30));
    await poll(r.store, r);
    const history = count(r.store, 'SELECT count(*) AS n FROM task_history');
    const again = await poll(r.store, r);
    expect(again).toMatchObject({ inserted: 0, updated: 0, activity: 0 });
    expect(count(r.store, 'SELECT count(*) AS n FROM task_history')).toBe(history);
    const jql = (searches(r).at(-1)!.body as { jql: string }).jql;
    expect(jql).toMatch(/^\(project = OPS\) AND updated >= "2026\/10\/01 \d\d:\d\d" ORDER BY updated ASC, key ASC$/);

    r.fake.updateIssue('OPS-3', { status: 'In Review', assignee: 'acc-sam' }, 'acc-sam');
    const next = await poll(r.store, r);
    expect(next.updated).toBe(1);
    expect(await r.store.getTask('jira-acme:OPS-3')).toMatchObject({ status: 'in_review', assignees: [{ kind: 'jira', id: 'acc-sam', name: 'Sam Rivera' }] });
    const statusChanges = (await r.store.history('jira-acme:OPS-3')).filter((h) => h.field === 'status');
    // One from Jira's changelog (with Jira's time and author), one from taskwire's own diff.
    expect(statusChanges.map((h) => [h.actor, h.newValue])).toEqual(expect.arrayContaining([['human', '"in_review"']]));
    const before = count(r.store, 'SELECT count(*) AS n FROM task_history');
    await poll(r.store, r);
    expect(count(r.store, 'SELECT count(*) AS n FROM task_history')).toBe(before);
  });

  it('resumes after a failure from the page token it stored', async () => {
    const r = await rig(issues(250));
    let n = 0;
    r.fake.serverError(6, 503, (q) => q.path === '/rest/api/3/search/jql' && ++n >= 2);
    await expect(poll(r.store, r)).rejects.toThrow(/503/);
    const partial = (await r.store.listTasks()).length;
    expect(partial).toBe(100);
    expect(await r.store.getCursor('jira-acme')).toMatchObject({ pass: { token: expect.any(String) } });
    const resumed = await poll(r.store, r);
    expect(resumed.inserted).toBe(150);
    expect((searches(r).at(-1)!.body as { nextPageToken?: string }).nextPageToken).toBeDefined();
  });

  it('waits out a 429 with Retry-After (jira.js alone would not)', async () => {
    const r = await rig(issues(3));
    const c = r.connect({}, { retryBaseMs: 1000, retries: 3 });
    r.fake.rateLimit(1, 1, (q) => q.path === '/rest/api/3/search/jql');
    const started = Date.now();
    const s = await poll(r.store, r, c);
    expect(s.inserted).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(r.fake.server.requests.filter((q) => q.status === 429)).toHaveLength(1);
  });

  it('starts over when the JQL changes', async () => {
    const r = await rig([...issues(5), ...issues(4, 'NET')]);
    await poll(r.store, r);
    expect((await r.store.listTasks()).length).toBe(5);
    const wider = r.connect({ jql: 'project in (OPS, NET)' });
    const s = await poll(r.store, r, wider);
    expect(s.inserted).toBe(4);
    expect((searches(r).at(-1)!.body as { jql: string }).jql).toBe('(project in (OPS, NET)) ORDER BY updated ASC, key ASC');
  });

  it('lists every key in scope, to find issues deleted without a webhook', async () => {
    const r = await rig(issues(12));
    r.fake.deleteIssue('OPS-4', 'acc-alex');
    const keys = await r.connector.liveKeys!();
    expect(keys).toHaveLength(11);
    expect(keys).not.toContain('OPS-4');
  });

  it('the fake answers the removed search endpoint with 410, as Jira Cloud does', async () => {
    const r = await rig(issues(1));
    const res = await fetch(`${r.fake.url}/rest/api/3/search?jql=project=OPS`, { headers: { authorization: `Basic ${Buffer.from('taskwire@example.com:jira-token').toString('base64')}` } });
    expect(res.status).toBe(410);
  });
});

describe('reconciling deletions', () => {
  it('soft-deletes stored issues missing from a complete key listing, at most daily', async () => {
    const { reconcileDeletions } = await import('../../../src/pipeline/reconcile.js');
    const r = await rig(issues(6));
    await poll(r.store, r);
    r.fake.deleteIssue('OPS-2', 'acc-alex');
    const now = Date.parse('2026-11-24T08:00:00Z');
    const first = await reconcileDeletions(r.store, r.connector, now);
    expect(first).toEqual({ checked: true, deleted: ['jira-acme:OPS-2'] });
    expect((await r.store.listTasks()).map((t) => t.key)).not.toContain('OPS-2');
    r.fake.deleteIssue('OPS-3', 'acc-alex');
    expect(await reconcileDeletions(r.store, r.connector, now + 3_600_000)).toEqual({ checked: false, deleted: [] });
    expect((await reconcileDeletions(r.store, r.connector, now + 25 * 3_600_000)).deleted).toEqual(['jira-acme:OPS-3']);
  });
});
