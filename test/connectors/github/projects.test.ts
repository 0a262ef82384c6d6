import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGithub } from '../../../connectors/github/connector.js';
import { GithubFake, type GithubScenario } from '../../../connectors/github/fake.js';
import { hmacHex } from '../../../connectors/kit/hmac.js';
import { buildIdentity } from '../../../src/core/identity.js';
import { connectorState } from '../../../src/main.js';
import { ingestPage } from '../../../src/pipeline/ingest.js';
import { pollConnector } from '../../../src/pipeline/poll.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { githubConfig, silentLog } from '../../support/github.js';

const identity = buildIdentity({ people: [], teams: [], discovered: [] });
const fakes: GithubFake[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.stop();
});

const SECRET = 'project-hook-secret';

function world(n = 3, extra: Partial<GithubScenario> = {}): GithubScenario {
  return {
    repos: [
      {
        fullName: 'acme/infra',
        milestones: [{ number: 1, title: 'Cutover', dueOn: '2026-12-20T08:00:00Z' }],
        issues: Array.from({ length: n }, (_, i) => ({ title: `Issue ${i + 1}`, milestone: 1, labels: i === 0 ? ['P3'] : [], createdAt: new Date(Date.parse('2026-11-01T09:00:00Z') + i * 60_000).toISOString().replace('.000Z', 'Z') })),
      },
    ],
    projects: [
      {
        project: 'acme/3',
        title: 'Platform roadmap',
        fields: [
          { name: 'Status', type: 'SINGLE_SELECT', options: ['Todo', '🏗 In Progress', 'Blocked', 'Done'] },
          { name: 'Priority', type: 'SINGLE_SELECT', options: ['P0', 'P1', 'P2'] },
          { name: 'Target date', type: 'DATE' },
          { name: 'Iteration', type: 'ITERATION', iterations: [{ title: 'Sprint 12', startDate: '2026-11-30', duration: 14 }] },
          { name: 'Estimate', type: 'NUMBER' },
        ],
        items: Array.from({ length: n }, (_, i) => ({
          issue: `acme/infra#${i + 1}`,
          values: i === 0 ? { 'Target date': '2026-12-08', Status: '🏗 In Progress', Priority: 'P0', Iteration: 'Sprint 12', Estimate: 6 } : i === 1 ? { Iteration: 'Sprint 12', Status: 'Blocked' } : {},
        })),
      },
    ],
    ...extra,
  };
}

async function rig(s: GithubScenario, over: Record<string, unknown> = {}, points?: number) {
  const fake = new GithubFake(s, { self: 'taskwire-bot', ...(points ? { graphqlPoints: points } : {}) });
  fakes.push(fake);
  await fake.start();
  const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'tw-ghp-')), 'tw.db'));
  const config = githubConfig(fake.url, { projects: [{ project: 'acme/3' }], webhook: { secrets: [SECRET] }, ...over });
  const connector = createGithub(config, { log: silentLog, timezone: 'Europe/Berlin', timing: { retryBaseMs: 5, retries: 3 }, state: connectorState(store, config.name) });
  const poll = () => pollConnector(store, connector, identity, new AbortController().signal);
  return { fake, store, connector, config, poll };
}

const task = (store: SqliteStore, key: string) => store.getTask(`github-acme:${key}`);
const gql = (fake: GithubFake, op?: string) => fake.server.requests.filter((q) => q.path === '/graphql' && (op === undefined || String((q.body as { query?: string }).query).includes(`query ${op}(`) || String((q.body as { query?: string }).query).includes(`mutation ${op}(`)));
const rest = (fake: GithubFake) => fake.server.requests.filter((q) => q.path !== '/graphql');

/** A local receiver of the fake's webhooks, as GitHub would deliver them (raw body and headers). */
async function hookSink() {
  const got: { body: Buffer; headers: Record<string, string> }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ body: Buffer.concat(chunks), headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])) });
      res.end('ok');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, got, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

