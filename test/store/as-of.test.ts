import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeAsOf } from '../../src/store/as-of.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Flag } from '../../src/core/model.js';
import { taskFields } from '../support/tasks.js';

const GH = { name: 'github-acme', kind: 'github' } as const;
let dirs: string[] = [];
/** The store's clock (its bookkeeping times: planned at, sent at). */
let clock = '2026-11-20T12:00:00.000Z';
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function store(): SqliteStore {
  const dir = mkdtempSync(join(tmpdir(), 'taskwire-asof-'));
  dirs.push(dir);
  return SqliteStore.open(join(dir, 'tw.db'), { clock: () => new Date(clock) });
}

const dm = (key: string) => ({ key, connector: 'slack-acme', kind: 'status_comment' as const, taskId: 'github-acme:a#1', recipient: null, subject: `c:${key}`, action: { type: 'direct_message' as const, accountId: 'U0SAM', text: key, items: [], idempotencyKey: key }, reason: 'r', notBefore: null, about: [{ taskId: 'github-acme:a#1', code: 'stale' as const }] });
const flag = (code: Flag['code']): Flag => ({ taskId: 'github-acme:a#1', code, severity: 'warning', reason: code, evidence: {} });

describe('the store as it stood at an instant, for planning as of then', () => {
  it('shows the outbox, evidence, human status changes and open flags as they were, and refuses writes', async () => {
    const s = store();
    await s.applyBatch(GH, [{ type: 'task', task: taskFields({ key: 'a#1', createdAt: '2026-11-01T09:00:00.000Z' }), owner: null, history: [{ field: 'status', oldValue: 'todo', newValue: 'in_progress', at: '2026-11-03T09:00:00.000Z', actor: 'human', actorId: 'alexk' }, { field: 'status', oldValue: 'in_progress', newValue: 'blocked', at: '2026-11-12T09:00:00.000Z', actor: 'human', actorId: 'alexk' }] }], null);
    // A status comment planned on the 5th and sent on the 11th; another planned on the 12th.
    clock = '2026-11-05T09:00:00.000Z';
    await s.outbox.plan([dm('one')], 'send', 'c1');
    const first = await s.outbox.claimNext('slack-acme', 'me', 60_000);
    clock = '2026-11-11T09:00:00.000Z';
    expect(await s.outbox.complete({ id: first!.id, holder: 'me', token: first!.attempts }, first!, { externalId: 'x' })).toBe(true);
    clock = '2026-11-12T09:00:00.000Z';
    await s.outbox.plan([dm('two')], 'send', 'c2');
    clock = '2026-11-20T12:00:00.000Z';
    await s.applyFlags('all', [flag('stale')], '2026-11-06T09:00:00.000Z');
    await s.applyFlags('all', [flag('blocked')], '2026-11-13T09:00:00.000Z');

    const at = async (iso: string) => storeAsOf(s, Date.parse(iso));
    const before = await at('2026-11-08T09:00:00.000Z');
    expect((await before.outbox.past('2026-10-01T00:00:00.000Z')).map((p) => [p.status, p.at])).toEqual([['pending', '2026-11-05T09:00:00.000Z']]);
    expect([...(await before.outbox.commentedTasks())]).toEqual(['github-acme:a#1']);
    expect([...(await before.lastHumanStatusChanges())]).toEqual([['github-acme:a#1', '2026-11-03T09:00:00.000Z']]);
    expect([...(await before.flagsOpenAt('2026-11-08T09:00:00.000Z')).keys()]).toEqual(['github-acme:a#1\u0000stale']);
    expect((await before.getTask('github-acme:a#1'))?.status).toBe('in_progress');

    const later = await at('2026-11-12T10:00:00.000Z');
    expect((await later.outbox.past('2026-10-01T00:00:00.000Z')).map((p) => p.status)).toEqual(['sent', 'pending']);
    expect([...(await later.lastHumanStatusChanges()).values()]).toEqual(['2026-11-12T09:00:00.000Z']);

    const early = await at('2026-11-02T09:00:00.000Z');
    expect(await early.outbox.past('2026-10-01T00:00:00.000Z')).toEqual([]);
    expect((await early.outbox.commentedTasks()).size).toBe(0);
    expect((await early.flagsOpenAt('2026-11-20T00:00:00.000Z')).size).toBe(0);
    await expect(async () => early.applyFlags('all', [], '2026-11-02T09:00:00.000Z')).rejects.toThrow(/--as-of looks at the past/);
    await s.close();
  });
});
