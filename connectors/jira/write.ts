/**
 * Writing back to Jira for the follow-up engine: one status comment per issue, found again by a comment
 * property (`taskwire`: marker and content hash — Jira comments cannot hide a marker in their text),
 * edited in place, created only when missing; and status changes as workflow transitions by name,
 * when the config maps a status to one.
 */
import { createHash } from 'node:crypto';
import { MARKER_PREFIX } from '../../src/core/text.js';
import { ConnectorError } from '../../src/errors.js';
import type { OutboundAction, WriteResult } from '../port.js';
import { markdownToAdf } from './adf.js';
import type { JiraClient } from './client.js';
import type { JiraConfig } from './config.js';
import { SIGNATURE } from './normalize.js';
import type { JiraComment, JiraTransition } from './types.js';

const PROPERTY = 'taskwire';

export async function writeJira(client: JiraClient, config: JiraConfig, action: OutboundAction): Promise<WriteResult> {
  const refuse = (why: string) => new ConnectorError(config.name, why, { retryable: false, status: 422 });
  switch (action.type) {
    case 'status_comment':
      if (!config.writes.statusComment) throw refuse('status comments are off (writes.statusComment: false)');
      return upsertComment(client, config, action.taskKey, action.marker, action.body);
    case 'status_push': {
      const name = config.writes.transitions?.[action.status as keyof NonNullable<JiraConfig['writes']['transitions']>];
      if (!name) throw refuse(`no transition is configured for status "${action.status}" (writes.transitions)`);
      const { transitions } = await client.call(`GET transitions ${action.taskKey}`, (api) => api.issues.getTransitions<{ transitions?: JiraTransition[] }>({ issueIdOrKey: action.taskKey }));
      const want = name.toLowerCase();
      const t = (transitions ?? []).find((x) => x.name.toLowerCase() === want) ?? (transitions ?? []).find((x) => x.to?.name?.toLowerCase() === want);
      if (!t) throw refuse(`${action.taskKey} has no transition "${name}" from its current status (available: ${(transitions ?? []).map((x) => x.name).join(', ') || 'none'})`);
      await client.call(`POST transition ${action.taskKey}`, (api) => api.issues.doTransition({ issueIdOrKey: action.taskKey, transition: { id: t.id } }));
      return { externalId: null, url: `${config.host}/browse/${action.taskKey}` };
    }
    default:
      throw refuse(`Jira cannot send a ${action.type}`);
  }
}

async function upsertComment(client: JiraClient, config: JiraConfig, key: string, marker: string, text: string): Promise<WriteResult> {
  // Jira shows everything: the hidden marker is dropped from the text and kept in the comment property.
  const visible = text.split('\n').filter((l) => !l.trim().startsWith(MARKER_PREFIX)).join('\n').trim();
  const body = visible.toLowerCase().includes(SIGNATURE) ? visible : `${visible}\n\n_${SIGNATURE}_`;
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
  const properties = [{ key: PROPERTY, value: { marker, hash } }];
  const doc = client.cloud ? markdownToAdf(body) : body;
  const ours = await findOurs(client, key, marker);
  const url = (id: string) => `${config.host}/browse/${key}?focusedCommentId=${id}`;
  if (ours) {
    const current = ours.properties?.find((p) => p.key === PROPERTY)?.value as { hash?: string } | undefined;
    if (current?.hash === hash) return { externalId: ours.id, url: url(ours.id) };
    const updated = (await client.call(`PUT comment ${key}/${ours.id}`, (api) =>
      api.issueComments.updateComment({ issueIdOrKey: key, id: ours.id, body: doc as never, properties, notifyUsers: false }),
    )) as unknown as JiraComment;
    return { externalId: updated.id ?? ours.id, url: url(updated.id ?? ours.id) };
  }
  const created = (await client.call(`POST comment ${key}`, (api) => api.issueComments.addComment({ issueIdOrKey: key, comment: doc as never, properties }))) as unknown as JiraComment;
  return { externalId: created.id, url: url(created.id) };
}

async function findOurs(client: JiraClient, key: string, marker: string): Promise<JiraComment | null> {
  for (let startAt = 0; ; ) {
    const page = (await client.call(`GET comments ${key}`, (api) => api.issueComments.getComments({ issueIdOrKey: key, startAt, maxResults: 100, expand: 'properties' }))) as unknown as {
      comments?: JiraComment[];
      total?: number;
    };
    const comments = page.comments ?? [];
    const hit = comments.find((c) => c.properties?.some((p) => p.key === PROPERTY && (p.value as { marker?: string } | null)?.marker === marker));
    if (hit) return hit;
    startAt += comments.length;
    if (comments.length === 0 || (page.total !== undefined && startAt >= page.total)) return null;
  }
}
