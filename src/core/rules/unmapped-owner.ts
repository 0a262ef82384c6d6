import type { Rule } from './types.js';

/** An assignee taskwire cannot match to a person, so it cannot follow up with them. */
export const unmappedOwner: Rule = {
  code: 'unmapped_owner',
  check: (_t, ctx) => {
    const unmapped = ctx.ownership.unmapped;
    if (unmapped.length === 0) return null;
    const names = unmapped.map((a) => `${a.kind}:${a.name ?? a.id}`);
    return {
      reason: `assignee ${names.join(', ')} is not in the people registry, so taskwire cannot reach them`,
      evidence: { accounts: unmapped.map((a) => ({ kind: a.kind, id: a.id })) },
    };
  },
};
