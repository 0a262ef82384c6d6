/**
 * Install day seeds silently, whenever the evaluation runs. On several replicas (or behind a queue) the
 * evaluation of a first capture runs after the capture finished; messages about what existed before
 * taskwire must still not go out.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { engineFromConfig, loadIdentity } from '../../src/main.js';
import { markCaptured } from '../../src/pipeline/cycle.js';
import { evaluateAndPlan } from '../../src/pipeline/followups.js';
import { openDatabase } from '../../src/store/db.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { StoreItem } from '../../src/store/store.js';
import { gh, taskFields } from '../support/tasks.js';

const YAML = `timezone: Europe/Berlin
people:
  - { id: alex, name: Alex Kim, accounts: { github: alexk, slack: U0ALEX } }
followups: { mode: send, respectWorkingHours: false, directMessages: { connector: slack-acme } }
connectors:
  - { name: jira-acme, type: jira, host: https://acme.atlassian.net, email: bot@acme.test, apiToken: "\${T}", jql: "project = OPS", webhook: { secret: "\${S}" } }
  - { name: github-acme, type: github, token: "\${T}", repos: [acme/infra], webhook: { secrets: ["\${S}"] } }
  - { name: slack-acme, type: slack, botToken: "\${T}", signingSecret: "\${S}" }
`;
const GH = { name: 'github-acme', kind: 'github' } as const;
const overdue = (key: string, updatedAt = '2026-11-20T09:00:00Z'): StoreItem => ({
  type: 'task',
  task: taskFields({ key, assignees: [gh('alexk')], acceptanceCriteria: 'ok', due: '2026-11-27', status: 'in_progress', updatedAt, createdAt: updatedAt }),
  owner: 'alex',
});

async function setup() {
  const { config } = parseConfig(YAML, { file: 'taskwire.yaml', env: { T: 'ghp_x', S: 'hook-secret' }, cwd: '/', readFile: () => '' });
  const store = new SqliteStore(openDatabase(':memory:'));
  const identity = await loadIdentity(config, store);
  const deps = { store, engine: engineFromConfig(config, identity), config, identity };
  return { store, deps };
}

const dms = async (store: SqliteStore) => (await store.outbox.list({})).filter((r) => r.kind === 'direct_message');
const T0 = Date.parse('2026-12-02T09:00:00Z');

describe('the seed of a first capture', () => {
  it('is recorded by the first full evaluation after it, even minutes later: no message about work that existed before', async () => {
    const { store, deps } = await setup();
    await store.applyBatch(GH, [overdue('acme/infra#1')], null);
    await markCaptured(store, [{ connector: 'github-acme', ok: true, ms: 0 }], new Date(T0).toISOString());
    // The evaluator gets to it three minutes after the capture was complete.
    await evaluateAndPlan(deps, T0 + 180_000);
    expect(await dms(store)).toEqual([]);
    expect(await store.getMeta('seeded:github-acme')).toBe(new Date(T0 + 180_000).toISOString());

    // Work that goes wrong after the seed is news.
    const r = await store.applyBatch(GH, [overdue('acme/infra#2', '2026-12-02T10:00:00Z')], null);
    await evaluateAndPlan(deps, T0 + 3_600_000, r.changed);
    expect((await dms(store)).map((d) => d.about.map((a) => a.taskId))).toEqual([['github-acme:acme/infra#2']]);
  });

  it("covers a flag that needed another tool's first capture: a ticket blocked by work captured later is not news", async () => {
    const { store, deps } = await setup();
    const blocked = { ...overdue('acme/infra#1'), task: { ...(overdue('acme/infra#1') as { task: ReturnType<typeof taskFields> }).task, due: '2026-12-20', dependsOn: ['jira-acme:OPS-1'] } } as StoreItem;
    await store.applyBatch(GH, [blocked], null);
    await markCaptured(store, [{ connector: 'github-acme', ok: true, ms: 0 }], new Date(T0).toISOString());
    await evaluateAndPlan(deps, T0 + 1_000);
    // Jira's first capture lands later: the GitHub ticket turns out to be blocked by an open ticket.
    await store.applyBatch({ name: 'jira-acme', kind: 'jira' }, [{ type: 'task', task: taskFields({ key: 'OPS-1', assignees: [gh('alexk')], acceptanceCriteria: 'ok', due: '2026-12-10', status: 'in_progress' }), owner: 'alex' }], null);
    await markCaptured(store, [{ connector: 'jira-acme', ok: true, ms: 0 }], new Date(T0 + 60_000).toISOString());
    const r = await evaluateAndPlan(deps, T0 + 120_000);
    expect(r.diff.opened.map((f) => f.code)).toContain('blocked');
    expect(await dms(store)).toEqual([]);
  });

  it('is not recorded by an evaluation of a few changed tasks, which has not seen the whole capture', async () => {
    const { store, deps } = await setup();
    const r = await store.applyBatch(GH, [overdue('acme/infra#1')], null);
    await markCaptured(store, [{ connector: 'github-acme', ok: true, ms: 0 }], new Date(T0).toISOString());
    await evaluateAndPlan(deps, T0 + 1_000, r.changed);
    expect(await store.getMeta('seeded:github-acme')).toBeNull();
    expect(await dms(store)).toEqual([]);
  });
});
