/** `taskwire tasks`: list tasks from the store, filtered; a table on a terminal, `--json` for scripts. */
import { FLAG_CODES, TASK_STATUSES, type FlagCode, type Task, type TaskStatus } from '../core/model.js';
import { isAccountOwner } from '../core/identity.js';
import { UsageError } from '../errors.js';
import type { CommandContext } from './context.js';
import { withLiveEvaluation } from './live.js';
import { table } from './io.js';
import { shortKey } from './task-ref.js';

export interface TasksOptions {
  readonly flag?: string;
  readonly owner?: string;
  readonly connector?: string;
  readonly status?: string;
  readonly all?: boolean;
  readonly json?: boolean;
  readonly asOf?: string;
}

const CLOSED: readonly TaskStatus[] = ['done', 'verified', 'cancelled'];
const OPEN = TASK_STATUSES.filter((s) => !CLOSED.includes(s));

/**
 * Open work by default (`--all` for everything, `--status open|closed|<status>,…`), each task with its
 * open flags, evaluated as of now (or `--as-of`) so the answer is current even before a sync. A table
 * on a terminal and when piped; JSON only with `--json`.
 */
export async function tasksCommand(ctx: CommandContext, opts: TasksOptions, now: number): Promise<number> {
  const flag = opts.flag === undefined ? undefined : oneOf<FlagCode>('--flag', opts.flag, FLAG_CODES);
  const status = opts.all ? undefined : statuses(opts.status ?? 'open');
  const connectors = ctx.config.connectors.map((c) => c.name);
  if (opts.connector !== undefined && !connectors.includes(opts.connector)) {
    throw new UsageError(`--connector: no connector named "${opts.connector}" in ${ctx.file}; the connectors are ${connectors.join(', ') || '(none)'}`);
  }
  const people = ctx.config.people.map((p) => p.id);
  if (opts.owner !== undefined && !people.includes(opts.owner) && !isAccountOwner(opts.owner)) {
    throw new UsageError(`--owner: no person "${opts.owner}" in the registry; the people are ${people.join(', ') || '(none: add them under people: in the config)'} (or an account: github:carol-net)`);
  }
  const query = { owner: opts.owner, connector: opts.connector, status };
  const rows = await withLiveEvaluation(
    ctx,
    now,
    async ({ store, evaluation, engine }) => {
      const flagsOf = new Map<string, FlagCode[]>();
      for (const f of evaluation.flags) flagsOf.set(f.taskId, [...(flagsOf.get(f.taskId) ?? []), f.code]);
      return (await store.listTasks(query))
        .filter((t) => flag === undefined || flagsOf.get(t.id)?.includes(flag))
        .map((t) => ({ task: t, flags: flagsOf.get(t.id) ?? [], owner: t.owner === null ? null : isAccountOwner(t.owner) ? `${t.owner}?` : engine.nameOf(t.owner) }));
    },
    opts.asOf,
  );
  if (opts.json) ctx.io.out(`${JSON.stringify(rows.map((r) => ({ ...r.task, flags: r.flags })), null, 2)}\n`);
  else if (rows.length === 0) ctx.io.out(`no ${opts.all || opts.status ? '' : 'open '}tasks match\n`);
  else ctx.io.out(renderTasks(rows));
  return 0;
}

function statuses(spec: string): TaskStatus[] {
  return spec.split(',').flatMap((s) => {
    const v = s.trim();
    if (v === 'open') return OPEN;
    if (v === 'closed') return [...CLOSED];
    return [oneOf<TaskStatus>('--status', v, [...TASK_STATUSES, 'open', 'closed'] as TaskStatus[])];
  });
}

export interface TaskRow {
  readonly task: Task;
  readonly flags: readonly FlagCode[];
  /** The owner's name; null when nobody (or nobody known) owns it. */
  readonly owner: string | null;
}

export function renderTasks(rows: readonly TaskRow[]): string {
  const lines = rows.map(({ task: t, flags, owner }) => [
    shortKey(t),
    t.connector,
    t.status,
    owner ?? (t.assignees.length ? t.assignees.map((a) => `${a.kind}:${a.name ?? a.id}?`).join(', ') : '—'),
    t.due ?? '—',
    t.priority ?? '—',
    flags.join(',') || '—',
    t.title,
  ]);
  return table(['KEY', 'CONNECTOR', 'STATUS', 'OWNER', 'DUE', 'PRIORITY', 'FLAGS', 'TITLE'], lines, { 0: 28, 3: 24, 6: 40, 7: 60 }) + `${rows.length} task${rows.length === 1 ? '' : 's'}\n`;
}

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${option}: "${value}" is not one of ${allowed.join(', ')}`);
}
