/**
 * A faithful fake of the Slack Web API on 127.0.0.1, plus Slack's side of Events API, interactivity and
 * Socket Mode: the methods the connector uses (`auth.test`, `conversations.history` / `replies` /
 * `open`, `chat.postMessage` / `update` / `getPermalink`, `users.list` / `info` / `lookupByEmail`,
 * `reactions.get` / `add`, `apps.connections.open`), form or JSON bodies, `ok: false` error bodies,
 * cursor pagination, 429 with Retry-After, recorded posts; and people's actions (messages, reactions,
 * the message shortcut, button clicks) delivered signed over HTTP or as envelopes over a WebSocket.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { FakeHttpServer, type FakeRequest, type FakeResponse } from '../kit/fake-server.js';
import { hmacHex } from '../kit/hmac.js';

export interface SlackUserSeed {
  readonly id: string;
  readonly name: string;
  readonly realName?: string;
  readonly email?: string;
  readonly isBot?: boolean;
  readonly tz?: string;
}

export interface SlackMessageSeed {
  readonly user: string;
  readonly text: string;
  /** Unix seconds (as Slack's ts) or an ISO time. */
  readonly at: string;
  readonly reactions?: Readonly<Record<string, readonly string[]>>;
  readonly replies?: readonly { readonly user: string; readonly text: string; readonly at: string }[];
}

export interface SlackScenario {
  readonly users: readonly SlackUserSeed[];
  readonly channels: Readonly<Record<string, { readonly name: string; readonly messages?: readonly SlackMessageSeed[] }>>;
}

export interface SlackFakeOptions {
  readonly botToken?: string;
  readonly appToken?: string;
  readonly botUserId?: string;
  readonly team?: string;
  readonly clock?: () => Date;
  /** Where Slack sends events and interactivity: over HTTP (signed) or over Socket Mode. */
  readonly delivery?: { readonly mode: 'http'; readonly url: string; readonly signingSecret: string } | { readonly mode: 'socket' };
}

interface Msg {
  ts: string;
  user: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
  bot_id?: string;
  reactions: Map<string, string[]>;
  metadata?: { event_type: string; event_payload?: Record<string, unknown> };
  edited?: { user: string; ts: string };
}

export interface Post {
  readonly channel: string;
  readonly ts: string;
  readonly text: string;
  readonly blocks?: unknown[];
  readonly thread_ts?: string;
}

export class SlackFake {
  readonly server: FakeHttpServer;
  /** Messages the app posted (chat.postMessage), in order. */
  readonly posts: Post[] = [];
  /** Message edits the app made (chat.update). */
  readonly updates: Post[] = [];
  private readonly users = new Map<string, SlackUserSeed>();
  private readonly channels = new Map<string, { name: string; messages: Msg[] }>();
  private readonly clock: () => Date;
  private readonly botUser: string;
  private seq = 0;
  private wss: WebSocketServer | null = null;
  private readonly sockets = new Set<WebSocket>();
  private readonly pendingAcks = new Map<string, () => void>();
  private delivery: SlackFakeOptions['delivery'];

  constructor(
    scenario: SlackScenario,
    private readonly opts: SlackFakeOptions = {},
  ) {
    this.clock = opts.clock ?? (() => new Date());
    this.botUser = opts.botUserId ?? 'UTASKWIRE';
    this.delivery = opts.delivery;
    this.users.set(this.botUser, { id: this.botUser, name: 'taskwire', isBot: true });
    for (const u of scenario.users) this.users.set(u.id, u);
    for (const [id, ch] of Object.entries(scenario.channels)) {
      const messages: Msg[] = [];
      for (const m of ch.messages ?? []) {
        const ts = this.tsAt(m.at);
        messages.push({ ts, user: m.user, text: m.text, reactions: new Map(Object.entries(m.reactions ?? {}).map(([k, v]) => [k, [...v]])) });
        for (const r of m.replies ?? []) messages.push({ ts: this.tsAt(r.at), user: r.user, text: r.text, thread_ts: ts, reactions: new Map() });
        if ((m.replies ?? []).length > 0) messages.find((x) => x.ts === ts)!.thread_ts = ts;
      }
      this.channels.set(id, { name: ch.name, messages });
    }
    this.server = new FakeHttpServer([{ method: 'POST', path: '/api/:method', handler: (q) => this.api(q) }, { method: 'GET', path: '/api/:method', handler: (q) => this.api(q) }]);
  }

