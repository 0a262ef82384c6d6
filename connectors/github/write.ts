/**
 * Writing back to GitHub for the follow-up engine: one status comment per issue, edited in place and
 * created only when missing (repeating it never makes a second); status labels and close/reopen when
 * the config allows them, each checked against the issue's current state first. Writes are paced and
 * retried by the client's policy.
 *
 * A person's edit wins. Our comment is found by its marker *and* its author (our own account), and it
 * carries a seal — a hidden hash of the text we wrote. A comment whose text no longer matches its seal
 * was edited by a person, and one we wrote that is gone was deleted by a person: either way taskwire
 * leaves it alone and does not post another.
 */
import { createHash } from 'node:crypto';
import { MARKER_PREFIX } from '../../src/core/text.js';
import { ConnectorError } from '../../src/errors.js';
import type { OutboundAction, WriteOptions, WriteResult } from '../port.js';
import type { GithubClient } from './client.js';
import type { GithubConfig } from './config.js';
import type { GhComment, GhIssue } from './types.js';
import { keyParts } from './normalize.js';
import { isDraftKey } from './project-fields.js';
import type { Projects } from './projects.js';

export interface GithubWriteDeps {
  readonly client: GithubClient;
  readonly config: GithubConfig;
  /**
   * The login taskwire writes as (a token's user; fails when it cannot be read, so no comment is ever
   * mistaken for ours); null for a GitHub App, whose comments come from a Bot account.
   */
  readonly selfLogin: () => Promise<string | null>;
  /** The configured projects, for setting an item's Status (writes.projectStatus). */
  readonly projects?: Projects;
}

