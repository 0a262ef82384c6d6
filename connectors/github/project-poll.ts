/**
 * A poll's pass over the configured projects, before the repositories: each project whose `updatedAt`
 * moved (or not read whole for an hour) is paged, each item's plan compared with the stored one, and a
 * changed plan written as connector state with the page. The keys whose plans changed are *pending*:
 * kept in the cursor until their tasks were emitted again with the new plan (by the repositories'
 * pass, or read one by one after it), so a crash between the two never loses a plan change.
 */
import type { SourceItem } from '../../src/core/model.js';
import { draftTask, planOf } from './project-fields.js';
import { planKey, type PlanBook, type ProjectInfo, type Projects, type StoredPlan } from './projects.js';
import type { GithubProjectConfig } from './config.js';
import { issueKey } from './normalize.js';
import type { GqlProjectItem } from './types.js';

/** Where a project's pass stands: its `updatedAt` when last read whole, and when that was. */
export interface ProjectPosition {
  readonly updatedAt: string;
  readonly fullAt: number;
}

/** A project unchanged since its last pass is still read whole this often (GitHub's `updatedAt` is not documented to move with every field edit). */
export const FULL_PASS_MS = 60 * 60_000;

export interface ProjectPage {
  readonly items: SourceItem[];
  /** Task keys whose plans changed on this page. */
  readonly changed: string[];
  /** Set on the pass's last page. */
  readonly position?: ProjectPosition;
}

export interface ProjectPassDeps {
  readonly projects: Projects;
  readonly book: PlanBook;
  readonly acceptanceCriteriaHeading: string;
  readonly now: () => number;
}

export async function* projectPass(deps: ProjectPassDeps, config: GithubProjectConfig, from: ProjectPosition | undefined, signal: AbortSignal): AsyncGenerator<ProjectPage> {
  const info = await deps.projects.info(config.project, true);
  const startedAt = deps.now();
  if (from && from.updatedAt === info.updatedAt && startedAt - from.fullAt < FULL_PASS_MS) return;
  const seen = new Set<string>();
  for await (const nodes of deps.projects.pages(info, signal)) {
    const page: ProjectPage = { items: [], changed: [] };
    for (const item of nodes) readItem(deps, info, item, seen, page);
    yield page;
  }
  // Items no longer in the project (removed or archived): their plans end, timed now.
  const last: ProjectPage = { items: [], changed: [], position: { updatedAt: info.updatedAt, fullAt: startedAt } };
  const at = new Date(startedAt).toISOString();
  for (const key of deps.book.keysOf(config.project)) {
    if (seen.has(key)) continue;
    const ended: StoredPlan = { ...deps.book.one(key, config.project)!, removed: true, updatedAt: at };
    deps.book.put(planKey(key, config.project), ended);
    last.items.push({ type: 'state', key: planKey(key, config.project), value: JSON.stringify(ended) });
    if (key.startsWith('draft:')) last.items.push({ type: 'deleted', key, at });
    else last.changed.push(key);
  }
  yield last;
}

/** One item: its plan compared with the stored one; a draft issue is a task of its own. */
function readItem(deps: ProjectPassDeps, info: ProjectInfo, item: GqlProjectItem, seen: Set<string>, page: ProjectPage): void {
  const c = item.content;
  if (item.isArchived || c === null) return;
  const draft = c.__typename === 'DraftIssue';
  const key = draft ? `draft:${item.id}` : issueKey(c.repository.nameWithOwner, c.number);
  seen.add(key);
  const plan = { ...planOf(item, info, info.config, info.maps), ...(draft && c.updatedAt > item.updatedAt ? { updatedAt: c.updatedAt } : {}) };
  const before = deps.book.one(key, info.name);
  if (before && !before.removed && samePlan(before, plan, draft)) return;
  deps.book.put(planKey(key, info.name), plan);
  page.items.push({ type: 'state', key: planKey(key, info.name), value: JSON.stringify(plan) });
  if (draft) {
    const task = draftTask(item, plan, info.url, deps.acceptanceCriteriaHeading);
    if (task) page.items.push({ type: 'task', task });
  } else page.changed.push(key);
}

/** Same fields (an issue's plan); for a draft, also the same time (its title or body may have changed). */
function samePlan(a: StoredPlan, b: StoredPlan, timed: boolean): boolean {
  const view = (p: StoredPlan) => JSON.stringify({ ...p, removed: undefined, updatedAt: timed ? p.updatedAt : undefined });
  return view(a) === view(b);
}
