import type { Rule } from './types.js';

const DAY = 86_400_000;

/**
 * In progress (or in review) with no human activity for the configured time, counted in workdays: a
 * weekend or a holiday does not make work stale. Bot and taskwire activity never count as activity.
 */
export const stale: Rule = {
  code: 'stale',
  check: (t, ctx) => {
    if (t.status !== 'in_progress' && t.status !== 'in_review') return null;
    const last = Date.parse(t.lastHumanActivityAt ?? t.createdAt);
    const quiet = ctx.cal.workdayMsBetween(last, ctx.now);
    if (quiet < ctx.settings.stale.after) return null;
    const days = Math.floor(quiet / DAY);
    return {
      reason: `${t.status === 'in_review' ? 'in review' : 'in progress'} with no human activity for ${days} workday${days === 1 ? '' : 's'}`,
      evidence: { lastHumanActivityAt: t.lastHumanActivityAt, quietWorkdays: days },
    };
  },
};
