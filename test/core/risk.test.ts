import { describe, expect, it } from 'vitest';
import { kaplanMeierQuantiles, quantiles, type CycleSample } from '../../src/core/risk.js';
import type { Task } from '../../src/core/model.js';
import { gh, task } from '../support/tasks.js';
import { engine, identity } from '../support/engine.js';

// Wednesday 25 Nov 2026, 09:00 in Berlin: a full working day (8h) left today.
const NOW = Date.parse('2026-11-25T08:00:00Z');
const H = 3600;
const mine = (key: string, over: Partial<Task> = {}) => task({ key, assignees: [gh('alexk')], owner: 'alex', ...over });

function riskOf(id: string, tasks: Task[], samples: CycleSample[] = []) {
  const e = engine();
  e.load(tasks, samples);
  const ev = e.evaluate(NOW);
  return { risk: e.explain(id)!.risk!, flags: ev.flags.filter((f) => f.taskId === id) };
}

const sample = (i: number, hours: number, over: Partial<CycleSample> = {}): CycleSample => {
  // Started on a Monday 09:00 Berlin (winter time throughout), done `hours` working hours later.
  const start = Date.parse('2026-01-05T08:00:00Z') + i * 7 * 86_400_000;
  const done = start + Math.floor(hours / 8) * 86_400_000 + (hours % 8) * 3_600_000;
  return { taskId: `s${i}`, owner: 'alex', project: null, type: 'issue', startedAt: new Date(start).toISOString(), doneAt: new Date(done).toISOString(), estimateS: null, spentS: null, ...over };
};

