/**
 * Incremental capture with the enhanced JQL search (`/rest/api/3/search/jql`; the old `/search` answers
 * 410 on Jira Cloud): `(<scope>) AND updated >= "<cursor − overlap>" ORDER BY updated ASC, key ASC`,
 * an explicit field list (the endpoint returns only ids without one), `nextPageToken` paging, the cursor
 * saved after every page. JQL dates are minutes in the API user's time zone, so the cursor is written
 * in that zone, floored to the minute, and moved back by `overlap`: re-read issues are unchanged and
 * cost nothing (content hash), re-read comments and changelog entries are kept once. A different JQL
 * (or backfill bound) starts over. Data Center has no enhanced search: `/rest/api/2/search` by `startAt`.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Cursor, SourceItem } from '../../src/core/model.js';
import type { JiraClient } from './client.js';
import type { JiraConfig } from './config.js';
import { commentItems, historyOf, isoOf, toTask, type JiraNormalizeContext } from './normalize.js';
import type { JiraIssue, JiraSearchPage } from './types.js';

export interface JiraCursor extends Cursor {
  readonly v: 1;
  /** Fingerprint of the JQL scope and backfill bound. */
  readonly scope: string;
  /** Everything updated before this (minus the overlap) is read. */
  readonly since: string | null;
  /** The pass in progress: the `since` its JQL used, its next page, the newest update seen in it. */
  readonly pass: { readonly since: string | null; readonly token: string; readonly high: string | null } | null;
}

export const BASE_FIELDS = [
  'summary', 'description', 'status', 'resolution', 'resolutiondate', 'statuscategorychangedate', 'priority', 'assignee', 'reporter',
  'duedate', 'labels', 'issuelinks', 'subtasks', 'parent', 'issuetype', 'project', 'fixVersions', 'timetracking', 'comment', 'created', 'updated',
] as const;

const PAGE_SIZE = 100;

export interface JiraPollDeps {
  readonly client: JiraClient;
  readonly config: JiraConfig;
  readonly ctx: () => Promise<JiraNormalizeContext>;
  /** The API user's time zone (JQL dates are read in it). */
  readonly userTimeZone: () => Promise<string>;
}

export function fieldsOf(config: Pick<JiraConfig, 'fields'>): string[] {
  return [...BASE_FIELDS, ...[config.fields.acceptanceCriteria, config.fields.sprint].filter((f): f is string => f !== undefined)];
}

export function scopeOf(config: Pick<JiraConfig, 'jql' | 'backfillSince'>): string {
  return createHash('sha256').update(JSON.stringify([config.jql.trim(), config.backfillSince ?? null])).digest('hex').slice(0, 16);
}

/** `updated >= "2026/11/20 10:15"` in the API user's zone, `overlap` earlier and floored to the minute. */
export function jqlFor(config: Pick<JiraConfig, 'jql' | 'overlap' | 'backfillSince'>, since: string | null, zone: string): string {
  const from = since ? DateTime.fromISO(since, { zone: 'utc' }).minus({ milliseconds: config.overlap }) : config.backfillSince ? DateTime.fromISO(config.backfillSince, { zone }) : null;
  const bound = from ? ` AND updated >= "${from.setZone(zone).startOf('minute').toFormat('yyyy/MM/dd HH:mm')}"` : '';
  return `(${config.jql})${bound} ORDER BY updated ASC, key ASC`;
}

export async function* pollJira(deps: JiraPollDeps, previous: Cursor | null, signal: AbortSignal): AsyncGenerator<{ items: SourceItem[]; cursor: Cursor }> {
  const { config, client } = deps;
  const scope = scopeOf(config);
  const prev = previous as JiraCursor | null;
  let cursor: JiraCursor = prev && prev.v === 1 && prev.scope === scope ? prev : { v: 1, scope, since: null, pass: null };
  const ctx = await deps.ctx();
  const zone = await deps.userTimeZone();
  const passSince = cursor.pass?.since ?? cursor.since;
  const jql = jqlFor(config, passSince, zone);
  let token: string | null = cursor.pass?.token ?? null;
  let high = cursor.pass?.high ?? null;
  const fields = fieldsOf(config);

  for (;;) {
    signal.throwIfAborted();
    let page: JiraSearchPage;
    try {
      page = await search(client, jql, fields, token, signal);
    } catch (err) {
      // A page token from a pass left unfinished may have expired (they live 7 days): that pass restarts.
      if (token !== null && (err as { status?: number }).status === 400) {
        token = null;
        continue;
      }
      throw err;
    }
    const items: SourceItem[] = [];
    for (const issue of page.issues) {
      items.push(...itemsFor(issue, ctx));
      const u = isoOf(issue.fields.updated);
      if (u && (high === null || u > high)) high = u;
    }
    const next = page.isLast === false || (page.isLast === undefined && page.nextPageToken) ? (page.nextPageToken ?? null) : null;
    cursor = next ? { ...cursor, pass: { since: passSince, token: next, high } } : { ...cursor, since: high ?? passSince, pass: null };
    yield { items, cursor };
    if (!next) return;
    token = next;
  }
}

/** An issue's items: the task (with its changelog as history) and its comments as activity. */
export function itemsFor(issue: JiraIssue, ctx: JiraNormalizeContext): SourceItem[] {
  const history = historyOf(issue, ctx);
  return [
    { type: 'task', task: toTask(issue, ctx), ...(history.length > 0 ? { history } : {}) },
    ...commentItems(issue.key, issue.fields.comment?.comments ?? [], ctx),
  ];
}

async function search(client: JiraClient, jql: string, fields: string[], token: string | null, signal: AbortSignal): Promise<JiraSearchPage> {
  if (client.cloud) {
    return client.call(
      'POST /rest/api/3/search/jql',
      (api) => api.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost<JiraSearchPage>({ jql, fields, expand: 'changelog', maxResults: PAGE_SIZE, ...(token ? { nextPageToken: token } : {}) }),
      { signal },
    );
  }
  // Data Center: offset paging; the token is the next startAt.
  const startAt = token ? Number(token) : 0;
  const r = await client.call(
    'POST /rest/api/2/search',
    (api) => api.issueSearch.searchForIssuesUsingJqlPost<{ issues: JiraIssue[]; total?: number }>({ jql, fields, expand: ['changelog'], maxResults: PAGE_SIZE, startAt }),
    { signal },
  );
  const nextAt = startAt + r.issues.length;
  const more = r.issues.length > 0 && (r.total === undefined || nextAt < r.total);
  return { issues: r.issues, isLast: !more, ...(more ? { nextPageToken: String(nextAt) } : {}) };
}

/** Every issue key in scope now (ids only: up to 5,000 a page), for finding issues deleted without a webhook. */
export async function liveKeys(client: JiraClient, config: Pick<JiraConfig, 'jql'>, signal?: AbortSignal): Promise<string[]> {
  const keys: string[] = [];
  let token: string | null = null;
  const jql = `(${config.jql}) ORDER BY key ASC`;
  for (;;) {
    const page: JiraSearchPage = client.cloud
      ? await client.call('POST /rest/api/3/search/jql', (api) => api.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost<JiraSearchPage>({ jql, fields: ['key'], maxResults: 5000, ...(token ? { nextPageToken: token } : {}) }), signal ? { signal } : {})
      : await search(client, jql, ['key'], token, signal ?? new AbortController().signal);
    keys.push(...page.issues.map((i) => i.key));
    if (page.isLast !== false || !page.nextPageToken) return keys;
    token = page.nextPageToken;
  }
}
