/**
 * The flag lifecycle as a pure diff: given the flags open before and the flags an evaluation found for
 * the tasks in its scope, which opened, which are still open, which resolved. The follow-up engine
 * plans from this diff.
 */
import type { Flag, Severity, StoredFlag } from './model.js';

export interface FlagDiff<Prev extends Flag = StoredFlag> {
  readonly opened: readonly Flag[];
  /** Still open, with the new severity/reason/evidence. */
  readonly stillOpen: readonly Flag[];
  readonly resolved: readonly Prev[];
  /** The still-open flags whose severity, reason or evidence changed: the only ones a store rewrites. */
  readonly changed?: readonly Flag[];
}

/** Critical first: the order people read flags in. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 0, warning: 1, info: 2 };

/** Worst flag first, then by code. */
export const worstFirst = (a: Pick<Flag, 'severity' | 'code'>, b: Pick<Flag, 'severity' | 'code'>): number => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.code.localeCompare(b.code);

export const flagKey = (f: Pick<Flag, 'taskId' | 'code'>): string => `${f.taskId}\u0000${f.code}`;

export function diffFlags<Prev extends Flag>(previous: readonly Prev[], current: readonly Flag[], scope: 'all' | ReadonlySet<string>): FlagDiff<Prev> {
  const inScope = (taskId: string) => scope === 'all' || scope.has(taskId);
  const before = new Map(previous.filter((f) => inScope(f.taskId)).map((f) => [flagKey(f), f]));
  const opened: Flag[] = [];
  const stillOpen: Flag[] = [];
  const changed: Flag[] = [];
  const seen = new Set<string>();
  for (const f of current) {
    if (!inScope(f.taskId)) continue;
    const k = flagKey(f);
    if (seen.has(k)) continue;
    seen.add(k);
    const prev = before.get(k);
    if (prev === undefined) opened.push(f);
    else {
      stillOpen.push(f);
      if (prev.severity !== f.severity || prev.reason !== f.reason || JSON.stringify(prev.evidence) !== JSON.stringify(f.evidence)) changed.push(f);
    }
  }
  const resolved = [...before.entries()].filter(([k]) => !seen.has(k)).map(([, f]) => f);
  return { opened, stillOpen, resolved, changed };
}
