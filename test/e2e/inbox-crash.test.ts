/**
 * At-least-once intake, exactly-once effect: `kill -9` of the daemon right after it acknowledged a burst
 * of webhooks, then a restart — every acknowledged delivery is processed, and none twice. Polling is
 * made to fail throughout, so nothing but the inbox can bring these changes in (as with a Slack capture
 * reaction, which no poll sees).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GithubFake } from '../../connectors/github/fake.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { freePort, spawnDaemon, until } from '../support/daemon.js';

const N = 40;

describe('kill -9 right after a burst of acknowledged webhooks', () => {
  it('a restart processes every delivery exactly once', async () => {
    const fake = new GithubFake({ repos: [{ fullName: 'acme/infra', issues: Array.from({ length: N }, (_, i) => ({ title: `Issue ${i + 1}` })) }] }, { self: 'taskwire-bot' });
    await fake.start();
    // The issue listing always fails: only webhooks can bring these issues in.
    fake.server.fail({ status: 503, times: 1_000_000, match: (q) => q.method === 'GET' && q.path === '/repos/acme/infra/issues' });
    fake.server.setLatency(100); // each delivery reads its issue again: processing lags behind the acknowledgements
    const dir = mkdtempSync(join(tmpdir(), 'tw-inbox-crash-'));
    const port = await freePort();
    writeFileSync(
      join(dir, 'taskwire.yaml'),
      `store: { path: data/tw.db }
server: { host: 127.0.0.1, port: ${port} }
log: { level: warn, format: json }
connectors:
  - { name: github-acme, type: github, baseUrl: "${fake.url}", token: "\${GH_TOKEN}", repos: [acme/infra], pollInterval: 1h, webhook: { secrets: ["\${HOOK}"] } }
`,
    );
    const env = { GH_TOKEN: 'ghp_faketoken', HOOK: 'hook-secret' };
    const healthy = () => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    const first = spawnDaemon(dir, env);
    let second: ReturnType<typeof spawnDaemon> | null = null;
    try {
      await until(healthy, 20_000, () => `the daemon to answer (${first.output()})`);
      const deliveries = Array.from({ length: N }, (_, i) => {
        const opened = fake.payload('issues', 'opened', 'acme/infra', i + 1, 'alexk') as { issue: unknown; repository: unknown; sender: unknown };
        return { id: `burst-${i + 1}`, payload: { action: 'blocked_by_added', blocked_issue: opened.issue, repository: opened.repository, sender: opened.sender } };
      });
      const acks = await Promise.all(deliveries.map((d) => fake.sendWebhook(`http://127.0.0.1:${port}/webhooks/github-acme`, 'issue_dependencies', d.payload, 'hook-secret', d.id)));
      expect(acks.map((a) => a.status)).toEqual(deliveries.map(() => 200));
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');

      const store = SqliteStore.open(join(dir, 'data/tw.db'));
      const before = new Map((await store.inbox.list()).map((r) => [r.deliveryId, r]));
      expect(before.size).toBe(N); // every acknowledged delivery was stored
      const doneBefore = [...before.values()].filter((r) => r.status === 'processed');
      expect(doneBefore.length).toBeLessThan(N); // the kill came while most were still waiting

      second = spawnDaemon(dir, env);
      await until(async () => (await store.inbox.list()).every((r) => r.status === 'processed'), 60_000, () => `the inbox to be processed (${second!.output()})`);
      const after = await store.inbox.list();
      expect(after).toHaveLength(N);
      // Finished once: what the first daemon had finished was not taken up again.
      for (const r of doneBefore) expect(after.find((a) => a.id === r.id)!.finishedAt).toBe(r.finishedAt);
      const keys = (await store.listTasks()).map((t) => t.key);
      expect(new Set(keys)).toEqual(new Set(deliveries.map((_, i) => `acme/infra#${i + 1}`)));
      await store.close();
      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
    } finally {
      for (const d of [first, second]) if (d && d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
      await fake.stop();
    }
  }, 120_000);
});
