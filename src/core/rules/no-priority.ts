import type { Rule } from './types.js';

export const noPriority: Rule = {
  code: 'no_priority',
  check: (t) =>
    t.priority === null
      ? { reason: t.rawPriority ? `priority "${t.rawPriority}" maps to no level` : 'no priority set', evidence: { rawPriority: t.rawPriority } }
      : null,
};
