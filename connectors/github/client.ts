/**
 * The one place this connector talks HTTP: @octokit/rest, a token or a GitHub App installation, a base
 * URL (github.com, GitHub Enterprise Server, or the fake), ETag conditional reads (Octokit throws on
 * 304: that is "not modified" here), the rate budget as the last response reported it. Retries, waits
 * for rate limits (primary: until `x-ratelimit-reset`; secondary: `retry-after`), write pacing (1 s
 * apart, 3 s for writes that notify people) and abort come from the shared HTTP policy; every failure
 * is mapped to a ConnectorError that says whether to retry.
 * https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api
 */
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import type { Logger } from 'pino';
import { ConnectorError } from '../../src/errors.js';
import { HttpPolicy, policyFetch, retryAfterMs as retryAfterOf, settingsOf, unreachable, type ConnectorTiming, type Lane } from '../kit/http-policy.js';
import type { GithubConfig } from './config.js';
import type { GqlRateLimit } from './types.js';

export interface Page<T> {
  readonly data: T;
  readonly etag: string | null;
  /** The Link header has a `rel="next"`. */
  readonly hasNext: boolean;
}

export interface RateBudget {
  readonly limit: number | null;
  readonly remaining: number | null;
  /** Epoch ms when the budget refills. */
  readonly resetAt: number | null;
}

type Params = Record<string, unknown>;

/** GraphQL points (a budget of its own, apart from REST requests): as the last answer reported them. */
export interface PointBudget {
  readonly limit: number | null;
  readonly remaining: number | null;
  /** Epoch ms when the points refill. */
  readonly resetAt: number | null;
  /** What each operation cost the last time it was sent. */
  readonly costs: ReadonlyMap<string, number>;
  /** Points this client spent since it started. */
  readonly used: number;
}

/** Writes GitHub turns into notifications (new comments, edits, closing): paced wider. */
const NOTIFYING = /^(POST|PATCH) \/repos\/\{owner\}\/\{repo\}\/issues\/(\{issue_number\}\/comments|comments\/\{comment_id\}|\{issue_number\})$/;

export class GithubClient {
  readonly octokit: Octokit;
  /** Requests made, and how many were answered 304 (for the benchmark and health). */
  requests = 0;
  notModified = 0;
  rate: RateBudget = { limit: null, remaining: null, resetAt: null };
  points: PointBudget = { limit: null, remaining: null, resetAt: null, costs: new Map(), used: 0 };
  private readonly policy: HttpPolicy;

  constructor(
    private readonly config: Pick<GithubConfig, 'name' | 'baseUrl' | 'token' | 'app'> & { readonly pacing?: GithubConfig['pacing'] },
    log: Logger,
    timing: ConnectorTiming = {},
    context: { readonly signal?: AbortSignal; readonly timezone?: string } = {},
  ) {
    const auth = config.app
      ? { authStrategy: createAppAuth, auth: { appId: config.app.appId, privateKey: config.app.privateKey, installationId: config.app.installationId } }
      : { auth: config.token };
    this.octokit = new Octokit({
      ...auth,
      baseUrl: config.baseUrl,
      userAgent: 'taskwire',
      request: { fetch: policyFetch },
      // Octokit logs every failed request at error level; the policy logs what matters (retries, the final error).
      log: { debug: () => undefined, info: () => undefined, warn: (m: string) => log.debug({ connector: config.name }, m), error: (m: string) => log.debug({ connector: config.name }, m) },
    });
    this.policy = new HttpPolicy(
      {
        connector: config.name,
        baseUrl: config.baseUrl,
        ...(context.timezone ? { timezone: context.timezone } : {}),
        ...(context.signal ? { signal: context.signal } : {}),
        classify: (what, err) => this.mapError(what, err),
        onRetry: ({ what, attempt, waitMs, error }) => log.info({ connector: config.name, what, status: error.status, waitMs, attempt }, error.status === 429 || error.status === 403 ? 'GitHub rate limit; waiting' : 'GitHub call failed; retrying'),
      },
      { ...settingsOf(timing), writeGapMs: config.pacing?.writes ?? 1000, notifyGapMs: config.pacing?.notifications ?? 3000 },
    );
    this.octokit.hook.after('request', (res) => this.noteRate(res.headers as Record<string, string | undefined>));
    this.octokit.hook.error('request', (err) => {
      const headers = (err as { response?: { headers?: Record<string, string | undefined> } }).response?.headers;
      if (headers) this.noteRate(headers);
      throw err;
    });
  }

  /** A GET that may be answered 304 (returns null then). `etag` is sent as If-None-Match. */
  async getConditional<T>(route: string, params: Params, etag: string | null = null): Promise<Page<T> | null> {
    try {
      const res = await this.call(route, { ...params, headers: etag ? { 'if-none-match': etag } : {} });
      return { data: res.data as T, etag: (res.headers.etag as string | undefined) ?? null, hasNext: hasNextLink(res.headers.link) };
    } catch (err) {
      if (err instanceof ConnectorError && err.status === 304) {
        this.notModified++;
        return null;
      }
      throw err;
    }
  }

