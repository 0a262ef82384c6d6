/**
 * The cross-tool dependency graph as SVG, laid out on the server (dagre, a layered layout): for one
 * task (everything upstream of it and what it delays), a milestone, or everything at risk. Nodes are
 * coloured by status, outlined by risk (overdue red, at risk amber); the chain from a root cause down to
 * what it delays is drawn bold; tasks in a cycle are dashed. Each node links to its task. Pure.
 */
import * as dagre from '@dagrejs/dagre';
import type { Engine } from '../../core/engine.js';
import { shorten, TOOL_NAME } from '../../core/labels.js';
import { isClosed, type Flag, type Task } from '../../core/model.js';
import { html, raw, type Safe } from './html.js';

export type GraphScope = { readonly task: string } | { readonly milestone: string } | { readonly atRisk: true };

export interface GraphModel {
  readonly nodes: readonly string[];
  /** `from` must finish before `to` (a dependency), or `from` is a subtask of `to`. */
  readonly edges: readonly { readonly from: string; readonly to: string; readonly kind: 'depends' | 'subtask' }[];
  /** Edges on a root cause's chain, as `from→to`. */
  readonly chain: ReadonlySet<string>;
  readonly cycle: ReadonlySet<string>;
  /** The task the graph is about (scope task), if any. */
  readonly focus: string | null;
  /** Nodes left out beyond the cap. */
  readonly omitted: number;
}

export const MAX_NODES = 600;
const UP_DEPTH = 8;
const DOWN_DEPTH = 4;
const RISKY = new Set(['overdue', 'deadline_at_risk', 'dependency_at_risk', 'blocked', 'dependency_cycle']);

/** Which tasks and edges the scope shows. */
export function selectGraph(engine: Engine, scope: GraphScope, flagsOf: (id: string) => readonly Flag[]): GraphModel {
  const seeds: string[] = [];
  if ('task' in scope) seeds.push(scope.task);
  else for (const t of engine.tasks()) if ('milestone' in scope ? t.milestone === scope.milestone : flagsOf(t.id).some((f) => RISKY.has(f.code))) seeds.push(t.id);
  const nodes = new Set<string>();
  const add = (id: string) => nodes.size < MAX_NODES && nodes.add(id);
  for (const s of seeds.sort()) add(s);
  // Upstream: what each seed waits on, transitively; downstream (for one task): what it delays.
  walk(seeds, 'task' in scope ? UP_DEPTH : 2, (id) => upstreamOf(engine, id), add);
  if ('task' in scope) walk(seeds, DOWN_DEPTH, (id) => downstreamOf(engine, id), add);
  const edges: GraphModel['edges'][number][] = [];
  const chain = new Set<string>();
  const cycle = new Set<string>();
  for (const id of nodes) {
    const ex = engine.links(id);
    for (const d of ex.dependencies) if (nodes.has(d)) edges.push({ from: d, to: id, kind: 'depends' });
    if (ex.parent !== null && nodes.has(ex.parent)) edges.push({ from: id, to: ex.parent, kind: 'subtask' });
    for (const c of ex.cycle ?? []) cycle.add(c);
    if ('task' in scope && id !== scope.task) continue;
    const trouble = flagsOf(id).find((f) => f.code === 'dependency_at_risk')?.evidence['chain'];
    if (Array.isArray(trouble)) {
      const path = [...(trouble as string[]), id];
      for (let i = 0; i + 1 < path.length; i++) chain.add(`${path[i]}→${path[i + 1]}`);
    }
  }
  const total = countReachable(engine, seeds, scope);
  return { nodes: [...nodes], edges, chain, cycle, focus: 'task' in scope ? scope.task : null, omitted: Math.max(0, total - nodes.size) };
}

function walk(from: readonly string[], depth: number, next: (id: string) => readonly string[], add: (id: string) => unknown): void {
  let frontier = [...from];
  const seen = new Set(frontier);
  for (let d = 0; d < depth && frontier.length > 0; d++) {
    const out: string[] = [];
    for (const id of frontier) {
      for (const n of next(id)) {
        if (seen.has(n)) continue;
        seen.add(n);
        add(n);
        out.push(n);
      }
    }
    frontier = out;
  }
}

const upstreamOf = (engine: Engine, id: string): string[] => {
  const ex = engine.links(id);
  return [...ex.dependencies, ...ex.children];
};
const downstreamOf = (engine: Engine, id: string): string[] => {
  const ex = engine.links(id);
  return [...ex.dependents, ...(ex.parent ? [ex.parent] : [])];
};

/** How many tasks the scope would show without the cap. */
function countReachable(engine: Engine, seeds: readonly string[], scope: GraphScope): number {
  const all = new Set(seeds);
  walk(seeds, 'task' in scope ? UP_DEPTH : 2, (id) => upstreamOf(engine, id), (id) => all.add(id));
  if ('task' in scope) walk(seeds, DOWN_DEPTH, (id) => downstreamOf(engine, id), (id) => all.add(id));
  return all.size;
}

export interface LaidOut {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly { readonly id: string; readonly x: number; readonly y: number }[];
  readonly edges: readonly { readonly from: string; readonly to: string; readonly kind: 'depends' | 'subtask'; readonly points: readonly { x: number; y: number }[] }[];
}

