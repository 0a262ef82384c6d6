/**
 * The web UI on a large install, over real HTTP through the daemon's routes:
 * - the board page for 10,000 open tasks (default, by owner, filtered by a flag, a text search),
 *   p95 over 200 requests each; goal < 300 ms. Floor: the same cards as JSON, through the same server
 *   and the same filtering (what a JSON API would send instead of HTML).
 * - the dependency graph of a 500-task milestone selected, laid out (dagre) and drawn as SVG, p95 over
 *   20 runs; goal < 500 ms. Floor: the same nodes and edges selected and serialized as JSON.
 * The snapshot is built once beforehand (the daemon rebuilds it once per change, not per request).
 */
import Fastify from 'fastify';
import pino from 'pino';
import type { AddressInfo } from 'node:net';
import { configSchema } from '../src/config/schema.js';
import { Engine } from '../src/core/engine.js';
import { buildIdentity } from '../src/core/identity.js';
import type { Task } from '../src/core/model.js';
import { UiAuth } from '../src/server/ui/auth.js';
import { buildBoard, parseFilters } from '../src/server/ui/board.js';
import { layoutGraph, renderGraphSvg, selectGraph } from '../src/server/ui/graph.js';
import { addUiRoutes } from '../src/server/ui/routes.js';
import { buildSnapshot } from '../src/server/ui/snapshot.js';
import { UiSource } from '../src/server/ui/source.js';
import type { TaskStore } from '../src/store/store.js';
import { world } from './engine.js';
import { report, time } from './harness.js';

const NOW = Date.parse('2026-11-25T08:00:00Z');
const OPEN = 10_000;
const TOKEN = 'bench-token-0123456789';
const CALENDAR = { timezone: 'Europe/Berlin', workdays: ['mon', 'tue', 'wed', 'thu', 'fri'] as ('mon' | 'tue' | 'wed' | 'thu' | 'fri')[], hours: { start: '09:00', end: '17:00' }, holidays: [] };

/** 10,000 open tasks, 500 done awaiting verification, and the finished work before them (for the forecasts), from the engine bench's world. */
function installTasks(): { tasks: Task[]; samples: ReturnType<typeof world>['samples'] } {
  const { tasks, samples } = world();
  let open = 0;
  let awaiting = 0;
  const kept: Task[] = [];
  for (const t of tasks) {
    const isOpen = !['done', 'verified', 'cancelled'].includes(t.status);
    if (isOpen && open >= OPEN) continue;
    if (isOpen) open++;
    // Finished work is history (verified), but for 500 tasks done and awaiting verification.
    const verified = t.status === 'done' && awaiting >= 500;
    if (t.status === 'done' && !verified) awaiting++;
    kept.push(verified ? { ...t, status: 'verified', verifiedAt: t.doneAt } : t);
    if (open >= OPEN && kept.length > 30_000) break;
  }
  const ids = new Set(kept.map((t) => t.id));
  return { tasks: kept, samples: samples.filter((s) => ids.has(s.taskId)) };
}

function engineFor(tasks: readonly Task[], samples: ReturnType<typeof world>['samples'], people: number): { engine: Engine; identity: ReturnType<typeof buildIdentity> } {
  const identity = buildIdentity({ people: Array.from({ length: people }, (_, p) => ({ id: `p${p}`, name: `Person ${p}`, accounts: { github: [`u${p}`] } })), teams: [] });
  const engine = new Engine({ settings: configSchema.parse({}).rules, calendar: CALENDAR, identity });
  engine.load(tasks, samples);
  engine.evaluate(NOW);
  return { engine, identity };
}

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;

async function requests(url: string, n: number): Promise<{ p95: number; bytes: number }> {
  const headers = { authorization: `Bearer ${TOKEN}` };
  for (let i = 0; i < 20; i++) await (await fetch(url, { headers })).text(); // warm
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const r = await time(async () => (await fetch(url, { headers })).text());
    ms.push(r.ms);
    bytes = r.result.length;
  }
  return { p95: p95(ms), bytes };
}

