/**
 * A faithful fake of the Jira Cloud REST API on 127.0.0.1: the enhanced JQL search with
 * `nextPageToken` (the old `/rest/api/3/search` answers 410, as Jira Cloud does now), JQL with dates
 * read in the API user's time zone, field selection (ids only unless `fields` is given), changelog
 * expansion, issues, comments with properties, transitions, the current user, users; basic auth with an
 * API token; recorded writes; faults on demand (429 with Retry-After, 5xx, latency); signed webhooks.
 * Response shapes follow Atlassian's OpenAPI description (checked in a test).
 */
import { createHash, randomUUID } from 'node:crypto';
import { FakeHttpServer, type FakeRequest, type FakeResponse, type Route } from '../kit/fake-server.js';
import { hmacHex } from '../kit/hmac.js';
import { type AdfNode, markdownToAdf } from './adf.js';
import { JqlError, matches, parseJql } from './fake-jql.js';

export interface JiraUserSeed {
  readonly accountId: string;
  readonly displayName: string;
  readonly email?: string;
  readonly accountType?: 'atlassian' | 'app';
  readonly timeZone?: string;
}

export interface JiraIssueSeed {
  readonly key?: string;
  readonly project?: string;
  readonly summary: string;
  /** Markdown (turned into ADF) or an ADF document. */
  readonly description?: string | AdfNode;
  readonly status?: string;
  readonly priority?: string | null;
  readonly assignee?: string | null;
  readonly reporter?: string;
  readonly duedate?: string | null;
  readonly labels?: readonly string[];
  readonly issuetype?: 'Task' | 'Bug' | 'Story' | 'Sub-task' | 'Epic';
  readonly parent?: string;
  /** Keys of issues blocking this one. */
  readonly blockedBy?: readonly string[];
  readonly relatesTo?: readonly string[];
  readonly estimateS?: number;
  readonly spentS?: number;
  readonly remainingS?: number;
  readonly created?: string;
  readonly updated?: string;
  readonly custom?: Readonly<Record<string, unknown>>;
  readonly comments?: readonly { readonly author: string; readonly body: string; readonly at?: string }[];
  /** Past status changes, oldest first: [status, at, by]. */
  readonly statusHistory?: readonly (readonly [string, string, string?])[];
}

export interface JiraScenario {
  readonly users: readonly JiraUserSeed[];
  readonly projects?: readonly { readonly key: string; readonly name: string }[];
  readonly issues?: readonly JiraIssueSeed[];
}

export interface JiraFakeOptions {
  /** The API user (its accountId), its email and the token it authenticates with. */
  readonly self: string;
  readonly email?: string;
  readonly apiToken?: string;
  readonly clock?: () => Date;
  readonly webhooks?: { readonly url: string; readonly secret: string };
}

const STATUSES: Readonly<Record<string, { id: string; category: 'new' | 'indeterminate' | 'done' }>> = {
  'To Do': { id: '10000', category: 'new' },
  'In Progress': { id: '3', category: 'indeterminate' },
  'In Review': { id: '10001', category: 'indeterminate' },
  Blocked: { id: '10002', category: 'indeterminate' },
  Done: { id: '10003', category: 'done' },
  Verified: { id: '10004', category: 'done' },
};
const TRANSITION_NAMES: Readonly<Record<string, string>> = {
  'To Do': 'Reopen',
  'In Progress': 'Start progress',
  'In Review': 'Review',
  Blocked: 'Block',
  Done: 'Done',
  Verified: 'Verify',
};
const CATEGORY = {
  new: { id: 2, key: 'new', name: 'To Do', colorName: 'blue-gray' },
  indeterminate: { id: 4, key: 'indeterminate', name: 'In Progress', colorName: 'yellow' },
  done: { id: 3, key: 'done', name: 'Done', colorName: 'green' },
} as const;
const PRIORITY_IDS: Readonly<Record<string, string>> = { Highest: '1', High: '2', Medium: '3', Low: '4', Lowest: '5' };

interface CommentRec {
  id: string;
  author: string;
  /** Who last edited it (Jira lets people with "Edit all comments" edit anyone's). */
  updateAuthor: string;
  body: AdfNode;
  created: string;
  updated: string;
  properties: { key: string; value: unknown }[];
}

interface HistoryRec {
  id: string;
  author: string;
  created: string;
  items: { field: string; fieldtype: string; fieldId: string; from: string | null; fromString: string | null; to: string | null; toString: string | null }[];
}

interface IssueRec {
  id: string;
  key: string;
  project: string;
  summary: string;
  description: AdfNode | null;
  status: string;
  priority: string | null;
  assignee: string | null;
  reporter: string;
  duedate: string | null;
  labels: string[];
  issuetype: string;
  parent: string | null;
  links: { id: string; type: 'Blocks' | 'Relates'; other: string; direction: 'inward' | 'outward' }[];
  estimateS: number | null;
  spentS: number | null;
  remainingS: number | null;
  created: string;
  updated: string;
  resolutiondate: string | null;
  statusChanged: string;
  custom: Record<string, unknown>;
  comments: CommentRec[];
  changelog: HistoryRec[];
  deleted: boolean;
}

