/**
 * `npm run experiment:backtest`: `taskwire backtest` on both simulated histories, with the people
 * registry filled and empty, asked every third working day; prints one table (and, with --json, the
 * figures). The README's backtest table is this script's output, and a test pins it.
 *
 * - tuning: the sandbox team's quarter (Jira, with estimates; src/sandbox/history.ts), synced from the
 *   sandbox's fakes as `taskwire sync` does;
 * - held out: a platform team on GitHub only, no estimates (experiments/held-out-world.ts), written into
 *   a store as a sync would, never used to choose a setting.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/cli.js';
import type { Io } from '../src/cli/io.js';
import { scoreBacktest, type BacktestResult, type FlagScore, type Prediction } from '../src/core/backtest.js';
import { Calendar } from '../src/core/calendar.js';
import { buildIdentity } from '../src/core/identity.js';
import { loadConfig } from '../src/config/load.js';
import { backtestFromStore } from '../src/pipeline/backtest.js';
import { ingestPage } from '../src/pipeline/ingest.js';
import { SANDBOX_ENV, startSandbox } from '../src/sandbox/sandbox.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { heldOutWorld, type HeldOutWorld } from './held-out-world.js';

export interface WorldRow {
  readonly world: 'tuning (sandbox)' | 'held out (GitHub only)';
  readonly registry: 'filled' | 'empty';
  readonly result: BacktestResult;
}

/** Tuesday 24 November 2026, 08:30 in Berlin: the sandbox's "now", as in the tests. */
const SANDBOX_NOW = Date.parse('2026-11-24T07:30:00Z');

async function cli(dir: string, args: readonly string[], now: number, env: Record<string, string> = {}): Promise<string> {
  const out: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void out.push(t), isTTY: false, env, cwd: dir };
  const code = await runCli(['-c', 'taskwire.yaml', ...args], io, () => now);
  if (code !== 0) throw new Error(`taskwire ${args.join(' ')} exited ${code}: ${out.join('')}`);
  return out.join('');
}

const backtestArgs = ['backtest', '--every', '3wd', '--json'];

/** Settings tried in an experiment (`--rules '{"deadline_at_risk":{"horizon":"30d"}}'`), appended to each config. */
let rulesYaml = '';
export function setRules(rules: Record<string, unknown> | null): void {
  rulesYaml = rules ? `rules: ${JSON.stringify(rules)}\n` : '';
}

