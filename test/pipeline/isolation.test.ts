/**
 * One bad item never blocks its scope: a pull request whose detail GitHub keeps failing on (as it does
 * for very large ones) is recorded with its error and read again later, while every other issue of the
 * repository is captured and the cursor moves on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIdentity } from '../../src/core/identity.js';
import { pollConnector } from '../../src/pipeline/poll.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { githubRig, type GithubRig } from '../support/github.js';

const identity = buildIdentity({ people: [], teams: [], discovered: [] });
const rigs: GithubRig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.fake.stop();
});

describe('a pull request whose detail always fails', () => {
  it('the other issues of its repository are captured, the failure is recorded and shown, and it is read again later', async () => {
    const r = await githubRig(
      {
        repos: [
          {
            fullName: 'acme/infra',
            issues: [{ title: 'Open the firewall rule' }, { title: 'Huge refactor', body: 'Fixes #1', pull: { headRef: 'refactor' } }, { title: 'Rotate certificates' }, { title: 'Write the runbook' }],
          },
        ],
      },
      { pullRequests: 'tasks' },
    );
    rigs.push(r);
    let clock = Date.parse('2026-12-01T09:00:00Z');
    const store = SqliteStore.open(join(mkdtempSync(join(tmpdir(), 'tw-iso-')), 'tw.db'), { clock: () => new Date(clock) });
    // GitHub times out on this pull request's detail, every time.
    r.fake.server.fail({ status: 502, times: 1000, body: { message: 'Server Error' }, match: (q) => q.path === '/repos/acme/infra/pulls/2' });
    const poll = () => pollConnector(store, r.connector, identity, new AbortController().signal);

    const first = await poll();
    expect(first.failed).toBe(1);
    expect((await store.listTasks()).map((t) => t.key).sort()).toEqual(['acme/infra#1', 'acme/infra#3', 'acme/infra#4']);
    const [failure] = await store.itemFailures();
    expect(failure).toMatchObject({ connector: 'github-acme', key: 'acme/infra#2', attempts: 1, error: expect.stringMatching(/pulls\/\{pull_number\}: HTTP 502/) });
    expect((await store.syncState('2026-01-01T00:00:00Z')).find((s) => s.connector === 'github-acme')).toMatchObject({ failingItems: 1 });

    // The cursor moved on: the next cycle is one conditional request per repository, and the failing
    // item is not asked for again before its backoff.
    const before = r.fake.server.requests.length;
    await poll();
    expect(r.fake.server.requests.slice(before).map((q) => q.path)).toEqual(['/repos/acme/infra/issues']);

    // Later, still failing: tried again, recorded again, nothing else disturbed.
    clock += 6 * 60_000;
    const again = await poll();
    expect(again.failed).toBe(1);
    expect((await store.itemFailures())[0]).toMatchObject({ attempts: 2 });

    // GitHub recovers: the next try after the backoff reads it, and the record is gone.
    r.fake.server.clearFaults();
    clock += 11 * 60_000;
    const healed = await poll();
    expect(healed.failed).toBe(0);
    expect(await store.itemFailures()).toEqual([]);
    expect(await store.getTask('github-acme:acme/infra#2')).toMatchObject({ title: 'Huge refactor', type: 'pull_request' });
    await store.close();
  });
});
