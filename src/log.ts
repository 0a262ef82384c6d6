/**
 * The logger: pino, JSON lines by default and readable on a terminal, always to stderr (stdout is for
 * command output). Errors are logged by their message; their stack traces only at debug level.
 * Secrets are redacted by key (the same key test the config loader uses) and, as a
 * second line of defence, every resolved secret value is scrubbed from messages and errors.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { SECRET_KEY_NAMES } from './config/secrets.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  readonly level?: string;
  readonly format?: 'auto' | 'json' | 'pretty';
  /** Resolved secret values; any occurrence in a message or error is replaced. */
  readonly secrets?: readonly string[];
  /** Where lines go; stderr by default. */
  readonly destination?: DestinationStream;
  readonly isTTY?: boolean;
}

const REDACTED = '[redacted]';

/** Redaction paths for every secret key name at the depths log objects carry them. */
export const REDACT_PATHS = [
  ...SECRET_KEY_NAMES.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'request.headers.authorization',
  'config.headers.authorization',
  'err.request.headers.authorization',
];

export function createLogger(opts: LoggerOptions = {}): Logger {
  const secrets = [...new Set(opts.secrets ?? [])].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  const scrub = (s: string): string => {
    let out = s;
    for (const secret of secrets) out = out.split(secret).join(REDACTED);
    return out;
  };
  const debug = opts.level === 'debug' || opts.level === 'trace';
  const usePretty = opts.format === 'pretty' || (opts.format !== 'json' && (opts.isTTY ?? process.stderr.isTTY === true));
  const destination =
    opts.destination ?? (usePretty ? pretty({ destination: 2, sync: true, colorize: true, ignore: 'pid,hostname' }) : pino.destination({ dest: 2, sync: true }));

  return pino(
    {
      level: opts.level ?? 'info',
      base: { name: 'taskwire' },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      serializers: {
        // Stack traces are for debugging: at info and above an error is its message (and type).
        err: (err: unknown) => {
          if (!(err instanceof Error)) return typeof err === 'string' ? scrub(err) : err;
          const e = pino.stdSerializers.err(err);
          const { stack, cause: _cause, ...rest } = e as typeof e & { cause?: unknown };
          return debug ? { ...e, message: scrub(e.message), stack: scrub(stack ?? '') } : { ...rest, message: scrub(e.message) };
        },
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as typeof args;
          method.apply(this, scrubbed);
        },
      },
    },
    destination,
  );
}
