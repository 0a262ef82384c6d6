/**
 * The store contract: what every adapter of the store port promises, run unchanged against SQLite and
 * PostgreSQL (contract.sqlite.test.ts, contract.pg.test.ts) — tasks, history, flags, cursors, the
 * inbox, the outbox, leases, runs, as-of queries and the backtest. Nothing here depends on a clock the
 * test controls: PostgreSQL keeps its own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Flag, FlagCode } from '../../src/core/model.js';
import type { PlannedAction } from '../../src/core/planner.js';
import { storeAsOf } from '../../src/store/as-of.js';
import { LostLeaseError } from '../../src/store/leases.js';
import { claimOfRow } from '../../src/store/outbox.js';
import type { StoreItem, TaskStore } from '../../src/store/store.js';
import { runBacktest } from '../../src/pipeline/backtest.js';
import { buildIdentity } from '../../src/core/identity.js';
import { configSchema } from '../../src/config/schema.js';
import { gh, taskFields } from '../support/tasks.js';

export type OpenStore = () => Promise<{ store: TaskStore; cleanup: () => Promise<void> }>;

const GH = { name: 'github-acme', kind: 'github' } as const;
const JIRA = { name: 'jira-acme', kind: 'jira' } as const;
const item = (over: Parameters<typeof taskFields>[0], owner: string | null = null, extra: Partial<Extract<StoreItem, { type: 'task' }>> = {}): StoreItem => ({ type: 'task', task: taskFields(over), owner, ...extra });
const flag = (taskId: string, code: FlagCode): Flag => ({ taskId, code, severity: 'warning', reason: code, evidence: {} });
const comment = (n: number, text: string): PlannedAction => ({
  key: `status:${n}:${text}`,
  connector: 'github-acme',
  kind: 'status_comment',
  taskId: `github-acme:a#${n}`,
  recipient: null,
  subject: `status:github-acme:a#${n}`,
  action: { type: 'status_comment', taskKey: `a#${n}`, marker: `<!-- taskwire:status github-acme:a#${n} -->`, body: text },
  reason: 'r',
  notBefore: null,
  about: [],
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function storeContract(name: string, open: OpenStore): void {
  describe(`the store contract: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const c of cleanups.splice(0)) await c();
    });
    const fresh = async () => {
      const s = await open();
      cleanups.push(s.cleanup);
      return s.store;
    };

    it('applies a page with its cursor; re-applying it changes nothing; a change is history; an older page is stale', async () => {
      const store = await fresh();
      const r = await store.applyBatch(GH, [item({ key: 'a#1', assignees: [gh('alexk')] }, 'alex'), item({ key: 'a#2' })], { since: 'x' });
      expect(r).toMatchObject({ inserted: 2, updated: 0, unchanged: 0 });
      expect([...r.changed].sort()).toEqual(['github-acme:a#1', 'github-acme:a#2']);
      expect(await store.getCursor('github-acme')).toEqual({ since: 'x' });
      expect(await store.applyBatch(GH, [item({ key: 'a#1', assignees: [gh('alexk')] }, 'alex'), item({ key: 'a#2' })], null)).toMatchObject({ inserted: 0, unchanged: 2, changed: [] });
      const changed = await store.applyBatch(GH, [item({ key: 'a#1', status: 'in_progress', due: '2026-11-26', updatedAt: '2026-11-03T10:00:00Z', assignees: [gh('alexk')] }, 'alex', { actor: 'human', actorId: 'alexk' })], null);
      expect(changed).toMatchObject({ updated: 1, changed: ['github-acme:a#1'] });
      expect((await store.history('github-acme:a#1')).map((h) => [h.field, h.oldValue, h.newValue, h.at, h.actor, h.actorId, h.source])).toEqual([
        ['status', '"todo"', '"in_progress"', '2026-11-03T10:00:00.000Z', 'human', 'alexk', 'diff'],
        ['due', null, '"2026-11-26"', '2026-11-03T10:00:00.000Z', 'human', 'alexk', 'diff'],
      ]);
      expect(await store.applyBatch(GH, [item({ key: 'a#1', status: 'done', updatedAt: '2026-11-02T11:00:00Z' })], null)).toMatchObject({ stale: 1, updated: 0 });
      expect((await store.getTask('github-acme:a#1'))?.status).toBe('in_progress');
      await store.resetCursor('github-acme');
      expect(await store.getCursor('github-acme')).toBeNull();
    });

    it("keeps taskwire's own records: verification, human activity moving forward only; soft-deletes and revives", async () => {
      const store = await fresh();
      await store.applyBatch(GH, [item({ key: 'a#1', status: 'done', doneAt: '2026-11-03T09:00:00.000Z', updatedAt: '2026-11-03T09:00:00Z' })], null);
      expect(await store.verifyTask('github-acme:a#1', '2026-11-04T09:00:00.000Z', 'priya', 'taskwire verify')).toBe(true);
      expect(await store.verifyTask('github-acme:a#1', '2026-11-04T09:00:00.000Z', 'priya', 'taskwire verify')).toBe(false);
      await store.applyBatch(GH, [item({ key: 'a#1', status: 'done', doneAt: '2026-11-03T09:00:00.000Z', title: 'Renamed', updatedAt: '2026-11-05T09:00:00Z' })], null);
      expect(await store.getTask('github-acme:a#1')).toMatchObject({ title: 'Renamed', verifiedAt: '2026-11-04T09:00:00.000Z', verifiedBy: 'priya' });
      await store.applyBatch(GH, [{ type: 'activity', key: 'a#1', at: '2026-11-06T09:00:00Z', actor: 'human', actorId: 'alexk', what: 'comment' }], null);
      await store.applyBatch(GH, [item({ key: 'a#1', status: 'done', doneAt: '2026-11-03T09:00:00.000Z', title: 'Renamed again', lastHumanActivityAt: null, updatedAt: '2026-11-07T09:00:00Z' })], null);
      expect((await store.getTask('github-acme:a#1'))?.lastHumanActivityAt).toBe('2026-11-06T09:00:00.000Z');
      expect(await store.applyBatch(GH, [{ type: 'deleted', key: 'a#1', at: '2026-11-08T09:00:00Z' }], null)).toMatchObject({ deleted: 1 });
      expect(await store.listTasks()).toEqual([]);
      expect((await store.listTasks({ includeDeleted: true })).map((t) => t.deletedAt)).toEqual(['2026-11-08T09:00:00.000Z']);
      await store.applyBatch(GH, [item({ key: 'a#1', status: 'todo', updatedAt: '2026-11-09T09:00:00Z' })], null);
      expect((await store.getTask('github-acme:a#1'))?.deletedAt).toBeNull();
    });

    it('keeps references, evidence, source history and activity once however often they are read', async () => {
      const store = await fresh();
      const page: StoreItem[] = [
        item({ key: 'a#1', url: 'https://example.test/a/issues/1', dependsOn: ['jira:OPS-1'], links: ['https://x.test/1'] }, null, { history: [{ field: 'status', oldValue: 'todo', newValue: 'in_progress', at: '2026-11-02T10:00:00Z', actor: 'human', actorId: 'alexk' }] }),
        { type: 'evidence', target: 'jira:OPS-1', kind: 'done', source: 'a#9', sourceUrl: null, at: '2026-11-02T11:00:00Z', actor: 'human', actorId: 'alexk', summary: 'PR a#9 merged' },
        { type: 'activity', key: 'a#1', at: '2026-11-02T12:00:00Z', actor: 'human', actorId: 'alexk', what: 'comment' },
        { type: 'history', key: 'a#1', entries: [{ field: 'due', oldValue: null, newValue: '2026-11-30', at: '2026-11-02T09:30:00Z', actor: 'human', actorId: 'alexk' }] },
      ];
      const first = await store.applyBatch(GH, page, null);
      expect(first).toMatchObject({ inserted: 1, evidence: 1, activity: 1 });
      const again = await store.applyBatch(GH, page, null);
      expect(again).toMatchObject({ evidence: 0, activity: 0, unchanged: 1 });
      expect((await store.history('github-acme:a#1')).map((h) => `${h.field}:${h.source}`)).toEqual(['due:source', 'status:source', 'activity:activity']);
      expect((await store.listEvidence()).map((e) => [e.target, e.kind, e.summary])).toEqual([['jira:OPS-1', 'done', 'PR a#9 merged']]);
      expect(await store.listEvidence({ targets: [] })).toEqual([]);
      expect((await store.getTask('github-acme:a#1'))?.dependsOn).toEqual(['jira:OPS-1']);
      expect(await store.resolveRef('github-acme:a#1')).toBe('github-acme:a#1');
      expect(await store.resolveRef('github:a#1')).toBe('github-acme:a#1');
      expect(await store.resolveRef('https://EXAMPLE.test/a/issues/1/#comment-3')).toBe('github-acme:a#1');
      expect(await store.resolveRef('github:nope')).toBeNull();
    });

    it('lists by owner, connector, status and open flag, ordered by due date', async () => {
      const store = await fresh();
      await store.applyBatch(GH, [item({ key: 'a#1', due: '2026-12-03' }, 'alex'), item({ key: 'a#2', status: 'done' }), item({ key: 'a#3', due: '2026-12-01' }, 'alex')], null);
      await store.applyBatch(JIRA, [item({ key: 'OPS-1' }, 'alex')], null);
      expect((await store.listTasks({ owner: 'alex' })).map((t) => t.key)).toEqual(['a#3', 'a#1', 'OPS-1']);
      expect((await store.listTasks({ connector: 'jira-acme' })).map((t) => t.key)).toEqual(['OPS-1']);
      expect((await store.listTasks({ status: ['done'] })).map((t) => t.key)).toEqual(['a#2']);
      expect((await store.listTasks({ limit: 1 })).map((t) => t.key)).toEqual(['a#3']);
      await store.applyFlags('all', [flag('github-acme:a#2', 'no_due_date')], '2026-11-20T09:00:00.000Z');
      expect((await store.listTasks({ flag: 'no_due_date' })).map((t) => t.key)).toEqual(['a#2']);
      expect(await store.recomputeOwners((as) => (as.length === 0 ? 'sam' : null))).toBe(4);
      expect((await store.listTasks({ owner: 'sam' })).length).toBe(4);
    });

    it('records an evaluation: flags opened, kept, resolved, and the follow-ups it plans in the same transaction', async () => {
      const store = await fresh();
      await store.applyBatch(GH, [item({ key: 'a#1' }), item({ key: 'a#2' })], null);
      const planner = (actions: PlannedAction[]) => ({ mode: 'send' as const, cycle: 'c', plan: () => actions });
      const one = await store.applyEvaluation('all', [flag('github-acme:a#1', 'no_owner'), flag('github-acme:a#2', 'stale')], '2026-11-20T09:00:00.000Z', planner([comment(1, 'needs an owner')]));
      expect(one.diff.opened.map((f) => f.code).sort()).toEqual(['no_owner', 'stale']);
      expect(one.planned).toBe(1);
      const two = await store.applyEvaluation(new Set(['github-acme:a#1', 'github-acme:a#2']), [flag('github-acme:a#1', 'no_owner')], '2026-11-21T09:00:00.000Z', planner([comment(1, 'needs an owner'), comment(1, 'needs an owner, still')]));
      expect(two.diff).toMatchObject({ opened: [], stillOpen: [{ code: 'no_owner' }], resolved: [{ code: 'stale', resolvedAt: '2026-11-21T09:00:00.000Z' }] });
      expect(two.planned).toBe(1); // the first version was there already: only the newer one is added…
      expect((await store.outbox.list()).map((r) => r.status)).toEqual(['skipped', 'pending']); // …and supersedes it
      expect((await store.openFlags()).map((f) => [f.code, f.firstSeenAt, f.lastSeenAt])).toEqual([['no_owner', '2026-11-20T09:00:00.000Z', '2026-11-21T09:00:00.000Z']]);
      expect([...(await store.flagsOpenAt('2026-11-20T12:00:00.000Z')).keys()].sort()).toEqual(['github-acme:a#1\u0000no_owner', 'github-acme:a#2\u0000stale']);
      expect((await store.flagSpans('2026-11-01T00:00:00.000Z')).length).toBe(2);
    });

    it('outbox: one row at a time per connector, in order per task; completion only by the claim holder; a person took a comment over', async () => {
      const store = await fresh();
      await store.applyBatch(GH, [item({ key: 'a#1' }), item({ key: 'a#2' })], null);
      await store.outbox.plan([{ ...comment(1, 'one'), subject: 's1' }, { ...comment(1, 'two'), subject: 's1b' }, comment(2, 'x')], 'send', 'c');
      expect(await store.outbox.dueConnectors()).toEqual(['github-acme']);
      const first = (await store.outbox.claimNext('github-acme', 'a', 60_000))!;
      const other = (await store.outbox.claimNext('github-acme', 'b', 60_000))!;
      expect(first.key).toBe('status:1:one');
      expect(other.key).toBe('status:2:x'); // a#1's second row waits for its first
      expect(await store.outbox.claimNext('github-acme', 'c', 60_000)).toBeNull();
      // b's claim is taken over (its lease ran out): b can complete nothing.
      expect(await store.outbox.release('b')).toBe(1);
      const retaken = (await store.outbox.claimNext('github-acme', 'c', 60_000))!;
      expect(retaken.id).toBe(other.id);
      expect(await store.outbox.complete(claimOfRow(other), other, { externalId: '7' })).toBe(false);
      expect(await store.outbox.complete(claimOfRow(retaken), retaken, { externalId: '7', url: 'https://x.test/7' })).toBe(true);
      expect((await store.outbox.renew([claimOfRow(first)], 60_000)).has(first.id)).toBe(true);
      expect(await store.outbox.complete(claimOfRow(first), first, { externalId: '9', leftAlone: 'a person edited the status comment' })).toBe(true);
      const next = (await store.outbox.claimNext('github-acme', 'a', 60_000))!;
      expect(next.key).toBe('status:1:two');
      expect(await store.outbox.markSending(claimOfRow(next), 60_000)).toBe(true);
      expect(await store.outbox.retry(claimOfRow(next), 'HTTP 502', 0)).toBe(true);
      const again = (await store.outbox.claimNext('github-acme', 'a', 60_000))!;
      expect(again).toMatchObject({ id: next.id, attempts: 2, lastError: 'HTTP 502' });
      expect(await store.outbox.dead(claimOfRow(again), 'HTTP 404')).toBe(true);
      expect(await store.outbox.replay(again.id)).toBe(true);
      expect((await store.outbox.statusComments()).map((c) => [c.taskId, c.externalId, c.leftAloneWhy])).toEqual([
        ['github-acme:a#1', '9', 'a person edited the status comment'],
        ['github-acme:a#2', '7', null],
      ]);
      expect((await store.getTask('github-acme:a#2'))?.lastWrittenByUsAt).not.toBeNull();
      expect(await store.outbox.depth()).toMatchObject({ pending: 1, dead: 0 });
      expect([...(await store.outbox.commentedTasks())].sort()).toEqual(['github-acme:a#1', 'github-acme:a#2']);
      expect((await store.outbox.past('2020-01-01T00:00:00.000Z')).map((p) => p.status)).toEqual(['skipped', 'pending', 'sent']);
    });

    it('outbox: a message left sending by a dead holder comes back to be checked for before it is sent again', async () => {
      const store = await fresh();
      await store.outbox.plan([{ ...comment(1, 'm'), kind: 'direct_message', taskId: null, subject: 'dm:sam', action: { type: 'direct_message', accountId: 'U0SAM', text: 'hi', idempotencyKey: 'k' } }], 'send', 'c');
      const row = (await store.outbox.claimNext('github-acme', 'gone', 50))!;
      expect(await store.outbox.markSending(claimOfRow(row), 50)).toBe(true);
      await sleep(120);
      expect(await store.outbox.recoverInterrupted()).toBe(1);
      const again = (await store.outbox.claimNext('github-acme', 'me', 60_000))!;
      expect(again).toMatchObject({ attempts: 2, lastError: expect.stringMatching(/checked before sending again/) });
    });

    it('inbox: stored once, claimed in order, finished only by its holder, retried, dead-lettered, replayed, pruned', async () => {
      const store = await fresh();
      const d = (id: string) => ({ connector: 'github-acme', deliveryId: id, body: Buffer.from(`{"n":"${id}"}`), headers: { 'x-github-event': 'issues' } });
      expect(await store.inbox.receive(d('d1'))).toBe(true);
      expect(await store.inbox.receive(d('d1'))).toBe(false);
      expect(await store.inbox.receive(d('d2'))).toBe(true);
      expect(await store.inbox.depth()).toMatchObject({ waiting: 2, dead: 0 });
      const [a, b] = await store.inbox.claim('w1', 60_000, 10);
      expect([a!.deliveryId, b!.deliveryId]).toEqual(['d1', 'd2']);
      expect(a!.body?.toString()).toBe('{"n":"d1"}');
      expect(a!.headers).toEqual({ 'x-github-event': 'issues' });
      expect(await store.inbox.claim('w2', 60_000, 10)).toEqual([]);
      expect((await store.inbox.renew([{ id: a!.id, holder: 'w1', token: 1 }], 60_000)).has(a!.id)).toBe(true);
      expect(await store.inbox.finish({ id: a!.id, holder: 'w2', token: 1 }, 'processed')).toBe(false);
      // Items applied and the row finished in one transaction; a lost claim writes nothing.
      const applied = await store.applyDeliveries(GH, [{ claim: { id: a!.id, holder: 'w1', token: 1 }, items: [item({ key: 'a#1' })] }, { claim: { id: b!.id, holder: 'w9', token: 1 }, items: [item({ key: 'a#2' })] }], [{ kind: 'github', id: 'alexk', connector: 'github-acme' }]);
      expect(applied).toMatchObject({ finished: [a!.id], lost: [b!.id] });
      expect((await store.listTasks()).map((t) => t.key)).toEqual(['a#1']);
      expect((await store.listAccounts()).map((x) => x.id)).toEqual(['alexk']);
      expect(await store.inbox.fail({ id: b!.id, holder: 'w1', token: 1 }, 'HTTP 502', 0)).toBe(true);
      const [retry] = await store.inbox.claim('w1', 60_000, 10);
      expect(retry).toMatchObject({ id: b!.id, attempts: 2, lastError: 'HTTP 502' });
      expect(await store.inbox.fail({ id: b!.id, holder: 'w1', token: 2 }, 'HTTP 404', null)).toBe(true);
      expect((await store.inbox.list({ status: ['dead'] })).map((r) => r.deliveryId)).toEqual(['d2']);
      expect(await store.inbox.replay(b!.id)).toBe(true);
      const [third] = await store.inbox.claim('w1', 60_000, 10);
      expect(await store.inbox.release('w1')).toBe(1);
      expect((await store.inbox.get(third!.id))?.status).toBe('received');
      await sleep(5);
      expect(await store.inbox.prune(0, 0)).toBe(1); // the processed one
      expect((await store.inbox.list()).map((r) => r.status)).toEqual(['received']);
    });

    it('leases: one holder at a time, renewed, taken over when expired with a new token; a page under a lost lease writes nothing', async () => {
      const store = await fresh();
      const mine = (await store.leases.acquire('poll:github-acme', 'r1', 150))!;
      expect(mine).toMatchObject({ token: 1 });
      expect(await store.leases.acquire('poll:github-acme', 'r2', 150)).toBeNull();
      expect(await store.leases.renew(mine, 150)).toBe(true);
      expect(await store.leases.acquire('poll:github-acme', 'r1', 150)).toEqual(mine); // ours: renewed, same token
      await store.applyBatch(GH, [item({ key: 'a#1' })], { since: 'one' }, mine);
      await sleep(300);
      const theirs = (await store.leases.acquire('poll:github-acme', 'r2', 60_000))!;
      expect(theirs.token).toBe(2);
      expect(await store.leases.renew(mine, 150)).toBe(false);
      await expect(store.applyBatch(GH, [item({ key: 'a#2' })], { since: 'stale' }, mine)).rejects.toBeInstanceOf(LostLeaseError);
      expect(await store.getCursor('github-acme')).toEqual({ since: 'one' });
      expect(await store.getTask('github-acme:a#2')).toBeNull();
      expect((await store.leases.list()).map((l) => [l.name, l.holder, l.token, l.live])).toEqual([['poll:github-acme', 'r2', 2, true]]);
      await store.leases.release(theirs);
      expect((await store.leases.acquire('poll:github-acme', 'r3', 60_000))?.token).toBe(3);
    });

    it('an evaluation under an evaluator lease another replica has taken writes no flag and plans nothing', async () => {
      const store = await fresh();
      await store.applyBatch(GH, [item({ key: 'a#1' })], null);
      const mine = (await store.leases.acquire('evaluator', 'r1', 150))!;
      const planner = (lease: typeof mine) => ({ mode: 'send' as const, cycle: 'c', lease, plan: () => [comment(1, 'needs an owner')] });
      expect((await store.applyEvaluation('all', [flag('github-acme:a#1', 'no_owner')], '2026-11-20T09:00:00.000Z', planner(mine))).planned).toBe(1);
      await sleep(300);
      const theirs = (await store.leases.acquire('evaluator', 'r2', 60_000))!;
      await expect(store.applyEvaluation('all', [flag('github-acme:a#1', 'stale')], '2026-11-20T10:00:00.000Z', { ...planner(mine), plan: () => [comment(1, 'stale')] })).rejects.toBeInstanceOf(LostLeaseError);
      expect((await store.openFlags()).map((f) => f.code)).toEqual(['no_owner']);
      expect((await store.outbox.list()).map((r) => r.status)).toEqual(['pending']);
      expect((await store.applyEvaluation('all', [flag('github-acme:a#1', 'stale')], '2026-11-20T10:00:00.000Z', planner(theirs))).diff.opened.map((f) => f.code)).toEqual(['stale']);
    });

    it('runs once-per-cluster work once', async () => {
      const store = await fresh();
      expect(await store.claimRun('report', '2026-12-02', 'r1')).toBe(true);
      expect(await store.claimRun('report', '2026-12-02', 'r2')).toBe(false);
      expect(await store.claimRun('report', '2026-12-03', 'r2')).toBe(true);
    });

    it("keeps a connector's own state with the page that read it: set, replaced, deleted with the cursor, listed by literal prefix", async () => {
      const store = await fresh();
      await store.applyBatch(GH, [{ type: 'state', key: 'plan:a#1|acme/3', value: '{"v":1}' }, { type: 'state', key: 'plan:a#10|acme/3', value: '{"v":10}' }, { type: 'state', key: 'planX', value: 'other' }], { c: 1 });
      expect(await store.listMeta('connector:github-acme:plan:a#1|')).toEqual([['connector:github-acme:plan:a#1|acme/3', '{"v":1}']]);
      expect((await store.listMeta('connector:github-acme:plan:')).map(([k]) => k)).toEqual(['connector:github-acme:plan:a#10|acme/3', 'connector:github-acme:plan:a#1|acme/3']);
      // `_` and `%` are not wildcards.
      await store.setMeta('connector:github-acme:plan_x', 'y');
      expect((await store.listMeta('connector:github-acme:plan:')).length).toBe(2);
      await store.deleteMeta('connector:github-acme:plan_x');
      expect(await store.getMeta('connector:github-acme:plan_x')).toBeNull();
      await store.applyBatch(GH, [{ type: 'state', key: 'plan:a#1|acme/3', value: '{"v":2}' }, { type: 'state', key: 'plan:a#10|acme/3', value: null }], { c: 2 });
      expect(await store.listMeta('connector:github-acme:plan:')).toEqual([['connector:github-acme:plan:a#1|acme/3', '{"v":2}']]);
      expect(await store.getCursor('github-acme')).toEqual({ c: 2 });
      // Under a lease another replica has taken, neither the state nor the cursor moves.
      const mine = (await store.leases.acquire('poll:github-acme', 'r1', 150))!;
      await sleep(300);
      expect(await store.leases.acquire('poll:github-acme', 'r2', 60_000)).not.toBeNull();
      await expect(store.applyBatch(GH, [{ type: 'state', key: 'plan:a#1|acme/3', value: '{"v":3}' }], { c: 3 }, mine)).rejects.toBeInstanceOf(LostLeaseError);
      expect(await store.getMeta('connector:github-acme:plan:a#1|acme/3')).toBe('{"v":2}');
      expect(await store.getCursor('github-acme')).toEqual({ c: 2 });
    });

    it('answers the reading queries: accounts, meta, human status changes, samples, runs under way, status history, sync state, failing items', async () => {
      const store = await fresh();
      await store.recordAccounts([{ kind: 'github', id: 'alexk', connector: 'github-acme', name: 'Alex' }, { kind: 'github', id: 'bot', connector: 'github-acme', isBot: true }]);
      expect((await store.listAccounts()).map((a) => [a.id, a.name ?? null, a.isBot ?? false])).toEqual([['alexk', 'Alex', false], ['bot', null, true]]);
      await store.setMeta('k', 'v1');
      await store.setMeta('k', 'v2');
      expect(await store.getMeta('k')).toBe('v2');
      expect(await store.getMeta('none')).toBeNull();
      await store.applyBatch(GH, [item({ key: 'a#1', createdAt: '2026-11-01T09:00:00Z' })], { c: 1 });
      await store.applyBatch(GH, [item({ key: 'a#1', status: 'in_progress', updatedAt: '2026-11-02T09:00:00Z', createdAt: '2026-11-01T09:00:00Z' }, null, { actor: 'human', actorId: 'alexk' })], null);
      await store.applyBatch(GH, [item({ key: 'a#1', status: 'done', doneAt: '2026-11-04T09:00:00.000Z', updatedAt: '2026-11-04T09:00:00Z', createdAt: '2026-11-01T09:00:00Z' }, null, { actor: 'human', actorId: 'alexk' })], null);
      await store.applyBatch(GH, [item({ key: 'a#2', status: 'in_progress', updatedAt: '2026-11-05T09:00:00Z' }), { type: 'failed', key: 'a#3', error: 'HTTP 502' }], null);
      expect([...(await store.lastHumanStatusChanges())]).toEqual([['github-acme:a#1', '2026-11-04T09:00:00.000Z']]);
      expect(await store.cycleSamples()).toEqual([expect.objectContaining({ taskId: 'github-acme:a#1', startedAt: '2026-11-02T09:00:00.000Z', doneAt: '2026-11-04T09:00:00.000Z' })]);
      expect([...(await store.statusHistoryBetween('2026-11-01T00:00:00.000Z', '2026-11-03T00:00:00.000Z'))].map((h) => h.newValue)).toEqual(['"in_progress"']);
      expect((await store.itemFailures()).map((f) => [f.key, f.error, f.attempts])).toEqual([['a#3', 'HTTP 502', 1]]);
      expect(await store.dueItemFailures('github-acme', 10)).toEqual([]); // backoff: not yet
      expect((await store.syncState('2020-01-01T00:00:00.000Z')).find((s) => s.connector === 'github-acme')).toMatchObject({ failingItems: 1, deadLetters: 0 });
      await store.applyBatch(GH, [item({ key: 'a#3' })], null);
      expect(await store.itemFailures()).toEqual([]);
      expect(await store.ping()).toBe(true);
    });

    it('answers as of an instant (tasks rebuilt from history), and the backtest scores the history', async () => {
      const store = await fresh();
      await store.applyBatch(GH, [item({ key: 'a#1', due: '2026-11-10', createdAt: '2026-11-01T09:00:00Z' }, 'alex')], null);
      await store.applyBatch(GH, [item({ key: 'a#1', due: '2026-11-10', status: 'in_progress', createdAt: '2026-11-01T09:00:00Z', updatedAt: '2026-11-03T09:00:00Z' }, 'alex', { actor: 'human' })], null);
      await store.applyBatch(GH, [item({ key: 'a#1', due: '2026-11-10', status: 'done', doneAt: '2026-11-12T09:00:00.000Z', createdAt: '2026-11-01T09:00:00Z', updatedAt: '2026-11-12T09:00:00Z' }, 'alex', { actor: 'human' })], null);
      const then = await storeAsOf(store, Date.parse('2026-11-05T12:00:00Z'));
      expect((await then.getTask('github-acme:a#1'))?.status).toBe('in_progress');
      await expect(then.applyBatch(GH, [], null)).rejects.toThrow(/--as-of looks at the past/);
      const config = configSchema.parse({ timezone: 'UTC', people: [{ id: 'alex', name: 'Alex', accounts: { github: 'alexk' } }] });
      const result = runBacktest({ config, identity: buildIdentity({ people: config.people, teams: [] }), from: '2026-11-02', to: '2026-11-13', everyDays: 1, now: Date.parse('2026-11-14T12:00:00Z') }, await store.listTasks({ includeDeleted: true }), await store.allHistory());
      expect(result).toMatchObject({ from: '2026-11-02', to: '2026-11-13', tasks: 1, cases: 1, misses: 1 });
      expect(result.days).toBeGreaterThan(5);
    });
  });
}
