/**
 * The README's backtest table is a run of experiments/backtest-worlds.ts: this runs it again and fails
 * when a figure moved by more than the tolerance (2 points, 0.3 working days, 0.01 Brier) — a change to
 * the model or the worlds has to come with the table it produces.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backtestWorlds, heldOut, table, tasksAsOf } from '../../experiments/backtest-worlds.js';

const README = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');

function rowsOf(md: string): string[][] {
  return md
    .split('\n')
    .filter((l) => /^\| (tuning|held out)/.test(l))
    .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
}

const num = (cell: string) => Number(/-?[\d.]+/.exec(cell)?.[0] ?? NaN);

describe("the README's backtest table", () => {
  it('is what a fresh run of the experiment prints, within tolerance', async () => {
    const block = /<!-- backtest-table[^>]*-->\n([\s\S]*?)<!-- \/backtest-table -->/.exec(README)?.[1];
    expect(block, 'the README has a backtest-table block').toBeDefined();
    const want = rowsOf(block!);
    const got = rowsOf(table(await backtestWorlds()));
    expect(got.map((r) => r.slice(0, 2))).toEqual(want.map((r) => r.slice(0, 2)));
    for (const [i, row] of got.entries()) {
      const w = want[i]!;
      const at = `${row[0]}, registry ${row[1]}`;
      expect(Math.abs(num(row[2]!) - num(w[2]!)), `${at}: precision`).toBeLessThanOrEqual(2);
      expect(Math.abs(num(row[3]!) - num(w[3]!)), `${at}: recall`).toBeLessThanOrEqual(2);
      expect(row[4], `${at}: caught`).toBe(w[4]);
      expect(Math.abs(num(row[6]!) - num(w[6]!)), `${at}: lead`).toBeLessThanOrEqual(0.3);
      expect(Math.abs(num(row[7]!) - num(w[7]!)), `${at}: Brier`).toBeLessThanOrEqual(0.01);
    }
  }, 120_000);

  it("is what the issue's check gives: `tasks --flag deadline_at_risk --as-of D --json` on every third working day of the held-out draw, registry empty and filled — the goal met", async () => {
    for (const registry of ['empty', 'filled'] as const) {
      const asked = await tasksAsOf(registry);
      const backtest = (await heldOut(registry)).flags.deadline_at_risk;
      expect(asked.taskDays, registry).toEqual(backtest.taskDays);
      expect(asked.medianLeadDays).toBe(backtest.medianLeadDays);
      expect(asked.taskDays.precision).toBeGreaterThanOrEqual(0.7);
      expect(asked.taskDays.recall).toBeGreaterThanOrEqual(0.8);
      expect(asked.medianLeadDays).toBeGreaterThanOrEqual(3);
    }
  }, 120_000);
});
