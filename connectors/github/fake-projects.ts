/**
 * GitHub Projects in the fake: projects with their fields, items (issues, pull requests, drafts) and
 * field values, served at `POST /graphql` for the queries and the mutation taskwire sends (by operation
 * name), in the shapes of GitHub's GraphQL schema (checked by executing each query against the
 * published schema in a test), with cursor pagination, a points budget (`rateLimit`, RATE_LIMITED when
 * spent) and `projects_v2_item` webhooks for changes made through the fake.
 */
import type { FakeRequest, FakeResponse } from '../kit/fake-server.js';

export interface FakeFieldSeed {
  readonly name: string;
  readonly type: 'DATE' | 'SINGLE_SELECT' | 'ITERATION' | 'NUMBER' | 'TEXT';
  readonly options?: readonly string[];
  readonly iterations?: readonly { readonly title: string; readonly startDate: string; readonly duration: number }[];
}

/** A value as seeded or set: a date `YYYY-MM-DD`, an option name, an iteration title, or a number. */
export type FakeFieldValue = string | number | null;

export interface FakeProjectItemSeed {
  /** The item's node id (default: made up), e.g. to match a payload copied from GitHub's documentation. */
  readonly id?: string;
  /** The issue's node id as GitHub's documentation gives it (answered as well as the fake's own). */
  readonly contentNodeId?: string;
  /** `owner/repo#n`, or a draft issue. */
  readonly issue?: string;
  readonly draft?: { readonly title: string; readonly body?: string; readonly assignees?: readonly string[]; readonly creator?: string };
  /** Field name → value. */
  readonly values?: Readonly<Record<string, FakeFieldValue>>;
  readonly archived?: boolean;
}

export interface FakeProjectSeed {
  /** `owner/number`. */
  readonly project: string;
  /** The project's node id (default: made up). */
  readonly id?: string;
  readonly title?: string;
  readonly ownerType?: 'Organization' | 'User';
  /** Defaults: the team-planning template's Status, Priority, Target date, Iteration, Estimate. */
  readonly fields?: readonly FakeFieldSeed[];
  readonly items?: readonly FakeProjectItemSeed[];
}

interface FieldRec {
  readonly id: string;
  readonly name: string;
  readonly type: FakeFieldSeed['type'];
  readonly options: { id: string; name: string }[];
  readonly iterations: { id: string; title: string; startDate: string; duration: number }[];
}

interface ItemRec {
  readonly id: string;
  readonly dbId: number;
  /** `owner/repo#n`, or null for a draft. */
  issue: string | null;
  draft: { id: string; title: string; body: string; assignees: string[]; creator: string; createdAt: string; updatedAt: string } | null;
  values: Map<string, FakeFieldValue>;
  archived: boolean;
  readonly createdAt: string;
  updatedAt: string;
}

interface ProjectRec {
  readonly key: string;
  readonly id: string;
  readonly number: number;
  readonly owner: string;
  readonly ownerType: 'Organization' | 'User';
  readonly title: string;
  updatedAt: string;
  readonly fields: FieldRec[];
  readonly items: ItemRec[];
}

/** What the fake's issues tell the projects: an issue's node id and kind, and back. */
export interface ContentIndex {
  byKey(key: string): { nodeId: string; type: 'Issue' | 'PullRequest' } | null;
  byNodeId(nodeId: string): { key: string; type: 'Issue' | 'PullRequest' } | null;
}

export const DEFAULT_FAKE_FIELDS: readonly FakeFieldSeed[] = [
  { name: 'Status', type: 'SINGLE_SELECT', options: ['Todo', 'In Progress', 'Blocked', 'Done'] },
  { name: 'Priority', type: 'SINGLE_SELECT', options: ['P0', 'P1', 'P2'] },
  { name: 'Target date', type: 'DATE' },
  { name: 'Iteration', type: 'ITERATION', iterations: [] },
  { name: 'Estimate', type: 'NUMBER' },
];

