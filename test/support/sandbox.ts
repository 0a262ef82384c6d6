/** The sandbox for end-to-end tests: the four fakes, a config in a temp dir, and the CLI in-process. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli.js';
import { PEOPLE } from '../../src/sandbox/scenario.js';
import { SANDBOX_ENV, startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { captureIo } from './io.js';

/** Tuesday 24 November 2026, 08:30 in Berlin: the sandbox's "now" in tests. */
export const T0 = Date.parse('2026-11-24T07:30:00Z');

export interface SandboxEnv {
  readonly sb: Sandbox;
  readonly dir: string;
  /** The tests' clock: T0 plus real elapsed time plus any jumps. */
  readonly now: () => number;
  jump(ms: number): void;
  cli(...args: string[]): Promise<{ code: number; out: string }>;
  store(): SqliteStore;
  stop(): Promise<void>;
}

export async function sandboxEnv(opts: { config?: Parameters<Sandbox['config']>[0]; extraYaml?: string; realClock?: boolean } = {}): Promise<SandboxEnv> {
  const started = Date.now();
  let offset = 0;
  // realClock: for a daemon in a child process, which runs on the machine's clock.
  const base = opts.realClock ? started : T0;
  const now = () => base + (Date.now() - started) + offset;
  const sb = await startSandbox({ now: base, clock: () => new Date(now()) });
  const dir = mkdtempSync(join(tmpdir(), 'tw-e2e-'));
  writeFileSync(join(dir, 'taskwire.yaml'), sb.config({ mode: 'send', storePath: 'data/tw.db', reportsDir: 'reports', ...opts.config }) + (opts.extraYaml ?? ''));
  return {
    sb,
    dir,
    now,
    jump: (ms) => void (offset += ms),
    cli: async (...args) => {
      const { io, stdout, stderr } = captureIo({ env: { ...SANDBOX_ENV }, cwd: dir });
      const code = await runCli(['-c', 'taskwire.yaml', ...args], io, now);
      return { code, out: stdout() + stderr() };
    },
    store: () => SqliteStore.open(join(dir, 'data/tw.db')),
    stop: () => sb.stop(),
  };
}

const HUMANS = new Set(PEOPLE.flatMap((p) => [p.github, p.jira, p.slack, p.notion]));

/** taskwire's own comments on each ticket, as the tools hold them (thread replies for Slack). */
export function ourComments(sb: Sandbox, task: { connector: string; key: string }): { text: string }[] {
  if (task.connector === 'github-acme') {
    const m = /^(.+)#(\d+)$/.exec(task.key)!;
    return sb.github.comments(m[1]!, Number(m[2])).filter((c) => c.user === 'taskwire-bot').map((c) => ({ text: c.body }));
  }
  if (task.connector === 'jira-acme') return sb.jira.comments(task.key).filter((c) => c.author === 'acc-taskwire').map((c) => ({ text: c.text }));
  if (task.connector === 'notion-acme') return sb.notion.commentsOn(task.key).filter((c) => !HUMANS.has(c.by)).map((c) => ({ text: c.text }));
  const [channel, ts] = task.key.split('/') as [string, string];
  return sb.slack
    .thread(channel, ts)
    .filter((m) => m.ts !== ts && !HUMANS.has(m.user))
    .map((m) => ({ text: m.text }));
}
