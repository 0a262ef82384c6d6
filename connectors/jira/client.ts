/**
 * The one place this connector talks HTTP: jira.js (Version3Client for Cloud with email + API token,
 * Version2Client for Data Center with a personal access token as bearer). jira.js never retries, not
 * even a 429: the shared HTTP policy does — `Retry-After` on 429/503, 5xx and network failures with
 * capped backoff, abort — and every request carries the call's signal (an axios adapter hands it to
 * the socket). Calls slow down when Jira says the budget is nearly spent (`X-RateLimit-NearLimit`);
 * failures map to ConnectorErrors naming what to fix.
 * https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
 */
import axios, { type AxiosAdapter } from 'axios';
import { Version2Client, Version3Client } from 'jira.js';
import type { Logger } from 'pino';
import { ConnectorError } from '../../src/errors.js';
import { currentCallSignal, HttpPolicy, retryAfterMs, settingsOf, sleep, unreachable, type CallOptions, type ConnectorTiming } from '../kit/http-policy.js';
import type { JiraConfig } from './config.js';

export interface JiraRate {
  readonly remaining: number | null;
  readonly limit: number | null;
  readonly nearLimit: boolean;
}

type Api = Version3Client;

/** axios's own http adapter, with the signal of the call in progress (timeouts, shutdown). */
const httpAdapter = axios.getAdapter('http');
const signalledAdapter: AxiosAdapter = (config) => {
  const signal = currentCallSignal();
  return httpAdapter(signal ? { ...config, signal } : config);
};

export class JiraClient {
  readonly api: Api;
  readonly cloud: boolean;
  requests = 0;
  rate: JiraRate = { remaining: null, limit: null, nearLimit: false };
  private readonly policy: HttpPolicy;
  private readonly paceMs: number;

  constructor(
    private readonly config: Pick<JiraConfig, 'name' | 'host' | 'deployment' | 'email' | 'apiToken' | 'token'>,
    log: Logger,
    timing: ConnectorTiming = {},
    context: { readonly signal?: AbortSignal; readonly timezone?: string } = {},
  ) {
    this.paceMs = timing.retryBaseMs ?? timing.baseMs ?? 1000;
    this.cloud = config.deployment === 'cloud';
    const baseRequestConfig = {
      timeout: 0, // the policy bounds each attempt
      adapter: signalledAdapter,
      // Data Center: a personal access token is a bearer token (jira.js's oauth2 mode would go to Atlassian's cloud).
      ...(this.cloud ? {} : { headers: { Authorization: `Bearer ${config.token ?? ''}` } }),
      // Runs for answers and errors alike: the rate-limit headers are noted, the body parsed as usual.
      transformResponse: [(data: unknown, headers: Record<string, unknown> | undefined) => this.noteResponse(data, headers)],
    };
    // Data Center speaks REST v2; the methods used here have the same names and shapes on both.
    this.api = this.cloud
      ? new Version3Client({ host: config.host, authentication: { basic: { email: config.email ?? '', apiToken: config.apiToken ?? '' } }, baseRequestConfig, noCheckAtlassianToken: true })
      : (new Version2Client({ host: config.host, baseRequestConfig, noCheckAtlassianToken: true }) as unknown as Api);
    this.policy = new HttpPolicy(
      {
        connector: config.name,
        baseUrl: config.host,
        ...(context.timezone ? { timezone: context.timezone } : {}),
        ...(context.signal ? { signal: context.signal } : {}),
        classify: (what, err) => this.mapError(what, err),
        onRetry: ({ what, attempt, waitMs, error }) => log.info({ connector: config.name, what, status: error.status, waitMs, attempt }, 'Jira call failed; retrying'),
      },
      settingsOf(timing),
    );
  }

  /**
   * One API call with Jira's rate limits honoured and transient failures retried. Reads by default;
   * a write says so (`lane`), and whether repeating it is harmless (`idempotent`).
   */
  async call<T>(what: string, fn: (api: Api) => Promise<T>, opts: CallOptions = {}): Promise<T> {
    return this.policy.run(
      what,
      async () => {
        // Pace down before Jira has to say no.
        if (this.rate.nearLimit) await sleep(this.paceMs, [currentCallSignal()]);
        this.requests++;
        return fn(this.api);
      },
      opts,
    );
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
    if (status === undefined) return unreachable(name, this.config.host, err, e.message ?? e.code ?? e.cause?.code ?? 'request failed');
    const headers = e.cause?.response?.headers ?? {};
    const retryAfterRaw = headers['retry-after'];
    const wait = retryAfterMs(typeof retryAfterRaw === 'string' || typeof retryAfterRaw === 'number' ? retryAfterRaw : undefined);
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
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
      cause: err,
    });
  }
}

/** Jira's error body: `{ errorMessages: [...], errors: { field: message } }`. */
function jiraMessages(data: unknown): string {
  if (!data || typeof data !== 'object') return '';
  const d = data as { errorMessages?: unknown; errors?: unknown; message?: unknown };
  const parts = [...(Array.isArray(d.errorMessages) ? d.errorMessages.map(String) : []), ...(d.errors && typeof d.errors === 'object' ? Object.entries(d.errors).map(([k, v]) => `${k}: ${String(v)}`) : [])];
  if (parts.length === 0 && typeof d.message === 'string') parts.push(d.message);
  return parts.join('; ');
}
