import type { Rule } from './types.js';

/** Part of a dependency cycle: none of its members can ever start. */
export const dependencyCycle: Rule = {
  code: 'dependency_cycle',
  check: (t, ctx) => {
    const cycle = ctx.graph.cycle(t.id);
    if (!cycle) return null;
    return { reason: `dependency cycle: ${cycle.map(ctx.label).join(' → ')}`, evidence: { cycle } };
  },
};
