/**
 * GitHub Projects → canonical, pure. A project item's field values read as a *plan* for its issue (due
 * date, status, priority, iteration, estimate), and the plans of every project an issue is in laid over
 * the issue's own fields. Precedence, as the README states it:
 *
 * - due date: a project's due field, else the last day of its iteration, beats the issue field and the
 *   milestone's due date; two projects that disagree are a conflict (the earlier date is used);
 * - status: a project's Status beats status labels on an open issue; a closed issue stays closed;
 *   two projects that disagree are a conflict (the first project in the config wins);
 * - priority: a project's Priority beats priority labels; on disagreement the higher is used;
 * - iteration: its title is the task's milestone; estimate: the task's estimate.
 *
 * No clock, no I/O.
 */
import { CLOSED_STATUSES, type AccountRef, type Priority, type TaskFields, type TaskStatus } from '../../src/core/model.js';
import { sectionUnder } from '../../src/core/text.js';
import type { GithubProjectConfig } from './config.js';
import type { GqlFieldValue, GqlProjectItem } from './types.js';

/** What one project says about one item. Kept as the connector's state (JSON), one per item and project. */
export interface ProjectPlan {
  /** `owner/number`, as configured. */
  readonly project: string;
  readonly projectId: string;
  readonly itemId: string;
  readonly updatedAt: string;
  readonly due: string | null;
  /** Where the due date came from: the field's name, or `iteration <title>`. */
  readonly dueFrom: string | null;
  readonly status: TaskStatus | null;
  readonly rawStatus: string | null;
  readonly priority: Priority | null;
  readonly rawPriority: string | null;
  readonly iteration: string | null;
  readonly estimateS: number | null;
  /** The item left the project (removed or archived) at `updatedAt`: it says nothing any more. */
  readonly removed?: true;
}

/** Option names as GitHub's project templates spell them (emoji and case aside). */
export const DEFAULT_PROJECT_STATUS: Readonly<Record<string, TaskStatus>> = {
  todo: 'todo',
  'to do': 'todo',
  new: 'todo',
  backlog: 'todo',
  ready: 'todo',
  triage: 'todo',
  'in progress': 'in_progress',
  doing: 'in_progress',
  wip: 'in_progress',
  'in review': 'in_review',
  review: 'in_review',
  'needs review': 'in_review',
  blocked: 'blocked',
  'on hold': 'blocked',
  done: 'done',
  complete: 'done',
  completed: 'done',
  shipped: 'done',
  verified: 'verified',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  "won't do": 'cancelled',
};

export const DEFAULT_PROJECT_PRIORITY: Readonly<Record<string, Priority>> = {
  p0: 'urgent',
  p1: 'high',
  p2: 'medium',
  p3: 'low',
  urgent: 'urgent',
  critical: 'urgent',
  high: 'high',
  medium: 'medium',
  low: 'low',
};

/** `🏗 In Progress`, `in-progress`, `IN_PROGRESS` all read as `in progress`. */
export function optionKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ')
    .replace(/^[^\p{L}\p{N}]+/u, '')
    .trim();
}

export interface ProjectMaps {
  readonly status: Readonly<Record<string, TaskStatus>>;
  readonly priority: Readonly<Record<string, Priority>>;
}

export function projectMaps(p: Pick<GithubProjectConfig, 'status' | 'priority'>): ProjectMaps {
  const norm = <T>(m: Record<string, T> | undefined) => Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [optionKey(k), v]));
  return { status: { ...DEFAULT_PROJECT_STATUS, ...norm(p.status) }, priority: { ...DEFAULT_PROJECT_PRIORITY, ...norm(p.priority) } };
}

const HOUR_S = 3600;
const UNIT_S = { hours: HOUR_S, days: 8 * HOUR_S, points: null } as const;

/** The last day of an iteration that starts on `start` and lasts `days`. */
export function iterationEnd(start: string, days: number): string {
  return new Date(Date.parse(`${start}T00:00:00Z`) + (Math.max(1, days) - 1) * 86_400_000).toISOString().slice(0, 10);
}

