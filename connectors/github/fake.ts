/**
 * A faithful fake of the GitHub REST API on 127.0.0.1, for the sandbox, the demo, end-to-end tests and
 * benchmarks: the endpoints the connector uses, in GitHub's response shapes (checked against GitHub's
 * OpenAPI description in a test), with `since`/`sort`/`direction`/`per_page`/`page` and Link headers,
 * ETags answered 304, rate-limit headers, token and GitHub App authentication, recorded writes, faults
 * on demand (5xx, 403/429 with GitHub's retry headers, latency) and signed webhooks sent to a URL.
 */
import { createHash, randomUUID } from 'node:crypto';
import { FakeHttpServer, type FakeRequest, type FakeResponse, type Route } from '../kit/fake-server.js';
import { hmacHex } from '../kit/hmac.js';
import { FakeProjects, type FakeProjectSeed } from './fake-projects.js';
import { Shapes, type CommentRec, type EventRec, type FakeIndex, type IssueRec, type RepoRec, type ReviewRec, type UserRec } from './fake-shapes.js';

export interface GithubIssueSeed {
  readonly number?: number;
  readonly title: string;
  readonly body?: string | null;
  readonly state?: 'open' | 'closed';
  readonly stateReason?: IssueRec['stateReason'];
  readonly labels?: readonly string[];
  readonly assignees?: readonly string[];
  readonly user?: string;
  /** Milestone number in the same repo. */
  readonly milestone?: number;
  readonly createdAt?: string;
  readonly updatedAt?: string;
  readonly closedAt?: string;
  /** Blocking issues: numbers in the same repo, or `owner/repo#n`. */
  readonly blockedBy?: readonly (number | string)[];
  /** Parent issue: a number in the same repo, or `owner/repo#n`. */
  readonly parent?: number | string;
  readonly fields?: IssueRec['fields'];
  readonly comments?: readonly { readonly user: string; readonly body: string; readonly at?: string }[];
  readonly pull?: {
    readonly draft?: boolean;
    readonly merged?: boolean;
    readonly mergedAt?: string;
    readonly mergedBy?: string;
    readonly headRef?: string;
    readonly reviews?: readonly { readonly user: string; readonly state: ReviewRec['state']; readonly at?: string; readonly body?: string }[];
  };
}

export interface GithubScenario {
  readonly users?: readonly { readonly login: string; readonly name?: string; readonly email?: string; readonly type?: UserRec['type'] }[];
  readonly repos: readonly {
    readonly fullName: string;
    readonly milestones?: readonly { readonly number: number; readonly title: string; readonly dueOn?: string | null }[];
    readonly issues?: readonly GithubIssueSeed[];
  }[];
  /** Org name → its repos' full names (for `orgs:` in the config). */
  readonly orgs?: Readonly<Record<string, readonly string[]>>;
  /** GitHub projects planning these issues (served over GraphQL). */
  readonly projects?: readonly FakeProjectSeed[];
}

export interface GithubFakeOptions {
  /** Accepted personal tokens; the first one's user is `self`. */
  readonly tokens?: readonly string[];
  /** The login the tokens belong to (what GET /user returns). */
  readonly self?: string;
  /** A GitHub App installation that may exchange a JWT for installation tokens. */
  readonly appInstallationId?: string;
  readonly clock?: () => Date;
  readonly rateLimit?: number;
  /** Pages of the repository issue event stream served before GitHub's "pagination is limited" 422. */
  readonly eventPagesLimit?: number;
  /** Send a signed webhook here for every change made through the API or the fake's own methods. */
  readonly webhooks?: { readonly url: string; readonly secret: string };
  /** GraphQL points an hour (GitHub: 5,000 for a user token). */
  readonly graphqlPoints?: number;
}

export interface WebhookResult {
  readonly status: number;
  readonly body: string;
  readonly deliveryId: string;
}

export class GithubFake {
  readonly server: FakeHttpServer;
  /** GitHub Projects, over GraphQL. */
  readonly projects: FakeProjects;
  private readonly repos = new Map<string, RepoRec>();
  private readonly users = new Map<string, UserRec>();
  private readonly orgs = new Map<string, string[]>();
  private readonly tokens: Set<string>;
  private readonly shapes: Shapes;
  private readonly clock: () => Date;
  private readonly rateLimit: number;
  private rateRemaining: number;
  private nextId = 1000;
  /** Bumped by every change; the lookup index is rebuilt when it moved. */
  private version = 0;
  private cachedIndex: { version: number; index: FakeIndex } | null = null;
  private webhookTarget: { url: string; secret: string } | null;
  /** Webhooks the fake sent on its own (with `webhooks` set), and their answers. */
  readonly sentWebhooks: { event: string; action: string | undefined; result: Promise<WebhookResult> }[] = [];