const b64 = (s: string) => Buffer.from(s).toString('base64url');

export class FakeProjects {
  private readonly projects = new Map<string, ProjectRec>();
  /** Node ids given in seeds for issues (`contentNodeId`) → `owner/repo#n`. */
  private readonly aliases = new Map<string, string>();
  private nextId = 1;
  /** GraphQL points (GitHub: 5,000 an hour for a user token). */
  points: { limit: number; remaining: number; resetAt: number };
  /** GraphQL requests answered, by operation name. */
  readonly calls = new Map<string, number>();

  constructor(
    private readonly content: ContentIndex,
    private readonly now: () => string,
    private readonly emit: (event: string, payload: Record<string, unknown>, sender: string) => void,
    limit = 5000,
  ) {
    this.points = { limit, remaining: limit, resetAt: Date.now() + 3600_000 };
  }

  seed(s: FakeProjectSeed): void {
    const [owner, n] = s.project.split('/');
    const id = s.id ?? `PVT_${b64(`${s.project}:${this.nextId++}`)}`;
    const fields = (s.fields ?? DEFAULT_FAKE_FIELDS).map((f) => this.field(f));
    const p: ProjectRec = { key: s.project, id, number: Number(n), owner: owner!, ownerType: s.ownerType ?? 'Organization', title: s.title ?? `Project ${n}`, updatedAt: this.now(), fields, items: [] };
    this.projects.set(s.project.toLowerCase(), p);
    for (const item of s.items ?? []) this.insert(p, item);
  }

  /** Adds an item as a person would; returns its node id. */
  addItem(project: string, seed: FakeProjectItemSeed, by = 'octocat'): string {
    const p = this.project(project);
    const item = this.insert(p, seed);
    this.touch(p, item);
    this.send('created', p, item, by);
    return item.id;
  }

  /** Sets a field of the item holding `ref` (`owner/repo#n`, or an item id) as a person would. */
  setField(project: string, ref: string, field: string, value: FakeFieldValue, by = 'octocat'): void {
    const p = this.project(project);
    const item = this.item(p, ref);
    const f = p.fields.find((x) => x.name.toLowerCase() === field.toLowerCase());
    if (!f) throw new Error(`the fake project ${project} has no field ${field}`);
    item.values.set(f.id, value);
    this.touch(p, item);
    this.send('edited', p, item, by, { field_value: { field_node_id: f.id, field_type: f.type.toLowerCase().replace('_', '_') } });
  }

  /** Archives (or deletes, with `remove`) the item holding `ref`. */
  archive(project: string, ref: string, remove = false, by = 'octocat'): void {
    const p = this.project(project);
    const item = this.item(p, ref);
    this.touch(p, item);
    if (remove) p.items.splice(p.items.indexOf(item), 1);
    else item.archived = true;
    this.send(remove ? 'deleted' : 'archived', p, item, by);
  }

  /** Converts a draft to an issue (`owner/repo#n`, created by the caller in the fake). */
  convert(project: string, itemId: string, issue: string, by = 'octocat'): void {
    const p = this.project(project);
    const item = this.item(p, itemId);
    item.issue = issue;
    item.draft = null;
    this.touch(p, item);
    this.send('converted', p, item, by);
  }

  /** What a field of the item holding `ref` is set to now (for tests of write-back). */
  value(project: string, ref: string, field: string): FakeFieldValue | undefined {
    const p = this.project(project);
    const f = p.fields.find((x) => x.name.toLowerCase() === field.toLowerCase());
    return f ? (this.item(p, ref).values.get(f.id) ?? null) : undefined;
  }

  itemId(project: string, ref: string): string {
    return this.item(this.project(project), ref).id;
  }

  projectId(project: string): string {
    return this.project(project).id;
  }

