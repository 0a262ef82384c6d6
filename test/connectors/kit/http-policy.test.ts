/**
 * The one HTTP policy, against real sockets: a server that refuses, one that never answers, one that
 * answers 429 or 503 with Retry-After. Each test names the behaviour that would break.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { backoffMs, HttpPolicy, networkFailure, policyFetch, retryAfterMs, unreachable, withSignal } from '../../../connectors/kit/http-policy.js';
import { ConnectorError } from '../../../src/errors.js';

const servers: (Server | TcpServer)[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(() => r(undefined)))));
});

/** An HTTP server answering each request with the next of `answers` (the last repeats); counts requests. */
async function serve(answers: { status: number; headers?: Record<string, string> }[]): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    const a = answers[Math.min(hits++, answers.length - 1)]!;
    res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
    res.end('{}');
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

/** Accepts connections and never answers (a tool that hangs). */
async function blackHole(): Promise<string> {
  const server = createTcpServer((s) => void sockets.push(s));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port nothing listens on. */
async function refusedUrl(): Promise<string> {
  const server = createTcpServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

/** Maps a fetch Response to the errors a client would throw (the clients' mapError does this). */
const classify = (baseUrl: string) => (_what: string, err: unknown) => {
  const r = err as { status?: number; retryAfter?: string | null };
  if (r.status !== undefined) {
    const wait = retryAfterMs(r.retryAfter ?? undefined);
    return new ConnectorError('tool', `HTTP ${r.status}`, { retryable: r.status === 429 || r.status >= 500, status: r.status, ...(wait !== undefined ? { retryAfterMs: wait } : {}) });
  }
  return unreachable('tool', baseUrl, err, 'request failed');
};

async function get(url: string): Promise<number> {
  const res = await policyFetch(url);
  if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status, retryAfter: res.headers.get('retry-after') });
  return res.status;
}

const policy = (baseUrl: string, settings = {}, signal?: AbortSignal) => new HttpPolicy({ connector: 'tool', baseUrl, timezone: 'Europe/Berlin', classify: classify(baseUrl), ...(signal ? { signal } : {}) }, { baseMs: 5, ...settings });

describe('the HTTP policy', () => {
  it('retries 503 and honours Retry-After in seconds and as an HTTP date', async () => {
    const when = new Date(Date.now() + 1000).toUTCString(); // HTTP dates have whole seconds: up to 1 s
    const s = await serve([{ status: 503, headers: { 'retry-after': '0' } }, { status: 429, headers: { 'retry-after': when } }, { status: 200 }]);
    const started = Date.now();
    expect(await policy(s.url).run('GET', () => get(s.url))).toBe(200);
    expect(s.hits()).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(Date.parse(when) - started - 50);
    expect(retryAfterMs('120')).toBe(120_000);
    expect(retryAfterMs('Wed, 02 Dec 2026 19:00:30 GMT', Date.parse('2026-12-02T19:00:00Z'))).toBe(30_000);
  });

  it('caps each backoff wait', () => {
    expect(backoffMs(20, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffMs(2, 1000, 60_000, () => 0)).toBe(2000);
  });

  it('names a refused connection and where, and gives up within its budget', async () => {
    const url = await refusedUrl();
    const started = Date.now();
    const err = await policy(url, { retries: 100, giveUpAfterMs: 400 })
      .run('GET', () => get(url))
      .then(() => null, (e: unknown) => e as ConnectorError);
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err?.message).toBe(`tool: unreachable — connection refused at ${url}`);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('a last attempt cut short by the give-up budget reports the failure seen, not "no answer in time"', async () => {
    // Each attempt is refused after 150 ms (a slow refusal, as on a loaded machine). The third attempt
    // starts with under 150 ms of budget left, so the budget ends it before its refusal arrives: that is
    // our clock running out, not the tool failing to answer.
    const refused = () => new Promise<never>((_r, reject) => setTimeout(() => reject(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } })), 150));
    const err = await policy('http://127.0.0.1:9', { retries: 100, giveUpAfterMs: 400, requestTimeoutMs: 10_000 })
      .run('GET', refused)
      .then(() => null, (e: unknown) => e as ConnectorError);
    expect(err?.message).toBe('tool: unreachable — connection refused at http://127.0.0.1:9');
  });

  it('gives up on a tool that never answers after its request timeout', async () => {
    const url = await blackHole();
    const started = Date.now();
    const err = await policy(url, { retries: 0, requestTimeoutMs: 300 })
      .run('GET', () => get(url))
      .then(() => null, (e: unknown) => e as Error);
    expect(err?.message).toBe(`tool: unreachable — no answer in time at ${url}`);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports a rate limit that resets after its budget instead of waiting it out', async () => {
    const s = await serve([{ status: 429, headers: { 'retry-after': '3600' } }]);
    const started = Date.now();
    const err = await policy(s.url, { giveUpAfterMs: 30_000 })
      .run('GET', () => get(s.url))
      .then(() => null, (e: unknown) => e as ConnectorError);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(err?.message).toMatch(/^tool: rate limit spent, resets \d\d:\d\d$/);
    expect(err?.retryAfterMs).toBeGreaterThan(3_500_000);
  });

  it('never repeats a write that may have reached the tool, but does one that cannot have', async () => {
    const s = await serve([{ status: 502 }, { status: 200 }]);
    await expect(policy(s.url).run('POST', () => get(s.url), { lane: 'write' })).rejects.toThrow(/HTTP 502/);
    expect(s.hits()).toBe(1);
    const limited = await serve([{ status: 429, headers: { 'retry-after': '0' } }, { status: 200 }]);
    expect(await policy(limited.url).run('POST', () => get(limited.url), { lane: 'write' })).toBe(200);
    expect(limited.hits()).toBe(2);
  });

  it('stops at once on abort: during a wait, and during a request that hangs', async () => {
    const s = await serve([{ status: 503, headers: { 'retry-after': '60' } }]);
    const stop = new AbortController();
    const waiting = policy(s.url, {}, stop.signal).run('GET', () => get(s.url));
    setTimeout(() => stop.abort(new Error('shutting down')), 100);
    let started = Date.now();
    await expect(waiting).rejects.toThrow('shutting down');
    expect(Date.now() - started).toBeLessThan(1000);

    const hole = await blackHole();
    const caller = new AbortController();
    const hanging = withSignal(caller.signal, () => policy(hole).run('GET', () => get(hole)));
    setTimeout(() => caller.abort(new Error('claim lost')), 100);
    started = Date.now();
    await expect(hanging).rejects.toThrow('claim lost');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('paces writes apart', async () => {
    const s = await serve([{ status: 200 }]);
    const p = policy(s.url, { writeGapMs: 150 });
    const started = Date.now();
    await Promise.all([1, 2, 3].map(() => p.run('POST', () => get(s.url), { lane: 'write' })));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('finds the network cause under wrapped errors', () => {
    const wrapped = new Error('fetch failed', { cause: new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]) });
    expect(networkFailure(wrapped)).toEqual({ code: 'ECONNREFUSED', reason: 'connection refused' });
    expect(networkFailure(new Error('plain'))).toBeNull();
  });
});
