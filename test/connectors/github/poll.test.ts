import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIdentity } from '../../../src/core/identity.js';
import { pollConnector } from '../../../src/pipeline/poll.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import type { GithubScenario } from '../../../connectors/github/fake.js';
import { githubRig, type GithubRig } from '../../support/github.js';

const identity = buildIdentity({ people: [], teams: [], discovered: [] });
const rigs: GithubRig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.fake.stop();
});

function scenario(n: number): GithubScenario {
  const t0 = Date.parse('2026-10-01T08:00:00Z');
  return {
    repos: [
      {
        fullName: 'acme/infra',
        milestones: [{ number: 1, title: 'Cutover', dueOn: '2026-12-04T08:00:00Z' }],
        issues: Array.from({ length: n }, (_, i) => ({
          title: `Issue ${i + 1}`,
          body: i % 10 === 0 ? 'Blocked by #1.\n\n## Acceptance criteria\n- works' : 'Something to do.',
          labels: i % 3 === 0 ? ['P2'] : [],
          assignees: i % 4 === 0 ? ['alexk'] : [],
          milestone: i % 5 === 0 ? 1 : undefined,
          // Several issues share each second, as on a busy repository.
          createdAt: new Date(t0 + Math.floor(i / 3) * 60_000).toISOString().replace('.000Z', 'Z'),
        })),
      },
    ],
  } as GithubScenario;
}

async function rig(s: GithubScenario, over: Record<string, unknown> = {}) {
  const r = await githubRig(s, over);
  rigs.push(r);
  const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'tw-gh-')), 'tw.db'));
  return { ...r, store };
}

const poll = (store: SqliteStore, r: GithubRig, connector = r.connector) => pollConnector(store, connector, identity, new AbortController().signal);

