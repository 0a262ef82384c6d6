/**
 * YAML → ${ENV} and file secrets → validate → frozen Config. Every problem is collected and reported at
 * once with its YAML path and line; nothing here reads process.env or the clock (both are passed in).
 */
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { configSchema, type Config } from './schema.js';
import { interpolate, isSecretKey, resolveSecretRef, secretFileBase, type Env } from './secrets.js';

export const DEFAULT_CONFIG_PATH = 'config/taskwire.yaml';

export interface LoadOptions {
  /** From `--config`. */
  readonly path?: string | undefined;
  readonly env: Env;
  readonly cwd: string;
  /** Reads secret files; defaults to the file system. */
  readonly readFile?: (path: string) => string;
}

export interface LoadedConfig {
  readonly config: Config;
  /** Absolute path of the file that was read. */
  readonly file: string;
  /** Every resolved secret value, so the logger can scrub them from messages. */
  readonly secrets: readonly string[];
}

/** `--config`, else TASKWIRE_CONFIG, else config/taskwire.yaml; relative to cwd. */
export function resolveConfigPath(flag: string | undefined, env: Env, cwd: string): string {
  return resolvePath(cwd, flag ?? env['TASKWIRE_CONFIG'] ?? DEFAULT_CONFIG_PATH);
}

export function loadConfig(opts: LoadOptions): LoadedConfig {
  const file = resolveConfigPath(opts.path, opts.env, opts.cwd);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : `cannot be read (${(err as Error).message})`;
    throw new ConfigError(file, [
      {
        path: '',
        message: `config file ${why}; pass --config FILE or set TASKWIRE_CONFIG (start from config/taskwire.example.yaml)`,
      },
    ]);
  }
  return parseConfig(text, { file, env: opts.env, cwd: opts.cwd, readFile: opts.readFile ?? defaultReadFile });
}

const defaultReadFile = (path: string): string => readFileSync(path, 'utf8');

export function parseConfig(
  text: string,
  opts: { file: string; env: Env; cwd: string; readFile: (path: string) => string },
): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      opts.file,
      doc.errors.map((e) => ({
        path: '',
        message: `invalid YAML: ${(e.message.split('\n')[0] ?? e.code).replace(/ at line \d+, column \d+:?$/, '')}`,
        ...(e.linePos ? { line: e.linePos[0].line } : {}),
      })),
    );
  }
  const lineOf = (path: readonly PropertyKey[]): number | undefined => nodeLine(doc, lineCounter, path);
  const problems: ConfigProblem[] = [];
  const reported: string[] = [];
  const add = (path: readonly PropertyKey[], message: string) => {
    reported.push(formatPath(path));
    const line = lineOf(path);
    problems.push({ path: formatPath(path), message, ...(line === undefined ? {} : { line }) });
  };

  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    add([], 'the config must be a YAML mapping (key: value lines)');
    throw new ConfigError(opts.file, problems);
  }

  const secrets: string[] = [];
  const cover = (path: readonly PropertyKey[]) => reported.push(formatPath(path));
  const resolved = resolveValues(raw, [], { env: opts.env, cwd: opts.cwd, readFile: opts.readFile, add, cover, secrets });

  const result = configSchema.safeParse(resolved, { reportInput: true });
  if (!result.success) {
    // A value the resolver already refused (unset variable, unreadable file) is not reported twice.
    const already = [...reported];
    const covered = (p: string) => already.some((r) => p === r || p.startsWith(`${r}.`) || p.startsWith(`${r}[`));
    for (const issue of result.error.issues) {
      for (const p of expandIssue(issue)) if (!covered(formatPath(p.path))) add(p.path, p.message);
    }
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(opts.file, sortProblems(problems));
  return { config: deepFreeze(result.data), file: opts.file, secrets };
}

interface ResolveCtx {
  readonly env: Env;
  readonly cwd: string;
  readonly readFile: (path: string) => string;
  readonly add: (path: readonly PropertyKey[], message: string) => void;
  /** Marks a path as already explained, so validation does not report it again. */
  readonly cover: (path: readonly PropertyKey[]) => void;
  readonly secrets: string[];
}

/** Walks the parsed YAML: interpolates ${ENV}, resolves secrets and `<key>File` references. */
function resolveValues(value: unknown, path: PropertyKey[], ctx: ResolveCtx, secretKey?: string): unknown {
  if (typeof value === 'string') {
    if (secretKey !== undefined) {
      const r = resolveSecretRef(value, secretKey, ctx.env);
      if (!r.ok) return ctx.add(path, r.message), undefined;
      ctx.secrets.push(r.value);
      return r.value;
    }
    const r = interpolate(value, ctx.env);
    if (!r.ok) return ctx.add(path, r.message), undefined;
    return r.value;
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveValues(v, [...path, i], ctx, secretKey));
  if (typeof value !== 'object' || value === null) return value;

  const out: Record<string, unknown> = {};
  const obj = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(obj)) {
    const base = secretFileBase(key);
    if (base !== undefined) {
      if (base in obj) {
        ctx.add([...path, key], `give either ${base} or ${key}, not both`);
        continue;
      }
      out[base] = readSecretFiles(v, [...path, key], ctx);
      if (out[base] === undefined) ctx.cover([...path, base]);
      continue;
    }
    out[key] = resolveValues(v, [...path, key], ctx, isSecretKey(key) ? key : undefined);
  }
  return out;
}

function readSecretFiles(v: unknown, path: PropertyKey[], ctx: ResolveCtx): unknown {
  if (Array.isArray(v)) return v.map((item, i) => readSecretFiles(item, [...path, i], ctx));
  if (typeof v !== 'string' || v.trim() === '') return ctx.add(path, 'must be a file path'), undefined;
  const interpolated = interpolate(v, ctx.env);
  if (!interpolated.ok) return ctx.add(path, interpolated.message), undefined;
  const file = resolvePath(ctx.cwd, interpolated.value);
  try {
    const content = ctx.readFile(file).replace(/\r?\n$/, '');
    if (content.trim() === '') return ctx.add(path, `secret file ${file} is empty`), undefined;
    ctx.secrets.push(content);
    return content;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    ctx.add(path, `cannot read secret file ${file}${code ? ` (${code})` : ''}`);
    return undefined;
  }
}

/** zod's `unrecognized_keys` names several keys on the parent; report each at its own path and line. */
function expandIssue(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string }[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => ({ path: [...issue.path, k], message: `unknown key "${k}" (check the spelling)` }));
  }
  if (issue.code === 'invalid_type') {
    const got = issue.input === null ? 'nothing' : Array.isArray(issue.input) ? 'a list' : typeof issue.input;
    const message =
      issue.input === undefined ? `is required (${article(issue.expected)})` : `must be ${article(issue.expected)}, not ${got}`;
    return [{ path: issue.path, message }];
  }
  return [{ path: issue.path, message: issue.message }];
}

function article(expected: string): string {
  const words: Record<string, string> = { array: 'a list', object: 'a mapping (key: value)', string: 'text', number: 'a number', boolean: 'true or false' };
  return words[expected] ?? expected;
}

/** `connectors[0].webhook.secrets[1]` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** Line of the deepest node that exists on the path (a missing key points at its parent). */
function nodeLine(doc: Document, lc: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const sub = path.slice(0, n);
    const node = sub.length === 0 ? doc.contents : doc.getIn(sub, true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    // A missing key has no node: its parent's first line is the most useful pointer.
    if (range) return lc.linePos(range[0]).line;
  }
  return undefined;
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || a.path.localeCompare(b.path));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
