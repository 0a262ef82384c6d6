/**
 * A faithful fake of the Notion API (version 2025-09-03) on 127.0.0.1: databases and their data
 * sources, `POST /v1/data_sources/{id}/query` with the `last_edited_time` filter and sort subset,
 * cursor paging and the 10,000-row cap (`request_status: incomplete`), pages retrieve / update, page
 * property items with pagination (relations and people beyond the 25 inline references), comments
 * list / create / update, users; `last_edited_time` rounded down to the minute as Notion does; the
 * Notion-Version header required; 429 with Retry-After; signed webhooks and the verification handshake.
 */
import { randomUUID } from 'node:crypto';
import { FakeHttpServer, type FakeRequest, type FakeResponse } from '../kit/fake-server.js';
import { hmacHex } from '../kit/hmac.js';

export type PropertyType = 'title' | 'rich_text' | 'people' | 'date' | 'status' | 'select' | 'relation' | 'number' | 'checkbox' | 'url';

export interface NotionSourceSeed {
  readonly id: string;
  readonly database: string;
  readonly title: string;
  /** Property name → type (and options for status / select). */
  readonly schema: Readonly<Record<string, PropertyType | { readonly type: 'status' | 'select'; readonly options: readonly string[] }>>;
  readonly rows?: readonly NotionRowSeed[];
}

export interface NotionRowSeed {
  readonly id?: string;
  /** Property name → simple value: text, user ids, `YYYY-MM-DD` or `{ start, time_zone }`, option name, row ids, number, boolean. */
  readonly values: Readonly<Record<string, unknown>>;
  readonly createdTime?: string;
  readonly lastEditedTime?: string;
  readonly createdBy?: string;
  readonly lastEditedBy?: string;
  readonly inTrash?: boolean;
}

export interface NotionScenario {
  readonly users: readonly { readonly id: string; readonly name: string; readonly email?: string }[];
  readonly sources: readonly NotionSourceSeed[];
}

export interface NotionFakeOptions {
  readonly token?: string;
  readonly botId?: string;
  readonly clock?: () => Date;
  /** Rows one query returns at most (Notion: 10,000). */
  readonly queryLimit?: number;
  readonly webhooks?: { readonly url: string; readonly verificationToken: string };
}

interface Row {
  id: string;
  source: string;
  values: Record<string, unknown>;
  created: string;
  edited: string;
  createdBy: string;
  editedBy: string;
  inTrash: boolean;
}

interface CommentRec {
  id: string;
  page: string;
  text: string;
  by: string;
  created: string;
  edited: string;
}

export class NotionFake {
  readonly server: FakeHttpServer;
  private readonly users = new Map<string, { id: string; name: string; email?: string }>();
  private readonly sources = new Map<string, NotionSourceSeed>();
  private readonly rows = new Map<string, Row>();
  private readonly comments: CommentRec[] = [];
  private readonly clock: () => Date;
  private readonly botId: string;
  private webhookTarget: { url: string; verificationToken: string } | null;

  constructor(
    scenario: NotionScenario,
    private readonly opts: NotionFakeOptions = {},
  ) {
    this.clock = opts.clock ?? (() => new Date());
    this.botId = opts.botId ?? 'b0t00000-0000-4000-8000-000000000001';
    this.webhookTarget = opts.webhooks ? { ...opts.webhooks } : null;
    for (const u of scenario.users) this.users.set(u.id, u);
    for (const s of scenario.sources) {
      this.sources.set(s.id, s);
      for (const r of s.rows ?? []) this.insert(s.id, r);
    }
    this.server = new FakeHttpServer(
      [
        { method: 'GET', path: '/v1/users/me', handler: () => ok(this.botUser()) },
        { method: 'GET', path: '/v1/users', handler: (q) => ok(this.list(q, [...this.users.values()].map((u) => this.person(u)), 'user')) },
        { method: 'GET', path: '/v1/databases/:id', handler: (q) => this.database(q.params.id!) },
        { method: 'GET', path: '/v1/data_sources/:id', handler: (q) => this.dataSource(q.params.id!) },
        { method: 'POST', path: '/v1/data_sources/:id/query', handler: (q) => this.query(q) },
        { method: 'GET', path: '/v1/pages/:id', handler: (q) => this.withRow(q.params.id!, (r) => ok(this.page(r))) },
        { method: 'PATCH', path: '/v1/pages/:id', handler: (q) => this.withRow(q.params.id!, (r) => this.updatePage(r, q.body)) },
        { method: 'GET', path: '/v1/pages/:id/properties/:prop', handler: (q) => this.withRow(q.params.id!, (r) => this.propertyItem(q, r)) },
        { method: 'GET', path: '/v1/comments', handler: (q) => ok(this.list(q, this.comments.filter((c) => c.page === q.query.get('block_id')).map((c) => this.comment(c)), 'comment')) },
        { method: 'POST', path: '/v1/comments', handler: (q) => this.createComment(q.body) },
        { method: 'PATCH', path: '/v1/comments/:id', handler: (q) => this.updateComment(q.params.id!, q.body) },
      ],
      { authorize: (q) => this.authorize(q) },
    );
  }

