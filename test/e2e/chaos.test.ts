/**
 * The tools misbehave — a fifth of all requests answered 5xx or 429 with Retry-After — and taskwire
 * still ends up knowing exactly what a clean run knows: the same tasks, the same flags, one status
 * comment per flagged ticket, nothing dead-lettered. Real HTTP against the fakes; short retry waits.
 */
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Connector } from '../../connectors/port.js';
import { loadConfig } from '../../src/config/load.js';
import type { SqliteStore } from '../../src/store/sqlite-store.js';
import { createConnector, engineFromConfig, loadIdentity, openStore } from '../../src/main.js';
import { loadAndEvaluate } from '../../src/pipeline/evaluate.js';
import { runCycle } from '../../src/pipeline/cycle.js';
import { SANDBOX_ENV } from '../../src/sandbox/sandbox.js';
import { ourComments, sandboxEnv, T0, type SandboxEnv } from '../support/sandbox.js';

const log = pino({ level: 'silent' });
const HOUR = 3_600_000;

interface Outcome {
  readonly tasks: unknown[];
  readonly flags: string[];
  readonly comments: Record<string, number>;
  readonly dead: number;
  readonly cycles: number;
  readonly failedCaptures: number;
}

async function converge(env: SandboxEnv, chaos: number | null): Promise<Outcome> {
  const { config } = loadConfig({ path: 'taskwire.yaml', env: { ...SANDBOX_ENV }, cwd: env.dir });
  if (chaos !== null) {
    [env.sb.github, env.sb.jira, env.sb.slack, env.sb.notion].forEach((f, i) =>
      f.server.setChaos({ rate: 0.2, seed: chaos + i, faults: [{ status: 502 }, { status: 429, headers: { 'retry-after': '1' } }, { status: 503 }] }),
    );
  }
  const store = (await openStore(config, env.dir, env.now)) as SqliteStore;
  const connectors: Connector[] = await Promise.all(config.connectors.map((c) => createConnector(c, { log, timezone: config.timezone, timing: { retryBaseMs: 5, retries: 2, perSecond: 1000 } })));
  let cycles = 0;
  let failedCaptures = 0;
  try {
    const identity = await loadIdentity(config, store);
    const engine = engineFromConfig(config, identity);
    const pending = () => (store.db.prepare("SELECT count(*) AS n FROM outbox WHERE status IN ('planned', 'pending', 'claimed', 'sending')").get() as { n: number }).n;
    // Cycles until a whole cycle captured everything and nothing waits to be sent (at least two).
    for (;;) {
      cycles++;
      const r = await runCycle({ store, connectors, identity, engine, config, log, now: env.now });
      failedCaptures += r.capture.filter((c) => !c.ok).length;
      if (cycles >= 2 && r.capture.every((c) => c.ok) && pending() === 0) break;
      if (cycles > 30) throw new Error(`no convergence after 30 cycles: ${pending()} follow-ups pending`);
      env.jump(HOUR); // retries come due (backoff, Retry-After)
    }
    for (const f of [env.sb.github, env.sb.jira, env.sb.slack, env.sb.notion]) f.server.setChaos(null);
    // Compared at one instant, whatever the runs' clocks did.
    const evaluation = await loadAndEvaluate(store, engine, T0 + 2 * HOUR);
    const tasks = (await store.listTasks()).map((t) => ({
      id: t.id,
      title: t.title,
      status: t.status,
      owner: t.owner,
      assignees: t.assignees.map((a) => a.id),
      due: t.due,
      priority: t.priority,
      dependsOn: t.dependsOn,
      acceptanceCriteria: t.acceptanceCriteria,
      lastHumanActivityAt: t.lastHumanActivityAt,
      doneAt: t.doneAt,
      verifiedAt: t.verifiedAt,
      deletedAt: t.deletedAt,
    }));
    tasks.sort((a, b) => a.id.localeCompare(b.id));
    const flagged = new Set(evaluation.flags.map((f) => f.taskId));
    const comments: Record<string, number> = {};
    for (const t of await store.listTasks()) if (flagged.has(t.id)) comments[t.id] = ourComments(env.sb, t).length;
    const dead = (store.db.prepare("SELECT count(*) AS n FROM outbox WHERE status = 'dead'").get() as { n: number }).n;
    return { tasks, flags: evaluation.flags.map((f) => `${f.taskId} ${f.code}`).sort(), comments, dead, cycles, failedCaptures };
  } finally {
    await store.close();
    for (const c of connectors) await c.close?.();
  }
}

describe.each([11, 101])('chaos (seed %i): 20% of requests fail with 5xx or 429', (seed) => {
  it('converges to the same store as a clean run, with one status comment per flagged ticket and nothing dead', async () => {
    const clean = await sandboxEnv();
    const rough = await sandboxEnv();
    try {
      const a = await converge(clean, null);
      const b = await converge(rough, seed);
      const injected = [rough.sb.github, rough.sb.jira, rough.sb.slack, rough.sb.notion].reduce((n, f) => n + f.server.requests.filter((r) => r.status === 429 || r.status >= 500).length, 0);
      expect(injected).toBeGreaterThan(10); // the chaos was real
      expect(b.tasks).toEqual(a.tasks);
      expect(b.flags).toEqual(a.flags);
      expect(Object.values(b.comments).every((n) => n === 1), JSON.stringify(b.comments)).toBe(true);
      expect(Object.keys(b.comments)).toEqual(Object.keys(a.comments));
      expect(b.dead).toBe(0);
      expect(a.failedCaptures).toBe(0);
    } finally {
      await clean.stop();
      await rough.stop();
    }
  }, 120_000);
});
