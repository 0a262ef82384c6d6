/**
 * A dispatcher in a child process that kills itself (SIGKILL, like a crash or `kill -9`) at a chosen
 * point: before a write reaches the tool, or after it did but before the result was recorded.
 */
import pino from 'pino';
import { githubConfigSchema } from '../../connectors/github/config.js';
import { createGithub } from '../../connectors/github/connector.js';
import type { Connector } from '../../connectors/port.js';
import { slackConfigSchema } from '../../connectors/slack/config.js';
import { createSlack } from '../../connectors/slack/connector.js';
import { dispatchDue } from '../../src/pipeline/dispatch.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';

const env = process.env;
const crash = env['CRASH'] ?? '';
const log = pino({ level: 'silent' });
const store = SqliteStore.open(env['STORE']!);
const github = createGithub(githubConfigSchema.parse({ name: 'github-acme', type: 'github', baseUrl: env['GH_URL'], token: 'ghp_faketoken', repos: ['acme/infra'] }), { log, timezone: 'UTC' });
const slack = createSlack(slackConfigSchema.parse({ name: 'slack-acme', type: 'slack', slackApiUrl: env['SLACK_URL'], botToken: 'xoxb-test', signingSecret: 's', channels: [] }), { log, timezone: 'UTC' });
// after-send: dies once every planned write has reached its tool, before any result is recorded.
const expected = Number(env['WRITES'] ?? 2);
let written = 0;
const dying = (c: Connector): Connector => ({
  ...c,
  write: async (action, opts) => {
    if (crash === 'before-send') process.kill(process.pid, 'SIGKILL');
    const r = await c.write!(action, opts);
    if (crash === 'after-send' && ++written === expected) process.kill(process.pid, 'SIGKILL');
    if (crash === 'after-send') await new Promise(() => undefined); // hold every result until the kill
    return r;
  },
});
await dispatchDue({ store, connectors: new Map([['github-acme', dying(github)], ['slack-acme', dying(slack)]]), log }, { leaseMs: Number(env['LEASE_MS'] ?? 1) });
await store.close();
