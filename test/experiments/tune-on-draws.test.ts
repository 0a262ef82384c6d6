/**
 * The deadline defaults are what experiments/tune-on-draws.ts's declared rule picks on the tuning draws,
 * and the README's figures for that pick are what a fresh run prints: a change to the model, the grid or
 * the rule has to come with the defaults and the words it produces. The experiment scores every setting
 * on one backtest per draw; that scoring is checked here against `taskwire backtest` itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { heldOut, heldOutForecasts, scoreSetting, setRules } from '../../experiments/backtest-worlds.js';
import { tuneOnDraws } from '../../experiments/tune-on-draws.js';

const README = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8').replace(/\s+/g, ' ');
const DAY = 86_400_000;

describe('the deadline defaults', () => {
  it("are the setting experiment:draws' rule picks, with the README's figures for it", async () => {
    const r = await tuneOnDraws();
    const defaults = configSchema.parse({}).rules.deadline_at_risk;
    expect(defaults.minLevel).toBeUndefined();
    expect(defaults.minProbability).toBe(r.pick.minProbability);
    expect(defaults.horizon).toBe(r.pick.horizonDays * DAY);

    const near = (quoted: string | undefined, measured: number) => expect(Math.abs(Number(quoted) - Math.round(measured * 100))).toBeLessThanOrEqual(2);
    const tuning = /It picks \d+ days at [\d.]+ \((\d+) % precision, (\d+) % recall on the tuning draws summed\)/.exec(README);
    expect(tuning, 'the README quotes the tuning figures').not.toBeNull();
    const row = r.rows.find((x) => x.setting === r.pick)!;
    near(tuning![1], row.tuning.precision);
    near(tuning![2], row.tuning.recall);

    const heldOut = /on the held-out draw\*\* \((\d+) % precision, (\d+) % recall/.exec(README);
    expect(heldOut, 'the README quotes the held-out figures').not.toBeNull();
    near(heldOut![1], r.heldOut!.precision);
    near(heldOut![2], r.heldOut!.recall);

    const fresh = /summed (\d+) % precision, (\d+) % recall, [\d.]+ days ahead; draw by draw precision runs from (\d+) % to (\d+) % and recall from (\d+) % to (\d+) %, and (\d+) of the 24 meet the goal/.exec(README);
    expect(fresh, 'the README quotes the fresh-draw figures').not.toBeNull();
    const each = r.fresh!.each;
    near(fresh![1], r.fresh!.sum.precision);
    near(fresh![2], r.fresh!.sum.recall);
    near(fresh![3], Math.min(...each.map((e) => e.precision)));
    near(fresh![4], Math.max(...each.map((e) => e.precision)));
    near(fresh![5], Math.min(...each.map((e) => e.recall)));
    near(fresh![6], Math.max(...each.map((e) => e.recall)));
    expect(Math.abs(Number(fresh![7]) - r.fresh!.meeting)).toBeLessThanOrEqual(1);
  }, 240_000);

  it('are scored as `taskwire backtest` scores them: one run per draw gives every setting the figures its own run gives', async () => {
    const forecasts = await heldOutForecasts(101);
    for (const [minProbability, horizonDays] of [
      [0.35, 14],
      [0.2, 7],
    ] as const) {
      setRules({ deadline_at_risk: { horizon: `${horizonDays}d`, minProbability } });
      const cli = (await heldOut('filled', 101)).flags.deadline_at_risk;
      setRules(null);
      const derived = scoreSetting(forecasts, minProbability, horizonDays);
      expect(derived.taskDays).toEqual(cli.taskDays);
      expect(derived.leadDays).toEqual(cli.leadDays);
      expect(derived.tp).toBe(cli.tp);
    }
  }, 120_000);
});
