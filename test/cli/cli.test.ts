import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '../../src/cli.js';
import { configJsonSchema } from '../../src/config/schema.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { captureIo } from '../support/io.js';
import { gh, taskFields } from '../support/tasks.js';
import { EXAMPLE_ENV } from '../support/example-env.js';

const ROOT = resolve(import.meta.dirname, '../..');
const EXAMPLE = join(ROOT, 'config/taskwire.example.yaml');

function workdir() {
  const dir = mkdtempSync(join(tmpdir(), 'taskwire-cli-'));
  writeFileSync(
    join(dir, 'taskwire.yaml'),
    [
      'timezone: Europe/Berlin',
      'store: { path: data/tw.db }',
      'people:',
      '  - { id: alex, name: Alex, accounts: { github: alexk } }',
      'connectors:',
      '  - { name: github-acme, type: github, token: "${GITHUB_TOKEN}", repos: [acme/api] }',
      '',
    ].join('\n'),
  );
  return dir;
}

async function seed(dir: string) {
  const store = SqliteStore.open(join(dir, 'data/tw.db'));
  await store.applyBatch({ name: 'github-acme', kind: 'github' }, [
    { type: 'task', task: taskFields({ key: 'acme/api#1', title: 'Rotate certs', status: 'in_progress', due: '2026-11-27', assignees: [gh('alexk')] }), owner: 'alex' },
    { type: 'task', task: taskFields({ key: 'acme/api#2', title: 'Fix the API', assignees: [gh('stranger')] }), owner: null },
  ], null);
  await store.recordAccounts([{ kind: 'github', id: 'alexk', connector: 'github-acme' }, { kind: 'github', id: 'stranger', connector: 'github-acme', name: 'Stranger' }]);
  await store.close();
}

describe('taskwire check', () => {
  it('validates the example and summarizes it', async () => {
    const { io, stdout } = captureIo({ env: EXAMPLE_ENV });
    expect(await runCli(['--config', EXAMPLE, 'check'], io)).toBe(0);
    expect(stdout()).toContain(`${EXAMPLE}: valid`);
    expect(stdout()).toMatch(/github-acme \(github\): acme\/api, acme\/infra/);
    expect(stdout()).toMatch(/plan mode/);
    expect(stdout()).toMatch(/web UI on at \/ \(sign in with the API token or user lead\)/);
    for (const secret of Object.values(EXAMPLE_ENV)) expect(stdout()).not.toContain(secret);
  });

  it('warns that a config with no connector captures nothing', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'empty.yaml'), 'timezone: Europe/Berlin\n');
    const { io, stderr } = captureIo({ cwd: dir });
    expect(await runCli(['-c', 'empty.yaml', 'check'], io)).toBe(0);
    expect(stderr()).toMatch(/^taskwire: warning: .*empty\.yaml configures no enabled connector — nothing will be captured/);
  });

  it('finds the config through TASKWIRE_CONFIG', async () => {
    const dir = workdir();
    const { io, stdout } = captureIo({ env: { TASKWIRE_CONFIG: 'taskwire.yaml', GITHUB_TOKEN: 't' }, cwd: dir });
    expect(await runCli(['check'], io)).toBe(0);
    expect(stdout()).toContain(join(dir, 'taskwire.yaml'));
  });

  it('exits 2 with one line per problem', async () => {
    const { io, stderr } = captureIo();
    expect(await runCli(['--config', join(ROOT, 'test/fixtures/config/typo-key.yaml'), 'check'], io)).toBe(2);
    expect(stderr()).toMatch(/typo-key\.yaml:4 {2}server\.prot: unknown key "prot"/);
  });
});

