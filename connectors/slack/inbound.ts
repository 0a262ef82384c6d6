/**
 * What Slack sends, whichever way it arrives (Events API over HTTP, interactivity over HTTP, or Socket
 * Mode): reactions that capture or close a task, thread replies, edits and deletions, the "Track as
 * task" message shortcut and taskwire's DM buttons — turned into items. One function for both
 * transports, so they cannot drift apart.
 */
import type { SourceHistoryEntry, SourceItem, TaskStatus } from '../../src/core/model.js';
import type { ParsedDelivery } from '../port.js';
import type { SlackClient } from './client.js';
import type { SlackConfig } from './config.js';
import { buttonEvidence, messageKey, replyItems, toTask, tsToIso, type ButtonValue, type CaptureInput, type SlackNormalizeContext } from './normalize.js';
import type { SlackEventEnvelope, SlackInteraction, SlackMessage } from './types.js';

export interface InboundDeps {
  readonly client: SlackClient;
  readonly config: SlackConfig;
  readonly ctx: () => Promise<SlackNormalizeContext>;
}

/** The delivery's dedupe id: the event id (kept across Slack's retries), or the interaction's trigger. */
export function deliveryIdOf(body: unknown): string {
  const b = body as { event_id?: string; type?: string; trigger_id?: string; action_ts?: string; actions?: { action_ts?: string }[] };
  if (b.event_id) return b.event_id;
  const unique = b.trigger_id ?? b.action_ts ?? b.actions?.[0]?.action_ts;
  return b.type && unique ? `${b.type}:${unique}` : '';
}

export async function handleBody(deps: InboundDeps, body: unknown): Promise<ParsedDelivery> {
  const b = body as { type?: string };
  if (b.type === 'event_callback') return handleEvent(deps, body as SlackEventEnvelope);
  if (b.type === 'message_action' || b.type === 'block_actions') return handleInteraction(deps, body as SlackInteraction);
  return { items: [], ignored: `payload type ${b.type ?? '(none)'} is not used` };
}

const watched = (config: SlackConfig, channel: string) => config.channels.length === 0 || config.channels.includes(channel);

async function handleEvent(deps: InboundDeps, env: SlackEventEnvelope): Promise<ParsedDelivery> {
  const e = env.event;
  if (!e) return { items: [], ignored: 'event_callback without an event' };
  const { config } = deps;
  if (e.type === 'reaction_added' || e.type === 'reaction_removed') {
    if (e.item.type !== 'message') return { items: [], ignored: 'reaction on something other than a message' };
    if (e.reaction !== config.captureReaction && e.reaction !== config.doneReaction) return { items: [], ignored: `reaction :${e.reaction}: is not used` };
    if (!watched(config, e.item.channel)) return { items: [], ignored: `channel ${e.item.channel} is not watched` };
    const capturedBy = e.type === 'reaction_added' && e.reaction === config.captureReaction ? e.user : null;
    // Slack's API keeps no time for a reaction; its event does. A status the reaction moved is history at that time.
    const reacted = e.reaction === config.doneReaction ? { user: e.user, added: e.type === 'reaction_added', at: tsToIso(e.event_ts) } : undefined;
    return { items: await captureItems(deps, e.item.channel, e.item.ts, capturedBy, reacted) };
  }
  if (e.type === 'message') {
    if (e.subtype === 'message_deleted') {
      const ts = e.deleted_ts ?? e.previous_message?.ts;
      return ts ? { items: [{ type: 'deleted', key: messageKey(e.channel, ts), at: tsToIso(e.event_ts ?? e.ts) }] } : { items: [], ignored: 'deletion without a ts' };
    }
    if (e.subtype === 'message_changed' && e.message) {
      const tracked = e.message.reactions?.some((r) => r.name === config.captureReaction);
      return tracked ? { items: await captureItems(deps, e.channel, e.message.ts, null) } : { items: [], ignored: 'edit of a message that is not a task' };
    }
    if (e.thread_ts && e.thread_ts !== e.ts) {
      // A reply in a thread: activity on the task, if the parent is one (the store ignores it otherwise).
      const ctx = await deps.ctx();
      return { items: replyItems(e.channel, e.thread_ts, [{ ts: e.ts, ...(e.user ? { user: e.user } : {}), ...(e.bot_id ? { bot_id: e.bot_id } : {}), thread_ts: e.thread_ts }], ctx.botUserId) };
    }
    return { items: [], ignored: 'message outside a thread' };
  }
  return { items: [], ignored: 'event type is not used' };
}

