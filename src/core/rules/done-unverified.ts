import type { Rule } from './types.js';

const DAY = 86_400_000;

/** Done for longer than the configured time and nobody verified it: "done" is not closed until verified. */
export const doneUnverified: Rule = {
  code: 'done_unverified',
  appliesToClosed: true,
  check: (t, ctx) => {
    if (t.status !== 'done' || t.verifiedAt !== null) return null;
    const since = Date.parse(t.doneAt ?? t.updatedAt);
    const waited = ctx.now - since;
    if (waited < ctx.settings.done_unverified.after || waited > ctx.settings.done_unverified.within) return null;
    const days = Math.floor(waited / DAY);
    const asker = t.reporter && !t.reporter.isBot && !t.reporter.id.endsWith('[bot]') ? t.reporter : null;
    const by = asker ? ` — ${asker.name ?? asker.id} asked for it` : '';
    return {
      reason: `done ${days === 0 ? 'today' : `${days} day${days === 1 ? '' : 's'} ago`} and nobody has verified it${by}`,
      evidence: { doneAt: t.doneAt, acceptanceCriteria: t.acceptanceCriteria },
    };
  },
};
