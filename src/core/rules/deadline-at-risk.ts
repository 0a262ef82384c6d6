import type { Rule } from './types.js';

/** The deadline forecast says this task will probably miss its date; the reasons say why. */
export const deadlineAtRisk: Rule = {
  code: 'deadline_at_risk',
  check: (t, ctx) => {
    const r = ctx.risk.get(t.id);
    if (!r || r.level === 'unknown' || r.level === 'low') return null;
    if (ctx.settings.deadline_at_risk.minLevel === 'high' && r.level !== 'high') return null;
    return {
      reason: `${r.level} risk of missing ${t.due ?? 'its date'} (${Math.round(r.pMiss * 100)}%): ${r.reasons[0] ?? ''}`.trim(),
      evidence: { pMiss: r.pMiss, level: r.level, expectedFinish: r.expectedFinish, reasons: r.reasons },
    };
  },
};