export async function benchUi(): Promise<void> {
  const graph = await graphFigures();
  const { tasks, samples } = installTasks();
  const rebuilt = await time(() => {
    const w = engineFor(tasks, samples, 200);
    return buildSnapshot({ ...w, teams: [], timezone: 'Europe/Berlin', now: NOW, version: 0 }).cards.length;
  });
  const { engine, identity } = engineFor(tasks, samples, 200);
  const source = new UiSource({ load: async () => ({ engine, identity, now: NOW }), teams: [], timezone: 'Europe/Berlin', maxAgeMs: 3600_000 });
  const snapshot = await source.get();
  const app = Fastify({ logger: false });
  addUiRoutes(app, {
    source,
    auth: new UiAuth({ apiToken: TOKEN, basicAuth: undefined, sessionTtlMs: 3600_000 }),
    // The board and the graph read only the snapshot; nothing here touches the store.
    store: {} as TaskStore,
    log: pino({ level: 'silent' }),
    registry: [],
    reportsDir: '/nonexistent',
    report: async () => '',
    backtest: async () => '',
    verify: async () => false,
    signInWith: { token: true, basic: false },
  });
  // The floor: the same filtering, the cards as JSON instead of HTML.
  app.get('/floor', async (req, reply) => {
    const board = buildBoard(snapshot, parseFilters(req.query as Record<string, string>));
    return reply.type('application/json').send(JSON.stringify(board.lanes));
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const figures = [];
  try {
    for (const [name, q] of [['board', ''], ['board by owner (swimlanes)', 'group=owner'], ['board filtered by flag', 'flag=overdue'], ['board text search', 'q=task%2012']] as const) {
      const floor = await requests(`${base}/floor?${q}`, 200);
      const page = await requests(`${base}/?${q}`, 200);
      figures.push(
        { name: `floor: ${name} as JSON, p95`, value: floor.p95, unit: 'ms' },
        { name: `${name}, HTML page, p95`, value: page.p95, unit: 'ms', goal: '< 300 ms', met: page.p95 < 300 },
        { name: `${name}, page size`, value: page.bytes / 1024, unit: 'KiB' },
      );
    }
  } finally {
    await app.close();
  }
  figures.push({ name: 'tasks on the board (open + awaiting verification)', value: snapshot.cards.length, unit: 'tasks' });
  figures.push({ name: 'snapshot after a change: new engine, evaluation, cards (store read not included)', value: rebuilt.ms, unit: 'ms' });
  figures.push(...graph);
  report('web UI: board of 10k open tasks, graph of 500', figures);
}

/** A milestone of 500 tasks, each waiting on one or two earlier ones: selected, laid out, drawn. */
async function graphFigures() {
  const { tasks } = installTasks();
  const milestone = tasks.slice(0, 500).map((t, i) => ({ ...t, milestone: 'Big bang', status: 'todo' as const, dependsOn: i === 0 ? [] : [tasks[Math.floor(i / 2)]!.id, ...(i % 3 === 0 ? [tasks[i - 1]!.id] : [])], parent: null }));
  const { engine } = engineFor(milestone, [], 200);
  const flagsOf = () => [];
  const scope = { milestone: 'Big bang' };
  const run = (fn: () => unknown) => Array.from({ length: 20 }, () => 0).map(() => {
    const s = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - s) / 1e6;
  });
  run(() => JSON.stringify(selectGraph(engine, scope, flagsOf))); // warm
  const floor = run(() => {
    const m = selectGraph(engine, scope, flagsOf);
    return JSON.stringify({ nodes: m.nodes, edges: m.edges });
  });
  let nodes = 0;
  let edges = 0;
  run(() => renderGraphSvg(selectGraph(engine, scope, flagsOf), layoutGraph(selectGraph(engine, scope, flagsOf)), engine, flagsOf, '2026-11-25')); // warm
  const drawn = run(() => {
    const m = selectGraph(engine, scope, flagsOf);
    nodes = m.nodes.length;
    edges = m.edges.length;
    return renderGraphSvg(m, layoutGraph(m), engine, flagsOf, '2026-11-25').value.length;
  });
  return [
    { name: 'floor: graph selected, as JSON, p95', value: p95(floor), unit: 'ms' },
    { name: `graph of ${nodes} nodes, ${edges} edges: laid out + SVG, p95`, value: p95(drawn), unit: 'ms', goal: '< 500 ms', met: p95(drawn) < 500 },
  ];
}
