import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, parseConfig, resolveConfigPath } from '../../src/config/load.js';
import { configJsonSchema } from '../../src/config/schema.js';
import { ConfigError } from '../../src/errors.js';
import { EXAMPLE_ENV } from '../support/example-env.js';

const fixture = (name: string) => resolve(import.meta.dirname, '../fixtures/config', name);
const EXAMPLE = resolve(import.meta.dirname, '../../config/taskwire.example.yaml');
function problemsOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}
const load = (file: string, env: Record<string, string> = {}) => loadConfig({ path: file, env, cwd: '/' });

describe('the documented example', () => {
  it('is valid with its variables set, and configures one connector of each kind', () => {
    const { config, secrets } = load(EXAMPLE, EXAMPLE_ENV);
    expect(config.connectors.map((c) => c.type)).toEqual(['github', 'jira', 'slack', 'notion', 'email']);
    expect(config.people).toHaveLength(2);
    expect(config.teams[0]?.aliases).toContain('DevOps');
    expect(config.followups.mode).toBe('plan');
    expect(config.rules.stale.after).toBe(3 * 86_400_000);
    expect(secrets).toEqual(expect.arrayContaining(['ghp_exampletoken', 'jira-api-token', 'xoxb-example']));
    expect(Object.isFrozen(config.connectors[0])).toBe(true);
  });

  it('names every variable it needs when none is set', () => {
    const problems = problemsOf(() => load(EXAMPLE));
    const named = problems.map((p) => /environment variable (\w+)/.exec(p.message)?.[1]).filter(Boolean);
    expect(new Set(named)).toEqual(new Set(Object.keys(EXAMPLE_ENV)));
  });

  it('documents every key the schema knows, for each section', () => {
    const text = readFileSync(EXAMPLE, 'utf8');
    const schema = configJsonSchema() as { properties: Record<string, unknown> };
    for (const key of Object.keys(schema.properties).filter((k) => k !== '$schema')) expect(text).toMatch(new RegExp(`^${key}:`, 'm'));
  });
});

describe('problems name their YAML path and line', () => {
  it.each([
    ['typo-key.yaml', { path: 'server.prot', line: 4, message: /unknown key "prot"/ }],
    ['wrong-type.yaml', { path: 'followups.maxPerPersonPerDay', line: 4, message: /must be a number, not string/ }],
    ['unset-variable.yaml', { path: 'connectors[0].token', line: 4, message: /TASKWIRE_TEST_UNSET_TOKEN is not set/ }],
    ['bad-yaml.yaml', { path: '', line: 5, message: /invalid YAML/ }],
    ['literal-secret.yaml', { path: 'connectors[0].botToken', line: 4, message: /must not be written in the config/ }],
  ])('%s', (file, expected) => {
    const problems = problemsOf(() => load(fixture(file), { SLACK_SIGNING_SECRET: 's' }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: expected.path, line: expected.line });
    expect(problems[0]?.message).toMatch(expected.message);
  });

  it('reports every problem at once, in file order', () => {
    const problems = problemsOf(() => load(fixture('many-problems.yaml'), { GITHUB_TOKEN: 't', JIRA_EMAIL: 'e@x.y' }));
    const text = problems.map((p) => `${p.line}:${p.path}: ${p.message}`);
    expect(text).toEqual([
      '1:timezone: must be an IANA timezone such as Europe/Berlin or UTC',
      expect.stringMatching(/^3:calendar\.workdays\[1\]: Invalid option/),
      '7:connectors[0].repos: list at least one repo (owner/repo) or org',
      '10:connectors[1].name: duplicate connector name "github-acme"',
      '11:connectors[1].type: unknown connector type; known types: github, jira, slack, notion, email',
      '12:connectors[2].apiToken: Jira Cloud needs apiToken (or apiTokenFile)',
      '14:connectors[2].host: must be an http(s) URL',
      '23:people[1].accounts.github[0]: github account "AlexK" is already given to person alex',
      '27:teams[0].members[1]: no person with id "robin"',
      '28:teams[0].lead: no person with id "robin"',
      '31:report.post[0].connector: no connector named "slack-nowhere"',
    ]);
  });

  it('formats one line per problem, with file and line, and no stack', () => {
    try {
      load(fixture('typo-key.yaml'));
    } catch (err) {
      expect((err as Error).message).toBe(`${fixture('typo-key.yaml')}: 1 problem in the config\n  ${fixture('typo-key.yaml')}:4  server.prot: unknown key "prot" (check the spelling)`);
      return;
    }
    throw new Error('expected a ConfigError');
  });
});

