import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JiraFake } from '../../../connectors/jira/fake.js';
import { ContractChecker } from '../../support/openapi.js';
import { JIRA_USERS } from '../../support/jira.js';

const spec = new ContractChecker('jira/jira-platform-openapi.json');
const fake = new JiraFake(
  {
    users: JIRA_USERS,
    projects: [{ key: 'OPS', name: 'Operations' }],
    issues: [
      { key: 'OPS-1', summary: 'Client A migration', issuetype: 'Epic' },
      { key: 'OPS-9', summary: 'Confirm server specs', assignee: 'acc-sam', estimateS: 14400, statusHistory: [['In Progress', '2026-11-18T08:00:00.000Z', 'acc-sam']], status: 'In Progress' },
      { key: 'OPS-12', summary: 'Migrate DNS records', parent: 'OPS-1', blockedBy: ['OPS-9'], relatesTo: ['OPS-1'], duedate: '2026-11-26', comments: [{ author: 'acc-alex', body: 'on it' }], custom: { customfield_10050: 'records verified' } },
    ],
  },
  { self: 'acc-bot', email: 'taskwire@example.com', apiToken: 'jira-token' },
);
const auth = `Basic ${Buffer.from('taskwire@example.com:jira-token').toString('base64')}`;

beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${fake.url}${path}`, { method, headers: { authorization: auth, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: res.status === 204 ? null : ((await res.json())) };
}

const adf = { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'taskwire status' }] }] };
const cases: [string, string, string, unknown?][] = [
  ['GET', '/rest/api/3/myself', '/rest/api/3/myself'],
  ['GET', '/rest/api/3/users/search', '/rest/api/3/users/search?maxResults=10'],
  ['GET', '/rest/api/3/field', '/rest/api/3/field'],
  ['POST', '/rest/api/3/search/jql', '/rest/api/3/search/jql', { jql: 'project = OPS ORDER BY updated ASC', fields: ['*all'], expand: 'changelog', maxResults: 2 }],
  ['GET', '/rest/api/3/search/jql', '/rest/api/3/search/jql?jql=project%20%3D%20OPS&fields=summary,status'],
  ['GET', '/rest/api/3/issue/{issueIdOrKey}', '/rest/api/3/issue/OPS-12?expand=changelog'],
  ['GET', '/rest/api/3/issue/{issueIdOrKey}/comment', '/rest/api/3/issue/OPS-12/comment?expand=properties'],
  ['POST', '/rest/api/3/issue/{issueIdOrKey}/comment', '/rest/api/3/issue/OPS-12/comment', { body: adf, properties: [{ key: 'taskwire', value: { marker: 'm' } }] }],
  ['GET', '/rest/api/3/issue/{issueIdOrKey}/transitions', '/rest/api/3/issue/OPS-12/transitions'],
];

describe("the Jira fake's answers conform to Atlassian's OpenAPI description", () => {
  it.each(cases)('%s %s', async (method, specPath, path, body) => {
    const res = await call(method, path, body);
    expect(res.status).toBeLessThan(300);
    expect(spec.check(method, specPath, res.status, res.body)).toEqual([]);
  });

  it('answers without a field list with ids only, as the enhanced search does', async () => {
    const res = await call('GET', '/rest/api/3/search/jql?jql=project%20%3D%20OPS');
    expect((res.body as { issues: { fields: object }[] }).issues.every((i) => Object.keys(i.fields).length === 0)).toBe(true);
  });

  it('rejects unbounded and malformed JQL with Jira\'s words', async () => {
    const unbounded = await call('POST', '/rest/api/3/search/jql', { jql: 'ORDER BY updated ASC' });
    expect(unbounded).toMatchObject({ status: 400, body: { errorMessages: [expect.stringMatching(/Unbounded JQL/)] } });
    const unknown = await call('POST', '/rest/api/3/search/jql', { jql: 'colour = red' });
    expect(unknown).toMatchObject({ status: 400, body: { errorMessages: ["Field 'colour' does not exist or you do not have permission to view it."] } });
  });
});
