import { describe, expect, it } from 'vitest';
import type { CycleSample } from '../../src/core/risk.js';
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
    // 16 h + 8 h of estimates, each as the default estimate spread turns out on average (×1.125): the
    // queue adds up means, not medians (a queue of medians is short by the skew every time).
    expect(risk.inputs.queueHours).toBe(27);
    expect(risk.level).toBe('high');
    expect(risk.reasons).toContain("2 tasks due earlier come first in Alex's queue (~3.4 working days)");
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
    expect(flagged({})).toBe(false); // high: ≥ 50%
    expect(flagged({ minProbability: p - 0.01 })).toBe(true);
    expect(flagged({ minProbability: p + 0.01 })).toBe(false);
  });
});
