import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGithub, type GithubConnector } from '../../../connectors/github/connector.js';
import { GithubFake, type GithubScenario } from '../../../connectors/github/fake.js';
import { hmacHex } from '../../../connectors/kit/hmac.js';
import { buildIdentity } from '../../../src/core/identity.js';
import { connectorState } from '../../../src/main.js';
import { ingestPage } from '../../../src/pipeline/ingest.js';
import { pollConnector } from '../../../src/pipeline/poll.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { githubConfig, silentLog } from '../../support/github.js';

const identity = buildIdentity({ people: [], teams: [], discovered: [] });
const fakes: GithubFake[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.stop();
});

const SECRET = 'project-hook-secret';

function world(n = 3, extra: Partial<GithubScenario> = {}): GithubScenario {
  return {
    repos: [
      {
        fullName: 'acme/infra',
        milestones: [{ number: 1, title: 'Cutover', dueOn: '2026-12-20T08:00:00Z' }],
        issues: Array.from({ length: n }, (_, i) => ({ title: `Issue ${i + 1}`, milestone: 1, labels: i === 0 ? ['P3'] : [], createdAt: '2026-11-01T09:00:00Z' })),
      },
    ],
    projects: [
      {
        project: 'acme/3',
        title: 'Platform roadmap',
        fields: [
          { name: 'Status', type: 'SINGLE_SELECT', options: ['Todo', '🏗 In Progress', 'Blocked', 'Done'] },
          { name: 'Priority', type: 'SINGLE_SELECT', options: ['P0', 'P1', 'P2'] },
          { name: 'Target date', type: 'DATE' },
          { name: 'Iteration', type: 'ITERATION', iterations: [{ title: 'Sprint 12', startDate: '2026-11-30', duration: 14 }] },
          { name: 'Estimate', type: 'NUMBER' },
        ],
        items: Array.from({ length: n }, (_, i) => ({
          issue: `acme/infra#${i + 1}`,
          values: i === 0 ? { 'Target date': '2026-12-08', Status: '🏗 In Progress', Priority: 'P0', Iteration: 'Sprint 12', Estimate: 6 } : i === 1 ? { Iteration: 'Sprint 12', Status: 'Blocked' } : {},
        })),
      },
    ],
    ...extra,
  } as GithubScenario;
}

async function rig(s: GithubScenario, over: Record<string, unknown> = {}, points?: number) {
  const fake = new GithubFake(s, { self: 'taskwire-bot', ...(points ? { graphqlPoints: points } : {}) });
  fakes.push(fake);
  await fake.start();
  const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'tw-ghp-')), 'tw.db'));
  const config = githubConfig(fake.url, { projects: [{ project: 'acme/3' }], webhook: { secrets: [SECRET] }, ...over });
  const connector = createGithub(config, { log: silentLog, timezone: 'Europe/Berlin', timing: { retryBaseMs: 5, retries: 3 }, state: connectorState(store, config.name) });
  const poll = () => pollConnector(store, connector, identity, new AbortController().signal);
  return { fake, store, connector, config, poll };
}

const task = (store: SqliteStore, key: string) => store.getTask(`github-acme:${key}`);

describe('GitHub projects: fields read into tasks', () => {
  it('maps a date, a single-select (emoji and all), an iteration and a number; the project beats the milestone and the labels', async () => {
    const r = await rig(world());
    await r.poll();
    expect(await task(r.store, 'acme/infra#1')).toMatchObject({ due: '2026-12-08', status: 'in_progress', rawStatus: '🏗 In Progress (acme/3)', priority: 'urgent', rawPriority: 'P0 (acme/3)', milestone: 'Sprint 12', estimateS: 6 * 3600 });
    // No due field: the iteration's last day (30 Nov + 14 days − 1) beats the milestone's 20 Dec.
    expect(await task(r.store, 'acme/infra#2')).toMatchObject({ due: '2026-12-13', status: 'blocked', priority: null });
    // In the project with no values: the issue's own fields stand.
    expect(await task(r.store, 'acme/infra#3')).toMatchObject({ due: '2026-12-20', status: 'todo', milestone: 'Cutover' });
  });
});
