import type { Rule } from './types.js';

/** More than one person is assigned: shared ownership is no ownership. */
export const sharedOwner: Rule = {
  code: 'shared_owner',
  check: (_t, ctx) => {
    const people = ctx.ownership.people;
    if (people.length < 2) return null;
    return {
      reason: `${people.length} people share it (${people.map(ctx.nameOf).join(', ')}): it needs one owner`,
      evidence: { people },
    };
  },
};
