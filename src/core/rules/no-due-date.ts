import type { Rule } from './types.js';

export const noDueDate: Rule = {
  code: 'no_due_date',
  check: (t) => (t.due === null ? { reason: 'no due date: nobody knows when it is needed', evidence: {} } : null),
};