  constructor(
    scenario: GithubScenario = { repos: [] },
    private readonly opts: GithubFakeOptions = {},
  ) {
    this.clock = opts.clock ?? (() => new Date());
    this.tokens = new Set(opts.tokens ?? ['ghp_faketoken']);
    this.rateLimit = opts.rateLimit ?? 5000;
    this.rateRemaining = this.rateLimit;
    this.webhookTarget = opts.webhooks ? { ...opts.webhooks } : null;
    this.shapes = new Shapes(() => this.server.url, () => `${this.server.url}/web`, (l) => this.user(l), () => this.index());
    this.projects = new FakeProjects(
      { byKey: (key) => this.contentByKey(key), byNodeId: (id) => this.contentByNodeId(id) },
      () => this.now(),
      (event, payload, by) => this.emitRaw(event, payload, by),
      opts.graphqlPoints,
    );
    this.server = new FakeHttpServer(this.routes(), { authorize: (r) => this.authorize(r) });
    this.seed(scenario);
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

  setRateRemaining(n: number): void {
    this.rateRemaining = n;
  }

  // ---- scenario and state ----

  seed(s: GithubScenario): void {
    for (const u of s.users ?? []) this.users.set(u.login, { login: u.login, id: this.id(), type: u.type ?? (u.login.endsWith('[bot]') ? 'Bot' : 'User'), ...(u.name ? { name: u.name } : {}), ...(u.email ? { email: u.email } : {}) });
    for (const [org, repos] of Object.entries(s.orgs ?? {})) this.orgs.set(org, [...repos]);
    for (const r of s.repos) {
      const repo = this.repo(r.fullName, true);
      for (const m of r.milestones ?? []) {
        const at = this.now();
        repo.milestones.set(m.number, { number: m.number, title: m.title, dueOn: m.dueOn ?? null, state: 'open', id: this.id(), createdAt: at, updatedAt: at });
      }
    }
    // Issues after all repos exist, so cross-repo references resolve; blockers after all issues.
    const pending: { repo: RepoRec; issue: IssueRec; seed: GithubIssueSeed }[] = [];
    for (const r of s.repos) for (const seed of r.issues ?? []) pending.push({ repo: this.repo(r.fullName), issue: this.insertIssue(this.repo(r.fullName), seed), seed });
    for (const { repo, issue, seed } of pending) {
      issue.blockedBy = (seed.blockedBy ?? []).map((b) => this.resolve(repo, b).issue.id);
      issue.parent = seed.parent === undefined ? null : this.resolve(repo, seed.parent).issue.id;
    }
    // Seeded pasts are written issue by issue; GitHub's stream is in the order things happened (ids ascending).
    for (const r of s.repos) {
      const repo = this.repo(r.fullName);
      const ordered = repo.events.splice(0).sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id - b.id));
      repo.events.push(...ordered.map((e) => ({ ...e, id: this.id() })));
    }
    for (const p of s.projects ?? []) this.projects.seed(p);
    this.version++;
  }

  /** Creates an issue (or pull request, with `pull`) as if a person did; returns its number. */
  createIssue(fullName: string, seed: GithubIssueSeed): number {
    const repo = this.repo(fullName);
    const issue = this.insertIssue(repo, seed);
    issue.blockedBy = (seed.blockedBy ?? []).map((b) => this.resolve(repo, b).issue.id);
    issue.parent = seed.parent === undefined ? null : this.resolve(repo, seed.parent).issue.id;
    this.version++;
    this.emit(issue.pull ? 'pull_request' : 'issues', 'opened', repo, issue, issue.user);
    return issue.number;
  }

  /** Changes an issue as a person (`by`) would, moving its updated_at; sends the matching webhook. */
  updateIssue(fullName: string, n: number, patch: Partial<Pick<IssueRec, 'title' | 'body' | 'state' | 'stateReason' | 'labels' | 'assignees' | 'milestone'>>, by = 'octocat'): void {
    const repo = this.repo(fullName);
    const issue = this.issue(repo, n);
    const before = { title: issue.title, state: issue.state, labels: [...issue.labels], assignees: [...issue.assignees], milestone: issue.milestone };
    Object.assign(issue, patch);
    if (patch.state === 'closed' && before.state !== 'closed') {
      issue.closedAt = this.now();
      issue.closedBy = by;
      issue.stateReason = patch.stateReason ?? 'completed';
    }
    if (patch.state === 'open' && before.state === 'closed') {
      issue.closedAt = null;
      issue.stateReason = 'reopened';
    }
    this.touch(issue);
    this.recordChanges(repo, issue, before, by);
    const action = patch.state === 'closed' && before.state !== 'closed' ? 'closed' : patch.state === 'open' && before.state === 'closed' ? 'reopened' : patch.labels ? 'labeled' : patch.assignees ? 'assigned' : 'edited';
    this.emit(issue.pull ? 'pull_request' : 'issues', action, repo, issue, by);
  }

  /** A comment by `user`; returns its id. */
  addComment(fullName: string, n: number, user: string, body: string): number {
    const repo = this.repo(fullName);
    const issue = this.issue(repo, n);
    const c = this.insertComment(repo, issue, user, body);
    this.emit('issue_comment', 'created', repo, issue, user, { comment: this.shapes.comment(repo, c) });
    return c.id;
  }

  /** Merges a pull request (as `by`). */
  mergePull(fullName: string, n: number, by = 'octocat'): void {
    const repo = this.repo(fullName);
    const issue = this.issue(repo, n);
    if (!issue.pull) throw new Error(`${fullName}#${n} is not a pull request`);
    const at = this.now();
    Object.assign(issue.pull, { merged: true, mergedAt: at, mergedBy: by });
    Object.assign(issue, { state: 'closed', closedAt: at, closedBy: by });
    this.touch(issue);
    this.record(repo, issue, 'merged', by);
    this.record(repo, issue, 'closed', by, { stateReason: null });
    this.emit('pull_request', 'closed', repo, issue, by);
  }

  /** A review on a pull request. */
  review(fullName: string, n: number, user: string, state: ReviewRec['state'], body = ''): void {
    const repo = this.repo(fullName);
    const issue = this.issue(repo, n);
    if (!issue.pull) throw new Error(`${fullName}#${n} is not a pull request`);
    const r: ReviewRec = { id: this.id(), user, state, submittedAt: this.now(), body };
    issue.pull.reviews.push(r);
    this.emit('pull_request_review', 'submitted', repo, issue, user, { review: this.shapes.review(repo, issue, r) });
  }

  /** A person edits a comment (anyone with write access may edit any comment on GitHub). */
  editCommentAs(fullName: string, id: number, by: string, body: string): void {
    const repo = this.repo(fullName);
    const c = repo.comments.find((x) => x.id === id);
    if (!c) throw new Error(`no comment ${id} in ${fullName}`);
    Object.assign(c, { body, updatedAt: this.now() });
    const issue = this.issue(repo, c.issueNumber);
    this.touch(issue);
    this.emit('issue_comment', 'edited', repo, issue, by, { comment: this.shapes.comment(repo, c) });
  }

  /** A person deletes a comment. */
  deleteComment(fullName: string, id: number): void {
    const repo = this.repo(fullName);
    const i = repo.comments.findIndex((x) => x.id === id);
    if (i >= 0) repo.comments.splice(i, 1);
  }

  /** The comments on an issue, as GitHub would list them. */
  comments(fullName: string, n: number): { id: number; body: string; user: string; updatedAt: string }[] {
    return this.repo(fullName)
      .comments.filter((c) => c.issueNumber === n)
      .map((c) => ({ id: c.id, body: c.body, user: c.user, updatedAt: c.updatedAt }));
  }

  /** An issue's current labels and state. */
  issueState(fullName: string, n: number): { state: string; stateReason: string | null; labels: string[] } {
    const i = this.issue(this.repo(fullName), n);
    return { state: i.state, stateReason: i.stateReason, labels: [...i.labels] };
  }

  /** Requests that changed something (POST/PATCH/PUT/DELETE). */
  get writes() {
    return this.server.requests.filter((r) => r.method !== 'GET' && !r.path.startsWith('/app/'));
  }

  /** A 429 like GitHub's secondary rate limit (with retry-after) for the next `times` requests. */
  secondaryRateLimit(times = 1, retryAfterS = 1, match?: (r: FakeRequest) => boolean): void {
    this.server.fail({
      status: 429,
      times,
      headers: { 'retry-after': String(retryAfterS), 'x-ratelimit-limit': String(this.rateLimit), 'x-ratelimit-remaining': String(this.rateRemaining) },
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits', status: '429' },
      ...(match ? { match } : {}),
    });
  }

  /**
   * The hourly budget spent, as GitHub answers then: 403 with `x-ratelimit-remaining: 0` and the reset
   * time (epoch seconds) `resetInS` from now, for the next `times` requests.
   */
  primaryRateLimitSpent(times: number, resetInS: number): void {
    this.server.fail({
      status: 403,
      times,
      headers: { 'x-ratelimit-limit': String(this.rateLimit), 'x-ratelimit-remaining': '0', 'x-ratelimit-used': String(this.rateLimit), 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + resetInS), 'x-ratelimit-resource': 'core' },
      body: { message: 'API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api', status: '403' },
    });
  }

  /** `times` server errors (502 by default) for matching requests. */
  serverError(times = 1, status = 502, match?: (r: FakeRequest) => boolean): void {
    this.server.fail({ status, times, body: { message: 'Server Error' }, ...(match ? { match } : {}) });
  }

  /** Sends a signed webhook delivery to `url`. */
  async sendWebhook(url: string, event: string, payload: unknown, secret: string, deliveryId: string = randomUUID()): Promise<WebhookResult> {
    const body = JSON.stringify(payload);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'GitHub-Hookshot/fake',
        'x-github-event': event,
        'x-github-delivery': deliveryId,
        'x-github-hook-id': '1',
        'x-hub-signature-256': `sha256=${hmacHex('sha256', secret, body)}`,
      },
      body,
    });
    return { status: res.status, body: await res.text(), deliveryId };
  }

  /** The payload GitHub would send for an event about an issue, from the fake's current state. */
  payload(event: string, action: string, fullName: string, n: number, sender = 'octocat', extra: Record<string, unknown> = {}): Record<string, unknown> {
    const repo = this.repo(fullName);
    const issue = this.issue(repo, n);
    const base = { action, repository: this.shapes.repository(repo), sender: this.shapes.user(sender), ...extra };
    if (event === 'pull_request' || event === 'pull_request_review') return { ...base, number: issue.number, pull_request: this.shapes.pull(repo, issue) };
    return { ...base, issue: this.shapes.issue(repo, issue) };
  }

  // ---- HTTP ----

  private routes(): Route[] {
    const r = (method: string, path: string, handler: (req: FakeRequest) => FakeResponse): Route => ({ method, path, handler: (req) => this.withRate(req, handler(req)) });
    return [
      // GraphQL has its own budget (points), not the REST requests'.
      { method: 'POST', path: '/graphql', handler: (q) => this.projects.handle(q) },
      r('GET', '/user', () => ({ status: 200, body: this.shapes.privateUser(this.opts.self ?? 'taskwire-bot') })),
      r('GET', '/rate_limit', () => ({ status: 200, body: this.rateBody() })),
      r('POST', '/app/installations/:id/access_tokens', (q) => this.installationToken(q)),
      r('GET', '/orgs/:org/repos', (q) => this.list(q, (this.orgs.get(q.params.org!) ?? []).map((n) => this.shapes.repository(this.repo(n))))),
      r('GET', '/repos/:owner/:repo/issues/comments', (q) => this.listRepoComments(q)),
      r('GET', '/repos/:owner/:repo/issues/comments/:id', (q) => this.withComment(q, (repo, c) => ({ status: 200, body: this.shapes.comment(repo, c) }))),
      r('PATCH', '/repos/:owner/:repo/issues/comments/:id', (q) => this.editComment(q)),
      r('GET', '/repos/:owner/:repo/issues', (q) => this.listIssues(q)),
      // The repository's issue event stream, newest first (no `since`: only per_page and page).
      r('GET', '/repos/:owner/:repo/issues/events', (q) =>
        this.withRepo(q, (repo) =>
          Number(q.query.get('page') ?? 1) > (this.opts.eventPagesLimit ?? Infinity)
            ? { status: 422, body: { message: 'In order to keep the API fast for everyone, pagination is limited for this resource. Check the rel=last link relation in the Link response header to see how far back you can traverse.', documentation_url: 'https://docs.github.com/v3/#pagination', status: '422' } }
            : this.list(q, [...repo.events].reverse(), (e) => this.shapes.issueEvent(repo, e)),
        ),
      ),
      r('GET', '/repos/:owner/:repo/issues/:n', (q) => this.withIssue(q, (repo, i) => ({ status: 200, body: this.shapes.issue(repo, i) }))),
      r('PATCH', '/repos/:owner/:repo/issues/:n', (q) => this.patchIssue(q)),
      r('GET', '/repos/:owner/:repo/issues/:n/comments', (q) => this.withIssue(q, (repo, i) => this.list(q, repo.comments.filter((c) => c.issueNumber === i.number).map((c) => this.shapes.comment(repo, c))))),
      r('POST', '/repos/:owner/:repo/issues/:n/comments', (q) => this.postComment(q)),
      r('GET', '/repos/:owner/:repo/issues/:n/labels', (q) => this.withIssue(q, (repo, i) => this.list(q, i.labels.map((l) => this.shapes.label(repo, l))))),
      r('POST', '/repos/:owner/:repo/issues/:n/labels', (q) => this.addLabels(q)),
      r('DELETE', '/repos/:owner/:repo/issues/:n/labels/:name', (q) => this.removeLabel(q)),
      r('GET', '/repos/:owner/:repo/issues/:n/sub_issues', (q) => this.withIssue(q, (_repo, i) => this.list(q, [...this.index().children(i.id)], (c) => { const at = this.index().byId(c.id)!; return this.shapes.issue(at.repo, c); }))),
      r('GET', '/repos/:owner/:repo/issues/:n/parent', (q) => this.withIssue(q, (_repo, i) => {
        const p = i.parent === null ? undefined : this.byId(i.parent);
        return p ? { status: 200, body: this.shapes.issue(p.repo, p.issue) } : { status: 404, body: { message: 'Not Found' } };
      })),
      r('GET', '/repos/:owner/:repo/issues/:n/dependencies/blocked_by', (q) => this.withIssue(q, (_repo, i) => this.list(q, i.blockedBy.map((id) => this.byId(id)).filter((x) => x !== undefined).map((b) => this.shapes.issue(b.repo, b.issue))))),
      r('GET', '/repos/:owner/:repo/milestones', (q) => this.withRepo(q, (repo) => this.list(q, [...repo.milestones.values()].map((m) => this.shapes.milestone(repo, m))))),
      r('GET', '/repos/:owner/:repo/pulls/:n', (q) => this.withIssue(q, (repo, i) => (i.pull ? { status: 200, body: this.shapes.pull(repo, i) } : { status: 404, body: { message: 'Not Found' } }))),
      r('GET', '/repos/:owner/:repo/pulls/:n/reviews', (q) => this.withIssue(q, (repo, i) => this.list(q, (i.pull?.reviews ?? []).map((rv) => this.shapes.review(repo, i, rv))))),
      // Web pages the links in reports point at, so a click in the sandbox lands somewhere.
      { method: 'GET', path: '/web/:owner/:repo/:kind/:n', handler: (q) => this.page(q) },
    ];
  }

  private authorize(req: FakeRequest): FakeResponse | null {
    if (req.path.startsWith('/web/')) return null;
    const auth = String(req.headers.authorization ?? '');
    const token = auth.replace(/^(token|bearer)\s+/i, '');
    if (req.path.startsWith('/app/')) return /^bearer\s+\S+\.\S+\.\S+$/i.test(auth) ? null : unauthorized();
    return this.tokens.has(token) ? null : unauthorized();
  }

  private installationToken(q: FakeRequest): FakeResponse {
    if (this.opts.appInstallationId === undefined || q.params.id !== this.opts.appInstallationId) return { status: 404, body: { message: 'Not Found' } };
    const token = `ghs_${randomUUID().replace(/-/g, '')}`;
    this.tokens.add(token);
    return { status: 201, body: { token, expires_at: new Date(this.clock().getTime() + 3600_000).toISOString(), permissions: { issues: 'write', metadata: 'read', pull_requests: 'read' }, repository_selection: 'all' } };
  }

  /** Rate-limit headers on every answer; a 304 does not count (as on GitHub), an exhausted budget is a 403. */
  private withRate(req: FakeRequest, res: FakeResponse): FakeResponse {
    const etag = res.status === 200 && req.method === 'GET' ? `W/"${createHash('sha1').update(JSON.stringify(res.body)).digest('hex')}"` : undefined;
    const notModified = etag !== undefined && req.headers['if-none-match'] === etag;
    if (!notModified && !req.path.startsWith('/app/')) {
      if (this.rateRemaining <= 0) {
        return { status: 403, headers: this.rateHeaders(), body: { message: 'API rate limit exceeded for user.', documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting' } };
      }
      this.rateRemaining--;
    }
    const headers = { ...this.rateHeaders(), ...res.headers, ...(etag ? { etag } : {}) };
    return notModified ? { status: 304, headers } : { ...res, headers };
  }

  private rateHeaders(): Record<string, string> {
    return {
      'x-ratelimit-limit': String(this.rateLimit),
      'x-ratelimit-remaining': String(Math.max(0, this.rateRemaining)),
      'x-ratelimit-used': String(this.rateLimit - Math.max(0, this.rateRemaining)),
      'x-ratelimit-reset': String(Math.floor(this.clock().getTime() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
    };
  }

  private rateBody() {
    const core = { limit: this.rateLimit, remaining: this.rateRemaining, reset: Math.floor(this.clock().getTime() / 1000) + 3600, used: this.rateLimit - this.rateRemaining };
    return { resources: { core, search: { ...core, limit: 30, remaining: 30, used: 0 } }, rate: core };
  }

  /** A paginated list answer: `per_page` (≤ 100) and `page`, with GitHub's Link header. */
  private list<T>(q: FakeRequest, all: readonly T[], shape: (x: T) => unknown = (x) => x): FakeResponse {
    const perPage = Math.min(100, Math.max(1, Number(q.query.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(q.query.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const link = (p: number) => {
      const u = new URL(`${this.server.url}${q.path}`);
      q.query.forEach((v, k) => u.searchParams.set(k, v));
      u.searchParams.set('page', String(p));
      return u.toString();
    };
    const rels = [...(page < last ? [`<${link(page + 1)}>; rel="next"`, `<${link(last)}>; rel="last"`] : []), ...(page > 1 ? [`<${link(1)}>; rel="first"`, `<${link(page - 1)}>; rel="prev"`] : [])];
    return { status: 200, headers: rels.length ? { link: rels.join(', ') } : {}, body: all.slice((page - 1) * perPage, page * perPage).map(shape) };
  }

  private listIssues(q: FakeRequest): FakeResponse {
    return this.withRepo(q, (repo) => {
      const state = q.query.get('state') ?? 'open';
      const since = q.query.get('since');
      const milestone = q.query.get('milestone');
      const sort = q.query.get('sort') ?? 'created';
      const dir = q.query.get('direction') ?? 'desc';
      if (since !== null && Number.isNaN(Date.parse(since))) return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Issue', field: 'since', code: 'invalid' }] } };
      let issues = [...repo.issues.values()].filter((i) => state === 'all' || i.state === state);
      // GitHub: "only show results that were last updated after the given time" — at second precision, inclusive.
      if (since !== null) issues = issues.filter((i) => Date.parse(i.updatedAt) >= Math.floor(Date.parse(since) / 1000) * 1000);
      if (milestone !== null && milestone !== '*') issues = issues.filter((i) => (milestone === 'none' ? i.milestone === null : String(i.milestone) === milestone));
      const idx = this.index();
      const keyOf = (i: IssueRec) => (sort === 'updated' ? i.updatedAt : sort === 'comments' ? String(idx.commentCount(repo, i.number)).padStart(8, '0') : i.createdAt);
      issues.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : a.number - b.number) * (dir === 'asc' ? 1 : -1));
      return this.list(q, issues, (i) => this.shapes.issue(repo, i));
    });
  }

  private listRepoComments(q: FakeRequest): FakeResponse {
    return this.withRepo(q, (repo) => {
      const since = q.query.get('since');
      const dir = q.query.get('direction') ?? 'asc';
      const sort = q.query.get('sort') ?? 'created';
      let comments = [...repo.comments];
      if (since !== null) comments = comments.filter((c) => Date.parse(c.updatedAt) >= Math.floor(Date.parse(since) / 1000) * 1000);
      const key = (c: CommentRec) => (sort === 'updated' ? c.updatedAt : c.createdAt);
      comments.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id - b.id) * (dir === 'asc' ? 1 : -1));
      return this.list(q, comments, (c) => this.shapes.comment(repo, c));
    });
  }

  private postComment(q: FakeRequest): FakeResponse {
    return this.withIssue(q, (repo, issue) => {
      const body = (q.body as { body?: unknown } | undefined)?.body;
      if (typeof body !== 'string' || body.length === 0) return validation('IssueComment', 'body', 'missing_field');
      const c = this.insertComment(repo, issue, this.opts.self ?? 'taskwire-bot', body);
      this.emit('issue_comment', 'created', repo, issue, c.user, { comment: this.shapes.comment(repo, c) });
      return { status: 201, headers: { location: `${this.server.url}/repos/${repo.fullName}/issues/comments/${c.id}` }, body: this.shapes.comment(repo, c) };
    });
  }

  private editComment(q: FakeRequest): FakeResponse {
    return this.withComment(q, (repo, c) => {
      const body = (q.body as { body?: unknown } | undefined)?.body;
      if (typeof body !== 'string' || body.length === 0) return validation('IssueComment', 'body', 'missing_field');
      c.body = body;
      c.updatedAt = this.now();
      const issue = this.issue(repo, c.issueNumber);
      this.touch(issue);
      this.emit('issue_comment', 'edited', repo, issue, this.opts.self ?? 'taskwire-bot', { comment: this.shapes.comment(repo, c) });
      return { status: 200, body: this.shapes.comment(repo, c) };
    });
  }

  private patchIssue(q: FakeRequest): FakeResponse {
    return this.withIssue(q, (repo, issue) => {
      const b = (q.body ?? {}) as { state?: string; state_reason?: string; title?: string; body?: string; labels?: string[] };
      if (b.state !== undefined && b.state !== 'open' && b.state !== 'closed') return validation('Issue', 'state', 'invalid');
      const before = issue.state;
      const was = { title: issue.title, state: issue.state, labels: [...issue.labels], assignees: [...issue.assignees], milestone: issue.milestone };
      if (b.title !== undefined) issue.title = b.title;
      if (b.body !== undefined) issue.body = b.body;
      if (b.labels !== undefined) issue.labels = [...b.labels];
      if (b.state === 'closed' && before === 'open') {
        issue.state = 'closed';
        issue.closedAt = this.now();
        issue.closedBy = this.opts.self ?? 'taskwire-bot';
        issue.stateReason = (b.state_reason as IssueRec['stateReason']) ?? 'completed';
      } else if (b.state === 'open' && before === 'closed') {
        issue.state = 'open';
        issue.closedAt = null;
        issue.stateReason = 'reopened';
      }
      this.touch(issue);
      this.recordChanges(repo, issue, was, this.opts.self ?? 'taskwire-bot');
      this.emit('issues', b.state === 'closed' && before === 'open' ? 'closed' : b.state === 'open' && before === 'closed' ? 'reopened' : 'edited', repo, issue, this.opts.self ?? 'taskwire-bot');
      return { status: 200, body: this.shapes.issue(repo, issue) };
    });
  }

  private addLabels(q: FakeRequest): FakeResponse {
    return this.withIssue(q, (repo, issue) => {
      const b = q.body as { labels?: unknown } | string[] | undefined;
      const labels = Array.isArray(b) ? b : Array.isArray(b?.labels) ? b.labels : null;
      if (!labels || !labels.every((l) => typeof l === 'string')) return validation('Label', 'labels', 'invalid');
      const added = labels.filter((l, i) => !issue.labels.includes(l) && labels.indexOf(l) === i);
      issue.labels.push(...added);
      this.touch(issue);
      for (const l of added) this.record(repo, issue, 'labeled', this.opts.self ?? 'taskwire-bot', { label: l });
      this.emit('issues', 'labeled', repo, issue, this.opts.self ?? 'taskwire-bot');
      return { status: 200, body: issue.labels.map((l) => this.shapes.label(repo, l)) };
    });
  }

  private removeLabel(q: FakeRequest): FakeResponse {
    return this.withIssue(q, (repo, issue) => {
      const name = q.params.name!;
      if (!issue.labels.includes(name)) return { status: 404, body: { message: 'Label does not exist' } };
      issue.labels = issue.labels.filter((l) => l !== name);
      this.touch(issue);
      this.record(repo, issue, 'unlabeled', this.opts.self ?? 'taskwire-bot', { label: name });
      this.emit('issues', 'unlabeled', repo, issue, this.opts.self ?? 'taskwire-bot');
      return { status: 200, body: issue.labels.map((l) => this.shapes.label(repo, l)) };
    });
  }

  private page(q: FakeRequest): FakeResponse {
    const repo = this.repos.get(`${q.params.owner}/${q.params.repo}`);
    const issue = repo?.issues.get(Number(q.params.n));
    if (!repo || !issue) return { status: 404, body: 'Not Found' };
    const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    const html = `<!doctype html><meta charset="utf-8"><title>${esc(issue.title)} · ${esc(repo.fullName)}#${issue.number}</title><h1>${esc(issue.title)} <small>#${issue.number}</small></h1><p>${issue.state}</p><pre>${esc(issue.body ?? '')}</pre>`;
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: html };
  }

  // ---- helpers ----

  private withRepo(q: FakeRequest, f: (repo: RepoRec) => FakeResponse): FakeResponse {
    const repo = this.repos.get(`${q.params.owner}/${q.params.repo}`);
    return repo ? f(repo) : { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
  }

  private withIssue(q: FakeRequest, f: (repo: RepoRec, issue: IssueRec) => FakeResponse): FakeResponse {
    return this.withRepo(q, (repo) => {
      const issue = repo.issues.get(Number(q.params.n));
      return issue ? f(repo, issue) : { status: 404, body: { message: 'Not Found' } };
    });
  }

  private withComment(q: FakeRequest, f: (repo: RepoRec, c: CommentRec) => FakeResponse): FakeResponse {
    return this.withRepo(q, (repo) => {
      const c = repo.comments.find((x) => x.id === Number(q.params.id));
      return c ? f(repo, c) : { status: 404, body: { message: 'Not Found' } };
    });
  }

  private repo(fullName: string, create = false): RepoRec {
    let r = this.repos.get(fullName);
    if (!r) {
      if (!create) throw new Error(`the fake has no repository ${fullName}`);
      r = { id: this.id(), fullName, issues: new Map(), comments: [], events: [], milestones: new Map(), nextNumber: 1 };
      this.repos.set(fullName, r);
    }
    return r;
  }

  private issue(repo: RepoRec, n: number): IssueRec {
    const i = repo.issues.get(n);
    if (!i) throw new Error(`the fake has no issue ${repo.fullName}#${n}`);
    return i;
  }

  private resolve(repo: RepoRec, ref: number | string): { repo: RepoRec; issue: IssueRec } {
    if (typeof ref === 'number') return { repo, issue: this.issue(repo, ref) };
    const m = /^(.+)#(\d+)$/.exec(ref);
    if (!m) throw new Error(`not an issue reference: ${ref}`);
    const other = this.repo(m[1]!);
    return { repo: other, issue: this.issue(other, Number(m[2])) };
  }

  private byId(id: number): { repo: RepoRec; issue: IssueRec } | undefined {
    return this.index().byId(id);
  }

  /** Lookups rebuilt after a change (in O(issues + comments)), so listing a page stays linear. */
  private index(): FakeIndex {
    if (this.cachedIndex?.version === this.version) return this.cachedIndex.index;
    const byId = new Map<number, { repo: RepoRec; issue: IssueRec }>();
    const children = new Map<number, IssueRec[]>();
    const comments = new Map<string, number>();
    const milestones = new Map<string, { open: number; closed: number }>();
    const open = new Map<RepoRec, number>();
    for (const repo of this.repos.values()) {
      open.set(repo, 0);
      for (const issue of repo.issues.values()) {
        byId.set(issue.id, { repo, issue });
        if (issue.state === 'open') open.set(repo, (open.get(repo) ?? 0) + 1);
        if (issue.milestone !== null) {
          const k = `${repo.fullName}#${issue.milestone}`;
          const c = milestones.get(k) ?? { open: 0, closed: 0 };
          c[issue.state === 'open' ? 'open' : 'closed']++;
          milestones.set(k, c);
        }
      }
      for (const c of repo.comments) comments.set(`${repo.fullName}#${c.issueNumber}`, (comments.get(`${repo.fullName}#${c.issueNumber}`) ?? 0) + 1);
    }
    for (const { issue } of byId.values()) if (issue.parent !== null) children.set(issue.parent, [...(children.get(issue.parent) ?? []), issue]);
    const index: FakeIndex = {
      byId: (id) => byId.get(id),
      children: (id) => children.get(id) ?? [],
      commentCount: (repo, n) => comments.get(`${repo.fullName}#${n}`) ?? 0,
      milestoneCounts: (repo, m) => milestones.get(`${repo.fullName}#${m}`) ?? { open: 0, closed: 0 },
      openCount: (repo) => open.get(repo) ?? 0,
    };
    this.cachedIndex = { version: this.version, index };
    return index;
  }

  private user(login: string): UserRec {
    let u = this.users.get(login);
    if (!u) {
      u = { login, id: this.id(), type: login.endsWith('[bot]') ? 'Bot' : 'User' };
      this.users.set(login, u);
    }
    return u;
  }

  private insertIssue(repo: RepoRec, seed: GithubIssueSeed): IssueRec {
    const number = seed.number ?? repo.nextNumber;
    repo.nextNumber = Math.max(repo.nextNumber, number + 1);
    const createdAt = seed.createdAt ?? this.now();
    const closed = seed.state === 'closed';
    const issue: IssueRec = {
      id: this.id(),
      number,
      title: seed.title,
      body: seed.body ?? null,
      state: seed.state ?? 'open',
      stateReason: closed ? (seed.stateReason ?? 'completed') : (seed.stateReason ?? null),
      labels: [...(seed.labels ?? [])],
      assignees: [...(seed.assignees ?? [])],
      user: seed.user ?? 'octocat',
      milestone: seed.milestone ?? null,
      createdAt,
      updatedAt: seed.updatedAt ?? createdAt,
      closedAt: closed ? (seed.closedAt ?? seed.updatedAt ?? createdAt) : null,
      closedBy: closed ? (seed.user ?? 'octocat') : null,
      blockedBy: [],
      parent: null,
      fields: [...(seed.fields ?? [])],
      pull: seed.pull
        ? {
            draft: seed.pull.draft ?? false,
            merged: seed.pull.merged ?? false,
            mergedAt: seed.pull.merged ? (seed.pull.mergedAt ?? seed.closedAt ?? seed.updatedAt ?? createdAt) : null,
            mergedBy: seed.pull.merged ? (seed.pull.mergedBy ?? seed.user ?? 'octocat') : null,
            headRef: seed.pull.headRef ?? `branch-${number}`,
            reviews: (seed.pull.reviews ?? []).map((r) => ({ id: this.id(), user: r.user, state: r.state, submittedAt: r.at ?? seed.updatedAt ?? createdAt, body: r.body ?? '' })),
          }
        : null,
    };
    repo.issues.set(number, issue);
    this.version++;
    // A seeded issue's past as its event stream: labels, assignees and milestone set when it was opened, then closed.
    const by = seed.user ?? 'octocat';
    for (const label of issue.labels) this.record(repo, issue, 'labeled', by, { label }, createdAt);
    for (const assignee of issue.assignees) this.record(repo, issue, 'assigned', by, { assignee }, createdAt);
    const title = issue.milestone === null ? undefined : repo.milestones.get(issue.milestone)?.title;
    if (title !== undefined) this.record(repo, issue, 'milestoned', by, { milestone: title }, createdAt);
    if (issue.closedAt !== null) this.record(repo, issue, 'closed', issue.closedBy ?? by, { stateReason: issue.stateReason }, issue.closedAt);
    for (const c of seed.comments ?? []) {
      const at = c.at ?? issue.updatedAt;
      repo.comments.push({ id: this.id(), issueNumber: number, body: c.body, user: c.user, createdAt: at, updatedAt: at });
    }
    return issue;
  }

  private insertComment(repo: RepoRec, issue: IssueRec, user: string, body: string): CommentRec {
    const at = this.now();
    const c: CommentRec = { id: this.id(), issueNumber: issue.number, body, user, createdAt: at, updatedAt: at };
    repo.comments.push(c);
    this.version++;
    this.touch(issue);
    return c;
  }

  /** An entry in the repository's issue event stream, at the issue's last update unless `at` is given. */
  private record(repo: RepoRec, issue: IssueRec, event: EventRec['event'], actor: string, extra: Omit<EventRec, 'id' | 'issueNumber' | 'event' | 'actor' | 'createdAt'> = {}, at = issue.updatedAt): void {
    repo.events.push({ id: this.id(), issueNumber: issue.number, event, actor, createdAt: at, ...extra });
  }

  /** The events a change from `before` to the issue's state now makes (what GitHub records for an edit). */
  private recordChanges(repo: RepoRec, issue: IssueRec, before: Pick<IssueRec, 'title' | 'state' | 'labels' | 'assignees' | 'milestone'>, by: string): void {
    if (before.title !== issue.title) this.record(repo, issue, 'renamed', by, { rename: { from: before.title, to: issue.title } });
    for (const label of before.labels) if (!issue.labels.includes(label)) this.record(repo, issue, 'unlabeled', by, { label });
    for (const label of issue.labels) if (!before.labels.includes(label)) this.record(repo, issue, 'labeled', by, { label });
    for (const assignee of before.assignees) if (!issue.assignees.includes(assignee)) this.record(repo, issue, 'unassigned', by, { assignee });
    for (const assignee of issue.assignees) if (!before.assignees.includes(assignee)) this.record(repo, issue, 'assigned', by, { assignee });
    if (before.milestone !== issue.milestone) {
      const title = (n: number | null) => (n === null ? undefined : repo.milestones.get(n)?.title);
      const was = title(before.milestone);
      const now = title(issue.milestone);
      if (was !== undefined) this.record(repo, issue, 'demilestoned', by, { milestone: was });
      if (now !== undefined) this.record(repo, issue, 'milestoned', by, { milestone: now });
    }
    if (before.state !== issue.state) this.record(repo, issue, issue.state === 'closed' ? 'closed' : 'reopened', by, { stateReason: issue.state === 'closed' ? issue.stateReason : null });
  }

  /** Moves updated_at forward (strictly: two changes in one millisecond still order). */
  private touch(issue: IssueRec): void {
    this.version++;
    const now = this.now();
    issue.updatedAt = now > issue.updatedAt ? now : new Date(Date.parse(issue.updatedAt) + 1000).toISOString().replace('.000Z', 'Z');
  }

  private emit(event: string, action: string, repo: RepoRec, issue: IssueRec, sender: string, extra: Record<string, unknown> = {}): void {
    const target = this.webhookTarget;
    if (!target || !this.server.started) return;
    const payload = this.payload(event, action, repo.fullName, issue.number, sender, extra);
    // A delivery that cannot connect is recorded as failed (status 0), as GitHub records it; it never throws here.
    this.sentWebhooks.push({ event, action, result: this.sendWebhook(target.url, event, payload, target.secret).catch((e: unknown) => ({ status: 0, body: String(e), deliveryId: '' })) });
  }

  private emitRaw(event: string, payload: Record<string, unknown>, sender: string): void {
    const target = this.webhookTarget;
    if (!target || !this.server.started) return;
    const body = { ...payload, sender: this.shapes.user(sender) };
    this.sentWebhooks.push({ event, action: payload.action as string | undefined, result: this.sendWebhook(target.url, event, body, target.secret).catch((e: unknown) => ({ status: 0, body: String(e), deliveryId: '' })) });
  }

  /** An issue's GraphQL node id and kind (`I_…` / `PR_…`, as the REST shapes give them). */
  private contentByKey(key: string): { nodeId: string; type: 'Issue' | 'PullRequest' } | null {
    const m = /^(.+)#(\d+)$/.exec(key);
    const issue = m ? this.repos.get(m[1]!)?.issues.get(Number(m[2])) : undefined;
    if (!issue) return null;
    const prefix = issue.pull ? 'PR_' : 'I_';
    return { nodeId: Buffer.from(`${prefix}${issue.id}`).toString('base64').replace(/=+$/, ''), type: issue.pull ? 'PullRequest' : 'Issue' };
  }

  private contentByNodeId(nodeId: string): { key: string; type: 'Issue' | 'PullRequest' } | null {
    const m = /^(I|PR)_(\d+)$/.exec(Buffer.from(nodeId, 'base64').toString());
    const at = m ? this.byId(Number(m[2])) : undefined;
    return at ? { key: `${at.repo.fullName}#${at.issue.number}`, type: at.issue.pull ? 'PullRequest' : 'Issue' } : null;
  }

  /** GitHub timestamps have second precision. */
  private now(): string {
    return this.clock().toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private id(): number {
    return this.nextId++;
  }
}

const unauthorized = (): FakeResponse => ({ status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' } });
const validation = (resource: string, field: string, code: string): FakeResponse => ({
  status: 422,
  body: { message: 'Validation Failed', errors: [{ resource, field, code }], documentation_url: 'https://docs.github.com/rest' },
});
