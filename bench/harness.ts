/**
 * A tiny benchmark harness: time a function, print figures next to a floor measured in the same run,
 * and keep the results as JSON under bench/results/. Wall-clock figures on shared machines are noisy;
 * the ratio against the floor measured seconds earlier is the number to watch.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
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

/** Every suite's figures in this run, for the summary table and latest.json. */
export const collected: { suite: string; figures: readonly Figure[] }[] = [];

export function report(suite: string, figures: readonly Figure[]): void {
  collected.push({ suite, figures });
  process.stdout.write(`\n${suite}\n`);
  for (const f of figures) {
    const goal = f.goal ? `   goal ${f.goal}: ${f.met ? 'met' : 'NOT met'}` : '';
    process.stdout.write(`  ${f.name.padEnd(46)} ${format(f.value).padStart(12)} ${f.unit}${goal}\n`);
  }
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${suite.replace(/\W+/g, '-').toLowerCase()}.json`), JSON.stringify({ suite, at: new Date().toISOString(), node: process.version, figures }, null, 2));
}

const format = (n: number) => (Number.isInteger(n) || Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));

/** The machine the figures come from (they mean little without it). */
export function machine(): { cpu: string; cores: number; memoryGiB: number; node: string; os: string } {
  const cpus = os.cpus();
  return { cpu: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, os: `${os.type()} ${os.release()}` };
}

/** One table of every suite's figures, as Markdown (the README shows it), and latest.json beside it. */
export function summarize(): string {
  const m = machine();
  const lines = [`Measured ${new Date().toISOString().slice(0, 10)} on ${m.cpu} (${m.cores} cores), ${m.memoryGiB} GiB, Node ${m.node.slice(1)}, ${m.os}.`, '', '| suite | figure | value | goal |', '| --- | --- | ---: | --- |'];
  for (const { suite, figures } of collected) {
    const short = suite.split(':')[0]!;
    for (const f of figures) lines.push(`| ${short} | ${f.name} | ${format(f.value)} ${f.unit} | ${f.goal ? `${f.goal}: ${f.met ? 'met' : '**not met**'}` : ''} |`);
  }
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), JSON.stringify({ at: new Date().toISOString(), machine: m, suites: collected }, null, 2));
  writeFileSync(join(dir, 'latest.md'), `${lines.join('\n')}\n`);
  return `${lines.join('\n')}\n`;
}
