import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GithubFake } from '../../connectors/github/fake.js';
import { SlackFake } from '../../connectors/slack/fake.js';
import { githubConfigSchema } from '../../connectors/github/config.js';
import { createGithub } from '../../connectors/github/connector.js';
import { slackConfigSchema } from '../../connectors/slack/config.js';
import { createSlack } from '../../connectors/slack/connector.js';
import type { Connector } from '../../connectors/port.js';
import type { PlannedAction } from '../../src/core/planner.js';
import { statusMarker } from '../../src/core/text.js';
import { dispatchDue } from '../../src/pipeline/dispatch.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { silentLog } from '../support/github.js';

const gh = new GithubFake({ repos: [{ fullName: 'acme/infra', issues: [{ title: 'Open firewall rule' }, { title: 'Rotate certs' }] }] }, { self: 'taskwire-bot' });
const slack = new SlackFake({ users: [{ id: 'U0ALEX', name: 'alex' }, { id: 'U0SAM', name: 'sam' }], channels: {} }, { botToken: 'xoxb-test' });
beforeAll(async () => {
  await gh.start();
  await slack.start();
});
afterAll(async () => {
  await gh.stop();
  await slack.stop();
});

function actions(issue: number, user: string): PlannedAction[] {
  const marker = statusMarker(`github-acme:acme/infra#${issue}`);
  const key = `dm:${user}:test`;
  return [
    { key: `status:${issue}`, connector: 'github-acme', kind: 'status_comment', taskId: `github-acme:acme/infra#${issue}`, recipient: null, subject: `status:${issue}`, action: { type: 'status_comment', taskKey: `acme/infra#${issue}`, marker, body: `${marker}\n**taskwire status**: needs one owner` }, reason: 'no_owner', notBefore: null, about: [] },
    { key, connector: 'slack-acme', kind: 'direct_message', taskId: null, recipient: user, subject: `dm:${user}`, action: { type: 'direct_message', accountId: user, text: 'one task needs your attention', idempotencyKey: key }, reason: '1 task', notBefore: null, about: [] },
  ];
}

/** Runs the child (asynchronously: the fakes it talks to live in this process) and returns the signal that ended it. */
function child(store: string, crash: string): Promise<NodeJS.Signals | null> {
  return new Promise((resolveSignal, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, '../support/dispatch-child.ts')], { env: { ...process.env, STORE: store, GH_URL: gh.url, SLACK_URL: slack.apiUrl, CRASH: crash, LEASE_MS: '1' }, stdio: 'inherit' });
    const timer = setTimeout(() => p.kill('SIGTERM'), 60_000);
    p.on('error', reject);
    p.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolveSignal(signal);
    });
  });
}

async function inProcessDispatch(path: string) {
  const store = SqliteStore.open(path);
  const github = createGithub(githubConfigSchema.parse({ name: 'github-acme', type: 'github', baseUrl: gh.url, token: 'ghp_faketoken', repos: ['acme/infra'] }), { log: silentLog, timezone: 'UTC' });
  const sl = createSlack(slackConfigSchema.parse({ name: 'slack-acme', type: 'slack', slackApiUrl: slack.apiUrl, botToken: 'xoxb-test', signingSecret: 's', channels: [] }), { log: silentLog, timezone: 'UTC' });
  await new Promise((r) => setTimeout(r, 10)); // the dead process's lease (1 ms) has run out
  const r = await dispatchDue({ store, connectors: new Map<string, Connector>([['github-acme', github], ['slack-acme', sl]]), log: silentLog });
  const rows = await store.outbox.list();
  await store.close();
  return { r, rows };
}

describe('the outbox survives kill -9 of the dispatching process', () => {
  it('killed after the writes reached the tools but before they were recorded: no second comment, no second message', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tw-crash-')), 'tw.db');
    const store = SqliteStore.open(path);
    await store.outbox.plan(actions(1, 'U0ALEX'), 'send', 'c1');
    await store.close();
    expect(await child(path, 'after-send')).toBe('SIGKILL');
    // Both writes reached the tools; neither result was recorded.
    expect(gh.comments('acme/infra', 1)).toHaveLength(1);
    expect(slack.dmsTo('U0ALEX')).toHaveLength(1);
    const { rows } = await inProcessDispatch(path);
    expect(gh.comments('acme/infra', 1)).toHaveLength(1);
    expect(slack.dmsTo('U0ALEX')).toHaveLength(1);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent']);
  });

  it('killed after claiming, before sending: the lease runs out and each is sent exactly once', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tw-crash-')), 'tw.db');
    const store = SqliteStore.open(path);
    await store.outbox.plan(actions(2, 'U0SAM'), 'send', 'c1');
    await store.close();
    expect(await child(path, 'before-send')).toBe('SIGKILL');
    expect(gh.comments('acme/infra', 2)).toHaveLength(0);
    expect(slack.dmsTo('U0SAM')).toHaveLength(0);
    await inProcessDispatch(path);
    expect(gh.comments('acme/infra', 2)).toHaveLength(1);
    expect(slack.dmsTo('U0SAM')).toHaveLength(1);
    // And again: nothing more is sent.
    await inProcessDispatch(path);
    expect(gh.comments('acme/infra', 2)).toHaveLength(1);
    expect(slack.dmsTo('U0SAM')).toHaveLength(1);
  });
});
