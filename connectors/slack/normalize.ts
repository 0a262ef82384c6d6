/**
 * Slack → canonical, pure: a captured message as a task (title from its first line, owner from the
 * first person mentioned or whoever captured it, due date read from the words in the team's time
 * zone, priority from words or emoji, done / verified from the done reaction of the owner / the
 * requester), thread replies as activity, button clicks as evidence.
 */
import type { AccountRef, EvidenceItem, Priority, SourceItem, TaskFields, TaskStatus } from '../../src/core/model.js';
import { findReferences, sectionUnder } from '../../src/core/text.js';
import { dueFromText, priorityFromText } from '../kit/text-dates.js';

export { DEFAULT_PRIORITY_WORDS, dueFromText, priorityFromText } from '../kit/text-dates.js';
import type { SlackMessage, SlackReaction } from './types.js';

export interface SlackNormalizeContext {
  readonly timezone: string;
  /** `https://acme.slack.com` (from auth.test), for permalinks. */
  readonly workspaceUrl: string;
  readonly captureReaction: string;
  readonly doneReaction: string;
  readonly ownerFrom: 'mention' | 'reactor';
  readonly priorityWords: Readonly<Record<Priority, readonly string[]>>;
  /** The bot's own user id: its mentions and messages are not a person's. */
  readonly botUserId: string | null;
  /** Slack user id → display name, for readable titles. */
  readonly names: ReadonlyMap<string, string>;
  /** Channel id → name (#ops reads better than #C0OPS00001); ids without a name stay ids. */
  readonly channelNames?: ReadonlyMap<string, string>;
  readonly acceptanceCriteriaHeading: string;
}

/** A captured message's key: `C0123456789/1700000000.000100`. */
export const messageKey = (channel: string, ts: string) => `${channel}/${ts}`;

export function parseKey(key: string): { channel: string; ts: string } {
  const [channel = '', ts = ''] = key.split('/');
  return { channel, ts };
}

/** https://acme.slack.com/archives/C0123/p1700000000000100 (Slack's permalink form, without an API call). */
export function permalink(workspaceUrl: string, channel: string, ts: string, threadTs?: string): string {
  const base = `${workspaceUrl.replace(/\/+$/, '')}/archives/${channel}/p${ts.replace('.', '')}`;
  return threadTs && threadTs !== ts ? `${base}?thread_ts=${threadTs}&cid=${channel}` : base;
}

export const tsToIso = (ts: string): string => new Date(Math.round(Number(ts) * 1000)).toISOString();

const MENTION = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g;

