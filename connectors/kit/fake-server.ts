/**
 * The HTTP scaffolding every tool fake shares: a real server on 127.0.0.1, a route table, a record of
 * every request, and faults injected on demand — a fixed number of failures (5xx, 403/429 with the
 * tool's retry headers), a random share of failures from a seeded generator, added latency, and lost
 * answers (the request is applied, then the connection is cut before the response). The
 * fakes themselves (`connectors/<tool>/fake.ts`) own their tool's state and response shapes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly rawBody: Buffer;
  /** Parsed JSON or form body (undefined when empty or neither). */
  readonly body: unknown;
  /** Values of `:name` segments of the matched route. */
  readonly params: Readonly<Record<string, string>>;
}

export interface FakeResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export type Handler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface Route {
  readonly method: string;
  /** `/repos/:owner/:repo/issues`; a `:name` matches one raw segment, handed over URL-decoded. */
  readonly path: string;
  readonly handler: Handler;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly status: number;
  readonly body: unknown;
  readonly at: number;
}

export interface Fault {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** How many matching requests fail (default 1). */
  readonly times?: number;
  readonly match?: (req: FakeRequest) => boolean;
}

export interface Chaos {
  /** Share of requests that fail, 0–1. */
  readonly rate: number;
  /** The failures to choose from, in turn. */
  readonly faults: readonly Omit<Fault, 'times' | 'match'>[];
  readonly seed?: number;
  readonly match?: (req: FakeRequest) => boolean;
}

export interface FakeServerOptions {
  /** Checked before routing; a response here (e.g. 401) is sent instead. */
  readonly authorize?: (req: FakeRequest) => FakeResponse | null;
  /** Answer for unknown routes. */
  readonly notFound?: (req: FakeRequest) => FakeResponse;
}

export class FakeHttpServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes: { method: string; re: RegExp; names: string[]; handler: Handler }[] = [];
  private readonly faults: { fault: Fault; left: number }[] = [];
  private chaos: (Chaos & { next: () => number; turn: number }) | null = null;
  private readonly drops: { match: (req: FakeRequest) => boolean; left: number }[] = [];
  private latencyMs = 0;
  private server: Server | null = null;
  private base = '';

  constructor(
    routes: readonly Route[],
    private readonly opts: FakeServerOptions = {},
  ) {
    for (const r of routes) this.route(r);
  }

  route(r: Route): void {
    const names: string[] = [];
    const re = new RegExp(
      `^${r.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_m, n: string) => (names.push(n), '([^/]+)'))}$`,
    );
    this.routes.push({ method: r.method.toUpperCase(), re, names, handler: r.handler });
  }

  /** Starts on 127.0.0.1 (port 0: any free port) and returns the base URL. */
  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.base;
  }

  /** The underlying server (e.g. to accept WebSocket upgrades), once started. */
  get http(): Server | null {
    return this.server;
  }

  get started(): boolean {
    return this.server !== null;
  }

  get url(): string {
    if (!this.server) throw new Error('the fake server is not started');
    return this.base;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** The next `times` matching requests fail with this response. */
  fail(fault: Fault): void {
    this.faults.push({ fault, left: fault.times ?? 1 });
  }

  /**
   * The next `times` matching requests are applied as usual, but their answer is lost: the connection
   * is cut before the response (a timeout or a reset, as the client sees it).
   */
  dropResponse(match: (req: FakeRequest) => boolean, times = 1): void {
    this.drops.push({ match, left: times });
  }

  /** A share of requests fails at random (seeded, so a run can be repeated); null turns it off. */
  setChaos(chaos: Chaos | null): void {
    this.chaos = chaos === null ? null : { ...chaos, next: mulberry32(chaos.seed ?? 1), turn: 0 };
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  clearFaults(): void {
    this.faults.length = 0;
    this.drops.length = 0;
    this.chaos = null;
    this.latencyMs = 0;
  }

  /** Recorded requests matching a method and a path pattern (a RegExp or an exact path). */
  calls(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method.toUpperCase() && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBody = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    let response: FakeResponse;
    const base = { method, path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, body: parseBody(rawBody, req.headers['content-type']) };
    try {
      if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
      response = this.dispatch(base) ?? (await this.routeRequest(base));
    } catch (err) {
      response = { status: 500, body: { message: `fake server error: ${(err as Error).message}` } };
    }
    this.requests.push({ method, path: base.path, query: url.search, status: response.status, body: base.body, at: Date.now() });
    const drop = this.drops.find((d) => d.left > 0 && d.match({ ...base, params: {} }));
    if (drop) {
      drop.left--;
      res.socket?.destroy();
      return;
    }
    const headers: Record<string, string> = { ...response.headers };
    let payload = '';
    if (response.body !== undefined && response.status !== 204 && response.status !== 304) {
      if (typeof response.body === 'string') payload = response.body;
      else {
        payload = JSON.stringify(response.body);
        headers['content-type'] ??= 'application/json; charset=utf-8';
      }
    }
    res.writeHead(response.status, headers);
    res.end(payload);
  }

  /** A fault or the authorizer's answer, before routing. */
  private dispatch(req: Omit<FakeRequest, 'params'>): FakeResponse | null {
    const r = { ...req, params: {} };
    const denied = this.opts.authorize?.(r);
    if (denied) return denied;
    const i = this.faults.findIndex((f) => f.left > 0 && (f.fault.match?.(r) ?? true));
    if (i >= 0) {
      const f = this.faults[i]!;
      f.left -= 1;
      if (f.left === 0) this.faults.splice(i, 1);
      return faultResponse(f.fault);
    }
    const c = this.chaos;
    if (c && (c.match?.(r) ?? true) && c.next() < c.rate && c.faults.length > 0) {
      const f = c.faults[c.turn++ % c.faults.length]!;
      return faultResponse(f);
    }
    return null;
  }

  private async routeRequest(req: Omit<FakeRequest, 'params'>): Promise<FakeResponse> {
    for (const r of this.routes) {
      if (r.method !== req.method) continue;
      const m = r.re.exec(req.path);
      if (!m) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = decodeURIComponentSafe(m[i + 1] ?? '')));
      return r.handler({ ...req, params });
    }
    return this.opts.notFound?.({ ...req, params: {} }) ?? { status: 404, body: { message: 'Not Found' } };
  }
}

function faultResponse(f: Omit<Fault, 'times' | 'match'>): FakeResponse {
  return { status: f.status, headers: f.headers ?? {}, body: f.body ?? { message: `injected fault ${f.status}` } };
}

function parseBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  if (contentType?.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A small seeded generator, so injected chaos repeats run to run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
