import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GithubFake } from '../../../connectors/github/fake.js';
import { ContractChecker } from '../../support/openapi.js';

const spec = new ContractChecker('github/github-rest-subset.openapi.json');
const fake = new GithubFake(
  {
    users: [{ login: 'alexk', name: 'Alex Kim' }],
    orgs: { acme: ['acme/infra'] },
    repos: [
      {
        fullName: 'acme/infra',
        milestones: [{ number: 1, title: 'Cutover', dueOn: '2026-12-04T08:00:00Z' }],
        issues: [
          { title: 'Parent', labels: ['P1'], assignees: ['alexk'], milestone: 1, comments: [{ user: 'alexk', body: 'hi' }] },
          { title: 'Child', parent: 1, blockedBy: [1], fields: [{ name: 'Target date', type: 'date', value: '2026-12-01' }] },
          { title: 'OPS-14: health checks', state: 'closed', pull: { merged: true, mergedBy: 'alexk', reviews: [{ user: 'alexk', state: 'APPROVED' }] } },
        ],
      },
    ],
  },
  { self: 'taskwire-bot' },
);

beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${fake.url}${path}`, { method, headers: { authorization: 'token ghp_faketoken', 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: res.status === 204 ? null : ((await res.json())), headers: res.headers };
}

// [method, spec path, concrete path, body]
const cases: [string, string, string, unknown?][] = [
  ['GET', '/user', '/user'],
  ['GET', '/rate_limit', '/rate_limit'],
  ['GET', '/orgs/{org}/repos', '/orgs/acme/repos'],
  ['GET', '/repos/{owner}/{repo}/issues', '/repos/acme/infra/issues?state=all&sort=updated&direction=asc&per_page=100'],
  ['GET', '/repos/{owner}/{repo}/issues/{issue_number}', '/repos/acme/infra/issues/2'],
  ['GET', '/repos/{owner}/{repo}/issues/comments', '/repos/acme/infra/issues/comments?sort=updated&direction=asc'],
  ['GET', '/repos/{owner}/{repo}/issues/{issue_number}/comments', '/repos/acme/infra/issues/1/comments'],
  ['GET', '/repos/{owner}/{repo}/issues/{issue_number}/labels', '/repos/acme/infra/issues/1/labels'],
  ['GET', '/repos/{owner}/{repo}/issues/{issue_number}/sub_issues', '/repos/acme/infra/issues/1/sub_issues'],
  ['GET', '/repos/{owner}/{repo}/issues/{issue_number}/parent', '/repos/acme/infra/issues/2/parent'],
  ['GET', '/repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by', '/repos/acme/infra/issues/2/dependencies/blocked_by'],
  ['GET', '/repos/{owner}/{repo}/milestones', '/repos/acme/infra/milestones'],
  ['GET', '/repos/{owner}/{repo}/pulls/{pull_number}', '/repos/acme/infra/pulls/3'],
  ['GET', '/repos/{owner}/{repo}/pulls/{pull_number}/reviews', '/repos/acme/infra/pulls/3/reviews'],
  ['POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments', '/repos/acme/infra/issues/1/comments', { body: 'status' }],
  ['PATCH', '/repos/{owner}/{repo}/issues/comments/{comment_id}', '/repos/acme/infra/issues/comments/{last}', { body: 'status, edited' }],
  ['POST', '/repos/{owner}/{repo}/issues/{issue_number}/labels', '/repos/acme/infra/issues/1/labels', { labels: ['blocked'] }],
  ['PATCH', '/repos/{owner}/{repo}/issues/{issue_number}', '/repos/acme/infra/issues/2', { state: 'closed', state_reason: 'completed' }],
  // After the writes above: labeled, assigned, milestoned, closed (seeded and written) in the stream.
  ['GET', '/repos/{owner}/{repo}/issues/events', '/repos/acme/infra/issues/events?per_page=100'],
];

describe("the GitHub fake's answers conform to GitHub's OpenAPI description", () => {
  let lastComment = 0;
  it.each(cases)('%s %s', async (method, specPath, path, body) => {
    const res = await call(method, path.replace('{last}', String(lastComment)), body);
    expect(res.status).toBeLessThan(300);
    if (method === 'POST' && specPath.endsWith('/comments')) lastComment = (res.body as { id: number }).id;
    expect(spec.check(method, specPath, res.status, res.body)).toEqual([]);
  });

  it('the checker is not a rubber stamp: a wrong shape is reported', () => {
    expect(spec.check('GET', '/repos/{owner}/{repo}/issues/{issue_number}', 200, { id: 'x' })).not.toEqual([]);
  });

  it('pages with Link headers and answers a repeated conditional request 304', async () => {
    const first = await call('GET', '/repos/acme/infra/issues?state=all&per_page=1');
    expect(first.headers.get('link')).toMatch(/rel="next"/);
    const etag = first.headers.get('etag')!;
    const again = await fetch(`${fake.url}/repos/acme/infra/issues?state=all&per_page=1`, { headers: { authorization: 'token ghp_faketoken', 'if-none-match': etag } });
    expect(again.status).toBe(304);
    const unauth = await fetch(`${fake.url}/user`);
    expect(unauth.status).toBe(401);
  });
});
