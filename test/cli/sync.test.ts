import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GithubFake } from '../../connectors/github/fake.js';
import { runCli } from '../../src/cli.js';
import { captureIo } from '../support/io.js';

const fake = new GithubFake(
  {
    repos: [
      {
        fullName: 'acme/infra',
        issues: [
          { title: 'Open firewall rule for DNS cutover', body: 'Needed for the cutover.' },
          { title: 'Rotate staging certs', assignees: ['alexk', 'samr'], labels: ['P1'] },
        ],
      },
    ],
  },
  { self: 'taskwire-bot' },
);
let dir = '';

beforeAll(async () => {
  await fake.start();
  dir = mkdtempSync(join(tmpdir(), 'tw-sync-'));
  writeFileSync(
    join(dir, 'taskwire.yaml'),
    `timezone: Europe/Berlin
store: { path: data/tw.db }
log: { level: silent }
people:
  - { id: alex, name: Alex Kim, accounts: { github: alexk } }
  - { id: sam, name: Sam Rivera, accounts: { github: samr } }
connectors:
  - name: github-acme
    type: github
    baseUrl: ${fake.url}
    token: \${GITHUB_TOKEN}
    repos: [acme/infra]
`,
  );
});
afterAll(async () => {
  await fake.stop();
});

async function cli(args: string[], token = 'ghp_faketoken') {
  const { io, stdout, stderr } = captureIo({ env: { GITHUB_TOKEN: token }, cwd: dir });
  const code = await runCli(['-c', 'taskwire.yaml', ...args], io);
  return { code, out: stdout(), err: stderr() };
}

describe('taskwire sync and check --online against the GitHub fake', () => {
  it('check --online confirms the token and the repositories', async () => {
    const ok = await cli(['check', '--online']);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/github-acme: ok — authenticated as taskwire-bot/);
    expect(ok.out).toMatch(/github-acme: ok — acme\/infra: issues readable/);
    const bad = await cli(['check', '--online'], 'ghp_wrong');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/github-acme: PROBLEM — .*401.*check token \(or tokenFile\)/);
  });

  it('sync --once captures, evaluates and says what it did; the tasks are then listed', async () => {
    const first = await cli(['sync', '--once']);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^github-acme: first sync \(seeded silently\), \d+ items in \d+ pages? — 2 new/m);
    expect(first.out).toMatch(/^flags: \d+ open \(\d+ new, 0 resolved\)/m);
    const again = await cli(['sync']);
    expect(again.out).toMatch(/^github-acme: 0 items in \d+ pages? — 0 new, 0 updated/m);
    const tasks = await cli(['tasks', '--all', '--json']);
    expect((JSON.parse(tasks.out) as { key: string }[]).map((t) => t.key)).toEqual(['acme/infra#1', 'acme/infra#2']);
    const shared = await cli(['tasks', '--flag', 'shared_owner', '--json']);
    expect((JSON.parse(shared.out) as { key: string }[]).map((t) => t.key)).toEqual(['acme/infra#2']);
  });

  it('a failing tool fails the sync with its reason and exit 1', async () => {
    const r = await cli(['sync', '--once'], 'ghp_wrong');
    expect(r.code).toBe(1);
    expect(r.out.split('\n').filter((l) => l.startsWith('github-acme: '))).toEqual([expect.stringMatching(/^github-acme: GET \/repos\/\{owner\}\/\{repo\}\/issues: HTTP 401 .*GitHub rejected the credentials: check token/)]);
  });
});