async function handleInteraction(deps: InboundDeps, p: SlackInteraction): Promise<ParsedDelivery> {
  if (p.type === 'message_action') {
    if (p.callback_id !== deps.config.shortcutCallbackId) return { items: [], ignored: `shortcut ${p.callback_id ?? ''} is not taskwire's` };
    const channel = p.channel?.id;
    const ts = p.message?.ts ?? p.message_ts;
    if (!channel || !ts) return { items: [], ignored: 'shortcut without a message' };
    // The capture reaction marks the message as tracked for everyone (and for the poll that reconciles).
    await deps.client.call('reactions.add', (w) => w.reactions.add({ channel, timestamp: ts, name: deps.config.captureReaction }), { lane: 'write', idempotent: true }).catch((err: unknown) => {
      if (!/already_reacted/.test((err as Error).message)) throw err;
    });
    return { items: await captureItems(deps, channel, ts, p.user.id) };
  }
  const items: SourceItem[] = [];
  for (const a of p.actions ?? []) {
    if (!a.action_id.startsWith('taskwire_') || !a.value) continue;
    let value: ButtonValue;
    try {
      value = JSON.parse(a.value) as ButtonValue;
    } catch {
      continue;
    }
    items.push(buttonEvidence(value, p.user.id, tsToIso(a.action_ts ?? p.action_ts ?? String(Date.now() / 1000))));
  }
  return items.length > 0 ? { items } : { items: [], ignored: 'no taskwire button in the interaction' };
}

/**
 * A message read again with its thread (conversations.replies gives the parent with its reactions and
 * the replies): the task as it stands now, and its replies as activity. A message gone, or no longer
 * carrying the capture reaction, is a deletion.
 */
export async function captureItems(deps: InboundDeps, channel: string, ts: string, capturedBy: string | null, reacted?: DoneReaction): Promise<SourceItem[]> {
  const ctx = await deps.ctx();
  const thread = await readThread(deps.client, channel, ts);
  const message = thread.find((m) => m.ts === ts);
  const key = messageKey(channel, ts);
  if (!message) return [{ type: 'deleted', key, at: new Date().toISOString() }];
  const capture = message.reactions?.find((r) => r.name === deps.config.captureReaction);
  if (!capture || capture.users.length === 0) return [{ type: 'deleted', key, at: new Date().toISOString() }];
  const replies = message.thread_ts === message.ts ? thread.filter((m) => m.ts !== ts) : [];
  const input = { channel, message, reactions: message.reactions ?? [], capturedBy: capturedBy ?? capture.users[0] ?? null, replies };
  const task = toTask(input, ctx);
  const history = reacted ? statusMove(input, reacted, task.status, deps.config.doneReaction, ctx) : [];
  return [{ type: 'task', task, ...(history.length > 0 ? { history } : {}) }, ...replyItems(channel, ts, replies, ctx.botUserId)];
}

/** A done reaction added or removed by `user` at `at` (from the event). */
export interface DoneReaction {
  readonly user: string;
  readonly added: boolean;
  readonly at: string;
}

/**
 * The status move a done reaction made, with the reaction's own time: the status the message had
 * without that reaction (added) or with it (removed), against the status it has now.
 */
function statusMove(input: CaptureInput, r: DoneReaction, now: TaskStatus, doneReaction: string, ctx: SlackNormalizeContext): SourceHistoryEntry[] {
  const others = input.reactions.filter((x) => x.name !== doneReaction);
  const users = input.reactions.find((x) => x.name === doneReaction)?.users ?? [];
  const without = users.filter((u) => u !== r.user);
  const before = r.added ? without : [...without, r.user];
  const reactions = before.length > 0 ? [...others, { name: doneReaction, users: before, count: before.length }] : others;
  const was = toTask({ ...input, reactions }, ctx).status;
  return was === now ? [] : [{ field: 'status', oldValue: was, newValue: now, at: r.at, actor: 'human', actorId: r.user }];
}

export async function readThread(client: SlackClient, channel: string, ts: string): Promise<SlackMessage[]> {
  const out: SlackMessage[] = [];
  let cursor: string | undefined;
  do {
    const r = await client.call('conversations.replies', (w) => w.conversations.replies({ channel, ts, limit: 200, include_all_metadata: true, ...(cursor ? { cursor } : {}) }));
    out.push(...((r.messages ?? []) as SlackMessage[]));
    cursor = r.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return out;
}
