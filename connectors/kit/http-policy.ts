/**
 * The one HTTP policy every connector's client runs its calls through, so the four tools fail, wait
 * and stop the same way (octokit's plugin-retry + plugin-throttling habit, one policy composed):
 *
 * - classification: the client maps its SDK's error to a ConnectorError (status, Retry-After, network
 *   code); this decides. 429 and 5xx and network failures are retried, the rest are not.
 * - Retry-After in seconds or as an HTTP date, else exponential backoff with jitter, capped.
 * - a budget per call (`giveUpAfterMs`, waits included): a foreground command gives up on an
 *   unreachable tool within it, and a rate-limit wait longer than what is left is reported ("rate
 *   limit spent, resets 14:05") instead of waited out in silence.
 * - a write that may already have reached the tool (a timeout, a reset, a 5xx) is never repeated
 *   here: the outbox's next attempt checks the tool first. Only failures that cannot have been
 *   applied (refused connections, DNS, 429) are retried for such writes.
 * - pacing: reads at most `perSecond`, writes one at a time `writeGapMs` apart (GitHub asks 1 s, and
 *   3 s for writes that notify people).
 * - abort: every attempt and every wait takes the connector's lifetime signal and the caller's; the
 *   SDKs' own retries are turned off and their requests go through `fetch` below, which carries the
 *   call's signal (AsyncLocalStorage) into the socket — so shutdown never waits on a tool.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import PQueue from 'p-queue';
import { ConnectorError } from '../../src/errors.js';

export interface PolicySettings {
  /** Attempts after the first. */
  readonly retries?: number;
  /** First backoff wait (doubles each attempt, with jitter). */
  readonly baseMs?: number;
  /** Longest single wait between attempts. */
  readonly maxBackoffMs?: number;
  /** A call (its attempts and waits together) gives up after this. */
  readonly giveUpAfterMs?: number;
  /** One attempt gives up after this (a tool that never answers). */
  readonly requestTimeoutMs?: number;
  /** Reads started per second, at most (none: unpaced). */
  readonly perSecond?: number;
  /** Gap between writes. */
  readonly writeGapMs?: number;
  /** Gap between writes that notify people (comments). */
  readonly notifyGapMs?: number;
}

/** The policy's settings as connectors take them (`retryBaseMs` is the older name of `baseMs`). */
export interface ConnectorTiming extends PolicySettings {
  readonly retryBaseMs?: number;
}

export function settingsOf(t: ConnectorTiming = {}): PolicySettings {
  const { retryBaseMs, ...rest } = t;
  return retryBaseMs === undefined ? rest : { ...rest, baseMs: retryBaseMs };
}

export interface PolicyContext {
  readonly connector: string;
  /** Where the tool is, for "unreachable at …". */
  readonly baseUrl: string;
  /** Team timezone, for when a rate limit resets. */
  readonly timezone?: string;
  /** Aborted when the connector is closed or the process stops. */
  readonly signal?: AbortSignal;
  /** Maps whatever the SDK threw to a ConnectorError (status, retry-after, network code). */
  readonly classify: (what: string, err: unknown) => ConnectorError;
  readonly onRetry?: (info: { what: string; attempt: number; waitMs: number; error: ConnectorError }) => void;
}

export type Lane = 'read' | 'write' | 'notify';

export interface CallOptions {
  /** read (default), write, or notify (a write people see: paced wider). */
  readonly lane?: Lane;
  /** Safe to send twice (reads, upserts by id). Default: true for reads, false for writes. */
  readonly idempotent?: boolean;
  readonly signal?: AbortSignal;
}

const DEFAULTS = { retries: 4, baseMs: 1000, maxBackoffMs: 60_000, giveUpAfterMs: 300_000, requestTimeoutMs: 60_000 } as const;

/** Network failures that mean the request never reached the tool (safe to send again). */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
  UND_ERR_HEADERS_TIMEOUT: 'no answer in time',
  UND_ERR_BODY_TIMEOUT: 'answer stalled',
  ECONNABORTED: 'no answer in time',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate chain is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
};

