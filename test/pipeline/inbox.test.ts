/**
 * The inbox worker: failures retried with backoff then dead-lettered with the reason (and replayable
 * from the CLI), a claim lost mid-processing changes nothing, shutdown lets claims go, and finished
 * rows are pruned after their retention.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connector, ParsedDelivery } from '../../connectors/port.js';
import { runCli } from '../../src/cli.js';
import { buildIdentity } from '../../src/core/identity.js';
import { processInbox } from '../../src/pipeline/inbox-worker.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { silentLog } from '../support/github.js';
import { captureIo } from '../support/io.js';
import { taskFields } from '../support/tasks.js';

const identity = buildIdentity({ people: [], teams: [], discovered: [] });

/** A connector whose deliveries are parsed by `parse` (the body names the task key). */
function connector(parse: (raw: Buffer) => Promise<ParsedDelivery>): Connector {
  return { name: 'github-acme', kind: 'github', webhook: { verify: () => undefined, deliveryId: () => 'x', parse } };
}

const task = (key: string): ParsedDelivery => ({ items: [{ type: 'task', task: taskFields({ key }) }] });

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'tw-inbox-'));
  let clock = Date.parse('2026-12-01T09:00:00Z');
  const store = SqliteStore.open(join(dir, 'data/tw.db'), { clock: () => new Date(clock) });
  const receive = (id: string, body: string) => store.inbox.receive({ connector: 'github-acme', deliveryId: id, body: Buffer.from(body), headers: {} });
  return { dir, store, receive, advance: (ms: number) => void (clock += ms) };
}

describe('the inbox worker', () => {
  it('retries a failing delivery with backoff, dead-letters it with the reason, and the CLI lists and replays it', async () => {
    const { dir, store, receive, advance } = setup();
    let healthy = false;
    const c = connector(async (raw) => {
      if (!healthy) throw new Error('github-acme: GET /repos/acme/infra/issues/7: HTTP 502');
      return task(raw.toString());
    });
    const run = () => processInbox({ store, connectors: new Map([[c.name, c]]), identity: () => identity, log: silentLog }, { maxAttempts: 2, baseBackoffMs: 60_000 });
    await receive('d-1', 'acme/infra#7');
    expect(await run()).toMatchObject({ retry: 1 });
    expect(await run()).toMatchObject({ retry: 0, dead: 0 }); // not due yet: backoff
    advance(61_000);
    expect(await run()).toMatchObject({ dead: 1 });
    const [row] = await store.inbox.list({ status: ['dead'] });
    expect(row).toMatchObject({ deliveryId: 'd-1', attempts: 2, lastError: 'github-acme: GET /repos/acme/infra/issues/7: HTTP 502' });
    expect(await store.inbox.depth()).toMatchObject({ waiting: 0, dead: 1 });
    await store.close();

    writeFileSync(join(dir, 'taskwire.yaml'), 'store: { path: data/tw.db }\n');
    const cli = async (...args: string[]) => {
      const { io, stdout, stderr } = captureIo({ cwd: dir });
      const code = await runCli(['-c', 'taskwire.yaml', ...args], io);
      return { code, out: stdout() + stderr() };
    };
    const dead = await cli('inbox', '--dead');
    expect(dead.out).toMatch(/#\d+ dead +github-acme d-1 received .*, 2 attempt\(s\) — github-acme: GET \/repos\/acme\/infra\/issues\/7: HTTP 502/);
    expect((await cli('inbox', '--replay', String(row!.id))).code).toBe(0);
    expect((await cli('inbox', '--replay', String(row!.id))).code).toBe(2); // not dead any more

    const again = SqliteStore.open(join(dir, 'data/tw.db'));
    healthy = true;
    expect(await processInbox({ store: again, connectors: new Map([[c.name, c]]), identity: () => identity, log: silentLog })).toMatchObject({ processed: 1 });
    expect(await again.getTask('github-acme:acme/infra#7')).not.toBeNull();
    await again.close();
  });

  it('a worker whose claim ran out and was taken over changes nothing when it finishes', async () => {
    const { store, receive } = setup();
    let release: () => void = () => undefined;
    const stalled = new Promise<void>((r) => (release = r));
    let calls = 0;
    const c = connector(async (raw) => {
      if (++calls === 1) await stalled; // the first worker stalls past its lease
      return task(raw.toString());
    });
    await receive('d-1', 'acme/infra#8');
    const deps = (holder: string) => ({ store, connectors: new Map([[c.name, c]]), identity: () => identity, log: silentLog, holder });
    const slow = processInbox(deps('worker-a'), { leaseMs: 30 });
    await new Promise((r) => setTimeout(r, 80)); // a's lease has run out (its renewals cannot keep it: 30 ms)
    store.db.prepare("UPDATE inbox SET lease_until = '1970-01-01T00:00:00.000Z' WHERE claimed_by = 'worker-a'").run();
    expect(await processInbox(deps('worker-b'))).toMatchObject({ processed: 1 });
    release();
    expect(await slow).toMatchObject({ processed: 0, lost: 1 });
    const history = store.db.prepare("SELECT count(*) AS n FROM inbox WHERE status = 'processed'").get() as { n: number };
    expect(history.n).toBe(1);
    expect((await store.inbox.list())[0]).toMatchObject({ claimedBy: 'worker-b', attempts: 2 });
    await store.close();
  });

  it('lets its claims go on shutdown, and prunes finished deliveries after their retention (dead ones later)', async () => {
    const { store, receive, advance } = setup();
    await receive('d-1', 'acme/infra#1');
    await receive('d-2', 'acme/infra#2');
    const [first] = await store.inbox.claim('worker-a', 60_000, 1);
    expect(await store.inbox.release('worker-a')).toBe(1);
    expect((await store.inbox.get(first!.id))?.status).toBe('received');
    const ok = connector(async (raw) => task(raw.toString()));
    await processInbox({ store, connectors: new Map([[ok.name, ok]]), identity: () => identity, log: silentLog });
    await receive('d-3', 'x');
    const [third] = await store.inbox.claim('worker-a', 60_000, 1);
    await store.inbox.fail({ id: third!.id, holder: 'worker-a', token: third!.attempts }, 'broken', null);
    advance(8 * 86_400_000);
    expect(await store.inbox.prune(7 * 86_400_000, 30 * 86_400_000)).toBe(2);
    expect((await store.inbox.list()).map((r) => [r.deliveryId, r.status])).toEqual([['d-3', 'dead']]);
    advance(30 * 86_400_000);
    expect(await store.inbox.prune(7 * 86_400_000, 30 * 86_400_000)).toBe(1);
    await store.close();
  });
});
