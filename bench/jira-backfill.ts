/**
 * Jira backfill of 20k issues from the fake over real HTTP (the fake in a worker thread): the connector
 * (jira.js, the enhanced JQL search with changelog, ADF → Markdown, normalization, store pages with
 * history and cursor) next to a raw floor fetching the same search pages with plain fetch and inserting
 * each issue as a JSON row.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { jiraConfigSchema } from '../connectors/jira/config.js';
import { createJira } from '../connectors/jira/connector.js';
import type { JiraScenario } from '../connectors/jira/fake.js';
import { fieldsOf } from '../connectors/jira/poll.js';
import { buildIdentity } from '../src/core/identity.js';
import { pollConnector } from '../src/pipeline/poll.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { startFakeWorker } from './fake-host.js';
import { report, time } from './harness.js';

const N = 20_000;
const USERS = ['acc-bot', 'acc-alex', 'acc-sam', 'acc-priya', 'acc-lee'];

function scenario(): JiraScenario {
  const t0 = Date.parse('2026-01-05T08:00:00Z');
  return {
    users: USERS.map((accountId) => ({ accountId, displayName: accountId.slice(4), timeZone: 'Europe/Berlin' })),
    projects: [{ key: 'OPS', name: 'Operations' }],
    issues: Array.from({ length: N }, (_, i) => ({
      key: `OPS-${i + 1}`,
      summary: `Task ${i + 1}`,
      description: i % 10 === 0 ? `Blocked by OPS-${Math.max(1, i - 2)}.\n\n## Acceptance criteria\n\n- works in staging` : 'Something to do.',
      assignee: i % 4 === 0 ? null : USERS[1 + (i % 4)]!,
      duedate: i % 3 === 0 ? null : '2026-12-18',
      priority: ['High', 'Medium', 'Low'][i % 3]!,
      status: i % 2 === 0 ? 'Done' : 'In Progress',
      created: new Date(t0 + i * 60_000).toISOString(),
      statusHistory: [['In Progress', new Date(t0 + i * 60_000 + 3_600_000).toISOString(), USERS[1]!]],
    })),
  };
}

export async function benchJiraBackfill(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'taskwire-bench-jira-'));
  const fake = await startFakeWorker({ kind: 'jira', scenario: scenario(), options: { self: 'acc-bot', email: 'bot@example.com', apiToken: 'tok' } });
  const auth = `Basic ${Buffer.from('bot@example.com:tok').toString('base64')}`;
  const config = jiraConfigSchema.parse({ name: 'jira-bench', type: 'jira', host: fake.url, email: 'bot@example.com', apiToken: 'tok', jql: 'project = OPS' });
  try {
    // Floor: the same search pages (same fields, changelog), fetched, parsed, each issue one JSON row.
    const db = new Database(join(dir, 'floor.db'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE raw (id TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT');
    const ins = db.prepare('INSERT OR REPLACE INTO raw (id, body) VALUES (?, ?)');
    const tx = db.transaction((issues: { key: string }[]) => {
      for (const i of issues) ins.run(i.key, JSON.stringify(i));
    });
    let floorRequests = 0;
    const floor = await time(async () => {
      let token: string | undefined;
      for (;;) {
        const res = await fetch(`${fake.url}/rest/api/3/search/jql`, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify({ jql: '(project = OPS) ORDER BY updated ASC, key ASC', fields: fieldsOf(config), expand: 'changelog', maxResults: 100, ...(token ? { nextPageToken: token } : {}) }),
        });
        floorRequests++;
        const page = (await res.json()) as { issues: { key: string }[]; nextPageToken?: string };
        tx(page.issues);
        if (!page.nextPageToken) break;
        token = page.nextPageToken;
      }
    });
    db.close();

    const store = SqliteStore.open(join(dir, 'tw.db'));
    const connector = createJira(config, { log: pino({ level: 'silent' }), timezone: 'Europe/Berlin' });
    const identity = buildIdentity({ people: [], teams: [], discovered: [] });
    await fake.mark();
    const run = await time(() => pollConnector(store, connector, identity, new AbortController().signal));
    const requests = (await fake.requests()).length;
    const stored = (await store.listTasks()).length;
    await store.close();
    const rate = (ms: number) => (N / ms) * 1000;
    report('jira: backfill of 20k issues from the fake', [
      { name: 'floor: fetch + parse + insert the same pages', value: rate(floor.ms), unit: 'issues/s' },
      { name: 'connector backfill into the store', value: rate(run.ms), unit: 'tasks/s' },
      { name: 'connector ÷ floor', value: rate(run.ms) / rate(floor.ms), unit: '×' },
      { name: 'tasks stored', value: stored, unit: 'tasks' },
      { name: 'search requests, floor', value: floorRequests, unit: 'requests' },
      { name: 'requests, connector backfill', value: requests, unit: 'requests' },
    ]);
  } finally {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
