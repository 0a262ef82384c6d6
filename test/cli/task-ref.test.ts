import { describe, expect, it } from 'vitest';
import { resolveTask, shortKey } from '../../src/cli/task-ref.js';
import { openDatabase } from '../../src/store/db.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { taskFields } from '../support/tasks.js';

describe('naming a task on the command line', () => {
  it('gives Notion and Slack tasks short readable keys, and takes them back', async () => {
    const store = new SqliteStore(openDatabase(':memory:'));
    await store.applyBatch({ name: 'notion-acme', kind: 'notion' }, [{ type: 'task', task: taskFields({ key: '5c0e0000-0000-4000-8000-000000000001', title: 'Client approval on scope' }), owner: null }], null);
    await store.applyBatch({ name: 'jira-acme', kind: 'jira' }, [{ type: 'task', task: taskFields({ key: 'OPS-14', title: 'Add health checks' }), owner: null }], null);
    const [notion] = await store.listTasks({ connector: 'notion-acme' });
    expect(shortKey(notion!)).toBe('notion:client-approval-on-scope');
    expect(shortKey({ kind: 'jira', key: 'OPS-14', title: 'x' })).toBe('OPS-14');
    expect(shortKey({ kind: 'email', key: 'dns-cutover.1@client-a.example', title: 'Please move the DNS cutover' })).toBe('email:please-move-the-dns-cutover');
    expect(await resolveTask(store, 'notion:client-approval-on-scope')).toBe(notion!.id);
    expect(await resolveTask(store, 'OPS-14')).toBe('jira-acme:OPS-14');
    expect(await resolveTask(store, 'health')).toBe('jira-acme:OPS-14');
    await expect(resolveTask(store, 'a')).rejects.toThrow(/"a" is in the title of 2 tasks: OPS-14 "Add health checks"; notion:client-approval-on-scope "Client approval on scope"/);
    await expect(resolveTask(store, 'nothing like it')).rejects.toThrow(/no task "nothing like it"/);
  });
});
