/**
 * Peak memory of a 200k-issue backfill (goal < 300 MiB): the GitHub connector polling the fake into the
 * store, in a process of its own running the compiled build, next to a floor process that fetches,
 * parses and stores the same pages raw. The fake runs in a worker thread of this process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { githubWorld } from './github-world.js';
import { ensureBuilt } from './build.js';
import { startFakeWorker } from './fake-host.js';
import { report, type Figure } from './harness.js';

const ROOT = resolve(import.meta.dirname, '..');
const REPOS = ['acme/infra', 'acme/api', 'acme/web', 'acme/ops'];
const PER_REPO = 50_000;

function child(mode: 'connector' | 'floor', url: string, db: string): Promise<{ ms: number; items: number; maxRssMiB: number }> {
  return new Promise((resolvePromise, reject) => {
    const p = spawn(process.execPath, [join(ROOT, 'bench/rss-child.mjs')], { env: { ...process.env, FAKE_URL: url, MODE: mode, DB: db, REPOS: REPOS.join(',') }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolvePromise(JSON.parse(out) as { ms: number; items: number; maxRssMiB: number }) : reject(new Error(`${mode} backfill exited ${code}`))));
  });
}

export async function benchMemory(): Promise<void> {
  // The child runs the compiled build, as the container does, rebuilt when the sources are newer.
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'taskwire-bench-rss-'));
  const fake = await startFakeWorker({ kind: 'github', scenario: githubWorld(REPOS, PER_REPO, Date.parse('2025-01-06T08:00:00Z'), 4) });
  try {
    const floor = await child('floor', fake.url, join(dir, 'floor.db'));
    const run = await child('connector', fake.url, join(dir, 'tw.db'));
    const total = REPOS.length * PER_REPO;
    const figures: Figure[] = [
      { name: 'floor: peak RSS, raw fetch + parse + insert', value: floor.maxRssMiB, unit: 'MiB' },
      { name: 'connector backfill: peak RSS', value: run.maxRssMiB, unit: 'MiB', goal: '< 300 MiB', met: run.maxRssMiB < 300 },
      { name: 'connector ÷ floor (peak RSS)', value: run.maxRssMiB / floor.maxRssMiB, unit: '×' },
      { name: 'tasks backfilled', value: run.items, unit: 'tasks', goal: `= ${total.toLocaleString('en-US')}`, met: run.items === total },
      { name: 'connector backfill rate', value: (run.items / run.ms) * 1000, unit: 'tasks/s' },
      { name: 'floor rate', value: (floor.items / floor.ms) * 1000, unit: 'issues/s' },
    ];
    report('memory: peak RSS of a 200k-issue backfill', figures);
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
