/**
 * The README's reference rows (what a forecaster knowing more than taskwire reaches on the held-out
 * draw) are a run of experiments/ceiling.ts, and its replay of the team is faithful to the world.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ceiling } from '../../experiments/ceiling.js';

const README = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8').replace(/\s+/g, ' ');

describe('the ceiling check', () => {
  it('knowing sizes and speeds never raises a false alarm: its replay of the queues is the world’s own, short of absences and work filed later', () => {
    // Absences and later work only delay: a replay that predicts a miss is right unless it mis-models
    // the queues (seen failing with everyone at speed 1, and with the work already done not subtracted).
    for (const seed of [undefined, 101, 202]) {
      const sizes = ceiling(seed, 1).find((r) => r.forecaster === 'sizes and speeds known')!;
      expect(sizes.atDefaults.precision, `seed ${seed ?? 'held out'}`).toBe(1);
      expect(sizes.atDefaults.recall).toBeGreaterThan(0.85);
    }
  });

  it("is what the README quotes, within 2 points", () => {
    const rows = ceiling();
    const near = (quoted: string | undefined, measured: number) => expect(Math.abs(Number(quoted) - Math.round(measured * 100))).toBeLessThanOrEqual(2);
    const sizes = /Knowing each task's size and each person's speed reaches (\d+) % precision at (\d+) % recall/.exec(README);
    const speeds = /knowing each person's speed but not the sizes, (\d+) % precision at (\d+) % recall, and at best (\d+) % precision at 80 % recall/.exec(README);
    expect(sizes, 'the README quotes the sizes-known row').not.toBeNull();
    expect(speeds, 'the README quotes the speeds-known row').not.toBeNull();
    const [s, v] = [rows[0]!, rows[1]!];
    near(sizes![1], s.atDefaults.precision);
    near(sizes![2], s.atDefaults.recall);
    near(speeds![1], v.atDefaults.precision);
    near(speeds![2], v.atDefaults.recall);
    near(speeds![3], v.bestPrecisionAtRecall80!);
  });
});
