/**
 * The accountability engine over 100k tasks: a full evaluation (graph, risk, every rule) and a
 * re-evaluation after one change, next to a floor (one pass over the same tasks checking one field).
 * Goals: full < 1.5 s, one change < 10 ms.
 */
import { configSchema } from '../src/config/schema.js';
import { replayForecasts } from '../src/pipeline/backtest.js';
import { Engine } from '../src/core/engine.js';
import { buildIdentity } from '../src/core/identity.js';
import type { Task, TaskStatus } from '../src/core/model.js';
import type { CycleSample } from '../src/core/risk.js';
import { bestOf, report, time } from './harness.js';

const N = 100_000;
const PEOPLE = 200;
const NOW = Date.parse('2026-11-25T08:00:00Z');
const DAY = 86_400_000;

/** A deterministic pseudo-random generator, so every run benchmarks the same world. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function world(): { tasks: Task[]; samples: CycleSample[] } {
  const r = rng(42);
  const tasks: Task[] = [];
  const samples: CycleSample[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  for (let i = 0; i < N; i++) {
    const closed = r() < 0.7;
    const open: TaskStatus[] = ['todo', 'in_progress', 'blocked', 'in_review'];
    const status: TaskStatus = closed ? (r() < 0.5 ? 'verified' : 'done') : open[Math.floor(r() * 4)]!;
    const p = Math.floor(r() * PEOPLE);
    const created = NOW - Math.floor(r() * 200) * DAY;
    const doneAt = closed ? Math.min(NOW, created + Math.floor(1 + r() * 20) * DAY) : null;
    const due = r() < 0.6 ? new Date(NOW + Math.floor(r() * 40 - 10) * DAY).toISOString().slice(0, 10) : null;
    const t: Task = {
      id: `gh:acme/r${i % 100}#${i}`,
      connector: 'gh',
      kind: 'github',
      key: `acme/r${i % 100}#${i}`,
      url: null,
      type: 'issue',
      title: `Task ${i}`,
      description: 'text',
      status,
      rawStatus: null,
      priority: r() < 0.9 ? 'medium' : null,
      rawPriority: null,
      assignees: r() < 0.9 ? [{ kind: 'github', id: `u${p}` }] : [],
      reporter: null,
      due,
      acceptanceCriteria: r() < 0.5 ? 'ok' : null,
      estimateS: r() < 0.3 ? Math.floor(1 + r() * 40) * 3600 : null,
      spentS: null,
      remainingS: null,
      parent: r() < 0.2 && i > 10 ? `gh:acme/r${(i - 7) % 100}#${i - 7}` : null,
      dependsOn: r() < 0.1 && i > 10 ? [`gh:acme/r${(i - 3) % 100}#${i - 3}`] : [],
      links: [],
      labels: [],
      project: `acme/r${i % 100}`,
      milestone: r() < 0.3 ? `M${i % 40}` : null,
      createdAt: iso(created),
      updatedAt: iso(doneAt ?? created),
      lastHumanActivityAt: iso(created + DAY),
      doneAt: doneAt === null ? null : iso(doneAt),
      verifiedAt: status === 'verified' ? iso(doneAt!) : null,
      verifiedBy: null,
      owner: null,
      deletedAt: null,
      contentHash: '',
      lastWrittenByUsAt: null,
      firstSeenAt: iso(created),
      lastSeenAt: iso(created),
    };
    const owned = t.assignees.length ? { ...t, owner: `p${p}` } : t;
    tasks.push(owned);
    if (closed) samples.push({ taskId: t.id, owner: owned.owner, project: t.project, type: t.type, startedAt: t.createdAt, doneAt: t.doneAt!, estimateS: t.estimateS, spentS: t.estimateS ? t.estimateS * (0.8 + r()) : null });
  }
  return { tasks, samples };
}

export async function benchEngine(): Promise<void> {
  const { tasks, samples } = world();
  const people = Array.from({ length: PEOPLE }, (_, p) => ({ id: `p${p}`, name: `Person ${p}`, accounts: { github: [`u${p}`] } }));
  const identity = buildIdentity({ people, teams: [] });
  const settings = configSchema.parse({}).rules;
  const calendar = { timezone: 'Europe/Berlin', workdays: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, hours: { start: '09:00', end: '17:00' }, holidays: [] };
  const make = () => new Engine({ settings, calendar: { ...calendar, workdays: [...calendar.workdays] }, identity });

  const floor = await bestOf(5, () => tasks.filter((t) => t.due === null).length);
  let engine = make();
  const loadOnly = await bestOf(3, () => {
    engine = make();
    engine.load(tasks, samples);
  });
  const evalOnly = await bestOf(3, () => engine.evaluate(NOW));
  const full = await bestOf(3, () => {
    engine = make();
    engine.load(tasks, samples);
    return engine.evaluate(NOW);
  });
  // One change at a time: a due date moves on an open task with an owner.
  const open = tasks.filter((t) => t.owner && t.status !== 'done' && t.status !== 'verified' && t.due);
  const single: number[] = [];
  const scopes: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = open[(i * 97) % open.length]!;
    const moved = { ...t, due: new Date(Date.parse(`${t.due}T00:00:00Z`) + ((i % 5) - 2) * DAY).toISOString().slice(0, 10) };
    const r = await time(() => engine.apply([moved], [], NOW));
    single.push(r.ms);
    scopes.push(r.result.scope === 'all' ? N : r.result.scope.size);
  }
  single.sort((a, b) => a - b);
  // `--as-of` on a store with no forecast recorded then: the mornings before it replayed to calibrate on.
  const config = configSchema.parse({ timezone: calendar.timezone });
  const replay = await time(() => replayForecasts({ config, identity }, tasks, new Map(), NOW));
  const mornings = new Set(replay.result.map((f) => f.day)).size;
  const p50 = single[single.length >> 1]!;
  const p95 = single[Math.floor(single.length * 0.95)]!;
  report('engine: evaluation of 100k tasks', [
    { name: 'floor: one pass checking one field', value: floor.ms, unit: 'ms' },
    { name: 'full evaluation, cold: new engine + load + evaluate', value: full.ms, unit: 'ms', goal: '< 1,500 ms', met: full.ms < 1500 },
    { name: 'full evaluation, warm: engine already loaded', value: evalOnly.ms, unit: 'ms' },
    { name: 'load alone (index, graph, history)', value: loadOnly.ms, unit: 'ms' },
    { name: 'full evaluation ÷ floor', value: full.ms / floor.ms, unit: '×' },
    { name: 'flags found', value: full.result.flags.length, unit: 'flags' },
    { name: 're-evaluation after one change, median', value: p50, unit: 'ms', goal: '< 10 ms', met: p50 < 10 },
    { name: 're-evaluation after one change, p95', value: p95, unit: 'ms' },
    { name: 'tasks re-evaluated per change, median', value: [...scopes].sort((a, b) => a - b)[scopes.length >> 1]!, unit: 'tasks' },
    { name: '--as-of with no record: mornings replayed to calibrate on', value: mornings, unit: 'mornings' },
    { name: '--as-of with no record: the replay, once', value: replay.ms, unit: 'ms' },
    { name: 'the replay per morning ÷ cold full evaluation', value: replay.ms / mornings / full.ms, unit: '×' },
  ]);
}
