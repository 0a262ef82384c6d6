import { describe, expect, it } from 'vitest';
import { dayOf, toTask, valueMaps, type NotionSourceContext } from '../../../connectors/notion/normalize.js';
import type { NotionPage } from '../../../connectors/notion/types.js';
import { fixture, goldenJson } from '../../support/golden.js';

const ctx: NotionSourceContext = {
  timezone: 'Europe/Berlin',
  properties: { owner: 'Assignee', due: 'Due', status: 'Status', priority: 'Priority', blockedBy: 'Blocked by', parent: 'Parent item', acceptanceCriteria: 'Acceptance criteria', estimate: 'Estimate', verified: 'Verified', milestone: 'Milestone' },
  ...valueMaps({ statusMap: { 'Waiting on client': 'blocked' } }),
  project: 'Client A migration',
  botUserId: 'b0t00000-0000-4000-8000-000000000001',
};

describe('Notion row → canonical task (golden, from recorded page payloads)', () => {
  it('people, relations, status, priority, estimate, and a date-time read as a day in the team time zone', () => {
    const t = toTask(fixture<NotionPage>('notion/api/page-approval.json'), ctx);
    goldenJson('notion/page-approval.json', t);
    expect(t).toMatchObject({
      key: '1a2b3c4d-0000-4000-8000-000000000001',
      title: 'Client approval on scope',
      status: 'in_progress',
      priority: 'high',
      assignees: [{ kind: 'notion', id: 'u0000000-0000-4000-8000-0000000priya', name: 'Priya Nair', email: 'priya@example.com' }],
      // 20 Nov 23:30 in Los Angeles is 21 Nov 08:30 in Berlin.
      due: '2026-11-21',
      dependsOn: ['notion:1a2b3c4d-0000-4000-8000-000000000009'],
      parent: 'notion:1a2b3c4d-0000-4000-8000-000000000000',
      acceptanceCriteria: 'Signed scope document in the shared drive',
      estimateS: 5400,
      milestone: 'Cutover',
      project: 'Client A migration',
      lastHumanActivityAt: '2026-11-20T15:42:00.000Z',
    });
  });

  it('Done with the Verified box ticked is verified; an edit by the integration is not human activity', () => {
    const t = toTask(fixture<NotionPage>('notion/api/page-verified.json'), ctx);
    goldenJson('notion/page-verified.json', t);
    expect(t).toMatchObject({ status: 'verified', due: '2026-11-18', lastHumanActivityAt: null, verifiedAt: '2026-11-20T15:42:00.000Z' });
  });

  it.each([
    [{ start: '2026-11-27', time_zone: null }, 'Pacific/Auckland', '2026-11-27'],
    [{ start: '2026-03-29T01:30:00.000', time_zone: 'Europe/London' }, 'Europe/Berlin', '2026-03-29'],
    [{ start: '2026-10-25T23:30:00.000+00:00', time_zone: null }, 'Europe/Berlin', '2026-10-26'],
    [{ start: '2026-10-25T23:30:00.000+00:00', time_zone: null }, 'America/Chicago', '2026-10-25'],
  ])('date %j in %s → %s', (date, tz, want) => expect(dayOf(date, tz)).toBe(want));
});
