import { describe, expect, it } from 'vitest';
import { findReferences, sectionUnder } from '../../src/core/text.js';

describe('sectionUnder', () => {
  const cases: [string, string, string | null][] = [
    ['## Acceptance criteria\n- a\n- b\n\n## Notes\nx', 'Acceptance criteria', '- a\n- b'],
    ['# Title\n### Acceptance Criteria:\nworks\n#### detail\nmore\n## Next\nno', 'acceptance criteria', 'works\n#### detail\nmore'],
    ['**Acceptance criteria**\n- records verified in staging\n\n**Notes**\nx', 'Acceptance criteria', '- records verified in staging'],
    ['Acceptance criteria:\n- one\n- two', 'Acceptance criteria', '- one\n- two'],
    ['## Acceptance criteria\n\n## Notes', 'Acceptance criteria', null],
    ['Nothing here', 'Acceptance criteria', null],
    ['The acceptance criteria are in the doc', 'Acceptance criteria', null],
  ];
  it.each(cases)('%j', (md, heading, want) => expect(sectionUnder(md, heading)).toBe(want));
  it('is null for no text', () => expect(sectionUnder(null, 'x')).toBeNull());
});

describe('findReferences', () => {
  it('reads blockers after "blocked by" / "depends on", up to the end of the sentence', () => {
    const r = findReferences('Depends on acme/network#3 and #4. Blocked by OPS-7, OPS-8 and https://acme.atlassian.net/browse/NET-2.\nSee OPS-14.', { repo: 'acme/infra' });
    expect(r.dependsOn).toEqual(['github:acme/network#3', 'github:acme/infra#4', 'https://acme.atlassian.net/browse/NET-2', 'jira:OPS-7', 'jira:OPS-8']);
    expect(r.links).toContain('jira:OPS-14');
    expect(r.links).toContain('jira:OPS-7');
  });
  it('ignores standards and versions that look like keys, and code', () => {
    const r = findReferences('Use UTF-8 and SHA-256 per RFC-9110; `blocked by #9` is an example.\n```\ndepends on OPS-1\n```', { repo: 'a/b' });
    expect(r).toEqual({ dependsOn: [], links: [] });
  });
  it('needs a repo for a bare #number', () => {
    expect(findReferences('blocked by #12').dependsOn).toEqual([]);
  });
  it('keeps only task URLs among links', () => {
    const r = findReferences('docs at https://example.com/guide, task https://www.notion.so/acme/Approve-scope-0f3a9d1e2c4b and https://github.com/acme/api/issues/7.');
    expect(r.links).toEqual(['https://www.notion.so/acme/Approve-scope-0f3a9d1e2c4b', 'https://github.com/acme/api/issues/7']);
  });
});