describe('secrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'taskwire-secrets-'));
  const parse = (text: string, env: Record<string, string> = {}) =>
    parseConfig(text, { file: 'inline.yaml', env, cwd: dir, readFile: (p) => readFileSync(p, 'utf8') });

  it('reads a <key>File reference (Docker secrets), trimming the final newline', () => {
    writeFileSync(join(dir, 'gh'), 'ghp_from_file\n');
    const { config, secrets } = parse('connectors:\n  - name: gh\n    type: github\n    tokenFile: gh\n    repos: [a/b]\n');
    expect(config.connectors[0]).toMatchObject({ token: 'ghp_from_file' });
    expect(secrets).toContain('ghp_from_file');
  });

  it('reads a list of secret files for rotation, and names a missing file', () => {
    writeFileSync(join(dir, 'old'), 'old-secret');
    const ok = parse(`connectors:\n  - name: gh\n    type: github\n    token: \${T}\n    repos: [a/b]\n    webhook:\n      secretsFile: [old]\n`, { T: 't' });
    expect(ok.config.connectors[0]).toMatchObject({ webhook: { secrets: ['old-secret'] } });
    const problems = problemsOf(() => parse('connectors:\n  - name: gh\n    type: github\n    tokenFile: nope\n    repos: [a/b]\n'));
    expect(problems).toEqual([{ path: 'connectors[0].tokenFile', line: 4, message: `cannot read secret file ${join(dir, 'nope')} (ENOENT)` }]);
  });

  it('refuses both forms at once and an empty variable', () => {
    const both = problemsOf(() => parse('connectors:\n  - name: gh\n    type: github\n    token: ${T}\n    tokenFile: x\n    repos: [a/b]\n', { T: 't' }));
    expect(both[0]?.message).toBe('give either token or tokenFile, not both');
    const empty = problemsOf(() => parse('connectors:\n  - name: gh\n    type: github\n    token: ${T}\n    repos: [a/b]\n', { T: ' ' }));
    expect(empty[0]?.message).toBe('environment variable T is empty');
  });

  it('interpolates ${NAME} in ordinary strings too', () => {
    const { config } = parse('store:\n  path: ${DATA}/taskwire.db\n', { DATA: '/var/lib/taskwire' });
    expect(config.store).toMatchObject({ driver: 'sqlite', path: '/var/lib/taskwire/taskwire.db' });
  });
});

describe('defaults and lookup', () => {
  it('fills defaults for an almost empty file', () => {
    const { config } = load(fixture('minimal.yaml'), { GITHUB_TOKEN: 't' });
    expect(config).toMatchObject({
      timezone: 'UTC',
      store: { driver: 'sqlite', path: 'data/taskwire.db' },
      followups: { mode: 'plan', statusCommentsPerCycle: 25 },
      calendar: { workdays: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: { start: '09:00', end: '17:00' } },
    });
    expect(config.connectors[0]).toMatchObject({ baseUrl: 'https://api.github.com', pollInterval: 300_000, writes: { labels: false } });
  });

  it('takes --config, else TASKWIRE_CONFIG, else config/taskwire.yaml', () => {
    expect(resolveConfigPath('a.yaml', { TASKWIRE_CONFIG: 'b.yaml' }, '/srv')).toBe('/srv/a.yaml');
    expect(resolveConfigPath(undefined, { TASKWIRE_CONFIG: '/etc/b.yaml' }, '/srv')).toBe('/etc/b.yaml');
    expect(resolveConfigPath(undefined, {}, '/srv')).toBe('/srv/config/taskwire.yaml');
  });

  it('says where to start when the file is missing', () => {
    const problems = problemsOf(() => load('/nonexistent/taskwire.yaml'));
    expect(problems[0]?.message).toMatch(/config file not found; pass --config FILE or set TASKWIRE_CONFIG/);
  });
});
