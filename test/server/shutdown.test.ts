import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GithubFake } from '../../connectors/github/fake.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';

const ROOT = resolve(import.meta.dirname, '../..');

describe('graceful shutdown', () => {
  it('SIGTERM during a slow poll exits cleanly within the bound, and an acknowledged webhook is not lost', async () => {
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
    fake.server.setLatency(700); // every answer from "GitHub" takes 0.7 s: the first backfill is still running
    const child = spawn(process.execPath, ['--import', join(ROOT, 'node_modules/tsx/dist/loader.mjs'), join(ROOT, 'src/cli.ts'), '-c', 'taskwire.yaml', 'run'], { cwd: dir, env: { ...process.env, GH_TOKEN: 'ghp_faketoken', HOOK: 'hook-secret' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((r) => child.on('exit', (code, signal) => r({ code, signal, at: Date.now() })));
    try {
      // Wait until it answers.
      for (let i = 0; i < 200; i++) {
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
        if (ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      // A webhook acknowledged just before the signal.
      fake.createIssue('acme/infra', { title: 'Opened during shutdown', user: 'alexk' });
      const payload = fake.payload('issues', 'opened', 'acme/infra', 151, 'alexk');
      const ack = await fake.sendWebhook(`http://127.0.0.1:${port}/webhooks/github-acme`, 'issues', payload, 'hook-secret', 'late-delivery');
      expect(ack.status).toBe(200);
      const signalledAt = Date.now();
      child.kill('SIGTERM');
      const { code, at } = await exited;
      expect(code).toBe(0);
      expect(at - signalledAt).toBeLessThan(12_000);
      expect(stderr).toMatch(/taskwire stopped/);
      const store = SqliteStore.open(join(dir, 'data/tw.db'));
      expect(await store.getTask('github-acme:acme/infra#151')).toMatchObject({ title: 'Opened during shutdown' });
      expect(store.db.prepare("SELECT status FROM webhook_deliveries WHERE delivery_id = 'late-delivery'").get()).toEqual({ status: 'processed' });
      expect(await store.ping()).toBe(true);
      await store.close();
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- daemon stderr ---\n${stderr}`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await fake.stop();
    }
  }, 60_000);
});

/** A port nothing listens on right now (the OS picks it), for a daemon in a child process to take. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolvePort(port));
    });
  });
}