  async get<T>(route: string, params: Params = {}): Promise<Page<T>> {
    const res = await this.call(route, params);
    return { data: res.data as T, etag: (res.headers.etag as string | undefined) ?? null, hasNext: hasNextLink(res.headers.link) };
  }

  /** Every page of a list endpoint (following `Link: rel="next"`), up to `max` items. */
  async getAll<T>(route: string, params: Params = {}, max = 10_000): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; out.length < max; page++) {
      const res = await this.get<T[]>(route, { per_page: 100, ...params, page });
      out.push(...res.data);
      if (!res.hasNext || res.data.length === 0) break;
    }
    return out;
  }

  /** A write (POST/PATCH/PUT/DELETE), paced by the policy (≥ 1 s apart; 3 s for those that notify people). */
  async send<T>(route: string, params: Params = {}): Promise<T> {
    return (await this.call(route, params)).data as T;
  }

  /**
   * A GraphQL query (or, with `write`, a mutation) through the same policy as REST calls. Every query
   * asks for `rateLimit { cost remaining limit resetAt }`: while fewer points are left than the last
   * query cost, no request is sent — the call waits for the refill (a foreground command gives up and
   * says so), as for REST's primary limit.
   */
  async graphql<T>(operation: string, query: string, variables: Params = {}, opts: { readonly write?: boolean } = {}): Promise<T> {
    return this.policy.run(
      `POST /graphql ${operation}`,
      async () => {
        const cost = this.points.costs.get(operation) ?? 1;
        const waitMs = this.pointsWait(cost);
        if (waitMs !== null) {
          throw new ConnectorError(this.config.name, `GraphQL points spent (${this.points.remaining} left, ${operation} costs ${cost}); they refill at ${new Date(this.points.resetAt!).toISOString()}`, { retryable: true, status: 429, retryAfterMs: waitMs });
        }
        this.requests++;
        const data = await this.graphqlOnce<T & { rateLimit?: GqlRateLimit | null }>(query, variables);
        if (data.rateLimit) this.notePoints(operation, data.rateLimit);
        return data;
      },
      { lane: opts.write ? 'write' : 'read', idempotent: true },
    );
  }

  /**
   * One POST to the GraphQL endpoint (GHES: `/api/graphql`, as @octokit/graphql does), parsed with
   * JSON.parse rather than Octokit's BigInt-preserving parser (see `once`); an answer with `errors` is
   * thrown as @octokit/graphql throws it (GraphqlResponseError), so `mapError` reads it the same way.
   */
  private async graphqlOnce<T>(query: string, variables: Params): Promise<T> {
    const url = /\/api\/v3\/?$/.test(this.config.baseUrl) ? this.config.baseUrl.replace(/\/api\/v3\/?$/, '/api/graphql') : '/graphql';
    const res = await this.octokit.request({ method: 'POST', url, query, variables, request: { parseSuccessResponseBody: false } });
    const body = JSON.parse(await new Response(res.data as ReadableStream).text()) as { data?: T; errors?: { type?: string; message: string }[] };
    if (body.errors && body.errors.length > 0) {
      const err = Object.assign(new Error(`Request failed due to following response errors:\n${body.errors.map((e) => ` - ${e.message}`).join('\n')}`), { name: 'GraphqlResponseError', errors: body.errors, headers: res.headers, data: body.data });
      throw err;
    }
    return body.data as T;
  }

  private pointsWait(cost: number): number | null {
    const { remaining, resetAt } = this.points;
    if (remaining === null || resetAt === null || remaining >= cost) return null;
    const wait = resetAt - Date.now();
    // resetAt is in whole seconds: a second more, so the request never arrives before the refill.
    return wait > -1000 ? wait + 1000 : null;
  }

  private notePoints(operation: string, r: GqlRateLimit): void {
    const resetAt = Date.parse(r.resetAt);
    const costs = new Map(this.points.costs).set(operation, Math.max(1, r.cost));
    this.points = { limit: r.limit, remaining: r.remaining, resetAt: Number.isNaN(resetAt) ? null : resetAt, costs, used: this.points.used + r.cost };
  }

  private async call(route: string, params: Params, signal?: AbortSignal): Promise<{ data: unknown; headers: Record<string, unknown> }> {
    const read = route.startsWith('GET ');
    const lane: Lane = read ? 'read' : NOTIFYING.test(route) ? 'notify' : 'write';
    // PATCH/PUT/DELETE set a state, and adding labels that are there changes nothing: repeating them is
    // harmless. Any other POST creates something: it is not.
    const idempotent = !route.startsWith('POST ') || route.endsWith('/labels');
    return this.policy.run(route, () => this.once(route, params, read), { lane, idempotent, ...(signal ? { signal } : {}) });
  }

  private async once(route: string, params: Params, read: boolean): Promise<{ data: unknown; headers: Record<string, unknown> }> {
    this.requests++;
    if (!read) {
      const res = await this.octokit.request(route, params);
      return { data: res.data, headers: res.headers };
    }
    // Octokit parses every body with a BigInt-preserving JSON parser, a third of a backfill's CPU
    // (measured in `npm run bench`); the ids and numbers we read fit a double, so reads use JSON.parse.
    const res = await this.octokit.request(route, { ...params, request: { parseSuccessResponseBody: false } });
    const text = res.data === null || res.data === undefined ? '' : await new Response(res.data as ReadableStream).text();
    return { data: text === '' ? null : (JSON.parse(text) as unknown), headers: res.headers };
  }

  private noteRate(h: Record<string, string | undefined>): void {
    const n = (v: string | undefined) => (v === undefined || v === '' || Number.isNaN(Number(v)) ? null : Number(v));
    const remaining = n(h['x-ratelimit-remaining']);
    // GraphQL answers report the GraphQL budget (points) in the same headers: not the REST one.
    if (remaining === null || h['x-ratelimit-resource'] === 'graphql') return;
    const reset = n(h['x-ratelimit-reset']);
    this.rate = { limit: n(h['x-ratelimit-limit']), remaining, resetAt: reset === null ? null : reset * 1000 };
  }

  /** A GraphQL answer with errors (HTTP 200): RATE_LIMITED waits for the refill; anything else is the query's fault. */
  private graphqlError(route: string, err: GraphqlError): ConnectorError {
    const types = new Set((err.errors ?? []).map((e) => e.type));
    const messages = (err.errors ?? []).map((e) => e.message).join('; ');
    if (types.has('RATE_LIMITED')) {
      const reset = Number(err.headers?.['x-ratelimit-reset']);
      const fromBody = this.points.resetAt;
      // The header is in whole seconds (rounded down): a second more, so the retry never comes early.
      const retryAfterMs = Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - Date.now()) + 1000 : fromBody !== null ? Math.max(0, fromBody - Date.now()) + 1000 : 60_000;
      return new ConnectorError(this.config.name, `${route}: GraphQL rate limit: ${messages}`, { retryable: true, status: 429, retryAfterMs, cause: err });
    }
    const hint = types.has('NOT_FOUND') ? ' — not found, or the token cannot see it (a project needs the read:project scope, or Projects: read for a GitHub App)' : types.has('FORBIDDEN') || types.has('INSUFFICIENT_SCOPES') ? ' — the token lacks a permission (read:project; project to write a Status)' : '';
    return new ConnectorError(this.config.name, `${route}: ${messages}${hint}`, { retryable: false, status: types.has('NOT_FOUND') ? 404 : 422, cause: err });
  }

  private mapError(route: string, err: unknown): ConnectorError {
    const e = err as { status?: number; message?: string; response?: { headers?: Record<string, string | undefined> } };
    const status = typeof e.status === 'number' ? e.status : undefined;
    const headers = e.response?.headers ?? {};
    const name = this.config.name;
    if ((err as Error).name === 'GraphqlResponseError') return this.graphqlError(route, err as GraphqlError);
    if (status === 304) return new ConnectorError(name, `${route}: not modified`, { retryable: false, status, cause: err });
    // Octokit reports a request that got no answer (refused, reset, aborted) as a 500 without a response.
    if (status === undefined || (status === 500 && e.response === undefined)) return unreachable(name, this.config.baseUrl, err, e.message ?? 'request failed');
    // Secondary limits say retry-after; the primary one is spent until x-ratelimit-reset (epoch seconds).
    const reset = Number(headers['x-ratelimit-reset']);
    const retryAfterMs = retryAfterOf(headers['retry-after']) ?? (headers['x-ratelimit-remaining'] === '0' && Number.isFinite(reset) ? Math.max(0, reset * 1000 - Date.now()) : undefined);
    const rateLimited = status === 429 || (status === 403 && (retryAfterMs !== undefined || /rate limit/i.test(e.message ?? '')));
    const hint =
      status === 401
        ? ` — GitHub rejected the credentials: check ${this.config.app ? 'app.appId / app.privateKey / app.installationId' : 'token (or tokenFile)'}`
        : status === 404
          ? ' — not found, or the token cannot see it (check repos/orgs and the token\'s repository access)'
          : status === 403 && !rateLimited
            ? ' — forbidden: the token lacks a permission (Issues: read and write; Pull requests: read; Metadata: read)'
            : '';
    return new ConnectorError(name, `${route}: HTTP ${status} ${e.message ?? ''}${hint}`.trim(), {
      retryable: rateLimited || status >= 500 || status === 408,
      status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      cause: err,
    });
  }
}

interface GraphqlError extends Error {
  readonly errors?: readonly { readonly type?: string; readonly message: string }[];
  readonly headers?: Record<string, string | undefined>;
}

const hasNextLink = (link: unknown): boolean => typeof link === 'string' && /rel="next"/.test(link);
