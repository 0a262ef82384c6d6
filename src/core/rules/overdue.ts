import { daysBetween, humanDate } from '../calendar.js';
import type { Rule } from './types.js';

/** Past the end of its due day in the team's timezone. */
export const overdue: Rule = {
  code: 'overdue',
  check: (t, ctx) => {
    if (t.due === null || ctx.now < ctx.cal.endOf(t.due)) return null;
    const days = daysBetween(t.due, ctx.cal.localDate(ctx.now));
    return {
      reason: `was due ${humanDate(t.due)}: ${days} day${days === 1 ? '' : 's'} overdue`,
      evidence: { due: t.due, daysOverdue: days },
    };
  },
};
