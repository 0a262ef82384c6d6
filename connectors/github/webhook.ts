/**
 * GitHub webhooks: `X-Hub-Signature-256` checked over the raw bytes in constant time against every
 * configured secret (rotation), `X-GitHub-Delivery` as the dedupe key (a redelivery keeps it), and the
 * events that move tasks turned into items. Payloads are signals as much as data: what they lack
 * (blockers from the dependencies API, a pull request's reviews) is asked for after the acknowledgement.
 * https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
 */
import type { SourceItem } from '../../src/core/model.js';
import { WebhookVerificationError } from '../../src/errors.js';
import { header, matchesAnySecret } from '../kit/hmac.js';
import type { Headers, ParsedDelivery, WebhookHandler } from '../port.js';
import type { GithubClient } from './client.js';
import type { GithubConfig } from './config.js';
import { actorOf, commentActivity, issueKey, keyParts, pullEvidence, repoOf, toTask, type NormalizeContext } from './normalize.js';
import { issueItems, itemsFor } from './poll.js';
import { draftKey, draftTask, planOf, type ProjectPlan } from './project-fields.js';
import { planKey, type ProjectInfo, type Projects } from './projects.js';
import type { GhComment, GhIssue, GhPull, GhReview, GhUser } from './types.js';

interface Payload {
  readonly action?: string;
  readonly issue?: GhIssue;
  readonly comment?: GhComment;
  readonly pull_request?: GhPull & { readonly base?: { readonly repo?: { readonly full_name: string } } };
  readonly review?: GhReview;
  readonly sub_issue?: GhIssue;
  readonly parent_issue?: GhIssue;
  readonly blocked_issue?: GhIssue;
  readonly blocking_issue?: GhIssue;
  readonly milestone?: { readonly number: number };
  readonly changes?: Record<string, unknown>;
  readonly repository?: { readonly full_name: string };
  readonly sender?: GhUser;
  /** `projects_v2_item` events (organization projects). */
  readonly projects_v2_item?: ProjectItemPayload;
}

/** The item in a `projects_v2_item` event (`projects-v2-item` in GitHub's webhook schema). */
interface ProjectItemPayload {
  readonly node_id: string;
  readonly project_node_id: string;
  readonly content_node_id: string;
  readonly content_type: 'Issue' | 'PullRequest' | 'DraftIssue';
  readonly updated_at: string;
  readonly archived_at?: string | null;
}

export interface GithubWebhookDeps {
  readonly client: GithubClient;
  readonly config: GithubConfig;
  readonly ctx: NormalizeContext;
  /** The login taskwire writes as (a token's user), to recognise our own label and state changes. */
  readonly selfLogin: () => Promise<string | null>;
  /** The configured projects (absent: none). */
  readonly projects?: Projects;
  /** What the projects say about an issue, read from the store. */
  readonly plans?: (key: string) => Promise<readonly ProjectPlan[]>;
}