async function sandboxWorld(registry: 'filled' | 'empty'): Promise<BacktestResult> {
  const sb = await startSandbox({ now: SANDBOX_NOW, clock: () => new Date(SANDBOX_NOW) });
  const dir = mkdtempSync(join(tmpdir(), 'tw-exp-sb-'));
  try {
    let yaml = sb.config({ mode: 'plan', storePath: 'data/tw.db', reportsDir: 'reports' });
    // As on the day of install: nobody registered yet, so no teams either.
    if (registry === 'empty') yaml = yaml.replace(/^people:\n(?: {2}- .*\n)+/m, 'people: []\n').replace(/^teams:\n(?: {2}- .*\n)+/m, 'teams: []\n');
    writeFileSync(join(dir, 'taskwire.yaml'), yaml + rulesYaml);
    await cli(dir, ['sync'], SANDBOX_NOW, { ...SANDBOX_ENV });
    return JSON.parse(await cli(dir, backtestArgs, SANDBOX_NOW, { ...SANDBOX_ENV })) as BacktestResult;
  } finally {
    await sb.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The held-out history (its own seed, or another draw of the generator) written into `dir` as a sync of
 * the team's repository would have stored it — each issue now, and its event history — with a config
 * beside it (`rules` appended). Returns the world.
 */
export async function writeHeldOut(dir: string, registry: 'filled' | 'empty', o: { seed?: number | undefined; rules?: string } = {}): Promise<HeldOutWorld> {
  const world = heldOutWorld(o.seed === undefined ? {} : { seed: o.seed });
  mkdirSync(join(dir, 'data'));
  const people = registry === 'filled' ? world.people.map((p) => ({ id: p.id, name: p.name, accounts: { github: p.login } })) : [];
  const peopleYaml = people.length ? `people:\n${people.map((p) => `  - { id: ${p.id}, name: ${p.name}, accounts: { github: ${p.accounts.github} } }`).join('\n')}\n` : 'people: []\n';
  writeFileSync(
    join(dir, 'taskwire.yaml'),
    `timezone: ${world.timezone}\nstore: { path: data/tw.db }\n${peopleYaml}connectors:\n  - { name: github-platform, type: github, enabled: false, token: "\${GITHUB_TOKEN}", repos: [${world.repo}] }\n${o.rules ?? rulesYaml}`,
  );
  const store = SqliteStore.open(join(dir, 'data/tw.db'), { clock: () => new Date(world.now) });
  const identity = buildIdentity({ people: people.map((p) => ({ id: p.id, name: p.name, accounts: { github: [p.accounts.github] } })), teams: [] });
  const id = { name: 'github-platform', kind: 'github' } as const;
  await ingestPage(store, id, identity, world.tasks.map((t) => ({ type: 'task', task: t.task })), null);
  await ingestPage(store, id, identity, world.tasks.map((t) => ({ type: 'history', key: t.task.key, entries: t.history })), null);
  await store.close();
  return world;
}

/** The held-out history (its own seed), or another draw of the same generator (`seed`), backtested. */
export async function heldOut(registry: 'filled' | 'empty', seed?: number): Promise<BacktestResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-exp-ho-'));
  try {
    const world = await writeHeldOut(dir, registry, { seed });
    return JSON.parse(await cli(dir, [...backtestArgs, '--from', world.start], world.now, { GITHUB_TOKEN: 'unused' })) as BacktestResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each morning's forecast of a held-out draw, with each case's outcome: to score any setting of `deadline_at_risk` on. */
export interface Forecasts {
  readonly predictions: readonly Prediction[];
  /** Per task and due date (`taskId\u0000due`): missed or not; cases whose outcome is unknown are absent. */
  readonly missed: ReadonlyMap<string, boolean>;
  readonly cal: Calendar;
  readonly world: HeldOutWorld;
}

/**
 * A held-out draw backtested once as `taskwire backtest --every 3wd` does (registry filled; `rules`
 * appended to its config, the defaults when empty), keeping
 * every morning's probability: a flag of `deadline_at_risk` is that probability against a threshold,
 * within a horizon (src/core/rules/deadline-at-risk.ts), so every setting can be scored from one run.
 */
export async function heldOutForecasts(seed?: number, rules = ''): Promise<Forecasts> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-exp-fc-'));
  try {
    const world = await writeHeldOut(dir, 'filled', { seed, rules });
    const { config } = loadConfig({ path: 'taskwire.yaml', env: { GITHUB_TOKEN: 'unused' }, cwd: dir });
    const identity = buildIdentity({ people: world.people.map((p) => ({ id: p.id, name: p.name, accounts: { github: [p.login] } })), teams: [] });
    const store = SqliteStore.open(join(dir, 'data/tw.db'), { clock: () => new Date(world.now) });
    const predictions: Prediction[] = [];
    const result = await backtestFromStore(store, { config, identity, now: world.now, everyDays: 3, workdays: true, from: world.start, onPrediction: (p) => void predictions.push(p) });
    await store.close();
    const missed = new Map(result.caseList.map((c) => [`${c.taskId}\u0000${c.due}`, c.missed]));
    return { predictions, missed, cal: new Calendar({ timezone: config.timezone, ...config.calendar }), world };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `deadline_at_risk` at a threshold and horizon, scored on forecasts as `taskwire backtest` scores it. */
export function scoreSetting(f: Pick<Forecasts, 'predictions' | 'missed' | 'cal'>, minProbability: number, horizonDays: number): FlagScore {
  const horizon = horizonDays * 86_400_000;
  return scoreFlagged(f, (p) => {
    const left = f.cal.endOf(p.due) - p.day;
    return p.pMiss !== null && p.pMiss >= minProbability && left > 0 && left <= horizon;
  });
}

/** The mornings' `deadline_at_risk` flags as `flagged` says, scored against what happened (task-days, lead). */
function scoreFlagged(f: Pick<Forecasts, 'predictions' | 'missed' | 'cal'>, flagged: (p: Prediction) => boolean): FlagScore {
  const predictions = f.predictions.map((p) => ({ ...p, flags: new Set(flagged(p) ? (['deadline_at_risk'] as const) : []) }));
  const lead = (day: number, due: string) => Math.round((f.cal.workdayMsBetween(day, f.cal.endOf(due)) / 86_400_000) * 10) / 10;
  return scoreBacktest(predictions, (id, due) => f.missed.get(`${id}\u0000${due}`) ?? null, lead).flags.deadline_at_risk;
}

/**
 * The issue's own check: `taskwire tasks --flag deadline_at_risk --as-of D --json` asked on each morning
 * the backtest asks (every third working day of the held-out draw), on a store synced at the end of the
 * quarter (no forecast was recorded then: `--as-of` replays the mornings before D to calibrate on), and
 * scored against what happened.
 */
export async function tasksAsOf(registry: 'filled' | 'empty', seed?: number): Promise<FlagScore> {
  const f = await heldOutForecasts(seed);
  const dir = mkdtempSync(join(tmpdir(), 'tw-exp-asof-'));
  try {
    const world = await writeHeldOut(dir, registry, { seed });
    const flagged = new Map<number, Set<string>>();
    for (const day of new Set(f.predictions.map((p) => p.day))) {
      const out = await cli(dir, ['tasks', '--flag', 'deadline_at_risk', '--as-of', f.cal.localDate(day), '--json'], world.now, { GITHUB_TOKEN: 'unused' });
      flagged.set(day, new Set((JSON.parse(out) as { id: string }[]).map((t) => t.id)));
    }
    return scoreFlagged(f, (p) => flagged.get(p.day)!.has(p.taskId));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function backtestWorlds(which: 'both' | 'tuning' = 'both'): Promise<WorldRow[]> {
  const rows: WorldRow[] = [];
  for (const registry of ['empty', 'filled'] as const) rows.push({ world: 'tuning (sandbox)', registry, result: await sandboxWorld(registry) });
  if (which === 'tuning') return rows;
  for (const registry of ['empty', 'filled'] as const) rows.push({ world: 'held out (GitHub only)', registry, result: await heldOut(registry) });
  return rows;
}

const pct = (n: number | null) => (n === null ? '—' : `${Math.round(n * 100)}%`);

export function table(rows: readonly WorldRow[]): string {
  const lines = [
    '| history | people registry | precision (task-days) | recall (task-days) | missed dates caught | precision (dates) | median lead | Brier |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { world, registry, result: r } of rows) {
    const f = r.flags.deadline_at_risk;
    lines.push(`| ${world} | ${registry} | ${pct(f.taskDays.precision)} | ${pct(f.taskDays.recall)} | ${f.tp} of ${r.misses} | ${pct(f.precision)} | ${f.medianLeadDays ?? '—'} working days | ${r.calibration.brier === null ? '—' : r.calibration.brier.toFixed(3)} |`);
  }
  return `${lines.join('\n')}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--rules');
  if (at > 0) setRules(JSON.parse(process.argv[at + 1]!) as Record<string, unknown>);
  const rows = await backtestWorlds(process.argv.includes('--tuning-only') ? 'tuning' : 'both');
  process.stdout.write(process.argv.includes('--json') ? `${JSON.stringify(rows.map((r) => ({ world: r.world, registry: r.registry, deadline_at_risk: { ...r.result.flags.deadline_at_risk, leadDays: undefined }, misses: r.result.misses, cases: r.result.cases, calibration: r.result.calibration })), null, 2)}\n` : table(rows));
}