const fieldName = (v: GqlFieldValue) => (v.field?.name ?? '').toLowerCase();

/** What one project's field values say about an item. */
export function planOf(item: GqlProjectItem, project: { readonly name: string; readonly id: string }, config: GithubProjectConfig, maps: ProjectMaps): ProjectPlan {
  const values = item.fieldValues.nodes.filter((v): v is GqlFieldValue => v !== null);
  const find = <T extends GqlFieldValue['__typename']>(type: T, name: string) =>
    values.find((v) => v.__typename === type && fieldName(v) === name.toLowerCase()) as Extract<GqlFieldValue, { __typename: T }> | undefined;
  const date = find('ProjectV2ItemFieldDateValue', config.fields.due);
  const status = find('ProjectV2ItemFieldSingleSelectValue', config.fields.status);
  const priority = find('ProjectV2ItemFieldSingleSelectValue', config.fields.priority);
  const iteration = find('ProjectV2ItemFieldIterationValue', config.fields.iteration);
  const estimate = find('ProjectV2ItemFieldNumberValue', config.fields.estimate);
  const dueDate = typeof date?.date === 'string' ? date.date.slice(0, 10) : null;
  const iterDue = iteration ? iterationEnd(iteration.startDate, iteration.duration) : null;
  const unit = UNIT_S[config.estimateUnit];
  return {
    project: project.name,
    projectId: project.id,
    itemId: item.id,
    updatedAt: item.updatedAt,
    due: dueDate ?? iterDue,
    dueFrom: dueDate !== null ? config.fields.due : iterDue !== null ? `iteration ${iteration!.title}` : null,
    status: status?.name ? (maps.status[optionKey(status.name)] ?? null) : null,
    rawStatus: status?.name ?? null,
    priority: priority?.name ? (maps.priority[optionKey(priority.name)] ?? null) : null,
    rawPriority: priority?.name ?? null,
    iteration: iteration?.title ?? null,
    estimateS: unit !== null && typeof estimate?.number === 'number' ? Math.round(estimate.number * unit) : null,
  };
}

const PRIORITY_ORDER: readonly Priority[] = ['urgent', 'high', 'medium', 'low'];

/** Where the plans of several projects disagree, one line each ("due: acme/3 says …, acme/7 says …"). */
export function planConflicts(all: readonly ProjectPlan[]): string[] {
  const out: string[] = [];
  const plans = all.filter((p) => !p.removed);
  const check = (what: string, value: (p: ProjectPlan) => string | null, used: string) => {
    const said = plans.filter((p) => value(p) !== null);
    if (new Set(said.map(value)).size > 1) out.push(`${what}: ${said.map((p) => `${p.project} says ${value(p)}`).join(', ')} (${used})`);
  };
  check('due date', (p) => p.due, 'the earlier is used');
  check('status', (p) => p.rawStatus, `${plans.find((p) => p.rawStatus !== null)?.project ?? ''}'s is used`);
  check('priority', (p) => p.rawPriority, 'the higher is used');
  return out;
}

/**
 * The issue's fields with its projects' plans laid over them (plans in config order). The task's
 * update time moves to the latest plan's, so a change made only in a project is timed when it was made.
 */
