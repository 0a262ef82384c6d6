/**
 * The daemon's forecasts kept for calibration: recorded once a day, learned from by later evaluations
 * (never by an evaluation of the same day or before), and pruned after KEEP_DAYS.
 */
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { loadAndEvaluate } from '../../src/pipeline/evaluate.js';
import { KEEP_DAYS, recordForecasts, recordedForecasts } from '../../src/pipeline/forecasts.js';
import { storeAsOf } from '../../src/store/as-of.js';
import type { StoreItem } from '../../src/store/store.js';
import { gh, taskFields } from '../support/tasks.js';
import { engine } from '../support/engine.js';

const GH = { name: 'github-acme', kind: 'github' } as const;
const H = 3600;
const D1 = Date.parse('2026-11-24T08:00:00Z');
const D2 = Date.parse('2026-11-25T08:00:00Z');
const item = (over: Parameters<typeof taskFields>[0], who: string): StoreItem => ({ type: 'task', task: taskFields({ assignees: [gh(who)], acceptanceCriteria: 'ok', ...over }), owner: `github:${who}` });

async function world() {
  const store = new SqliteStore(openDatabase(':memory:'), { clock: () => new Date(D1) });
  // Thirty people each with a day's work due Tuesday (a fair chance of making it, said Tuesday
  // morning); none was done in time. And one more, due Wednesday.
  const at = { estimateS: 7 * H, createdAt: '2026-11-20T09:00:00Z', updatedAt: '2026-11-20T09:00:00Z' };
  const due = Array.from({ length: 30 }, (_, i) => item({ key: `a#${i}`, due: '2026-11-24', ...at }, `dev${i}`));
  await store.applyBatch(GH, [...due, item({ key: 'b#1', due: '2026-11-25', ...at }, 'samr')], null);
  return store;
}

describe('forecasts recorded for calibration', () => {
  it('are recorded once a day, and learned from the next day: a team that misses gets higher probabilities', async () => {
    const store = await world();
    const e1 = engine();
    await loadAndEvaluate(store, e1, D1);
    const tuesday = e1.riskResults().get('github-acme:a#0')!;
    expect(tuesday.rawPMiss).toBeGreaterThan(0.1);
    expect(tuesday.rawPMiss).toBeLessThan(0.6);
    expect(await recordForecasts(store, e1, D1)).toBe(true);
    expect(await recordForecasts(store, e1, D1 + 3600_000)).toBe(false); // once a day
    const recorded = await recordedForecasts(store);
    expect(recorded.length).toBe(31);
    expect(recorded.every((f) => f.day === '2026-11-24')).toBe(true);
    // The same morning learns nothing from its own forecasts.
    const same = engine();
    await loadAndEvaluate(store, same, D1 + 3600_000);
    expect(same.riskResults().get('github-acme:b#1')!.pMiss).toBe(same.riskResults().get('github-acme:b#1')!.rawPMiss);
    // Wednesday: Tuesday's thirty dates were missed (still open after their day): the forecast goes up.
    const e2 = engine();
    await loadAndEvaluate(store, e2, D2);
    const after = e2.riskResults().get('github-acme:b#1')!;
    expect(after.rawPMiss).toBe(tuesday.rawPMiss); // the same situation, a day later
    expect(after.pMiss).toBeGreaterThan(after.rawPMiss + 0.2);
    const { riskLead } = await import('../../src/core/explain-text.js');
    expect(riskLead(after, 0)).toContain(`; the model said ${Math.round(after.rawPMiss * 100)}%, the team's past forecasts moved it`);
    // As of Tuesday, Wednesday's view of the past is not there yet: no calibration.
    const past = await storeAsOf(store, D1 + 3600_000);
    const e3 = engine();
    await loadAndEvaluate(past, e3, D1 + 3600_000);
    expect(e3.riskResults().get('github-acme:b#1')!.pMiss).toBe(e3.riskResults().get('github-acme:b#1')!.rawPMiss);
  });

  it(`keeps ${KEEP_DAYS} days`, async () => {
    const store = await world();
    await store.setMeta('forecasts:2026-01-01', '[]');
    await store.setMeta('forecasts:2026-11-01', '[]');
    await recordForecasts(store, engine(), D1);
    expect((await store.listMeta('forecasts:')).map(([k]) => k)).toEqual(['forecasts:2026-11-01', 'forecasts:2026-11-24']);
  });

  it('with --as-of and nothing recorded by then, calibrate on the mornings before replayed from history; what was recorded comes first', async () => {
    const store = await world();
    const replayed = (p: number) => Array.from({ length: 30 }, (_, i) => ({ taskId: `github-acme:a#${i}`, due: '2026-11-24', day: '2026-11-24', p }));
    let calls = 0;
    const replay = () => {
      calls++;
      return replayed(0.3);
    };
    // Wednesday, as of then, on a store no daemon recorded forecasts in: Tuesday's thirty misses, replayed.
    const e = engine();
    await loadAndEvaluate(await storeAsOf(store, D2, undefined, replay), e, D2);
    const b = e.riskResults().get('github-acme:b#1')!;
    expect(calls).toBe(1);
    expect(b.pMiss).toBeGreaterThan(b.rawPMiss + 0.2);
    // Recorded forecasts that resolved by then are the record: no replay.
    const tuesday = engine();
    await loadAndEvaluate(store, tuesday, D1);
    await recordForecasts(store, tuesday, D1);
    calls = 0;
    await loadAndEvaluate(await storeAsOf(store, D2, undefined, replay), engine(), D2);
    expect(calls).toBe(0);
  });
});
