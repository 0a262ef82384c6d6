/**
 * The one place this connector talks HTTP: @octokit/rest with the throttling and retry plugins, a token
 * or a GitHub App installation, a base URL (github.com, GitHub Enterprise Server, or the fake), ETag
 * conditional reads (Octokit throws on 304: that is "not modified" here), the rate budget as the last
 * response reported it, and every failure mapped to a ConnectorError that says whether to retry.
 */
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import type { Logger } from 'pino';
import { ConnectorError } from '../../src/errors.js';
import type { GithubConfig } from './config.js';

const GhOctokit = Octokit.plugin(throttling, retry);
type GhOctokitInstance = InstanceType<typeof GhOctokit>;

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

export interface ClientTiming {
  /** Base of the retry plugins' waits in ms (1000 = seconds, as GitHub's headers mean). Tests pass less. */
  readonly retryBaseMs?: number;
  readonly retries?: number;
}

type Params = Record<string, unknown>;

export class GithubClient {
  readonly octokit: GhOctokitInstance;
  /** Requests made, and how many were answered 304 (for the benchmark and health). */
  requests = 0;
  notModified = 0;
  rate: RateBudget = { limit: null, remaining: null, resetAt: null };

  constructor(
    private readonly config: Pick<GithubConfig, 'name' | 'baseUrl' | 'token' | 'app'> & { readonly pacing?: GithubConfig['pacing'] },
    log: Logger,
    timing: ClientTiming = {},
  ) {
    const base = timing.retryBaseMs ?? 1000;
    const retries = timing.retries ?? 3;
    const auth = config.app
      ? { authStrategy: createAppAuth, auth: { appId: config.app.appId, privateKey: config.app.privateKey, installationId: config.app.installationId } }
      : { auth: config.token };
    this.octokit = new GhOctokit({
      ...auth,
      baseUrl: config.baseUrl,
      userAgent: 'taskwire',
      log: { debug: () => undefined, info: () => undefined, warn: (m: string) => log.warn(m), error: (m: string) => log.error(m) },
      retry: { retries, retryAfterBaseValue: base },
      throttle: {
        id: config.name,
        retryAfterBaseValue: base,
        fallbackSecondaryRateRetryAfter: 60,
        // Writes one at a time, spaced as GitHub asks (1s; 3s for those that notify people).
        write: new Bottleneck.Group({ maxConcurrent: 1, minTime: config.pacing?.writes ?? 1000 }),
        notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: config.pacing?.notifications ?? 3000 }),
        // Primary limit: wait for the reset GitHub names, a bounded number of times.
        onRateLimit: (after: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
          log.warn({ connector: config.name, after, url: options.url }, 'GitHub rate limit reached; waiting for the reset');
          return retryCount < retries;
        },
        // Secondary limit: honour retry-after (GitHub's best practice), a bounded number of times.
        onSecondaryRateLimit: (after: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
          log.warn({ connector: config.name, after, url: options.url }, 'GitHub secondary rate limit; backing off');
          return retryCount < retries;
        },
      },
    });
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

  /** A write (POST/PATCH/PUT/DELETE); paced by the throttling plugin's write group (≥ 1 s apart). */
  async send<T>(route: string, params: Params = {}): Promise<T> {
    return (await this.call(route, params)).data as T;
  }

  private async call(route: string, params: Params): Promise<{ data: unknown; headers: Record<string, unknown> }> {
    this.requests++;
    try {
      if (!route.startsWith('GET ')) {
        const res = await this.octokit.request(route, params);
        return { data: res.data, headers: res.headers };
      }
      // Octokit parses every body with a BigInt-preserving JSON parser, a third of a backfill's CPU
      // (measured in `npm run bench`); the ids and numbers we read fit a double, so reads use JSON.parse.
      const res = await this.octokit.request(route, { ...params, request: { parseSuccessResponseBody: false } });
      const text = res.data === null || res.data === undefined ? '' : await new Response(res.data as ReadableStream).text();
      return { data: text === '' ? null : (JSON.parse(text) as unknown), headers: res.headers };
    } catch (err) {
      throw this.mapError(route, err);
    }
  }

  private noteRate(h: Record<string, string | undefined>): void {
    const n = (v: string | undefined) => (v === undefined || v === '' || Number.isNaN(Number(v)) ? null : Number(v));
    const remaining = n(h['x-ratelimit-remaining']);
    if (remaining === null) return;
    const reset = n(h['x-ratelimit-reset']);
    this.rate = { limit: n(h['x-ratelimit-limit']), remaining, resetAt: reset === null ? null : reset * 1000 };
  }

  private mapError(route: string, err: unknown): ConnectorError {
    const e = err as { status?: number; message?: string; response?: { headers?: Record<string, string | undefined> } };
    const status = typeof e.status === 'number' ? e.status : undefined;
    const headers = e.response?.headers ?? {};
    const name = this.config.name;
    if (status === 304) return new ConnectorError(name, `${route}: not modified`, { retryable: false, status, cause: err });
    if (status === undefined) return new ConnectorError(name, `${route}: ${e.message ?? 'request failed'} (is baseUrl ${this.config.baseUrl} reachable?)`, { retryable: true, cause: err });
    const retryAfter = Number(headers['retry-after']);
    const reset = Number(headers['x-ratelimit-reset']);
    const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : headers['x-ratelimit-remaining'] === '0' && Number.isFinite(reset) ? Math.max(0, reset * 1000 - Date.now()) : undefined;
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

const hasNextLink = (link: unknown): boolean => typeof link === 'string' && /rel="next"/.test(link);
