/** Builders for canonical tasks in tests: a complete, valid task with only the interesting fields given. */
import type { AccountRef, SourceItem, Task, TaskFields } from '../../src/core/model.js';

export function taskFields(over: Partial<TaskFields> & { key: string }): TaskFields {
  return {
    url: `https://example.test/${over.key}`,
    type: 'issue',
    title: `Task ${over.key}`,
    description: 'Something to do.',
    status: 'todo',
    rawStatus: 'open',
    priority: 'medium',
    rawPriority: 'P2',
    assignees: [],
    reporter: null,
    due: null,
    acceptanceCriteria: null,
    estimateS: null,
    spentS: null,
    remainingS: null,
    parent: null,
    dependsOn: [],
    links: [],
    labels: [],
    project: null,
    milestone: null,
    createdAt: '2026-11-02T09:00:00.000Z',
    updatedAt: '2026-11-02T09:00:00.000Z',
    lastHumanActivityAt: null,
    doneAt: null,
    verifiedAt: null,
    verifiedBy: null,
    ...over,
  };
}

export const taskItem = (over: Partial<TaskFields> & { key: string }): SourceItem => ({ type: 'task', task: taskFields(over) });

export const gh = (id: string, extra: Partial<AccountRef> = {}): AccountRef => ({ kind: 'github', id, ...extra });

/** A stored task (what the engine reads), from the fields that matter to a test. */
export function task(over: Partial<Task> & { key: string }): Task {
  const connector = over.connector ?? 'github-acme';
  const kind = over.kind ?? 'github';
  return {
    ...taskFields(over),
    id: `${connector}:${over.key}`,
    connector,
    kind,
    owner: null,
    deletedAt: null,
    contentHash: 'h',
    lastWrittenByUsAt: null,
    firstSeenAt: '2026-11-02T09:00:00.000Z',
    lastSeenAt: '2026-11-02T09:00:00.000Z',
    ...over,
  };
}
