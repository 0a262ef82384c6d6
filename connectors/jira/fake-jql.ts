/**
 * The JQL the Jira fake understands: what taskwire sends and what teams write as a scope — clauses
 * `field op value` joined by AND / OR / NOT with parentheses, `ORDER BY`. Operators = != > >= < <= ~
 * IN, NOT IN, IS [NOT] EMPTY; values quoted or bare, lists, `currentUser()`, `now()`, `EMPTY`. Dates
 * are `"yyyy/MM/dd HH:mm"` or `"yyyy-MM-dd"` read in the API user's time zone, as Jira reads them.
 * Unknown fields and unbounded queries are errors with Jira's own wording.
 */
import { DateTime } from 'luxon';

export class JqlError extends Error {}

type Value = string | number | null | { fn: string } | Value[];
export type Expr =
  | { kind: 'and'; left: Expr; right: Expr }
  | { kind: 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'clause'; field: string; op: string; value: Value };

export interface Query {
  readonly where: Expr | null;
  readonly orderBy: readonly { field: string; dir: 'asc' | 'desc' }[];
}

const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(!=|>=|<=|!~|=|>|<|~|\(|\)|,)|([^\s=!<>~(),"']+))/y;

function tokenize(jql: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < jql.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(jql);
    if (!m) {
      if (jql.slice(at).trim() === '') break;
      throw new JqlError(`Error in the JQL Query: the character '${jql[at]}' is a reserved JQL character (char ${at}).`);
    }
    out.push(m[1] ?? m[2] ?? m[3]!);
  }
  return out;
}

export function parseJql(jql: string): Query {
  const t = tokenize(jql);
  let i = 0;
  const peek = (k = 0) => t[i + k];
  const upper = (k = 0) => peek(k)?.toUpperCase();
  const take = () => {
    const v = t[i++];
    if (v === undefined) throw new JqlError('Error in the JQL Query: the query ended unexpectedly.');
    return v;
  };
  const unquote = (s: string) => (/^["']/.test(s) ? s.slice(1, -1).replace(/\\(.)/g, '$1') : s);

  const value = (): Value => {
    if (peek() === '(') {
      take();
      const list: Value[] = [];
      while (peek() !== ')') {
        list.push(value());
        if (peek() === ',') take();
      }
      take();
      return list;
    }
    const raw = take();
    if (/^["']/.test(raw)) return unquote(raw);
    if (raw.toUpperCase() === 'EMPTY' || raw.toUpperCase() === 'NULL') return null;
    if (peek() === '(' && peek(1) === ')') {
      take();
      take();
      return { fn: raw.toLowerCase() };
    }
    return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  };

  const clause = (): Expr => {
    if (peek() === '(') {
      take();
      const e = or();
      if (take() !== ')') throw new JqlError("Error in the JQL Query: expecting ')'.");
      return e;
    }
    if (upper() === 'NOT') {
      take();
      return { kind: 'not', expr: clause() };
    }
    const field = unquote(take()).toLowerCase();
    let op = take().toUpperCase();
    if (op === 'NOT' && upper() === 'IN') {
      take();
      op = 'NOT IN';
    } else if (op === 'IS' && upper() === 'NOT') {
      take();
      op = 'IS NOT';
    }
    if (!['=', '!=', '>', '>=', '<', '<=', '~', '!~', 'IN', 'NOT IN', 'IS', 'IS NOT'].includes(op)) {
      throw new JqlError(`Error in the JQL Query: expecting operator but got '${op}'.`);
    }
    return { kind: 'clause', field, op, value: value() };
  };
  const and = (): Expr => {
    let left = clause();
    while (upper() === 'AND') {
      take();
      left = { kind: 'and', left, right: clause() };
    }
    return left;
  };
  const or = (): Expr => {
    let left = and();
    while (upper() === 'OR') {
      take();
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };

  const where = peek() !== undefined && upper() !== 'ORDER' ? or() : null;
  const orderBy: { field: string; dir: 'asc' | 'desc' }[] = [];
  if (upper() === 'ORDER') {
    take();
    if (take().toUpperCase() !== 'BY') throw new JqlError("Error in the JQL Query: expecting 'by' after 'order'.");
    for (;;) {
      const field = unquote(take()).toLowerCase();
      const dir = upper() === 'ASC' || upper() === 'DESC' ? (take().toLowerCase() as 'asc' | 'desc') : 'asc';
      orderBy.push({ field, dir });
      if (peek() !== ',') break;
      take();
    }
    if (orderBy.length > 7) throw new JqlError('The ORDER BY clause may have at most 7 fields.');
  }
  if (peek() !== undefined) throw new JqlError(`Error in the JQL Query: unexpected '${peek() ?? ''}'.`);
  return { where, orderBy };
}

/** What a clause reads from an issue: a field's value(s) as strings or numbers (dates as epoch ms). */
export type FieldReader = (field: string) => (string | number)[] | undefined;

export interface EvalContext {
  readonly zone: string;
  readonly currentUser: string;
  readonly now: number;
}

const DATE_FIELDS = new Set(['updated', 'created', 'duedate', 'due', 'resolved', 'resolutiondate']);

export function matches(e: Expr | null, read: FieldReader, ctx: EvalContext): boolean {
  if (e === null) return true;
  if (e.kind === 'not') return !matches(e.expr, read, ctx);
  if (e.kind === 'and') return matches(e.left, read, ctx) && matches(e.right, read, ctx);
  if (e.kind === 'or') return matches(e.left, read, ctx) || matches(e.right, read, ctx);
  const values = read(e.field);
  if (values === undefined) throw new JqlError(`Field '${e.field}' does not exist or you do not have permission to view it.`);
  const isDate = DATE_FIELDS.has(e.field);
  const norm = (v: Value): (string | number | null)[] => {
    if (Array.isArray(v)) return v.flatMap(norm);
    if (v === null) return [null];
    if (typeof v === 'object') return [v.fn === 'currentuser' ? ctx.currentUser : v.fn === 'now' ? ctx.now : null];
    if (isDate) return [dateValue(v, ctx.zone)];
    return [typeof v === 'string' ? v.toLowerCase() : v];
  };
  const want = norm(e.value);
  const have = values.map((v) => (typeof v === 'string' ? v.toLowerCase() : v));
  switch (e.op) {
    case 'IS':
      return have.length === 0;
    case 'IS NOT':
      return have.length > 0;
    case '=':
      return want[0] === null ? have.length === 0 : have.includes(want[0]!);
    case '!=':
      return want[0] === null ? have.length > 0 : !have.includes(want[0]!);
    case 'IN':
      return have.some((h) => want.includes(h)) || (want.includes(null) && have.length === 0);
    case 'NOT IN':
      return !have.some((h) => want.includes(h));
    case '~':
      return have.some((h) => typeof h === 'string' && h.includes(String(want[0] ?? '')));
    case '!~':
      return !have.some((h) => typeof h === 'string' && h.includes(String(want[0] ?? '')));
    default: {
      const w = want[0];
      if (typeof w !== 'number') return false;
      return have.some((h) => typeof h === 'number' && (e.op === '>' ? h > w : e.op === '>=' ? h >= w : e.op === '<' ? h < w : h <= w));
    }
  }
}

/** `"2026/11/20 10:15"`, `"2026-11-20"`, epoch ms → epoch ms, in the API user's zone. */
function dateValue(v: string | number, zone: string): number {
  if (typeof v === 'number') return v;
  for (const fmt of ['yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd']) {
    const d = DateTime.fromFormat(v, fmt, { zone });
    if (d.isValid) return d.toMillis();
  }
  throw new JqlError(`Date value '${v}' for field is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`);
}
