/** The flag diff: opened, still open (and which of those changed), resolved — within the scope only. */
import { describe, expect, it } from 'vitest';
import { diffFlags } from '../../src/core/flags.js';
import type { Flag } from '../../src/core/model.js';

const flag = (taskId: string, code: Flag['code'], over: Partial<Flag> = {}): Flag => ({ taskId, code, severity: 'warning', reason: `${code} on ${taskId}`, evidence: { n: 1 }, ...over });

describe('diffFlags', () => {
  it('tells opened, still open, changed and resolved apart, and leaves tasks outside the scope alone', () => {
    const before = [flag('a', 'no_owner'), flag('a', 'stale'), flag('b', 'overdue'), flag('c', 'blocked'), flag('d', 'no_due_date')];
    const now = [
      flag('a', 'no_owner'), // the same
      flag('a', 'stale', { reason: 'quiet for 9 working days' }), // reason changed
      flag('b', 'overdue', { evidence: { n: 2 } }), // evidence changed
      flag('c', 'blocked', { severity: 'critical' }), // severity changed
      flag('a', 'no_priority'), // new
    ];
    const d = diffFlags(before, now, new Set(['a', 'b', 'c']));
    expect(d.opened.map((f) => `${f.taskId}:${f.code}`)).toEqual(['a:no_priority']);
    expect(d.stillOpen.map((f) => `${f.taskId}:${f.code}`)).toEqual(['a:no_owner', 'a:stale', 'b:overdue', 'c:blocked']);
    expect(d.changed?.map((f) => `${f.taskId}:${f.code}`)).toEqual(['a:stale', 'b:overdue', 'c:blocked']);
    // d is outside the scope: neither resolved nor kept.
    expect(d.resolved).toEqual([]);
    expect(diffFlags(before, now, 'all').resolved.map((f) => `${f.taskId}:${f.code}`)).toEqual(['d:no_due_date']);
  });

  it('finds nothing changed when an evaluation finds the same flags again', () => {
    const same = [flag('a', 'no_owner', { evidence: { assignees: [], nested: { x: [1, 2] } } })];
    expect(diffFlags(same, same.map((f) => ({ ...f, evidence: JSON.parse(JSON.stringify(f.evidence)) as Flag['evidence'] })), 'all').changed).toEqual([]);
  });
});
