/**
 * Incremental capture. Per repository: issues and pull requests updated since the cursor, oldest first,
 * 100 a page; then, when anything changed, the comments updated since then (for human activity).
 *
 * Paging is by `since`, not by page number: after each page the cursor moves to the newest `updated_at`
 * on it and the next request asks from there. An item updated while we page moves to the end of the
 * list, which shifts page boundaries and makes page-number paging skip items; `since` paging cannot.
 * Items whose `updated_at` equals the cursor were read already (`edge`) and are skipped when GitHub
 * returns them again. The cursor is saved by the caller after every page, so a failure resumes after
 * the last stored page. A pass ends with a request that finds nothing new, whose ETag is kept: an idle
 * cycle is then one conditional request per repository, answered 304.
 */
import PQueue from 'p-queue';
import { orFailed } from '../kit/isolate.js';
import { merge } from '../kit/merge.js';
import type { Cursor, SourceItem, TaskFields } from '../../src/core/model.js';
import type { GithubClient } from './client.js';
import type { GithubConfig } from './config.js';
import { commentActivity, issueKey, keyParts, pullEvidence, repoOf, toTask, type NormalizeContext } from './normalize.js';
import { HistoryWalk } from './history.js';
import { applyPlans, type ProjectPlan } from './project-fields.js';
import { projectPass, type ProjectPosition } from './project-poll.js';
import type { Projects } from './projects.js';
import type { GhComment, GhIssue, GhIssueEvent, GhMilestone, GhPull, GhRepo, GhReview } from './types.js';

/** One list position: read up to `since`, with the keys (or comment ids) at exactly `since` already read. */
interface Mark {
  since: string | null;
  edge: string[];
}

interface RepoCursor {
  issues: Mark;
  /** ETag of the first page asked with `issues.since`, once a request found nothing new there. */
  etag: string | null;
  /** Comments to read since this mark (set when issues changed; cleared when read). */
  comments: Mark | null;
  /** The issue event stream: the newest event read, and whether issues changed since (absent in older cursors). */
  events?: { lastId: number | null; due: boolean };
}

export interface GithubCursor extends Cursor {
  readonly v: 1;
  /** Fingerprint of the scope (repos, orgs, backfillSince): a change starts over. */
  readonly scope: string;
  readonly repos: Readonly<Record<string, RepoCursor>>;
  /** The login the token belongs to, kept with a fingerprint of the token: not looked up every run. */
  readonly self?: { readonly token: string; readonly login: string };
  /** Each configured project's last whole pass. */
  readonly projects?: Readonly<Record<string, ProjectPosition>>;
  /** Issues whose project plans changed and whose tasks were not emitted again yet. */
  readonly pending?: readonly string[];
}

const PER_PAGE = 100;

export function scopeOf(config: Pick<GithubConfig, 'repos' | 'orgs' | 'backfillSince' | 'pullRequests'>): string {
  return JSON.stringify([[...config.repos].sort(), [...config.orgs].sort(), config.backfillSince ?? null, config.pullRequests]);
}

export interface PollDeps {
  readonly client: GithubClient;
  readonly config: GithubConfig;
  readonly ctx: NormalizeContext;
  /** Repositories to read (the config's repos plus the orgs' repos). */
  readonly repos: () => Promise<string[]>;
  /** The login taskwire writes as, so its own events in the history are taskwire's (not a person's). */
  readonly selfLogin?: () => Promise<string | null>;
  /** A fingerprint of the credentials the login belongs to (absent: the login is not kept in the cursor). */
  readonly tokenFingerprint?: string;
  /** The configured GitHub projects (absent: none configured). */
  readonly projects?: Projects;
  /** What the projects say about an issue, laid over its own fields (set by the poll from its plan book). */
  readonly plans?: (key: string) => Promise<readonly ProjectPlan[]>;
}

/** Repositories read at the same time (each still one request at a time, in order). */
const REPO_CONCURRENCY = 4;