const callScope = new AsyncLocalStorage<{ signal: AbortSignal }>();
const callerScope = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs `fn` with `signal` applying to every policy call made inside it (a write the dispatcher may
 * abort), without threading the signal through each call.
 */
export function withSignal<T>(signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  return signal ? callerScope.run(signal, fn) : fn();
}

/** The signal of the call in progress (for SDKs that take a signal per request rather than a fetch). */
export function currentCallSignal(): AbortSignal | undefined {
  return callScope.getStore()?.signal;
}

/** `fetch` for the SDKs: the call's signal (timeout, shutdown, caller) rides along with every request. */
export const policyFetch: typeof fetch = (input, init) => {
  const call = currentCallSignal();
  const signal = call && init?.signal ? AbortSignal.any([call, init.signal]) : (call ?? init?.signal ?? null);
  return fetch(input, { ...init, signal });
};

/**
 * The network failure under an error, if any: its code (walking `cause` and nested `errors`) and a
 * few words for people ("connection refused").
 */
export function networkFailure(err: unknown): { code: string; reason: string } | null {
  const seen = new Set<unknown>();
  const stack: unknown[] = [err];
  while (stack.length > 0) {
    const e = stack.pop();
    if (e === null || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const x = e as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown };
    if (x.name === 'TimeoutError') return { code: 'TIMEOUT', reason: 'no answer in time' };
    if (typeof x.code === 'string' && REASONS[x.code]) return { code: x.code, reason: REASONS[x.code]! };
    stack.push(x.cause);
    if (Array.isArray(x.errors)) stack.push(...(x.errors as unknown[]));
  }
  return null;
}

/** The ConnectorError for a request that did not get an answer (the words the CLI prints). */
export function unreachable(connector: string, baseUrl: string, err: unknown, fallback: string): ConnectorError {
  const net = networkFailure(err);
  const reason = net?.reason ?? fallback;
  return new ConnectorError(connector, `unreachable — ${reason} at ${baseUrl}`, { retryable: true, network: net?.code ?? 'UNKNOWN', cause: err });
}

/** Retry-After in seconds or as an HTTP date → ms (`now` for the date form). */
export function retryAfterMs(value: string | number | undefined | null, now: number = Date.now()): number | undefined {
  if (value === undefined || value === null || String(value).trim() === '') return undefined;
  const s = Number(value);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(String(value));
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with jitter (half to full), capped. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.min(maxMs, baseMs * 2 ** attempt) * (0.5 + random() / 2);
}

export class HttpPolicy {
  private readonly s: Required<Omit<PolicySettings, 'perSecond' | 'writeGapMs' | 'notifyGapMs'>>;
  private readonly lanes: Record<Lane, PQueue>;

  constructor(
    private readonly ctx: PolicyContext,
    settings: PolicySettings = {},
  ) {
    this.s = {
      retries: settings.retries ?? DEFAULTS.retries,
      baseMs: settings.baseMs ?? DEFAULTS.baseMs,
      maxBackoffMs: settings.maxBackoffMs ?? DEFAULTS.maxBackoffMs,
      giveUpAfterMs: settings.giveUpAfterMs ?? DEFAULTS.giveUpAfterMs,
      requestTimeoutMs: settings.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    };
    const paced = (cap: number | undefined, gap: number | undefined) =>
      gap !== undefined && gap > 0
        ? new PQueue({ concurrency: 1, interval: gap, intervalCap: 1 })
        : cap !== undefined && cap > 0
          ? new PQueue({ intervalCap: cap, interval: 1000, carryoverIntervalCount: true })
          : new PQueue();
    const write = paced(undefined, settings.writeGapMs);
    this.lanes = { read: paced(settings.perSecond, undefined), write, notify: settings.notifyGapMs ? paced(undefined, settings.notifyGapMs) : write };
  }

