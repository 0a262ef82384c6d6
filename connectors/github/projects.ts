/**
 * GitHub Projects through the GraphQL API: a project's fields, its items page by page, one item by id
 * (webhooks), and setting an item's Status (write-back). Every query asks for its cost, so the client
 * stays inside the GraphQL points budget (`client.graphql`).
 *
 * What each project says about an issue is kept as the connector's state (`plan:<issue key>|<project>`),
 * written with the page that read it, so a poll of the issue alone (REST) lays the same plan over it.
 * GitHub's items connection has no `updatedAt` filter or order (only POSITION): a poll asks first for
 * the project's `updatedAt` (one point) and pages the items only when it moved, or once an hour.
 * https://docs.github.com/en/issues/planning-and-tracking-with-projects/automating-your-project/using-the-api-to-manage-projects
 */
import type { ConnectorState } from '../port.js';
import type { GithubClient } from './client.js';
import type { GithubConfig, GithubProjectConfig } from './config.js';
import { optionKey as optionKeyOf, projectMaps, type ProjectMaps, type ProjectPlan } from './project-fields.js';
import type { GqlProject, GqlProjectField, GqlProjectItem } from './types.js';

const RATE = 'rateLimit { cost remaining limit resetAt }';

const ITEM_FIELDS = `
  id fullDatabaseId updatedAt isArchived type
  content {
    __typename
    ... on Issue { number repository { nameWithOwner } }
    ... on PullRequest { number repository { nameWithOwner } }
    ... on DraftIssue { id title body createdAt updatedAt creator { login } assignees(first: 10) { nodes { login name } } }
  }
  fieldValues(first: 30) {
    nodes {
      __typename
      ... on ProjectV2ItemFieldDateValue { date field { ... on ProjectV2FieldCommon { name } } }
      ... on ProjectV2ItemFieldSingleSelectValue { name optionId field { ... on ProjectV2FieldCommon { name } } }
      ... on ProjectV2ItemFieldIterationValue { title startDate duration iterationId field { ... on ProjectV2FieldCommon { name } } }
      ... on ProjectV2ItemFieldNumberValue { number field { ... on ProjectV2FieldCommon { name } } }
    }
  }`;

/** Every query and mutation taskwire sends (checked against GitHub's published schema in a test). */
export const QUERIES = {
  project: `query taskwireProject($owner: String!, $number: Int!) {
  repositoryOwner(login: $owner) {
    __typename
    ... on ProjectV2Owner {
      projectV2(number: $number) {
        id title url updatedAt
        fields(first: 50) {
          nodes {
            __typename
            ... on ProjectV2FieldCommon { id name dataType }
            ... on ProjectV2SingleSelectField { options { id name } }
            ... on ProjectV2IterationField { configuration { iterations { id title startDate duration } completedIterations { id title startDate duration } } }
          }
        }
      }
    }
  }
  ${RATE}
}`,
  items: `query taskwireProjectItems($id: ID!, $after: String) {
  node(id: $id) {
    __typename
    ... on ProjectV2 {
      items(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { ${ITEM_FIELDS} }
      }
    }
  }
  ${RATE}
}`,
  item: `query taskwireProjectItem($id: ID!) {
  node(id: $id) {
    __typename
    ... on ProjectV2Item { ${ITEM_FIELDS}
      project { id }
    }
  }
  ${RATE}
}`,
  content: `query taskwireItemContent($id: ID!) {
  node(id: $id) {
    __typename
    ... on Issue { number repository { nameWithOwner } }
    ... on PullRequest { number repository { nameWithOwner } }
  }
  ${RATE}
}`,
  setStatus: `mutation taskwireSetStatus($project: ID!, $item: ID!, $field: ID!, $option: String!) {
  updateProjectV2ItemFieldValue(input: { projectId: $project, itemId: $item, fieldId: $field, value: { singleSelectOptionId: $option } }) {
    projectV2Item { id updatedAt }
  }
}`,
} as const;