describe('taskwire config schema', () => {
  it('prints the JSON Schema the example file points editors at', async () => {
    const { io, stdout } = captureIo();
    expect(await runCli(['config', 'schema'], io)).toBe(0);
    const printed = JSON.parse(stdout()) as Record<string, unknown>;
    expect(printed).toEqual(configJsonSchema());
    const committed = JSON.parse(readFileSync(join(ROOT, 'config/taskwire.schema.json'), 'utf8')) as unknown;
    expect(committed, 'config/taskwire.schema.json is stale: run npm run schema').toEqual(printed);
    expect(readFileSync(EXAMPLE, 'utf8')).toMatch(/\$schema=\.\/taskwire\.schema\.json/);
  });
});

describe('taskwire tasks', () => {
  it('prints [] on an empty store', async () => {
    const dir = workdir();
    const { io, stdout } = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir });
    expect(await runCli(['--config', 'taskwire.yaml', 'tasks', '--json'], io)).toBe(0);
    expect(JSON.parse(stdout())).toEqual([]);
  });

  it('filters by owner and status, as JSON and as a table — open work by default, with flags and names, on a terminal and piped', async () => {
    const dir = workdir();
    await seed(dir);
    const store = SqliteStore.open(join(dir, 'data/tw.db'));
    await store.applyBatch({ name: 'github-acme', kind: 'github' }, [{ type: 'task', task: taskFields({ key: 'acme/api#3', title: 'Old work', status: 'done', assignees: [gh('alexk')] }), owner: 'alex' }], null);
    await store.close();
    const json = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir });
    expect(await runCli(['-c', 'taskwire.yaml', 'tasks', '--owner', 'alex', '--json'], json.io)).toBe(0);
    expect((JSON.parse(json.stdout()) as { key: string; flags: string[] }[]).map((t) => [t.key, t.flags.includes('no_priority')])).toEqual([['acme/api#1', false]]);

    for (const isTTY of [true, false]) {
      const out = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir, isTTY });
      expect(await runCli(['-c', 'taskwire.yaml', 'tasks'], out.io)).toBe(0);
      const lines = out.stdout().trimEnd().split('\n');
      expect(lines[0]).toMatch(/^KEY\s+CONNECTOR\s+STATUS\s+OWNER\s+DUE\s+PRIORITY\s+FLAGS\s+TITLE$/);
      expect(lines[1]).toMatch(/^acme\/api#1\s+github-acme\s+in_progress\s+Alex\s+2026-11-27\s+medium\s+\S+\s+Rotate certs$/);
      // An assignee the registry does not know is shown as the account, not as nobody.
      expect(lines[2]).toMatch(/^acme\/api#2 .* github:stranger\? .*unmapped_owner.* Fix the API$/);
      expect(lines.at(-1)).toBe('2 tasks');
    }
    const all = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir });
    expect(await runCli(['-c', 'taskwire.yaml', 'tasks', '--all'], all.io)).toBe(0);
    expect(all.stdout()).toMatch(/Old work/);
    const closed = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir });
    expect(await runCli(['-c', 'taskwire.yaml', 'tasks', '--status', 'closed'], closed.io)).toBe(0);
    expect(closed.stdout().trimEnd().split('\n').slice(1)).toEqual([expect.stringMatching(/^acme\/api#3 .* Old work$/), '1 task']);
  });

  it('names the valid people and connectors when --owner or --connector is unknown', async () => {
    const dir = workdir();
    for (const [args, message] of [
      [['--owner', 'alx'], /--owner: no person "alx" in the registry; the people are alex/],
      [['--connector', 'jira-x'], /--connector: no connector named "jira-x" .*; the connectors are github-acme/],
    ] as const) {
      const { io, stderr } = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir });
      expect(await runCli(['-c', 'taskwire.yaml', 'tasks', ...args], io)).toBe(2);
      expect(stderr()).toMatch(message);
    }
  });

  it('rejects an unknown flag, status or connector with exit 2', async () => {
    const dir = workdir();
    for (const args of [['--flag', 'nope'], ['--status', 'doing'], ['--connector', 'jira-x']]) {
      const { io, stderr } = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir });
      expect(await runCli(['-c', 'taskwire.yaml', 'tasks', ...args], io)).toBe(2);
      expect(stderr()).toMatch(/^taskwire: --(flag|status|connector): /);
    }
  });
});

