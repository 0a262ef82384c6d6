/**
 * Reconciling what the events missed (a delivery lost while taskwire was down, reactions added while
 * Socket Mode was reconnecting). Per watched channel, `conversations.history` since the cursor (the first
 * run reads the `lookback` window) picks up messages carrying the capture reaction; then every captured
 * message seen within `lookback` is read again with its thread (`conversations.replies`: reactions and
 * replies), so done reactions and replies are caught even without events. Captured messages are
 * remembered in the cursor — that is how a poll knows which threads to read.
 */
import type { Cursor, SourceItem } from '../../src/core/model.js';
import { captureItems, type InboundDeps } from './inbound.js';
import { messageKey, parseKey, toTask } from './normalize.js';
import type { SlackMessage } from './types.js';

export interface SlackCursor extends Cursor {
  readonly v: 1;
  /** Per channel: the newest message ts read. */
  readonly channels: Readonly<Record<string, string>>;
  /** Captured messages (`channel/ts`) → when they were last seen tracked (ISO). */
  readonly tracked: Readonly<Record<string, string>>;
}

const TRACKED_PER_PAGE = 20;

export async function* pollSlack(deps: InboundDeps, previous: Cursor | null, signal: AbortSignal, now: () => number = Date.now): AsyncGenerator<{ items: SourceItem[]; cursor: Cursor }> {
  const { config, client } = deps;
  const prev = previous as SlackCursor | null;
  let cursor: SlackCursor = prev?.v === 1 ? prev : { v: 1, channels: {}, tracked: {} };
  const start = now();
  const windowStart = start - config.lookback;
  const ctx = await deps.ctx();

  for (const channel of config.channels) {
    const oldest = cursor.channels[channel] ?? (windowStart / 1000).toFixed(6);
    let newest = oldest;
    let page: string | undefined;
    do {
      signal.throwIfAborted();
      const r = await client.call('conversations.history', (w) => w.conversations.history({ channel, oldest, limit: 200, ...(page ? { cursor: page } : {}) }));
      const messages = (r.messages ?? []) as SlackMessage[];
      const items: SourceItem[] = [];
      const tracked: Record<string, string> = { ...cursor.tracked };
      for (const m of messages) {
        if (Number(m.ts) > Number(newest)) newest = m.ts;
        const capture = m.reactions?.find((x) => x.name === config.captureReaction);
        if (!capture || capture.users.length === 0) continue;
        items.push({ type: 'task', task: toTask({ channel, message: m, reactions: m.reactions ?? [], capturedBy: capture.users[0] ?? null }, ctx) });
        tracked[messageKey(channel, m.ts)] = new Date(start).toISOString();
      }
      page = r.response_metadata?.next_cursor || undefined;
      // Newest first: the channel's position moves only when its last page is read.
      cursor = { ...cursor, tracked, ...(page ? {} : { channels: { ...cursor.channels, [channel]: newest } }) };
      yield { items, cursor };
    } while (page);
  }

  // Every captured message still in the window, read again with its thread.
  const keys = Object.keys(cursor.tracked);
  for (let i = 0; i < keys.length; i += TRACKED_PER_PAGE) {
    signal.throwIfAborted();
    const items: SourceItem[] = [];
    const tracked: Record<string, string> = { ...cursor.tracked };
    for (const key of keys.slice(i, i + TRACKED_PER_PAGE)) {
      const { channel, ts } = parseKey(key);
      if (Number(ts) * 1000 < windowStart) {
        delete tracked[key]; // older than the window: events keep it current, polls no longer read it
        continue;
      }
      const got = await captureItems(deps, channel, ts, null);
      items.push(...got);
      if (got[0]?.type === 'deleted') delete tracked[key];
      else tracked[key] = new Date(start).toISOString();
    }
    cursor = { ...cursor, tracked };
    yield { items, cursor };
  }
}
