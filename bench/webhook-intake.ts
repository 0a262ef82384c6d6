/**
 * Verified webhook intake on this machine's two cores: the real server (fastify, raw bodies, HMAC
 * verification, the delivery stored in the inbox — body, headers, dedupe record — before the answer,
 * processed from there by the inbox worker in the same process) with a GitHub connector and the SQLite
 * store; the load from a worker thread on the other core. Two runs: as fast as 64 connections allow
 * (deliveries/s), and a steady 1,000/s (p99 acknowledgement time). Every delivery sent must be stored.
 *
 * The floor, measured the same way just before: node's own http server that checks the same HMAC in
 * constant time and inserts the raw body into SQLite before answering — the least a durable intake
 * can do — with nothing processed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import pino from 'pino';
import { githubConfigSchema } from '../connectors/github/config.js';
import { createGithub } from '../connectors/github/connector.js';
import { buildIdentity } from '../src/core/identity.js';
import { InboxWorker } from '../src/pipeline/inbox-worker.js';
import { buildServer } from '../src/server/app.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { report } from './harness.js';

const SECRET = 'bench-secret';

export function bodies(n: number, repo = 'acme/api'): string[] {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      action: 'edited',
      issue: {
        id: 1000 + i, number: 1 + (i % 500), title: `Issue ${i % 500}`, body: 'Something to do.', state: 'open', state_reason: null,
        html_url: `https://github.com/${repo}/issues/${1 + (i % 500)}`, url: `https://api.github.com/repos/${repo}/issues/${1 + (i % 500)}`, repository_url: `https://api.github.com/repos/${repo}`,
        user: { login: 'alexk', id: 1, type: 'User' }, labels: [{ name: 'P2' }], assignee: null, assignees: [], milestone: null, comments: 0,
        created_at: '2026-11-01T09:00:00Z', updated_at: new Date(Date.parse('2026-11-20T09:00:00Z') + i * 1000).toISOString().replace('.000Z', 'Z'), closed_at: null,
        issue_dependencies_summary: { blocked_by: 0, blocking: 0, total_blocked_by: 0, total_blocking: 0 },
      },
      repository: { full_name: repo },
      sender: { login: 'alexk', id: 1, type: 'User' },
    }),
  );
}

export function load(url: string, job: object): Promise<{ sent: number; errors: number; ms: number; latencies: number[] }> {
  const entry = new URL('./load-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  const w = new Worker(boot, { eval: true, workerData: { url, secret: SECRET, ...job } });
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}

export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

export type Run = { sent: number; errors: number; ms: number; latencies: number[] };

/** The floor: verify, store the raw body durably, answer. Same load, same cores. */
async function floor(dir: string): Promise<{ burst: Run; steady: Run }> {
  const db = new Database(join(dir, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE deliveries (id TEXT PRIMARY KEY, body BLOB NOT NULL)');
  const insert = db.prepare('INSERT OR IGNORE INTO deliveries (id, body) VALUES (?, ?)');
  const secret = Buffer.from(SECRET);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const want = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
      const got = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
      const ok = want.length === got.length && timingSafeEqual(want, got);
      if (ok) insert.run(String(req.headers['x-github-delivery']), body);
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/github-acme`;
  try {
    const burst = await load(url, { bodies: bodies(15_000), mode: { kind: 'burst', concurrency: 64 }, prefix: 'burst' });
    const steady = await load(url, { bodies: bodies(5_000), mode: { kind: 'steady', perSecond: 1000 }, prefix: 'steady' });
    return { burst, steady };
  } finally {
    await new Promise((r) => server.close(r));
    db.close();
  }
}

export async function benchWebhookIntake(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'taskwire-bench-hook-'));
  const raw = await floor(dir);
  const log = pino({ level: 'silent' });
  const store = SqliteStore.open(join(dir, 'tw.db'));
  // The connector never calls GitHub here: the deliveries carry everything (no blockers to look up),
  // and taskwire's own login is asked once — from an address that answers nothing, so it is "unknown".
  const connector = createGithub(githubConfigSchema.parse({ name: 'github-acme', type: 'github', baseUrl: 'http://127.0.0.1:9', token: 'ghp_bench', repos: ['acme/api'], webhook: { secrets: [SECRET] } }), { log, timezone: 'UTC', timing: { retries: 0, retryBaseMs: 1 } });
  const identity = buildIdentity({ people: [], teams: [] });
  const connectors = new Map([[connector.name, connector]]);
  const worker = new InboxWorker({ store, connectors, identity: () => identity, log });
  const server = buildServer({ store, connectors, log, bodyLimit: 1_048_576, onStored: () => void worker.wake() });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/webhooks/github-acme`;
  try {
    const burst = await load(url, { bodies: bodies(15_000), mode: { kind: 'burst', concurrency: 64 }, prefix: 'burst' });
    await worker.wake();
    const steady = await load(url, { bodies: bodies(5_000), mode: { kind: 'steady', perSecond: 1000 }, prefix: 'steady' });
    await worker.wake();
    const rows = store.db.prepare('SELECT status, count(*) AS n FROM inbox GROUP BY status').all() as { status: string; n: number }[];
    const stored = rows.reduce((a, r) => a + r.n, 0);
    const processed = rows.find((r) => r.status === 'processed')?.n ?? 0;
    const rate = (burst.sent / burst.ms) * 1000;
    const p99 = pct(steady.latencies, 99);
    const floorRate = (raw.burst.sent / raw.burst.ms) * 1000;
    report('webhooks: verified intake on 2 cores', [
      { name: 'floor: burst, verify + store the body + answer', value: floorRate, unit: 'deliveries/s' },
      { name: 'floor: steady 1,000/s, p99 acknowledgement', value: pct(raw.steady.latencies, 99), unit: 'ms' },
      { name: 'burst: deliveries acknowledged per second', value: rate, unit: 'deliveries/s', goal: '≥ 3,000/s', met: rate >= 3000 },
      { name: 'burst ÷ floor', value: rate / floorRate, unit: '×' },
      { name: 'burst: p50 acknowledgement', value: pct(burst.latencies, 50), unit: 'ms' },
      { name: 'steady 1,000/s: p50 acknowledgement', value: pct(steady.latencies, 50), unit: 'ms' },
      { name: 'steady 1,000/s: p99 acknowledgement', value: p99, unit: 'ms', goal: '< 20 ms', met: p99 < 20 },
      { name: 'deliveries sent', value: burst.sent + steady.sent, unit: 'deliveries' },
      { name: 'deliveries stored', value: stored, unit: 'deliveries', goal: '= sent', met: stored === burst.sent + steady.sent },
      { name: 'deliveries processed into tasks', value: processed, unit: 'deliveries' },
      { name: 'errors', value: burst.errors + steady.errors, unit: 'requests' },
    ]);
  } finally {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
