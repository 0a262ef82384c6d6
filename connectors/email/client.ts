/**
 * IMAP sessions (imapflow): connect, do one job, log out. Every session ends when the process stops (the
 * socket is closed at once) and when the server stops answering (`timeout`); failures become
 * ConnectorErrors that say what to fix.
 */
import { readFileSync } from 'node:fs';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { Logger } from 'pino';
import { ConnectorError } from '../../src/errors.js';
import { networkFailure, type ConnectorTiming } from '../kit/http-policy.js';
import type { EmailConfig } from './config.js';

export class ImapClient {
  /** Commands sent (sessions and fetches), for stats. */
  sessions = 0;

  /** How long a connection may take to answer: the config's timeout, shorter for a foreground command. */
  private readonly waitMs: number;

  constructor(
    private readonly config: EmailConfig,
    private readonly log: Logger,
    private readonly signal?: AbortSignal,
    timing: ConnectorTiming = {},
  ) {
    this.waitMs = Math.min(config.timeout, timing.giveUpAfterMs ?? Infinity);
  }

  get where(): string {
    return `${this.config.host}:${this.config.port}`;
  }

  options(extra: Partial<ImapFlowOptions> = {}): ImapFlowOptions {
    const c = this.config;
    return {
      host: c.host,
      port: c.port,
      secure: c.tls,
      // Without TLS from the start, STARTTLS is required unless plaintext is allowed explicitly.
      ...(c.tls ? {} : c.allowPlaintext ? { doSTARTTLS: undefined } : { doSTARTTLS: true }),
      auth: this.auth(),
      logger: false,
      connectionTimeout: this.waitMs,
      greetingTimeout: this.waitMs,
      socketTimeout: Math.max(this.waitMs, 60_000),
      disableAutoIdle: true,
      clientInfo: { name: 'taskwire' },
      ...extra,
    };
  }

  /** The OAuth2 access token in use, if any: from the config, or read now from `accessTokenPath`. */
  accessToken(): string | undefined {
    const c = this.config;
    if (c.accessTokenPath === undefined) return c.accessToken;
    try {
      const token = readFileSync(c.accessTokenPath, 'utf8').trim();
      if (token === '') throw new Error('the file is empty');
      return token;
    } catch (err) {
      throw new ConnectorError(c.name, `accessTokenPath: cannot read the access token from ${c.accessTokenPath} (${(err as Error).message})`, { retryable: true, cause: err });
    }
  }

  private auth(): ImapFlowOptions['auth'] {
    const token = this.accessToken();
    return token !== undefined ? { user: this.config.user, accessToken: token } : { user: this.config.user, pass: this.config.password ?? '' };
  }

  /** Runs `fn` on a fresh connection, logged out after (closed at once on abort). */
  async session<T>(fn: (c: ImapFlow) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const s = await this.open(signal);
    try {
      return await fn(s.client);
    } catch (err) {
      throw s.failed(err);
    } finally {
      await s.close();
    }
  }

  /**
   * A connection held across the pages of a poll (a generator yields between commands): `failed` maps an
   * error (an abort stays an abort), `close` logs out, or closes at once if the connection is gone.
   */
  async open(signal?: AbortSignal): Promise<{ client: ImapFlow; failed(err: unknown): Error; close(): Promise<void> }> {
    const stop = signal && this.signal ? AbortSignal.any([signal, this.signal]) : (signal ?? this.signal);
    stop?.throwIfAborted();
    const client = new ImapFlow(this.options()); // reads the access token file, if any, now
    client.on('error', (err: Error) => this.log.debug({ connector: this.config.name, err: err.message }, 'IMAP connection error'));
    const onAbort = () => client.close();
    stop?.addEventListener('abort', onAbort, { once: true });
    this.sessions++;
    const failed = (err: unknown): Error => (stop?.aborted ? (stop.reason instanceof Error ? stop.reason : new Error('aborted')) : this.classify(err));
    const close = async () => {
      stop?.removeEventListener('abort', onAbort);
      if (client.usable) await client.logout().catch(() => client.close());
      else client.close();
    };
    try {
      await client.connect();
    } catch (err) {
      await close();
      throw failed(err);
    }
    return { client, failed, close };
  }

  classify(err: unknown): ConnectorError {
    if (err instanceof ConnectorError) return err;
    const e = err as { authenticationFailed?: boolean; responseText?: string; code?: string; message?: string; serverResponseCode?: string };
    const name = this.config.name;
    if (e.authenticationFailed) {
      const how = this.config.accessTokenPath !== undefined ? `the access token in ${this.config.accessTokenPath} was refused (expired? the process that refreshes it may have stopped)` : this.config.accessToken !== undefined ? 'the access token (accessToken / accessTokenFile) was refused' : 'the password was refused (an account with two-factor sign-in needs an app password)';
      return new ConnectorError(name, `IMAP login as ${this.config.user} at ${this.where} failed: ${how}`, { retryable: false, cause: err });
    }
    const net = networkFailure(err);
    if (net) return new ConnectorError(name, `unreachable — ${net.reason} at ${this.where}`, { retryable: true, network: net.code, cause: err });
    if (e.code === 'NoConnection' || e.code === 'ClosedAfterConnectText' || e.code === 'ETIMEOUT' || /timeout|closed|unexpected close/i.test(e.message ?? '')) {
      return new ConnectorError(name, `unreachable — ${e.responseText ?? e.message ?? 'connection closed'} at ${this.where}`, { retryable: true, network: 'TIMEOUT', cause: err });
    }
    if (e.serverResponseCode === 'NONEXISTENT' || /doesn't exist|does not exist|unknown mailbox/i.test(e.responseText ?? '')) {
      return new ConnectorError(name, `IMAP: ${e.responseText ?? e.message} (check folders)`, { retryable: false, cause: err });
    }
    return new ConnectorError(name, `IMAP: ${e.responseText ?? e.message ?? String(err)}`, { retryable: true, cause: err });
  }
}