describe('GitHub poll against the fake, over HTTP', () => {
  it('backfills every issue across pages, then an idle cycle is one request answered 304', async () => {
    const r = await rig(scenario(250));
    const first = await poll(r.store, r);
    expect(first.firstSync).toBe(true);
    expect(first.inserted).toBe(250);
    expect((await r.store.listTasks()).length).toBe(250);
    const t = await r.store.getTask('github-acme:acme/infra#11');
    expect(t).toMatchObject({ dependsOn: ['github:acme/infra#1'], acceptanceCriteria: '- works', milestone: 'Cutover', due: '2026-12-04' });

    const before = r.fake.server.requests.length;
    const idle = await poll(r.store, r);
    expect(idle).toMatchObject({ inserted: 0, updated: 0 });
    const idleCalls = r.fake.server.requests.slice(before);
    expect(idleCalls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual(['GET /repos/acme/infra/issues 304']);
    expect(r.connector.stats?.().notModified).toBeGreaterThanOrEqual(1);
  });

  it('resumes after a failure part-way through, from the last stored page, without duplicates', async () => {
    const r = await rig(scenario(250));
    // The third listing request fails more times than the client retries.
    let listed = 0;
    r.fake.serverError(4, 502, (q) => q.path === '/repos/acme/infra/issues' && ++listed >= 3);
    await expect(poll(r.store, r)).rejects.toThrow(/502/);
    const partial = (await r.store.listTasks()).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(250);
    expect(await r.store.getCursor('github-acme')).not.toBeNull();

    const resumed = await poll(r.store, r);
    expect(resumed.firstSync).toBe(false);
    expect(resumed.inserted).toBe(250 - partial);
    expect((await r.store.listTasks()).length).toBe(250);
    const history = r.store.db.prepare("SELECT count(*) AS n FROM task_history WHERE source = 'diff'").get() as { n: number };
    expect(history.n).toBe(0); // nothing was applied twice as a change
  });

  it('reads several repositories at once and still resumes each from its own last stored page', async () => {
    const two: GithubScenario = { repos: ['acme/infra', 'acme/api'].map((fullName) => ({ ...scenario(150).repos[0]!, fullName })) };
    const r = await rig(two, { repos: ['acme/infra', 'acme/api'] });
    let apiLists = 0;
    r.fake.serverError(4, 503, (q) => q.path === '/repos/acme/api/issues' && ++apiLists >= 2);
    await expect(poll(r.store, r)).rejects.toThrow(/503/);
    const partial = await r.store.listTasks();
    expect(partial.some((t) => t.key.startsWith('acme/api#'))).toBe(true);
    const resumed = await poll(r.store, r);
    expect(resumed.inserted).toBe(300 - partial.length);
    expect((await r.store.listTasks()).length).toBe(300);
    expect((r.store.db.prepare("SELECT count(*) AS n FROM task_history WHERE source = 'diff'").get() as { n: number }).n).toBe(0);
  });

  it('picks up a changed issue and a new comment on the next cycle', async () => {
    const r = await rig(scenario(30));
    await poll(r.store, r);
    await poll(r.store, r);
    r.fake.updateIssue('acme/infra', 7, { labels: ['blocked'], assignees: ['samr'] }, 'samr');
    r.fake.addComment('acme/infra', 9, 'alexk', 'Looking at this now.');
    const next = await poll(r.store, r);
    expect(next.updated).toBe(2);
    // The comment, and samr's three events on #7 (unlabeled P2, labeled blocked, assigned samr).
    expect(next.activity).toBe(4);
    expect(await r.store.getTask('github-acme:acme/infra#7')).toMatchObject({ status: 'blocked', assignees: [{ kind: 'github', id: 'samr' }] });
    const nine = await r.store.getTask('github-acme:acme/infra#9');
    expect(nine?.lastHumanActivityAt).not.toBeNull();
    const status = (await r.store.history('github-acme:acme/infra#7')).filter((h) => h.field === 'status');
    // The change taskwire saw, and the same change from GitHub's event stream with samr as its author.
    expect(status.map((h) => [h.source, h.newValue, h.actorId])).toEqual(expect.arrayContaining([['diff', '"blocked"', null], ['source', '"blocked"', 'samr']]));
    expect(status).toHaveLength(2);
    // And then idle again.
    const before = r.fake.server.requests.length;
    await poll(r.store, r);
    expect(r.fake.server.requests.slice(before).map((c) => c.status)).toEqual([304]);
  });

  it('looks up who it is (GET /user) once per token, not in every run: a cron `sync --once` reads it from the cursor', async () => {
    const r = await githubRig(scenario(30), {}, { tokens: ['ghp_faketoken', 'ghp_another'] });
    rigs.push(r);
    const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'tw-gh-')), 'tw.db'));
    const users = () => r.fake.server.requests.filter((q) => q.path === '/user').length;
    await poll(store, r, r.connect());
    expect(users()).toBe(1);
    // Each run a new process: a new connector instance. Issues changed, so the history pass needs the login.
    for (let i = 0; i < 2; i++) {
      r.fake.updateIssue('acme/infra', 7 + i, { labels: ['blocked'] }, 'samr');
      const next = await poll(store, r, r.connect());
      expect(next.updated).toBe(1);
    }
    expect(users()).toBe(1);
    // Another token may be another account: asked again.
    r.fake.updateIssue('acme/infra', 12, { labels: ['blocked'] }, 'samr');
    await poll(store, r, r.connect({ token: 'ghp_another' }));
    expect(users()).toBe(2);
    expect(JSON.stringify(await store.getCursor('github-acme'))).not.toContain('ghp_');
  });

  it('waits out a secondary rate limit (429 with Retry-After) and carries on', async () => {
    const r = await rig(scenario(5));
    const connector = r.connect({}, { retryBaseMs: 1000, retries: 3 });
    r.fake.secondaryRateLimit(1, 1);
    const started = Date.now();
    const s = await poll(r.store, r, connector);
    expect(s.inserted).toBe(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(r.fake.server.requests.filter((q) => q.status === 429)).toHaveLength(1);
  });

  it('bounds the first backfill by backfillSince, and starts over when the scope changes', async () => {
    const day = (d: string) => `${d}T10:00:00Z`;
    const s: GithubScenario = {
      repos: [{ fullName: 'acme/infra', issues: [{ title: 'old', createdAt: day('2026-09-10') }, { title: 'older', createdAt: day('2026-08-01') }, { title: 'new', createdAt: day('2026-10-05') }] }],
    };
    const r = await rig(s, { backfillSince: '2026-10-01' });
    await poll(r.store, r);
    expect((await r.store.listTasks()).map((t) => t.title)).toEqual(['new']);
    // A wider scope is a different query: its cursor starts from the new bound.
    const wider = r.connect({ backfillSince: '2026-09-01' });
    const again = await poll(r.store, r, wider);
    expect(again.inserted).toBe(1);
    expect((await r.store.listTasks()).map((t) => t.title).sort()).toEqual(['new', 'old']);
  });

  it('expands an org to its repositories', async () => {
    const s: GithubScenario = { repos: [{ fullName: 'acme/api', issues: [{ title: 'API one' }] }, { fullName: 'acme/web', issues: [{ title: 'Web one' }, { title: 'Web two' }] }], orgs: { acme: ['acme/api', 'acme/web'] } };
    const r = await rig(s, { repos: [], orgs: ['acme'] });
    const summary = await poll(r.store, r);
    expect(summary.inserted).toBe(3);
    expect((await r.store.listTasks()).map((t) => t.key).sort()).toEqual(['acme/api#1', 'acme/web#1', 'acme/web#2']);
  });

  it('authenticates as a GitHub App installation', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const r = await githubRig(scenario(3), { token: undefined, app: { appId: 42, privateKey, installationId: 7 } }, { appInstallationId: '7' });
    rigs.push(r);
    const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'tw-gh-')), 'tw.db'));
    const s = await pollConnector(store, r.connector, identity, new AbortController().signal);
    expect(s.inserted).toBe(3);
    expect(r.fake.server.calls('POST', '/app/installations/7/access_tokens')).toHaveLength(1);
  });
});
