import type { Rule } from './types.js';

const blank = (s: string | null) => s === null || s.trim() === '';

/** No acceptance criteria and/or no description: nobody can tell when it is done. */
export const missingContext: Rule = {
  code: 'missing_context',
  check: (t, ctx) => {
    const missing: string[] = [];
    const need = ctx.settings.missing_context.require;
    if (need.includes('acceptance_criteria') && blank(t.acceptanceCriteria)) missing.push('acceptance criteria');
    if (need.includes('description') && blank(t.description)) missing.push('a description');
    if (missing.length === 0) return null;
    return { reason: `add ${missing.join(' and ')}`, evidence: { missing } };
  },
};