export class JiraFake {
  readonly server: FakeHttpServer;
  private readonly users = new Map<string, JiraUserSeed>();
  private readonly projects = new Map<string, { id: string; key: string; name: string; next: number }>();
  private readonly issues = new Map<string, IssueRec>();
  private readonly clock: () => Date;
  private nextId = 10_000;
  /** Bumped by every change: a search's sorted hits are cached per JQL until then (pages of one pass). */
  private version = 0;
  private searchCache: { jql: string; version: number; hits: IssueRec[] } | null = null;
  private webhookTarget: { url: string; secret: string } | null;
  readonly sentWebhooks: Promise<{ status: number }>[] = [];

  constructor(
    scenario: JiraScenario,
    private readonly opts: JiraFakeOptions,
  ) {
    this.clock = opts.clock ?? (() => new Date());
    this.webhookTarget = opts.webhooks ? { ...opts.webhooks } : null;
    for (const u of scenario.users) this.users.set(u.accountId, u);
    for (const p of scenario.projects ?? []) this.project(p.key, p.name);
    for (const i of scenario.issues ?? []) this.insert(i);
    for (const i of scenario.issues ?? []) this.linkSeed(i);
    this.server = new FakeHttpServer(this.routes(), { authorize: (r) => this.authorize(r) });
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

  setWebhookTarget(target: { url: string; secret: string } | null): void {
    this.webhookTarget = target;
  }

  // ---- state changes, as people make them ----

  createIssue(seed: JiraIssueSeed): string {
    const issue = this.insert(seed);
    this.linkSeed(seed);
    this.emit('jira:issue_created', issue, seed.reporter ?? this.opts.self, 'issue_created');
    return issue.key;
  }

  /** Changes fields as `by` would; records the changelog and sends `jira:issue_updated`. */
  updateIssue(key: string, patch: Partial<Pick<IssueRec, 'summary' | 'status' | 'priority' | 'assignee' | 'duedate' | 'labels' | 'estimateS' | 'remainingS' | 'spentS'>>, by: string): void {
    const issue = this.issue(key);
    const items: HistoryRec['items'] = [];
    const track = (field: string, fieldId: string, from: string | null, to: string | null, fromString = from, toString = to) => {
      if (from !== to) items.push({ field, fieldtype: 'jira', fieldId, from, fromString, to, toString });
    };
    if (patch.status !== undefined) this.setStatus(issue, patch.status, items);
    if (patch.assignee !== undefined) track('assignee', 'assignee', issue.assignee, patch.assignee, this.name(issue.assignee), this.name(patch.assignee));
    if (patch.priority !== undefined) track('priority', 'priority', issue.priority, patch.priority);
    if (patch.duedate !== undefined) track('duedate', 'duedate', issue.duedate, patch.duedate);
    if (patch.estimateS !== undefined) track('timeoriginalestimate', 'timeoriginalestimate', num(issue.estimateS), num(patch.estimateS));
    const { status: _s, ...rest } = patch;
    Object.assign(issue, rest);
    this.touch(issue, by, items);
    this.emit('jira:issue_updated', issue, by, 'issue_generic', items);
  }

  addComment(key: string, author: string, markdown: string): string {
    const issue = this.issue(key);
    const c = this.comment(issue, author, markdownToAdf(markdown), []);
    this.touch(issue, author, []);
    this.emitComment('comment_created', issue, c);
    return c.id;
  }

  /** A person edits a comment (anyone's, as Jira's "Edit all comments" permission allows). */
  editComment(key: string, id: string, by: string, markdown: string): void {
    const issue = this.issue(key);
    const c = issue.comments.find((x) => x.id === id);
    if (!c) throw new Error(`no comment ${id} on ${key}`);
    Object.assign(c, { body: markdownToAdf(markdown), updated: this.now(), updateAuthor: by });
    this.touch(issue, by, []);
    this.emitComment('comment_updated', issue, c);
  }

  /** A person deletes a comment. */
  deleteComment(key: string, id: string): void {
    const issue = this.issue(key);
    issue.comments = issue.comments.filter((x) => x.id !== id);
  }

  /** Adds "blocker blocks key" (so `key` is blocked by `blocker`). */
  addBlocker(key: string, blocker: string, by: string): void {
    this.link(key, blocker, 'Blocks');
    this.touch(this.issue(key), by, []);
    this.touch(this.issue(blocker), by, []);
    this.emitRaw({ timestamp: this.clock().getTime(), webhookEvent: 'issuelink_created', issueLink: { id: Number(this.nextId), sourceIssueId: Number(this.issue(blocker).id), destinationIssueId: Number(this.issue(key).id), issueLinkType: { id: 10000, name: 'Blocks' } } });
  }

  deleteIssue(key: string, by: string): void {
    const issue = this.issue(key);
    issue.deleted = true;
    this.version++;
    this.emit('jira:issue_deleted', issue, by, 'issue_deleted');
  }

  /** The comments on an issue (for tests: how many status comments exist). */
  comments(key: string): { id: string; author: string; text: string; properties: { key: string; value: unknown }[] }[] {
    return this.issue(key).comments.map((c) => ({ id: c.id, author: c.author, text: JSON.stringify(c.body), properties: c.properties }));
  }

  statusOf(key: string): string {
    return this.issue(key).status;
  }

  get writes() {
    return this.server.requests.filter((r) => r.method !== 'GET' && !r.path.endsWith('/search/jql'));
  }

  /** A 429 as Jira sends it (Retry-After in seconds) for the next `times` requests. */
  rateLimit(times = 1, retryAfterS = 1, match?: (r: FakeRequest) => boolean): void {
    this.server.fail({
      status: 429,
      times,
      headers: { 'retry-after': String(retryAfterS), 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '0', 'ratelimit-reason': 'jira-burst-based' },
      body: { errorMessages: ['Rate limit exceeded.'] },
      ...(match ? { match } : {}),
    });
  }

  serverError(times = 1, status = 503, match?: (r: FakeRequest) => boolean): void {
    this.server.fail({ status, times, body: { errorMessages: ['Service unavailable'] }, ...(match ? { match } : {}) });
  }

  async sendWebhook(url: string, payload: unknown, secret: string, id: string = randomUUID(), retry?: number): Promise<{ status: number; body: string }> {
    const body = JSON.stringify(payload);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Atlassian Webhook HTTP Client',
        'x-atlassian-webhook-identifier': id,
        'x-atlassian-webhook-flow': 'Primary',
        ...(retry ? { 'x-atlassian-webhook-retry': String(retry) } : {}),
        'x-hub-signature': `sha256=${hmacHex('sha256', secret, body)}`,
      },
      body,
    });
    return { status: res.status, body: await res.text() };
  }

  /** The payload Jira sends for an issue event, from the fake's current state. */
  issuePayload(event: string, key: string, by: string, typeName = 'issue_generic', items: HistoryRec['items'] = []): Record<string, unknown> {
    const issue = this.issue(key);
    return {
      timestamp: this.clock().getTime(),
      webhookEvent: event,
      issue_event_type_name: typeName,
      user: this.user(by),
      issue: this.issueBean(issue, null, false),
      ...(items.length > 0 ? { changelog: { id: this.id(), items } } : {}),
    };
  }

  // ---- HTTP ----

  private routes(): Route[] {
    const r = (method: string, path: string, handler: (q: FakeRequest) => FakeResponse): Route => ({ method, path, handler });
    return [
      r('GET', '/rest/api/3/myself', () => ({ status: 200, body: this.user(this.opts.self) })),
      r('GET', '/rest/api/3/users/search', (q) => this.usersPage(q)),
      r('GET', '/rest/api/3/users', (q) => this.usersPage(q)),
      r('GET', '/rest/api/3/field', () => ({ status: 200, body: this.fields() })),
      r('GET', '/rest/api/3/search', () => gone()),
      r('POST', '/rest/api/3/search', () => gone()),
      r('GET', '/rest/api/3/search/jql', (q) => this.search(q, Object.fromEntries(q.query))),
      r('POST', '/rest/api/3/search/jql', (q) => this.search(q, (q.body ?? {}) as Record<string, unknown>)),
      r('GET', '/rest/api/3/issue/:key', (q) => this.withIssue(q, (i) => ({ status: 200, body: this.issueBean(i, fieldList(q.query.get('fields')), (q.query.get('expand') ?? '').includes('changelog')) }))),
      r('GET', '/rest/api/3/issue/:key/comment', (q) => this.withIssue(q, (i) => this.commentsPage(q, i))),
      r('POST', '/rest/api/3/issue/:key/comment', (q) => this.withIssue(q, (i) => this.postComment(q, i))),
      r('PUT', '/rest/api/3/issue/:key/comment/:id', (q) => this.withIssue(q, (i) => this.putComment(q, i))),
      r('GET', '/rest/api/3/issue/:key/transitions', (q) => this.withIssue(q, (i) => ({ status: 200, body: { expand: 'transitions', transitions: this.transitions(i) } }))),
      r('POST', '/rest/api/3/issue/:key/transitions', (q) => this.withIssue(q, (i) => this.doTransition(q, i))),
      r('GET', '/browse/:key', (q) => this.page(q)),
    ];
  }

  private authorize(q: FakeRequest): FakeResponse | null {
    if (q.path.startsWith('/browse/')) return null;
    const expected = `Basic ${Buffer.from(`${this.opts.email ?? 'taskwire@example.com'}:${this.opts.apiToken ?? 'jira-token'}`).toString('base64')}`;
    return q.headers.authorization === expected ? null : { status: 401, body: { errorMessages: ['You are not authenticated. Authentication required to perform this operation.'] } };
  }

  private search(q: FakeRequest, params: Record<string, unknown>): FakeResponse {
    const jql = typeof params['jql'] === 'string' ? params['jql'] : '';
    let query;
    try {
      query = parseJql(jql);
      if (query.where === null) throw new JqlError('Unbounded JQL queries are not allowed here. Please add a search restriction to your query.');
    } catch (err) {
      return { status: 400, body: { errorMessages: [(err as Error).message], errors: {} } };
    }
    const fields = Array.isArray(params['fields']) ? (params['fields'] as string[]) : fieldList(typeof params['fields'] === 'string' ? params['fields'] : null);
    const expand = Array.isArray(params['expand']) ? params['expand'].join(',') : typeof params['expand'] === 'string' ? params['expand'] : '';
    const onlyIds = fields === null || (fields.length > 0 && fields.every((f) => f === 'id' || f === 'key'));
    const max = Math.min(onlyIds ? 5000 : 100, Math.max(1, Number(params['maxResults'] ?? 50) || 50));
    const token = typeof params['nextPageToken'] === 'string' ? params['nextPageToken'] : null;
    const hash = createHash('sha1').update(jql).digest('hex').slice(0, 8);
    let offset = 0;
    if (token !== null) {
      const m = /^(\w{8}):(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
      if (!m || m[1] !== hash) return { status: 400, body: { errorMessages: ['The provided next page token is invalid or expired.'], errors: {} } };
      offset = Number(m[2]);
    }
    let hits: IssueRec[];
    if (this.searchCache?.jql === jql && this.searchCache.version === this.version) hits = this.searchCache.hits;
    else {
      const zone = this.user(this.opts.self).timeZone;
      try {
        hits = [...this.issues.values()].filter((i) => !i.deleted && matches(query.where, (f) => this.read(i, f), { zone, currentUser: this.opts.self, now: this.clock().getTime() }));
      } catch (err) {
        return { status: 400, body: { errorMessages: [(err as Error).message], errors: {} } };
      }
      const order = query.orderBy.length > 0 ? query.orderBy : [{ field: 'created', dir: 'desc' as const }];
      hits.sort((a, b) => {
        for (const o of order) {
          const x = this.sortKey(a, o.field);
          const y = this.sortKey(b, o.field);
          if (x !== y) return (x < y ? -1 : 1) * (o.dir === 'asc' ? 1 : -1);
        }
        return 0;
      });
      this.searchCache = { jql, version: this.version, hits };
    }
    const page = hits.slice(offset, offset + max);
    const children = new Map<string, IssueRec[]>();
    for (const c of this.issues.values()) if (c.parent !== null && !c.deleted) children.set(c.parent, [...(children.get(c.parent) ?? []), c]);
    const more = offset + max < hits.length;
    return {
      status: 200,
      body: {
        issues: page.map((i) => this.issueBean(i, fields ?? ['id'], expand.includes('changelog'), children)),
        ...(more ? { nextPageToken: Buffer.from(`${hash}:${offset + max}`).toString('base64url') } : {}),
        isLast: !more,
      },
    };
  }

  /** A field's values for JQL, or undefined when the field does not exist. */
  private read(i: IssueRec, field: string): (string | number)[] | undefined {
    const date = (s: string | null) => (s === null ? [] : [Date.parse(s)]);
    switch (field) {
      case 'project':
        return [i.project, this.projects.get(i.project)?.name ?? i.project];
      case 'key':
      case 'issuekey':
        return [i.key];
      case 'id':
        return [Number(i.id)];
      case 'updated':
        return date(i.updated);
      case 'created':
        return date(i.created);
      case 'duedate':
      case 'due':
        return i.duedate ? [Date.parse(`${i.duedate}T00:00:00Z`)] : [];
      case 'status':
        return [i.status];
      case 'statuscategory': {
        const c = CATEGORY[STATUSES[i.status]!.category];
        return [c.key, c.name];
      }
      case 'assignee':
        return i.assignee ? [i.assignee, this.name(i.assignee) ?? ''] : [];
      case 'reporter':
        return [i.reporter];
      case 'labels':
        return i.labels;
      case 'type':
      case 'issuetype':
        return [i.issuetype];
      case 'priority':
        return i.priority ? [i.priority] : [];
      case 'resolution':
        return STATUSES[i.status]!.category === 'done' ? ['Done'] : [];
      case 'parent':
        return i.parent ? [i.parent] : [];
      default:
        return undefined;
    }
  }

  private sortKey(i: IssueRec, field: string): string | number {
    if (field === 'updated' || field === 'created') return Date.parse(field === 'updated' ? i.updated : i.created);
    if (field === 'key' || field === 'issuekey') return `${i.project}-${String(Number(i.key.split('-')[1])).padStart(9, '0')}`;
    const v = this.read(i, field);
    return v?.[0] ?? '';
  }

  private issueBean(i: IssueRec, fields: readonly string[] | null, changelog: boolean, children?: ReadonlyMap<string, IssueRec[]>) {
    const want = (f: string) => fields === null || fields.includes('*all') || fields.includes('*navigable') || fields.includes(f);
    const self = `${this.server.url}/rest/api/3/issue/${i.id}`;
    const status = STATUSES[i.status]!;
    const all: Record<string, unknown> = {
      summary: i.summary,
      description: i.description,
      status: { self: `${this.server.url}/rest/api/3/status/${status.id}`, id: status.id, name: i.status, description: '', iconUrl: `${this.server.url}/images/icons/status.png`, statusCategory: { self: `${this.server.url}/rest/api/3/statuscategory/${CATEGORY[status.category].id}`, ...CATEGORY[status.category] } },
      resolution: status.category === 'done' ? { self: `${this.server.url}/rest/api/3/resolution/1`, id: '1', name: 'Done', description: 'Work has been completed on this issue.' } : null,
      resolutiondate: i.resolutiondate,
      statuscategorychangedate: i.statusChanged,
      priority: i.priority ? { self: `${this.server.url}/rest/api/3/priority/${PRIORITY_IDS[i.priority] ?? '3'}`, id: PRIORITY_IDS[i.priority] ?? '3', name: i.priority, iconUrl: `${this.server.url}/images/icons/priorities/${i.priority.toLowerCase()}.svg` } : null,
      assignee: i.assignee ? this.user(i.assignee) : null,
      reporter: this.user(i.reporter),
      duedate: i.duedate,
      labels: i.labels,
      issuelinks: i.links.map((l) => {
        const other = this.issues.get(l.other);
        const ref = other ? { id: other.id, key: other.key, self: `${this.server.url}/rest/api/3/issue/${other.id}`, fields: { summary: other.summary, status: { name: other.status } } } : { key: l.other };
        const type = l.type === 'Blocks' ? { id: '10000', name: 'Blocks', inward: 'is blocked by', outward: 'blocks', self: `${this.server.url}/rest/api/3/issueLinkType/10000` } : { id: '10003', name: 'Relates', inward: 'relates to', outward: 'relates to', self: `${this.server.url}/rest/api/3/issueLinkType/10003` };
        return { id: l.id, self: `${this.server.url}/rest/api/3/issueLink/${l.id}`, type, ...(l.direction === 'inward' ? { inwardIssue: ref } : { outwardIssue: ref }) };
      }),
      subtasks: (children?.get(i.key) ?? [...this.issues.values()].filter((c) => c.parent === i.key && !c.deleted)).map((c) => ({ id: c.id, key: c.key, self: `${this.server.url}/rest/api/3/issue/${c.id}`, fields: { summary: c.summary, status: { name: c.status } } })),
      ...(i.parent ? { parent: { id: this.issues.get(i.parent)?.id ?? '0', key: i.parent, self: `${this.server.url}/rest/api/3/issue/${i.parent}`, fields: { summary: this.issues.get(i.parent)?.summary ?? '' } } } : {}),
      issuetype: { self: `${this.server.url}/rest/api/3/issuetype/1`, id: '1', name: i.issuetype, subtask: i.issuetype === 'Sub-task', description: '', iconUrl: `${this.server.url}/images/icons/task.svg`, hierarchyLevel: i.issuetype === 'Sub-task' ? -1 : 0 },
      project: { self: `${this.server.url}/rest/api/3/project/${this.projects.get(i.project)?.id ?? '1'}`, id: this.projects.get(i.project)?.id ?? '1', key: i.project, name: this.projects.get(i.project)?.name ?? i.project, projectTypeKey: 'software', simplified: false },
      fixVersions: [],
      timetracking: {
        ...(i.estimateS !== null ? { originalEstimateSeconds: i.estimateS, originalEstimate: dur(i.estimateS) } : {}),
        ...(i.remainingS !== null ? { remainingEstimateSeconds: i.remainingS, remainingEstimate: dur(i.remainingS) } : {}),
        ...(i.spentS !== null ? { timeSpentSeconds: i.spentS, timeSpent: dur(i.spentS) } : {}),
      },
      comment: { comments: i.comments.map((c) => this.commentBean(i, c, false)), self: `${self}/comment`, maxResults: i.comments.length, total: i.comments.length, startAt: 0 },
      created: jiraTime(i.created),
      updated: jiraTime(i.updated),
      ...i.custom,
    };
    const picked = Object.fromEntries(Object.entries(all).filter(([k]) => want(k)));
    return {
      expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
      id: i.id,
      self,
      key: i.key,
      fields: picked,
      ...(changelog ? { changelog: { startAt: 0, maxResults: i.changelog.length, total: i.changelog.length, histories: i.changelog.map((h) => ({ id: h.id, author: this.user(h.author), created: jiraTime(h.created), items: h.items })) } } : {}),
    };
  }

  private commentBean(i: IssueRec, c: CommentRec, withProperties: boolean) {
    return {
      self: `${this.server.url}/rest/api/3/issue/${i.id}/comment/${c.id}`,
      id: c.id,
      author: this.user(c.author),
      body: c.body,
      updateAuthor: this.user(c.updateAuthor),
      created: jiraTime(c.created),
      updated: jiraTime(c.updated),
      jsdPublic: true,
      ...(withProperties ? { properties: c.properties } : {}),
    };
  }

  private commentsPage(q: FakeRequest, i: IssueRec): FakeResponse {
    const startAt = Math.max(0, Number(q.query.get('startAt') ?? 0) || 0);
    const max = Math.min(5000, Math.max(1, Number(q.query.get('maxResults') ?? 5000) || 5000));
    const props = (q.query.get('expand') ?? '').includes('properties');
    return { status: 200, body: { startAt, maxResults: max, total: i.comments.length, comments: i.comments.slice(startAt, startAt + max).map((c) => this.commentBean(i, c, props)) } };
  }

  private postComment(q: FakeRequest, i: IssueRec): FakeResponse {
    const b = (q.body ?? {}) as { body?: unknown; properties?: { key: string; value: unknown }[] };
    if (!isDoc(b.body)) return { status: 400, body: { errorMessages: [], errors: { comment: 'Comment body can not be empty!' } } };
    const c = this.comment(i, this.opts.self, b.body, b.properties ?? []);
    this.touch(i, this.opts.self, []);
    this.emitComment('comment_created', i, c);
    return { status: 201, body: this.commentBean(i, c, false) };
  }

  private putComment(q: FakeRequest, i: IssueRec): FakeResponse {
    const c = i.comments.find((x) => x.id === q.params.id);
    if (!c) return { status: 404, body: { errorMessages: ['Can not find a comment for the id.'], errors: {} } };
    const b = (q.body ?? {}) as { body?: unknown; properties?: { key: string; value: unknown }[] };
    if (!isDoc(b.body)) return { status: 400, body: { errorMessages: [], errors: { comment: 'Comment body can not be empty!' } } };
    c.body = b.body;
    c.updated = this.now();
    c.updateAuthor = this.opts.self;
    for (const p of b.properties ?? []) {
      const existing = c.properties.find((x) => x.key === p.key);
      if (existing) existing.value = p.value;
      else c.properties.push(p);
    }
    this.touch(i, this.opts.self, []);
    this.emitComment('comment_updated', i, c);
    return { status: 200, body: this.commentBean(i, c, false) };
  }

  private transitions(i: IssueRec) {
    return Object.keys(STATUSES)
      .filter((s) => s !== i.status)
      .map((s) => ({
        id: STATUSES[s]!.id.slice(-2),
        name: TRANSITION_NAMES[s]!,
        to: { self: `${this.server.url}/rest/api/3/status/${STATUSES[s]!.id}`, id: STATUSES[s]!.id, name: s, description: '', iconUrl: '', statusCategory: { self: '', ...CATEGORY[STATUSES[s]!.category] } },
        hasScreen: false,
        isGlobal: true,
        isInitial: false,
        isAvailable: true,
        isConditional: false,
        isLooped: false,
      }));
  }

  private doTransition(q: FakeRequest, i: IssueRec): FakeResponse {
    const id = (q.body as { transition?: { id?: string } } | undefined)?.transition?.id;
    const t = this.transitions(i).find((x) => x.id === id);
    if (!t) return { status: 400, body: { errorMessages: [`Transition id '${id ?? ''}' is not valid for this issue.`], errors: {} } };
    const items: HistoryRec['items'] = [];
    this.setStatus(i, t.to.name, items);
    this.touch(i, this.opts.self, items);
    this.emit('jira:issue_updated', i, this.opts.self, 'issue_generic', items);
    return { status: 204 };
  }

  private usersPage(q: FakeRequest): FakeResponse {
    const startAt = Math.max(0, Number(q.query.get('startAt') ?? 0) || 0);
    const max = Math.min(1000, Math.max(1, Number(q.query.get('maxResults') ?? 50) || 50));
    return { status: 200, body: [...this.users.keys()].slice(startAt, startAt + max).map((id) => this.user(id)) };
  }

  private fields() {
    const custom = new Set<string>();
    for (const i of this.issues.values()) for (const k of Object.keys(i.custom)) custom.add(k);
    return [...['summary', 'description', 'status', 'priority', 'assignee', 'duedate'].map((id) => ({ id, key: id, name: id[0]!.toUpperCase() + id.slice(1), custom: false, orderable: true, navigable: true, searchable: true, clauseNames: [id] })), ...[...custom].map((id) => ({ id, key: id, name: id === 'customfield_10050' ? 'Acceptance criteria' : id === 'customfield_10020' ? 'Sprint' : id, custom: true, orderable: true, navigable: true, searchable: true, clauseNames: [`cf[${id.split('_')[1]}]`] }))];
  }

  private page(q: FakeRequest): FakeResponse {
    const i = this.issues.get(q.params.key ?? '');
    if (!i) return { status: 404, body: 'Issue does not exist' };
    const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: `<!doctype html><meta charset="utf-8"><title>[${i.key}] ${esc(i.summary)}</title><h1>${i.key}: ${esc(i.summary)}</h1><p>${esc(i.status)}</p>` };
  }

  // ---- helpers ----

  private withIssue(q: FakeRequest, f: (i: IssueRec) => FakeResponse): FakeResponse {
    const k = q.params.key ?? '';
    const i = this.issues.get(k) ?? [...this.issues.values()].find((x) => x.id === k);
    return i && !i.deleted ? f(i) : { status: 404, body: { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} } };
  }

  private issue(key: string): IssueRec {
    const i = this.issues.get(key);
    if (!i) throw new Error(`the fake has no issue ${key}`);
    return i;
  }

  private project(key: string, name = key) {
    let p = this.projects.get(key);
    if (!p) {
      p = { id: String(this.id()), key, name, next: 1 };
      this.projects.set(key, p);
    }
    return p;
  }

  user(accountId: string) {
    const u = this.users.get(accountId) ?? { accountId, displayName: accountId };
    return {
      self: `${this.server.url}/rest/api/3/user?accountId=${u.accountId}`,
      accountId: u.accountId,
      accountType: u.accountType ?? 'atlassian',
      ...(u.email ? { emailAddress: u.email } : {}),
      avatarUrls: { '48x48': `${this.server.url}/avatar/${u.accountId}.png`, '24x24': `${this.server.url}/avatar/${u.accountId}.png`, '16x16': `${this.server.url}/avatar/${u.accountId}.png`, '32x32': `${this.server.url}/avatar/${u.accountId}.png` },
      displayName: u.displayName,
      active: true,
      timeZone: u.timeZone ?? 'UTC',
    };
  }

  private name(accountId: string | null | undefined): string | null {
    return accountId ? (this.users.get(accountId)?.displayName ?? accountId) : null;
  }

  private insert(s: JiraIssueSeed): IssueRec {
    const projectKey = s.project ?? s.key?.split('-')[0] ?? 'OPS';
    const p = this.project(projectKey);
    const n = s.key ? Number(s.key.split('-')[1]) : p.next;
    p.next = Math.max(p.next, n + 1);
    const created = s.created ?? this.now();
    const status = s.status ?? 'To Do';
    if (!STATUSES[status]) throw new Error(`unknown status ${status}; the fake knows ${Object.keys(STATUSES).join(', ')}`);
    const issue: IssueRec = {
      id: String(this.id()),
      key: `${projectKey}-${n}`,
      project: projectKey,
      summary: s.summary,
      description: s.description === undefined ? null : typeof s.description === 'string' ? markdownToAdf(s.description) : s.description,
      status,
      priority: s.priority === undefined ? 'Medium' : s.priority,
      assignee: s.assignee ?? null,
      reporter: s.reporter ?? this.opts.self,
      duedate: s.duedate ?? null,
      labels: [...(s.labels ?? [])],
      issuetype: s.issuetype ?? (s.parent ? 'Sub-task' : 'Task'),
      parent: s.parent ?? null,
      links: [],
      estimateS: s.estimateS ?? null,
      spentS: s.spentS ?? null,
      remainingS: s.remainingS ?? null,
      created,
      updated: s.updated ?? created,
      // Jira resolves an issue when it enters a done-category status and keeps that time through later
      // done-category moves (Done → Verified): the start of the last run of done statuses in the history.
      resolutiondate: STATUSES[status].category === 'done' ? (resolvedAt(s.statusHistory ?? []) ?? s.updated ?? created) : null,
      statusChanged: s.updated ?? created,
      custom: { ...(s.custom ?? {}) },
      comments: [],
      changelog: [],
      deleted: false,
    };
    this.issues.set(issue.key, issue);
    this.version++;
    let prev = 'To Do';
    for (const [to, at, by] of s.statusHistory ?? []) {
      issue.changelog.push({ id: String(this.id()), author: by ?? issue.assignee ?? issue.reporter, created: at, items: [{ field: 'status', fieldtype: 'jira', fieldId: 'status', from: STATUSES[prev]?.id ?? null, fromString: prev, to: STATUSES[to]?.id ?? null, toString: to }] });
      prev = to;
    }
    for (const c of s.comments ?? []) this.comment(issue, c.author, markdownToAdf(c.body), [], c.at);
    return issue;
  }

  private linkSeed(s: JiraIssueSeed): void {
    const key = s.key ?? [...this.issues.values()].find((i) => i.summary === s.summary)?.key;
    if (!key) return;
    for (const b of s.blockedBy ?? []) this.link(key, b, 'Blocks');
    for (const r of s.relatesTo ?? []) this.link(key, r, 'Relates');
  }

  /** `key` is blocked by (or relates to) `other`; both sides get the link, as in Jira. */
  private link(key: string, other: string, type: 'Blocks' | 'Relates'): void {
    const id = String(this.id());
    this.version++;
    this.issue(key).links.push({ id, type, other, direction: 'inward' });
    if (this.issues.has(other)) this.issue(other).links.push({ id, type, other: key, direction: 'outward' });
  }

  private comment(i: IssueRec, author: string, body: AdfNode, properties: { key: string; value: unknown }[], at?: string): CommentRec {
    const when = at ?? this.now();
    const c: CommentRec = { id: String(this.id()), author, updateAuthor: author, body, created: when, updated: when, properties: [...properties] };
    i.comments.push(c);
    return c;
  }

  private setStatus(i: IssueRec, to: string, items: HistoryRec['items']): void {
    if (!STATUSES[to]) throw new Error(`unknown status ${to}`);
    if (to === i.status) return;
    items.push({ field: 'status', fieldtype: 'jira', fieldId: 'status', from: STATUSES[i.status]!.id, fromString: i.status, to: STATUSES[to].id, toString: to });
    const wasDone = STATUSES[i.status]!.category === 'done';
    i.status = to;
    i.statusChanged = this.now();
    const done = STATUSES[to].category === 'done';
    if (done && !wasDone) i.resolutiondate = this.now();
    if (!done) i.resolutiondate = null;
  }

  private touch(i: IssueRec, by: string, items: HistoryRec['items']): void {
    this.version++;
    const now = this.now();
    i.updated = now > i.updated ? now : new Date(Date.parse(i.updated) + 1).toISOString();
    if (items.length > 0) i.changelog.push({ id: String(this.id()), author: by, created: i.updated, items });
  }

  private emit(event: string, i: IssueRec, by: string, typeName: string, items: HistoryRec['items'] = []): void {
    if (!this.webhookTarget || !this.server.started) return;
    const payload = { timestamp: this.clock().getTime(), webhookEvent: event, issue_event_type_name: typeName, user: this.user(by), issue: this.issueBean(i, null, false), ...(items.length > 0 ? { changelog: { id: this.id(), items } } : {}) };
    this.sentWebhooks.push(this.sendWebhook(this.webhookTarget.url, payload, this.webhookTarget.secret).catch((e: unknown) => ({ status: 0, body: String(e) })));
  }

  private emitComment(event: string, i: IssueRec, c: CommentRec): void {
    if (!this.webhookTarget || !this.server.started) return;
    const payload = { timestamp: this.clock().getTime(), webhookEvent: event, comment: this.commentBean(i, c, false), issue: { id: i.id, key: i.key, self: `${this.server.url}/rest/api/3/issue/${i.id}`, fields: { summary: i.summary } } };
    this.sentWebhooks.push(this.sendWebhook(this.webhookTarget.url, payload, this.webhookTarget.secret).catch((e: unknown) => ({ status: 0, body: String(e) })));
  }

  private emitRaw(payload: Record<string, unknown>): void {
    if (!this.webhookTarget || !this.server.started) return;
    this.sentWebhooks.push(this.sendWebhook(this.webhookTarget.url, payload, this.webhookTarget.secret).catch((e: unknown) => ({ status: 0, body: String(e) })));
  }

  private now(): string {
    return this.clock().toISOString();
  }

  private id(): number {
    return this.nextId++;
  }
}

/** Jira's own timestamp format: `2026-11-20T10:15:30.000+0000`. */
function jiraTime(iso: string): string {
  return new Date(iso).toISOString().replace('Z', '+0000');
}

function dur(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return [h ? `${h}h` : '', m ? `${m}m` : ''].filter(Boolean).join(' ') || '0m';
}

const num = (n: number | null | undefined) => (n === null || n === undefined ? null : String(n));

function fieldList(s: string | null): string[] | null {
  return s === null || s === '' ? null : s.split(',').map((f) => f.trim());
}

function isDoc(v: unknown): v is AdfNode {
  return typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'doc' && Array.isArray((v as { content?: unknown }).content) && ((v as { content: unknown[] }).content.length > 0);
}

const gone = (): FakeResponse => ({
  status: 410,
  body: { errorMessages: ['The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046'], errors: {} },
});

/** When the issue entered the done category for the last time, from a seed's status history. */
function resolvedAt(history: readonly (readonly [string, string, string?])[]): string | null {
  let at: string | null = null;
  let wasDone = false;
  for (const [to, when] of history) {
    const done = STATUSES[to]?.category === 'done';
    if (done && !wasDone) at = when;
    if (!done) at = null;
    wasDone = done;
  }
  return at;
}
