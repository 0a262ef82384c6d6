import { describe, expect, it } from 'vitest';
import { adfToMarkdown, markdownToAdf, type AdfNode } from '../../../connectors/jira/adf.js';
import { historyOf, isoOf, maps, toTask, type JiraNormalizeContext } from '../../../connectors/jira/normalize.js';
import type { JiraIssue } from '../../../connectors/jira/types.js';
import { fixture, goldenJson } from '../../support/golden.js';

const ctx: JiraNormalizeContext = {
  host: 'https://acme.atlassian.net',
  ...maps({ statusMap: { 'Waiting for client': 'blocked' } }),
  acceptanceCriteriaHeading: 'Acceptance criteria',
  acceptanceCriteriaField: 'customfield_10050',
  sprintField: 'customfield_10020',
  selfAccountId: 'acc-bot',
};

describe('Jira issue → canonical task (golden, from recorded payloads)', () => {
  it("Atlassian's example search page (links, sub-tasks, time tracking, comments)", () => {
    const page = fixture<{ issues: JiraIssue[] }>('jira/api/search-jql.json');
    const tasks = page.issues.map((i) => toTask(i, ctx));
    goldenJson('jira/search-jql.json', tasks);
    // "ED-1 depends on PR-3" (the inward phrase of the Dependent link applies); "is depended by PR-2" is only related.
    expect(tasks[0]).toMatchObject({ key: 'ED-1', dependsOn: ['jira:PR-3'], links: ['jira:PR-2'], estimateS: 600, spentS: 400, remainingS: 200 });
  });

  it("Atlassian's example issue", () => {
    goldenJson('jira/issue.json', toTask(fixture<JiraIssue>('jira/api/issue.json'), ctx));
  });

  it('a scenario issue: status by name and category, priority, due date, acceptance criteria field, blockers, sprint', () => {
    const issue = fixture<JiraIssue>('jira/api/issue-ops-12.json');
    const t = toTask(issue, ctx);
    goldenJson('jira/issue-ops-12.json', t);
    expect(t).toMatchObject({
      key: 'OPS-12',
      url: 'https://acme.atlassian.net/browse/OPS-12',
      status: 'blocked',
      rawStatus: 'Waiting for client',
      priority: 'urgent',
      due: '2026-11-26',
      acceptanceCriteria: 'records verified in staging before cutover',
      dependsOn: ['jira:OPS-9', 'https://github.com/acme/infra/issues/12'],
      milestone: 'Sprint 14',
      parent: 'jira:OPS-1',
    });
    expect(t.assignees).toEqual([{ kind: 'jira', id: 'acc-alex', name: 'Alex Kim', email: 'alex@example.com' }]);
    // The automation's comment is not human activity; Sam's is.
    expect(t.lastHumanActivityAt).toBe('2026-11-20T09:30:00.000Z');
  });

  it('done with a "Won\'t Do" resolution is cancelled; a done-category status named Closed is verified', () => {
    const issue = fixture<JiraIssue>('jira/api/issue-ops-12.json');
    const done = (name: string, resolution: string) => toTask({ ...issue, fields: { ...issue.fields, status: { name, statusCategory: { key: 'done' } }, resolution: { name: resolution }, resolutiondate: '2026-11-21T10:00:00.000+0000' } }, ctx);
    expect(done('Done', "Won't Do").status).toBe('cancelled');
    expect(done('Done', 'Done')).toMatchObject({ status: 'done', doneAt: '2026-11-21T10:00:00.000Z' });
    expect(done('Closed', 'Done').status).toBe('verified');
  });

  it('reads the changelog as history with Jira\'s own times and authors', () => {
    const issue = fixture<JiraIssue>('jira/api/issue-ops-12.json');
    expect(historyOf(issue, ctx)).toEqual([
      { field: 'status', oldValue: 'todo', newValue: 'in_progress', at: '2026-11-18T08:00:00.000Z', actor: 'human', actorId: 'acc-alex' },
      { field: 'assignees', oldValue: [], newValue: [{ kind: 'jira', id: 'acc-alex' }], at: '2026-11-18T08:00:00.000Z', actor: 'human', actorId: 'acc-alex' },
      { field: 'status', oldValue: 'in_progress', newValue: 'blocked', at: '2026-11-20T09:00:00.000Z', actor: 'bot', actorId: 'acc-automation' },
    ]);
  });

  it('parses Jira timestamps with offsets and epoch milliseconds', () => {
    expect(isoOf('2026-11-20T10:15:30.000+0100')).toBe('2026-11-20T09:15:30.000Z');
    expect(isoOf(1_795_500_000_000)).toBe(new Date(1_795_500_000_000).toISOString());
    expect(isoOf(null)).toBeNull();
  });
});

describe('ADF ↔ Markdown', () => {
  it('renders what people write in descriptions', () => {
    const doc: AdfNode = {
      type: 'doc',
      version: 1,
      content: [
        { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Context' }] },
        { type: 'paragraph', content: [{ type: 'text', text: 'See ' }, { type: 'text', text: 'the runbook', marks: [{ type: 'link', attrs: { href: 'https://wiki/runbook' } }] }, { type: 'text', text: ', ' }, { type: 'mention', attrs: { id: 'acc-sam', text: '@Sam Rivera' } }, { type: 'text', text: ' owns ' }, { type: 'text', text: 'dns', marks: [{ type: 'code' }] }] },
        { type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'one', marks: [{ type: 'strong' }] }] }, { type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'nested' }] }] }] }] }] },
        { type: 'taskList', attrs: { localId: 'x' }, content: [{ type: 'taskItem', attrs: { state: 'DONE', localId: 'a' }, content: [{ type: 'text', text: 'backup taken' }] }, { type: 'taskItem', attrs: { state: 'TODO', localId: 'b' }, content: [{ type: 'text', text: 'cut over' }] }] },
        { type: 'codeBlock', attrs: { language: 'sh' }, content: [{ type: 'text', text: 'dig +short example.com' }] },
        { type: 'table', content: [{ type: 'tableRow', content: [{ type: 'tableHeader', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'host' }] }] }, { type: 'tableHeader', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'ip' }] }] }] }, { type: 'tableRow', content: [{ type: 'tableCell', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'ns1' }] }] }, { type: 'tableCell', content: [{ type: 'paragraph', content: [{ type: 'text', text: '10.0.0.1' }] }] }] }] },
      ],
    };
    expect(adfToMarkdown(doc)).toBe(
      '## Context\n\nSee [the runbook](https://wiki/runbook), @Sam Rivera owns `dns`\n\n- **one**\n  - nested\n\n- [x] backup taken\n- [ ] cut over\n\n```sh\ndig +short example.com\n```\n\n| host | ip |\n| --- | --- |\n| ns1 | 10.0.0.1 |',
    );
  });

  it('writes Markdown as ADF that reads back the same', () => {
    const md = '## taskwire status\n\n**Owner**: Alex Kim\n\n- needs one owner\n- add [acceptance criteria](https://x/y)\n\n_taskwire status_';
    expect(adfToMarkdown(markdownToAdf(md))).toBe(md);
    expect(adfToMarkdown(null)).toBeNull();
    expect(adfToMarkdown('plain wiki text')).toBe('plain wiki text');
  });
});
