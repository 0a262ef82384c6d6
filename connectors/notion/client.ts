/**
 * The one place this connector talks HTTP: @notionhq/client (API version 2025-09-03, data sources)
 * with its own retries off: the shared HTTP policy retries 429 and 5xx (a data-source query is a POST
 * that reads, so it is retried like a read), honours `Retry-After`, aborts, and paces requests at about
 * three a second (Notion's average limit per integration) so a backfill does not run into the limit in
 * the first place. The SDK's requests go through the policy's `fetch`. Failures map to ConnectorErrors
 * naming what to fix.
 * https://developers.notion.com/reference/request-limits
 */
import { APIErrorCode, Client, isNotionClientError, LogLevel } from '@notionhq/client';
import type { Logger } from 'pino';
import { ConnectorError } from '../../src/errors.js';
import { HttpPolicy, policyFetch, retryAfterMs, settingsOf, unreachable, type CallOptions, type ConnectorTiming } from '../kit/http-policy.js';
import type { NotionConfig } from './config.js';

export class NotionClient {
  readonly api: Client;
  requests = 0;
  private readonly policy: HttpPolicy;

  constructor(
    private readonly config: Pick<NotionConfig, 'name' | 'baseUrl' | 'token'>,
    log: Logger,
    timing: ConnectorTiming = {},
    context: { readonly signal?: AbortSignal; readonly timezone?: string } = {},
  ) {
    this.api = new Client({
      auth: config.token,
      baseUrl: config.baseUrl,
      notionVersion: '2025-09-03',
      fetch: policyFetch,
      retry: false,
      timeoutMs: 24 * 3600_000, // the policy bounds each attempt
      logger: (level, message, extra) => {
        // The SDK logs each failed request; the policy logs what matters (retries, the final error).
        if (level === LogLevel.WARN || level === LogLevel.ERROR) log.debug({ connector: config.name, extra }, `notion: ${message}`);
      },
    });
    this.policy = new HttpPolicy(
      {
        connector: config.name,
        baseUrl: config.baseUrl,
        ...(context.timezone ? { timezone: context.timezone } : {}),
        ...(context.signal ? { signal: context.signal } : {}),
        classify: (what, err) => this.mapError(what, err),
        onRetry: ({ what, attempt, waitMs, error }) => log.info({ connector: config.name, what, status: error.status, waitMs, attempt }, 'Notion call failed; retrying'),
      },
      { perSecond: 3, ...settingsOf(timing) },
    );
  }

  /** One call under the policy: reads by default; a write says so (`lane`) and whether repeating it is harmless. */
  async call<T>(what: string, fn: (api: Client) => Promise<T>, opts: CallOptions = {}): Promise<T> {
    return this.policy.run(
      what,
      async () => {
        this.requests++;
        return fn(this.api);
      },
      opts,
    );
  }

  private mapError(what: string, err: unknown): ConnectorError {
    const name = this.config.name;
    if (isNotionClientError(err)) {
      const e = err as { code: APIErrorCode; status?: number; message: string; headers?: { get?: (k: string) => string | null } };
      if ((e.code as string) === 'notionhq_client_request_timeout') return unreachable(name, this.config.baseUrl, { name: 'TimeoutError' }, 'no answer in time');
      const wait = retryAfterMs(e.headers?.get?.('retry-after'));
      const hint =
        e.code === APIErrorCode.Unauthorized
          ? ' — Notion rejected the token: check token (the integration secret)'
          : e.code === APIErrorCode.ObjectNotFound || e.code === APIErrorCode.RestrictedResource
            ? ' — not found, or not shared with the integration: open the database in Notion → ⋯ → Connections → add the integration'
            : '';
      // By status too: a 429 or 5xx from a proxy in front of Notion does not carry Notion's error codes.
      const retryable = e.status === 429 || e.code === APIErrorCode.RateLimited || e.code === APIErrorCode.InternalServerError || e.code === APIErrorCode.ServiceUnavailable || (e.code as string) === 'request_timeout' || (e.status ?? 0) >= 500;
      return new ConnectorError(name, `${what}: ${e.code} ${e.message}${hint}`, { retryable, ...(e.status ? { status: e.status } : {}), ...(wait !== undefined ? { retryAfterMs: wait } : {}), cause: err });
    }
    return unreachable(name, this.config.baseUrl, err, (err as Error).message);
  }
}
