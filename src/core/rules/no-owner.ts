import type { Rule } from './types.js';

/** Nobody is assigned (bots don't count). */
export const noOwner: Rule = {
  code: 'no_owner',
  check: (t, ctx) =>
    t.assignees.length === ctx.ownership.bots.length
      ? { reason: 'nobody owns this task: it needs one owner', evidence: { assignees: t.assignees.map((a) => a.id) } }
      : null,
};