/** What we use of dagre's graph. (Its bundled types do not resolve under NodeNext: their relative imports have no extension.) */
interface LayoutGraph {
  setGraph(label: Record<string, unknown>): void;
  setDefaultEdgeLabel(fn: () => object): void;
  setNode(id: string, label: { width: number; height: number }): void;
  setEdge(from: string, to: string, label: object): void;
  node(id: string): { x: number; y: number };
  edge(from: string, to: string): { points?: { x: number; y: number }[] };
  graph(): { width?: number; height?: number };
}
const Dagre = dagre as unknown as { Graph: new (opts: { multigraph: boolean }) => LayoutGraph; layout(g: LayoutGraph): void };

const NODE_W = 190;
const NODE_H = 66;

/** Lays the graph out left to right: a root cause on the left, what it delays on the right. */
export function layoutGraph(model: GraphModel): LaidOut {
  const g = new Dagre.Graph({ multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 60, marginx: 12, marginy: 12, ranker: 'tight-tree' });
  g.setDefaultEdgeLabel(() => ({}));
  for (const id of model.nodes) g.setNode(id, { width: NODE_W, height: NODE_H });
  for (const e of model.edges) g.setEdge(e.from, e.to, { kind: e.kind });
  Dagre.layout(g);
  const graph = g.graph();
  return {
    width: Math.ceil(graph.width ?? 0),
    height: Math.ceil(graph.height ?? 0),
    nodes: model.nodes.map((id) => ({ id, x: g.node(id).x, y: g.node(id).y })),
    edges: model.edges.map((e) => ({ ...e, points: g.edge(e.from, e.to).points ?? [] })),
  };
}

const STATUS_FILL: Record<string, string> = {
  todo: '#f1f3f5',
  in_progress: '#dbeafe',
  in_review: '#ede9fe',
  blocked: '#ffedd5',
  done: '#dcfce7',
  verified: '#e5e7eb',
  cancelled: '#e5e7eb',
};

/** The SVG, each node a link to its task page. */
export function renderGraphSvg(model: GraphModel, laid: LaidOut, engine: Engine, flagsOf: (id: string) => readonly Flag[], today: string): Safe {
  const pos = new Map(laid.nodes.map((n) => [n.id, n]));
  const edges = laid.edges.map((e) => {
    const onChain = model.chain.has(`${e.from}→${e.to}`);
    const d = e.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    return html`<path class="edge${onChain ? ' chain' : ''}${e.kind === 'subtask' ? ' subtask' : ''}" d="${d}" marker-end="url(#${onChain ? 'arrow-chain' : 'arrow'})" data-from="${e.from}" data-to="${e.to}"/>`;
  });
  const onChain = new Set([...model.chain].flatMap((k) => k.split('→')));
  const nodes = model.nodes.map((id) => node(engine.task(id)!, pos.get(id)!, flagsOf(id), { today, focus: model.focus === id, chain: onChain.has(id), cycle: model.cycle.has(id) }));
  const w = Math.max(laid.width, 200);
  const h = Math.max(laid.height, 80);
  return html`<svg class="graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="group" aria-label="Dependency graph: ${model.nodes.length} tasks, ${model.edges.length} dependencies">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#6b7280"/></marker><marker id="arrow-chain" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#b91c1c"/></marker></defs>
<g class="viewport">${edges}${nodes}</g></svg>`;
}

function node(t: Task, p: { x: number; y: number }, flags: readonly Flag[], o: { today: string; focus: boolean; chain: boolean; cycle: boolean }): Safe {
  const overdue = t.due !== null && t.due < o.today && !isClosed(t.status);
  const atRisk = flags.some((f) => f.code === 'deadline_at_risk' || f.code === 'dependency_at_risk');
  const risk = overdue ? 'overdue' : atRisk ? 'at-risk' : 'ok';
  const x = p.x - NODE_W / 2;
  const y = p.y - NODE_H / 2;
  const keyed = t.kind === 'github' || t.kind === 'jira';
  const name = keyed ? `${t.key} · ${TOOL_NAME[t.kind]}` : TOOL_NAME[t.kind];
  const sub = `${t.status.replace('_', ' ')}${t.due ? ` · due ${t.due.slice(5)}` : ''}`;
  const cls = ['node', `risk-${risk}`, o.focus ? 'focus' : '', o.chain ? 'on-chain' : '', o.cycle ? 'cycle' : ''].filter(Boolean).join(' ');
  const title = `${t.title} (${t.kind}) — ${t.status}${t.due ? `, due ${t.due}` : ''}${overdue ? ', overdue' : ''}${atRisk ? ', at risk' : ''}${o.cycle ? ', in a dependency cycle' : ''}`;
  return html`<a href="/tasks/${encodeURIComponent(t.id)}" class="${cls}" data-id="${t.id}" data-status="${t.status}" data-risk="${risk}"><title>${title}</title><rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${NODE_W}" height="${NODE_H}" rx="6" fill="${STATUS_FILL[t.status] ?? '#fff'}"/><text x="${(x + 10).toFixed(1)}" y="${(y + 19).toFixed(1)}" class="n1">${name}</text><text x="${(x + 10).toFixed(1)}" y="${(y + 37).toFixed(1)}" class="n2">${shorten(t.title, 27)}</text><text x="${(x + 10).toFixed(1)}" y="${(y + 55).toFixed(1)}" class="n3">${sub}</text>${raw(o.cycle ? `<text x="${(x + NODE_W - 22).toFixed(1)}" y="${(y + 19).toFixed(1)}" class="n1">↻</text>` : '')}</a>`;
}
