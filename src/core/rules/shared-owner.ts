import type { Rule } from './types.js';

/**
 * More than one owner is assigned: shared ownership is no ownership. Owners are counted as distinct
 * accounts, resolved or not — right after install most assignees are not in the registry yet, and two
 * of them are still two owners.
 */
export const sharedOwner: Rule = {
  code: 'shared_owner',
  check: (_t, ctx) => {
    const { people, unmapped } = ctx.ownership;
    const names = [...people.map(ctx.nameOf), ...unmapped.map((a) => `${a.kind}:${a.name ?? a.id}`)];
    if (names.length < 2) return null;
    return {
      reason: `${names.length} people share it (${names.join(', ')}): it needs one owner`,
      evidence: { people, accounts: unmapped.map((a) => ({ kind: a.kind, id: a.id })) },
    };
  },
};
