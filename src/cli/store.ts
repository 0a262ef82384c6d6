/**
 * `taskwire store copy --from sqlite:data/taskwire.db --to postgres:` — moves a store, SQLite into
 * PostgreSQL to scale out (or back): see store/copy.ts for what is copied and what is checked.
 */
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { copyStore, describeLocation, parseLocation, type StoreLocation } from '../store/copy.js';
import type { Io } from './io.js';

export interface StoreCopyOptions {
  readonly from?: string;
  readonly to?: string;
  readonly schema?: string;
}

export async function storeCopyCommand(io: Io, opts: StoreCopyOptions): Promise<number> {
  if (!opts.from || !opts.to) throw new UsageError('store copy needs --from and --to (sqlite:<path>, postgres:<url>, or postgres: for $DATABASE_URL)');
  const at = (loc: StoreLocation): StoreLocation => (loc.driver === 'sqlite' && !isAbsolute(loc.path) ? { ...loc, path: resolve(io.cwd, loc.path) } : loc);
  const from = at(parseLocation(opts.from, io.env, opts.schema ?? 'public'));
  const to = at(parseLocation(opts.to, io.env, opts.schema ?? 'public'));
  if (JSON.stringify(from) === JSON.stringify(to)) throw new UsageError('--from and --to are the same store');
  io.err(`copying ${describeLocation(from)} → ${describeLocation(to)}\n`);
  const result = await copyStore(from, to, (table, rows) => io.err(`  ${table.padEnd(16)} ${rows.toLocaleString('en-US')} row(s)\n`));
  const total = result.tables.reduce((n, t) => n + t.rows, 0);
  io.out(`copied ${total.toLocaleString('en-US')} row(s) in ${(result.ms / 1000).toFixed(1)} s; every table counted equal on both sides. Point store: at the new store and start taskwire.\n`);
  return 0;
}
