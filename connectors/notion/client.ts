/**
 * The one place this connector talks HTTP: @notionhq/client (API version 2025-09-03, data sources) with
 * its own retries — 429 and 529 always, honouring `Retry-After` — and, in front of it, a pace of about
 * three requests a second (Notion's average limit per integration), so a backfill does not run into
 * the limit in the first place. Failures map to ConnectorErrors naming what to fix.
 * https://developers.notion.com/reference/request-limits
 */
import { APIErrorCode, Client, isNotionClientError, LogLevel } from '@notionhq/client';
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import { ConnectorError } from '../../src/errors.js';
import type { NotionConfig } from './config.js';

export interface NotionTiming {
  readonly retryBaseMs?: number;
  readonly retries?: number;
  /** Requests per second (default 3). */
  readonly perSecond?: number;
}

export class NotionClient {
  readonly api: Client;
  requests = 0;
  private readonly queue: PQueue;
  private readonly base: number;
  private readonly retries: number;

  constructor(
    private readonly config: Pick<NotionConfig, 'name' | 'baseUrl' | 'token'>,
    log: Logger,
    timing: NotionTiming = {},
  ) {
    this.base = timing.retryBaseMs ?? 1000;
    this.retries = timing.retries ?? 5;
    this.queue = new PQueue({ intervalCap: timing.perSecond ?? 3, interval: 1000, carryoverIntervalCount: true });
    this.api = new Client({
      auth: config.token,
      baseUrl: config.baseUrl,
      notionVersion: '2025-09-03',
      timeoutMs: 60_000,
      retry: { maxRetries: timing.retries ?? 5, initialRetryDelayMs: timing.retryBaseMs ?? 1000, maxRetryDelayMs: 60_000 },
      logger: (level, message, extra) => {
        if (level === LogLevel.WARN || level === LogLevel.ERROR) log.warn({ connector: config.name, extra }, `notion: ${message}`);
      },
    });
  }

  /**
   * One call, paced. The SDK retries 5xx only for GET/DELETE; a data-source query is a POST that reads,
   * so calls marked `read` are retried here too (5xx and network failures, with backoff).
   */
  async call<T>(what: string, fn: (api: Client) => Promise<T>, opts: { read?: boolean } = {}): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.queue.add(async () => {
          this.requests++;
          try {
            return await fn(this.api);
          } catch (err) {
            throw this.mapError(what, err);
          }
        });
      } catch (err) {
        if (!opts.read || !(err as ConnectorError).retryable || attempt >= this.retries) throw err;
        await new Promise((r) => setTimeout(r, Math.min(60_000, this.base * 2 ** attempt)));
      }
    }
  }

  private mapError(what: string, err: unknown): ConnectorError {
    const name = this.config.name;
    if (isNotionClientError(err)) {
      const e = err as { code: APIErrorCode; status?: number; message: string };
      const hint =
        e.code === APIErrorCode.Unauthorized
          ? ' — Notion rejected the token: check token (the integration secret)'
          : e.code === APIErrorCode.ObjectNotFound || e.code === APIErrorCode.RestrictedResource
            ? ' — not found, or not shared with the integration: open the database in Notion → ⋯ → Connections → add the integration'
            : '';
      // By status too: a 429 or 5xx from a proxy in front of Notion does not carry Notion's error codes.
      const retryable = e.status === 429 || e.code === APIErrorCode.RateLimited || e.code === APIErrorCode.InternalServerError || e.code === APIErrorCode.ServiceUnavailable || (e.code as string) === 'request_timeout' || (e.status ?? 0) >= 500;
      return new ConnectorError(name, `${what}: ${e.code} ${e.message}${hint}`, { retryable, ...(e.status ? { status: e.status } : {}), cause: err });
    }
    return new ConnectorError(name, `${what}: ${(err as Error).message} — is baseUrl ${this.config.baseUrl} reachable?`, { retryable: true, cause: err });
  }
}