export async function* pollGithub(deps: PollDeps, previous: Cursor | null, signal: AbortSignal): AsyncGenerator<{ items: SourceItem[]; cursor: Cursor }> {
  const { config } = deps;
  const scope = scopeOf(config);
  const prev = previous as GithubCursor | null;
  let cursor: GithubCursor = prev && prev.v === 1 && prev.scope === scope ? prev : { v: 1, scope, repos: {} };
  const startSince = config.backfillSince ? `${config.backfillSince}T00:00:00Z` : null;
  const initial: RepoCursor = { issues: { since: startSince, edge: [] }, etag: null, comments: null, events: { lastId: null, due: false } };
  // Who we are does not change between runs with the same token: a `sync --once` from cron reads it
  // from the cursor, not from GET /user each time.
  const fingerprint = deps.tokenFingerprint;
  let known = fingerprint !== undefined && cursor.self?.token === fingerprint ? cursor.self.login : undefined;
  const selfLogin = deps.selfLogin && (async () => {
    if (known !== undefined) return known;
    const login = await deps.selfLogin!();
    if (login !== null && fingerprint !== undefined) {
      known = login;
      cursor = { ...cursor, self: { token: fingerprint, login } };
    }
    return login;
  });
  let withSelf: PollDeps = selfLogin ? { ...deps, selfLogin } : deps;
  const pending = new Set(cursor.pending ?? []);
  const withPending = () => ({ ...cursor, pending: [...pending] });
  if (deps.projects && config.projects.length > 0) {
    // Projects first: the repositories' pass then lays the plans read now over the issues it reads.
    const book = await deps.projects.book();
    withSelf = { ...withSelf, plans: async (key) => book.get(key) };
    for (const p of config.projects) {
      for await (const page of projectPass({ projects: deps.projects, book, acceptanceCriteriaHeading: config.acceptanceCriteriaHeading, now: Date.now }, p, cursor.projects?.[p.project], signal)) {
        for (const k of page.changed) pending.add(k);
        if (page.position) cursor = { ...cursor, projects: { ...cursor.projects, [p.project]: page.position } };
        yield { items: page.items, cursor: withPending() };
      }
    }
  }
  const sources = (await deps.repos()).map((repo) => () => pollRepo(withSelf, repo, cursor.repos[repo] ?? initial, startSince, signal));
  // A repository's position enters the cursor only with its own page, when that page is yielded.
  for await (const page of merge(sources, REPO_CONCURRENCY)) {
    cursor = { ...cursor, repos: { ...cursor.repos, [page.repo]: page.state } };
    for (const i of page.items) if (i.type === 'task') pending.delete(i.task.key);
    // The stored cursor says what is still pending (an emptied list included).
    yield { items: page.items, cursor: pending.size > 0 || (cursor.pending?.length ?? 0) > 0 ? withPending() : cursor };
  }
  if (pending.size > 0) yield* readPending(withSelf, pending, () => cursor, signal);
}

/**
 * Issues whose plans changed and that the repositories' pass did not read (not updated themselves, or
 * before backfillSince), read one by one. An issue outside the connector's repositories is dropped:
 * a project may plan other repositories' issues, but they are not this connector's tasks.
 */
async function* readPending(deps: PollDeps, pending: Set<string>, cursorNow: () => GithubCursor, signal: AbortSignal): AsyncGenerator<{ items: SourceItem[]; cursor: Cursor }> {
  const repos = new Set((await deps.repos()).map((r) => r.toLowerCase()));
  const keys = [...pending];
  for (let i = 0; i < keys.length; i += PENDING_BATCH) {
    signal.throwIfAborted();
    const batch = keys.slice(i, i + PENDING_BATCH);
    const items: SourceItem[] = [];
    for (const key of batch) {
      pending.delete(key);
      const at = keyParts(key);
      if (at && repos.has(`${at.owner}/${at.repo}`.toLowerCase())) items.push(...(await orFailed(key, () => issueItems(deps, at))));
    }
    yield { items, cursor: { ...cursorNow(), pending: [...pending] } };
  }
}