export async function writeGithub(deps: GithubWriteDeps, action: OutboundAction, opts: WriteOptions = {}): Promise<WriteResult> {
  const { client, config } = deps;
  const refuse = (why: string) => new ConnectorError(config.name, why, { retryable: false, status: 422 });
  // A draft issue lives only in its project: no comments, no labels, no state of its own.
  if (action.type !== 'status_push' && 'taskKey' in action && isDraftKey(action.taskKey)) return { externalId: null, leftAlone: 'a draft issue in a project has no comments or labels' };
  switch (action.type) {
    case 'status_comment': {
      if (!config.writes.statusComment) throw refuse('status comments are off (writes.statusComment: false)');
      return upsertComment(deps, parseKey(action.taskKey), action.marker, action.body, opts.previous?.externalId ?? null);
    }
    case 'label': {
      if (!config.writes.labels) throw refuse('label writes are off (writes.labels: false)');
      const { owner, repo, number } = parseKey(action.taskKey);
      if (action.add.length > 0) await client.send('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', { owner, repo, issue_number: number, labels: [...action.add] });
      for (const name of action.remove) {
        try {
          await client.send('DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}', { owner, repo, issue_number: number, name });
        } catch (err) {
          if ((err as ConnectorError).status !== 404) throw err; // not on the issue: already what we want
        }
      }
      return { externalId: null };
    }
    case 'status_push': {
      const inProject = config.writes.projectStatus ? await pushToProjects(deps, action.taskKey, action.status) : null;
      if (!config.writes.closeReopen) {
        if (inProject === null) throw refuse('close/reopen is off (writes.closeReopen: false)');
        if (!inProject.ok) throw refuse(inProject.why);
        return { externalId: null };
      }
      if (isDraftKey(action.taskKey)) return { externalId: null };
      const { owner, repo, number } = parseKey(action.taskKey);
      const state = STATE_FOR[action.status];
      if (!state) {
        if (inProject?.ok) return { externalId: null }; // blocked, in review: the project's Status says it
        throw refuse(`GitHub issues have no status "${action.status}": use a status label`);
      }
      const current = await client.get<GhIssue>('GET /repos/{owner}/{repo}/issues/{issue_number}', { owner, repo, issue_number: number });
      if (current.data.state === state.state && (state.state === 'open' || current.data.state_reason === state.state_reason)) return { externalId: null, url: current.data.html_url };
      const updated = await client.send<GhIssue>('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { owner, repo, issue_number: number, ...state });
      return { externalId: null, url: updated.html_url };
    }
    default:
      throw refuse(`GitHub cannot send a ${action.type}`);
  }
}

/**
 * Sets the Status field in every configured project the task is in (each write checks the item's
 * current value first). ok when at least one project took it; otherwise why not.
 */
async function pushToProjects(deps: GithubWriteDeps, key: string, status: string): Promise<{ ok: true } | { ok: false; why: string }> {
  if (!deps.projects) return { ok: false, why: 'no projects are configured' };
  const plans = (await deps.projects.plansFor(key)).filter((p) => !p.removed);
  if (plans.length === 0) return { ok: false, why: `${key} is in none of the configured projects` };
  const why: string[] = [];
  let ok = false;
  for (const plan of plans) {
    const r = await deps.projects.setStatus(plan, status);
    if ('done' in r) ok = true;
    else why.push(r.refused);
  }
  return ok ? { ok: true } : { ok: false, why: why.join('; ') };
}

const STATE_FOR: Readonly<Record<string, { state: 'open' | 'closed'; state_reason?: string }>> = {
  done: { state: 'closed', state_reason: 'completed' },
  verified: { state: 'closed', state_reason: 'completed' },
  cancelled: { state: 'closed', state_reason: 'not_planned' },
  todo: { state: 'open' },
  in_progress: { state: 'open' },
};

async function upsertComment(deps: GithubWriteDeps, at: { owner: string; repo: string; number: number }, marker: string, text: string, previousId: string | null): Promise<WriteResult> {
  const { client } = deps;
  const visible = visibleText(text);
  const body = `${marker}\n${seal(visible)}\n${visible}`;
  const self = await deps.selfLogin();
  const mine = (c: GhComment) => (self !== null ? c.user?.login === self : c.user?.type === 'Bot');
  const comments = await client.getAll<GhComment>('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: at.owner, repo: at.repo, issue_number: at.number });
  const known = previousId === null ? undefined : comments.find((c) => String(c.id) === previousId);
  if (previousId !== null && known === undefined) return { externalId: previousId, leftAlone: 'a person deleted the status comment' };
  const ours = known ?? comments.find((c) => mine(c) && c.body?.includes(marker));
  if (!ours) {
    const created = await client.send<GhComment>('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: at.owner, repo: at.repo, issue_number: at.number, body });
    return { externalId: String(created.id), url: created.html_url };
  }
  if (!mine(ours)) return { externalId: String(ours.id), url: ours.html_url, leftAlone: `the comment is ${ours.user?.login ?? 'someone else'}'s, not taskwire's` };
  if (!sealIntact(ours.body ?? '')) return { externalId: String(ours.id), url: ours.html_url, leftAlone: `a person edited the status comment (${ours.updated_at})` };
  if (ours.body === body) return { externalId: String(ours.id), url: ours.html_url };
  const updated = await client.send<GhComment>('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { owner: at.owner, repo: at.repo, comment_id: ours.id, body });
  return { externalId: String(updated.id), url: updated.html_url };
}

const SEAL = `${MARKER_PREFIX}seal `;

/** What a person reads: the text without taskwire's hidden lines (marker, seal). */
const visibleText = (text: string) =>
  text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .filter((l) => !l.startsWith(MARKER_PREFIX))
    .join('\n');

/** A hidden line holding a hash of the text taskwire wrote (line endings normalized, as an edit box may change them). */
function seal(visible: string): string {
  return `${SEAL}${digest(visible)} -->`;
}

const digest = (t: string) => createHash('sha256').update(t.replace(/\r\n/g, '\n').trimEnd()).digest('hex').slice(0, 16);

/** True when the comment's text is still what its seal says taskwire wrote (an unsealed, older comment counts as intact). */
export function sealIntact(body: string): boolean {
  const sealLine = body.replace(/\r\n/g, '\n').split('\n').find((l) => l.startsWith(SEAL));
  if (sealLine === undefined) return true;
  return digest(visibleText(body)) === sealLine.slice(SEAL.length).replace(/\s*-->\s*$/, '');
}

export function parseKey(key: string): { owner: string; repo: string; number: number } {
  const parts = keyParts(key);
  if (!parts) throw new TypeError(`not a GitHub issue key: ${key}`);
  return parts;
}
