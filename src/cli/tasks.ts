/** `taskwire tasks`: list tasks from the store, filtered; a table on a terminal, `--json` for scripts. */
import { FLAG_CODES, TASK_STATUSES, type FlagCode, type Task, type TaskStatus } from '../core/model.js';
import { UsageError } from '../errors.js';
import { openStore } from '../main.js';
import type { TaskQuery } from '../store/store.js';
import type { CommandContext } from './context.js';
import { withLiveEvaluation } from './live.js';
import { table } from './io.js';

export interface TasksOptions {
  readonly flag?: string;
  readonly owner?: string;
  readonly connector?: string;
  readonly status?: string;
  readonly json?: boolean;
  readonly asOf?: string;
}

/** `--flag` evaluates the store as of `now` (so the answer is current even before a sync). */
export async function tasksCommand(ctx: CommandContext, opts: TasksOptions, now: number): Promise<number> {
  const flag = opts.flag === undefined ? undefined : oneOf<FlagCode>('--flag', opts.flag, FLAG_CODES);
  const status = opts.status?.split(',').map((s) => oneOf<TaskStatus>('--status', s.trim(), TASK_STATUSES));
  if (opts.connector !== undefined && !ctx.config.connectors.some((c) => c.name === opts.connector)) {
    throw new UsageError(`--connector: no connector named "${opts.connector}" in ${ctx.file}`);
  }
  const query = { owner: opts.owner, connector: opts.connector, status };
  const tasks =
    flag === undefined && opts.asOf === undefined
      ? await readTasks(ctx, query)
      : await withLiveEvaluation(
          ctx,
          now,
          async ({ store, evaluation }) => {
            const flagged = new Set(evaluation.flags.filter((f) => f.code === flag).map((f) => f.taskId));
            return (await store.listTasks(query)).filter((t) => flag === undefined || flagged.has(t.id));
          },
          opts.asOf,
        );
  if (opts.json || !ctx.io.isTTY) ctx.io.out(`${JSON.stringify(tasks, null, opts.json ? 2 : undefined)}\n`);
  else if (tasks.length === 0) ctx.io.out('no tasks match\n');
  else ctx.io.out(renderTasks(tasks));
  return 0;
}

async function readTasks(ctx: CommandContext, query: TaskQuery): Promise<Task[]> {
  const store = await openStore(ctx.config, ctx.io.cwd);
  try {
    return await store.listTasks(query);
  } finally {
    await store.close();
  }
}

export function renderTasks(tasks: readonly Task[]): string {
  const rows = tasks.map((t) => [
    t.key,
    t.connector,
    t.status,
    t.owner ?? (t.assignees.length ? t.assignees.map((a) => a.name ?? a.id).join(', ') : '—'),
    t.due ?? '—',
    t.priority ?? '—',
    t.title,
  ]);
  return table(['KEY', 'CONNECTOR', 'STATUS', 'OWNER', 'DUE', 'PRIORITY', 'TITLE'], rows, { 3: 24, 6: 60 }) + `${tasks.length} task(s)\n`;
}

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${option}: "${value}" is not one of ${allowed.join(', ')}`);
}
