/**
 * `taskwire backtest [--from D] [--to D] [--every 1d] [--json | --html FILE]`: how right the flags would
 * have been, on the team's own history — each day rebuilt as it stood that morning, nothing later used.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Calendar } from '../core/calendar.js';
import { renderBacktestHtml, renderBacktestText } from '../core/report/render-backtest.js';
import { UsageError } from '../errors.js';
import { loadIdentity, openStore } from '../main.js';
import { backtestFromStore, type BacktestResult } from '../pipeline/backtest.js';
import type { CommandContext } from './context.js';

export interface BacktestCommandOptions {
  readonly from?: string;
  readonly to?: string;
  readonly every?: string;
  readonly json?: boolean;
  readonly html?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export async function backtest(ctx: CommandContext, opts: BacktestCommandOptions, now: number): Promise<BacktestResult> {
  const cal = new Calendar({ timezone: ctx.config.timezone, ...ctx.config.calendar });
  const today = cal.localDate(now);
  for (const [name, v] of [['--from', opts.from], ['--to', opts.to]] as const) if (v !== undefined && !DATE.test(v)) throw new UsageError(`${name}: "${v}" is not a date (YYYY-MM-DD)`);
  const every = /^(\d+)\s*(d|w|wd)$/.exec(opts.every ?? '1d');
  if (!every || Number(every[1]) < 1) throw new UsageError(`--every: "${opts.every}" is not a step such as 1d, 2d, 3wd (working days) or 1w`);
  const everyDays = Number(every[1]) * (every[2] === 'w' ? 7 : 1);
  const workdays = every[2] === 'wd';
  const store = await openStore(ctx.config, ctx.io.cwd, () => now);
  try {
    const identity = await loadIdentity(ctx.config, store);
    const to = opts.to ?? today;
    if (opts.from !== undefined && opts.from > to) throw new UsageError(`--from ${opts.from} is after --to ${to}`);
    return await backtestFromStore(store, { config: ctx.config, identity, from: opts.from, to, everyDays, workdays, now });
  } finally {
    await store.close();
  }
}

export async function backtestCommand(ctx: CommandContext, opts: BacktestCommandOptions, now: number): Promise<number> {
  const result = await backtest(ctx, opts, now);
  if (opts.json) ctx.io.out(`${JSON.stringify(result, null, 2)}\n`);
  else ctx.io.out(renderBacktestText(result));
  if (opts.html !== undefined) {
    const file = resolve(ctx.io.cwd, opts.html);
    writeFileSync(file, await renderBacktestHtml(result));
    ctx.io.err(`backtest written to ${file}\n`);
  }
  return 0;
}

