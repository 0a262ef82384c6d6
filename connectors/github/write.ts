/**
 * Writing back to GitHub for the follow-up engine: one status comment per issue (found again by its
 * hidden marker, edited in place, created only when missing — repeating it never makes a second),
 * status labels and close/reopen when the config allows them. Writes are paced by the client's
 * throttling (≥ 1 s apart) and rate limits honoured there.
 */
import { ConnectorError } from '../../src/errors.js';
import type { OutboundAction, WriteResult } from '../port.js';
import type { GithubClient } from './client.js';
import type { GithubConfig } from './config.js';
import type { GhComment, GhIssue } from './types.js';

export async function writeGithub(client: GithubClient, config: GithubConfig, action: OutboundAction): Promise<WriteResult> {
  const refuse = (why: string) => new ConnectorError(config.name, why, { retryable: false, status: 422 });
  switch (action.type) {
    case 'status_comment': {
      if (!config.writes.statusComment) throw refuse('status comments are off (writes.statusComment: false)');
      return upsertComment(client, parseKey(action.taskKey), action.marker, action.body);
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
      if (!config.writes.closeReopen) throw refuse('close/reopen is off (writes.closeReopen: false)');
      const { owner, repo, number } = parseKey(action.taskKey);
      const state = STATE_FOR[action.status];
      if (!state) throw refuse(`GitHub issues have no status "${action.status}": use a status label`);
      const current = await client.get<GhIssue>('GET /repos/{owner}/{repo}/issues/{issue_number}', { owner, repo, issue_number: number });
      if (current.data.state === state.state && (state.state === 'open' || current.data.state_reason === state.state_reason)) return { externalId: null, url: current.data.html_url };
      const updated = await client.send<GhIssue>('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { owner, repo, issue_number: number, ...state });
      return { externalId: null, url: updated.html_url };
    }
    default:
      throw refuse(`GitHub cannot send a ${action.type}`);
  }
}

const STATE_FOR: Readonly<Record<string, { state: 'open' | 'closed'; state_reason?: string }>> = {
  done: { state: 'closed', state_reason: 'completed' },
  verified: { state: 'closed', state_reason: 'completed' },
  cancelled: { state: 'closed', state_reason: 'not_planned' },
  todo: { state: 'open' },
  in_progress: { state: 'open' },
};

async function upsertComment(client: GithubClient, at: { owner: string; repo: string; number: number }, marker: string, text: string): Promise<WriteResult> {
  const body = text.includes(marker) ? text : `${marker}\n${text}`;
  const comments = await client.getAll<GhComment>('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: at.owner, repo: at.repo, issue_number: at.number });
  const ours = comments.find((c) => c.body?.includes(marker));
  if (ours) {
    if (ours.body === body) return { externalId: String(ours.id), url: ours.html_url };
    const updated = await client.send<GhComment>('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { owner: at.owner, repo: at.repo, comment_id: ours.id, body });
    return { externalId: String(updated.id), url: updated.html_url };
  }
  const created = await client.send<GhComment>('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner: at.owner, repo: at.repo, issue_number: at.number, body });
  return { externalId: String(created.id), url: created.html_url };
}

export function parseKey(key: string): { owner: string; repo: string; number: number } {
  const m = /^([^/]+)\/([^#]+)#(\d+)$/.exec(key);
  if (!m) throw new TypeError(`not a GitHub issue key: ${key}`);
  return { owner: m[1]!, repo: m[2]!, number: Number(m[3]) };
}
