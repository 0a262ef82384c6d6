/**
 * Writing to Slack for the follow-up engine: direct messages (conversations.open + chat.postMessage) in
 * Block Kit with buttons, channel posts, and — for tasks captured from Slack — the status comment as one
 * thread reply under the original message, found again through its message metadata and edited in place
 * (chat.update), never posted twice.
 */
import { MARKER_PREFIX } from '../../src/core/text.js';
import { ConnectorError } from '../../src/errors.js';
import type { MessageItem, OutboundAction, WriteOptions, WriteResult } from '../port.js';
import type { SlackClient } from './client.js';
import type { SlackConfig } from './config.js';
import { readThread } from './inbound.js';
import { BUTTON_ACTIONS, parseKey, permalink } from './normalize.js';
import type { SlackMessage } from './types.js';

export const STATUS_EVENT = 'taskwire_status';

export const MESSAGE_EVENT = 'taskwire_message';

export async function writeSlack(client: SlackClient, config: SlackConfig, action: OutboundAction, opts: WriteOptions = {}): Promise<WriteResult> {
  const { url } = await client.whoAmI();
  switch (action.type) {
    case 'direct_message':
    case 'channel_post': {
      let channel = action.type === 'channel_post' ? action.channel : null;
      if (action.type === 'direct_message') {
        const open = await client.call('conversations.open', (w) => w.conversations.open({ users: action.accountId }));
        channel = open.channel?.id ?? null;
        if (!channel) throw new ConnectorError(config.name, `conversations.open gave no channel for ${action.accountId}`, { retryable: true });
      }
      const to = channel!;
      const key = action.idempotencyKey;
      // A retry after an interruption: the message may have gone out already — look before sending again.
      if (key && (opts.attempt ?? 1) > 1) {
        const sent = await alreadySent(client, to, key);
        if (sent) return { externalId: sent, url: permalink(url, to, sent) };
      }
      const r = await client.call('chat.postMessage', (w) =>
        w.chat.postMessage({ channel: to, text: mrkdwn(action.text), blocks: (action.blocks as never) ?? blocksFor(action.text, action.items ?? []), unfurl_links: false, ...(key ? { metadata: { event_type: MESSAGE_EVENT, event_payload: { key } } } : {}) }),
        { lane: 'notify' },
      );
      return { externalId: r.ts ?? null, ...(r.ts ? { url: permalink(url, to, r.ts) } : {}) };
    }
    case 'status_comment': {
      const { channel, ts } = parseKey(action.taskKey);
      const me = await client.whoAmI();
      const text = mrkdwn(action.body.split('\n').filter((l) => !l.trim().startsWith(MARKER_PREFIX)).join('\n').trim());
      const metadata = { event_type: STATUS_EVENT, event_payload: { marker: action.marker } };
      const thread = await readThread(client, channel, ts);
      // The reply we posted before, by ts (gone: a person deleted it, and it stays deleted), else by author and metadata.
      const previousTs = opts.previous?.externalId ?? null;
      if (previousTs !== null && !thread.some((m) => m.ts === previousTs)) return { externalId: previousTs, leftAlone: 'a person deleted the status reply' };
      const ours = thread.find((m) => m.user === me.userId && (previousTs !== null ? m.ts === previousTs : m.metadata?.event_type === STATUS_EVENT && m.metadata.event_payload?.['marker'] === action.marker));
      if (ours) {
        if (ours.text === text) return { externalId: ours.ts, url: permalink(url, channel, ours.ts, ts) };
        await client.call('chat.update', (w) => w.chat.update({ channel, ts: ours.ts, text, metadata }), { lane: 'notify', idempotent: true });
        return { externalId: ours.ts, url: permalink(url, channel, ours.ts, ts) };
      }
      const r = await client.call('chat.postMessage', (w) => w.chat.postMessage({ channel, thread_ts: ts, text, metadata, unfurl_links: false }), { lane: 'notify' });
      return { externalId: r.ts ?? null, ...(r.ts ? { url: permalink(url, channel, r.ts, ts) } : {}) };
    }
    default:
      throw new ConnectorError(config.name, `Slack cannot do a ${action.type}`, { retryable: false, status: 422 });
  }
}

/** The ts of a message taskwire already posted with this idempotency key, among the channel's latest. */
async function alreadySent(client: SlackClient, channel: string, key: string): Promise<string | null> {
  const me = await client.whoAmI();
  const r = await client.call('conversations.history', (w) => w.conversations.history({ channel, limit: 50, include_all_metadata: true }));
  const hit = ((r.messages ?? []) as SlackMessage[]).find((m) => m.user === me.userId && m.metadata?.event_type === MESSAGE_EVENT && m.metadata.event_payload?.['key'] === key);
  return hit?.ts ?? null;
}

/** Markdown (as taskwire writes it) → Slack mrkdwn: **bold** → *bold*, [t](u) → <u|t>, headings → bold lines. */
export function mrkdwn(md: string): string {
  return md
    .replace(/^#{1,6}\s+(.*)$/gm, '*$1*')
    .replace(/\*\*([^*]+)\*\*/g, '*$1*')
    .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '<$2|$1>');
}

/** Block Kit: the text, then per task a section (title link + reasons) and its buttons. Within Slack's limits. */
export function blocksFor(text: string, items: readonly MessageItem[]): unknown[] {
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: clip(mrkdwn(text), 3000) } }];
  const shown = items.slice(0, 15); // 1 + 3 per task stays under the 50-block limit
  for (const it of shown) {
    const title = it.url ? `<${it.url}|${esc(it.title)}>` : esc(it.title);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*${title}*\n${it.lines.map((l) => `• ${mrkdwn(l)}`).join('\n')}`, 3000) } });
    if (it.buttons.length > 0) {
      blocks.push({
        type: 'actions',
        block_id: `taskwire_${hash(it.taskId)}`,
        elements: it.buttons.map((b) => ({ type: 'button', action_id: BUTTON_ACTIONS[b].id, text: { type: 'plain_text', text: BUTTON_ACTIONS[b].label }, value: JSON.stringify({ t: it.taskId, a: b }).slice(0, 2000), ...(b === 'verify' ? { style: 'primary' } : {}) })),
      });
    }
    blocks.push({ type: 'divider' });
  }
  if (items.length > shown.length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${items.length - shown.length} more (see the daily report)` }] });
  return blocks;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
function hash(s: string): string {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h.toString(36);
}
