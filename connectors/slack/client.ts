/**
 * The one place this connector talks HTTP: @slack/web-api's WebClient pointed at `slackApiUrl` (Slack,
 * or the fake), with its own retries and rate-limit queue turned off (`rejectRateLimitedCalls`): the
 * shared HTTP policy retries, honours `Retry-After`, paces messages (about one a second, Slack's
 * posting limit) and aborts, and the client's requests go through the policy's `fetch`. Failures map to
 * ConnectorErrors that say what to fix (`missing_scope`, `not_in_channel`, `invalid_auth`, …).
 * https://docs.slack.dev/apis/web-api/rate-limits
 */
import { ErrorCode, WebClient, type WebAPICallResult } from '@slack/web-api';
import type { Logger } from 'pino';
import { ConnectorError } from '../../src/errors.js';
import { HttpPolicy, policyFetch, settingsOf, unreachable, type CallOptions, type ConnectorTiming } from '../kit/http-policy.js';
import type { SlackConfig } from './config.js';

export class SlackClient {
  readonly web: WebClient;
  requests = 0;
  private auth: Promise<{ userId: string; url: string; teamId: string }> | null = null;
  private readonly policy: HttpPolicy;

  constructor(
    private readonly config: Pick<SlackConfig, 'name' | 'slackApiUrl' | 'botToken'>,
    log: Logger,
    timing: ConnectorTiming = {},
    context: { readonly signal?: AbortSignal; readonly timezone?: string } = {},
  ) {
    // The SDK logs each failed request; the policy logs what matters (retries, the final error).
    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (...m: unknown[]) => log.debug({ connector: config.name }, m.map(String).join(' ')),
      error: (...m: unknown[]) => log.debug({ connector: config.name }, m.map(String).join(' ')),
      setLevel: () => undefined,
      getLevel: () => 'info' as never,
      setName: () => undefined,
    };
    this.web = new WebClient(config.botToken, {
      slackApiUrl: `${config.slackApiUrl}/`,
      logger,
      fetch: policyFetch,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: 0, // the policy bounds each attempt
    });
    this.policy = new HttpPolicy(
      {
        connector: config.name,
        baseUrl: config.slackApiUrl,
        ...(context.timezone ? { timezone: context.timezone } : {}),
        ...(context.signal ? { signal: context.signal } : {}),
        classify: (what, err) => this.mapError(what, err),
        onRetry: ({ what, attempt, waitMs, error }) => log.info({ connector: config.name, what, status: error.status, waitMs, attempt }, 'Slack call failed; retrying'),
      },
      { ...settingsOf(timing), notifyGapMs: 1000 },
    );
  }

  /** One Web API call under the policy; a write says so (`lane`) and whether repeating it is harmless. */
  async call<T extends WebAPICallResult>(method: string, fn: (web: WebClient) => Promise<T>, opts: CallOptions = {}): Promise<T> {
    return this.policy.run(
      method,
      async () => {
        this.requests++;
        return fn(this.web);
      },
      opts,
    );
  }

  /** The bot's own user id and the workspace URL (auth.test), asked once. */
  whoAmI(): Promise<{ userId: string; url: string; teamId: string }> {
    return (this.auth ??= this.call('auth.test', (w) => w.auth.test())
      .then((r) => ({ userId: r.user_id ?? '', url: (r.url ?? '').replace(/\/+$/, ''), teamId: r.team_id ?? '' }))
      .catch((err: unknown) => {
        this.auth = null;
        throw err;
      }));
  }

  private mapError(method: string, err: unknown): ConnectorError {
    const e = err as { code?: ErrorCode; data?: { error?: string; needed?: string }; statusCode?: number; retryAfter?: number; message?: string };
    const name = this.config.name;
    if (e.code === ErrorCode.PlatformError) {
      const code = e.data?.error ?? 'unknown_error';
      const hint: Record<string, string> = {
        invalid_auth: ' — Slack rejected botToken (an xoxb- bot token of the installed app)',
        not_authed: ' — no token was sent: check botToken',
        missing_scope: ` — the app needs the ${e.data?.needed ?? ''} scope: add it in the app's OAuth settings and reinstall`,
        not_in_channel: ' — invite the app to the channel (/invite @taskwire)',
        channel_not_found: ' — check channels (ids like C0123456789, not names)',
        users_not_found: ' — no Slack user has that email',
      };
      return new ConnectorError(name, `${method}: ${code}${hint[code] ?? ''}`, { retryable: code === 'ratelimited' || code === 'internal_error' || code === 'fatal_error' || code === 'service_unavailable', status: 200 });
    }
    if (e.code === ErrorCode.RateLimitedError) return new ConnectorError(name, `${method}: rate limited`, { retryable: true, status: 429, ...(e.retryAfter ? { retryAfterMs: e.retryAfter * 1000 } : {}), cause: err });
    if (e.code === ErrorCode.HTTPError) return new ConnectorError(name, `${method}: HTTP ${e.statusCode ?? '?'}`, { retryable: (e.statusCode ?? 500) >= 500, ...(e.statusCode ? { status: e.statusCode } : {}), cause: err });
    return unreachable(name, this.config.slackApiUrl, err, e.message ?? 'request failed');
  }
}