/** Pending issues read per yielded page. */
const PENDING_BATCH = 20;

async function* pollRepo(deps: PollDeps, repo: string, from: RepoCursor, startSince: string | null, signal: AbortSignal): AsyncGenerator<{ repo: string; items: SourceItem[]; state: RepoCursor }> {
  let rc = from;
  const put = (next: RepoCursor) => {
    rc = next;
    return { repo, state: next };
  };
  // Issues and pull requests. The next page is asked for as soon as its mark is known, so the wait
  // for GitHub overlaps with normalizing and storing this one.
  const [owner, name] = repo.split('/');
  const list = (page: number, mark: Mark, etag: string | null) =>
    deps.client.getConditional<GhIssue[]>('GET /repos/{owner}/{repo}/issues', { owner, repo: name, state: 'all', sort: 'updated', direction: 'asc', per_page: PER_PAGE, page, ...(mark.since ? { since: mark.since } : {}) }, etag);
  let prefetched: Promise<Awaited<ReturnType<typeof list>>> | null = null;
  for (let page = 1; ; ) {
    signal.throwIfAborted();
    const mark = rc.issues;
    const res = await (prefetched ?? list(page, mark, page === 1 ? rc.etag : null));
    prefetched = null;
    if (res === null) break; // 304: nothing changed since the last look
    const edge = new Set(mark.edge);
    const fresh = res.data.filter((i) => !(sameInstant(i.updated_at, mark.since) && edge.has(issueKey(repoOf(i.repository_url), i.number))));
    if (fresh.length === 0) {
      if (res.hasNext) {
        page++; // a page of items read already (many share one timestamp): look further
        continue;
      }
      if (page === 1 && res.etag && res.etag !== rc.etag) yield { items: [], ...put({ ...rc, etag: res.etag }) };
      break;
    }
    const newest = fresh.reduce((a, i) => (Date.parse(i.updated_at) > Date.parse(a) ? i.updated_at : a), fresh[0]!.updated_at);
    const atNewest = fresh.filter((i) => sameInstant(i.updated_at, newest)).map((i) => issueKey(repoOf(i.repository_url), i.number));
    const nextMark: Mark = sameInstant(newest, mark.since) ? { since: mark.since, edge: [...edge, ...atNewest] } : { since: newest, edge: atNewest };
    // Ask again from the new mark even after the last page: that answer (only items read already,
    // unless something changed meanwhile) gives the ETag that makes the next idle cycle a 304.
    const nextPage = sameInstant(newest, mark.since) ? page + 1 : 1;
    prefetched = list(nextPage, nextMark, null);
    prefetched.catch(() => undefined); // awaited on the next turn; a failure surfaces there
    const items = await enrich(deps, fresh, signal);
    yield { items, ...put({ issues: nextMark, etag: null, comments: rc.comments ?? { since: mark.since ?? startSince, edge: [] }, events: { lastId: rc.events?.lastId ?? null, due: true } }) };
    page = nextPage;
  }

  // Comments on anything that changed: a person's comment is human activity; ours and bots' are not.
  for (let page = 1; rc.comments !== null; ) {
    signal.throwIfAborted();
    const mark: Mark = rc.comments;
    const res = await deps.client.get<GhComment[]>('GET /repos/{owner}/{repo}/issues/comments', {
      owner: repo.split('/')[0],
      repo: repo.split('/')[1],
      sort: 'updated',
      direction: 'asc',
      per_page: PER_PAGE,
      page,
      ...(mark.since ? { since: mark.since } : {}),
    });
    const edge = new Set(mark.edge);
    const fresh = res.data.filter((c) => !(sameInstant(c.updated_at, mark.since) && edge.has(String(c.id))));
    if (fresh.length === 0 && res.hasNext) {
      page++;
      continue;
    }
    const items = fresh.map((c) => commentActivity(c)).filter((a) => a !== null);
    const newest = fresh.at(-1)?.updated_at ?? mark.since;
    const atNewest = fresh.filter((c) => sameInstant(c.updated_at, newest)).map((c) => String(c.id));
    const next: Mark = sameInstant(newest, mark.since) ? { since: mark.since, edge: [...edge, ...atNewest] } : { since: newest, edge: atNewest };
    yield { items, ...put({ ...rc, comments: res.hasNext ? next : null }) };
    if (!res.hasNext) break;
    page = sameInstant(newest, mark.since) ? page + 1 : 1;
  }

  if (rc.events?.due) yield* readEvents(deps, repo, rc, startSince, signal, put);
}

