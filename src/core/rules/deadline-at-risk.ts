import type { Rule } from './types.js';

/** Work due further out than this is an early warning whatever its chance of missing. */
const EARLY_BEYOND_MS = 7 * 86_400_000;

/** The deadline forecast says this task will probably miss its date; the reasons say why. */
export const deadlineAtRisk: Rule = {
  code: 'deadline_at_risk',
  check: (t, ctx) => {
    const left = t.due === null ? null : ctx.cal.endOf(t.due) - ctx.now;
    // Past its date it is overdue, and that flag says so: "at risk of missing" a date gone by is noise.
    if (left !== null && left <= 0) return null;
    // Far out, a forecast is a guess: flag what is due within the horizon.
    if (left !== null && left > ctx.settings.deadline_at_risk.horizon) return null;
    const r = ctx.risk.get(t.id);
    if (!r || r.level === 'unknown') return null;
    const { minLevel, minProbability } = ctx.settings.deadline_at_risk;
    if (minLevel !== undefined ? r.level === 'low' || (minLevel === 'high' && r.level !== 'high') : r.pMiss < minProbability) return null;
    // An early warning — less likely than not, or more than a week out — is shown, not pressed on anyone.
    const early = r.level !== 'high' || (left !== null && left > EARLY_BEYOND_MS);
    return {
      ...(early ? { severity: ctx.settings.deadline_at_risk.earlySeverity } : {}),
      reason: `${r.level} risk of missing ${t.due ? ctx.day(t.due) : 'its date'} (${Math.round(r.pMiss * 100)}%): ${r.reasons[0] ?? ''}`.trim(),
      evidence: { pMiss: r.pMiss, level: r.level, expectedFinish: r.expectedFinish, reasons: r.reasons },
    };
  },
};