/** Slack markup → readable text: `<@U1>` → `@name`, `<https://x|label>` → `label (https://x)`, entities unescaped. */
export function plainText(text: string, names: ReadonlyMap<string, string>): string {
  return text
    .replace(MENTION, (_m, id: string) => `@${names.get(id) ?? id}`)
    .replace(/<#[CG][A-Z0-9]+\|([^>]+)>/g, '#$1')
    .replace(/<!(here|channel|everyone)>/g, '@$1')
    .replace(/<(https?:\/\/[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:\/\/[^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function mentions(text: string, botUserId: string | null): string[] {
  return [...text.matchAll(MENTION)].map((m) => m[1]!).filter((id) => id !== botUserId);
}

const account = (id: string, names: ReadonlyMap<string, string>): AccountRef => ({ kind: 'slack', id, ...(names.get(id) ? { name: names.get(id)! } : {}) });

export interface CaptureInput {
  readonly channel: string;
  readonly message: SlackMessage;
  readonly reactions: readonly SlackReaction[];
  /** Who captured it (the person who reacted, or who used the shortcut); null when not known. */
  readonly capturedBy: string | null;
  /** Replies in the thread (for activity; the owner's reply means work started). */
  readonly replies?: readonly SlackMessage[];
}

/** A captured message as a task. */
export function toTask(input: CaptureInput, ctx: SlackNormalizeContext): TaskFields {
  const { message: msg, channel } = input;
  const text = plainText(msg.text ?? '', ctx.names);
  const [first = '', ...rest] = text.split('\n');
  const title = first.trim().length > 0 ? truncate(first.trim(), 120) : '(empty message)';
  const description = rest.join('\n').trim() || null;
  const requester = msg.user ?? null;
  const mentioned = mentions(msg.text ?? '', ctx.botUserId);
  const owner = ctx.ownerFrom === 'mention' ? (mentioned[0] ?? null) : (input.capturedBy ?? mentioned[0] ?? null);
  const posted = new Date(Number(msg.ts) * 1000);
  const pr = priorityFromText(msg.text ?? '', ctx.priorityWords);
  const doneBy = input.reactions.find((r) => r.name === ctx.doneReaction)?.users ?? [];
  const status: TaskStatus = requester && doneBy.includes(requester) && requester !== owner ? 'verified' : owner && doneBy.includes(owner) ? 'done' : repliedBy(input.replies, owner) ? 'in_progress' : 'todo';
  const refs = findReferences(text);
  const created = tsToIso(msg.ts);
  const lastEdit = msg.edited?.ts ? tsToIso(msg.edited.ts) : created;
  const latestReply = msg.latest_reply ? tsToIso(msg.latest_reply) : null;
  const updated = [created, lastEdit, latestReply].filter((x): x is string => x !== null).sort().at(-1)!;
  const human = [requester && requester !== ctx.botUserId ? created : null, ...(input.replies ?? []).filter((r) => r.user && r.user !== ctx.botUserId && !r.bot_id).map((r) => tsToIso(r.ts))].filter((x): x is string => x !== null);
  return {
    key: messageKey(channel, msg.ts),
    url: permalink(ctx.workspaceUrl, channel, msg.ts),
    type: 'message',
    title,
    description,
    status,
    rawStatus: doneBy.length > 0 ? `:${ctx.doneReaction}: by ${doneBy.join(', ')}` : null,
    priority: pr.priority,
    rawPriority: pr.raw,
    assignees: owner ? [account(owner, ctx.names)] : [],
    reporter: requester ? account(requester, ctx.names) : null,
    due: dueFromText(text, posted, ctx.timezone),
    acceptanceCriteria: sectionUnder(text, ctx.acceptanceCriteriaHeading),
    estimateS: null,
    spentS: null,
    remainingS: null,
    parent: null,
    dependsOn: refs.dependsOn,
    links: refs.links.filter((l) => !refs.dependsOn.includes(l)),
    labels: [],
    project: `#${ctx.channelNames?.get(channel) ?? channel}`,
    milestone: null,
    createdAt: created,
    updatedAt: updated,
    lastHumanActivityAt: human.sort().at(-1) ?? null,
    doneAt: status === 'done' || status === 'verified' ? updated : null,
    verifiedAt: status === 'verified' ? updated : null,
    verifiedBy: null,
  };
}

function repliedBy(replies: readonly SlackMessage[] | undefined, owner: string | null): boolean {
  return owner !== null && (replies ?? []).some((r) => r.user === owner && r.thread_ts !== r.ts);
}

/** Replies in a tracked thread as activity (a person's counts; bots' and ours do not). */
export function replyItems(channel: string, parentTs: string, replies: readonly SlackMessage[], botUserId: string | null): SourceItem[] {
  return replies
    .filter((r) => r.ts !== parentTs)
    .map((r) => ({
      type: 'activity' as const,
      key: messageKey(channel, parentTs),
      at: tsToIso(r.ts),
      actor: r.user === botUserId ? ('taskwire' as const) : r.bot_id || !r.user ? ('bot' as const) : ('human' as const),
      ...(r.user ? { actorId: r.user } : {}),
      what: 'thread reply',
    }));
}

/** The value of a taskwire button: which task, which action. */
export interface ButtonValue {
  readonly t: string;
  readonly a: 'verify' | 'ack' | 'snooze';
}

export const BUTTON_ACTIONS: Readonly<Record<ButtonValue['a'], { id: string; label: string }>> = {
  verify: { id: 'taskwire_verify', label: 'Mark verified' },
  ack: { id: 'taskwire_ack', label: "I'm on it" },
  snooze: { id: 'taskwire_snooze', label: 'Snooze 1 day' },
};

/** A button click as evidence about the task it names (any tool's task). */
export function buttonEvidence(value: ButtonValue, user: string, at: string): EvidenceItem {
  const kind = value.a === 'verify' ? 'verified' : value.a === 'ack' ? 'acknowledged' : 'snoozed';
  const until = value.a === 'snooze' ? new Date(Date.parse(at) + 86_400_000).toISOString() : undefined;
  return {
    type: 'evidence',
    target: value.t,
    kind,
    source: `slack:${user}`,
    sourceUrl: null,
    at,
    actor: 'human',
    actorId: user,
    summary: value.a === 'verify' ? `marked verified in Slack by ${user}` : value.a === 'ack' ? `${user} is on it (Slack)` : `snoozed for a day in Slack by ${user}`,
    ...(until ? { until } : {}),
  };
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
