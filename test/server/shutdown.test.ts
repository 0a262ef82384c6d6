/**
 * SIGTERM stops the daemon promptly and safely, whatever the tools are doing: during a slow backfill
 * (an acknowledged webhook stays safe in the inbox and a restart processes it), and with every tool
 * unreachable (refused, or never answering) — within the 10 s a container runtime waits before SIGKILL.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GithubFake } from '../../connectors/github/fake.js';
import { SANDBOX_ENV, sandboxConfig } from '../../src/sandbox/sandbox.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { blackHole, freePort, spawnDaemon, until } from '../support/daemon.js';

const healthy = (port: number) => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);

describe('graceful shutdown', () => {
  it('SIGTERM during a slow poll exits cleanly within the bound; an acknowledged webhook stays in the inbox and a restart processes it', async () => {
    const fake = new GithubFake({ repos: [{ fullName: 'acme/infra', issues: Array.from({ length: 150 }, (_, i) => ({ title: `Issue ${i + 1}` })) }] }, { self: 'taskwire-bot' });
    await fake.start();
    const dir = mkdtempSync(join(tmpdir(), 'tw-shutdown-'));
    const port = await freePort();
    writeFileSync(
      join(dir, 'taskwire.yaml'),
      `store: { path: data/tw.db }
server: { host: 127.0.0.1, port: ${port} }
log: { level: info, format: json }
connectors:
  - name: github-acme
    type: github
    baseUrl: ${fake.url}
    token: \${GH_TOKEN}
    repos: [acme/infra]
    webhook: { secrets: ["\${HOOK}"] }
`,
    );
    const env = { GH_TOKEN: 'ghp_faketoken', HOOK: 'hook-secret' };
    fake.server.setLatency(700); // every answer from "GitHub" takes 0.7 s: the first backfill is still running
    const first = spawnDaemon(dir, env);
    let second: ReturnType<typeof spawnDaemon> | null = null;
    try {
      await until(() => healthy(port), 20_000, () => `the daemon to answer (${first.output()})`);
      // A webhook acknowledged just before the signal (processing it means asking the slow "GitHub").
      fake.createIssue('acme/infra', { title: 'Opened during shutdown', user: 'alexk' });
      // A dependency event: processing it reads the issue again from "GitHub", which now takes longer
      // than a shutdown may.
      const opened = fake.payload('issues', 'opened', 'acme/infra', 151, 'alexk') as { issue: unknown; repository: unknown; sender: unknown };
      const payload = { action: 'blocked_by_added', blocked_issue: opened.issue, repository: opened.repository, sender: opened.sender };
      fake.server.setLatency(5000);
      const ack = await fake.sendWebhook(`http://127.0.0.1:${port}/webhooks/github-acme`, 'issue_dependencies', payload, 'hook-secret', 'late-delivery');
      expect(ack.status).toBe(200);
      const signalledAt = Date.now();
      first.child.kill('SIGTERM');
      const { code, at } = await first.exited;
      expect(code).toBe(0);
      expect(at - signalledAt).toBeLessThan(10_000);
      expect(first.output()).toMatch(/taskwire stopped/);
      const store = SqliteStore.open(join(dir, 'data/tw.db'));
      expect(await store.ping()).toBe(true);
      // Acknowledged means stored: left in the inbox, its claim let go (never lost).
      const row = (await store.inbox.list()).find((r) => r.deliveryId === 'late-delivery');
      expect(row?.status).toBe('received');
      // A restart takes up whatever was left.
      fake.server.setLatency(0);
      second = spawnDaemon(dir, env);
      await until(() => healthy(port), 20_000, () => `the restarted daemon to answer (${second!.output()})`);
      await until(async () => (await store.inbox.get(row!.id))?.status === 'processed', 30_000, () => `the delivery to be processed (${second!.output()})`);
      expect(await store.getTask('github-acme:acme/infra#151')).toMatchObject({ title: 'Opened during shutdown' });
      await store.close();
      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- daemon output ---\n${first.output()}\n${second?.output() ?? ''}`);
    } finally {
      for (const d of [first, second]) if (d && d.child.exitCode === null) d.child.kill('SIGKILL');
      await fake.stop();
    }
  }, 60_000);

  it('SIGTERM with every tool unreachable (refused, or never answering — the mailbox too) exits 0 within 10 s', async () => {
    const [hangJira, hangSlack] = [await blackHole(), await blackHole()];
    const refused = `http://127.0.0.1:${await freePort()}`;
    const dir = mkdtempSync(join(tmpdir(), 'tw-unreachable-'));
    const port = await freePort();
    writeFileSync(join(dir, 'taskwire.yaml'), sandboxConfig({ github: refused, jira: hangJira.url, slack: hangSlack.url, notion: refused, imapPort: Number(new URL(hangSlack.url).port), smtpPort: Number(new URL(refused).port) }, { port, mode: 'send' }));
    const d = spawnDaemon(dir, SANDBOX_ENV);
    try {
      await until(() => healthy(port), 20_000, () => `the daemon to answer (${d.output()})`);
      // Every connector is in its first poll by now: waiting on a silent tool, or backing off a refusal.
      await new Promise((r) => setTimeout(r, 1500));
      const signalledAt = Date.now();
      d.child.kill('SIGTERM');
      const { code, at } = await d.exited;
      expect(code, d.output()).toBe(0);
      expect(at - signalledAt, d.output()).toBeLessThan(10_000);
    } finally {
      if (d.child.exitCode === null) d.child.kill('SIGKILL');
      await hangJira.close();
      await hangSlack.close();
    }
  }, 60_000);
});
