import { describe, expect, it } from 'vitest';
import { dueDateOf, labelMaps, pullEvidence, toTask, type NormalizeContext } from '../../../connectors/github/normalize.js';
import type { GhIssue, GhPull, GhReview } from '../../../connectors/github/types.js';
import { fixture, goldenJson } from '../../support/golden.js';

const ctx: NormalizeContext = {
  timezone: 'Europe/Berlin',
  labels: labelMaps({ priority: { 'sev 1': 'urgent' }, status: {} }),
  acceptanceCriteriaHeading: 'Acceptance criteria',
};

describe('GitHub issue → canonical task (golden, from recorded payloads)', () => {
  it("GitHub's own example issue", () => {
    goldenJson('github/issue.json', toTask(fixture<GhIssue>('github/api/issue.json'), [], ctx));
  });

  it('an open issue with blockers, acceptance criteria, two assignees, a priority label and a milestone', () => {
    const t = toTask(fixture<GhIssue>('github/api/issue-acme-infra-12.json'), ['acme/network#3'], ctx);
    goldenJson('github/issue-acme-infra-12.json', t);
    expect(t.key).toBe('acme/infra#12');
    expect(t.status).toBe('in_progress');
    expect(t.priority).toBe('high');
    expect(t.rawPriority).toBe('P1');
    expect(t.assignees.map((a) => a.id)).toEqual(['alexk', 'samr']);
    expect(t.due).toBe('2026-11-27'); // a milestone date at 08:00 UTC is that calendar day
    expect(t.parent).toBe('github:acme/infra#5');
    expect(t.dependsOn).toEqual(['github:acme/network#3', 'jira:OPS-7']);
    expect(t.links).toEqual(['https://acme.atlassian.net/browse/OPS-20', 'jira:OPS-14']);
    expect(t.acceptanceCriteria).toBe('- [ ] rule in place in staging\n- [ ] verified with dig from both resolvers');
  });

  it('a bot-opened issue closed as not planned is cancelled, with no human activity', () => {
    const t = toTask(fixture<GhIssue>('github/api/issue-acme-infra-13.json'), [], ctx);
    goldenJson('github/issue-acme-infra-13.json', t);
    expect(t.status).toBe('cancelled');
    expect(t.lastHumanActivityAt).toBeNull();
    expect(t.reporter).toMatchObject({ id: 'renovate[bot]', isBot: true });
  });

  it('every issue in the example listing normalizes', () => {
    const items = fixture<GhIssue[]>('github/api/issue-items.json').map((i) => toTask(i, [], ctx));
    goldenJson('github/issue-items.json', items);
  });

  it('maps labels through the defaults and the config, case- and separator-insensitively', () => {
    const base = fixture<GhIssue>('github/api/issue-acme-infra-12.json');
    const withLabels = (...names: string[]) => toTask({ ...base, labels: names.map((name) => ({ name })) }, [], ctx);
    expect(withLabels('Priority/High').priority).toBe('high');
    expect(withLabels('P3', 'P0').priority).toBe('urgent');
    expect(withLabels('sev-1').priority).toBe('urgent');
    expect(withLabels('In-Progress', 'Blocked').status).toBe('blocked');
    expect(withLabels('bug').priority).toBeNull();
    expect(toTask({ ...base, state: 'closed', state_reason: 'completed', closed_at: '2026-11-21T09:00:00Z', labels: [{ name: 'verified' }] }, [], ctx)).toMatchObject({ status: 'verified', doneAt: '2026-11-21T09:00:00Z' });
  });

  it('takes the due date from a configured issue field over the milestone', () => {
    const base = fixture<GhIssue>('github/api/issue-acme-infra-12.json');
    const t = toTask({ ...base, issue_field_values: [{ issue_field_name: 'Target date', data_type: 'date', value: '2026-12-03' }] }, [], { ...ctx, dueDateField: 'target date' });
    expect(t.due).toBe('2026-12-03');
  });
});

describe('due dates are calendar days', () => {
  it.each([
    ['2026-11-27T08:00:00Z', 'America/Los_Angeles', '2026-11-27'],
    ['2026-11-27T07:00:00Z', 'Pacific/Honolulu', '2026-11-27'],
    ['2026-11-27T00:00:00Z', 'America/New_York', '2026-11-27'],
    ['2026-11-27T23:30:00Z', 'Asia/Tokyo', '2026-11-28'],
    ['2026-11-27T15:30:00Z', 'America/Los_Angeles', '2026-11-27'],
  ])('%s in %s → %s', (ts, tz, want) => expect(dueDateOf(ts, tz)).toBe(want));
});

describe('pull requests are evidence about the tasks they name', () => {
  it('a merged, approved PR naming a Jira key and closing an issue', () => {
    const ev = pullEvidence(fixture<GhPull>('github/api/pull-acme-infra-45.json'), fixture<GhReview[]>('github/api/reviews-acme-infra-45.json'), 'acme/infra');
    goldenJson('github/pull-acme-infra-45.evidence.json', ev);
    expect(ev.map((e) => `${e.kind} ${e.target}`)).toEqual(['done github:acme/infra#12', 'done jira:OPS-14', 'verified github:acme/infra#12', 'verified jira:OPS-14']);
  });

  it('a later "changes requested" cancels an approval; an open draft is no evidence', () => {
    const pr = fixture<GhPull>('github/api/pull-acme-infra-45.json');
    const reviews = fixture<GhReview[]>('github/api/reviews-acme-infra-45.json');
    const later = { ...reviews[0]!, id: 2, state: 'CHANGES_REQUESTED', submitted_at: '2026-11-22T16:00:00Z' };
    expect(pullEvidence(pr, [...reviews, later], 'acme/infra').filter((e) => e.kind === 'verified')).toEqual([]);
    expect(pullEvidence({ ...pr, state: 'open', merged: false, merged_at: null, draft: true }, [], 'acme/infra')).toEqual([]);
    expect(pullEvidence({ ...pr, state: 'open', merged: false, merged_at: null, draft: false }, [], 'acme/infra').map((e) => e.kind)).toEqual(['in_review', 'in_review']);
  });
});
