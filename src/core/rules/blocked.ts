import { isClosed } from '../model.js';
import type { Rule } from './types.js';

/** Waiting on a dependency that is still open (or marked blocked in its own tool). */
export const blocked: Rule = {
  code: 'blocked',
  check: (t, ctx) => {
    const open = ctx.graph.dependenciesOf(t.id).filter((d) => {
      const dep = ctx.graph.task(d);
      return dep !== undefined && dep.deletedAt === null && !isClosed(dep.status);
    });
    if (open.length > 0) {
      return { reason: `blocked by ${open.map(ctx.label).join(', ')}`, evidence: { blockers: open } };
    }
    if (t.status === 'blocked') {
      const unresolved = ctx.graph.unresolvedOf(t.id);
      return {
        reason: unresolved.length ? `marked blocked; waiting on ${unresolved.join(', ')} (not tracked by taskwire)` : 'marked blocked in its tool, with no dependency recorded',
        evidence: { unresolved },
      };
    }
    return null;
  },
};
