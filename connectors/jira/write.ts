/**
 * Writing back to Jira for the follow-up engine: one status comment per issue, found again by a comment
 * property (`taskwire`: marker and content hash — Jira comments cannot hide a marker in their text) and
 * by its author, edited in place, created only when missing; and status changes as workflow
 * transitions by name, when the config maps a status to one — skipped when the issue is there already.
 *
 * A person's edit wins: a comment whose last editor is not taskwire's account (Jira's "Edit all
 * comments" permission lets people edit anyone's), or one taskwire wrote that is gone, is left alone.
 */
import { createHash } from 'node:crypto';
import { MARKER_PREFIX } from '../../src/core/text.js';
import { ConnectorError } from '../../src/errors.js';
import type { OutboundAction, WriteOptions, WriteResult } from '../port.js';
import { markdownToAdf } from './adf.js';
import type { JiraClient } from './client.js';
import type { JiraConfig } from './config.js';
import { SIGNATURE } from './normalize.js';
import type { JiraComment, JiraIssue, JiraTransition } from './types.js';

export interface JiraWriteDeps {
  readonly client: JiraClient;
  readonly config: JiraConfig;
  /** The account taskwire writes as. */
  readonly selfAccountId: () => Promise<string>;
}

const PROPERTY = 'taskwire';

export async function writeJira(deps: JiraWriteDeps, action: OutboundAction, opts: WriteOptions = {}): Promise<WriteResult> {
  const { client, config } = deps;
  const refuse = (why: string) => new ConnectorError(config.name, why, { retryable: false, status: 422 });
  switch (action.type) {
    case 'status_comment':
      if (!config.writes.statusComment) throw refuse('status comments are off (writes.statusComment: false)');
      return upsertComment(deps, action.taskKey, action.marker, action.body, opts.previous?.externalId ?? null);
    case 'status_push': {
      const name = config.writes.transitions?.[action.status as keyof NonNullable<JiraConfig['writes']['transitions']>];
      if (!name) throw refuse(`no transition is configured for status "${action.status}" (writes.transitions)`);
      // Repeating a transition after a lost response: the issue is there already.
      const issue = (await client.call(`GET issue ${action.taskKey}`, (api) => api.issues.getIssue({ issueIdOrKey: action.taskKey, fields: ['status'] }))) as unknown as JiraIssue;
      const want = name.toLowerCase();
      if (issue.fields.status?.name?.toLowerCase() === want) return { externalId: null, url: `${config.host}/browse/${action.taskKey}` };
      const { transitions } = await client.call(`GET transitions ${action.taskKey}`, (api) => api.issues.getTransitions<{ transitions?: JiraTransition[] }>({ issueIdOrKey: action.taskKey }));
      const t = (transitions ?? []).find((x) => x.name.toLowerCase() === want) ?? (transitions ?? []).find((x) => x.to?.name?.toLowerCase() === want);
      if (!t) throw refuse(`${action.taskKey} has no transition "${name}" from its current status (available: ${(transitions ?? []).map((x) => x.name).join(', ') || 'none'})`);
      await client.call(`POST transition ${action.taskKey}`, (api) => api.issues.doTransition({ issueIdOrKey: action.taskKey, transition: { id: t.id } }), { lane: 'write', idempotent: false });
      return { externalId: null, url: `${config.host}/browse/${action.taskKey}` };
    }
    default:
      throw refuse(`Jira cannot send a ${action.type}`);
  }
}

async function upsertComment(deps: JiraWriteDeps, key: string, marker: string, text: string, previousId: string | null): Promise<WriteResult> {
  const { client, config } = deps;
  // Jira shows everything: the hidden marker is dropped from the text and kept in the comment property.
  const visible = text.split('\n').filter((l) => !l.trim().startsWith(MARKER_PREFIX)).join('\n').trim();
  const body = visible.toLowerCase().includes(SIGNATURE) ? visible : `${visible}\n\n_${SIGNATURE}_`;
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
  const properties = [{ key: PROPERTY, value: { marker, hash } }];
  const doc = client.cloud ? markdownToAdf(body) : body;
  const self = await deps.selfAccountId();
  const url = (id: string) => `${config.host}/browse/${key}?focusedCommentId=${id}`;
  const ours = await findOurs(client, key, marker, previousId, self);
  if (ours === 'gone') return { externalId: previousId, leftAlone: 'a person deleted the status comment' };
  if (ours) {
    const editor = ours.updateAuthor?.accountId;
    if (editor !== undefined && editor !== self) return { externalId: ours.id, url: url(ours.id), leftAlone: `${ours.updateAuthor?.displayName ?? 'a person'} edited the status comment` };
    const current = ours.properties?.find((p) => p.key === PROPERTY)?.value as { hash?: string } | undefined;
    if (current?.hash === hash) return { externalId: ours.id, url: url(ours.id) };
    const updated = (await client.call(`PUT comment ${key}/${ours.id}`, (api) =>
      api.issueComments.updateComment({ issueIdOrKey: key, id: ours.id, body: doc as never, properties, notifyUsers: false }), { lane: 'write', idempotent: true },
    )) as unknown as JiraComment;
    return { externalId: updated.id ?? ours.id, url: url(updated.id ?? ours.id) };
  }
  const created = (await client.call(`POST comment ${key}`, (api) => api.issueComments.addComment({ issueIdOrKey: key, comment: doc as never, properties }), { lane: 'notify' })) as unknown as JiraComment;
  return { externalId: created.id, url: url(created.id) };
}

/**
 * Our comment: the one we wrote before (by id: 'gone' when a person deleted it), else the one with our
 * marker property written by our account.
 */
async function findOurs(client: JiraClient, key: string, marker: string, previousId: string | null, self: string): Promise<JiraComment | 'gone' | null> {
  let byMarker: JiraComment | null = null;
  for (let startAt = 0; ; ) {
    const page = (await client.call(`GET comments ${key}`, (api) => api.issueComments.getComments({ issueIdOrKey: key, startAt, maxResults: 100, expand: 'properties' }))) as unknown as {
      comments?: JiraComment[];
      total?: number;
    };
    const comments = page.comments ?? [];
    if (previousId !== null) {
      const known = comments.find((c) => c.id === previousId);
      if (known) return known;
    }
    byMarker ??= comments.find((c) => c.author?.accountId === self && c.properties?.some((p) => p.key === PROPERTY && (p.value as { marker?: string } | null)?.marker === marker)) ?? null;
    startAt += comments.length;
    if (comments.length === 0 || (page.total !== undefined && startAt >= page.total)) break;
  }
  return previousId !== null ? 'gone' : byMarker;
}
