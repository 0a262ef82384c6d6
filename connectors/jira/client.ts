/**
 * The one place this connector talks HTTP: jira.js (Version3Client for Cloud with email + API token,
 * Version2Client for Data Center with a personal access token as bearer), plus what jira.js lacks —
 * it never retries, not even a 429 — so every call here waits out `Retry-After` on 429/503, retries
 * 5xx and network failures with exponential backoff and jitter, slows down when Jira says the budget is
 * nearly spent (`X-RateLimit-NearLimit`), and maps failures to ConnectorErrors naming what to fix.
 * https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
 */
import { Version2Client, Version3Client } from 'jira.js';
import type { Logger } from 'pino';
import { ConnectorError } from '../../src/errors.js';
import type { JiraConfig } from './config.js';

export interface JiraTiming {
  /** First backoff wait in ms (doubles each attempt, with jitter). */
  readonly retryBaseMs?: number;
  readonly retries?: number;
}

export interface JiraRate {
  readonly remaining: number | null;
  readonly limit: number | null;
  readonly nearLimit: boolean;
}

type Api = Version3Client;

export class JiraClient {
  readonly api: Api;
  readonly cloud: boolean;
  requests = 0;
  rate: JiraRate = { remaining: null, limit: null, nearLimit: false };
  private readonly base: number;
  private readonly retries: number;

  constructor(
    private readonly config: Pick<JiraConfig, 'name' | 'host' | 'deployment' | 'email' | 'apiToken' | 'token'>,
    private readonly log: Logger,
    timing: JiraTiming = {},
  ) {
    this.base = timing.retryBaseMs ?? 1000;
    this.retries = timing.retries ?? 5;
    this.cloud = config.deployment === 'cloud';
    const baseRequestConfig = {
      timeout: 60_000,
      // Data Center: a personal access token is a bearer token (jira.js's oauth2 mode would go to Atlassian's cloud).
      ...(this.cloud ? {} : { headers: { Authorization: `Bearer ${config.token ?? ''}` } }),
      // Runs for answers and errors alike: the rate-limit headers are noted, the body parsed as usual.
      transformResponse: [(data: unknown, headers: Record<string, unknown> | undefined) => this.noteResponse(data, headers)],
    };
    // Data Center speaks REST v2; the methods used here have the same names and shapes on both.
    this.api = this.cloud
      ? new Version3Client({ host: config.host, authentication: { basic: { email: config.email ?? '', apiToken: config.apiToken ?? '' } }, baseRequestConfig, noCheckAtlassianToken: true })
      : (new Version2Client({ host: config.host, baseRequestConfig, noCheckAtlassianToken: true }) as unknown as Api);
  }

  /** One API call with Jira's rate limits honoured and transient failures retried. */
  async call<T>(what: string, fn: (api: Api) => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      if (this.rate.nearLimit) await sleep(this.base, signal); // pace down before Jira has to say no
      this.requests++;
      try {
        return await fn(this.api);
      } catch (err) {
        const e = this.mapError(what, err);
        if (!e.retryable || attempt >= this.retries) throw e;
        const wait = e.retryAfterMs ?? Math.min(60_000, this.base * 2 ** attempt) * (0.5 + Math.random() / 2);
        this.log.warn({ connector: this.config.name, what, status: e.status, waitMs: Math.round(wait), attempt: attempt + 1 }, 'Jira call failed; retrying');
        await sleep(wait, signal);
      }
    }
  }

  private noteResponse(data: unknown, headers: Record<string, unknown> | undefined): unknown {
    const h = (k: string) => {
      const v = headers?.[k] ?? (headers as { get?: (k: string) => unknown } | undefined)?.get?.(k);
      return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
    };
    const remaining = h('x-ratelimit-remaining');
    if (remaining !== undefined || h('x-ratelimit-nearlimit') !== undefined) {
      const limit = h('x-ratelimit-limit');
      this.rate = { remaining: remaining === undefined ? null : Number(remaining), limit: limit === undefined ? null : Number(limit), nearLimit: h('x-ratelimit-nearlimit') === 'true' };
    }
    if (typeof data !== 'string' || data === '') return data;
    try {
      return JSON.parse(data) as unknown;
    } catch {
      return data;
    }
  }

  private mapError(what: string, err: unknown): ConnectorError {
    const e = err as { status?: number; message?: string; response?: { data?: unknown }; cause?: { response?: { headers?: Record<string, unknown> }; code?: string }; code?: string };
    const status = typeof e.status === 'number' ? e.status : undefined;
    const name = this.config.name;
    if (status === undefined) {
      const code = e.code ?? e.cause?.code;
      return new ConnectorError(name, `${what}: ${e.message ?? 'request failed'}${code ? ` (${code})` : ''} — is host ${this.config.host} reachable?`, { retryable: true, cause: err });
    }
    const headers = e.cause?.response?.headers ?? {};
    const retryAfterRaw = headers['retry-after'];
    const retryAfterMs = retryAfterOf(typeof retryAfterRaw === 'string' || typeof retryAfterRaw === 'number' ? String(retryAfterRaw) : undefined);
    const detail = jiraMessages(e.response?.data);
    const hint =
      status === 401
        ? this.cloud
          ? ' — Jira rejected the credentials: check email and apiToken (or apiTokenFile)'
          : ' — Jira rejected the token: check token (a personal access token)'
        : status === 403
          ? ' — forbidden: the API user needs Browse projects (read) and Add comments / Transition issues (writes)'
          : status === 410
            ? ' — this endpoint is gone from Jira Cloud'
            : '';
    return new ConnectorError(name, `${what}: HTTP ${status}${detail ? ` ${detail}` : ''}${hint}`, {
      retryable: status === 429 || status >= 500 || status === 408,
      status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      cause: err,
    });
  }
}

/** Retry-After in seconds or as an HTTP date → ms. */
export function retryAfterOf(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const s = Number(v);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Jira's error body: `{ errorMessages: [...], errors: { field: message } }`. */
function jiraMessages(data: unknown): string {
  if (!data || typeof data !== 'object') return '';
  const d = data as { errorMessages?: unknown; errors?: unknown; message?: unknown };
  const parts = [...(Array.isArray(d.errorMessages) ? d.errorMessages.map(String) : []), ...(d.errors && typeof d.errors === 'object' ? Object.entries(d.errors).map(([k, v]) => `${k}: ${String(v)}`) : [])];
  if (parts.length === 0 && typeof d.message === 'string') parts.push(d.message);
  return parts.join('; ');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}
