/**
 * Jira → canonical, pure: an issue as a task (status category refined by status names, priorities by
 * name, `duedate` as a calendar day, ADF description as Markdown, blockers from issue links and text),
 * its comments as activity, its changelog as history with Jira's own timestamps.
 */
import type { AccountRef, ActorKind, Priority, SourceHistoryEntry, SourceItem, TaskFields, TaskStatus } from '../../src/core/model.js';
import { findReferences, sectionUnder } from '../../src/core/text.js';
import { adfText, adfToMarkdown } from './adf.js';
import type { JiraComment, JiraFields, JiraIssue, JiraIssueLink, JiraUser } from './types.js';

export interface JiraNormalizeContext {
  /** Site URL, for `…/browse/KEY` links. */
  readonly host: string;
  /** Lowercased status name → status (defaults merged with the config's statusMap). */
  readonly statusMap: Readonly<Record<string, TaskStatus>>;
  readonly priorityMap: Readonly<Record<string, Priority>>;
  readonly acceptanceCriteriaHeading: string;
  readonly acceptanceCriteriaField?: string | undefined;
  readonly sprintField?: string | undefined;
  /** The API user's accountId: comments it wrote with the taskwire signature are ours. */
  readonly selfAccountId: string | null;
}

export const DEFAULT_STATUS_MAP: Readonly<Record<string, TaskStatus>> = {
  'in review': 'in_review',
  'code review': 'in_review',
  review: 'in_review',
  blocked: 'blocked',
  'on hold': 'blocked',
  verified: 'verified',
  closed: 'verified',
};

export const DEFAULT_PRIORITY_MAP: Readonly<Record<string, Priority>> = {
  highest: 'urgent',
  blocker: 'urgent',
  critical: 'urgent',
  high: 'high',
  major: 'high',
  medium: 'medium',
  low: 'low',
  minor: 'low',
  lowest: 'low',
  trivial: 'low',
};

/** Resolutions that end work without doing it. */
const CANCELLED_RESOLUTIONS = new Set(["won't do", "won't fix", 'duplicate', 'cannot reproduce', 'declined', 'not a bug', 'obsolete']);

/** The text every comment taskwire writes in Jira carries (Jira comments cannot hide a marker). */
export const SIGNATURE = 'taskwire status';

export function maps(config: { statusMap?: Record<string, TaskStatus> | undefined; priorityMap?: Record<string, Priority> | undefined }) {
  const lower = <T>(m: Record<string, T> | undefined) => Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k.toLowerCase().trim(), v]));
  return { statusMap: { ...DEFAULT_STATUS_MAP, ...lower(config.statusMap) }, priorityMap: { ...DEFAULT_PRIORITY_MAP, ...lower(config.priorityMap) } };
}