/**
 * History from the repository's issue event stream, newest first, down to the newest event read last
 * time (on the first sync: down to `backfillSince`, or `historyPages` pages). The walk back from each
 * issue's current state runs across pages; the position is saved only when the pass is complete, so
 * an interrupted pass is read again (entries already stored are kept once).
 */
async function* readEvents(
  deps: PollDeps,
  repo: string,
  rc: RepoCursor,
  startSince: string | null,
  signal: AbortSignal,
  put: (next: RepoCursor) => { repo: string; state: RepoCursor },
): AsyncGenerator<{ repo: string; items: SourceItem[]; state: RepoCursor }> {
  const [owner, name] = repo.split('/');
  const lastId = rc.events?.lastId ?? null;
  const pages = deps.config.historyPages;
  const milestoneDue = new Map<string, string | null>();
  let milestonesRead = false;
  if (pages === 0) {
    yield { items: [], ...put({ ...rc, events: { lastId, due: false } }) };
    return;
  }
  const walk = new HistoryWalk({ ctx: deps.ctx, pullRequests: deps.config.pullRequests, milestoneDue, self: deps.selfLogin ? await deps.selfLogin() : null });
  const seen = new Set<number>();
  let newest = lastId;
  // GitHub answers 422 past how far back it lets this stream be paged ("pagination is limited"): that
  // is where the history ends, not a failure to retry every cycle.
  const read = (page: number) =>
    deps.client.get<GhIssueEvent[]>('GET /repos/{owner}/{repo}/issues/events', { owner, repo: name, per_page: PER_PAGE, page }).catch((err: unknown) => {
      if ((err as { status?: number }).status === 422) return { data: [] as GhIssueEvent[], hasNext: false };
      throw err;
    });
  let next: ReturnType<typeof read> | null = null;
  for (let page = 1; ; page++) {
    signal.throwIfAborted();
    const res = await (next ?? read(page));
    next = null;
    // Events arriving while we page push older ones onto the next page: each is walked once.
    const fresh = res.data.filter((e) => (lastId === null || e.id > lastId) && !seen.has(e.id));
    for (const e of fresh) {
      seen.add(e.id);
      if (newest === null || e.id > newest) newest = e.id;
    }
    const inScope = startSince === null ? fresh : fresh.filter((e) => Date.parse(e.created_at) >= Date.parse(startSince));
    if (!milestonesRead && inScope.some((e) => e.event === 'milestoned' || e.event === 'demilestoned')) {
      milestonesRead = true;
      for (const m of await deps.client.getAll<GhMilestone>('GET /repos/{owner}/{repo}/milestones', { owner, repo: name, state: 'all' })) milestoneDue.set(m.title, m.due_on);
    }
    const done = !res.hasNext || res.data.some((e) => lastId !== null && e.id <= lastId) || inScope.length < fresh.length || page === pages;
    // The next page is asked for while this one is walked and stored.
    if (!done) {
      next = read(page + 1);
      next.catch(() => undefined); // awaited on the next turn; a failure surfaces there
    }
    yield { items: walk.page(inScope), ...put(done ? { ...rc, events: { lastId: newest, due: false } } : rc) };
    if (done) return;
  }
}

/**
 * What a page of issues needs beyond the listing: blockers from the dependencies API (only when the
 * issue's summary says it has any), and for each pull request its branch and reviews (evidence). An
 * item whose detail cannot be read is recorded as failing (read again later); the rest go on.
 */