export function githubWebhook(deps: GithubWebhookDeps): WebhookHandler {
  const secrets = deps.config.webhook?.secrets ?? [];
  if (secrets.length === 0) throw new Error(`${deps.config.name}: webhook.secrets is empty`); // the schema prevents this

  return {
    verify(rawBody: Buffer, headers: Headers): void {
      const signature = header(headers, 'x-hub-signature-256');
      if (!signature) throw new WebhookVerificationError('missing X-Hub-Signature-256 header (is a secret set on the GitHub webhook?)', 401);
      if (!header(headers, 'x-github-event')) throw new WebhookVerificationError('missing X-GitHub-Event header', 400);
      if (!header(headers, 'x-github-delivery')) throw new WebhookVerificationError('missing X-GitHub-Delivery header', 400);
      if (!matchesAnySecret(secrets, rawBody, signature, { algorithm: 'sha256', prefix: 'sha256=' })) {
        throw new WebhookVerificationError('X-Hub-Signature-256 does not match any configured secret', 401);
      }
    },

    decode(rawBody: Buffer): void {
      let payload: unknown;
      try {
        payload = JSON.parse(rawBody.toString('utf8'));
      } catch {
        throw new WebhookVerificationError('body is not JSON (set the webhook content type to application/json)', 400);
      }
      if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new WebhookVerificationError('body is not a GitHub event (a JSON object)', 400);
    },

    deliveryId: (_raw: Buffer, headers: Headers) => header(headers, 'x-github-delivery') ?? '',

    async parse(rawBody: Buffer, headers: Headers): Promise<ParsedDelivery> {
      const event = header(headers, 'x-github-event') ?? '';
      let payload: Payload;
      try {
        payload = JSON.parse(rawBody.toString('utf8')) as Payload;
      } catch {
        return { items: [], ignored: 'body is not JSON (set the webhook content type to application/json)' };
      }
      const repo = payload.repository?.full_name;
      if (event === 'ping') return { items: [], ignored: 'ping' };
      if (repo && !inScope(deps.config, repo)) return { items: [], ignored: `repository ${repo} is not in this connector's scope` };
      const self = await deps.selfLogin();
      const actor = payload.sender ? (payload.sender.login === self ? 'taskwire' : actorOf(payload.sender)) : 'unknown';
      const activity = (key: string, at: string, what: string): SourceItem[] =>
        actor === 'human' || actor === 'taskwire' || actor === 'bot' ? [{ type: 'activity', key, at, actor, ...(payload.sender ? { actorId: payload.sender.login } : {}), what }] : [];

      switch (event) {
        case 'issues': {
          const issue = payload.issue;
          if (!issue) return { items: [], ignored: 'issues event without an issue' };
          const key = issueKey(repoOf(issue.repository_url), issue.number);
          if (payload.action === 'deleted' || payload.action === 'transferred') return { items: [{ type: 'deleted', key, at: issue.updated_at }] };
          const items = await itemsFor(deps, issue);
          return { items: [...withActor(items, actor, payload.sender), ...activity(key, issue.updated_at, `issues.${payload.action ?? 'changed'}`)] };
        }
        case 'issue_comment': {
          const { issue, comment } = payload;
          if (!issue || !comment) return { items: [], ignored: 'issue_comment event without an issue or comment' };
          if (payload.action === 'deleted') return { items: [], ignored: 'comment deleted' };
          const a = commentActivity(comment);
          // Our own comment coming back changes nothing: no refresh, and its activity is not a person's.
          if (a?.actor === 'taskwire') return { items: [a] };
          // The issue's own state (its updated_at moved with the comment) is refreshed too.
          const items = await itemsFor(deps, issue);
          return { items: [...items, ...(a ? [a] : [])] };
        }
        case 'pull_request': {
          const pr = payload.pull_request;
          if (!pr) return { items: [], ignored: 'pull_request event without a pull request' };
          const prRepo = pr.base?.repo?.full_name ?? repo ?? '';
          const items: SourceItem[] = pullEvidence(pr, [], prRepo);
          if (deps.config.pullRequests === 'tasks') items.push(...(await tasksForPull(deps, prRepo, pr.number)));
          return items.length > 0 ? { items } : { items, ignored: 'pull request names no task' };
        }
        case 'pull_request_review': {
          const { pull_request: pr, review } = payload;
          if (!pr || !review) return { items: [], ignored: 'pull_request_review event without a pull request or review' };
          if (payload.action !== 'submitted') return { items: [], ignored: `review ${payload.action ?? ''}` };
          const items = pullEvidence(pr, [{ ...review, state: review.state.toUpperCase() }], pr.base?.repo?.full_name ?? repo ?? '').filter((e) => e.kind === 'verified');
          return items.length > 0 ? { items } : { items, ignored: 'review is not an approval of a pull request naming a task' };
        }
        case 'sub_issues':
        case 'issue_dependencies': {
          // Both sides of the relation are re-read: the payloads carry the issues, not the whole relation.
          // Only those inside this connector's scope: a relation to another repository is not a reason to read it.
          const affected = [payload.sub_issue, payload.parent_issue, payload.blocked_issue, payload.blocking_issue, payload.issue].filter((i): i is GhIssue => i !== undefined && inScope(deps.config, repoOf(i.repository_url)));
          if (affected.length === 0) return { items: [], ignored: `${event} event without issues` };
          const fresh = await Promise.all(affected.map((i) => refetch(deps, i)));
          return { items: fresh.flat() };
        }
        case 'milestone': {
          if (!repo || !payload.milestone) return { items: [], ignored: 'milestone event without a repository' };
          if (payload.action === 'created') return { items: [], ignored: 'new milestone has no issues' };
          const [owner, name] = repo.split('/');
          const issues = await deps.client.getAll<GhIssue>('GET /repos/{owner}/{repo}/issues', { owner, repo: name, milestone: payload.milestone.number, state: 'all' });
          const items = await Promise.all(issues.map((i) => itemsFor(deps, i)));
          return { items: items.flat() };
        }
        case 'projects_v2_item':
          return projectItemEvent(deps, payload, (items) => withActor(items, actor, payload.sender));
        default:
          return { items: [], ignored: `event ${event} is not used` };
      }
    },
  };
}

function inScope(config: Pick<GithubConfig, 'repos' | 'orgs'>, repo: string): boolean {
  const lower = repo.toLowerCase();
  return config.repos.some((r) => r.toLowerCase() === lower) || config.orgs.some((o) => lower.startsWith(`${o.toLowerCase()}/`));
}

function withActor(items: SourceItem[], actor: ReturnType<typeof actorOf>, sender: GhUser | undefined): SourceItem[] {
  return items.map((i) => (i.type === 'task' ? { ...i, actor, ...(sender ? { actorId: sender.login } : {}) } : i));
}