describe('deadline risk on synthetic histories with a known answer', () => {
  it('3 days of work and 1 day left is high, with the reason in plain words', () => {
    const { risk, flags } = riskOf('github-acme:a#1', [mine('a#1', { due: '2026-11-25', estimateS: 24 * H })]);
    expect(risk.level).toBe('high');
    expect(risk.pMiss).toBe(1);
    expect(risk.reasons[0]).toBe('needs ~3 working days of work (estimate 24h); 1 working day left until Wed 25 Nov');
    expect(risk.expectedFinish! > '2026-11-25').toBe(true);
    expect(flags.find((f) => f.code === 'deadline_at_risk')?.reason).toMatch(/^high risk of missing Wed 25 Nov \(100%\): needs ~3 working days/);
  });

  it('a task with slack and no blockers is low and not flagged', () => {
    const { risk, flags } = riskOf('github-acme:a#1', [mine('a#1', { due: '2026-12-09', estimateS: 8 * H })]);
    expect(risk.level).toBe('low');
    expect(risk.pMiss).toBe(0);
    expect(risk.expectedFinish).toBe('2026-11-25');
    expect(flags.map((f) => f.code)).not.toContain('deadline_at_risk');
  });

  it('counts time already logged against the estimate', () => {
    const { risk } = riskOf('github-acme:a#1', [mine('a#1', { due: '2026-11-25', estimateS: 24 * H, spentS: 20 * H })]);
    expect(risk.inputs.workSource).toBe('estimate 24h − 20h logged');
    expect(risk.level).toBe('low');
  });

  it('work due earlier in the owner’s queue comes first', () => {
    const tasks = [
      mine('a#1', { due: '2026-11-26', estimateS: 16 * H, priority: 'high' }),
      mine('a#2', { due: '2026-11-26', estimateS: 8 * H, priority: 'low' }),
      mine('a#3', { due: '2026-11-27', estimateS: 8 * H }),
    ];
    const alone = riskOf('github-acme:a#3', [tasks[2]!]).risk;
    expect(alone.level).toBe('low');
    const { risk } = riskOf('github-acme:a#3', tasks);
    expect(risk.inputs.queue).toEqual(['github-acme:a#1', 'github-acme:a#2']);
    // 16 h + 8 h of estimates, each spread as the default estimate accuracy (×0.7 … ×2, skewed late), added
    // up as distributions: the median of the sum is 25.6 h — more than the 24 h of the estimates (the
    // skew adds up), less than the 27 h of their means.
    expect(risk.inputs.queueHours).toBe(25.6);
    expect(risk.level).toBe('high');
    expect(risk.reasons).toContain("2 tasks due earlier come first in Alex's queue (~3.2 working days)");
  });

  it("an account the registry does not know yet has a queue of its own: its earlier work comes first", () => {
    // The owner as the store records it: from the identity registry, which does not know carol-net.
    const owner = identity.ownership([gh('carol-net')]).owner;
    expect(owner).toBe('github:carol-net');
    const carol = (key: string, over: Partial<Task> = {}) => task({ key, assignees: [gh('carol-net')], owner, ...over });
    const tasks = [carol('a#1', { due: '2026-11-26', estimateS: 24 * H }), carol('a#2', { due: '2026-11-27', estimateS: 8 * H })];
    const alone = riskOf('github-acme:a#2', [tasks[1]!]).risk;
    expect(alone.level).toBe('low');
    const { risk, flags } = riskOf('github-acme:a#2', tasks);
    expect(risk.inputs.queue).toEqual(['github-acme:a#1']);
    expect(risk.level).not.toBe('low');
    expect(risk.reasons.join(' ')).toMatch(/github:carol-net's queue/);
    expect(flags.map((f) => f.code)).toContain('deadline_at_risk');
  });

  it('cannot start before its blocker is forecast to finish', () => {
    const tasks = [
      task({ key: 'OPS-14', connector: 'jira-acme', kind: 'jira', owner: 'sam', due: '2026-12-04', estimateS: 32 * H }),
      mine('a#1', { due: '2026-11-30', estimateS: 4 * H, dependsOn: ['jira:OPS-14'] }),
    ];
    const { risk } = riskOf('github-acme:a#1', tasks);
    expect(risk.level).toBe('high');
    expect(risk.inputs.blockers).toEqual([{ id: 'jira-acme:OPS-14', finish: '2026-11-30' }]);
    expect(risk.reasons[0]).toBe('cannot start before OPS-14 (Jira) is forecast to finish (Mon 30 Nov)');
    // The time left counts from when it can start, and the reason says so.
    expect(risk.reasons[1]).toMatch(/^needs ~0\.5 working days of work \(estimate 4h\); after what it waits for is done \(Mon 30 Nov\), [\d.]+ working days? left until Mon 30 Nov$/);
  });

  it('counts work still under way in the cycle times: the long task not finished yet is not left out', () => {
    // Six 8-hour tasks finished, and one running for 40 working hours (since Wed 18 Nov 09:00), no due date.
    const history = [0, 1, 2, 3, 4, 5].map((i) => sample(i, 8));
    const running = mine('a#9', { status: 'in_progress' });
    const tasks = [mine('a#1', { due: '2026-11-25' }), running];
    const e = engine();
    e.load(tasks, history, new Map([[running.id, '2026-11-18T08:00:00Z']]));
    e.evaluate(NOW);
    const risk = e.explain('github-acme:a#1')!.risk!;
    // Kaplan–Meier: 6 of the 7 finished at 8 h; the 7th takes more than 40 h, so 1 in 6 points of the
    // distribution (as many as 6 finished tasks give) lies beyond the 8 hours left today.
    expect(risk.inputs.workSource).toBe("Alex's cycle time over 6 finished tasks and 1 under way");
    expect(risk.pMiss).toBeCloseTo(1 / 6);
    // Finished work alone says it always fits.
    expect(riskOf('github-acme:a#1', tasks, history).risk.pMiss).toBe(0);
  });

  it('work under way comes first in the queue, whatever its due date', () => {
    const tasks = [mine('a#1', { due: '2026-12-04', estimateS: 16 * H, status: 'in_progress' }), mine('a#2', { due: '2026-11-26', estimateS: 8 * H })];
    const { risk } = riskOf('github-acme:a#2', tasks);
    expect(risk.inputs.queue).toEqual(['github-acme:a#1']);
    expect(risk.level).toBe('high');
  });

  it('of two tasks due the same day, the one asked for first is worked first (not the one whose id sorts first)', () => {
    // #10 sorts before #9 as text; #9 was filed a week earlier.
    const older = mine('a#9', { due: '2026-11-27', estimateS: 16 * H, createdAt: '2026-11-16T09:00:00Z' });
    const newer = mine('a#10', { due: '2026-11-27', estimateS: 16 * H, createdAt: '2026-11-23T09:00:00Z' });
    expect(riskOf(older.id, [older, newer]).risk.inputs.queue).toEqual([]);
    expect(riskOf(newer.id, [older, newer]).risk.inputs.queue).toEqual([older.id]);
  });

  it('work that has run longer than most before it has more left, not "almost done"', () => {
    // Alex's ten finished tasks took 3 to 25 hours (median 9); this one has run for 30 working hours
    // (since Thu 19 Nov 11:00), longer than any of them, and 8 hours are left today. Read as a
    // log-normal conditioned on having run 30 h, about half of such tasks need more than 8 more hours.
    const history = [3, 4, 5, 6, 8, 10, 12, 15, 20, 25].map((h, i) => sample(i, h));
    const running = mine('a#1', { due: '2026-11-25', status: 'in_progress' });
    const e = engine();
    e.load([running], history, new Map([[running.id, '2026-11-19T10:00:00Z']]));
    e.evaluate(NOW);
    const risk = e.explain(running.id)!.risk!;
    expect(risk.inputs.workSource).toBe("Alex's cycle time over 10 finished tasks and 1 under way, 30h in progress");
    // Cutting the history at 30 h would leave nothing, or a fifth of each outcome (~2 h): always fits.
    expect(risk.inputs.workHours).toBeGreaterThan(6);
    expect(risk.pMiss).toBeGreaterThan(0.3);
    expect(risk.pMiss).toBeLessThan(0.7);
  });

  it('adds up the queue as distributions: one long task in the history does not lengthen every task ahead', () => {
    // Twelve tasks of 8 h and one of 32 h; four tasks ahead, then this one; 40 working hours until the
    // end of Tue 1 Dec. It fits exactly when none of the five turns out long: 1 − (12/13)^5 ≈ 0.33. A
    // queue of means (4 × 9.8 h) would say it never fits.
    const history = [...Array.from({ length: 12 }, (_, i) => sample(i, 8)), sample(12, 32)];
    const ahead = ['a#1', 'a#2', 'a#3', 'a#4'].map((k) => mine(k, { due: '2026-11-30' }));
    const { risk } = riskOf('github-acme:a#5', [...ahead, mine('a#5', { due: '2026-12-01' })], history);
    expect(risk.inputs.queue).toHaveLength(4);
    expect(risk.pMiss).toBeGreaterThan(0.25);
    expect(risk.pMiss).toBeLessThan(0.42);
  });

  it('the queue ahead is worked through while a blocker is being finished: the task starts when both are done', () => {
    // Sam's blocker (16 h) and Alex's earlier task (16 h) run side by side, then 8 h of this task: 40 h
    // until the end of Tue 1 Dec hold it unless estimates overrun badly (the default spread goes to ×2).
    // Waiting for the blocker first and working the queue after would miss more often than not.
    const tasks = [
      task({ key: 'OPS-14', connector: 'jira-acme', kind: 'jira', owner: 'sam', due: '2026-12-04', estimateS: 16 * H }),
      mine('a#1', { due: '2026-11-26', estimateS: 16 * H }),
      mine('a#2', { due: '2026-12-01', estimateS: 8 * H, dependsOn: ['jira:OPS-14'] }),
    ];
    const { risk } = riskOf('github-acme:a#2', tasks);
    expect(risk.inputs.queue).toEqual(['github-acme:a#1']);
    expect(risk.pMiss).toBeLessThan(0.1);
    expect(risk.level).toBe('low');
  });

  it('says history is too thin rather than guess', () => {
    const { risk, flags } = riskOf('github-acme:a#1', [mine('a#1', { due: '2026-11-25' })], [sample(0, 8), sample(1, 8)]);
    expect(risk.level).toBe('unknown');
    expect(risk.reasons).toEqual(['not enough history to forecast: no estimate, and only 2 finished tasks to learn from']);
    expect(flags.map((f) => f.code)).not.toContain('deadline_at_risk');
  });

  it('learns the owner’s cycle time when there is no estimate', () => {
    const history = [6, 7, 8, 8, 9, 10].map((h, i) => sample(i, h));
    const soon = riskOf('github-acme:a#1', [mine('a#1', { due: '2026-11-25', status: 'in_progress' })], history).risk;
    expect(soon.inputs.workSource).toBe("Alex's cycle time over 6 finished tasks");
    expect(soon.pMiss).toBeCloseTo(2 / 6);
    expect(soon.level).toBe('medium');
    const later = riskOf('github-acme:a#1', [mine('a#1', { due: '2026-11-27' })], history).risk;
    expect(later.level).toBe('low');
  });

  it('falls back to the team’s history for a new owner', () => {
    const history = [6, 7, 8, 8, 9, 10].map((h, i) => sample(i, h, { owner: 'sam' }));
    const { risk } = riskOf('github-acme:a#1', [mine('a#1', { due: '2026-11-27' })], history);
    expect(risk.inputs.workSource).toBe("the team's cycle time over 6 finished tasks");
  });

  it('an owner slower than usual has less capacity, and the reason says so', () => {
    // 8 completions in the 8 weeks before the last two (usual 2 per fortnight), none recently.
    const history = Array.from({ length: 8 }, (_, i) => sample(i, 8, { startedAt: '2026-10-01T07:00:00Z', doneAt: new Date(Date.parse('2026-09-25T12:00:00Z') + i * 5 * 86_400_000).toISOString() }));
    const { risk } = riskOf('github-acme:a#1', [mine('a#1', { due: '2026-11-26', estimateS: 12 * H })], history);
    expect(risk.inputs.capacity).toBe(0.8);
    expect(risk.reasons).toContain('Alex finished 0 tasks in the last 2 weeks against a usual 2');
    expect(risk.level).toBe('medium'); // a brake (× 0.8), not a halving: one quiet fortnight says little
  });

  it('uses the team’s own estimate accuracy once it has enough of it', () => {
    const history = Array.from({ length: 5 }, (_, i) => sample(i, 8, { estimateS: 8 * H, spentS: 16 * H }));
    const { risk } = riskOf('github-acme:a#1', [mine('a#1', { due: '2026-11-26', estimateS: 10 * H })], history);
    expect(risk.inputs.workHours).toBe(20);
    expect(risk.level).toBe('high');
  });
});

describe('deadline_at_risk from a probability threshold (minProbability)', () => {
  it('flags from the given chance of missing, between the levels', async () => {
    const { defaults } = await import('../support/engine.js');
    // 7h of estimated work and one working day left: a chance of missing between medium (20%) and high (50%).
    const tasks = [mine('a#1', { due: '2026-11-25', estimateS: 7 * H })];
    const p = riskOf('github-acme:a#1', tasks).risk.pMiss;
    expect(p).toBeGreaterThan(0.2);
    expect(p).toBeLessThan(0.5);
    const flagged = (rules: object) => {
      const e = engine({ rules: { deadline_at_risk: { ...defaults.rules.deadline_at_risk, ...rules } } });
      e.load(tasks, []);
      return e.evaluate(NOW).flags.some((f) => f.taskId === 'github-acme:a#1' && f.code === 'deadline_at_risk');
    };
    expect(p).toBeCloseTo(0.3); // 3 of the 10 points of the default estimate spread (×1.25, ×1.5, ×2) overrun 8 h
    expect(flagged({})).toBe(false); // the default: from a 35% chance of missing
    expect(flagged({ minProbability: 0.3 })).toBe(true);
    expect(flagged({ minProbability: p - 0.01 })).toBe(true);
    expect(flagged({ minProbability: p + 0.01 })).toBe(false);
    // A level, when set, is used instead of the probability.
    expect(flagged({ minLevel: 'high', minProbability: 0.01 })).toBe(false);
    expect(flagged({ minLevel: 'medium', minProbability: 0.99 })).toBe(true);
  });
});

describe('deadline_at_risk: early warnings and confident ones', () => {
  const severityOf = (tasks: Task[], id: string) => {
    const e = engine();
    e.load(tasks, []);
    return e.evaluate(NOW).flags.find((f) => f.taskId === id && f.code === 'deadline_at_risk')?.severity;
  };

  it('is a warning when missing is more likely than not and the date is within 7 days', () => {
    expect(severityOf([mine('a#1', { due: '2026-11-25', estimateS: 24 * H })], 'github-acme:a#1')).toBe('warning');
  });

  it('is an early warning (info: shown, not sent) under a 50% chance, or due more than 7 days out', () => {
    expect(severityOf([mine('a#1', { due: '2026-11-25', estimateS: 7.5 * H })], 'github-acme:a#1')).toBe('info'); // 40%: ×1.1 and more overrun
    // Certain to miss, but due Fri 4 Dec: 9 days out.
    expect(severityOf([mine('a#1', { due: '2026-12-04', estimateS: 120 * H })], 'github-acme:a#1')).toBe('info');
  });
});

describe('cycle times with work under way (Kaplan–Meier)', () => {
  it('is the plain quantiles of the finished times when nothing is under way', () => {
    const hours = [3, 5, 8, 8, 9, 13, 21, 40];
    expect(kaplanMeierQuantiles(hours, [], 20)).toEqual(quantiles(hours, 20));
  });

  it('moves weight past the work still running, and floors the unknown tail at the longest seen', () => {
    // Finished 2, 4, 6, 8; one still running at 5 h. Kaplan–Meier: S drops by 1/5 at 2 and at 4, then
    // by 1/2 at 6 (two at risk: 6 and 8; the running one left at 5) and to 0 at 8.
    expect(kaplanMeierQuantiles([2, 4, 6, 8], [5], 20)).toEqual([2, 4, 6, 8]);
    // A third of the mass lies past 30 h, where nothing has finished: at least 30.
    expect(kaplanMeierQuantiles([2, 3], [30], 20)).toEqual([2, 30]);
  });
});
