/**
 * GitHub's issue events as task history, pure. The repository's event stream
 * (`GET /repos/{owner}/{repo}/issues/events`) lists, newest first, what happened to every issue —
 * labeled, unlabeled, assigned, unassigned, milestoned, demilestoned, closed, reopened, renamed — with
 * GitHub's own time and actor, and embeds each issue in its current state. Walking back from that
 * state, undoing one event at a time, gives the state before each event; the canonical fields the
 * event moved (status and priority come from labels and state; the due date from the milestone) are
 * history entries with GitHub's times. A person's event is also activity on the issue.
 *
 * The walk is resumable across pages: `HistoryWalk` keeps, per issue, the state reached so far.
 */
import type { AccountRef, SourceHistoryEntry, SourceItem } from '../../src/core/model.js';
import { actorOf, dueDateOf, fieldDue, issueKey, labelNames, priorityOf, repoOf, statusOf, type NormalizeContext } from './normalize.js';
import type { GhIssue, GhIssueEvent } from './types.js';

interface State {
  open: boolean;
  stateReason: string | null;
  labels: string[];
  assignees: string[];
  milestone: string | null;
  title: string;
}

/** The events that move a tracked field; others (mentioned, subscribed, referenced…) are skipped. */
const TRACKED = new Set(['closed', 'reopened', 'labeled', 'unlabeled', 'assigned', 'unassigned', 'milestoned', 'demilestoned', 'renamed']);

export interface HistoryWalkOptions {
  readonly ctx: NormalizeContext;
  /** Pull requests are tasks only with `pullRequests: tasks`; otherwise their events are skipped. */
  readonly pullRequests: 'evidence' | 'tasks';
  /** Milestone title → its due date (`due_on`), for milestones an issue had before. */
  readonly milestoneDue: ReadonlyMap<string, string | null>;
  /** The login taskwire writes as: its events are taskwire's, not a person's. */
  readonly self?: string | null;
}

/** What the walk keeps of an issue as it is now (not the whole object: a backfill walks many). */
type Kept = Pick<GhIssue, 'pull_request' | 'draft' | 'milestone' | 'issue_field_values'>;

export class HistoryWalk {
  /** Per issue key: the issue now, and its state (and the fields it gives) just before the newest event walked so far. */
  private readonly walked = new Map<string, { issue: Kept; state: State; fields: Record<string, unknown> }>();

  constructor(private readonly opts: HistoryWalkOptions) {}