export function applyPlans(task: TaskFields, all: readonly ProjectPlan[]): TaskFields {
  if (all.length === 0) return task;
  const plans = all.filter((p) => !p.removed);
  const dues = plans.map((p) => p.due).filter((d): d is string => d !== null).sort();
  const status = plans.find((p) => p.status !== null);
  const priority = plans.filter((p) => p.priority !== null).sort((a, b) => PRIORITY_ORDER.indexOf(a.priority!) - PRIORITY_ORDER.indexOf(b.priority!))[0];
  const iteration = plans.find((p) => p.iteration !== null)?.iteration ?? null;
  const estimate = plans.find((p) => p.estimateS !== null)?.estimateS ?? null;
  const latest = all.reduce((a, p) => (Date.parse(p.updatedAt) > Date.parse(a) ? p.updatedAt : a), task.updatedAt);
  const open = !CLOSED_STATUSES.has(task.status);
  const nextStatus = open && status ? status.status! : task.status;
  return {
    ...task,
    due: dues[0] ?? task.due,
    ...(open && status ? { status: nextStatus, rawStatus: `${status.rawStatus} (${status.project})` } : {}),
    ...(priority ? { priority: priority.priority, rawPriority: `${priority.rawPriority} (${priority.project})` } : {}),
    milestone: iteration ?? task.milestone,
    estimateS: estimate ?? task.estimateS,
    doneAt: task.doneAt ?? (nextStatus === 'done' || nextStatus === 'verified' ? latest : null),
    updatedAt: latest,
  };
}

/** The key of a draft issue's task: drafts live only in their project, by item id. */
export const draftKey = (itemId: string) => `draft:${itemId}`;
export const isDraftKey = (key: string) => key.startsWith('draft:');

/** A draft issue in a project as a task of its own, planned by that project. */
export function draftTask(item: GqlProjectItem, plan: ProjectPlan, projectUrl: string, acceptanceCriteriaHeading: string): TaskFields | null {
  const c = item.content;
  if (c === null || c.__typename !== 'DraftIssue') return null;
  const assignees: AccountRef[] = c.assignees.nodes.filter((u) => u !== null).map((u) => ({ kind: 'github', id: u.login, ...(u.name ? { name: u.name } : {}) }));
  const base: TaskFields = {
    key: draftKey(item.id),
    url: item.fullDatabaseId ? `${projectUrl}?pane=issue&itemId=${item.fullDatabaseId}` : projectUrl,
    type: 'issue',
    title: c.title,
    description: c.body || null,
    status: 'todo',
    rawStatus: 'draft',
    priority: null,
    rawPriority: null,
    assignees,
    reporter: c.creator ? { kind: 'github', id: c.creator.login } : null,
    due: null,
    acceptanceCriteria: sectionUnder(c.body, acceptanceCriteriaHeading),
    estimateS: null,
    spentS: null,
    remainingS: null,
    parent: null,
    dependsOn: [],
    links: [],
    labels: [],
    project: plan.project,
    milestone: null,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    lastHumanActivityAt: c.updatedAt,
    doneAt: null,
    verifiedAt: null,
    verifiedBy: null,
  };
  return applyPlans(base, [plan]);
}

/** What the stored plans say, by task key: where each field came from, and where projects disagree. */
export function planNotes(entries: readonly (readonly [string, string])[]): Map<string, { sources: string[]; conflicts: string[] }> {
  const byKey = new Map<string, ProjectPlan[]>();
  for (const [k, v] of entries) {
    const key = k.slice('plan:'.length, k.lastIndexOf('|'));
    const plan = JSON.parse(v) as ProjectPlan;
    if (!plan.removed) byKey.set(key, [...(byKey.get(key) ?? []), plan]);
  }
  const out = new Map<string, { sources: string[]; conflicts: string[] }>();
  for (const [key, plans] of byKey) {
    const sources = plans.flatMap((p) => [
      ...(p.due ? [`due ${p.due} from project ${p.project} (${p.dueFrom}): a project's date beats the milestone's`] : []),
      ...(p.rawStatus ? [`status "${p.rawStatus}" from project ${p.project}${p.status ? '' : ' (not mapped: add it under status:)'}`] : []),
      ...(p.rawPriority ? [`priority "${p.rawPriority}" from project ${p.project}${p.priority ? '' : ' (not mapped: add it under priority:)'}`] : []),
      ...(p.iteration ? [`iteration ${p.iteration} from project ${p.project} (shown as the milestone)`] : []),
    ]);
    out.set(key, { sources, conflicts: planConflicts(plans) });
  }
  return out;
}