  /** Answers `POST /graphql`. */
  handle(req: FakeRequest): FakeResponse {
    const body = (req.body ?? {}) as { query?: string; variables?: Record<string, unknown> };
    const op = /^\s*(?:query|mutation)\s+(\w+)/.exec(body.query ?? '')?.[1] ?? '';
    const vars = body.variables ?? {};
    const cost = COST[op];
    if (cost === undefined) return { status: 200, headers: this.headers(), body: { errors: [{ message: `the fake does not answer the operation "${op}"`, type: 'UNKNOWN_OPERATION' }] } };
    if (Date.now() >= this.points.resetAt) this.points = { ...this.points, remaining: this.points.limit, resetAt: Date.now() + 3600_000 };
    if (this.points.remaining < cost) {
      return { status: 200, headers: this.headers(), body: { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit already exceeded for user ID 1.' }] } };
    }
    this.points.remaining -= cost;
    this.calls.set(op, (this.calls.get(op) ?? 0) + 1);
    const rateLimit = { cost, remaining: this.points.remaining, limit: this.points.limit, resetAt: new Date(this.points.resetAt).toISOString().replace(/\.\d{3}Z$/, 'Z') };
    const data = this.answer(op, vars);
    if ('errors' in data) return { status: 200, headers: this.headers(), body: data };
    return { status: 200, headers: this.headers(), body: { data: { ...data, ...(op === 'taskwireSetStatus' ? {} : { rateLimit }) } } };
  }

  private answer(op: string, v: Record<string, unknown>): Record<string, unknown> {
    switch (op) {
      case 'taskwireProject': {
        const p = this.projects.get(`${String(v.owner)}/${String(v.number)}`.toLowerCase());
        const owner = p ? p.ownerType : 'Organization';
        return { repositoryOwner: { __typename: owner, projectV2: p ? this.projectShape(p) : null } };
      }
      case 'taskwireProjectItems': {
        const p = [...this.projects.values()].find((x) => x.id === v.id);
        if (!p) return { node: null };
        const start = typeof v.after === 'string' ? Number(Buffer.from(v.after, 'base64url').toString()) : 0;
        const page = p.items.slice(start, start + 100);
        const end = start + page.length;
        return {
          node: {
            __typename: 'ProjectV2',
            items: { pageInfo: { hasNextPage: end < p.items.length, endCursor: page.length > 0 ? b64(String(end)) : null }, nodes: page.map((i) => this.itemShape(p, i)) },
          },
        };
      }
      case 'taskwireProjectItem': {
        for (const p of this.projects.values()) {
          const i = p.items.find((x) => x.id === v.id);
          if (i) return { node: { __typename: 'ProjectV2Item', ...this.itemShape(p, i), project: { __typename: 'ProjectV2', id: p.id } } };
        }
        return { node: null };
      }
      case 'taskwireItemContent': {
        const alias = this.aliases.get(String(v.id));
        const c = alias ? { key: alias, type: this.content.byKey(alias)?.type ?? 'Issue' } : this.content.byNodeId(String(v.id));
        if (!c) return { node: null };
        const [repo, n] = c.key.split('#');
        return { node: { __typename: c.type, number: Number(n), repository: { nameWithOwner: repo } } };
      }
      case 'taskwireSetStatus':
        return this.setStatus(v);
      default:
        return {};
    }
  }

  private setStatus(v: Record<string, unknown>): Record<string, unknown> {
    const p = [...this.projects.values()].find((x) => x.id === v.project);
    const item = p?.items.find((x) => x.id === v.item);
    const field = p?.fields.find((f) => f.id === v.field);
    const option = field?.options.find((o) => o.id === v.option);
    if (!p || !item || !field || !option) return { errors: [{ type: 'NOT_FOUND', message: `Could not resolve to a node with the global id of '${String(v.item)}'` }] };
    item.values.set(field.id, option.name);
    this.touch(p, item);
    this.send('edited', p, item, 'taskwire-bot', { field_value: { field_node_id: field.id, field_type: 'single_select' } });
    return { updateProjectV2ItemFieldValue: { projectV2Item: { id: item.id, updatedAt: item.updatedAt } } };
  }

  private projectShape(p: ProjectRec) {
    return {
      id: p.id,
      title: p.title,
      url: `https://github.com/${p.ownerType === 'User' ? 'users' : 'orgs'}/${p.owner}/projects/${p.number}`,
      updatedAt: p.updatedAt,
      fields: {
        nodes: p.fields.map((f) => ({
          __typename: f.type === 'SINGLE_SELECT' ? 'ProjectV2SingleSelectField' : f.type === 'ITERATION' ? 'ProjectV2IterationField' : 'ProjectV2Field',
          id: f.id,
          name: f.name,
          dataType: f.type,
          ...(f.type === 'SINGLE_SELECT' ? { options: f.options } : {}),
          ...(f.type === 'ITERATION' ? { configuration: { iterations: f.iterations, completedIterations: [] } } : {}),
        })),
      },
    };
  }

  private itemShape(p: ProjectRec, i: ItemRec) {
    const c = i.issue !== null ? this.content.byKey(i.issue) : null;
    const [repo, n] = (i.issue ?? '#').split('#');
    const content =
      i.draft !== null
        ? { __typename: 'DraftIssue', id: i.draft.id, title: i.draft.title, body: i.draft.body, createdAt: i.draft.createdAt, updatedAt: i.draft.updatedAt, creator: { __typename: 'User', login: i.draft.creator }, assignees: { nodes: i.draft.assignees.map((login) => ({ login, name: null })) } }
        : c
          ? { __typename: c.type, number: Number(n), repository: { nameWithOwner: repo } }
          : null;
    return {
      id: i.id,
      fullDatabaseId: String(i.dbId),
      updatedAt: i.updatedAt,
      isArchived: i.archived,
      type: i.draft !== null ? 'DRAFT_ISSUE' : c?.type === 'PullRequest' ? 'PULL_REQUEST' : c ? 'ISSUE' : 'REDACTED',
      content,
      fieldValues: { nodes: p.fields.flatMap((f) => this.valueShape(f, i.values.get(f.id) ?? null)) },
    };
  }

  private valueShape(f: FieldRec, v: FakeFieldValue) {
    if (v === null) return [];
    const field = { __typename: f.type === 'SINGLE_SELECT' ? 'ProjectV2SingleSelectField' : f.type === 'ITERATION' ? 'ProjectV2IterationField' : 'ProjectV2Field', name: f.name };
    switch (f.type) {
      case 'DATE':
        return [{ __typename: 'ProjectV2ItemFieldDateValue', date: String(v), field }];
      case 'SINGLE_SELECT': {
        const o = f.options.find((x) => x.name === v);
        return o ? [{ __typename: 'ProjectV2ItemFieldSingleSelectValue', name: o.name, optionId: o.id, field }] : [];
      }
      case 'ITERATION': {
        const it = f.iterations.find((x) => x.title === v);
        return it ? [{ __typename: 'ProjectV2ItemFieldIterationValue', title: it.title, startDate: it.startDate, duration: it.duration, iterationId: it.id, field }] : [];
      }
      case 'NUMBER':
        return [{ __typename: 'ProjectV2ItemFieldNumberValue', number: Number(v), field }];
      default:
        return [{ __typename: 'ProjectV2ItemFieldTextValue', field }];
    }
  }

  private send(action: string, p: ProjectRec, i: ItemRec, by: string, changes?: Record<string, unknown>): void {
    const c = i.issue !== null ? this.content.byKey(i.issue) : null;
    this.emit(
      'projects_v2_item',
      {
        action,
        projects_v2_item: {
          id: i.dbId,
          node_id: i.id,
          project_node_id: p.id,
          content_node_id: i.draft ? i.draft.id : (c?.nodeId ?? ''),
          content_type: i.draft ? 'DraftIssue' : (c?.type ?? 'Issue'),
          creator: { login: by, id: 1, node_id: 'U_1', type: 'User' },
          created_at: i.createdAt,
          updated_at: i.updatedAt,
          archived_at: i.archived ? i.updatedAt : null,
        },
        ...(changes ? { changes } : {}),
        organization: { login: p.owner, id: 1, node_id: 'O_1' },
      },
      by,
    );
  }

  private field(f: FakeFieldSeed): FieldRec {
    const id = `${f.type === 'SINGLE_SELECT' ? 'PVTSSF' : f.type === 'ITERATION' ? 'PVTIF' : 'PVTF'}_${b64(`${f.name}:${this.nextId++}`)}`;
    return {
      id,
      name: f.name,
      type: f.type,
      options: (f.options ?? []).map((name) => ({ id: b64(`${name}:${this.nextId++}`).slice(0, 8), name })),
      iterations: (f.iterations ?? []).map((it) => ({ id: b64(`${it.title}:${this.nextId++}`).slice(0, 8), ...it })),
    };
  }

  private insert(p: ProjectRec, s: FakeProjectItemSeed): ItemRec {
    const n = this.nextId++;
    const at = this.now();
    const item: ItemRec = {
      id: s.id ?? `PVTI_${b64(`${p.key}:${n}`)}`,
      dbId: 100_000 + n,
      issue: s.issue ?? null,
      draft: s.draft ? { id: `DI_${b64(String(n))}`, title: s.draft.title, body: s.draft.body ?? '', assignees: [...(s.draft.assignees ?? [])], creator: s.draft.creator ?? 'octocat', createdAt: at, updatedAt: at } : null,
      values: new Map(),
      archived: s.archived ?? false,
      createdAt: at,
      updatedAt: at,
    };
    if (s.contentNodeId && s.issue) this.aliases.set(s.contentNodeId, s.issue);
    for (const [name, v] of Object.entries(s.values ?? {})) {
      const f = p.fields.find((x) => x.name.toLowerCase() === name.toLowerCase());
      if (!f) throw new Error(`the fake project ${p.key} has no field ${name}`);
      item.values.set(f.id, v);
    }
    p.items.push(item);
    return item;
  }

  private project(key: string): ProjectRec {
    const p = this.projects.get(key.toLowerCase());
    if (!p) throw new Error(`the fake has no project ${key}`);
    return p;
  }

  private item(p: ProjectRec, ref: string): ItemRec {
    const i = p.items.find((x) => x.id === ref || x.issue === ref);
    if (!i) throw new Error(`the fake project ${p.key} has no item ${ref}`);
    return i;
  }

  /** A change moves the item's and the project's `updatedAt` (strictly forward). */
  private touch(p: ProjectRec, i: ItemRec): void {
    const now = this.now();
    const next = (t: string) => (now > t ? now : new Date(Date.parse(t) + 1000).toISOString().replace('.000Z', 'Z'));
    i.updatedAt = next(i.updatedAt);
    if (i.draft) i.draft.updatedAt = i.updatedAt;
    p.updatedAt = next(p.updatedAt);
  }

  private headers(): Record<string, string> {
    return {
      'x-ratelimit-resource': 'graphql',
      'x-ratelimit-limit': String(this.points.limit),
      'x-ratelimit-remaining': String(this.points.remaining),
      'x-ratelimit-used': String(this.points.limit - this.points.remaining),
      'x-ratelimit-reset': String(Math.floor(this.points.resetAt / 1000)),
    };
  }
}

/**
 * Points per operation, by GitHub's rule: the requests each connection would need at its `first`,
 * summed, divided by 100, at least 1. An items page: 1 + 100 field-value lists + 100 assignee lists → 2.
 */
const COST: Readonly<Record<string, number>> = {
  taskwireProject: 1,
  taskwireProjectItems: 2,
  taskwireProjectItem: 1,
  taskwireItemContent: 1,
  taskwireSetStatus: 1,
};