  async start(port = 0): Promise<string> {
    return this.server.start(port);
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  get url(): string {
    return this.server.url;
  }

  setWebhookTarget(t: { url: string; verificationToken: string } | null): void {
    this.webhookTarget = t;
  }

  // ---- people's edits ----

  /** Adds a row as a person; returns its id (and sends page.created). */
  async addRow(source: string, seed: NotionRowSeed, by = [...this.users.keys()][0] ?? ''): Promise<string> {
    const r = this.insert(source, { ...seed, createdBy: seed.createdBy ?? by, lastEditedBy: by });
    await this.emit('page.created', r, by);
    return r.id;
  }

  /** Changes values as a person (last_edited_time moves, rounded to the minute); sends page.properties_updated. */
  async edit(id: string, values: Readonly<Record<string, unknown>>, by: string): Promise<void> {
    const r = this.row(id);
    Object.assign(r.values, values);
    r.edited = this.minute();
    r.editedBy = by;
    await this.emit('page.properties_updated', r, by);
  }

  async trash(id: string, by: string): Promise<void> {
    const r = this.row(id);
    r.inTrash = true;
    r.edited = this.minute();
    await this.emit('page.deleted', r, by);
  }

  async addComment(pageId: string, by: string, text: string): Promise<void> {
    this.comments.push({ id: randomUUID(), page: pageId, text, by, created: this.now(), edited: this.now() });
    if (this.webhookTarget) await this.send(this.webhookTarget.url, this.event('comment.created', { id: randomUUID(), type: 'comment' }, by, { page_id: pageId }), this.webhookTarget.verificationToken).catch(() => undefined);
  }

  commentsOn(pageId: string): { id: string; by: string; text: string }[] {
    return this.comments.filter((c) => c.page === pageId).map((c) => ({ id: c.id, by: c.by, text: c.text }));
  }

  values(id: string): Record<string, unknown> {
    return { ...this.row(id).values };
  }

  rateLimit(times = 1, retryAfterS = 1, match?: (r: FakeRequest) => boolean): void {
    this.server.fail({ status: 429, times, headers: { 'retry-after': String(retryAfterS) }, body: { object: 'error', status: 429, code: 'rate_limited', message: 'You have been rate limited. Please try again in a few minutes.' }, ...(match ? { match } : {}) });
  }

  /** The subscription-creation request: Notion POSTs the verification token, unsigned. */
  async sendVerification(url: string, token: string): Promise<{ status: number; body: string }> {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ verification_token: token }) });
    return { status: res.status, body: await res.text() };
  }

  /** A signed event delivery. */
  async send(url: string, event: Record<string, unknown>, token: string): Promise<{ status: number; body: string }> {
    const body = JSON.stringify(event);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-notion-signature': `sha256=${hmacHex('sha256', token, body)}` }, body });
    return { status: res.status, body: await res.text() };
  }

  /** An event envelope as Notion sends it. */
  event(type: string, entity: { id: string; type: string }, by: string, data: Record<string, unknown> = {}, attempt = 1): Record<string, unknown> {
    return { id: randomUUID(), timestamp: this.now(), workspace_id: 'w0000000-0000-4000-8000-000000000001', workspace_name: 'Acme', subscription_id: 's0000000-0000-4000-8000-000000000001', integration_id: 'i0000000-0000-4000-8000-000000000001', type, authors: [{ id: by, type: by === this.botId ? 'bot' : 'person' }], attempt_number: attempt, api_version: '2025-09-03', entity, data };
  }

  // ---- HTTP ----

  private authorize(q: FakeRequest): FakeResponse | null {
    if (q.headers.authorization !== `Bearer ${this.opts.token ?? 'secret_fake'}`) return { status: 401, body: { object: 'error', status: 401, code: 'unauthorized', message: 'API token is invalid.' } };
    if (!q.headers['notion-version']) return { status: 400, body: { object: 'error', status: 400, code: 'missing_version', message: 'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.' } };
    return null;
  }

  private query(q: FakeRequest): FakeResponse {
    const source = this.sources.get(q.params.id!);
    if (!source) return notFound(q.params.id!);
    const body = (q.body ?? {}) as { filter?: Record<string, unknown>; sorts?: { timestamp?: string; direction?: string }[]; start_cursor?: string; page_size?: number; in_trash?: boolean };
    let rows = [...this.rows.values()].filter((r) => r.source === source.id && r.inTrash === (body.in_trash === true));
    const f = body.filter as { timestamp?: string; last_edited_time?: { on_or_after?: string; after?: string; before?: string } } | undefined;
    if (f?.timestamp === 'last_edited_time' && f.last_edited_time) {
      const t = f.last_edited_time;
      if (t.on_or_after) rows = rows.filter((r) => Date.parse(r.edited) >= Date.parse(t.on_or_after!));
      if (t.after) rows = rows.filter((r) => Date.parse(r.edited) > Date.parse(t.after!));
      if (t.before) rows = rows.filter((r) => Date.parse(r.edited) < Date.parse(t.before!));
    } else if (f !== undefined) {
      return { status: 400, body: { object: 'error', status: 400, code: 'validation_error', message: 'The fake supports the last_edited_time timestamp filter only.' } };
    }
    const sort = body.sorts?.[0];
    const dir = sort?.direction === 'descending' ? -1 : 1;
    rows.sort((a, b) => (a.edited < b.edited ? -dir : a.edited > b.edited ? dir : a.id < b.id ? -1 : 1));
    const limit = this.opts.queryLimit ?? 10_000;
    const capped = rows.slice(0, limit);
    const size = Math.min(100, Math.max(1, body.page_size ?? 100));
    const offset = body.start_cursor ? Number(Buffer.from(body.start_cursor, 'base64url').toString()) : 0;
    const page = capped.slice(offset, offset + size);
    const more = offset + size < capped.length;
    return ok({
      object: 'list',
      results: page.map((r) => this.page(r)),
      next_cursor: more ? Buffer.from(String(offset + size)).toString('base64url') : null,
      has_more: more,
      type: 'page_or_data_source',
      page_or_data_source: {},
      ...(rows.length > limit && !more ? { request_status: { type: 'incomplete', incomplete_reason: 'query_result_limit_reached' } } : {}),
    });
  }

  private updatePage(r: Row, body: unknown): FakeResponse {
    const props = (body as { properties?: Record<string, Record<string, unknown>> } | undefined)?.properties ?? {};
    const schema = this.sources.get(r.source)!.schema;
    for (const [name, v] of Object.entries(props)) {
      const def = schema[name];
      if (def === undefined) return { status: 400, body: { object: 'error', status: 400, code: 'validation_error', message: `${name} is not a property that exists.` } };
      const type = typeof def === 'string' ? def : def.type;
      const value = v[type];
      if (type === 'status' || type === 'select') {
        const name2 = (value as { name?: string } | null)?.name ?? null;
        const options = typeof def === 'string' ? [] : def.options;
        if (name2 !== null && options.length > 0 && !options.includes(name2)) return { status: 400, body: { object: 'error', status: 400, code: 'validation_error', message: `Invalid ${type} option "${name2}".` } };
        r.values[name] = name2;
      } else if (type === 'checkbox') r.values[name] = value === true;
      else if (type === 'date') r.values[name] = value === null ? null : (value as { start: string }).start;
      else r.values[name] = value;
    }
    r.edited = this.minute();
    r.editedBy = this.botId;
    return ok(this.page(r));
  }

  private propertyItem(q: FakeRequest, r: Row): FakeResponse {
    const schema = this.sources.get(r.source)!.schema;
    const name = Object.keys(schema).find((n) => propId(n) === q.params.prop || n === q.params.prop);
    if (!name) return notFound(q.params.prop!);
    const type = typeOf(schema[name]!);
    if (type !== 'relation' && type !== 'people') return ok({ object: 'property_item', id: propId(name), type, [type]: this.value(type, r.values[name]) });
    const all = (r.values[name] as string[] | undefined) ?? [];
    const size = Math.min(100, Math.max(1, Number(q.query.get('page_size') ?? 25) || 25));
    const offset = q.query.get('start_cursor') ? Number(Buffer.from(q.query.get('start_cursor')!, 'base64url').toString()) : 0;
    const more = offset + size < all.length;
    return ok({
      object: 'list',
      results: all.slice(offset, offset + size).map((id) => ({ object: 'property_item', id: propId(name), type, [type]: type === 'relation' ? { id } : this.person(this.users.get(id) ?? { id, name: id }) })),
      next_cursor: more ? Buffer.from(String(offset + size)).toString('base64url') : null,
      has_more: more,
      type: 'property_item',
      property_item: { id: propId(name), next_url: null, type, [type]: {} },
    });
  }

  private createComment(body: unknown): FakeResponse {
    const b = (body ?? {}) as { parent?: { page_id?: string }; rich_text?: { text?: { content?: string } }[] };
    const page = b.parent?.page_id;
    if (!page || !this.rows.has(page)) return notFound(page ?? '');
    if ((b.rich_text ?? []).some((t) => (t.text?.content ?? '').length > 2000)) return { status: 400, body: { object: 'error', status: 400, code: 'validation_error', message: 'body.rich_text[0].text.content.length should be ≤ `2000`.' } };
    const c: CommentRec = { id: randomUUID(), page, text: (b.rich_text ?? []).map((t) => t.text?.content ?? '').join(''), by: this.botId, created: this.now(), edited: this.now() };
    this.comments.push(c);
    return ok(this.comment(c));
  }

  private updateComment(id: string, body: unknown): FakeResponse {
    const c = this.comments.find((x) => x.id === id);
    if (!c) return notFound(id);
    if (c.by !== this.botId) return { status: 403, body: { object: 'error', status: 403, code: 'restricted_resource', message: 'Only the author of a comment can edit it.' } };
    c.text = ((body as { rich_text?: { text?: { content?: string } }[] } | undefined)?.rich_text ?? []).map((t) => t.text?.content ?? '').join('');
    c.edited = this.now();
    return ok(this.comment(c));
  }

  // ---- shapes ----

  private page(r: Row) {
    const s = this.sources.get(r.source)!;
    const properties: Record<string, unknown> = {};
    for (const [name, def] of Object.entries(s.schema)) {
      const type = typeOf(def);
      const v = this.value(type, r.values[name]);
      properties[name] = { id: propId(name), type, [type]: type === 'relation' || type === 'people' ? (v as unknown[]).slice(0, 25) : v, ...(type === 'relation' ? { has_more: (v as unknown[]).length > 25 } : {}) };
    }
    return {
      object: 'page',
      id: r.id,
      created_time: r.created,
      last_edited_time: r.edited,
      created_by: { object: 'user', id: r.createdBy },
      last_edited_by: { object: 'user', id: r.editedBy },
      cover: null,
      icon: null,
      parent: { type: 'data_source_id', data_source_id: s.id, database_id: s.database },
      archived: r.inTrash,
      in_trash: r.inTrash,
      is_locked: false,
      properties,
      url: `https://www.notion.so/acme/${r.id.replace(/-/g, '')}`,
      public_url: null,
    };
  }

  private value(type: PropertyType, v: unknown): unknown {
    const rich = (s: unknown) => (typeof s === 'string' && s !== '' ? [{ type: 'text', text: { content: s, link: null }, annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' }, plain_text: s, href: null }] : []);
    switch (type) {
      case 'title':
      case 'rich_text':
        return rich(v);
      case 'people':
        return ((v as string[] | undefined) ?? []).map((id) => this.person(this.users.get(id) ?? { id, name: id }));
      case 'relation':
        return ((v as string[] | undefined) ?? []).map((id) => ({ id }));
      case 'date':
        return v === null || v === undefined ? null : typeof v === 'string' ? { start: v, end: null, time_zone: null } : { end: null, time_zone: null, ...(v) };
      case 'status':
      case 'select':
        return typeof v === 'string' ? { id: propId(v), name: v, color: 'default' } : null;
      case 'number':
        return typeof v === 'number' ? v : null;
      case 'checkbox':
        return v === true;
      case 'url':
        return typeof v === 'string' ? v : null;
    }
  }

  private database(id: string): FakeResponse {
    const ds = [...this.sources.values()].filter((s) => s.database === id);
    if (ds.length === 0) return notFound(id);
    return ok({ object: 'database', id, title: [{ type: 'text', text: { content: ds[0]!.title, link: null }, plain_text: ds[0]!.title, href: null }], data_sources: ds.map((s) => ({ id: s.id, name: s.title })), parent: { type: 'workspace', workspace: true }, created_time: '2026-01-01T00:00:00.000Z', last_edited_time: '2026-01-01T00:00:00.000Z', in_trash: false, is_inline: false, url: `https://www.notion.so/acme/${id.replace(/-/g, '')}` });
  }

  private dataSource(id: string): FakeResponse {
    const s = this.sources.get(id);
    if (!s) return notFound(id);
    return ok({
      object: 'data_source',
      id,
      title: [{ type: 'text', text: { content: s.title, link: null }, plain_text: s.title, href: null }],
      parent: { type: 'database_id', database_id: s.database },
      properties: Object.fromEntries(Object.entries(s.schema).map(([name, def]) => [name, { id: propId(name), name, type: typeOf(def), [typeOf(def)]: typeof def === 'string' ? {} : { options: def.options.map((o) => ({ id: propId(o), name: o, color: 'default' })) } }])),
    });
  }

  private comment(c: CommentRec) {
    return { object: 'comment', id: c.id, parent: { type: 'page_id', page_id: c.page }, discussion_id: c.id, created_time: c.created, last_edited_time: c.edited, created_by: { object: 'user', id: c.by }, rich_text: [{ type: 'text', text: { content: c.text, link: null }, plain_text: c.text, href: null }] };
  }

  private botUser() {
    return { object: 'user', id: this.botId, type: 'bot', name: 'taskwire', avatar_url: null, bot: { owner: { type: 'workspace', workspace: true }, workspace_name: 'Acme' } };
  }

  private person(u: { id: string; name: string; email?: string }) {
    return { object: 'user', id: u.id, type: 'person', name: u.name, avatar_url: null, person: u.email ? { email: u.email } : {} };
  }

  private list<T>(q: FakeRequest, all: readonly T[], type: string) {
    const size = Math.min(100, Math.max(1, Number(q.query.get('page_size') ?? 100) || 100));
    const offset = q.query.get('start_cursor') ? Number(Buffer.from(q.query.get('start_cursor')!, 'base64url').toString()) : 0;
    const more = offset + size < all.length;
    return { object: 'list', results: all.slice(offset, offset + size), next_cursor: more ? Buffer.from(String(offset + size)).toString('base64url') : null, has_more: more, type, [type]: {} };
  }

  private withRow(id: string, f: (r: Row) => FakeResponse): FakeResponse {
    const r = this.rows.get(id);
    return r ? f(r) : notFound(id);
  }

  private row(id: string): Row {
    const r = this.rows.get(id);
    if (!r) throw new Error(`the fake has no page ${id}`);
    return r;
  }

  private insert(source: string, seed: NotionRowSeed): Row {
    if (!this.sources.has(source)) throw new Error(`the fake has no data source ${source}`);
    const created = roundToMinute(seed.createdTime ?? this.now());
    const by = seed.createdBy ?? [...this.users.keys()][0] ?? this.botId;
    const r: Row = { id: seed.id ?? randomUUID(), source, values: { ...seed.values }, created, edited: roundToMinute(seed.lastEditedTime ?? created), createdBy: by, editedBy: seed.lastEditedBy ?? by, inTrash: seed.inTrash ?? false };
    this.rows.set(r.id, r);
    return r;
  }

  private async emit(type: string, r: Row, by: string): Promise<void> {
    if (!this.webhookTarget || !this.server.started) return;
    // A delivery that cannot connect is dropped, as Notion drops it after its retries; it never throws here.
    await this.send(this.webhookTarget.url, this.event(type, { id: r.id, type: 'page' }, by, { parent: { id: r.source, type: 'data_source', data_source_id: r.source } }), this.webhookTarget.verificationToken).catch(() => undefined);
  }

  private now(): string {
    return this.clock().toISOString();
  }

  /** Notion rounds last_edited_time down to the minute. */
  private minute(): string {
    return roundToMinute(this.now());
  }
}

const roundToMinute = (iso: string) => `${new Date(Math.floor(Date.parse(iso) / 60_000) * 60_000).toISOString().slice(0, 16)}:00.000Z`;
const typeOf = (def: PropertyType | { type: 'status' | 'select' }): PropertyType => (typeof def === 'string' ? def : def.type);
const propId = (name: string) => Buffer.from(name).toString('base64url').slice(0, 4);
const ok = (body: unknown): FakeResponse => ({ status: 200, body });
const notFound = (id: string): FakeResponse => ({ status: 404, body: { object: 'error', status: 404, code: 'object_not_found', message: `Could not find object with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.` } });
