/**
 * A tiny benchmark harness: time a function, print figures next to a floor measured in the same run,
 * and keep the results as JSON under bench/results/. Wall-clock figures on shared machines are noisy;
 * the ratio against the floor measured seconds earlier is the number to watch.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly goal?: string;
  readonly met?: boolean;
}

export async function time<T>(fn: () => T | Promise<T>): Promise<{ ms: number; result: T }> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

/** Best of n runs (the least disturbed by other work on the machine). */
export async function bestOf<T>(n: number, fn: () => T | Promise<T>): Promise<{ ms: number; result: T }> {
  let best: { ms: number; result: T } | undefined;
  for (let i = 0; i < n; i++) {
    const r = await time(fn);
    if (best === undefined || r.ms < best.ms) best = r;
  }
  return best!;
}

export function report(suite: string, figures: readonly Figure[]): void {
  process.stdout.write(`\n${suite}\n`);
  for (const f of figures) {
    const goal = f.goal ? `   goal ${f.goal}: ${f.met ? 'met' : 'NOT met'}` : '';
    process.stdout.write(`  ${f.name.padEnd(46)} ${format(f.value).padStart(12)} ${f.unit}${goal}\n`);
  }
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${suite.replace(/\W+/g, '-').toLowerCase()}.json`), JSON.stringify({ suite, at: new Date().toISOString(), node: process.version, figures }, null, 2));
}

const format = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
