import type { Rule } from './types.js';

/** Assigned to a team alias or group account ("DevOps"): not a team, one person. */
export const teamOwner: Rule = {
  code: 'team_owner',
  check: (_t, ctx) => {
    const teams = ctx.ownership.teams;
    if (teams.length === 0) return null;
    return {
      reason: `assigned to ${teams.map(ctx.nameOf).join(', ')}, not to one person: it needs one owner`,
      evidence: { teams },
    };
  },
};