/** A configured project as GitHub describes it. */
export interface ProjectInfo {
  readonly name: string;
  readonly config: GithubProjectConfig;
  readonly maps: ProjectMaps;
  readonly id: string;
  readonly title: string;
  readonly url: string;
  readonly updatedAt: string;
  readonly fields: readonly GqlProjectField[];
}

/** The state key of what one project says about one item. */
export const planKey = (key: string, project: string) => `plan:${key}|${project}`;

/** A project's fields are asked for again at most this often (a new option shows within minutes). */
const INFO_TTL_MS = 10 * 60_000;

export class Projects {
  private readonly infos = new Map<string, { at: number; info: Promise<ProjectInfo> }>();
  readonly order: readonly string[];

  constructor(
    private readonly client: GithubClient,
    private readonly config: Pick<GithubConfig, 'projects'>,
    private readonly state: ConnectorState,
  ) {
    this.order = config.projects.map((p) => p.project);
  }

  get configured(): readonly GithubProjectConfig[] {
    return this.config.projects;
  }

  /** The project (id, fields, `updatedAt`); `fresh` asks GitHub again (a poll's first question). */
  async info(name: string, fresh = false): Promise<ProjectInfo> {
    const cached = this.infos.get(name);
    if (!fresh && cached && Date.now() - cached.at < INFO_TTL_MS) return cached.info;
    const config = this.config.projects.find((p) => p.project === name);
    if (!config) throw new TypeError(`project ${name} is not configured`);
    const info = this.read(config);
    this.infos.set(name, { at: Date.now(), info });
    info.catch(() => this.infos.get(name)?.info === info && this.infos.delete(name));
    return info;
  }

  private async read(config: GithubProjectConfig): Promise<ProjectInfo> {
    const [owner, number] = config.project.split('/');
    type Answer = { repositoryOwner: { __typename: string; projectV2?: GqlProject | null } | null };
    const data = await this.client.graphql<Answer>('taskwireProject', QUERIES.project, { owner, number: Number(number) });
    const p = data.repositoryOwner?.projectV2;
    if (!p) throw new Error(`projects: ${config.project}: no such project, or the token cannot see it (it needs read:project)`);
    return { name: config.project, config, maps: projectMaps(config), id: p.id, title: p.title, url: p.url, updatedAt: p.updatedAt, fields: p.fields.nodes.filter((f): f is GqlProjectField => f !== null) };
  }

  /** The configured project with this node id, or null. */
  async byId(id: string): Promise<ProjectInfo | null> {
    for (const name of this.order) {
      const info = await this.info(name);
      if (info.id === id) return info;
    }
    return null;
  }

