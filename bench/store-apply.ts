/**
 * applyBatch throughput for 100k synthetic tasks, next to a raw better-sqlite3 insert of the same rows
 * into the same schema (the floor: no lookup, no hash, no history, no references). Goal: ≥ 0.5× the floor.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskFields } from '../src/core/model.js';
import { openDatabase } from '../src/store/db.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import type { StoreItem } from '../src/store/store.js';
import { TASK_COLUMNS, toRow } from '../src/store/task-row.js';
import { bestOf, report, time } from './harness.js';

const N = 100_000;
const PAGE = 1_000;
const CONNECTOR = { name: 'github-bench', kind: 'github' } as const;
const STATUSES = ['todo', 'in_progress', 'blocked', 'in_review', 'done'] as const;

export function syntheticTask(i: number, version = 0): TaskFields {
  const day = String(1 + (i % 28)).padStart(2, '0');
  return {
    key: `acme/repo-${i % 50}#${i}`,
    url: `https://github.example/acme/repo-${i % 50}/issues/${i}`,
    type: 'issue',
    title: `Synthetic task ${i}${version ? ` (v${version})` : ''}`,
    description: `Body of task ${i}.\n\n## Acceptance criteria\n- it works`,
    status: STATUSES[(i + version) % STATUSES.length]!,
    rawStatus: 'open',
    priority: i % 7 === 0 ? null : 'medium',
    rawPriority: null,
    assignees: i % 5 === 0 ? [] : [{ kind: 'github', id: `user${i % 40}` }],
    reporter: { kind: 'github', id: `user${(i + 3) % 40}` },
    due: i % 3 === 0 ? null : `2026-12-${day}`,
    acceptanceCriteria: '- it works',
    estimateS: i % 4 === 0 ? 8 * 3600 : null,
    spentS: null,
    remainingS: null,
    parent: i % 10 === 0 ? null : `github-bench:acme/repo-${i % 50}#${i - (i % 10)}`,
    dependsOn: i % 6 === 0 ? [`jira:OPS-${i % 900}`] : [],
    links: [],
    labels: ['bench', `area-${i % 9}`],
    project: `acme/repo-${i % 50}`,
    milestone: i % 2 === 0 ? 'Cutover' : null,
    createdAt: '2026-10-01T09:00:00.000Z',
    updatedAt: new Date(Date.UTC(2026, 10, 1, 9) + i * 1000 + version * 86_400_000).toISOString(),
    lastHumanActivityAt: null,
    doneAt: null,
    verifiedAt: null,
    verifiedBy: null,
  };
}

function pages(version: number): StoreItem[][] {
  const out: StoreItem[][] = [];
  for (let p = 0; p < N / PAGE; p++) {
    const page: StoreItem[] = [];
    for (let i = p * PAGE; i < (p + 1) * PAGE; i++) page.push({ type: 'task', task: syntheticTask(i, version), owner: i % 5 === 0 ? null : `person${i % 40}` });
    out.push(page);
  }
  return out;
}

/** The fastest of n runs of `fn`, which times its own measured part and returns it in ms. */
async function fastestOf(n: number, fn: () => Promise<number>): Promise<{ ms: number }> {
  let best = Infinity;
  for (let i = 0; i < n; i++) best = Math.min(best, await fn());
  return { ms: best };
}

export async function benchStoreApply(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'taskwire-bench-'));
  let run = 0;
  const fresh = () => join(dir, `db-${run++}.db`);
  try {
    const v0 = pages(0);
    const v1 = pages(1);

    // Floor: the same rows, prepared up front, inserted with one prepared statement per page transaction.
    const rawRows = v0.map((page) =>
      page.map((it) => {
        if (it.type !== 'task') throw new Error('unreachable');
        return toRow(CONNECTOR.name, CONNECTOR.kind, it.task, it.owner, '2026-11-20T00:00:00.000Z');
      }),
    );
    // Both sides timed from an open, empty store to the last page committed; closing is outside the
    // timing on both.
    const raw = await fastestOf(3, async () => {
      const db = openDatabase(fresh());
      const insert = db.prepare(`INSERT INTO tasks (${TASK_COLUMNS.join(', ')}) VALUES (${TASK_COLUMNS.map((c) => `@${c}`).join(', ')})`);
      const tx = db.transaction((rows: (typeof rawRows)[number]) => {
        for (const r of rows) insert.run(r);
      });
      const t = await time(() => {
        for (const page of rawRows) tx(page);
      });
      db.close();
      return t.ms;
    });

    // applyBatch from connector items (row mapping, hashing, lookup, references, cursor all included).
    let store: SqliteStore | undefined;
    const insert = await fastestOf(3, async () => {
      await store?.close();
      const next = new SqliteStore(openDatabase(fresh()));
      store = next;
      const t = await time(async () => {
        for (const [i, page] of v0.entries()) await next.applyBatch(CONNECTOR, page, { page: i });
      });
      return t.ms;
    });
    const s = store!;
    const unchanged = await bestOf(3, async () => {
      for (const [i, page] of v0.entries()) await s.applyBatch(CONNECTOR, page, { page: i });
    });
    const changed = await bestOf(1, async () => {
      for (const [i, page] of v1.entries()) await s.applyBatch(CONNECTOR, page, { page: i });
    });
    const historyRows = (s.db.prepare('SELECT count(*) AS n FROM task_history').get() as { n: number }).n;
    await s.close();

    const rate = (ms: number) => (N / ms) * 1000;
    const ratio = rate(insert.ms) / rate(raw.ms);
    report('store: applyBatch of 100k tasks', [
      { name: 'raw better-sqlite3 insert (floor)', value: rate(raw.ms), unit: 'tasks/s' },
      { name: 'applyBatch, new tasks', value: rate(insert.ms), unit: 'tasks/s' },
      { name: 'applyBatch ÷ floor', value: ratio, unit: '×', goal: '≥ 0.5×', met: ratio >= 0.5 },
      { name: 'applyBatch, unchanged re-apply', value: rate(unchanged.ms), unit: 'tasks/s' },
      { name: 'applyBatch, every task changed (history)', value: rate(changed.ms), unit: 'tasks/s' },
      { name: 'history rows written by the change', value: historyRows, unit: 'rows' },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
