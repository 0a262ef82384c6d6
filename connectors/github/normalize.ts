/**
 * GitHub → canonical, pure: an issue (or pull request) as a task, a pull request as evidence about the
 * tasks it names, a comment as activity. No clock, no I/O: everything comes in as arguments.
 */
import { localDate } from '../../src/core/calendar.js';
import type { AccountRef, ActorKind, EvidenceItem, Priority, SourceItem, TaskFields, TaskRef, TaskStatus } from '../../src/core/model.js';
import { findReferences, isOurs, isTaskUrl, sectionUnder } from '../../src/core/text.js';
import type { GhComment, GhIssue, GhPull, GhReview, GhUser } from './types.js';

export interface LabelMaps {
  /** Normalized label (see `labelKey`) → priority / status. */
  readonly priority: Readonly<Record<string, Priority>>;
  readonly status: Readonly<Record<string, TaskStatus>>;
}

export interface NormalizeContext {
  readonly timezone: string;
  readonly labels: LabelMaps;
  readonly acceptanceCriteriaHeading: string;
  /** An issue field (by name) whose date overrides the milestone's due date. */
  readonly dueDateField?: string | undefined;
}

/** `Priority/High`, `priority:high`, `priority - high` all read as `priority: high`; `In-Progress` as `in progress`. */
export function labelKey(label: string): string {
  return label
    .toLowerCase()
    .replace(/\s*[:/]\s*/g, ': ')
    .replace(/[\s_-]+/g, ' ')
    .trim();
}

export const DEFAULT_PRIORITY_LABELS: Readonly<Record<string, Priority>> = {
  p0: 'urgent',
  p1: 'high',
  p2: 'medium',
  p3: 'low',
  urgent: 'urgent',
  critical: 'urgent',
  'priority: urgent': 'urgent',
  'priority: critical': 'urgent',
  'priority: p0': 'urgent',
  'priority: high': 'high',
  'priority: p1': 'high',
  'priority: medium': 'medium',
  'priority: p2': 'medium',
  'priority: low': 'low',
  'priority: p3': 'low',
};

export const DEFAULT_STATUS_LABELS: Readonly<Record<string, TaskStatus>> = {
  blocked: 'blocked',
  'status: blocked': 'blocked',
  'in progress': 'in_progress',
  'status: in progress': 'in_progress',
  wip: 'in_progress',
  'in review': 'in_review',
  'status: in review': 'in_review',
  'needs review': 'in_review',
  verified: 'verified',
  'status: verified': 'verified',
};

/** The defaults, extended (and overridden) by the config's label maps. */
export function labelMaps(config: { priority?: Record<string, Priority> | undefined; status?: Record<string, TaskStatus> | undefined }): LabelMaps {
  const norm = <T>(m: Record<string, T> | undefined) => Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [labelKey(k), v]));
  return {
    priority: { ...DEFAULT_PRIORITY_LABELS, ...norm(config.priority) },
    status: { ...DEFAULT_STATUS_LABELS, ...norm(config.status) },
  };
}

const PRIORITY_ORDER: readonly Priority[] = ['urgent', 'high', 'medium', 'low'];
/** When several status labels are on an open issue, the one that matters most to delivery wins. */
const OPEN_STATUS_ORDER: readonly TaskStatus[] = ['blocked', 'in_review', 'in_progress', 'todo'];

/** `https://api.github.com/repos/acme/api` → `acme/api` (also for GitHub Enterprise `/api/v3/repos/…`). */
export function repoOf(apiUrl: string): string {
  const m = /\/repos\/([^/]+\/[^/]+?)(?:\/|$)/.exec(apiUrl);
  if (!m) throw new TypeError(`not a repository URL: ${apiUrl}`);
  return m[1]!;
}

/** `…/repos/acme/api/issues/12` → `acme/api#12`. */
export function issueKeyOfUrl(apiUrl: string): string | null {
  const m = /\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)/.exec(apiUrl);
  return m ? `${m[1]}#${m[2]}` : null;
}

export const issueKey = (repo: string, n: number) => `${repo}#${n}`;

