/**
 * The web UI's pure parts: cards from an evaluated engine, the board's filters, swimlanes and paging,
 * the graph's selection (chain, cycle, cap) and layout, and escaping of everything a tool sends.
 */
import { describe, expect, it } from 'vitest';
import { buildBoard, parseFilters } from '../../src/server/ui/board.js';
import { layoutGraph, MAX_NODES, renderGraphSvg, selectGraph } from '../../src/server/ui/graph.js';
import { escapeHtml, html, safeUrl } from '../../src/server/ui/html.js';
import { boardPage } from '../../src/server/ui/pages-board.js';
import { buildSnapshot } from '../../src/server/ui/snapshot.js';
import type { Task } from '../../src/core/model.js';
import { engine, identity } from '../support/engine.js';
import { task } from '../support/tasks.js';

const NOW = Date.parse('2026-11-25T08:00:00Z'); // Wednesday, 09:00 in Berlin
const gh = (id: string) => ({ kind: 'github' as const, id });
const TEAMS = [{ id: 'platform', name: 'Platform', members: ['alex', 'sam'] }];

function snapshotOf(tasks: Task[]) {
  const e = engine();
  e.load(tasks, []);
  e.evaluate(NOW);
  return buildSnapshot({ engine: e, identity, teams: TEAMS, timezone: 'Europe/Berlin', now: NOW, version: 1 });
}

const WORLD = [
  task({ key: 'acme/infra#1', title: 'Overdue alone', status: 'in_progress', due: '2026-11-20', assignees: [gh('alexk')], priority: 'high', milestone: 'Cutover' }),
  task({ key: 'acme/infra#2', title: 'Nobody has it', status: 'todo', assignees: [], due: '2026-12-01', priority: 'low' }),
  task({ key: 'acme/infra#3', title: 'Two people', status: 'todo', assignees: [gh('alexk'), gh('samr')], due: '2026-12-02', priority: 'low' }),
  task({ key: 'acme/infra#4', title: 'A stranger', status: 'in_review', assignees: [gh('carol-net')], due: '2026-12-03', priority: 'low' }),
  task({ key: 'acme/infra#5', title: 'Done, unverified', status: 'done', doneAt: '2026-11-24T10:00:00Z', assignees: [gh('samr')], due: '2026-11-24' }),
  task({ key: 'acme/infra#6', title: 'Done and verified', status: 'done', doneAt: '2026-11-23T10:00:00Z', verifiedAt: '2026-11-24T10:00:00Z', assignees: [gh('samr')] }),
  task({ key: 'acme/infra#7', title: 'Closed long ago', status: 'verified', assignees: [gh('samr')] }),
];

describe('cards', () => {
  it('say who owns the work in words, keep closed and verified work off the board, and mark overdue in the team timezone', () => {
    const s = snapshotOf(WORLD);
    const owner = (key: string) => s.byId.get(`github-acme:${key}`)?.owner;
    expect(owner('acme/infra#1')).toEqual({ kind: 'person', label: 'Alex' });
    expect(owner('acme/infra#2')).toEqual({ kind: 'none', label: 'no owner' });
    expect(owner('acme/infra#3')).toEqual({ kind: 'shared', label: 'shared: Alex, Sam' });
    expect(owner('acme/infra#4')).toEqual({ kind: 'account', label: 'github:carol-net' });
    expect(s.byId.has('github-acme:acme/infra#6')).toBe(false);
    expect(s.byId.has('github-acme:acme/infra#7')).toBe(false);
    expect(s.byId.get('github-acme:acme/infra#1')?.overdue).toBe(true);
    // Done work is not "overdue": it waits on verification.
    expect(s.byId.get('github-acme:acme/infra#5')?.overdue).toBe(false);
    expect(s.byId.get('github-acme:acme/infra#5')?.status).toBe('done');
    // Worst first: the overdue task heads the list.
    expect(s.cards[0]?.title).toBe('Overdue alone');
  });
});