async function enrich(deps: PollDeps, issues: readonly GhIssue[], signal: AbortSignal): Promise<SourceItem[]> {
  const queue = new PQueue({ concurrency: 4 });
  const out = await Promise.all(
    issues.map((issue) =>
      queue.add(async () => {
        signal.throwIfAborted();
        return orFailed(issueKey(repoOf(issue.repository_url), issue.number), () => itemsFor(deps, issue));
      }),
    ),
  );
  return out.flat();
}

/** Items recorded as failing, read again one by one (each may fail again, and stays recorded then). */
export async function* refreshGithub(deps: PollDeps, keys: readonly string[], signal: AbortSignal): AsyncGenerator<{ items: SourceItem[] }> {
  for (const key of keys) {
    signal.throwIfAborted();
    const at = keyParts(key);
    if (at) yield { items: await orFailed(key, () => issueItems(deps, at)) };
  }
}

/** One issue read by its key, and the items it yields. */
export async function issueItems(deps: Pick<PollDeps, 'client' | 'config' | 'ctx' | 'plans'>, at: { owner: string; repo: string; number: number }): Promise<SourceItem[]> {
  const issue = await deps.client.get<GhIssue>('GET /repos/{owner}/{repo}/issues/{issue_number}', { owner: at.owner, repo: at.repo, issue_number: at.number });
  return itemsFor(deps, issue.data);
}

/** The items one issue or pull request yields (shared with webhooks, which carry the same objects). */
export async function itemsFor(deps: Pick<PollDeps, 'client' | 'config' | 'ctx' | 'plans'>, issue: GhIssue): Promise<SourceItem[]> {
  const repo = repoOf(issue.repository_url);
  const [owner, name] = repo.split('/');
  const items: SourceItem[] = [];
  if (issue.pull_request) {
    const [pull, reviews] = await Promise.all([
      deps.client.get<GhPull>('GET /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo: name, pull_number: issue.number }),
      deps.client.getAll<GhReview>('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', { owner, repo: name, pull_number: issue.number }),
    ]);
    items.push(...pullEvidence(pull.data, reviews, repo));
    if (deps.config.pullRequests === 'tasks') items.push({ type: 'task', task: await planned(deps, toTask(issue, [], deps.ctx)) });
    return items;
  }
  items.push({ type: 'task', task: await planned(deps, toTask(issue, await blockersOf(deps, issue), deps.ctx)) });
  return items;
}

/** The task with what its projects say laid over it. */
async function planned(deps: Pick<PollDeps, 'plans'>, task: TaskFields): Promise<TaskFields> {
  return deps.plans ? applyPlans(task, await deps.plans(task.key)) : task;
}

/** Keys of the issues blocking this one, from the dependencies API; none asked when the summary says none. */
export async function blockersOf(deps: Pick<PollDeps, 'client'>, issue: GhIssue): Promise<string[]> {
  const summary = issue.issue_dependencies_summary;
  if (summary !== undefined && summary.total_blocked_by === 0) return [];
  const [owner, name] = repoOf(issue.repository_url).split('/');
  try {
    const blockers = await deps.client.getAll<GhIssue>('GET /repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by', { owner, repo: name, issue_number: issue.number });
    return blockers.map((b) => issueKey(repoOf(b.repository_url), b.number));
  } catch (err) {
    // GitHub Enterprise Server versions without issue dependencies answer 404: no native blockers.
    if ((err as { status?: number }).status === 404 && summary === undefined) return [];
    throw err;
  }
}

/** The configured repos plus every repo of the configured orgs (archived ones and ones without issues skipped). */
export async function listRepos(client: GithubClient, config: Pick<GithubConfig, 'repos' | 'orgs'>): Promise<string[]> {
  const out = new Set(config.repos);
  for (const org of config.orgs) {
    const repos = await client.getAll<GhRepo>('GET /orgs/{org}/repos', { org, type: 'all' });
    for (const r of repos) if (!r.archived && r.has_issues !== false) out.add(r.full_name);
  }
  return [...out];
}

function sameInstant(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && Date.parse(a) === Date.parse(b);
}