async function refetch(deps: GithubWebhookDeps, issue: GhIssue): Promise<SourceItem[]> {
  const [owner, name] = repoOf(issue.repository_url).split('/');
  const fresh = await deps.client.get<GhIssue>('GET /repos/{owner}/{repo}/issues/{issue_number}', { owner, repo: name, issue_number: issue.number });
  return itemsFor(deps, fresh.data);
}

async function tasksForPull(deps: GithubWebhookDeps, repo: string, n: number): Promise<SourceItem[]> {
  const [owner, name] = repo.split('/');
  const issue = await deps.client.get<GhIssue>('GET /repos/{owner}/{repo}/issues/{issue_number}', { owner, repo: name, issue_number: n });
  return [{ type: 'task', task: toTask(issue.data, [], deps.ctx) }];
}

/**
 * A project item changed (a field edited, the item added, restored, converted from a draft, archived or
 * deleted): the item is read again by id (the payload names the field, not the values of the others),
 * its plan stored, and its issue's task emitted with every project's plan laid over it.
 */
async function projectItemEvent(deps: GithubWebhookDeps, payload: Payload, who: (items: SourceItem[]) => SourceItem[]): Promise<ParsedDelivery> {
  const it = payload.projects_v2_item;
  if (!deps.projects) return { items: [], ignored: 'no projects are configured (projects:)' };
  if (!it) return { items: [], ignored: 'projects_v2_item event without an item' };
  if (payload.action === 'reordered') return { items: [], ignored: 'item reordered' };
  const info = await deps.projects.byId(it.project_node_id);
  if (!info) return { items: [], ignored: `project ${it.project_node_id} is not configured` };
  const gone = payload.action === 'deleted' || payload.action === 'archived';
  const item = gone ? null : await deps.projects.item(it.node_id);
  if (item === null || item.isArchived || item.content === null) return itemLeft(deps, info, it, who);
  const plan = planOf(item, info, info.config, info.maps);
  const state: SourceItem = { type: 'state', key: planKey(item.content.__typename === 'DraftIssue' ? draftKey(item.id) : issueKeyOf(item.content), info.name), value: JSON.stringify(plan) };
  if (item.content.__typename === 'DraftIssue') {
    const task = draftTask(item, plan, info.url, deps.config.acceptanceCriteriaHeading);
    return { items: [state, ...(task ? who([{ type: 'task', task }]) : [])] };
  }
  const key = issueKeyOf(item.content);
  // A draft converted to an issue: its draft task ends, the issue's takes over.
  const converted: SourceItem[] = payload.action === 'converted' ? [{ type: 'deleted', key: draftKey(item.id), at: item.updatedAt }] : [];
  return { items: [state, ...converted, ...who(await issueWith(deps, key, info, plan))] };
}

/** The item left a project (deleted or archived): its plan ends now, and the issue is emitted without it. */
async function itemLeft(deps: GithubWebhookDeps, info: ProjectInfo, it: ProjectItemPayload, who: (items: SourceItem[]) => SourceItem[]): Promise<ParsedDelivery> {
  const at = it.archived_at ?? it.updated_at;
  const key = it.content_type === 'DraftIssue' ? draftKey(it.node_id) : await deps.projects!.contentKey(it.content_node_id);
  if (key === null) return { items: [], ignored: 'the item\'s issue is gone' };
  const before = (await deps.projects!.plansFor(key)).find((p) => p.project === info.name);
  const ended: ProjectPlan = { ...(before ?? emptyPlan(info, it.node_id)), removed: true, updatedAt: at };
  const state: SourceItem = { type: 'state', key: planKey(key, info.name), value: JSON.stringify(ended) };
  if (it.content_type === 'DraftIssue') return { items: [state, { type: 'deleted', key, at }] };
  return { items: [state, ...who(await issueWith(deps, key, info, ended))] };
}

/** The issue's task with this project's new plan and the other projects' stored ones (none when out of scope). */
async function issueWith(deps: GithubWebhookDeps, key: string, info: ProjectInfo, plan: ProjectPlan): Promise<SourceItem[]> {
  const at = keyParts(key);
  if (!at || !inScope(deps.config, `${at.owner}/${at.repo}`)) return [];
  const plans = deps.projects!.inOrder([...(await deps.projects!.plansFor(key)).filter((p) => p.project !== info.name), plan]);
  return issueItems({ ...deps, plans: async () => plans }, at);
}

const issueKeyOf = (c: { readonly number: number; readonly repository: { readonly nameWithOwner: string } }) => issueKey(c.repository.nameWithOwner, c.number);

function emptyPlan(info: ProjectInfo, itemId: string): ProjectPlan {
  return { project: info.name, projectId: info.id, itemId, updatedAt: '', due: null, dueFrom: null, status: null, rawStatus: null, priority: null, rawPriority: null, iteration: null, estimateS: null };
}