describe('the board', () => {
  it('filters by owner (own and shared work), team, tool, flag, milestone and text, and puts each card in its status column', () => {
    const s = snapshotOf(WORLD);
    const titles = (q: Record<string, string>) => buildBoard(s, parseFilters(q)).lanes.flatMap((l) => l.columns.flatMap((c) => c.cards.map((x) => x.title)));
    expect(titles({ owner: 'alex' }).sort()).toEqual(['Overdue alone', 'Two people']);
    expect(titles({ owner: 'none' })).toEqual(['Nobody has it']);
    expect(titles({ owner: 'github:carol-net' })).toEqual(['A stranger']);
    expect(titles({ team: 'platform' }).sort()).toEqual(['Done, unverified', 'Overdue alone', 'Two people']);
    expect(titles({ flag: 'overdue' })).toEqual(['Overdue alone']);
    expect(titles({ milestone: 'Cutover' })).toEqual(['Overdue alone']);
    expect(titles({ q: 'STRANGER' })).toEqual(['A stranger']);
    expect(titles({ tool: 'jira-acme' })).toEqual([]);
    const board = buildBoard(s, parseFilters({}));
    const column = (id: string) => board.lanes[0]!.columns.find((c) => c.id === id)!.cards.map((c) => c.title);
    expect(column('in_progress')).toEqual(['Overdue alone']);
    expect(column('in_review')).toEqual(['A stranger']);
    expect(column('done')).toEqual(['Done, unverified']);
  });

  it('draws swimlanes by owner, tool or milestone', () => {
    const s = snapshotOf(WORLD);
    const lanes = (group: string) => buildBoard(s, parseFilters({ group })).lanes.map((l) => l.label);
    expect(lanes('owner')).toEqual(expect.arrayContaining(['Alex', 'Sam', 'No owner', 'Shared', 'github:carol-net']));
    expect(lanes('tool')).toEqual(['GitHub (github-acme)']);
    expect(lanes('milestone').sort()).toEqual(['Cutover', 'No milestone']);
  });

  it('pages on the server: a column of 10,000 cards sends the first page and says how many more', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => task({ key: `acme/big#${i}`, title: `Task ${i}`, status: 'todo', assignees: [gh('alexk')], due: '2026-12-10', priority: 'low', acceptanceCriteria: 'ok' }));
    const s = snapshotOf(many);
    const board = buildBoard(s, parseFilters({}));
    const todo = board.lanes[0]!.columns.find((c) => c.id === 'todo')!;
    expect(todo.total).toBe(10_000);
    expect(todo.cards).toHaveLength(50);
    const page = boardPage(board, 'lead', s.today).value;
    expect(page.match(/<article class="card"/g)).toHaveLength(50);
    expect(page).toContain('9950 more…');
    expect(parseFilters({ limit: '99999' }).limit).toBe(1000);
    expect(parseFilters({ limit: 'x', group: 'nonsense', flag: 'not_a_flag' })).toMatchObject({ limit: 50, group: 'status', flag: undefined });
  });

  it('escapes what the tools send: a title with markup, and a link that is not http(s)', () => {
    const s = snapshotOf([task({ key: 'acme/x#1', title: '<img src=x onerror=alert(1)>"quoted"', url: 'javascript:alert(1)', status: 'todo' })]);
    const page = boardPage(buildBoard(s, parseFilters({ q: '<img' })), 'lead', s.today).value;
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;quoted&quot;');
    expect(page).not.toContain('javascript:');
    expect(safeUrl('https://github.com/acme/x/issues/1')).toBe('https://github.com/acme/x/issues/1');
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl('data:text/html,<b>')).toBeNull();
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
    expect(html`<p title="${'"><script>'}">${['<b>', html`<i>ok</i>`]}</p>`.value).toBe('<p title="&quot;&gt;&lt;script&gt;">&lt;b&gt;<i>ok</i></p>');
  });
});

describe('the graph', () => {
  it('highlights the chain from the root cause to the task, and marks a cycle', () => {
    const tasks = [
      task({ key: 'acme/g#1', title: 'Root cause', status: 'in_progress', due: '2026-11-20', assignees: [gh('alexk')] }),
      task({ key: 'acme/g#2', title: 'Middle', status: 'todo', due: '2026-11-30', dependsOn: ['github-acme:acme/g#1'], assignees: [gh('samr')] }),
      task({ key: 'acme/g#3', title: 'Goal', status: 'todo', due: '2026-12-01', dependsOn: ['github-acme:acme/g#2'], assignees: [gh('samr')] }),
      task({ key: 'acme/g#4', title: 'Loop A', status: 'todo', dependsOn: ['github-acme:acme/g#5'] }),
      task({ key: 'acme/g#5', title: 'Loop B', status: 'todo', dependsOn: ['github-acme:acme/g#4'] }),
    ];
    const s = snapshotOf(tasks);
    const flagsOf = (id: string) => s.byId.get(id)?.flags ?? [];
    const m = selectGraph(s.engine, { task: 'github-acme:acme/g#3' }, flagsOf);
    expect(new Set(m.nodes)).toEqual(new Set(['github-acme:acme/g#1', 'github-acme:acme/g#2', 'github-acme:acme/g#3']));
    expect([...m.chain].sort()).toEqual(['github-acme:acme/g#1→github-acme:acme/g#2', 'github-acme:acme/g#2→github-acme:acme/g#3']);
    const svg = renderGraphSvg(m, layoutGraph(m), s.engine, flagsOf, s.today).value;
    expect(svg.match(/class="edge chain"/g)).toHaveLength(2);
    expect(svg).toMatch(/class="node risk-overdue on-chain" data-id="github-acme:acme\/g#1"/);
    // Left to right: the root cause before what it delays.
    const x = (id: string) => layoutGraph(m).nodes.find((n) => n.id === id)!.x;
    expect(x('github-acme:acme/g#1')).toBeLessThan(x('github-acme:acme/g#2'));
    expect(x('github-acme:acme/g#2')).toBeLessThan(x('github-acme:acme/g#3'));
    const loop = selectGraph(s.engine, { task: 'github-acme:acme/g#4' }, flagsOf);
    expect([...loop.cycle].sort()).toEqual(['github-acme:acme/g#4', 'github-acme:acme/g#5']);
    expect(renderGraphSvg(loop, layoutGraph(loop), s.engine, flagsOf, s.today).value).toMatch(/class="node risk-ok cycle" data-id="github-acme:acme\/g#5"/);
  });

  it(`draws at most ${MAX_NODES} tasks and says how many it left out`, () => {
    const tasks = Array.from({ length: MAX_NODES + 50 }, (_, i) => task({ key: `acme/m#${i}`, title: `T${i}`, status: 'todo', milestone: 'Big', dependsOn: i ? [`github-acme:acme/m#${i - 1}`] : [] }));
    const s = snapshotOf(tasks);
    const m = selectGraph(s.engine, { milestone: 'Big' }, () => []);
    expect(m.nodes).toHaveLength(MAX_NODES);
    expect(m.omitted).toBe(50);
  });
});
