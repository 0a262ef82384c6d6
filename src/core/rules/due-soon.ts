import { humanDate } from '../calendar.js';
import type { Rule } from './types.js';

/** Due within the configured time (and not yet overdue). */
export const dueSoon: Rule = {
  code: 'due_soon',
  check: (t, ctx) => {
    if (t.due === null) return null;
    const end = ctx.cal.endOf(t.due);
    if (ctx.now >= end || end - ctx.now > ctx.settings.due_soon.within) return null;
    const today = ctx.cal.localDate(ctx.now);
    const when = t.due === today ? 'today' : `${humanDate(t.due)}`;
    return { reason: `due ${when}`, evidence: { due: t.due } };
  },
};