  /** The project's items, a page (100) at a time. */
  async *pages(info: ProjectInfo, signal: AbortSignal): AsyncGenerator<GqlProjectItem[]> {
    type Answer = { node: { items: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: (GqlProjectItem | null)[] } } | null };
    let after: string | null = null;
    for (;;) {
      signal.throwIfAborted();
      const data: Answer = await this.client.graphql<Answer>('taskwireProjectItems', QUERIES.items, { id: info.id, after });
      if (!data.node) throw new Error(`projects: ${info.name} is gone`);
      yield data.node.items.nodes.filter((n): n is GqlProjectItem => n !== null);
      if (!data.node.items.pageInfo.hasNextPage) return;
      after = data.node.items.pageInfo.endCursor;
    }
  }

  /** One item by its node id (with its project's id), or null when it is gone. */
  async item(id: string): Promise<GqlProjectItem | null> {
    const data = await this.client.graphql<{ node: (GqlProjectItem & { __typename: string }) | null }>('taskwireProjectItem', QUERIES.item, { id });
    return data.node && data.node.__typename === 'ProjectV2Item' ? data.node : null;
  }

  /** `owner/repo#n` of an issue or pull request by node id, or null. */
  async contentKey(id: string): Promise<string | null> {
    type Answer = { node: { __typename: string; number?: number; repository?: { nameWithOwner: string } } | null };
    const n = (await this.client.graphql<Answer>('taskwireItemContent', QUERIES.content, { id })).node;
    return n?.number !== undefined && n.repository ? `${n.repository.nameWithOwner}#${n.number}` : null;
  }

  /** Every stored plan (or one task's: `key`), by task key, each key's plans in config order. */
  async book(key?: string): Promise<PlanBook> {
    const book = new PlanBook(this.order);
    for (const [k, v] of await this.list(key === undefined ? 'plan:' : planKey(key, ''))) book.put(k, JSON.parse(v) as StoredPlan);
    return book;
  }

  /** The stored plans of one task, in config order. */
  async plansFor(key: string): Promise<StoredPlan[]> {
    return (await this.book(key)).get(key);
  }

  /** Plans in config order. */
  inOrder(plans: readonly ProjectPlan[]): ProjectPlan[] {
    return [...plans].sort((a, b) => this.order.indexOf(a.project) - this.order.indexOf(b.project));
  }

  private async list(prefix: string): Promise<[string, string][]> {
    if (!this.state.list) throw new Error('GitHub projects need a store that lists connector state');
    return this.state.list(prefix);
  }

  /**
   * Sets the item's Status to the option that means `status`. Reads the item first: when it already
   * says so, nothing is written (a repeat after a lost answer changes nothing). Returns what happened.
   */
  async setStatus(plan: ProjectPlan, status: string): Promise<{ readonly done: 'set' | 'already' } | { readonly refused: string }> {
    const info = await this.info(plan.project);
    const field = info.fields.find((f) => f.__typename === 'ProjectV2SingleSelectField' && f.name.toLowerCase() === info.config.fields.status.toLowerCase());
    if (!field) return { refused: `${plan.project} has no single-select field "${info.config.fields.status}"` };
    const option = (field.options ?? []).find((o) => info.maps.status[optionKeyOf(o.name)] === status);
    if (!option) return { refused: `${plan.project}'s ${field.name} has no option meaning ${status} (options: ${(field.options ?? []).map((o) => o.name).join(', ')})` };
    const current = await this.item(plan.itemId);
    if (current === null) return { refused: `the item is no longer in ${plan.project}` };
    const now = current.fieldValues.nodes.find((v) => v !== null && v.__typename === 'ProjectV2ItemFieldSingleSelectValue' && (v.field?.name ?? '').toLowerCase() === field.name.toLowerCase()) as { optionId?: string | null } | undefined;
    if (now?.optionId === option.id) return { done: 'already' };
    await this.client.graphql('taskwireSetStatus', QUERIES.setStatus, { project: info.id, item: plan.itemId, field: field.id, option: option.id }, { write: true });
    return { done: 'set' };
  }
}

/** A plan as stored (`removed`: the item left the project; kept for the time it left). */
export type StoredPlan = ProjectPlan;

/** Plans by task key, each key's in config order. */
export class PlanBook {
  private readonly byKey = new Map<string, Map<string, StoredPlan>>();

  constructor(private readonly order: readonly string[]) {}

  put(stateKey: string, plan: StoredPlan): void {
    const key = stateKey.slice('plan:'.length, stateKey.lastIndexOf('|'));
    let m = this.byKey.get(key);
    if (!m) this.byKey.set(key, (m = new Map<string, StoredPlan>()));
    m.set(plan.project, plan);
  }

  get(key: string): StoredPlan[] {
    const m = this.byKey.get(key);
    return m ? [...m.values()].sort((a, b) => this.order.indexOf(a.project) - this.order.indexOf(b.project)) : [];
  }

  one(key: string, project: string): StoredPlan | undefined {
    return this.byKey.get(key)?.get(project);
  }

  /** Keys with a live plan from this project. */
  keysOf(project: string): string[] {
    return [...this.byKey].filter(([, m]) => m.has(project) && !m.get(project)!.removed).map(([k]) => k);
  }
}
