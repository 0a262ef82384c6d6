/**
 * The words of follow-ups: what a flag asks of people ("needs one owner"), and the status comment left
 * on a ticket. Pure. The comment describes state, not news, and carries no timestamp — the same state
 * always renders the same text, so an unchanged ticket is never edited again.
 */
import { worstFirst } from './flags.js';
import type { Flag, FlagCode, Task } from './model.js';
import type { RiskResult } from './risk.js';
import { statusMarker } from './text.js';

/** What each flag asks for, in a few words. */
export function neededFor(f: Flag, ctx: { label: (id: string) => string; verifier: string | null }): string | null {
  const ev = f.evidence as Record<string, unknown>;
  switch (f.code) {
    case 'no_owner':
      return 'needs one owner';
    case 'shared_owner':
      return 'needs one owner, not several';
    case 'team_owner':
      return 'needs one person as owner, not a team';
    case 'unmapped_owner':
      return null;
    case 'no_due_date':
      return 'needs a due date';
    case 'no_priority':
      return 'needs a priority';
    case 'missing_context': {
      const missing = Array.isArray(ev['missing']) ? (ev['missing'] as string[]) : [];
      return missing.length > 0 ? `add ${missing.join(' and ')}` : 'add acceptance criteria';
    }
    case 'overdue':
      return 'overdue: finish it or agree a new date';
    case 'due_soon':
      return null;
    case 'stale':
      return 'no update lately: post where it stands';
    case 'blocked':
      return 'blocked: the blocker needs to move first';
    case 'dependency_at_risk':
      return 'a dependency may make it late';
    case 'dependency_cycle':
      return 'break the dependency cycle';
    case 'deadline_at_risk':
      return 'at risk of missing its date: re-plan or get help';
    case 'done_unverified':
      return ctx.verifier ? `needs verification by ${ctx.verifier}` : 'needs verification';
  }
}

/** Flags a status comment is written for (the rest are in the report, not on the ticket). */
export const COMMENT_FLAGS: ReadonlySet<FlagCode> = new Set<FlagCode>(['no_owner', 'shared_owner', 'team_owner', 'no_due_date', 'no_priority', 'missing_context', 'overdue', 'stale', 'blocked', 'dependency_at_risk', 'dependency_cycle', 'deadline_at_risk', 'done_unverified']);


export interface CommentContext {
  readonly label: (taskId: string) => string;
  readonly urlOf: (taskId: string) => string | null;
  readonly nameOf: (personId: string) => string;
  readonly day: (date: string) => string;
  readonly verifier: string | null;
  readonly risk: RiskResult | undefined;
  /** Resolved dependencies and links of the task (ids), for "related" links across tools. */
  readonly related: readonly string[];
}

/** The one status comment of a ticket: Markdown with the hidden marker on its first line. */
export function statusCommentBody(t: Task, flags: readonly Flag[], ctx: CommentContext): string {
  const shown = flags.filter((f) => COMMENT_FLAGS.has(f.code)).sort(worstFirst);
  const lines = [statusMarker(t.id)];
  const owner = t.owner ? ctx.nameOf(t.owner) : t.assignees.length === 0 ? 'nobody' : t.assignees.map((a) => a.name ?? a.id).join(', ');
  const due = t.due ? ctx.day(t.due) : 'no date';
  if (shown.length === 0) {
    lines.push(`**taskwire status**: all clear — owner ${owner}, due ${due}.`);
  } else {
    lines.push(`**taskwire status** — owner: ${owner} · due: ${due}${t.priority ? ` · priority: ${t.priority}` : ''}`, '');
    for (const f of shown) lines.push(`- ${f.severity === 'critical' ? '🔴' : f.severity === 'warning' ? '🟠' : '🔵'} ${f.reason}`);
    if (ctx.risk && ctx.risk.level !== 'low' && ctx.risk.level !== 'unknown' && ctx.risk.expectedFinish) {
      lines.push(`- forecast finish ${ctx.day(ctx.risk.expectedFinish)} (${Math.round(ctx.risk.pMiss * 100)}% chance of missing the date)`);
    }
    const needed = [...new Set(shown.map((f) => neededFor(f, ctx)).filter((n): n is string => n !== null))];
    if (needed.length > 0) lines.push('', `**Needed**: ${needed.join('; ')}.`);
  }
  const related = ctx.related.filter((id) => id !== t.id);
  if (related.length > 0) {
    lines.push('', `Related: ${related.map((id) => (ctx.urlOf(id) ? `[${ctx.label(id)}](${ctx.urlOf(id)})` : ctx.label(id))).join(', ')}`);
  }
  return lines.join('\n');
}
