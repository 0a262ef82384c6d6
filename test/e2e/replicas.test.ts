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
import { admin, cluster, flagNames, type Cluster } from '../support/cluster.js';
import { until } from '../support/daemon.js';
import { captureIo } from '../support/io.js';
import { ourComments } from '../support/sandbox.js';

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

/** A web UI page's live stream on a replica: how many `changed` events it has heard. */
function liveEvents(url: string): { open: Promise<void>; changes(): number; close(): void } {
  const ac = new AbortController();
  let n = 0;
  const open = fetch(`${url}/ui/events`, { headers: { authorization: `Bearer ${SANDBOX_ENV.TASKWIRE_API_TOKEN}` }, signal: ac.signal }).then((res) => {
    const reader = res.body!.getReader();
    void (async () => {
      for (;;) {
        const { value, done } = (await reader.read().catch(() => ({ value: undefined, done: true }))) as { value?: Uint8Array; done: boolean };
        if (done) return;
        n += (new TextDecoder().decode(value).match(/^event: changed$/gm) ?? []).length;
      }
    })();
  });
  return { open, changes: () => n, close: () => ac.abort() };
}

describe('three replicas on one PostgreSQL database', () => {
  it('capture the sandbox as one taskwire would; a webhook delivered to two replicas at once is stored and processed once; a page open on any replica hears of every change', async () => {
    c = await cluster(3);
    const cl = c;
    const expected = await reference(cl);
    expect(expected).toContain('acme/infra#12: no_owner');
    await until(async () => JSON.stringify(await flagNames(cl.store)) === JSON.stringify(expected), 90_000, () => 'the cluster to raise the flags a single taskwire raises');
    // One holder per lease: each connector's poll, and the evaluator.
    const leases = await cl.store.leases.list();
    expect(leases.filter((l) => l.live).map((l) => l.name).sort()).toEqual(['evaluator', 'poll:email-acme', 'poll:github-acme', 'poll:jira-acme', 'poll:notion-acme', 'poll:slack-acme']);
    for (const l of leases) expect(cl.replicaOf(l.holder)).toBeGreaterThanOrEqual(0);
    // Any replica tells which replica holds which lease, since when: /metrics, and /readyz with the API token.
    const metrics = await (await fetch(`${cl.replicas[2]!.url}/metrics`)).text();
    for (const l of leases.filter((x) => x.live)) expect(metrics).toContain(`taskwire_lease_acquired_timestamp_seconds{lease="${l.name}",holder="${l.holder}"} ${Date.parse(l.acquiredAt) / 1000}`);
    const ready = (await (await fetch(`${cl.replicas[0]!.url}/readyz`, { headers: { authorization: `Bearer ${SANDBOX_ENV.TASKWIRE_API_TOKEN}` } })).json()) as { leases: { name: string; holder: string; since: string }[] };
    expect(ready.leases.map((l) => `${l.name} ${l.holder} ${l.since}`).sort()).toEqual(leases.filter((x) => x.live).map((l) => `${l.name} ${l.holder} ${l.acquiredAt}`).sort());

    // A board open on each replica (its live stream), before the change arrives.
    const streams = cl.replicas.map((r) => liveEvents(r.url));
    await Promise.all(streams.map((s) => s.open));

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
    // Every replica's open page is told, the one that took no delivery too (replica 2), and its board shows it.
    await until(() => streams.every((s) => s.changes() > 0), 15_000, () => `every replica's page to hear of the change (${streams.map((s) => s.changes()).join(', ')})`);
    for (const s of streams) s.close();
    const board = await (await fetch(`${cl.replicas[2]!.url}/?q=VPN%20certificate`, { headers: { authorization: `Bearer ${SANDBOX_ENV.TASKWIRE_API_TOKEN}` } })).text();
    expect(board).toContain('Renew the VPN certificate');

    // A change the evaluator itself takes (it tells no one to evaluate): the other replicas' pages hear too.
    const evaluator = cl.replicaOf((await cl.store.leases.list()).find((l) => l.live && l.name === 'evaluator')!.holder);
    const others = cl.replicas.filter((_, i) => i !== evaluator).map((r) => liveEvents(r.url));
    await Promise.all(others.map((s) => s.open));
    const second = cl.sb.github.createIssue('acme/infra', { title: 'Rotate the backup keys', user: who('alex').github });
    const answer = await cl.sb.github.sendWebhook(`${cl.replicas[evaluator]!.url}/webhooks/github-acme`, 'issues', cl.sb.github.payload('issues', 'opened', 'acme/infra', second, who('alex').github), SANDBOX_ENV.GITHUB_WEBHOOK_SECRET, 'to-the-evaluator');
    expect(answer.status).toBe(200);
    await until(() => others.every((s) => s.changes() > 0), 15_000, () => `the other replicas' pages to hear of the evaluator's change (${others.map((s) => s.changes()).join(', ')})`);
    for (const s of others) s.close();
  }, 180_000);

  it('kill -9 of the replica polling a connector in the middle of a backfill: another takes over within 30 s, the backfill completes, nothing missing, no cursor moved back', async () => {
    const ISSUES = 2500;
    const backlog: string[] = [];
    c = await cluster(3, {
      before: (sb) => {
        for (let i = 0; i < ISSUES; i++) backlog.push(`acme/infra#${sb.github.createIssue('acme/infra', { title: `Backlog item ${i + 1}`, user: 'alexk' })}`);
        sb.github.server.setLatency(250); // a backfill of tens of pages that takes a while
      },
    });
    const cl = c;
    // Where the GitHub backfill stands: the newest update time read, and how many items at exactly that time.
    const position = async (): Promise<[number, number] | null> => {
      const cursor = (await cl.store.getCursor('github-acme')) as { repos?: Record<string, { issues: { since: string | null; edge: string[] } }> } | null;
      const issues = cursor?.repos?.['acme/infra']?.issues;
      return issues?.since ? [Date.parse(issues.since), issues.edge.length] : null;
    };
    await until(async () => (await position()) !== null, 60_000, () => 'the backfill to store its first page');
    const holder = (await cl.store.leases.list()).find((l) => l.name === 'poll:github-acme' && l.live)!;
    const victim = cl.replicaOf(holder.holder);
    expect(victim).toBeGreaterThanOrEqual(0);
    // Watch the cursor: it may only move forward.
    const seen: [number, number][] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const p = await position();
        if (p !== null && JSON.stringify(p) !== JSON.stringify(seen.at(-1))) seen.push(p);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    cl.replicas[victim]!.d.child.kill('SIGKILL');
    const killedAt = Date.now();
    await until(async () => (await cl.store.leases.list()).some((l) => l.name === 'poll:github-acme' && l.live && l.holder !== holder.holder), 30_000, () => 'another replica to take the poll over');
    const takeover = Date.now() - killedAt;
    const stored = async () => new Set((await cl.store.listTasks({ connector: 'github-acme', includeDeleted: true })).map((t) => t.key));
    await until(async () => {
      const keys = await stored();
      return backlog.every((k) => keys.has(k));
    }, 120_000, () => 'the backfill to complete');
    watching = false;
    await watch;
    expect(takeover).toBeLessThan(30_000);
    expect(seen.length).toBeGreaterThan(1);
    expect([...seen].sort((a, b) => a[0] - b[0] || a[1] - b[1])).toEqual(seen);
    const lease = (await cl.store.leases.list()).find((l) => l.name === 'poll:github-acme')!;
    expect(lease.token).toBeGreaterThan(holder.token);
  }, 240_000);

  it('kill -9 of a replica in the middle of sending, with slow writes: one status comment per ticket, one message per person', async () => {
    // New work arrives by poll (this cluster gets no webhooks): every few seconds, not every 5 minutes.
    c = await cluster(3, { mode: 'send', edit: (y) => y.replace(/^( {2}- name: \w+-acme\n)/gm, '$1    pollInterval: 3s\n') });
    const cl = c;
    // Install day seeds silently; then new work earns direct messages.
    await until(async () => (await Promise.all(['github-acme', 'jira-acme', 'slack-acme', 'notion-acme'].map((n) => cl.store.getMeta(`seeded:${n}`)))).every((v) => v !== null), 90_000, () => 'every connector to be seeded');
    for (const f of [cl.sb.github, cl.sb.jira, cl.sb.slack, cl.sb.notion]) f.server.setLatency(300);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    cl.sb.jira.createIssue({ key: 'OPS-30', summary: 'Rotate the backup encryption keys', assignee: who('sam').jira, reporter: who('priya').jira, status: 'In Progress', priority: 'High', duedate: yesterday, description: 'Quarterly rotation.\n\n## Acceptance criteria\n\nold keys revoked' });
    cl.sb.github.createIssue('acme/infra', { title: 'Write the cutover runbook', body: 'Step by step.\n\n## Acceptance criteria\n- reviewed by Priya', labels: ['P2'], assignees: [who('mia').github], user: who('priya').github });
    // The moment a follow-up is on its way, the replica sending it dies.
    let victim = -1;
    await until(async () => {
      const sending = (await cl.store.outbox.list({ status: ['claimed', 'sending'] }))[0];
      if (!sending?.claimedBy) return false;
      victim = cl.replicaOf(sending.claimedBy);
      return victim >= 0;
    }, 120_000, () => 'a follow-up to be on its way');
    cl.replicas[victim]!.d.child.kill('SIGKILL');
    await until(async () => (await cl.store.outbox.list({ status: ['planned', 'pending', 'claimed', 'sending'] })).length === 0 && cl.sb.slack.dmsTo(who('sam').slack).length > 0, 180_000, () => 'the outbox to drain').catch(async (e: Error) => {
      // What was left, and what each replica said: enough to tell a lost follow-up from a slow one.
      const left = (await cl.store.outbox.list({})).filter((r) => r.status !== 'sent').map((r) => [r.id, r.kind, r.recipient, r.status, r.taskId]);
      throw new Error(`${e.message}\noutbox not sent: ${JSON.stringify(left)}\nleases: ${JSON.stringify(await cl.store.leases.list())}\n${cl.replicas.map((r, i) => `replica ${i}:\n${r.d.output().slice(-3000)}`).join('\n')}`);
    });
    expect(await cl.store.outbox.list({ status: ['dead'] })).toEqual([]);
    for (const p of PEOPLE) {
      const texts = cl.sb.slack.dmsTo(p.slack).map((m) => m.text);
      expect(new Set(texts).size, `${p.id}: ${JSON.stringify(texts)}`).toBe(texts.length);
    }
    expect(cl.sb.slack.dmsTo(who('sam').slack), JSON.stringify(cl.sb.slack.dmsTo(who('sam').slack).map((m) => m.text))).toHaveLength(1);
    for (const t of await cl.store.listTasks()) expect(ourComments(cl.sb, t).length, t.id).toBeLessThanOrEqual(1);
  }, 300_000);

  it("pg_terminate_backend of a replica's connections while it holds leases: it stops acting as holder, reconnects, and nothing is doubled", async () => {
    c = await cluster(3, { mode: 'send', roles: true, edit: (y) => y.replace('poolSize: 4 }', 'poolSize: 4, leaseTtl: 6s }') });
    const cl = c;
    await until(async () => (await cl.store.leases.list()).filter((l) => l.live).length === 6, 60_000, () => 'every lease to be held');
    const before = (await cl.store.leases.list()).find((l) => l.name === 'poll:github-acme')!;
    const victim = cl.replicaOf(before.holder);
    const role = cl.roleOf(victim);
    // Its connections terminated, and new ones refused, for longer than a lease lasts.
    await admin(async (a) => {
      await a.query(`ALTER ROLE "${role}" NOLOGIN`);
      await a.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
    });
    // It notices and stops acting as holder; the others take its leases over (new tokens).
    await until(() => /lease lost: stopped acting as its holder/.test(cl.replicas[victim]!.d.output()), 30_000, () => `the replica to say it stopped acting as holder (${cl.replicas[victim]!.d.output()})`);
    await until(async () => (await cl.store.leases.list()).filter((l) => l.holder === before.holder && l.live).length === 0, 30_000, () => 'the cut-off replica to lose its leases');
    const retaken = async () => (await cl.store.leases.list()).find((l) => l.name === 'poll:github-acme' && l.live && l.holder !== before.holder);
    await until(async () => (await retaken()) !== undefined, 30_000, () => 'another replica to take the poll lease over');
    const after = (await retaken())!;
    expect(after.token).toBeGreaterThan(before.token);
    expect(cl.replicaOf(after.holder)).not.toBe(victim);
    // The database lets it back in: it reconnects, takes a webhook and stores it.
    await admin((a) => a.query(`ALTER ROLE "${role}" LOGIN`));
    const issue = cl.sb.github.createIssue('acme/infra', { title: 'After the outage', user: who('alex').github });
    const payload = cl.sb.github.payload('issues', 'opened', 'acme/infra', issue, who('alex').github);
    await until(async () => (await cl.sb.github.sendWebhook(`${cl.replicas[victim]!.url}/webhooks/github-acme`, 'issues', payload, SANDBOX_ENV.GITHUB_WEBHOOK_SECRET, 'after-outage')).status === 200, 30_000, () => 'the replica to store a webhook again');
    await until(async () => (await cl.store.getTask(`github-acme:acme/infra#${issue}`)) !== null, 30_000, () => 'the delivery to be processed');
    await until(async () => (await cl.store.outbox.list({ status: ['pending', 'claimed', 'sending'] })).length === 0, 120_000, () => 'the outbox to drain');
    for (const t of await cl.store.listTasks()) expect(ourComments(cl.sb, t).length, t.id).toBeLessThanOrEqual(1);
    expect((await cl.store.inbox.list()).filter((r) => r.deliveryId === 'after-outage')).toHaveLength(1);
  }, 240_000);

  it('delivers the daily report once with three replicas', async () => {
    c = await cluster(3, { mode: 'send', edit: (y) => y.replace(/^report:\n/m, "report:\n  schedule: '*/4 * * * * *'\n") });
    const cl = c;
    // Several scheduled slots go by, each firing on all three replicas.
    await until(async () => (await cl.store.pool.query<{ n: number }>('SELECT count(*) AS n FROM runs')).rows[0]!.n >= 3, 60_000, () => 'three report slots');
    await until(async () => (await cl.store.outbox.list({ status: ['pending', 'claimed', 'sending'] })).length === 0, 60_000, () => 'the outbox to drain');
    const posts = cl.sb.slack.posts.filter((p) => /daily report/i.test(p.text));
    expect(posts).toHaveLength(1);
    // Each slot claimed by one replica; the day's post planned once, whoever claimed which slot.
    const runs = (await cl.store.pool.query<{ key: string; holder: string }>('SELECT key, holder FROM runs')).rows;
    expect(new Set(runs.map((r) => r.key)).size).toBe(runs.length);
    for (const r of runs) expect(cl.replicaOf(r.holder)).toBeGreaterThanOrEqual(0);
    expect((await cl.store.outbox.list()).filter((r) => r.kind === 'report')).toHaveLength(1);
  }, 120_000);
});