  async start(port = 0): Promise<string> {
    const url = await this.server.start(port);
    this.wss = new WebSocketServer({ noServer: true });
    this.server.http!.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!req.url?.startsWith('/socket-mode')) {
        socket.destroy();
        return;
      }
      this.wss!.handleUpgrade(req, socket, head, (ws) => {
        this.sockets.add(ws);
        ws.on('close', () => this.sockets.delete(ws));
        ws.on('message', (data: Buffer) => {
          const m = JSON.parse(data.toString()) as { envelope_id?: string };
          if (m.envelope_id) this.pendingAcks.get(m.envelope_id)?.();
        });
        ws.send(JSON.stringify({ type: 'hello', num_connections: this.sockets.size, debug_info: { host: 'fake' }, connection_info: { app_id: 'A0TASKWIRE' } }));
      });
    });
    return url;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    this.sockets.clear();
    this.wss?.close();
    await this.server.stop();
  }

  get url(): string {
    return this.server.url;
  }

  get apiUrl(): string {
    return `${this.server.url}/api`;
  }

  setDelivery(d: SlackFakeOptions['delivery']): void {
    this.delivery = d;
  }

  /** Resolves once a Socket Mode client is connected. */
  async socketConnected(timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.sockets.size === 0) {
      if (Date.now() > until) throw new Error('no Socket Mode client connected');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  // ---- people's actions ----

  /** A person posts (a thread reply with `threadTs`); returns its ts and delivers the `message` event. */
  async post(channel: string, user: string, text: string, threadTs?: string): Promise<string> {
    const ts = this.nextTs();
    const ch = this.channel(channel);
    ch.messages.push({ ts, user, text, reactions: new Map(), ...(threadTs ? { thread_ts: threadTs } : {}) });
    if (threadTs) {
      const parent = ch.messages.find((m) => m.ts === threadTs);
      if (parent) parent.thread_ts = threadTs;
    }
    await this.deliverEvent({ type: 'message', channel, user, text, ts, ...(threadTs ? { thread_ts: threadTs } : {}), event_ts: ts, channel_type: 'channel' });
    return ts;
  }

  async react(channel: string, ts: string, user: string, name: string): Promise<void> {
    const m = this.message(channel, ts);
    const users = m.reactions.get(name) ?? [];
    if (!users.includes(user)) users.push(user);
    m.reactions.set(name, users);
    await this.deliverEvent({ type: 'reaction_added', user, reaction: name, item: { type: 'message', channel, ts }, item_user: m.user, event_ts: this.nextTs() });
  }

  async unreact(channel: string, ts: string, user: string, name: string): Promise<void> {
    const m = this.message(channel, ts);
    m.reactions.set(name, (m.reactions.get(name) ?? []).filter((u) => u !== user));
    if (m.reactions.get(name)!.length === 0) m.reactions.delete(name);
    await this.deliverEvent({ type: 'reaction_removed', user, reaction: name, item: { type: 'message', channel, ts }, item_user: m.user, event_ts: this.nextTs() });
  }

  /** The "Track as task" message shortcut, used by `user` on a message. */
  async shortcut(channel: string, ts: string, user: string, callbackId = 'track_as_task'): Promise<DeliveryResult> {
    const m = this.message(channel, ts);
    return this.deliverInteraction({ type: 'message_action', callback_id: callbackId, trigger_id: `${this.seq++}.trigger`, action_ts: this.nextTs(), user: { id: user, name: this.users.get(user)?.name ?? user }, channel: { id: channel, name: this.channel(channel).name }, message_ts: ts, message: this.shape(m, true), team: { id: 'T0FAKE0001', domain: 'acme' }, response_url: `${this.url}/response/${this.seq}` });
  }

  /** A click on a button of a message the app posted. */
  async click(user: string, actionId: string, value: string, channel = 'D0FAKE'): Promise<DeliveryResult> {
    const at = this.nextTs();
    return this.deliverInteraction({ type: 'block_actions', trigger_id: `${this.seq++}.trigger`, user: { id: user }, channel: { id: channel }, actions: [{ action_id: actionId, block_id: 'b', value, type: 'button', action_ts: at }], team: { id: 'T0FAKE0001', domain: 'acme' }, response_url: `${this.url}/response/${this.seq}` });
  }

  /** Messages in a thread (for tests: how many status replies the app left). */
  thread(channel: string, ts: string): { ts: string; user: string; text: string; metadata?: unknown }[] {
    return this.channel(channel)
      .messages.filter((m) => m.ts === ts || m.thread_ts === ts)
      .map((m) => ({ ts: m.ts, user: m.user, text: m.text, ...(m.metadata ? { metadata: m.metadata } : {}) }));
  }

  /** The first top-level message in a channel that matches. */
  find(channel: string, match: (m: { ts: string; user: string; text: string }) => boolean): { ts: string; user: string; text: string } | undefined {
    const m = this.channel(channel).messages.find((x) => (!x.thread_ts || x.thread_ts === x.ts) && match({ ts: x.ts, user: x.user, text: x.text }));
    return m ? { ts: m.ts, user: m.user, text: m.text } : undefined;
  }

  /** DMs the app sent to a user. */
  dmsTo(user: string): Post[] {
    return this.posts.filter((p) => p.channel === dmChannel(user));
  }

  rateLimit(times = 1, retryAfterS = 1, match?: (r: FakeRequest) => boolean): void {
    this.server.fail({ status: 429, times, headers: { 'retry-after': String(retryAfterS) }, body: { ok: false, error: 'ratelimited' }, ...(match ? { match } : {}) });
  }

  // ---- delivery to taskwire ----

  async deliverEvent(event: Record<string, unknown>, opts: { retryNum?: number; eventId?: string; timestamp?: number; secret?: string } = {}): Promise<DeliveryResult> {
    const envelope = { token: 'legacy', team_id: 'T0FAKE0001', api_app_id: 'A0TASKWIRE', event, type: 'event_callback', event_id: opts.eventId ?? `Ev${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`, event_time: Math.floor(this.clock().getTime() / 1000), authorizations: [{ team_id: 'T0FAKE0001', user_id: this.botUser, is_bot: true }] };
    return this.deliver(envelope, 'events_api', JSON.stringify(envelope), 'application/json', opts);
  }

  async deliverInteraction(payload: Record<string, unknown>, opts: { timestamp?: number; secret?: string } = {}): Promise<DeliveryResult> {
    return this.deliver(payload, 'interactive', `payload=${encodeURIComponent(JSON.stringify(payload))}`, 'application/x-www-form-urlencoded', opts);
  }

  /** The request Slack sends when the Request URL is saved. */
  async urlVerification(): Promise<DeliveryResult> {
    const body = { token: 'legacy', challenge: `challenge-${randomUUID()}`, type: 'url_verification' };
    return this.deliver(body, 'events_api', JSON.stringify(body), 'application/json', {});
  }

  private async deliver(payload: unknown, socketType: string, httpBody: string, contentType: string, opts: { retryNum?: number; timestamp?: number; secret?: string }): Promise<DeliveryResult> {
    const d = this.delivery;
    if (!d) return { status: 0, body: 'no delivery target' };
    if (d.mode === 'http') {
      // Unreachable: recorded as a failed delivery (status 0), as Slack records it; it never throws here.
      try {
        const ts = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
        const res = await fetch(d.url, {
          method: 'POST',
          headers: {
            'content-type': contentType,
            'x-slack-request-timestamp': ts,
            'x-slack-signature': `v0=${hmacHex('sha256', opts.secret ?? d.signingSecret, `v0:${ts}:${httpBody}`)}`,
            ...(opts.retryNum ? { 'x-slack-retry-num': String(opts.retryNum), 'x-slack-retry-reason': 'http_timeout' } : {}),
          },
          body: httpBody,
        });
        return { status: res.status, body: await res.text() };
      } catch (err) {
        return { status: 0, body: String(err) };
      }
    }
    const envelopeId = randomUUID();
    const acked = new Promise<void>((resolve) => this.pendingAcks.set(envelopeId, resolve));
    const message = JSON.stringify({ envelope_id: envelopeId, type: socketType, payload, accepts_response_payload: false, ...(socketType === 'events_api' ? { retry_attempt: opts.retryNum ?? 0, retry_reason: '' } : {}) });
    if (this.sockets.size === 0) return { status: 0, body: 'no Socket Mode connection' };
    [...this.sockets][0]!.send(message);
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 3000));
    const r = await Promise.race([acked.then(() => 'acked' as const), timeout]);
    this.pendingAcks.delete(envelopeId);
    return { status: r === 'acked' ? 200 : 0, body: r };
  }

  // ---- Web API ----

  private api(q: FakeRequest): FakeResponse {
    const method = q.params.method ?? '';
    const args = { ...Object.fromEntries(q.query), ...((q.body && typeof q.body === 'object' ? q.body : {}) as Record<string, unknown>) };
    const token = String(q.headers.authorization ?? '').replace(/^Bearer\s+/i, '') || (typeof args['token'] === 'string' ? args['token'] : '');
    const appMethod = method === 'apps.connections.open';
    if (token !== (appMethod ? (this.opts.appToken ?? 'xapp-fake') : (this.opts.botToken ?? 'xoxb-fake'))) return ok200({ ok: false, error: token ? 'invalid_auth' : 'not_authed' });
    const handler = this.methods[method];
    if (!handler) return ok200({ ok: false, error: 'unknown_method' });
    return ok200(handler(args));
  }

  private readonly methods: Record<string, (a: Record<string, unknown>) => Record<string, unknown>> = {
    'auth.test': () => ({ ok: true, url: `${this.url}/`, team: 'Acme', user: 'taskwire', team_id: 'T0FAKE0001', user_id: this.botUser, bot_id: 'B0TASKWIRE', is_enterprise_install: false }),
    'apps.connections.open': () => ({ ok: true, url: `${this.url.replace(/^http/, 'ws')}/socket-mode?ticket=${randomUUID()}` }),
    'conversations.history': (a) => {
      const ch = this.channels.get(arg(a, 'channel'));
      if (!ch) return { ok: false, error: 'channel_not_found' };
      const oldest = Number(a['oldest'] ?? 0);
      const latest = a['latest'] === undefined ? Infinity : Number(a['latest']);
      const inclusive = a['inclusive'] === 'true' || a['inclusive'] === true;
      const top = ch.messages
        .filter((m) => !m.thread_ts || m.thread_ts === m.ts)
        .filter((m) => (inclusive ? Number(m.ts) >= oldest && Number(m.ts) <= latest : Number(m.ts) > oldest && Number(m.ts) < latest))
        .sort((x, y) => Number(y.ts) - Number(x.ts));
      const withMeta = a['include_all_metadata'] === 'true' || a['include_all_metadata'] === true;
      return { ...this.page(a, top, (m) => this.shape(m, withMeta), 'messages'), pin_count: 0, channel_actions_ts: null, channel_actions_count: 0 };
    },
    'conversations.info': (a) => {
      const id = arg(a, 'channel');
      const ch = this.channels.get(id);
      if (!ch) return { ok: false, error: 'channel_not_found' };
      const created = Math.floor(Number(ch.messages[0]?.ts ?? this.clock().getTime() / 1000));
      return { ok: true, channel: { id, name: ch.name, name_normalized: ch.name, is_channel: true, is_group: false, is_im: false, is_private: false, is_archived: false, is_general: false, is_member: true, created, creator: 'U0FAKE0000', topic: { value: '', creator: '', last_set: 0 }, purpose: { value: '', creator: '', last_set: 0 } } };
    },
    'conversations.replies': (a) => {
      const ch = this.channels.get(arg(a, 'channel'));
      if (!ch) return { ok: false, error: 'channel_not_found' };
      const target = ch.messages.find((m) => m.ts === arg(a, 'ts'));
      if (!target) return { ok: false, error: 'thread_not_found' };
      const root = target.thread_ts ?? target.ts;
      const thread = ch.messages.filter((m) => m.ts === root || m.thread_ts === root).sort((x, y) => Number(x.ts) - Number(y.ts));
      const withMeta = a['include_all_metadata'] === 'true' || a['include_all_metadata'] === true;
      return this.page(a, thread, (m) => this.shape(m, withMeta), 'messages');
    },
    'conversations.open': (a) => {
      const user = arg(a, 'users').split(',')[0] ?? '';
      if (!this.users.has(user)) return { ok: false, error: 'user_not_found' };
      const id = dmChannel(user);
      if (!this.channels.has(id)) this.channels.set(id, { name: `dm-${user}`, messages: [] });
      return { ok: true, channel: { id } };
    },
    'chat.postMessage': (a) => {
      const channel = arg(a, 'channel');
      const ch = this.channels.get(channel);
      if (!ch) return { ok: false, error: 'channel_not_found' };
      const text = typeof a['text'] === 'string' ? a['text'] : '';
      const blocks = jsonArg<unknown[]>(a['blocks']);
      if (!text && !blocks) return { ok: false, error: 'no_text' };
      const invalid = blocks ? blockProblems(blocks) : null;
      if (invalid) return { ok: false, error: 'invalid_blocks', errors: [invalid] };
      const metadata = jsonArg<Msg['metadata']>(a['metadata']);
      const threadTs = typeof a['thread_ts'] === 'string' ? a['thread_ts'] : undefined;
      if (threadTs && !ch.messages.some((m) => m.ts === threadTs)) return { ok: false, error: 'thread_not_found' };
      const ts = this.nextTs();
      const m: Msg = { ts, user: this.botUser, bot_id: 'B0TASKWIRE', text, reactions: new Map(), ...(blocks ? { blocks } : {}), ...(threadTs ? { thread_ts: threadTs } : {}), ...(metadata ? { metadata } : {}) };
      ch.messages.push(m);
      if (threadTs) ch.messages.find((x) => x.ts === threadTs)!.thread_ts = threadTs;
      this.posts.push({ channel, ts, text, ...(blocks ? { blocks } : {}), ...(threadTs ? { thread_ts: threadTs } : {}) });
      return { ok: true, channel, ts, message: this.shape(m, true) };
    },
    'chat.update': (a) => {
      const channel = arg(a, 'channel');
      const ch = this.channels.get(channel);
      const m = ch?.messages.find((x) => x.ts === arg(a, 'ts'));
      if (!ch || !m) return { ok: false, error: 'message_not_found' };
      if (m.user !== this.botUser) return { ok: false, error: 'cant_update_message' };
      if (typeof a['text'] === 'string') m.text = a['text'];
      const blocks = jsonArg<unknown[]>(a['blocks']);
      if (blocks) m.blocks = blocks;
      const metadata = jsonArg<Msg['metadata']>(a['metadata']);
      if (metadata) m.metadata = metadata;
      m.edited = { user: this.botUser, ts: this.nextTs() };
      this.updates.push({ channel, ts: m.ts, text: m.text, ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}) });
      return { ok: true, channel, ts: m.ts, text: m.text };
    },
    'chat.getPermalink': (a) => ({ ok: true, channel: a['channel'], permalink: `${this.url}/archives/${arg(a, 'channel')}/p${arg(a, 'message_ts').replace('.', '')}` }),
    'users.list': (a) => this.page(a, [...this.users.values()], (u) => this.user(u), 'members'),
    'users.info': (a) => {
      const u = this.users.get(arg(a, 'user'));
      return u ? { ok: true, user: this.user(u) } : { ok: false, error: 'user_not_found' };
    },
    'users.lookupByEmail': (a) => {
      const u = [...this.users.values()].find((x) => x.email && x.email.toLowerCase() === arg(a, 'email').toLowerCase());
      return u ? { ok: true, user: this.user(u) } : { ok: false, error: 'users_not_found' };
    },
    'reactions.get': (a) => {
      const m = this.channels.get(arg(a, 'channel'))?.messages.find((x) => x.ts === arg(a, 'timestamp'));
      return m ? { ok: true, type: 'message', channel: a['channel'], message: this.shape(m, false) } : { ok: false, error: 'message_not_found' };
    },
    'reactions.add': (a) => {
      const m = this.channels.get(arg(a, 'channel'))?.messages.find((x) => x.ts === arg(a, 'timestamp'));
      if (!m) return { ok: false, error: 'message_not_found' };
      const name = arg(a, 'name');
      const users = m.reactions.get(name) ?? [];
      if (users.includes(this.botUser)) return { ok: false, error: 'already_reacted' };
      m.reactions.set(name, [...users, this.botUser]);
      return { ok: true };
    },
  };

  private page<T>(a: Record<string, unknown>, all: readonly T[], shape: (x: T) => unknown, key: string): Record<string, unknown> {
    const limit = Math.min(1000, Math.max(1, Number(a['limit'] ?? 100) || 100));
    const offset = a['cursor'] ? Number(Buffer.from(arg(a, 'cursor'), 'base64').toString().replace('offset:', '')) : 0;
    const slice = all.slice(offset, offset + limit);
    const more = offset + limit < all.length;
    return { ok: true, [key]: slice.map(shape), has_more: more, response_metadata: { next_cursor: more ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '' } };
  }

  private shape(m: Msg, withMetadata: boolean): Record<string, unknown> {
    const ch = [...this.channels.values()].find((c) => c.messages.includes(m));
    const replies = m.thread_ts === m.ts ? (ch?.messages.filter((x) => x.thread_ts === m.ts && x.ts !== m.ts) ?? []) : [];
    return {
      type: 'message',
      ts: m.ts,
      user: m.user,
      text: m.text,
      team: 'T0FAKE0001',
      ...(m.bot_id ? { bot_id: m.bot_id } : {}),
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      ...(replies.length > 0 ? { reply_count: replies.length, reply_users: [...new Set(replies.map((r) => r.user))], latest_reply: replies.at(-1)!.ts } : {}),
      ...(m.edited ? { edited: m.edited } : {}),
      ...(m.reactions.size > 0 ? { reactions: [...m.reactions.entries()].map(([name, users]) => ({ name, users, count: users.length })) } : {}),
      ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    };
  }

  private user(u: SlackUserSeed) {
    return {
      id: u.id,
      team_id: 'T0FAKE0001',
      name: u.name,
      deleted: false,
      real_name: u.realName ?? u.name,
      tz: u.tz ?? 'Europe/Berlin',
      is_bot: u.isBot ?? false,
      is_app_user: false,
      profile: { real_name: u.realName ?? u.name, display_name: u.name, ...(u.email ? { email: u.email } : {}) },
    };
  }

  private channel(id: string) {
    const c = this.channels.get(id);
    if (!c) throw new Error(`the fake has no channel ${id}`);
    return c;
  }

  private message(channel: string, ts: string): Msg {
    const m = this.channel(channel).messages.find((x) => x.ts === ts);
    if (!m) throw new Error(`the fake has no message ${channel}/${ts}`);
    return m;
  }

  /** Slack ts: seconds and a 6-digit sequence, unique and increasing. */
  private nextTs(): string {
    const ms = this.clock().getTime();
    return `${Math.floor(ms / 1000)}.${String(((ms % 1000) * 1000 + (++this.seq % 1000)) % 1_000_000).padStart(6, '0')}`;
  }

  private tsAt(at: string): string {
    const s = /^\d+(\.\d+)?$/.test(at) ? Number(at) : Date.parse(at) / 1000;
    return `${Math.floor(s)}.${String(++this.seq).padStart(6, '0')}`;
  }
}

export interface DeliveryResult {
  readonly status: number;
  readonly body: string;
}

export const dmChannel = (user: string) => `D${user.slice(1)}`;

const ok200 = (body: Record<string, unknown>): FakeResponse => ({ status: 200, body });

function jsonArg<T>(v: unknown): T | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') return v as T;
  try {
    return JSON.parse(v) as T;
  } catch {
    return undefined;
  }
}

/** Slack's Block Kit limits: at most 50 blocks, section text at most 3,000 characters. */
function blockProblems(blocks: unknown[]): string | null {
  if (blocks.length > 50) return 'no more than 50 items allowed [json-pointer:/blocks]';
  for (const [i, b] of blocks.entries()) {
    const text = (b as { text?: { text?: string } }).text?.text;
    if (typeof text === 'string' && text.length > 3000) return `must be less than 3001 characters [json-pointer:/blocks/${i}/text/text]`;
  }
  return null;
}

/** A Web API argument as text (form fields arrive as strings; JSON bodies may carry numbers). */
function arg(a: Record<string, unknown>, key: string): string {
  const v = a[key];
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}
