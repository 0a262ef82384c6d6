/**
 * `taskwire sync --once` as a user runs it from cron: the built CLI (`node bin/taskwire.js`, a new
 * process each time, start-up included) against a GitHub API served by another thread on loopback,
 * 20,000 issues in two repositories. Three runs on one store: the first sync, an idle cycle, and a
 * cycle after people edited 100 issues — wall time, requests, peak RSS each. The floor, in a process
 * of its own on the same fake: fetch, parse and insert the same pages raw (bench/rss-child.mjs).
 * Goals (issue 22): capture ≥ 0.6× the floor's rate, the whole first sync ≤ 2× the floor's time, peak
 * RSS < 300 MiB; after 100 changes < 1.5 s and ≤ 5 requests; idle: 1 request per repository, 304.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureBuilt } from './build.js';
import { startFakeWorker, type FakeHost } from './fake-host.js';
import { githubWorld } from './github-world.js';
import { report, type Figure } from './harness.js';

const ROOT = resolve(import.meta.dirname, '..');
const REPOS = ['acme/infra', 'acme/api'];
const PER_REPO = 10_000;

interface Run {
  readonly ms: number;
  readonly rssMiB: number;
  readonly out: string;
  readonly code: number | null;
}

function run(cmd: string[], cwd: string, env: Record<string, string>): Promise<Run> {
  const rssFile = join(cwd, `rss-${Date.now()}-${Math.random()}.txt`);
  const started = performance.now();
  return new Promise((done, fail) => {
    const prof = process.env['PROFILE_DIR'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['PROFILE_DIR']}`] : [];
    const p = spawn(process.execPath, [...prof, '--import', join(ROOT, 'bench/rss-hook.mjs'), ...cmd], { cwd, env: { ...process.env, ...env, RSS_OUT: rssFile }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', fail);
    p.on('exit', (code) => done({ ms: performance.now() - started, rssMiB: Number(readFileSync(rssFile, 'utf8')) / 1024, out, code }));
  });
}

/** Seconds the CLI reports for a connector's capture: "acme: … (6.1s)". */
const captureSeconds = (out: string) => [...out.matchAll(/^github-bench: .*\((\d+(?:\.\d+)?)s\)$/gm)].map((m) => Number(m[1]))[0] ?? NaN;

async function syncOnce(fake: FakeHost, dir: string): Promise<Run & { requests: number; notModified: number }> {
  await fake.mark();
  const r = await run([join(ROOT, 'bin/taskwire.js'), '-c', 'taskwire.yaml', 'sync', '--once'], dir, { GITHUB_TOKEN: 'ghp_faketoken' });
  if (r.code !== 0) throw new Error(`sync --once exited ${r.code}:\n${r.out}`);
  const reqs = await fake.requests();
  if (process.env['BENCH_VERBOSE']) process.stdout.write(`${reqs.map((q) => `    ${q.method} ${q.path} ${q.status}`).join('\n')}\n`);
  return { ...r, requests: reqs.length, notModified: reqs.filter((q) => q.status === 304).length };
}

export async function benchSyncCli(): Promise<void> {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'taskwire-bench-sync-'));
  const fake = await startFakeWorker({ kind: 'github', scenario: githubWorld(REPOS, PER_REPO, Date.parse('2026-06-01T08:00:00Z'), 2) });
  try {
    writeFileSync(
      join(dir, 'taskwire.yaml'),
      `timezone: Europe/Berlin
store: { path: ${join(dir, 'tw.db')} }
log: { level: warn }
followups: { mode: plan }
connectors:
  - { name: github-bench, type: github, baseUrl: "${fake.url}", token: "\${GITHUB_TOKEN}", repos: [${REPOS.join(', ')}], historyPages: 0 }
`,
    );
    // The floor first, warm as the CLI will be (its own process on the same fake, once to warm the fake).
    const floorRun = () => run([join(ROOT, 'bench/rss-child.mjs')], dir, { FAKE_URL: fake.url, MODE: 'floor', DB: join(dir, `floor-${Date.now()}.db`), REPOS: REPOS.join(',') });
    await floorRun();
    const floor = await floorRun();
    const floorMs = (JSON.parse(floor.out) as { ms: number }).ms;
    const total = REPOS.length * PER_REPO;

    const first = await syncOnce(fake, dir);
    const idle = await syncOnce(fake, dir);
    await fake.touch(REPOS[0]!, Array.from({ length: 100 }, (_, i) => 1 + i * 37));
    const changed = await syncOnce(fake, dir);
    const capture = captureSeconds(first.out) * 1000;
    const figures: Figure[] = [
      { name: 'floor: fetch + parse + insert the same pages (own process)', value: floorMs, unit: 'ms' },
      { name: 'floor rate', value: (total / floorMs) * 1000, unit: 'issues/s' },
      { name: 'floor process: wall time incl. start', value: floor.ms, unit: 'ms' },
      { name: 'first sync --once: capture (as the CLI reports it)', value: capture, unit: 'ms' },
      { name: 'first sync: capture ÷ floor (rate)', value: floorMs / capture, unit: '×', goal: '≥ 0.6×', met: floorMs / capture >= 0.6 },
      { name: 'first sync --once: whole run, wall incl. start', value: first.ms, unit: 'ms' },
      { name: 'first sync ÷ floor process (time)', value: first.ms / floor.ms, unit: '×', goal: '≤ 2×', met: first.ms / floor.ms <= 2 },
      { name: 'first sync: peak RSS', value: first.rssMiB, unit: 'MiB', goal: '< 300 MiB', met: first.rssMiB < 300 },
      { name: 'first sync: requests', value: first.requests, unit: 'requests' },
      { name: 'idle sync --once: wall incl. start', value: idle.ms, unit: 'ms' },
      { name: 'idle sync: requests', value: idle.requests, unit: 'requests', goal: `= ${REPOS.length} (one per repo)`, met: idle.requests === REPOS.length },
      { name: 'idle sync: answered 304', value: idle.notModified, unit: 'requests' },
      { name: 'after 100 changed issues: wall incl. start', value: changed.ms, unit: 'ms', goal: '< 1,500 ms', met: changed.ms < 1500 },
      { name: 'after 100 changed issues: requests', value: changed.requests, unit: 'requests', goal: '≤ 5', met: changed.requests <= 5 },
      { name: 'after 100 changed issues: peak RSS', value: changed.rssMiB, unit: 'MiB' },
    ];
    report('sync --once: the built CLI against 20k GitHub issues on loopback', figures);
  } finally {
    await fake.stop();
    if (process.env['KEEP_BENCH_DIR']) process.stdout.write(`kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
