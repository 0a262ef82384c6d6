/**
 * Who may see the web UI, over real HTTP against the daemon: off unless configured; signed out, every
 * page and call answers 401 with no task data; the API token (bearer or sign-in form) and basic auth
 * let in; a forged or expired session cookie does not; a cross-origin POST is refused; repeated failed
 * sign-ins are throttled; the sign-in never redirects off the server; shutdown closes live streams.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { loadConfig } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { UiAuth } from '../../src/server/ui/auth.js';
import { silentLog } from '../support/github.js';
import { SCENARIO_NOW, seedScenario } from '../support/scenario.js';
import { mkdirSync, writeFileSync } from 'node:fs';

const TOKEN = 'api-token-0123456789abcdef';
const USER = 'lead';
const PASSWORD = 'correct horse battery';
const PEOPLE = [
  { id: 'alex', name: 'Alex Kim', accounts: { github: 'alexk', jira: 'acc-alex' } },
  { id: 'sam', name: 'Sam Rivera', accounts: { github: 'samr', jira: 'acc-sam' } },
  { id: 'priya', name: 'Priya Nair', accounts: { jira: 'acc-priya' } },
];
/** Titles of the scenario's tasks: none may appear in any answer to a signed-out request. */
const TITLES = ['Migrate DNS records', 'Add health checks', 'Patch the VPN', 'Open firewall rule', 'Rotate staging certificates'];
const PAGES = ['/', '/?owner=alex', '/graph', `/graph?task=${encodeURIComponent('jira-acme:OPS-12')}`, `/tasks/${encodeURIComponent('jira-acme:OPS-12')}`, '/people', '/reports', '/reports/today', '/backtest', '/ui/events', '/api/tasks', '/api/report'];

async function startDaemon(ui: Record<string, unknown>, server: Record<string, unknown> = { apiToken: TOKEN }): Promise<{ daemon: Daemon; base: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-ui-'));
  const store = SqliteStore.open(join(dir, 'tw.db'), { clock: () => new Date(SCENARIO_NOW) });
  await seedScenario(store);
  // An account the tools told us about that nobody mapped yet.
  await store.recordAccounts([{ kind: 'github', id: 'carol-net', connector: 'github-acme', name: 'Carol Net' }]);
  // Two GitHub projects plan acme/infra#7 and disagree on its date (as the connector stores their plans).
  const plan = (project: string, due: string) => ({ project, projectId: `PVT_${project}`, itemId: `PVTI_${project}`, updatedAt: '2026-11-20T09:00:00Z', due, dueFrom: 'Target date', status: null, rawStatus: null, priority: null, rawPriority: null, iteration: null, estimateS: null });
  await store.setMeta('connector:github-acme:plan:acme/infra#7|acme/3', JSON.stringify(plan('acme/3', '2026-11-24')));
  await store.setMeta('connector:github-acme:plan:acme/infra#7|acme/7', JSON.stringify(plan('acme/7', '2026-11-26')));
  await store.close();
  const config = configSchema.parse({
    timezone: 'Europe/Berlin',
    store: { path: join(dir, 'tw.db') },
    server: { host: '127.0.0.1', ...server, ui },
    people: PEOPLE,
    report: { outputDir: join(dir, 'reports') },
    // Not polled: here so the task pages can say what its state notes (GitHub projects).
    connectors: [{ name: 'github-acme', type: 'github', enabled: false, token: 'ghp_unused', repos: ['acme/infra'], projects: [{ project: 'acme/3' }, { project: 'acme/7' }] }],
  });
  const daemon = new Daemon({ config, log: silentLog, cwd: dir, port: 0, now: () => SCENARIO_NOW });
  await daemon.start();
  return { daemon, base: daemon.url, dir };
}

let daemon: Daemon;
let base = '';
let dir = '';

beforeAll(async () => {
  ({ daemon, base, dir } = await startDaemon({ enabled: true, basicAuth: { username: USER, password: PASSWORD } }));
});
afterAll(async () => {
  await daemon?.stop();
});

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

