/** Mapping between a canonical task and its row, and the content hash that makes re-applies free. */
import { createHash } from 'node:crypto';
import type { AccountRef, ConnectorKind, Task, TaskFields } from '../core/model.js';

export interface TaskRow {
  id: string;
  connector: string;
  kind: string;
  key: string;
  url: string | null;
  type: string;
  title: string;
  description: string | null;
  status: string;
  raw_status: string | null;
  priority: string | null;
  raw_priority: string | null;
  assignees: string;
  owner: string | null;
  reporter: string | null;
  due: string | null;
  acceptance_criteria: string | null;
  estimate_s: number | null;
  spent_s: number | null;
  remaining_s: number | null;
  parent: string | null;
  depends_on: string;
  links: string;
  labels: string;
  project: string | null;
  milestone: string | null;
  created_at: string;
  updated_at: string;
  last_human_activity_at: string | null;
  done_at: string | null;
  verified_at: string | null;
  verified_by: string | null;
  deleted_at: string | null;
  content_hash: string;
  last_written_by_us_at: string | null;
  first_seen_at: string;
  last_seen_at: string;
}

export const TASK_COLUMNS = [
  'id', 'connector', 'kind', 'key', 'url', 'type', 'title', 'description', 'status', 'raw_status', 'priority',
  'raw_priority', 'assignees', 'owner', 'reporter', 'due', 'acceptance_criteria', 'estimate_s', 'spent_s',
  'remaining_s', 'parent', 'depends_on', 'links', 'labels', 'project', 'milestone', 'created_at', 'updated_at',
  'last_human_activity_at', 'done_at', 'verified_at', 'verified_by', 'deleted_at', 'content_hash',
  'last_written_by_us_at', 'first_seen_at', 'last_seen_at',
] as const satisfies readonly (keyof TaskRow)[];

/** Fields whose changes are recorded in the history (column name → how to read it from a row). */
export const TRACKED_FIELDS = [
  'title', 'description', 'status', 'priority', 'assignees', 'owner', 'due', 'acceptance_criteria', 'estimate_s',
  'spent_s', 'remaining_s', 'parent', 'depends_on', 'labels', 'project', 'milestone', 'done_at', 'verified_at',
  'verified_by',
] as const satisfies readonly (keyof TaskRow)[];

/** ISO-8601 UTC with milliseconds, so timestamps compare as strings. */
const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export function isoUtc(t: string): string {
  if (ISO_UTC_MS.test(t)) return t; // already canonical: the common case, and a hot path
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) throw new TypeError(`not a timestamp: ${t}`);
  return d.toISOString();
}
const isoOrNull = (t: string | null) => (t === null ? null : isoUtc(t));
const int = (n: number | null) => (n === null ? null : Math.round(n));

const accountJson = (a: AccountRef) =>
  JSON.stringify({ kind: a.kind, id: a.id, ...(a.name ? { name: a.name } : {}), ...(a.email ? { email: a.email } : {}), ...(a.isBot ? { isBot: true } : {}) });

/**
 * The complete row for a task, with its content hash. The bookkeeping columns the store owns are set to
 * `seenAt` / null here and adjusted by the caller. One object literal of a fixed shape: spreading a
 * 37-key row into another costs more than the insert itself (measured in `npm run bench`).
 */
export function toRow(connector: string, kind: ConnectorKind, t: TaskFields, owner: string | null, seenAt: string): TaskRow {
  const row: TaskRow = {
    id: `${connector}:${t.key}`,
    connector,
    kind,
    key: t.key,
    url: t.url,
    type: t.type,
    title: t.title,
    description: t.description,
    status: t.status,
    raw_status: t.rawStatus,
    priority: t.priority,
    raw_priority: t.rawPriority,
    assignees: `[${t.assignees.map(accountJson).join(',')}]`,
    owner,
    reporter: t.reporter === null ? null : accountJson(t.reporter),
    due: t.due,
    acceptance_criteria: t.acceptanceCriteria,
    estimate_s: int(t.estimateS),
    spent_s: int(t.spentS),
    remaining_s: int(t.remainingS),
    parent: t.parent,
    depends_on: JSON.stringify(t.dependsOn),
    links: JSON.stringify(t.links),
    labels: JSON.stringify(t.labels),
    project: t.project,
    milestone: t.milestone,
    created_at: isoUtc(t.createdAt),
    updated_at: isoUtc(t.updatedAt),
    last_human_activity_at: isoOrNull(t.lastHumanActivityAt),
    done_at: isoOrNull(t.doneAt),
    verified_at: isoOrNull(t.verifiedAt),
    verified_by: t.verifiedBy,
    deleted_at: null,
    content_hash: '',
    last_written_by_us_at: null,
    first_seen_at: seenAt,
    last_seen_at: seenAt,
  };
  row.content_hash = contentHash(row);
  return row;
}

/** Hash over every column a connector controls: equal hash, nothing to write. */
export function contentHash(row: TaskRow): string {
  let text = '';
  for (const col of HASHED_COLUMNS) {
    const v = row[col];
    text += v === null ? '\u0000\u0001' : `${v}\u0001`;
  }
  return createHash('sha1').update(text).digest('base64url');
}
const HASHED_COLUMNS = TASK_COLUMNS.filter(
  (c) => !['id', 'connector', 'kind', 'content_hash', 'deleted_at', 'last_written_by_us_at', 'first_seen_at', 'last_seen_at'].includes(c),
);

export function fromRow(r: TaskRow): Task {
  return {
    id: r.id,
    connector: r.connector,
    kind: r.kind as Task['kind'],
    key: r.key,
    url: r.url,
    type: r.type as Task['type'],
    title: r.title,
    description: r.description,
    status: r.status as Task['status'],
    rawStatus: r.raw_status,
    priority: r.priority as Task['priority'],
    rawPriority: r.raw_priority,
    assignees: JSON.parse(r.assignees) as AccountRef[],
    owner: r.owner,
    reporter: r.reporter === null ? null : (JSON.parse(r.reporter) as AccountRef),
    due: r.due,
    acceptanceCriteria: r.acceptance_criteria,
    estimateS: r.estimate_s,
    spentS: r.spent_s,
    remainingS: r.remaining_s,
    parent: r.parent,
    dependsOn: JSON.parse(r.depends_on) as string[],
    links: JSON.parse(r.links) as string[],
    labels: JSON.parse(r.labels) as string[],
    project: r.project,
    milestone: r.milestone,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastHumanActivityAt: r.last_human_activity_at,
    doneAt: r.done_at,
    verifiedAt: r.verified_at,
    verifiedBy: r.verified_by,
    deletedAt: r.deleted_at,
    contentHash: r.content_hash,
    lastWrittenByUsAt: r.last_written_by_us_at,
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
  };
}
