import { describe, expect, it } from 'vitest';
import { TaskGraph } from '../../src/core/graph.js';
import { task } from '../support/tasks.js';
import { engine } from '../support/engine.js';

const NOW = Date.parse('2026-11-25T09:00:00Z');
const jira = (key: string, over = {}) => task({ key, connector: 'jira-acme', kind: 'jira', url: `https://acme.atlassian.net/browse/${key}`, ...over });
const gh = (key: string, over = {}) => task({ key, url: `https://github.com/${key.replace('#', '/issues/')}`, ...over });

describe('cross-tool resolution', () => {
  it('resolves ids, kind-qualified keys and URLs across tools', () => {
    const g = new TaskGraph([
      gh('acme/api#12', { dependsOn: ['jira:OPS-14', 'https://www.notion.so/Client-approval-abc123/'] }),
      jira('OPS-14', { dependsOn: ['https://github.com/acme/api/issues/13'] }),
      gh('acme/api#13'),
      task({ key: 'abc123', connector: 'notion-acme', kind: 'notion', url: 'https://www.notion.so/Client-approval-abc123' }),
    ]);
    expect(g.dependenciesOf('github-acme:acme/api#12')).toEqual(['jira-acme:OPS-14', 'notion-acme:abc123']);
    expect(g.dependenciesOf('jira-acme:OPS-14')).toEqual(['github-acme:acme/api#13']);
    expect(g.dependentsOf('jira-acme:OPS-14')).toEqual(['github-acme:acme/api#12']);
  });

  it('keeps unresolved references and resolves them when their task arrives', () => {
    const g = new TaskGraph([gh('acme/api#12', { dependsOn: ['jira:OPS-99'], parent: 'jira:OPS-1' })]);
    expect(g.unresolved()).toEqual([
      { from: 'github-acme:acme/api#12', ref: 'jira:OPS-99' },
      { from: 'github-acme:acme/api#12', ref: 'jira:OPS-1' },
    ]);
    const affected = g.upsert(jira('OPS-99'));
    expect([...affected].sort()).toEqual(['github-acme:acme/api#12', 'jira-acme:OPS-99']);
    expect(g.dependenciesOf('github-acme:acme/api#12')).toEqual(['jira-acme:OPS-99']);
    g.upsert(jira('OPS-1'));
    expect(g.parent('github-acme:acme/api#12')).toBe('jira-acme:OPS-1');
    expect(g.children('jira-acme:OPS-1')).toEqual(['github-acme:acme/api#12']);
    expect(g.unresolved()).toEqual([]);
    // Removing a task turns references to it back into unresolved ones.
    g.remove('jira-acme:OPS-99');
    expect(g.unresolved()).toEqual([{ from: 'github-acme:acme/api#12', ref: 'jira:OPS-99' }]);
  });
});

describe('cycles', () => {
  it('finds a cycle across tools and reports it as a closed path', () => {
    const g = new TaskGraph([gh('a#1', { dependsOn: ['jira:OPS-1'] }), jira('OPS-1', { dependsOn: ['jira:OPS-2'] }), jira('OPS-2', { dependsOn: ['github-acme:a#1'] }), gh('a#9', { dependsOn: ['github-acme:a#1'] })]);
    expect(g.cycle('github-acme:a#1')).toEqual(['github-acme:a#1', 'jira-acme:OPS-1', 'jira-acme:OPS-2', 'github-acme:a#1']);
    expect(g.cycle('jira-acme:OPS-2')).toBeDefined();
    expect(g.cycle('github-acme:a#9')).toBeUndefined();
  });

  it('notices a cycle closed and broken by incremental updates', () => {
    const g = new TaskGraph([gh('a#1', { dependsOn: ['github-acme:a#2'] }), gh('a#2')]);
    expect(g.cycle('github-acme:a#1')).toBeUndefined();
    const closed = g.upsert(gh('a#2', { dependsOn: ['github-acme:a#1'] }));
    expect(closed.has('github-acme:a#1')).toBe(true);
    expect(g.cycle('github-acme:a#1')).toEqual(['github-acme:a#1', 'github-acme:a#2', 'github-acme:a#1']);
    g.upsert(gh('a#2'));
    expect(g.cycle('github-acme:a#1')).toBeUndefined();
    expect(g.cycle('github-acme:a#2')).toBeUndefined();
  });

  it('flags every member with the cycle named', () => {
    const e = engine();
    e.load([gh('a#1', { dependsOn: ['jira:OPS-1'] }), jira('OPS-1', { dependsOn: ['github-acme:a#1'] })], []);
    const cyc = e.evaluate(NOW).flags.filter((f) => f.code === 'dependency_cycle');
    expect(cyc.map((f) => f.taskId).sort()).toEqual(['github-acme:a#1', 'jira-acme:OPS-1']);
    expect(cyc[0]?.reason).toMatch(/^dependency cycle: (a#1 \(GitHub\) → OPS-1 \(Jira\) → a#1 \(GitHub\)|OPS-1 \(Jira\) → a#1 \(GitHub\) → OPS-1 \(Jira\))$/);
  });
});

describe('blocked and dependency risk propagation', () => {
  it('is blocked by an open dependency in another tool, not by a closed one', () => {
    const e = engine();
    e.load([gh('a#12', { dependsOn: ['jira:OPS-14', 'jira:OPS-15'] }), jira('OPS-14'), jira('OPS-15', { status: 'done' })], []);
    const f = e.evaluate(NOW).flags.find((x) => x.taskId === 'github-acme:a#12' && x.code === 'blocked');
    expect(f?.reason).toBe('blocked by OPS-14 (Jira)');
  });

  it('names the chain from an overdue root cause down to the task', () => {
    const e = engine();
    e.load([
      jira('DEP-1', { due: '2026-12-03', dependsOn: ['jira:DEP-2'] }),
      jira('DEP-2', { due: '2026-12-01', dependsOn: ['notion:ROW-3'] }),
      task({ key: 'ROW-3', connector: 'notion-acme', kind: 'notion', due: '2026-11-20', owner: 'sam' }),
      jira('X-1', { due: '2026-11-01', owner: 'sam' }),
    ], []);
    const f = e.evaluate(NOW).flags.find((x) => x.taskId === 'jira-acme:DEP-1' && x.code === 'dependency_at_risk');
    expect(f?.reason).toBe('blocked by “Task ROW-3” (Notion), overdue since Fri 20 Nov, its owner has 2 overdue tasks → DEP-2 (Jira) due Tue 1 Dec → DEP-1 (Jira) due Thu 3 Dec');
    expect(f?.evidence).toEqual({ chain: ['notion-acme:ROW-3', 'jira-acme:DEP-2'], cause: 'overdue' });
  });

  it('flags a task whose dependency is due after it', () => {
    const e = engine();
    e.load([gh('a#12', { due: '2026-11-26', dependsOn: ['jira:OPS-14'] }), jira('OPS-14', { due: '2026-11-27', owner: 'alex' })], []);
    const f = e.evaluate(NOW).flags.find((x) => x.taskId === 'github-acme:a#12' && x.code === 'dependency_at_risk');
    expect(f?.reason).toBe('blocked by OPS-14 (Jira), due Fri 27 Nov, after this task\'s date → a#12 (GitHub) due Thu 26 Nov');
  });
});
