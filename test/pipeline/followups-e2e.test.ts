import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { GithubFake } from '../../connectors/github/fake.js';
import { runCli } from '../../src/cli.js';
import { loadConfig } from '../../src/config/load.js';
import { createConnector, engineFromConfig, loadIdentity } from '../../src/main.js';
import { dispatchAll } from '../../src/pipeline/dispatch.js';
import { evaluateAndPlan } from '../../src/pipeline/followups.js';
import { drainInbox } from '../support/inbox.js';
import { buildServer } from '../../src/server/app.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { silentLog } from '../support/github.js';
import { captureIo } from '../support/io.js';

const fakes: GithubFake[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.stop();
});

async function setup(mode: 'plan' | 'send', webhooks = false) {
  const fake = new GithubFake({ repos: [{ fullName: 'acme/infra', issues: [{ title: 'Open firewall rule for DNS cutover', body: 'Port 53 from the new resolvers.\n\n## Acceptance criteria\n- dig works', labels: ['P1'] }] }] }, { self: 'taskwire-bot' });
  fakes.push(fake);
  await fake.start();
  const dir = mkdtempSync(join(tmpdir(), 'tw-fu-'));
  writeFileSync(
    join(dir, 'taskwire.yaml'),
    `timezone: Europe/Berlin
store: { path: data/tw.db }
log: { level: silent }
people:
  - { id: alex, name: Alex Kim, accounts: { github: alexk } }
followups: { mode: ${mode}, respectWorkingHours: false }
connectors:
  - name: github-acme
    type: github
    baseUrl: ${fake.url}
    token: \${GITHUB_TOKEN}
    repos: [acme/infra]
    labels: { status: { "in progress": in_progress } }
    ${webhooks ? 'webhook: { secrets: ["${GITHUB_WEBHOOK_SECRET}"] }' : ''}
    writes: { statusComment: true, labels: true }
`,
  );
  const env = { GITHUB_TOKEN: 'ghp_faketoken', GITHUB_WEBHOOK_SECRET: 'hook-secret' };
  const cli = async (...args: string[]) => {
    const { io, stdout, stderr } = captureIo({ env, cwd: dir });
    const code = await runCli(['-c', 'taskwire.yaml', ...args], io);
    return { code, out: stdout(), err: stderr() };
  };
  return { fake, dir, env, cli };
}

const ours = (fake: GithubFake) => fake.comments('acme/infra', 1).filter((c) => c.body.includes('<!-- taskwire:status'));

describe('follow-ups end to end against the GitHub fake', () => {
  it('a flagged ticket over three cycles gets exactly one status comment, edited when its flags change', async () => {
    const { fake, cli } = await setup('send');
    for (let i = 0; i < 3; i++) expect((await cli('sync', '--once')).code).toBe(0);
    expect(ours(fake)).toHaveLength(1);
    const first = ours(fake)[0]!.body;
    expect(first).toMatch(/needs one owner/);
    fake.updateIssue('acme/infra', 1, { assignees: ['alexk'] }, 'alexk');
    const after = await cli('sync', '--once');
    expect(after.out).toMatch(/follow-ups: \d+ planned, 1 sent/);
    expect(ours(fake)).toHaveLength(1);
    expect(ours(fake)[0]!.body).not.toMatch(/needs one owner/);
    expect(ours(fake)[0]!.body).not.toBe(first);
    expect((await cli('sync')).out).toMatch(/follow-ups: 0 planned, 0 sent/);
  });

  it('plan mode sends nothing and lists everything it would send, and why', async () => {
    const { fake, cli } = await setup('plan');
    const sync = await cli('sync', '--once');
    expect(sync.out).toMatch(/follow-ups: 1 planned \(plan mode: nothing sent/);
    expect(fake.writes).toEqual([]);
    const plan = await cli('plan');
    expect(plan.out).toMatch(/1 follow-up taskwire would send \(plan mode/);
    expect(plan.out).toMatch(/#\d+ status comment on github-acme:acme\/infra#1 via github-acme — 2 open flags: no_owner, no_due_date/);
    expect(plan.out).toMatch(/\*\*Needed\*\*: needs a due date; needs one owner\./);
    const json = JSON.parse((await cli('plan', '--json')).out) as { kind: string }[];
    expect(json.map((j) => j.kind)).toEqual(['status_comment']);
  });

  it('our own comment and label coming back through the webhook path change no activity and plan nothing', async () => {
    const { fake, dir, env } = await setup('send', true);
    const { config } = loadConfig({ path: join(dir, 'taskwire.yaml'), env, cwd: dir });
    const store = SqliteStore.open(join(dir, 'data/tw.db'));
    const connector = await createConnector(config.connectors[0]!, { log: silentLog, timezone: config.timezone });
    const identity = await loadIdentity(config, store);
    const server = buildServer({ store, connectors: new Map([[connector.name, connector]]), log: silentLog, bodyLimit: 1_048_576 });
    await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { pollConnector } = await import('../../src/pipeline/poll.js');
      await pollConnector(store, connector, identity, new AbortController().signal);
      const engine = engineFromConfig(config, identity);
      const deps = { store, engine, config, identity };
      await evaluateAndPlan(deps, Date.now());
      fake.setWebhookTarget({ url: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/webhooks/github-acme`, secret: 'hook-secret' });
      const before = await store.getTask('github-acme:acme/infra#1');
      // (What happened when the issue was opened is a person's activity, read by the first sync.)
      const activityBefore = (await store.history('github-acme:acme/infra#1')).filter((h) => h.field === 'activity').length;
      // taskwire writes its comment and a label; the fake sends the matching webhooks back.
      await dispatchAll({ store, connectors: new Map([[connector.name, connector]]), log: silentLog });
      await connector.write!({ type: 'label', taskKey: 'acme/infra#1', add: ['needs-owner'], remove: [] });
      await Promise.all(fake.sentWebhooks.map((w) => w.result));
      await new Promise((r) => setTimeout(r, 50));
      await drainInbox(store, connector, identity);
      expect(fake.sentWebhooks.map((w) => `${w.event}.${w.action}`)).toEqual(['issue_comment.created', 'issues.labeled']);
      const after = await store.getTask('github-acme:acme/infra#1');
      expect(after?.lastHumanActivityAt).toBe(before?.lastHumanActivityAt);
      const activity = (await store.history('github-acme:acme/infra#1')).filter((h) => h.field === 'activity').slice(activityBefore);
      expect(activity.map((h) => h.actor)).toEqual(['taskwire', 'taskwire']);
      const replanned = await evaluateAndPlan(deps, Date.now());
      expect(replanned.planned).toBe(0);
    } finally {
      await server.close();
      await store.close();
    }
  });
});