describe('taskwire people', () => {
  it('lists the registry and, with --unmapped, the accounts that resolve to nobody', async () => {
    const dir = workdir();
    await seed(dir);
    const all = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir });
    expect(await runCli(['-c', 'taskwire.yaml', 'people', '--json'], all.io)).toBe(0);
    expect(JSON.parse(all.stdout())).toEqual([
      { id: 'alex', name: 'Alex', email: null, timezone: 'Europe/Berlin', accounts: { github: ['alexk'] }, teams: [], openTasks: 1 },
    ]);
    const unmapped = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir, isTTY: true });
    expect(await runCli(['-c', 'taskwire.yaml', 'people', '--unmapped'], unmapped.io)).toBe(0);
    expect(unmapped.stdout()).toMatch(/github\s+stranger\s+Stranger/);
    expect(unmapped.stdout()).not.toMatch(/alexk/);
    expect(unmapped.stdout()).toMatch(/1 unmapped account\(s\): add each under people\[\]\.accounts\.<kind>/);
  });

  it('prints the unmapped accounts as people: entries that, pasted into the config, map them', async () => {
    const dir = workdir();
    await seed(dir);
    const store = SqliteStore.open(join(dir, 'data/tw.db'));
    await store.recordAccounts([{ kind: 'jira', id: '5b10ac8d82e05b22cc7d4ef5', connector: 'jira-acme', name: 'Stranger', email: 'stranger@acme.example' }, { kind: 'github', id: 'alex-2', connector: 'github-acme', name: 'Alex' }]);
    await store.close();
    const yaml = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir });
    expect(await runCli(['-c', 'taskwire.yaml', 'people', '--unmapped', '--yaml'], yaml.io)).toBe(0);
    const text = yaml.stdout();
    expect(text).toMatch(/^# 2 people seen in the tools/);
    // The same name across tools is one person; an id never collides with the registry's (alex).
    expect(text).toMatch(/- id: stranger\n {4}name: Stranger\n {4}email: stranger@acme\.example\n {4}accounts:\n {6}github: stranger\n {6}jira: 5b10ac8d82e05b22cc7d4ef5/);
    expect(text).toMatch(/- id: alex-2\n {4}name: Alex/);
    const file = join(dir, 'taskwire.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^people:\n(.*\n)/m, (m) => `${m}${text.split('\n').filter((l) => !l.startsWith('#')).join('\n')}`));
    const after = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir, isTTY: true });
    expect(await runCli(['-c', 'taskwire.yaml', 'people', '--unmapped'], after.io), after.stderr() + readFileSync(file, 'utf8')).toBe(0);
    expect(after.stdout()).toMatch(/every account seen resolves/);
  });
});

describe('the taskwire process', () => {
  const run = promisify(execFile);
  const tsx = join(ROOT, 'node_modules/.bin/tsx');
  const exec = async (args: string[], env: Record<string, string> = {}) => {
    try {
      const r = await run(tsx, [join(ROOT, 'src/cli.ts'), ...args], { env: { PATH: process.env['PATH'] ?? '', ...env } });
      return { code: 0, ...r };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('has --help for every command', async () => {
    const commands = [[], ['check'], ['config', 'schema'], ['tasks'], ['people'], ['explain'], ['health'], ['inbox'], ['outbox']];
    // Two processes at a time: all at once, on a loaded 2-core machine, outran the timeout.
    const results: Awaited<ReturnType<typeof exec>>[] = [];
    for (let i = 0; i < commands.length; i += 2) results.push(...(await Promise.all(commands.slice(i, i + 2).map((cmd) => exec([...cmd, '--help'])))));
    for (const r of results) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: taskwire/);
      expect(r.stdout).toMatch(/-c, --config <file>/); // every command's help shows the global options
    }
  }, 90_000);

  it('exits non-zero with a message and no stack trace for each kind of bad config', async () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      ['typo-key.yaml', {}, /server\.prot: unknown key/],
      ['wrong-type.yaml', {}, /followups\.maxPerPersonPerDay: must be a number/],
      ['unset-variable.yaml', {}, /connectors\[0\]\.token: environment variable TASKWIRE_TEST_UNSET_TOKEN is not set/],
      ['bad-yaml.yaml', {}, /bad-yaml\.yaml:5 {2}invalid YAML/],
    ];
    const results = await Promise.all(cases.map(([file, env]) => exec(['--config', join(ROOT, 'test/fixtures/config', file), 'check'], env)));
    for (const [i, [file, , message]] of cases.entries()) {
      const r = results[i]!;
      expect(r.code, file).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
  });
});

