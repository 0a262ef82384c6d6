/**
 * GitHub Projects: a first pass over a project of 20,000 items (18,000 issues, 2,000 draft issues, each
 * with a status, a priority, most with a date, an iteration or an estimate) from the fake over real
 * HTTP, next to a raw floor that sends the same GraphQL query for the same 200 pages with plain fetch,
 * parses each answer and inserts each item as one JSON row. The measured side is the connector's own
 * pass (GraphQL client under the HTTP policy and the points budget, plans, drafts as tasks) with every
 * page stored as the poll stores it (plans as connector state, draft tasks, cursor). The fake runs in a
 * worker thread; both sides run once untimed first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { githubConfigSchema } from '../connectors/github/config.js';
import { createGithub } from '../connectors/github/connector.js';
import type { GithubScenario } from '../connectors/github/fake.js';
import { projectPass, type ProjectPosition } from '../connectors/github/project-poll.js';
import { QUERIES } from '../connectors/github/projects.js';
import { buildIdentity } from '../src/core/identity.js';
import { connectorState } from '../src/main.js';
import { ingestPage } from '../src/pipeline/ingest.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { startFakeWorker } from './fake-host.js';
import { report, time } from './harness.js';

const ISSUES = 18_000;
const DRAFTS = 2_000;
const STATUS = ['Todo', 'In Progress', 'Blocked', 'Done'];

export function projectWorld(): GithubScenario {
  const t0 = Date.parse('2026-01-05T08:00:00Z');
  return {
    repos: [{ fullName: 'acme/infra', issues: Array.from({ length: ISSUES }, (_, i) => ({ title: `Issue ${i}`, createdAt: new Date(t0 + i * 60_000).toISOString().replace('.000Z', 'Z') })) }],
    projects: [
      {
        project: 'acme/1',
        fields: [
          { name: 'Status', type: 'SINGLE_SELECT', options: STATUS },
          { name: 'Priority', type: 'SINGLE_SELECT', options: ['P0', 'P1', 'P2'] },
          { name: 'Target date', type: 'DATE' },
          { name: 'Iteration', type: 'ITERATION', iterations: Array.from({ length: 12 }, (_, k) => ({ title: `Sprint ${k + 1}`, startDate: new Date(t0 + k * 14 * 86_400_000).toISOString().slice(0, 10), duration: 14 })) },
          { name: 'Estimate', type: 'NUMBER' },
        ],
        items: Array.from({ length: ISSUES + DRAFTS }, (_, i) => ({
          ...(i < ISSUES ? { issue: `acme/infra#${i + 1}` } : { draft: { title: `Draft ${i}`, body: 'To plan.', assignees: [`dev${i % 9}`] } }),
          values: {
            Status: STATUS[i % 4]!,
            Priority: `P${i % 3}`,
            ...(i % 3 === 0 ? { 'Target date': new Date(t0 + (i % 300) * 86_400_000).toISOString().slice(0, 10) } : i % 3 === 1 ? { Iteration: `Sprint ${(i % 12) + 1}` } : { Estimate: i % 13 }),
          },
        })),
      },
    ],
  };
}

export async function benchGithubProjects(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'taskwire-bench-ghp-'));
  const fake = await startFakeWorker({ kind: 'github', scenario: projectWorld() });
  const base = fake.url;
  const total = ISSUES + DRAFTS;
  const log = pino({ level: 'silent' });
  const identity = buildIdentity({ people: [], teams: [], discovered: [] });
  const config = githubConfigSchema.parse({ name: 'github-bench', type: 'github', baseUrl: base, token: 'ghp_faketoken', repos: ['acme/infra'], projects: [{ project: 'acme/1' }] });
  try {
    // Floor: the same query text, page after page, parsed, each item one JSON row.
    const projectId = async () => {
      const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { authorization: 'token ghp_faketoken', 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERIES.project, variables: { owner: 'acme', number: 1 } }) });
      return ((await res.json()) as { data: { repositoryOwner: { projectV2: { id: string } } } }).data.repositoryOwner.projectV2.id;
    };
    const floorOnce = async (file: string) => {
      const db = new Database(join(dir, file));
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE raw (id TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT');
      const ins = db.prepare('INSERT OR REPLACE INTO raw (id, body) VALUES (?, ?)');
      const tx = db.transaction((items: { id: string }[]) => {
        for (const i of items) ins.run(i.id, JSON.stringify(i));
      });
      let pages = 0;
      const t = await time(async () => {
        const id = await projectId();
        for (let after: string | null = null; ; ) {
          const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { authorization: 'token ghp_faketoken', 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERIES.items, variables: { id, after } }) });
          const body = (await res.json()) as { data: { node: { items: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: { id: string }[] } } } };
          pages++;
          tx(body.data.node.items.nodes);
          if (!body.data.node.items.pageInfo.hasNextPage) break;
          after = body.data.node.items.pageInfo.endCursor;
        }
      });
      db.close();
      return { ms: t.ms, pages };
    };
    await floorOnce('floor-warm.db');
    const floor = await floorOnce('floor.db');

    // The connector's pass over the project, each page stored as the poll stores it.
    const passOnce = async (file: string) => {
      const store = SqliteStore.open(join(dir, file));
      const connector = createGithub(config, { log, timezone: 'Europe/Berlin', state: connectorState(store, config.name) });
      const book = await connector.projects!.book();
      const deps = { projects: connector.projects!, book, acceptanceCriteriaHeading: config.acceptanceCriteriaHeading, now: Date.now };
      let position: ProjectPosition | undefined;
      const t = await time(async () => {
        for await (const page of projectPass(deps, config.projects[0]!, undefined, new AbortController().signal)) {
          await ingestPage(store, { name: config.name, kind: 'github' }, identity, page.items, null);
          position = page.position ?? position;
        }
      });
      const plans = (await store.listMeta('connector:github-bench:plan:')).length;
      const drafts = (await store.listTasks()).length;
      return { ms: t.ms, store, connector, plans, drafts, deps, position };
    };
    await (await passOnce('warm.db')).store.close();
    await fake.mark();
    const pass = await passOnce('tw.db');
    const queries = (await fake.requests()).filter((r) => r.path === '/graphql').length;
    // The next poll of the unchanged project: its updatedAt, nothing more.
    await fake.mark();
    for await (const page of projectPass(pass.deps, config.projects[0]!, pass.position, new AbortController().signal)) void page;
    const idle = (await fake.requests()).filter((r) => r.path === '/graphql').length;
    await pass.store.close();

    const rate = (ms: number) => (total / ms) * 1000;
    report('projects: a project of 20k items (18k issues, 2k drafts), first pass, from the fake', [
      { name: 'floor: the same GraphQL pages fetched + parsed + inserted', value: rate(floor.ms), unit: 'items/s' },
      { name: 'connector: project pass into the store (plans + draft tasks)', value: rate(pass.ms), unit: 'items/s' },
      { name: 'connector ÷ floor', value: rate(pass.ms) / rate(floor.ms), unit: '×' },
      { name: 'pages, floor', value: floor.pages, unit: 'requests' },
      { name: 'GraphQL requests, connector', value: queries, unit: 'requests' },
      { name: 'plans stored', value: pass.plans, unit: 'plans', goal: `= ${total}`, met: pass.plans === total },
      { name: 'draft issues stored as tasks', value: pass.drafts, unit: 'tasks', goal: `= ${DRAFTS}`, met: pass.drafts === DRAFTS },
      { name: 'GraphQL points spent by the pass', value: pass.connector.client.points.used - 1, unit: 'points' },
      { name: 'next poll of the unchanged project: GraphQL requests', value: idle, unit: 'requests', goal: '= 1', met: idle === 1 },
    ]);
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