/** Jira writes `2026-11-20T10:15:30.000+0100`; also epoch milliseconds in places. → ISO-8601 UTC. */
export function isoOf(v: string | number | null | undefined): string | null {
  if (v === null || v === undefined || v === '') return null;
  const d = typeof v === 'number' ? new Date(v) : new Date(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function account(u: JiraUser): AccountRef {
  return {
    kind: 'jira',
    id: u.accountId,
    ...(u.displayName ? { name: u.displayName } : {}),
    ...(u.emailAddress ? { email: u.emailAddress } : {}),
    ...(u.accountType === 'app' ? { isBot: true } : {}),
  };
}

export function actorOf(u: JiraUser | null | undefined, selfAccountId: string | null): ActorKind {
  if (!u) return 'unknown';
  if (selfAccountId !== null && u.accountId === selfAccountId) return 'taskwire';
  return u.accountType === 'app' ? 'bot' : 'human';
}

export function isOurComment(c: JiraComment, selfAccountId: string | null): boolean {
  return c.author?.accountId === selfAccountId && adfText(c.body).toLowerCase().includes(SIGNATURE);
}

function statusOf(f: JiraFields, ctx: JiraNormalizeContext): TaskStatus {
  const name = f.status?.name?.toLowerCase().trim() ?? '';
  const mapped = ctx.statusMap[name];
  if (mapped) return mapped;
  const category = f.status?.statusCategory?.key;
  if (category === 'done') return f.resolution && CANCELLED_RESOLUTIONS.has(f.resolution.name.toLowerCase()) ? 'cancelled' : 'done';
  if (category === 'indeterminate') return 'in_progress';
  return 'todo';
}

/** "A is blocked by B", "A depends on B": the phrase that applies to this issue names a blocker. */
const BLOCKER_PHRASE = /^(is blocked by|depends on|is dependent on|requires|is waiting (on|for))$/i;

function linkRefs(links: readonly JiraIssueLink[]): { dependsOn: string[]; links: string[] } {
  const dependsOn: string[] = [];
  const related: string[] = [];
  for (const l of links) {
    // With `inwardIssue` set, this issue is the outward side: the inward phrase reads "<this> <inward> <other>".
    const other = l.inwardIssue ?? l.outwardIssue;
    if (!other) continue;
    const phrase = l.inwardIssue ? l.type.inward : l.type.outward;
    (BLOCKER_PHRASE.test(phrase.trim()) ? dependsOn : related).push(`jira:${other.key}`);
  }
  return { dependsOn, links: related };
}

function seconds(...vs: (number | null | undefined)[]): number | null {
  for (const v of vs) if (typeof v === 'number' && Number.isFinite(v)) return v;
  return null;
}

function sprintName(v: unknown): string | null {
  const sprints = (Array.isArray(v) ? v : v ? [v] : []) as { name?: string; state?: string }[];
  const active = sprints.find((s) => s.state === 'active') ?? sprints.at(-1);
  return active?.name ?? null;
}

/** The last time a person (not an app, not taskwire) created the issue or commented on it. */
function lastHumanActivity(issue: JiraIssue, ctx: JiraNormalizeContext): string | null {
  let last: string | null = actorOf(issue.fields.reporter, ctx.selfAccountId) === 'human' ? isoOf(issue.fields.created) : null;
  for (const c of issue.fields.comment?.comments ?? []) {
    if (actorOf(c.author, ctx.selfAccountId) !== 'human') continue;
    const at = isoOf(c.updated ?? c.created);
    if (at && (last === null || at > last)) last = at;
  }
  return last;
}

export function toTask(issue: JiraIssue, ctx: JiraNormalizeContext): TaskFields {
  const f = issue.fields;
  const status = statusOf(f, ctx);
  const description = adfToMarkdown(f.description);
  const text = findReferences(description);
  const fromLinks = linkRefs(f.issuelinks ?? []);
  const self = `jira:${issue.key}`;
  const dependsOn = [...new Set([...fromLinks.dependsOn, ...text.dependsOn])].filter((r) => r !== self);
  const links = [...new Set([...fromLinks.links, ...text.links])].filter((r) => r !== self && !dependsOn.includes(r));
  const acField = ctx.acceptanceCriteriaField ? adfToMarkdown(f[ctx.acceptanceCriteriaField]) : null;
  const created = isoOf(f.created) ?? new Date(0).toISOString();
  const resolved = isoOf(f.resolutiondate) ?? isoOf(f.statuscategorychangedate);
  return {
    key: issue.key,
    url: `${ctx.host}/browse/${issue.key}`,
    type: f.issuetype?.subtask ? 'subtask' : 'issue',
    title: f.summary ?? issue.key,
    description,
    status,
    rawStatus: f.status?.name ?? null,
    priority: f.priority ? (ctx.priorityMap[f.priority.name.toLowerCase()] ?? null) : null,
    rawPriority: f.priority?.name ?? null,
    assignees: f.assignee ? [account(f.assignee)] : [],
    reporter: f.reporter ? account(f.reporter) : null,
    due: f.duedate && /^\d{4}-\d{2}-\d{2}/.test(f.duedate) ? f.duedate.slice(0, 10) : null,
    acceptanceCriteria: acField ?? sectionUnder(description, ctx.acceptanceCriteriaHeading),
    estimateS: seconds(f.timetracking?.originalEstimateSeconds, f.timeoriginalestimate),
    spentS: seconds(f.timetracking?.timeSpentSeconds, f.timespent),
    remainingS: seconds(f.timetracking?.remainingEstimateSeconds, f.timeestimate),
    parent: f.parent ? `jira:${f.parent.key}` : null,
    dependsOn,
    links,
    labels: [...(f.labels ?? [])],
    project: f.project?.key ?? null,
    milestone: (ctx.sprintField ? sprintName(f[ctx.sprintField]) : null) ?? f.fixVersions?.[0]?.name ?? null,
    createdAt: created,
    updatedAt: isoOf(f.updated) ?? created,
    lastHumanActivityAt: lastHumanActivity(issue, ctx),
    doneAt: status === 'done' || status === 'verified' ? resolved : null,
    verifiedAt: status === 'verified' ? (isoOf(f.statuscategorychangedate) ?? resolved ?? isoOf(f.updated)) : null,
    verifiedBy: null,
  };
}

/** Each comment as activity: a person's counts as human activity; an app's or taskwire's does not. */
export function commentItems(key: string, comments: readonly JiraComment[], ctx: JiraNormalizeContext): SourceItem[] {
  const out: SourceItem[] = [];
  for (const c of comments) {
    const at = isoOf(c.updated ?? c.created);
    if (!at) continue;
    const actor: ActorKind = isOurComment(c, ctx.selfAccountId) ? 'taskwire' : actorOf(c.author, ctx.selfAccountId) === 'taskwire' ? 'human' : actorOf(c.author, ctx.selfAccountId);
    out.push({ type: 'activity', key, at, actor, ...(c.author ? { actorId: c.author.accountId } : {}), what: 'comment' });
  }
  return out;
}

/** Changelog fields kept in the history, Jira field id → canonical field. */
const HISTORY_FIELDS: Readonly<Record<string, string>> = {
  status: 'status',
  assignee: 'assignees',
  duedate: 'due',
  priority: 'priority',
  timeoriginalestimate: 'estimateS',
  timeestimate: 'remainingS',
  Sprint: 'milestone',
  resolution: 'resolution',
};

/**
 * The changelog as history with Jira's own times and authors. Status values are canonical statuses
 * (mapped from the names, category unknown in a changelog: names the map does not know read as
 * in progress unless they are the first or a done-like name).
 */
export function historyOf(issue: JiraIssue, ctx: JiraNormalizeContext): SourceHistoryEntry[] {
  const out: SourceHistoryEntry[] = [];
  for (const h of issue.changelog?.histories ?? []) {
    const at = isoOf(h.created);
    if (!at) continue;
    for (const item of h.items) {
      const field = HISTORY_FIELDS[item.fieldId ?? item.field] ?? HISTORY_FIELDS[item.field];
      if (!field) continue;
      const value = (s: string | null | undefined, id: string | null | undefined) => {
        if (field === 'status') return s ? statusFromName(s, ctx) : null;
        if (field === 'assignees') return id ? [{ kind: 'jira', id }] : [];
        if (field === 'estimateS' || field === 'remainingS') return id ? Number(id) : null;
        return s ?? id ?? null;
      };
      out.push({ field, oldValue: value(item.fromString, item.from), newValue: value(item.toString, item.to), at, actor: actorOf(h.author, ctx.selfAccountId), ...(h.author ? { actorId: h.author.accountId } : {}) });
    }
  }
  return out;
}

function statusFromName(name: string, ctx: JiraNormalizeContext): TaskStatus {
  const n = name.toLowerCase().trim();
  const mapped = ctx.statusMap[n];
  if (mapped) return mapped;
  if (/^(to ?do|open|backlog|new|selected for development)$/.test(n)) return 'todo';
  if (/^(done|resolved|complete[d]?|fixed)$/.test(n)) return 'done';
  if (/^(won't do|cancel+ed|rejected)$/.test(n)) return 'cancelled';
  return 'in_progress';
}
