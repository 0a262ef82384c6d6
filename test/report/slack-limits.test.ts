import { describe, expect, it } from 'vitest';
import type { Report, ReportItem } from '../../src/core/report/model.js';
import { SLACK_MAX_BLOCKS, SLACK_MAX_TEXT, renderSlack } from '../../src/core/report/render-slack.js';

const item = (i: number, long = false): ReportItem => ({ id: `t${i}`, label: `OPS-${i} (Jira)`, title: long ? 'x'.repeat(900) : `Task ${i}`, url: `https://acme.atlassian.net/browse/OPS-${i}`, owner: 'Alex Kim', due: '2026-11-26', status: 'todo', reason: long ? 'y'.repeat(900) : 'nobody owns it' });

function bigReport(n: number, long = false): Report {
  const many = Array.from({ length: n }, (_, i) => item(i, long));
  return {
    version: 1,
    title: 'taskwire daily report',
    generatedAt: '2026-11-25T07:00:00.000Z',
    timezone: 'Europe/Berlin',
    window: { from: '2026-11-24T07:00:00.000Z', to: '2026-11-25T07:00:00.000Z' },
    headline: { open: n, done: 0, verified: 0, new: n, overdue: n, atRisk: n, blocked: n, ownerless: n, undated: n },
    previous: null,
    change: null,
    needsDecision: { ownerless: many, teamOwned: many, sharedOwner: many, undated: many, unprioritized: many, cycles: many.map((m) => ({ path: [m.id], reason: `cycle through ${m.label}` })) },
    summary: ['Since the last report: 0 done.', 'Needs a decision: nothing.', 'Most at risk: nothing this week.'],
    standup: many.map((m) => ({ person: m.id, name: m.label, line: `doing: ${m.label}` })),
    atRisk: { overdue: many, stale: many, deadline: many.map((m) => ({ ...m, level: 'high' as const, pMiss: 0.9, expectedFinish: '2026-12-01', reasons: ['needs 5 days of work; 1 left'] })), dependency: many, blocked: many },
    awaitingVerification: many.map((m) => ({ ...m, verifier: 'Priya Nair', doneAt: null, acceptanceCriteria: null })),
    byPerson: [],
    health: many.map((m) => ({ kind: 'milestone' as const, name: m.label, state: 'off_track' as const, reasons: ['late'], open: 3, doneShare: 0.1, verifiedShare: 0, forecastFinish: null, plannedFinish: null, total: 4, done: 1 })),
    changes: { created: [], closed: [], reopened: [], statusMoves: [] },
    followups: { mode: 'plan', items: [] },
    trend: [],
    flagCounts: {},
    workload: [],
    sync: { connectors: Array.from({ length: 40 }, (_, i) => ({ name: `c${i}`, kind: 'jira', lastSyncAt: null, webhookFailures: 1, deadLetters: 2 })), unmappedPeople: [], unresolvedReferences: 0 },
  };
}

describe('the Slack report stays within Slack\'s limits', () => {
  it('folds long lists into "and N more" with a link to the HTML report', () => {
    const { blocks } = renderSlack(bigReport(500), 'https://reports.acme.test/latest.html');
    const texts = blocks.map((b) => (b as { text?: { text: string } }).text?.text ?? '');
    expect(texts.find((t) => t.startsWith('*Nobody owns these* (500)'))).toMatch(/…and 492 more in <https:\/\/reports\.acme\.test\/latest\.html\|the full report>$/);
    expect(blocks.length).toBeLessThanOrEqual(SLACK_MAX_BLOCKS);
  });

  it('never exceeds 50 blocks or 3,000 characters in a text, however long the titles', () => {
    for (const n of [0, 1, 9, 60, 2000]) {
      const { blocks } = renderSlack(bigReport(n, true), 'https://reports.acme.test/latest.html');
      expect(blocks.length).toBeLessThanOrEqual(SLACK_MAX_BLOCKS);
      for (const b of blocks) {
        const x = b as { text?: { text: string }; fields?: { text: string }[]; elements?: { text: string }[] };
        for (const t of [x.text?.text, ...(x.fields ?? []).map((f) => f.text), ...(x.elements ?? []).map((e) => e.text)]) {
          if (t !== undefined) expect(t.length).toBeLessThanOrEqual(SLACK_MAX_TEXT);
        }
      }
    }
  });
});
