import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GithubFake } from '../../connectors/github/fake.js';
import { hmacHex } from '../../connectors/kit/hmac.js';
import { configSchema } from '../../src/config/schema.js';
import { Daemon } from '../../src/daemon.js';
import type { SqliteStore } from '../../src/store/sqlite-store.js';
import { silentLog } from '../support/github.js';

const TOKEN = 'api-token-0123456789abcdef';
const fake = new GithubFake({ repos: [{ fullName: 'acme/infra', issues: [{ title: 'Open firewall rule' }] }] }, { self: 'taskwire-bot' });
let daemon: Daemon;
let base = '';

beforeAll(async () => {
  await fake.start();
  const dir = mkdtempSync(join(tmpdir(), 'tw-server-'));
  const config = configSchema.parse({
    store: { path: join(dir, 'tw.db') },
    server: { host: '127.0.0.1', apiToken: TOKEN, bodyLimit: 64 * 1024 },
    report: { outputDir: join(dir, 'reports') },
    connectors: [{ name: 'github-acme', type: 'github', baseUrl: fake.url, token: 'ghp_faketoken', repos: ['acme/infra'], webhook: { secrets: ['hook-secret'] } }],
  });
  daemon = new Daemon({ config, log: silentLog, cwd: dir, port: 0 });
  await daemon.start();
  base = daemon.url;
  // The first poll runs right after start; wait until it has finished.
  const polled = async () => ((await (await fetch(`${base}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { connectors: { lastSuccessAt: string | null }[] }).connectors[0]?.lastSuccessAt;
  for (let i = 0; i < 200 && !(await polled()); i++) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 100)); // and the evaluation it triggered
});
afterAll(async () => {
  await daemon.stop();
  await fake.stop();
});

describe('the daemon over HTTP on a real port', () => {
  it("answers /healthz, and /readyz: ready or not to anyone, each connector's state only with the API token", async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
    expect(await (await fetch(`${base}/readyz`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).json()).toEqual({ ready: true });
    const detailed = await fetch(`${base}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await detailed.json()).toMatchObject({ ready: true, store: 'writable', connectors: [{ name: 'github-acme', lastError: null, lastSuccessAt: expect.any(String) }] });
  });

  it('serves Prometheus metrics that parse', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const line of text.split('\n').filter((l) => l !== '')) {
      expect(line).toMatch(/^(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+|[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? (-?[0-9.]+(e[+-]?[0-9]+)?|NaN|[+-]Inf))$/);
    }
    for (const name of ['taskwire_polls_total', 'taskwire_webhook_deliveries_total', 'taskwire_inbox_depth', 'taskwire_inbox_oldest_age_seconds', 'taskwire_inbox_dead_letters', 'taskwire_failing_items', 'taskwire_outbox_depth', 'taskwire_outbox_oldest_age_seconds', 'taskwire_outbox_dead_letters', 'taskwire_open_flags', 'taskwire_rate_budget_remaining', 'taskwire_graphql_points_remaining', 'taskwire_graphql_points_used_total', 'taskwire_sync_lag_seconds', 'taskwire_items_ingested_total']) {
      expect(text).toContain(`# TYPE ${name}`);
    }
    expect(text).toMatch(/taskwire_polls_total\{connector="github-acme",result="ok"\} [1-9]/);
    expect(text).toMatch(/taskwire_open_flags\{code="no_owner"\} 1/);
  });

  it('keeps the API behind the bearer token', async () => {
    expect((await fetch(`${base}/api/tasks`)).status).toBe(401);
    expect((await fetch(`${base}/api/tasks`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const tasks = (await (await fetch(`${base}/api/tasks?flag=no_owner`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { key: string; flags: { code: string }[] }[];
    expect(tasks.map((t) => t.key)).toEqual(['acme/infra#1']);
    expect(tasks[0]!.flags.map((f) => f.code)).toContain('no_owner');
    expect((await fetch(`${base}/api/tasks?flag=nonsense`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(400);
    const open = (await (await fetch(`${base}/api/tasks?status=open`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { status: string }[];
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((t) => !['done', 'verified', 'cancelled'].includes(t.status))).toBe(true);
    expect((await fetch(`${base}/api/tasks?status=doing`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(400);
    const report = await fetch(`${base}/api/report?format=markdown`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(report.headers.get('content-type')).toMatch(/text\/markdown/);
    expect(await report.text()).toMatch(/^# taskwire daily report/);
    const html = await fetch(`${base}/api/report?format=html`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await html.text()).toMatch(/^<!doctype html>/);
  });

  it('takes webhooks on raw bytes: 404 for an unknown connector, 413 for an oversized body, 401 unsigned', async () => {
    const body = JSON.stringify({ zen: 'hi', hook_id: 1 });
    const headers = { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': 'ping-1', 'x-hub-signature-256': `sha256=${hmacHex('sha256', 'hook-secret', body)}` };
    expect((await fetch(`${base}/webhooks/github-acme`, { method: 'POST', headers, body })).status).toBe(200);
    expect((await fetch(`${base}/webhooks/nobody`, { method: 'POST', headers, body })).status).toBe(404);
    expect((await fetch(`${base}/webhooks/github-acme`, { method: 'POST', headers: { ...headers, 'x-hub-signature-256': 'sha256=00' }, body })).status).toBe(401);
    const big = JSON.stringify({ pad: 'x'.repeat(70 * 1024) });
    expect((await fetch(`${base}/webhooks/github-acme`, { method: 'POST', headers: { ...headers, 'x-hub-signature-256': `sha256=${hmacHex('sha256', 'hook-secret', big)}` }, body: big })).status).toBe(413);
  });

  it('is not ready when the store fails', async () => {
    const store = (daemon as unknown as { store: SqliteStore }).store;
    store.db.exec('PRAGMA query_only = 1'); // the store can no longer be written
    const res = await fetch(`${base}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ready: false, store: 'not writable' });
    store.db.exec('PRAGMA query_only = 0');
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });
});
