/**
 * Signatures checked against the vendors' own published examples, through the connectors' verify —
 * not against what our fakes sign with our own helper — and parsing checked against payloads copied
 * from the vendors' documentation (sources in test/fixtures/{slack,notion}/webhooks/README.md).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createGithub } from '../../connectors/github/connector.js';
import { SlackClient } from '../../connectors/slack/client.js';
import { slackConfigSchema } from '../../connectors/slack/config.js';
import { slackWebhook } from '../../connectors/slack/webhook.js';
import { WebhookVerificationError } from '../../src/errors.js';
import { githubConfig, silentLog } from '../support/github.js';
import { notionRig, type NotionRig } from '../support/notion.js';

const fixture = (path: string) => readFileSync(resolve(import.meta.dirname, '../fixtures', path));

describe("GitHub's documented example (docs.github.com, Validating webhook deliveries)", () => {
  // Secret "It's a Secret to Everybody", payload "Hello, World!", and the signature GitHub publishes.
  const hook = createGithub(githubConfig('https://api.github.test', { webhook: { secrets: ["It's a Secret to Everybody"] } }), { log: silentLog, timezone: 'UTC' }).webhook!;
  const headers = (signature: string) => ({ 'x-hub-signature-256': signature, 'x-github-event': 'ping', 'x-github-delivery': 'd-1' });
  const PUBLISHED = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it('verifies the published signature over the raw bytes', () => {
    expect(() => hook.verify(Buffer.from('Hello, World!'), headers(PUBLISHED))).not.toThrow();
  });

  it('rejects it for other bytes, or with one digit changed', () => {
    expect(() => hook.verify(Buffer.from('Hello, World! '), headers(PUBLISHED))).toThrow(WebhookVerificationError);
    expect(() => hook.verify(Buffer.from('Hello, World!'), headers(`${PUBLISHED.slice(0, -1)}f`))).toThrow(WebhookVerificationError);
  });
});

describe("Slack's documented example request (docs.slack.dev, Verifying requests from Slack)", () => {
  const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
  const TIMESTAMP = 1531420618;
  const PUBLISHED = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
  const body = fixture('slack/webhooks/signed-request.txt');
  const config = slackConfigSchema.parse({ name: 'slack-acme', type: 'slack', slackApiUrl: 'https://slack.test/api', botToken: 'xoxb-test', signingSecret: SECRET, channels: [] });
  const deps = { client: new SlackClient(config, silentLog), config, ctx: () => Promise.reject(new Error('not needed')) };
  const headers = (signature: string, ts = TIMESTAMP) => ({ 'x-slack-signature': signature, 'x-slack-request-timestamp': String(ts), 'content-type': 'application/x-www-form-urlencoded' });

  it('verifies the published signature at the time it was made', () => {
    const hook = slackWebhook(deps, () => (TIMESTAMP + 30) * 1000);
    expect(() => hook.verify(body, headers(PUBLISHED))).not.toThrow();
    expect(() => hook.verify(Buffer.concat([body, Buffer.from('x')]), headers(PUBLISHED))).toThrow(WebhookVerificationError);
  });

  it('refuses the same request replayed later (timestamp more than 5 minutes off)', () => {
    const hook = slackWebhook(deps, () => (TIMESTAMP + 301) * 1000);
    expect(() => hook.verify(body, headers(PUBLISHED))).toThrow(/more than 5 minutes off/);
  });

  it('reads the documented event payloads: the id that deduplicates retries, the challenge, a reaction it does not use', async () => {
    const hook = slackWebhook(deps);
    const reaction = fixture('slack/webhooks/reaction_added.json');
    const json = { 'content-type': 'application/json' };
    expect(() => hook.decode!(reaction, json)).not.toThrow();
    expect(hook.deliveryId(reaction, json)).toBe('Ev123ABC456');
    expect(await hook.parse(reaction, json)).toEqual({ items: [], ignored: 'reaction :thumbsup: is not used' });
    const challenge = fixture('slack/webhooks/url_verification.json');
    expect(await hook.handshake!(challenge, json)).toEqual({ status: 200, body: { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' } });
  });
});

describe("Notion's documented sample events (developers.notion.com, Event types & delivery)", () => {
  const rigs: NotionRig[] = [];
  afterEach(async () => {
    for (const r of rigs.splice(0)) await r.fake.stop();
  });
  const rig = async () => {
    const r = await notionRig([], { webhook: { verificationToken: 'secret_configured' } });
    rigs.push(r);
    return r.connector.webhook!;
  };

  it('decodes each, and takes the event id as the dedupe key', async () => {
    const hook = await rig();
    for (const name of ['page.created', 'page.properties_updated', 'page.deleted', 'comment.created']) {
      const raw = fixture(`notion/webhooks/${name}.json`);
      expect(() => hook.decode!(raw, {}), name).not.toThrow();
      expect(hook.deliveryId(raw, {})).toBe((JSON.parse(raw.toString()) as { id: string }).id);
    }
  });

  it('a comment on a page is human activity on that page; a deleted page is deleted; a page it cannot see is not guessed at', async () => {
    const hook = await rig();
    expect(await hook.parse(fixture('notion/webhooks/comment.created.json'), {})).toEqual({
      items: [{ type: 'activity', key: '0ef104cd-477e-80e1-8571-cfd10e92339a', at: '2024-12-05T20:46:45.854Z', actor: 'human', actorId: 'c7c11cca-1d73-471d-9b6e-bdef51470190', what: 'comment' }],
    });
    expect(await hook.parse(fixture('notion/webhooks/page.deleted.json'), {})).toEqual({ items: [{ type: 'deleted', key: '153104cd-477e-8001-935c-c4b11828dfbd', at: '2024-12-05T23:59:31.215Z' }] });
    expect(await hook.parse(fixture('notion/webhooks/page.created.json'), {})).toEqual({ items: [], ignored: 'the page is not shared with the integration (or is gone)' });
  });

  it('the set-up verification request is a handshake that changes nothing', async () => {
    const hook = await rig();
    const raw = fixture('notion/webhooks/verification.json');
    expect(() => hook.verify(raw, {})).not.toThrow();
    expect(await hook.handshake!(raw, {})).toEqual({ status: 200, body: { ok: true } });
    // …and it verifies nothing: an event signed with its token is refused.
    expect(() => hook.verify(fixture('notion/webhooks/page.created.json'), { 'x-notion-signature': 'sha256=00' })).toThrow(/does not match/);
  });
});