  /** Runs one call under the policy: paced, retried, bounded, abortable. */
  async run<T>(what: string, fn: () => Promise<T>, opts: CallOptions = {}): Promise<T> {
    const lane = opts.lane ?? 'read';
    const idempotent = opts.idempotent ?? lane === 'read';
    const outer = [this.ctx.signal, opts.signal, callerScope.getStore()].filter((s): s is AbortSignal => s !== undefined);
    const started = Date.now();
    let previous: ConnectorError | undefined;
    for (let attempt = 0; ; attempt++) {
      let error: ConnectorError;
      try {
        throwIfAborted(outer);
        const attemptOnce = async () => {
          // The attempt's own clock starts when it leaves the pacing queue. (A timer of our own, not
          // AbortSignal.timeout: that one is dropped with its signal when nothing else holds it.)
          const left = this.s.giveUpAfterMs - (Date.now() - started);
          const ms = Math.max(1, Math.min(this.s.requestTimeoutMs, left));
          const timeout = new AbortController();
          const budget = ms < this.s.requestTimeoutMs; // the give-up budget, not the tool's time to answer
          const timer = setTimeout(() => timeout.abort(Object.assign(new Error(`no answer within ${Math.round(ms / 1000)} s`), { name: 'TimeoutError', budget })), ms);
          const signal = AbortSignal.any([...outer, timeout.signal]);
          try {
            return await callScope.run({ signal }, () => raceAbort(fn(), signal));
          } finally {
            clearTimeout(timer);
          }
        };
        return await this.lanes[lane].add(attemptOnce, outer.length > 0 ? { signal: AbortSignal.any(outer) } : {});
      } catch (err) {
        throwIfAborted(outer); // stopping: not a failure of the tool
        // A retry our own budget cut short says nothing new about the tool: report what it last said.
        if (previous && (err as { budget?: boolean }).budget === true) throw previous;
        error = err instanceof ConnectorError ? err : this.ctx.classify(what, err);
      }
      previous = error;
      if (!error.retryable) throw error;
      if (!idempotent && !notApplied(error)) throw error; // may have reached the tool: the outbox checks before sending again
      const wait = error.retryAfterMs ?? backoffMs(attempt, this.s.baseMs, this.s.maxBackoffMs);
      const remaining = this.s.giveUpAfterMs - (Date.now() - started);
      if (wait > remaining && isRateLimit(error)) throw this.rateLimitSpent(error, wait);
      if (attempt >= this.s.retries || wait > remaining) throw error;
      this.ctx.onRetry?.({ what, attempt: attempt + 1, waitMs: Math.round(wait), error });
      await sleep(wait, outer);
    }
  }

  private rateLimitSpent(error: ConnectorError, waitMs: number): ConnectorError {
    const at = new Date(Date.now() + waitMs);
    const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: this.ctx.timezone ?? 'UTC' }).format(at);
    // The message is the connector's; ConnectorError adds the name in front.
    return new ConnectorError(this.ctx.connector, `rate limit spent, resets ${time}`, { retryable: true, status: error.status ?? 429, retryAfterMs: waitMs, cause: error });
  }
}

function isRateLimit(e: ConnectorError): boolean {
  return e.status === 429 || (e.status === 403 && e.retryAfterMs !== undefined);
}

/** A failure that cannot have been applied by the tool: nothing reached it, or it said "not now". */
function notApplied(e: ConnectorError): boolean {
  if (e.status === 429) return true;
  return e.network !== undefined && NOT_SENT.has(e.network);
}

function throwIfAborted(signals: readonly AbortSignal[]): void {
  for (const s of signals) s.throwIfAborted();
}

/** Settles with the promise, or rejects as soon as the signal aborts (the SDK may still be unwinding). */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Waits `ms`, rejecting at once when any signal aborts. */
export function sleep(ms: number, signals: readonly (AbortSignal | undefined)[] = []): Promise<void> {
  const list = signals.filter((s): s is AbortSignal => s !== undefined);
  return new Promise((resolve, reject) => {
    for (const s of list) if (s.aborted) return reject(s.reason as Error);
    const done = () => {
      for (const s of list) s.removeEventListener('abort', onAbort);
    };
    const t = setTimeout(() => {
      done();
      resolve();
    }, ms);
    const onAbort = (e: Event) => {
      clearTimeout(t);
      done();
      reject((e.target as AbortSignal).reason as Error);
    };
    for (const s of list) s.addEventListener('abort', onAbort, { once: true });
  });
}
