/**
 * The GraphQL taskwire sends, and what the fake answers, checked against GitHub's published schema
 * (`test/fixtures/github/schema.docs.graphql`, from @octokit/graphql-schema 15.26.1): every query and
 * mutation validates, and every answer of the fake executes against its query without an error — a
 * missing non-null field, a value outside an enum or an unresolvable union member fails it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, execute, parse, validate, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { GithubFake } from '../../../connectors/github/fake.js';
import { QUERIES } from '../../../connectors/github/projects.js';

let schema: GraphQLSchema;
beforeAll(() => {
  // The published SDL defines one field twice (EnterpriseOwnerInfo.repositoryDeployKeySetting): read as GitHub serves it.
  schema = buildSchema(readFileSync(join(import.meta.dirname, '../../fixtures/github/schema.docs.graphql'), 'utf8'), { assumeValidSDL: true });
});

const fake = new GithubFake({
  repos: [{ fullName: 'acme/infra', issues: [{ title: 'One' }, { title: 'Two', pull: {} }] }],
  projects: [
    {
      project: 'acme/3',
      fields: [
        { name: 'Status', type: 'SINGLE_SELECT', options: ['Todo', 'Done'] },
        { name: 'Priority', type: 'SINGLE_SELECT', options: ['P0'] },
        { name: 'Target date', type: 'DATE' },
        { name: 'Iteration', type: 'ITERATION', iterations: [{ title: 'Sprint 1', startDate: '2026-12-01', duration: 14 }] },
        { name: 'Estimate', type: 'NUMBER' },
        { name: 'Notes', type: 'TEXT' },
      ],
      items: [
        { issue: 'acme/infra#1', values: { Status: 'Todo', Priority: 'P0', 'Target date': '2026-12-09', Iteration: 'Sprint 1', Estimate: 3, Notes: 'x' } },
        { issue: 'acme/infra#2' },
        { draft: { title: 'Draft', assignees: ['alexk'] }, values: { Status: 'Done' } },
      ],
    },
  ],
});

/** What the fake answers to a request, without a server (its GraphQL handler alone). */
function answer(query: string, variables: Record<string, unknown>): { data?: Record<string, unknown>; errors?: unknown } {
  const res = fake.projects.handle({ method: 'POST', path: '/graphql', query: new URLSearchParams(), headers: {}, rawBody: Buffer.alloc(0), body: { query, variables }, params: {} });
  return res.body as { data?: Record<string, unknown> };
}

function check(query: string, variables: Record<string, unknown>) {
  const document = parse(query);
  const body = answer(query, variables);
  expect(body.errors).toBeUndefined();
  const result = execute({ schema, document, rootValue: body.data, variableValues: variables }) as { data?: unknown; errors?: readonly Error[] };
  return { body, result };
}

describe('GitHub GraphQL: queries and the fake against the published schema', () => {
  it('every query and mutation taskwire sends is valid', () => {
    for (const [name, q] of Object.entries(QUERIES)) expect(validate(schema, parse(q)).map((e) => `${name}: ${e.message}`)).toEqual([]);
  });

  it("the fake's answers execute against each query without an error", () => {
    const projectId = fake.projects.projectId('acme/3');
    const item = fake.projects.itemId('acme/3', 'acme/infra#1');
    const issueNode = (answer(QUERIES.items, { id: projectId, after: null }).data as { node: { items: { nodes: { content: { __typename: string } }[] } } }).node.items.nodes;
    expect(issueNode.map((n) => n.content.__typename)).toEqual(['Issue', 'PullRequest', 'DraftIssue']);
    const cases: [string, Record<string, unknown>][] = [
      [QUERIES.project, { owner: 'acme', number: 3 }],
      [QUERIES.items, { id: projectId, after: null }],
      [QUERIES.item, { id: item }],
      [QUERIES.content, { id: Buffer.from(`I_${1}`).toString('base64') }],
      [QUERIES.setStatus, { project: projectId, item, field: 'x', option: 'y' }],
    ];
    for (const [q, v] of cases.slice(0, 4)) {
      const { result } = check(q, v);
      expect(result.errors ?? []).toEqual([]);
    }
  });

  it('the mutation: an answer in the schema\'s shape; a wrong id answered NOT_FOUND as GitHub does', () => {
    const projectId = fake.projects.projectId('acme/3');
    const item = fake.projects.itemId('acme/3', 'acme/infra#2');
    const p = answer(QUERIES.project, { owner: 'acme', number: 3 }).data as { repositoryOwner: { projectV2: { fields: { nodes: { id: string; name: string; options?: { id: string; name: string }[] }[] } } } };
    const status = p.repositoryOwner.projectV2.fields.nodes.find((f) => f.name === 'Status')!;
    const { result } = check(QUERIES.setStatus, { project: projectId, item, field: status.id, option: status.options![1]!.id });
    expect(result.errors ?? []).toEqual([]);
    expect(fake.projects.value('acme/3', 'acme/infra#2', 'Status')).toBe('Done');
    expect((answer(QUERIES.setStatus, { project: projectId, item: 'PVTI_nope', field: status.id, option: 'x' }).errors as { type: string }[])[0]!.type).toBe('NOT_FOUND');
  });

  it('the check catches an answer outside the schema (a missing non-null field, a value outside an enum)', () => {
    const projectId = fake.projects.projectId('acme/3');
    const good = answer(QUERIES.items, { id: projectId, after: null }).data as { node: { items: { nodes: Record<string, unknown>[] } } };
    const broken = structuredClone(good);
    delete broken.node.items.nodes[0]!.updatedAt;
    broken.node.items.nodes[1]!.type = 'TICKET';
    const r = execute({ schema, document: parse(QUERIES.items), rootValue: broken, variableValues: { id: projectId } }) as { errors?: readonly Error[] };
    expect((r.errors ?? []).map((e) => e.message).join('\n')).toMatch(/non-nullable field ProjectV2Item.updatedAt[\s\S]*Enum "ProjectV2ItemType" cannot represent value: "TICKET"/);
  });
});