  /** The next events in stream order (newest first): their history and activity items. */
  page(events: readonly GhIssueEvent[]): SourceItem[] {
    const entries = new Map<string, SourceHistoryEntry[]>();
    const out: SourceItem[] = [];
    // Before a reopen the issue was closed for the reason its closing gave: that event is older (later
    // in the stream), so look it up first — on this page; when it is further back, "completed".
    const closedFor = new Map<GhIssueEvent, string | null>();
    const lastClose = new Map<string, string | null>();
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i]!;
      if (!e.issue) continue;
      const key = keyOf(e.issue);
      if (e.event === 'closed') lastClose.set(key, e.state_reason ?? null);
      if (e.event === 'reopened' && lastClose.has(key)) closedFor.set(e, lastClose.get(key) ?? null);
    }
    for (const e of events) {
      const issue = e.issue;
      if (!issue || !TRACKED.has(e.event)) continue;
      if (issue.pull_request && this.opts.pullRequests !== 'tasks') continue;
      const key = keyOf(issue);
      let w = this.walked.get(key);
      if (!w) {
        const kept: Kept = { pull_request: issue.pull_request, milestone: issue.milestone, issue_field_values: issue.issue_field_values, ...(issue.draft !== undefined ? { draft: issue.draft } : {}) };
        const state = stateOf(issue);
        w = { issue: kept, state, fields: this.fields(kept, state) };
        this.walked.set(key, w);
      }
      const after = w.fields;
      const before = undo(w.state, e, closedFor.get(e));
      w.state = before;
      w.fields = this.fields(w.issue, before);
      const actor = e.actor !== null && e.actor.login === this.opts.self ? 'taskwire' : actorOf(e.actor);
      const actorId = e.actor?.login;
      const list = entries.get(key) ?? [];
      for (const [field, [was, now]] of changedFields(w.fields, after)) {
        list.push({ field, oldValue: was, newValue: now, at: e.created_at, actor, ...(actorId ? { actorId } : {}) });
      }
      entries.set(key, list);
      if (actor === 'human') out.push({ type: 'activity', key, at: e.created_at, actor, ...(actorId ? { actorId } : {}), what: e.event });
    }
    for (const [key, list] of entries) if (list.length > 0) out.unshift({ type: 'history', key, entries: list });
    return out;
  }

  /** The canonical fields a state gives, the way `toTask` reads them from an issue. */
  private fields(issue: Kept, s: State): Record<string, unknown> {
    const { ctx } = this.opts;
    const pull = issue.pull_request ? { ...issue.pull_request, merged_at: s.open ? null : (issue.pull_request.merged_at ?? null) } : undefined;
    const status = statusOf({ state: s.open ? 'open' : 'closed', state_reason: s.stateReason, pull_request: pull, ...(issue.draft !== undefined ? { draft: issue.draft } : {}) }, s.labels, ctx.labels);
    const dueOn = s.milestone === null ? null : issue.milestone?.title === s.milestone ? issue.milestone.due_on : (this.opts.milestoneDue.get(s.milestone) ?? null);
    const due = fieldDue(issue, ctx.dueDateField) ?? (dueOn ? dueDateOf(dueOn, ctx.timezone) : null);
    const assignees: AccountRef[] = s.assignees.map((id) => ({ kind: 'github', id }));
    return { title: s.title, status, priority: priorityOf(s.labels, ctx.labels).priority, assignees, labels: s.labels, milestone: s.milestone, due };
  }
}

const keyOf = (issue: GhIssue) => issueKey(repoOf(issue.repository_url), issue.number);

function stateOf(issue: GhIssue): State {
  const assignees = issue.assignees && issue.assignees.length > 0 ? issue.assignees : issue.assignee ? [issue.assignee] : [];
  return {
    open: issue.state !== 'closed',
    stateReason: issue.state_reason ?? null,
    labels: labelNames(issue),
    assignees: assignees.map((a) => a.login),
    milestone: issue.milestone?.title ?? null,
    title: issue.title,
  };
}

/** The state just before `e`, given the state just after it. */
function undo(after: State, e: GhIssueEvent, closedFor?: string | null): State {
  const s: State = { ...after, labels: [...after.labels], assignees: [...after.assignees] };
  const label = e.label?.name;
  const login = e.assignee?.login;
  switch (e.event) {
    case 'closed':
      s.open = true;
      s.stateReason = null;
      break;
    case 'reopened':
      s.open = false;
      s.stateReason = closedFor ?? 'completed';
      break;
    case 'labeled':
      if (label !== undefined) s.labels = s.labels.filter((l) => l !== label);
      break;
    case 'unlabeled':
      if (label !== undefined && !s.labels.includes(label)) s.labels.push(label);
      break;
    case 'assigned':
      if (login !== undefined) s.assignees = s.assignees.filter((a) => a !== login);
      break;
    case 'unassigned':
      if (login !== undefined && !s.assignees.includes(login)) s.assignees.push(login);
      break;
    case 'milestoned':
      if (e.milestone && s.milestone === e.milestone.title) s.milestone = null;
      break;
    case 'demilestoned':
      if (e.milestone) s.milestone = e.milestone.title;
      break;
    case 'renamed':
      if (e.rename) s.title = e.rename.from;
      break;
  }
  return s;
}

function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): [string, [unknown, unknown]][] {
  const out: [string, [unknown, unknown]][] = [];
  for (const k of Object.keys(after)) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out.push([k, [before[k], after[k]]]);
  }
  return out;
}
