import type { Rule } from './types.js';

/**
 * A dependency (or subtask) is overdue, at risk, or due after this task — directly or further up the
 * chain. The reason names the chain from the root cause to this task.
 */
export const dependencyAtRisk: Rule = {
  code: 'dependency_at_risk',
  check: (t, ctx) => {
    const trouble = ctx.upstream(t.id);
    if (!trouble) return null;
    return {
      reason: `${trouble.steps.join(' → ')} → ${ctx.label(t.id)}${t.due ? ` due ${ctx.day(t.due)}` : ''}`,
      evidence: { chain: trouble.chain, cause: trouble.cause },
    };
  },
};