/** `acme/api#12` → its parts, or null when it is not an issue key (a draft's key, say). */
export function keyParts(key: string): { owner: string; repo: string; number: number } | null {
  const m = /^([^/]+)\/([^#]+)#(\d+)$/.exec(key);
  return m ? { owner: m[1]!, repo: m[2]!, number: Number(m[3]) } : null;
}
export const ghRef = (key: string): TaskRef => `github:${key}`;

export function account(u: GhUser): AccountRef {
  return { kind: 'github', id: u.login, ...(u.name ? { name: u.name } : {}), ...(u.email ? { email: u.email } : {}), ...(isBot(u) ? { isBot: true } : {}) };
}

export const isBot = (u: GhUser | null): boolean => u !== null && (u.type === 'Bot' || u.login.endsWith('[bot]'));

export function actorOf(u: GhUser | null, body?: string | null): ActorKind {
  if (isOurs(body)) return 'taskwire';
  if (u === null) return 'unknown';
  return isBot(u) ? 'bot' : 'human';
}

export const labelNames = (i: Pick<GhIssue, 'labels'>) => i.labels.map((l) => (typeof l === 'string' ? l : l.name));

/**
 * A GitHub milestone date is a calendar day (the UI has no time); the API renders it as a timestamp at
 * the start of that day in UTC or US Pacific time (00:00, 07:00 or 08:00 UTC). Those read as the date
 * written; any other time is an instant, and its day is the team's local day. Never a UTC midnight
 * shifted into the previous day.
 */
export function dueDateOf(ts: string, timezone: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(ts);
  if (m && m[3] === '00' && m[4] === '00' && ['00', '07', '08'].includes(m[2]!)) return m[1]!;
  if (/^\d{4}-\d{2}-\d{2}$/.test(ts)) return ts;
  return localDate(Date.parse(ts), timezone);
}

export function fieldDue(issue: Pick<GhIssue, 'issue_field_values'>, field: string | undefined): string | null {
  if (!field) return null;
  const want = field.toLowerCase();
  const v = issue.issue_field_values?.find((f) => (f.issue_field_name ?? '').toLowerCase() === want && f.data_type === 'date');
  return typeof v?.value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v.value) ? v.value.slice(0, 10) : null;
}

export function statusOf(issue: Pick<GhIssue, 'state' | 'state_reason' | 'pull_request' | 'draft'>, labels: readonly string[], maps: LabelMaps): TaskStatus {
  const mapped = new Set(labels.map((l) => maps.status[labelKey(l)]).filter((s): s is TaskStatus => s !== undefined));
  const isPr = issue.pull_request !== undefined;
  if (issue.state === 'closed') {
    if (isPr) return issue.pull_request?.merged_at ? (mapped.has('verified') ? 'verified' : 'done') : 'cancelled';
    if (issue.state_reason === 'not_planned' || issue.state_reason === 'duplicate') return 'cancelled';
    return mapped.has('verified') ? 'verified' : 'done';
  }
  for (const s of OPEN_STATUS_ORDER) if (mapped.has(s)) return s;
  if (isPr) return issue.draft ? 'in_progress' : 'in_review';
  return 'todo';
}

export function priorityOf(labels: readonly string[], maps: LabelMaps): { priority: Priority | null; raw: string | null } {
  let best: { priority: Priority; raw: string } | null = null;
  for (const l of labels) {
    const p = maps.priority[labelKey(l)];
    if (p && (best === null || PRIORITY_ORDER.indexOf(p) < PRIORITY_ORDER.indexOf(best.priority))) best = { priority: p, raw: l };
  }
  return best ? { priority: best.priority, raw: best.raw } : { priority: null, raw: null };
}

/**
 * An issue (or a pull request tracked as a task) as canonical fields. `blockedBy` are the blockers the
 * dependencies API listed (keys `owner/repo#n`); blockers written in the body are added.
 */
export function toTask(issue: GhIssue, blockedBy: readonly string[], ctx: NormalizeContext): TaskFields {
  const repo = repoOf(issue.repository_url);
  const key = issueKey(repo, issue.number);
  const labels = labelNames(issue);
  const status = statusOf(issue, labels, ctx.labels);
  const { priority, raw } = priorityOf(labels, ctx.labels);
  const body = issue.body ?? null;
  const refs = findReferences(body, { repo });
  const self = new Set([ghRef(key), issue.html_url]);
  const dependsOn = unique([...blockedBy.map(ghRef), ...refs.dependsOn]).filter((r) => !self.has(r));
  const assignees = issue.assignees && issue.assignees.length > 0 ? issue.assignees : issue.assignee ? [issue.assignee] : [];
  const parentKey = issue.parent_issue_url ? issueKeyOfUrl(issue.parent_issue_url) : null;
  const closed = status === 'done' || status === 'verified';
  return {
    key,
    url: issue.html_url,
    type: issue.pull_request ? 'pull_request' : 'issue',
    title: issue.title,
    description: body,
    status,
    rawStatus: issue.state === 'closed' && issue.state_reason ? `closed (${issue.state_reason})` : issue.state,
    priority,
    rawPriority: raw,
    assignees: assignees.map(account),
    reporter: issue.user ? account(issue.user) : null,
    due: fieldDue(issue, ctx.dueDateField) ?? (issue.milestone?.due_on ? dueDateOf(issue.milestone.due_on, ctx.timezone) : null),
    acceptanceCriteria: sectionUnder(body, ctx.acceptanceCriteriaHeading),
    estimateS: null,
    spentS: null,
    remainingS: null,
    parent: parentKey ? ghRef(parentKey) : null,
    dependsOn,
    links: unique(refs.links).filter((r) => !self.has(r) && !dependsOn.includes(r)),
    labels,
    project: repo,
    milestone: issue.milestone?.title ?? null,
    createdAt: issue.created_at,
    updatedAt: issue.updated_at,
    lastHumanActivityAt: issue.user && !isBot(issue.user) ? issue.created_at : null,
    doneAt: closed ? issue.closed_at : null,
    verifiedAt: status === 'verified' ? (issue.closed_at ?? issue.updated_at) : null,
    verifiedBy: null,
  };
}

/** GitHub's closing keywords: "closes #12", "fixes acme/api#3", "resolves https://…/issues/4". */
const CLOSING = /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+((?:[\w.-]+\/[\w.-]+)?#\d+|https?:\/\/\S+)/gi;
const JIRA_KEY = /\b([A-Z][A-Z0-9_]{1,9}-\d{1,7})\b/g;

/** The tasks a pull request is about: issues it closes, and Jira keys in its title, branch or body. */
export function pullTargets(pull: Pick<GhPull, 'title' | 'body' | 'head'>, repo: string): TaskRef[] {
  const out: TaskRef[] = [];
  const text = `${pull.title}\n${pull.body ?? ''}`;
  for (const m of text.matchAll(CLOSING)) {
    const r = m[1]!;
    if (r.startsWith('http')) {
      if (isTaskUrl(r)) out.push(r.replace(/[.,;:!?)]+$/, ''));
    } else out.push(ghRef(r.startsWith('#') ? `${repo}${r}` : r));
  }
  // Jira's own development panel links a pull request by any key in its title or branch name.
  for (const m of `${pull.title}\n${pull.head.ref}\n${pull.body ?? ''}`.matchAll(JIRA_KEY)) {
    const t = findReferences(m[1]!).links[0];
    if (t) out.push(t);
  }
  return unique(out);
}

/**
 * Evidence a pull request gives about each task it names: open → in review, merged → done, approved
 * review → verified, closed without merging → withdrawn.
 */
export function pullEvidence(pull: GhPull, reviews: readonly GhReview[], repo: string): EvidenceItem[] {
  const source = issueKey(repo, pull.number);
  const targets = pullTargets(pull, repo);
  const out: EvidenceItem[] = [];
  const add = (kind: EvidenceItem['kind'], at: string, u: GhUser | null | undefined, summary: string) => {
    for (const target of targets) {
      out.push({ type: 'evidence', target, kind, source, sourceUrl: pull.html_url, at, actor: actorOf(u ?? null), ...(u ? { actorId: u.login } : {}), summary });
    }
  };
  if (pull.merged && pull.merged_at) add('done', pull.merged_at, pull.merged_by, `PR ${source} merged${pull.merged_by ? ` by ${pull.merged_by.login}` : ''}`);
  else if (pull.state === 'closed') add('withdrawn', pull.closed_at ?? pull.updated_at, null, `PR ${source} closed without merging`);
  else if (!pull.draft) add('in_review', pull.created_at, pull.user, `PR ${source} open for review`);
  // The latest review per reviewer counts: an approval later dismissed or followed by changes requested is not one.
  const latest = new Map<string, GhReview>();
  for (const r of reviews) if (r.user && r.state !== 'COMMENTED' && r.state !== 'PENDING') latest.set(r.user.login, r);
  for (const r of latest.values()) {
    if (r.state === 'APPROVED' && r.submitted_at) add('verified', r.submitted_at, r.user, `PR ${source} approved by ${r.user?.login ?? 'a reviewer'}`);
  }
  return out;
}

/** A comment as activity on its issue: a person's comment counts, a bot's or taskwire's does not. */
export function commentActivity(c: GhComment): Extract<SourceItem, { type: 'activity' }> | null {
  const key = issueKeyOfUrl(c.issue_url);
  if (!key) return null;
  return { type: 'activity', key, at: c.updated_at > c.created_at ? c.updated_at : c.created_at, actor: actorOf(c.user, c.body), ...(c.user ? { actorId: c.user.login } : {}), what: 'comment' };
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