describe('GitHub projects: fields read into tasks', () => {
  it('maps a date, a single-select (emoji and all), an iteration and a number; the project beats the milestone and the labels', async () => {
    const r = await rig(world());
    await r.poll();
    expect(await task(r.store, 'acme/infra#1')).toMatchObject({ due: '2026-12-08', status: 'in_progress', rawStatus: '🏗 In Progress (acme/3)', priority: 'urgent', rawPriority: 'P0 (acme/3)', milestone: 'Sprint 12', estimateS: 6 * 3600 });
    // No due field: the iteration's last day (30 Nov + 14 days − 1) beats the milestone's 20 Dec.
    expect(await task(r.store, 'acme/infra#2')).toMatchObject({ due: '2026-12-13', status: 'blocked', priority: null });
    // In the project with no values: the issue's own fields stand.
    expect(await task(r.store, 'acme/infra#3')).toMatchObject({ due: '2026-12-20', status: 'todo', milestone: 'Cutover' });
  });
});

describe('GitHub projects: polling', () => {
  it('pages every item (250: three pages of 100); an unchanged project then costs one query and no item page', async () => {
    const r = await rig(world(250));
    await r.poll();
    expect(gql(r.fake, 'taskwireProjectItems')).toHaveLength(3);
    expect((await r.store.listTasks()).filter((t) => t.milestone === 'Sprint 12')).toHaveLength(2);
    const before = r.fake.server.requests.length;
    await r.poll();
    const calls = r.fake.server.requests.slice(before);
    expect(calls.filter((q) => q.path === '/graphql')).toHaveLength(1); // the project's updatedAt, one point
    expect(calls.filter((q) => q.path !== '/graphql').every((q) => q.status === 304)).toBe(true);
    expect(r.connector.stats!().points).toMatchObject({ used: 1 + 3 * 2 + 1, limit: 5000 });
  });

  it('a field changed in the project reaches its task on the next poll: the issue read alone, the change in the history at its time', async () => {
    const r = await rig(world(5));
    await r.poll();
    r.fake.projects.setField('acme/3', 'acme/infra#4', 'Target date', '2026-12-11');
    const before = rest(r.fake).length;
    await r.poll();
    const reads = rest(r.fake).slice(before).filter((q) => q.status !== 304);
    expect(reads.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /repos/acme/infra/issues/4']);
    const t = await task(r.store, 'acme/infra#4');
    expect(t?.due).toBe('2026-12-11');
    const h = (await r.store.history('github-acme:acme/infra#4')).filter((e) => e.field === 'due');
    expect(h.at(-1)).toMatchObject({ oldValue: '"2026-12-20"', newValue: '"2026-12-11"' });
    expect(Date.parse(h.at(-1)!.at)).toBeGreaterThan(Date.parse('2026-11-02T00:00:00Z'));
    // Nothing else was rewritten.
    expect((await task(r.store, 'acme/infra#5'))?.due).toBe('2026-12-20');
  });

  it('an item archived or removed from the project gives the issue its own due date, status and milestone back', async () => {
    const r = await rig(world());
    await r.poll();
    r.fake.projects.archive('acme/3', 'acme/infra#1');
    r.fake.projects.archive('acme/3', 'acme/infra#2', true);
    await r.poll();
    expect(await task(r.store, 'acme/infra#1')).toMatchObject({ due: '2026-12-20', status: 'todo', priority: 'low', milestone: 'Cutover', estimateS: null });
    expect(await task(r.store, 'acme/infra#2')).toMatchObject({ due: '2026-12-20', status: 'todo' });
  });

  it('a closed issue stays done whatever the project says', async () => {
    const s = world();
    (s.repos[0]!.issues as unknown as { state?: string }[])[0]!.state = "closed";
    const r = await rig(s);
    await r.poll();
    expect(await task(r.store, 'acme/infra#1')).toMatchObject({ status: 'done', due: '2026-12-08' });
  });

  it('a draft issue in the project is a task of its own, with its fields; removed, the task is deleted', async () => {
    const s = world(1);
    (s.projects![0]!.items as unknown[]).push({ draft: { title: 'Plan the DNS cutover', body: '## Acceptance criteria\n- TTL lowered', assignees: ['alexk'] }, values: { 'Target date': '2026-12-09', Priority: 'P1' } });
    const r = await rig(s);
    await r.poll();
    const drafts = (await r.store.listTasks()).filter((t) => t.key.startsWith('draft:'));
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({ title: 'Plan the DNS cutover', due: '2026-12-09', priority: 'high', acceptanceCriteria: '- TTL lowered', project: 'acme/3' });
    expect(drafts[0]!.assignees.map((a) => a.id)).toEqual(['alexk']);
    expect(drafts[0]!.url).toMatch(/^https:\/\/github\.com\/orgs\/acme\/projects\/3\?pane=issue&itemId=\d+$/);
    r.fake.projects.archive('acme/3', drafts[0]!.key.slice('draft:'.length), true);
    await r.poll();
    expect((await r.store.getTask(drafts[0]!.id))?.deletedAt).not.toBeNull();
  });

  it('a plan change stored before its task was emitted again is not lost: the next poll emits it (kill between the two)', async () => {
    const r = await rig(world(3));
    await r.poll();
    r.fake.projects.setField('acme/3', 'acme/infra#3', 'Priority', 'P1');
    // The process dies right after the page holding the new plan was stored (as with kill -9).
    const id = { name: 'github-acme', kind: 'github' } as const;
    for await (const page of r.connector.poll!(await r.store.getCursor('github-acme'), new AbortController().signal)) {
      await ingestPage(r.store, id, identity, page.items, page.cursor);
      if (page.items.some((i) => i.type === 'state')) break;
    }
    expect((await task(r.store, 'acme/infra#3'))?.priority).toBeNull();
    expect(((await r.store.getCursor('github-acme')) as { pending?: string[] }).pending).toEqual(['acme/infra#3']);
    const restarted = createGithub(r.config, { log: silentLog, timezone: 'Europe/Berlin', timing: { retryBaseMs: 5, retries: 3 }, state: connectorState(r.store, r.config.name) });
    await pollConnector(r.store, restarted, identity, new AbortController().signal);
    expect((await task(r.store, 'acme/infra#3'))?.priority).toBe('high');
    expect(((await r.store.getCursor('github-acme')) as { pending?: string[] }).pending).toEqual([]);
  });
});

describe('GitHub projects: two projects', () => {
  it('a project field beats the milestone; two projects that disagree are reported, the earlier date and the higher priority used', async () => {
    const s = world(2);
    (s.projects as unknown[]).push({ project: 'acme/7', title: 'Ops', items: [{ issue: 'acme/infra#1', values: { 'Target date': '2026-12-15', Priority: 'P2', Status: 'Todo' } }] });
    const r = await rig(s, { projects: [{ project: 'acme/3' }, { project: 'acme/7' }] });
    await r.poll();
    expect(await task(r.store, 'acme/infra#1')).toMatchObject({ due: '2026-12-08', priority: 'urgent', status: 'in_progress' });
    const plans = await r.connector.projects!.plansFor('acme/infra#1');
    const { planConflicts } = await import('../../../connectors/github/project-fields.js');
    expect(planConflicts(plans)).toEqual([
      'due date: acme/3 says 2026-12-08, acme/7 says 2026-12-15 (the earlier is used)',
      "status: acme/3 says 🏗 In Progress, acme/7 says Todo (acme/3's is used)",
      'priority: acme/3 says P0, acme/7 says P2 (the higher is used)',
    ]);
  });
});

describe('GitHub projects: projects_v2_item webhooks', () => {
  it('a signed field edit is applied to its task as a person\'s change; a forged one is refused', async () => {
    const r = await rig(world(3));
    await r.poll();
    const sink = await hookSink();
    try {
      r.fake.setWebhookTarget({ url: sink.url, secret: SECRET });
      r.fake.projects.setField('acme/3', 'acme/infra#3', 'Status', 'Blocked', 'samr');
      await Promise.all(r.fake.sentWebhooks.map((w) => w.result));
      const d = sink.got[0]!;
      expect(d.headers['x-github-event']).toBe('projects_v2_item');
      const hook = r.connector.webhook!;
      expect(() => hook.verify(d.body, d.headers)).not.toThrow();
      const forged = Buffer.from(d.body.toString().replace('"edited"', '"deleted"'));
      expect(() => hook.verify(forged, d.headers)).toThrow(/does not match/);
      expect(() => hook.verify(d.body, { ...d.headers, 'x-hub-signature-256': `sha256=${hmacHex('sha256', 'wrong', d.body.toString())}` })).toThrow(/does not match/);
      const parsed = await hook.parse(d.body, d.headers);
      await ingestPage(r.store, { name: 'github-acme', kind: 'github' }, identity, parsed.items, null);
      expect(await task(r.store, 'acme/infra#3')).toMatchObject({ status: 'blocked', rawStatus: 'Blocked (acme/3)' });
      const h = (await r.store.history('github-acme:acme/infra#3')).filter((e) => e.field === 'status');
      expect(h.at(-1)).toMatchObject({ newValue: '"blocked"', actor: 'human', actorId: 'samr' });
      // The poll that follows agrees: nothing to change.
      const again = await r.poll();
      expect(again.updated).toBe(0);
    } finally {
      await sink.close();
    }
  });

  it('archived, deleted and converted items', async () => {
    const s = world(2);
    (s.projects![0]!.items as unknown[]).push({ draft: { title: 'Write the runbook' }, values: { Priority: 'P1' } });
    const r = await rig(s);
    await r.poll();
    const sink = await hookSink();
    try {
      r.fake.setWebhookTarget({ url: sink.url, secret: SECRET });
      const apply = async () => {
        await Promise.all(r.fake.sentWebhooks.map((w) => w.result));
        for (const d of sink.got.splice(0)) {
          r.connector.webhook!.verify(d.body, d.headers);
          await ingestPage(r.store, { name: 'github-acme', kind: 'github' }, identity, (await r.connector.webhook!.parse(d.body, d.headers)).items, null);
        }
        r.fake.sentWebhooks.splice(0);
      };
      r.fake.projects.archive('acme/3', 'acme/infra#1');
      await apply();
      expect(await task(r.store, 'acme/infra#1')).toMatchObject({ due: '2026-12-20', status: 'todo', milestone: 'Cutover' });
      const draftId = (await r.store.listTasks()).find((t) => t.key.startsWith('draft:'))!;
      const n = r.fake.createIssue('acme/infra', { title: 'Write the runbook' });
      r.fake.sentWebhooks.splice(0);
      r.fake.projects.convert('acme/3', draftId.key.slice('draft:'.length), `acme/infra#${n}`);
      await apply();
      expect((await r.store.getTask(draftId.id))?.deletedAt).not.toBeNull();
      expect(await task(r.store, `acme/infra#${n}`)).toMatchObject({ title: 'Write the runbook', priority: 'high' });
    } finally {
      await sink.close();
    }
  });
});

describe('GitHub projects: write-back of Status', () => {
  it('sets the Status a push asks for, once: a repeat (a lost answer) reads it and writes nothing', async () => {
    const r = await rig(world(2), { writes: { projectStatus: true } });
    await r.poll();
    const push = { type: 'status_push', taskKey: 'acme/infra#2', status: 'done' } as const;
    await r.connector.write!(push);
    expect(r.fake.projects.value('acme/3', 'acme/infra#2', 'Status')).toBe('Done');
    await r.connector.write!(push, { attempt: 2 });
    expect(gql(r.fake, 'taskwireSetStatus')).toHaveLength(1);
    // The issue itself is left open: close/reopen is off.
    expect(r.fake.issueState('acme/infra', 2).state).toBe('open');
  });

  it('refuses what the project cannot say, and a task in no project', async () => {
    const r = await rig(world(2), { writes: { projectStatus: true } });
    await r.poll();
    await expect(r.connector.write!({ type: 'status_push', taskKey: 'acme/infra#1', status: 'in_review' })).rejects.toThrow(/no option meaning in_review/);
    r.fake.createIssue('acme/infra', { title: 'Not planned' });
    await r.poll();
    await expect(r.connector.write!({ type: 'status_push', taskKey: 'acme/infra#3', status: 'blocked' })).rejects.toThrow(/in none of the configured projects/);
  });

  it('is off unless asked for', async () => {
    const r = await rig(world(1));
    await r.poll();
    await expect(r.connector.write!({ type: 'status_push', taskKey: 'acme/infra#1', status: 'blocked' })).rejects.toThrow(/close\/reopen is off/);
    expect(gql(r.fake, 'taskwireSetStatus')).toHaveLength(0);
  });
});

describe('GitHub projects: the GraphQL points budget', () => {
  it('sends nothing while the points are spent, and goes on after the refill', async () => {
    const r = await rig(world(250), {}, 5000);
    const resetAt = Date.now() + 1500;
    r.fake.projects.points = { limit: 5000, remaining: 4, resetAt };
    await r.poll();
    const pages = gql(r.fake, 'taskwireProjectItems');
    expect(pages).toHaveLength(3);
    // project (1) + page (2) leave 1 point: the second page (2 points) waits for the refill.
    expect(pages[0]!.at).toBeLessThan(resetAt);
    expect(pages[1]!.at).toBeGreaterThanOrEqual(resetAt);
    expect(gql(r.fake).filter((q) => q.at < resetAt)).toHaveLength(2);
    expect((await r.store.listTasks()).length).toBe(250);
  });

  it('a RATE_LIMITED answer (the budget spent elsewhere) waits until GitHub says it refills', async () => {
    const r = await rig(world(2));
    await r.poll();
    const resetAt = Date.now() + 1200;
    r.fake.projects.points = { limit: 5000, remaining: 0, resetAt };
    r.fake.projects.setField('acme/3', 'acme/infra#2', 'Priority', 'P2');
    const before = gql(r.fake).length;
    await r.poll();
    // One request answered RATE_LIMITED, then nothing until the refill.
    expect(gql(r.fake).slice(before).filter((q) => q.at < resetAt)).toHaveLength(1);
    expect((await task(r.store, 'acme/infra#2'))?.priority).toBe('medium');
  });
});

describe('GitHub projects: payloads copied from GitHub\'s documentation (@octokit/webhooks-examples)', () => {
  const doc = (action: string) => readFileSync(join(import.meta.dirname, '../../fixtures/github/webhooks', `projects_v2_item.${action}.json`));
  const signed = (body: Buffer) => ({ 'x-github-event': 'projects_v2_item', 'x-github-delivery': 'd-1', 'x-hub-signature-256': `sha256=${hmacHex('sha256', SECRET, body.toString())}` });

  async function docRig() {
    const s = world(1);
    // The projects and items the examples name, by their node ids.
    (s.projects as unknown[]).push(
      { project: 'acme/8', id: 'PVT_kwDOAWcTxs07Gw', items: [{ id: 'PVTI_lADOAWcTxs07G84AVqWu', draft: { title: 'Plan the DNS cutover' }, values: { 'Target date': '2026-12-09', Status: 'Todo' } }] },
      { project: 'acme/9', id: 'PVT_kwDOAWcTxs4ACgDd', items: [{ id: 'PVTI_lADOAWcTxs4ACgDdzgBWqxo', issue: 'acme/infra#1', contentNodeId: 'I_kwDOCG5vGM5La0aB', values: { Priority: 'P1' } }] },
    );
    return rig(s, { projects: [{ project: 'acme/3' }, { project: 'acme/8' }, { project: 'acme/9' }] });
  }

  it('edited (a draft issue): the item is read by its id and its task carries its fields, as the sender\'s change', async () => {
    const r = await docRig();
    const body = doc('edited');
    r.connector.webhook!.verify(body, signed(body));
    const parsed = await r.connector.webhook!.parse(body, signed(body));
    const t = parsed.items.find((i) => i.type === 'task');
    expect(t).toMatchObject({ type: 'task', actor: 'human', actorId: 'wolfy1339', task: { key: 'draft:PVTI_lADOAWcTxs07G84AVqWu', title: 'Plan the DNS cutover', due: '2026-12-09', status: 'todo' } });
  });

  it('archived and restored (an issue): the plan ends, then comes back', async () => {
    const r = await docRig();
    await r.poll();
    expect((await task(r.store, 'acme/infra#1'))?.rawPriority).toBe('P0 (acme/3)');
    for (const action of ['archived', 'restored']) {
      const body = doc(action);
      r.connector.webhook!.verify(body, signed(body));
      const parsed = await r.connector.webhook!.parse(body, signed(body));
      expect(parsed.items.map((i) => i.type)).toEqual(['state', 'task']);
      const plan = JSON.parse((parsed.items[0] as { value: string }).value) as { project: string; removed?: boolean };
      expect(plan).toMatchObject({ project: 'acme/9', ...(action === 'archived' ? { removed: true } : {}) });
    }
  });

  it('reordered is ignored; a project that is not configured is ignored, saying which', async () => {
    const r = await docRig();
    for (const [action, why] of [['reordered', 'item reordered'], ['created', 'project PVT_kwAEAQ is not configured']] as const) {
      const body = doc(action);
      r.connector.webhook!.verify(body, signed(body));
      expect(await r.connector.webhook!.parse(body, signed(body))).toEqual({ items: [], ignored: why });
    }
  });
});

describe('GitHub projects: taskwire check --online', () => {
  it('reads each project, says which configured field it lacks, and names a project it cannot see', async () => {
    const s = world(1);
    (s.projects as unknown[]).push({ project: 'acme/7', title: 'Ops', fields: [{ name: 'Status', type: 'SINGLE_SELECT', options: ['Todo', 'Done'] }] });
    const r = await rig(s, { projects: [{ project: 'acme/3' }, { project: 'acme/7' }, { project: 'acme/99' }] });
    const check = await r.connector.checkOnline!();
    expect(check.ok).toContain('project acme/3 ("Platform roadmap"): readable');
    expect(check.ok).toContain('project acme/7: no field "Target date" (due), "Priority" (priority), "Iteration" (iteration), "Estimate" (estimate)');
    expect(check.ok.some((l) => /^GraphQL budget: \d+ of 5000 points left$/.test(l))).toBe(true);
    expect(check.problems).toEqual(['projects: acme/99: no such project, or the token cannot see it (it needs read:project)']);
  });
});

describe('GitHub projects: GitHub Enterprise Server', () => {
  it('sends GraphQL to /api/graphql when the REST root is /api/v3, as GHES serves it', async () => {
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ data: { rateLimit: { cost: 1, remaining: 4999, limit: 5000, resetAt: '2026-12-03T10:00:00Z' } } }));
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const { GithubClient } = await import('../../../connectors/github/client.js');
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`;
      const client = new GithubClient({ name: 'ghes', baseUrl: base, token: 'ghp_x' }, silentLog, { retries: 0 });
      await client.graphql('taskwireProbe', 'query taskwireProbe { rateLimit { cost remaining limit resetAt } }');
      expect(paths).toEqual(['POST /api/graphql']);
      expect(client.points).toMatchObject({ remaining: 4999, limit: 5000, used: 1 });
    } finally {
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  });
});
