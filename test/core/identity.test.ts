import { describe, expect, it } from 'vitest';
import { buildIdentity } from '../../src/core/identity.js';
import type { AccountRef } from '../../src/core/model.js';

const identity = buildIdentity({
  people: [
    { id: 'alex', name: 'Alex Kim', email: 'Alex@Example.com', accounts: { github: ['alexk'], jira: ['5b10a'] } },
    { id: 'sam', name: 'Sam Rivera', email: 'sam@example.com', accounts: { slack: ['U04SAM'] } },
  ],
  teams: [{ id: 'platform', name: 'Platform', aliases: ['DevOps'], accounts: { jira: ['712020:devops'] }, members: ['alex', 'sam'], lead: 'alex' }],
  discovered: [{ kind: 'notion', id: 'n-sam', email: 'SAM@example.com' }],
});

describe('resolve', () => {
  it.each<[string, AccountRef, unknown]>([
    ['a listed account (case-insensitive login)', { kind: 'github', id: 'AlexK' }, { kind: 'person', personId: 'alex', via: 'registry' }],
    ['the same id in another tool is someone else', { kind: 'slack', id: 'alexk' }, { kind: 'unmapped' }],
    ['a team group account', { kind: 'jira', id: '712020:devops' }, { kind: 'team', teamId: 'platform', via: 'registry' }],
    ['a team alias as display name', { kind: 'jira', id: 'abc', name: 'devops' }, { kind: 'team', teamId: 'platform', via: 'alias' }],
    ['a team alias as login', { kind: 'github', id: 'DevOps' }, { kind: 'team', teamId: 'platform', via: 'alias' }],
    ['an email on the account', { kind: 'github', id: 'alex-2', email: 'alex@example.com' }, { kind: 'person', personId: 'alex', via: 'email' }],
    ['an email from the tool’s users list', { kind: 'notion', id: 'n-sam' }, { kind: 'person', personId: 'sam', via: 'email' }],
    ['a bot', { kind: 'github', id: 'dependabot[bot]', isBot: true }, { kind: 'bot' }],
    ['nobody', { kind: 'github', id: 'stranger' }, { kind: 'unmapped' }],
  ])('%s', (_name, account, expected) => {
    expect(identity.resolve(account)).toEqual(expected);
  });
});

describe('ownership', () => {
  it.each<[string, AccountRef[], string | null, Partial<ReturnType<typeof identity.ownership>>]>([
    ['nobody assigned', [], null, { people: [] }],
    ['one person', [{ kind: 'github', id: 'alexk' }], 'alex', { people: ['alex'] }],
    ['one person through two accounts', [{ kind: 'github', id: 'alexk' }, { kind: 'jira', id: '5b10a' }], 'alex', { people: ['alex'] }],
    ['two people', [{ kind: 'github', id: 'alexk' }, { kind: 'slack', id: 'U04SAM' }], null, { people: ['alex', 'sam'] }],
    ['a team', [{ kind: 'jira', id: 'x', name: 'DevOps' }], null, { teams: ['platform'] }],
    ['a person and an unknown account', [{ kind: 'github', id: 'alexk' }, { kind: 'github', id: 'who' }], null, { unmapped: [{ kind: 'github', id: 'who' }] }],
    ['a person and a bot', [{ kind: 'github', id: 'alexk' }, { kind: 'github', id: 'ci', isBot: true }], 'alex', { bots: [{ kind: 'github', id: 'ci', isBot: true }] }],
    // Every account is an owner: one the registry does not know yet owns its task as itself.
    ['an unknown account alone', [{ kind: 'github', id: 'Carol-Net' }], 'github:carol-net', { people: [], unmapped: [{ kind: 'github', id: 'Carol-Net' }] }],
    ['an unknown account and a bot', [{ kind: 'github', id: 'carol-net' }, { kind: 'github', id: 'ci', isBot: true }], 'github:carol-net', {}],
    ['two unknown accounts', [{ kind: 'github', id: 'carol-net' }, { kind: 'github', id: 'dan' }], null, {}],
    ['a team and an unknown account', [{ kind: 'jira', id: 'x', name: 'DevOps' }, { kind: 'jira', id: 'u-1' }], null, { teams: ['platform'] }],
  ])('%s', (_name, assignees, owner, rest) => {
    const o = identity.ownership(assignees);
    expect(o.owner).toBe(owner);
    expect(o).toMatchObject(rest);
  });
});

it('changes its fingerprint when the registry changes, and only then', () => {
  const a = buildIdentity({ people: [{ id: 'x', name: 'X', accounts: { github: ['x'] } }], teams: [] });
  const b = buildIdentity({ people: [{ id: 'x', name: 'X', accounts: { github: ['x'] } }], teams: [] });
  const c = buildIdentity({ people: [{ id: 'x', name: 'X', accounts: { github: ['x', 'x2'] } }], teams: [] });
  expect(a.fingerprint).toBe(b.fingerprint);
  expect(a.fingerprint).not.toBe(c.fingerprint);
});