async function signIn(form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/signin`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString() });
}

const sessionOf = (res: Response) => /tw_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? '';

describe('the web UI, signed out', () => {
  it('answers 401 on every page and call, with no task data (HTML pages show the sign-in form)', async () => {
    for (const path of PAGES) {
      for (const accept of ['text/html', 'application/json', '*/*']) {
        const res = await fetch(`${base}${path}`, { headers: { accept } });
        const body = await res.text();
        expect(res.status, `${path} (${accept})`).toBe(401);
        for (const t of TITLES) expect(body, `${path} (${accept})`).not.toContain(t);
        if (accept === 'text/html' && !path.startsWith('/api') && path !== '/ui/events') expect(body).toContain('Sign in to taskwire');
      }
    }
    const verify = await fetch(`${base}/tasks/${encodeURIComponent('jira-acme:OPS-14')}/verify`, { method: 'POST' });
    expect(verify.status).toBe(401);
  });

  it('refuses a wrong token, a wrong password, a forged cookie and an expired one', async () => {
    expect((await fetch(`${base}/`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    expect((await fetch(`${base}/`, { headers: { authorization: basic(USER, 'wrong password!') } })).status).toBe(401);
    expect((await fetch(`${base}/`, { headers: { authorization: basic('someone', PASSWORD) } })).status).toBe(401);
    const res = await signIn({ token: 'not-the-token-0123456789' });
    expect(res.status).toBe(401);
    expect(res.headers.get('set-cookie')).toBeNull();
    // A real session with its user changed, or its expiry pushed out, no longer matches its signature.
    const good = sessionOf(await signIn({ token: TOKEN }));
    const [who, exp, sig] = decodeURIComponent(good).split('.');
    const forged = [`${Buffer.from(USER).toString('base64url')}.${exp}.${sig}`, `${who}.${Number(exp) + 86_400_000}.${sig}`, `${who}.${exp}.${sig!.slice(0, -2)}AA`];
    for (const cookie of forged) expect((await fetch(`${base}/`, { headers: { cookie: `tw_session=${encodeURIComponent(cookie)}` } })).status).toBe(401);
    // Expired: a session minted (with the same secrets) two days ago, for 12 hours.
    const old = new UiAuth({ apiToken: TOKEN, basicAuth: { username: USER, password: PASSWORD }, sessionTtlMs: 12 * 3600_000 }, () => Date.now() - 2 * 86_400_000).session('api token');
    expect((await fetch(`${base}/`, { headers: { cookie: `tw_session=${encodeURIComponent(old)}` } })).status).toBe(401);
    const fresh = new UiAuth({ apiToken: TOKEN, basicAuth: { username: USER, password: PASSWORD }, sessionTtlMs: 12 * 3600_000 }).session('api token');
    expect((await fetch(`${base}/`, { headers: { cookie: `tw_session=${encodeURIComponent(fresh)}` } })).status).toBe(200);
  });

  it('never redirects off the server after signing in', async () => {
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example']) {
      const res = await signIn({ token: TOKEN, next });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/');
    }
    expect((await signIn({ token: TOKEN, next: '/?owner=alex' })).headers.get('location')).toBe('/?owner=alex');
  });
});

describe('the web UI, signed in', () => {
  it('lets in the sign-in form (token or password), a bearer token and basic auth; the cookie is HttpOnly and SameSite=Strict', async () => {
    const byToken = await signIn({ token: TOKEN });
    expect(byToken.status).toBe(303);
    expect(byToken.headers.get('set-cookie')).toMatch(/^tw_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const byPassword = await signIn({ username: USER, password: PASSWORD });
    expect(byPassword.status).toBe(303);
    for (const headers of [{ cookie: `tw_session=${sessionOf(byToken)}` }, { cookie: `tw_session=${sessionOf(byPassword)}` }, { authorization: `Bearer ${TOKEN}` }, { authorization: basic(USER, PASSWORD) }]) {
      const res = await fetch(`${base}/`, { headers });
      expect(res.status).toBe(200);
      const body = await res.text();
      expect(body).toContain('Migrate DNS records for client A');
      expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    expect(await (await fetch(`${base}/`, { headers: { authorization: basic(USER, PASSWORD) } })).text()).toContain('Sign out (lead)');
  });

  it('loads nothing from another origin: every script and style sheet is served by the daemon, without signing in', async () => {
    const body = await (await fetch(`${base}/`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    const refs = [...body.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(5);
    for (const ref of refs.filter((r) => r !== 'data:,')) {
      expect(ref).toMatch(/^\/ui\/assets\/[a-z-]+\.[0-9a-f]{12}\.(js|css)$/);
      const res = await fetch(`${base}${ref}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toMatch(/immutable/);
    }
    expect(body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[^"']*\.(js|css)/);
  });

  it('refuses a cross-origin POST even with a valid session, and verifies done work from the same origin', async () => {
    const cookie = `tw_session=${sessionOf(await signIn({ token: TOKEN }))}`;
    const path = `/tasks/${encodeURIComponent('jira-acme:OPS-14')}/verify`;
    const cross = await fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: 'https://evil.example' } });
    expect(cross.status).toBe(403);
    const notDone = await fetch(`${base}/tasks/${encodeURIComponent('jira-acme:OPS-12')}/verify`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: base } });
    expect(notDone.status).toBe(409);
    const ok = await fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie, origin: base } });
    expect(ok.status).toBe(303);
    const page = await (await fetch(`${base}${path.replace('/verify', '')}`, { headers: { cookie } })).text();
    expect(page).toMatch(/Verified Wed 25 Nov/);
  });

  it('serves people, the report archive, today\'s report, the backtest and the graph from the store', async () => {
    const get = async (path: string) => {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      return { status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? '' };
    };
    const people = await get('/people');
    expect(people.body).toMatch(/<tr data-person="alex"><td><a href="\/\?owner=alex">Alex Kim<\/a><\/td><td>\d+<\/td>/);
    // The account nobody mapped: listed, with the YAML to add it.
    expect(people.body).toMatch(/<td>github<\/td><td>carol-net<\/td><td>Carol Net<\/td>/);
    expect(people.body).toMatch(/- id: carol-net\n\s+name: Carol Net\n\s+accounts:\n\s+github: carol-net/);
    // An archived report is listed and served; a date not in the archive, or a path, is not.
    mkdirSync(join(dir, 'reports'), { recursive: true });
    writeFileSync(join(dir, 'reports', 'taskwire-report-2026-11-24.html'), '<!doctype html><title>archived</title><p>the report of the 24th</p>');
    const reports = await get('/reports');
    expect(reports.body).toContain('href="/reports/2026-11-24"');
    expect((await get('/reports/2026-11-24')).body).toContain('the report of the 24th');
    expect((await get('/reports/2026-11-23')).status).toBe(404);
    expect((await get('/reports/..%2F..%2Fetc%2Fpasswd')).status).toBe(404);
    const today = await get('/reports/today');
    expect(today.body).toMatch(/^<!doctype html>/i);
    expect(today.body).toContain('Migrate DNS records for client A');
    const backtest = await get('/backtest');
    expect(backtest.status).toBe(200);
    expect(backtest.body).toMatch(/<svg/);
    const graph = await get('/graph');
    expect(graph.body).toMatch(/<svg class="graph"/);
    // Where a task's plan came from, and the two projects that disagree about it.
    const planned = await get(`/tasks/${encodeURIComponent('github-acme:acme/infra#7')}`);
    expect(planned.body).toContain('due 2026-11-24 from project acme/3 (Target date)');
    expect(planned.body).toContain('Conflict — due date: acme/3 says 2026-11-24, acme/7 says 2026-11-26 (the earlier is used)');
    expect((await get(`/graph?task=${encodeURIComponent('github-acme:nope#1')}`)).status).toBe(404);
  });

  it('throttles an address after ten failed sign-ins', async () => {
    const { daemon: d, base: b } = await startDaemon({ enabled: true });
    try {
      for (let i = 0; i < 10; i++) expect((await fetch(`${b}/signin`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=wrong-token-number-' + i })).status).toBe(401);
      const res = await fetch(`${b}/signin`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${TOKEN}` });
      expect(res.status).toBe(429);
    } finally {
      await d.stop();
    }
  });

  it('stops within its bound while a browser holds a live stream open', async () => {
    const { daemon: d, base: b } = await startDaemon({ enabled: true });
    const ac = new AbortController();
    const res = await fetch(`${b}/ui/events`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    const first = (await reader.read()) as { value?: Uint8Array };
    expect(new TextDecoder().decode(first.value)).toContain('retry:');
    const started = Date.now();
    await d.stop();
    expect(Date.now() - started).toBeLessThan(2_000);
    ac.abort();
  });
});

describe('the web UI, off', () => {
  it('is off unless server.ui.enabled, and the config refuses it on without a way to sign in', async () => {
    const { daemon: d, base: b } = await startDaemon({});
    try {
      const res = await fetch(`${b}/`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(404);
      expect(await res.text()).toMatch(/the web UI is off/);
      expect((await fetch(`${b}/people`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    } finally {
      await d.stop();
    }
    const dir = mkdtempSync(join(tmpdir(), 'tw-ui-cfg-'));
    writeFileSync(join(dir, 'taskwire.yaml'), 'server:\n  ui:\n    enabled: true\n');
    expect(() => loadConfig({ path: 'taskwire.yaml', env: {}, cwd: dir })).toThrow(/server\.ui\.enabled: the web UI needs a way to sign in: set server\.apiToken or server\.ui\.basicAuth/);
  });
});
