/**
 * The small error hierarchy every part of taskwire throws. Each error says what to fix; the CLI prints
 * `message` (never a stack) for these, and `cause` keeps the underlying error for logs.
 */

export class TaskwireError extends Error {
  override readonly name: string = 'TaskwireError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The command line was used wrongly (an unknown option value); exits 2 like other usage errors. */
export class UsageError extends TaskwireError {
  override readonly name = 'UsageError';
}

/** One problem in the config file, with the YAML path (`connectors[0].token`) and line if known. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
}

/** The config file is invalid; `problems` lists every problem found, not only the first. */
export class ConfigError extends TaskwireError {
  override readonly name = 'ConfigError';
  readonly file: string;
  readonly problems: readonly ConfigProblem[];
  constructor(file: string, problems: readonly ConfigProblem[], options?: { cause?: unknown }) {
    super(formatProblems(file, problems), options);
    this.file = file;
    this.problems = problems;
  }
}

function formatProblems(file: string, problems: readonly ConfigProblem[]): string {
  const head = `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the config`;
  const lines = problems.map((p) => {
    const where = p.line === undefined ? file : `${file}:${p.line}`;
    return p.path === '' ? `  ${where}  ${p.message}` : `  ${where}  ${p.path}: ${p.message}`;
  });
  return [head, ...lines].join('\n');
}

/**
 * A call to a tool failed. `retryable` says whether trying again can help (5xx, 429, network);
 * `retryAfterMs` carries the tool's own Retry-After or rate-limit reset when it gave one.
 */
export class ConnectorError extends TaskwireError {
  override readonly name = 'ConnectorError';
  readonly connector: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
  /** The network failure's code (ECONNREFUSED, TIMEOUT, …) when the tool gave no answer. */
  readonly network: string | undefined;
  constructor(
    connector: string,
    message: string,
    details: { retryable: boolean; retryAfterMs?: number; status?: number; network?: string; cause?: unknown },
  ) {
    super(`${connector}: ${message}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.connector = connector;
    this.retryable = details.retryable;
    this.retryAfterMs = details.retryAfterMs;
    this.status = details.status;
    this.network = details.network;
  }
}

/** A webhook delivery failed verification (bad or missing signature, stale timestamp). Answered 4xx. */
export class WebhookVerificationError extends TaskwireError {
  override readonly name = 'WebhookVerificationError';
  readonly status: 400 | 401;
  constructor(message: string, status: 400 | 401 = 401) {
    super(message);
    this.status = status;
  }
}

/** The store could not do what was asked (schema newer than this build, corrupt file, locked). */
export class StoreError extends TaskwireError {
  override readonly name = 'StoreError';
}

/** Permanent vs retryable, in one place: anything not known to be retryable is treated as permanent. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof ConnectorError) return err.retryable;
  if (err instanceof Error && 'code' in err) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && RETRYABLE_NET_CODES.has(code);
  }
  return false;
}

const RETRYABLE_NET_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