describe('taskwire explain, health and tasks --flag', () => {
  const NOW = () => Date.parse('2026-11-25T08:00:00Z');

  async function seedFlagged(dir: string) {
    const store = SqliteStore.open(join(dir, 'data/tw.db'));
    await store.applyBatch({ name: 'github-acme', kind: 'github' }, [
      { type: 'task', task: taskFields({ key: 'acme/api#1', title: 'Open firewall rule', assignees: [], milestone: 'Cutover', due: '2026-11-24' }), owner: null },
      { type: 'task', task: taskFields({ key: 'acme/api#2', title: 'Migrate DNS', assignees: [gh('alexk')], due: '2026-11-26', estimateS: 24 * 3600, acceptanceCriteria: 'verified in staging', dependsOn: ['github-acme:acme/api#1'], milestone: 'Cutover' }), owner: 'alex' },
    ], null);
    await store.close();
  }

  it('lists tasks with a flag, evaluated as of now', async () => {
    const dir = workdir();
    await seedFlagged(dir);
    const { io, stdout } = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir });
    expect(await runCli(['-c', 'taskwire.yaml', 'tasks', '--flag', 'no_owner', '--json'], io, NOW)).toBe(0);
    expect((JSON.parse(stdout()) as { key: string }[]).map((t) => t.key)).toEqual(['acme/api#1']);
  });

  it('explains a task by its key: flags with reasons, risk inputs and the graph', async () => {
    const dir = workdir();
    await seedFlagged(dir);
    const { io, stdout } = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir, isTTY: true });
    expect(await runCli(['-c', 'taskwire.yaml', 'explain', 'acme/api#2'], io, NOW)).toBe(0);
    const text = stdout();
    expect(text).toMatch(/^acme\/api#2 \(GitHub\) {2}Migrate DNS/);
    expect(text).toMatch(/owner Alex/);
    expect(text).toMatch(/warning\s+blocked\s+blocked by acme\/api#1 \(GitHub\)/);
    expect(text).toMatch(/warning\s+dependency_at_risk\s+blocked by acme\/api#1 \(GitHub\), overdue since Tue 24 Nov, nobody owns it → acme\/api#2 \(GitHub\) due Thu 26 Nov/);
    expect(text).toMatch(/Deadline risk: high — \d+% chance of missing Thu 26 Nov/);
    // How far ahead and how sure: Wednesday 25 Nov to Thursday 26 Nov is one working day.
    expect(text).toMatch(/How far ahead and how sure: 1 working day before it is due, \d+% likely to miss \(from [^\n]+\)\.\n/);
    expect(text).toMatch(/depends on acme\/api#1 \(GitHub\) \(todo\)/);
    // Plain words and the team's time zone: what it waits for, how much work, before when.
    expect(text).toMatch(/due Thu 26 Nov/);
    expect(text).toMatch(/can start once acme\/api#1 \(GitHub\) is done \((forecast \w{3} \d+ \w{3}|no forecast)\), \w{3} \d+ \w{3} \d\d:\d\d at the earliest; then about 3 working days of work \(estimate 24h\) before Thu 26 Nov/);
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    expect(text.match(/Migrate DNS/g)).toHaveLength(1);
  });

  it('names a task by a piece of its title when only one task has it, and lists them when several do', async () => {
    const dir = workdir();
    await seedFlagged(dir);
    const one = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir });
    expect(await runCli(['-c', 'taskwire.yaml', 'explain', 'firewall'], one.io, NOW)).toBe(0);
    expect(one.stdout()).toMatch(/^acme\/api#1 \(GitHub\) {2}Open firewall rule/);
    const store = SqliteStore.open(join(dir, 'data/tw.db'));
    await store.applyBatch({ name: 'github-acme', kind: 'github' }, [{ type: 'task', task: taskFields({ key: 'acme/api#3', title: 'Close the firewall ticket' }), owner: null }], null);
    await store.close();
    const two = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir });
    expect(await runCli(['-c', 'taskwire.yaml', 'explain', 'Firewall'], two.io, NOW)).toBe(2);
    expect(two.stderr()).toMatch(/"Firewall" is in the title of 2 tasks: acme\/api#1 "Open firewall rule"; acme\/api#3 "Close the firewall ticket" — say more, or give a key/);
  });

  it('says which task it could not find, with exit 2', async () => {
    const dir = workdir();
    const { io, stderr } = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir });
    expect(await runCli(['-c', 'taskwire.yaml', 'explain', 'OPS-404'], io, NOW)).toBe(2);
    expect(stderr()).toMatch(/no task "OPS-404"/);
  });

  it('rolls up milestone health', async () => {
    const dir = workdir();
    await seedFlagged(dir);
    const { io, stdout } = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir });
    expect(await runCli(['-c', 'taskwire.yaml', 'health', '--json'], io, NOW)).toBe(0);
    const groups = JSON.parse(stdout()) as { name: string; state: string; reasons: string[] }[];
    expect(groups).toEqual([expect.objectContaining({ name: 'Cutover', state: 'off_track' })]);
    expect(groups[0]?.reasons[0]).toBe('1 overdue task');
  });

  it('lists the tasks whose GitHub projects disagree, saying what each says and what is used', async () => {
    const dir = workdir();
    await seedFlagged(dir);
    const store = SqliteStore.open(join(dir, 'data/tw.db'));
    const plan = (project: string, due: string, rawPriority: string) => ({ project, projectId: `PVT_${project}`, itemId: `PVTI_${project}`, updatedAt: '2026-11-20T09:00:00Z', due, dueFrom: 'Target date', status: null, rawStatus: null, priority: 'high', rawPriority, iteration: null, estimateS: null });
    await store.setMeta('connector:github-acme:plan:acme/api#2|acme/3', JSON.stringify(plan('acme/3', '2026-11-26', 'P1')));
    await store.setMeta('connector:github-acme:plan:acme/api#2|acme/7', JSON.stringify(plan('acme/7', '2026-11-30', 'P1')));
    await store.close();
    const { io, stdout } = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir, isTTY: true });
    expect(await runCli(['-c', 'taskwire.yaml', 'health'], io, NOW)).toBe(0);
    expect(stdout()).toContain('github-acme: acme/api#2 — due date: acme/3 says 2026-11-26, acme/7 says 2026-11-30 (the earlier is used)\n');
    // They agree on the priority: nothing said about it.
    expect(stdout()).not.toContain('priority: acme/3');
  });

  it('says which replica holds which lease, since when', async () => {
    const dir = workdir();
    await seedFlagged(dir);
    const store = SqliteStore.open(join(dir, 'data/tw.db'));
    await store.leases.acquire('poll:github-acme', 'replica-1:4242:1764700000000', 60_000);
    const [lease] = await store.leases.list();
    await store.close();
    const { io, stdout } = captureIo({ env: { GITHUB_TOKEN: 't' }, cwd: dir, isTTY: true });
    expect(await runCli(['-c', 'taskwire.yaml', 'health'], io, NOW)).toBe(0);
    expect(stdout()).toMatch(new RegExp(`^poll:github-acme\\s+replica-1 \\(pid 4242\\)\\s+${lease!.acquiredAt.slice(0, 19).replace('T', ' ')} UTC\\s+1$`, 'm'));
  });
});
