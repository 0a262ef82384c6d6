/**
 * `kill -9` of the daemon in the middle of sending follow-ups, then a restart: nobody gets a message
 * twice and no ticket gets a second status comment. The daemon runs in a child process (killed for
 * real); the tools' fakes run here, so they outlive it and say what actually reached them.
 */
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { SANDBOX_ENV } from '../../src/sandbox/sandbox.js';
import { PEOPLE, TEAM_TZ } from '../../src/sandbox/scenario.js';
import { ourComments, sandboxEnv } from '../support/sandbox.js';

const ROOT = resolve(import.meta.dirname, '../..');
const who = (id: string) => PEOPLE.find((p) => p.id === id)!;

function daemon(dir: string): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--import', join(ROOT, 'node_modules/tsx/dist/loader.mjs'), join(ROOT, 'src/cli.ts'), '-c', 'taskwire.yaml', 'run'], { cwd: dir, env: { ...process.env, ...SANDBOX_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return { child, exited: new Promise((r) => child.on('exit', (code) => r(code))), output: () => output };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('kill -9 during dispatch', () => {
  it('a restarted daemon finishes the job: no duplicate message, no second status comment', async () => {
    // Port 0: the daemon's server takes whatever port is free (nothing here calls it).
    const env = await sandboxEnv({ realClock: true, config: { port: 0 } });
    try {
      // Install day, in the foreground: seeded, status comments written.
      expect((await env.cli('sync')).code).toBe(0);
      // New work after the seed — it earns direct messages.
      const yesterday = DateTime.now().setZone(TEAM_TZ).minus({ days: 1 }).toISODate()!;
      env.sb.jira.createIssue({ key: 'OPS-30', summary: 'Rotate the backup encryption keys', assignee: who('sam').jira, reporter: who('priya').jira, status: 'In Progress', priority: 'High', duedate: yesterday, description: 'Quarterly rotation.\n\n## Acceptance criteria\n\nold keys revoked' });
      env.sb.github.createIssue('acme/infra', { title: 'Write the cutover runbook', body: 'Step by step.\n\n## Acceptance criteria\n- reviewed by Priya', labels: ['P2'], assignees: [who('mia').github], user: who('priya').github });
      for (const f of [env.sb.github, env.sb.jira, env.sb.slack, env.sb.notion]) f.server.setLatency(60);

      // First daemon: killed the moment a direct message reaches Slack — before it can record that it sent it.
      const first = daemon(env.dir);
      const dm = () => env.sb.slack.server.requests.some((r) => r.path === '/api/chat.postMessage' && String((r.body as { channel?: string } | undefined)?.channel ?? '').startsWith('D'));
      await until(dm, 60_000, () => `a direct message (daemon output: ${first.output()})`);
      first.child.kill('SIGKILL');
      expect(await first.exited).toBeNull();

      // Second daemon: picks up where the first stopped.
      const second = daemon(env.dir);
      const store = env.store();
      try {
        const pending = () => (store.db.prepare("SELECT count(*) AS n FROM outbox WHERE status IN ('planned', 'pending', 'claimed', 'sending')").get() as { n: number }).n;
        const dms = () => (store.db.prepare("SELECT count(*) AS n FROM outbox WHERE kind = 'direct_message' AND status = 'sent'").get() as { n: number }).n;
        await until(() => dms() >= 2 && pending() === 0, 60_000, () => `the outbox to drain (daemon output: ${second.output()})`);
        expect((store.db.prepare("SELECT count(*) AS n FROM outbox WHERE status = 'dead'").get() as { n: number }).n).toBe(0);
        // Each person's DMs, as Slack holds them: no text twice.
        for (const p of PEOPLE) {
          const texts = env.sb.slack.dmsTo(p.slack).map((m) => m.text);
          expect(new Set(texts).size, `${p.id}: ${JSON.stringify(texts)}`).toBe(texts.length);
        }
        expect(env.sb.slack.dmsTo(who('sam').slack).length).toBe(1);
        expect(env.sb.slack.dmsTo(who('mia').slack).length).toBe(1);
        // Every ticket with a status comment has exactly one.
        for (const t of await store.listTasks()) expect(ourComments(env.sb, t).length, t.id).toBeLessThanOrEqual(1);
      } finally {
        await store.close();
        second.child.kill('SIGTERM');
        expect(await second.exited).toBe(0);
      }
    } finally {
      await env.stop();
    }
  }, 120_000);
});
