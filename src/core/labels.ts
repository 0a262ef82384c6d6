/**
 * How a task is named in text people read. GitHub and Jira give work a short human key (OPS-14,
 * acme/infra#12); Notion pages and Slack messages have none — their title is their name.
 */
import type { ConnectorKind, Task } from './model.js';

export const TOOL_NAME: Readonly<Record<ConnectorKind, string>> = { github: 'GitHub', jira: 'Jira', slack: 'Slack', notion: 'Notion', email: 'Email' };

const SHORT = 36;

/** Whether the tool gives the task a key people use (OPS-14, acme/infra#12). */
export function hasHumanKey(t: Pick<Task, 'kind'>): boolean {
  return t.kind === 'github' || t.kind === 'jira';
}

/** "OPS-14 (Jira)", or for keyless tools the (shortened) title: "“Client approval on scope” (Notion)". */
export function taskLabel(t: Pick<Task, 'kind' | 'key' | 'title'>): string {
  return hasHumanKey(t) ? `${t.key} (${TOOL_NAME[t.kind]})` : `“${shorten(t.title, SHORT)}” (${TOOL_NAME[t.kind]})`;
}

/** The label with the title: "OPS-14 (Jira): Add health checks", "Client approval on scope (Notion)". */
export function taskHeadline(t: Pick<Task, 'kind' | 'key' | 'title'>): string {
  return hasHumanKey(t) ? `${taskLabel(t)}: ${t.title}` : `${t.title} (${TOOL_NAME[t.kind]})`;
}

export function shorten(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1).trimEnd()}…`;
}
