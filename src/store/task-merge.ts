/**
 * What applying a task's new row to the stored one means — the same decision for every store adapter:
 * insert, skip (unchanged, or stale: older than what is stored, a poll behind a webhook), or update
 * with the history entries its changed fields make. Pure: rows in, decision out.
 */
import { TRACKED_FIELDS, contentHash, type TaskRow } from './task-row.js';

/** History uses the canonical field names, not column names. */
const FIELD_NAME: Record<(typeof TRACKED_FIELDS)[number], string> = {
  title: 'title',
  description: 'description',
  status: 'status',
  priority: 'priority',
  assignees: 'assignees',
  owner: 'owner',
  due: 'due',
  acceptance_criteria: 'acceptanceCriteria',
  estimate_s: 'estimateS',
  spent_s: 'spentS',
  remaining_s: 'remainingS',
  parent: 'parent',
  depends_on: 'dependsOn',
  labels: 'labels',
  project: 'project',
  milestone: 'milestone',
  done_at: 'doneAt',
  verified_at: 'verifiedAt',
  verified_by: 'verifiedBy',
};
const JSON_COLUMNS = new Set<string>(['assignees', 'depends_on', 'labels']);
const historyValue = (col: string, v: string | number | null): string | null => (v === null ? null : JSON_COLUMNS.has(col) ? String(v) : JSON.stringify(v));

/** A field change: canonical field name, old and new value (JSON text). */
export interface FieldChange {
  readonly field: string;
  readonly oldValue: string | null;
  readonly newValue: string | null;
}

export type Merge =
  | { readonly outcome: 'inserted'; readonly row: TaskRow }
  | { readonly outcome: 'unchanged' | 'stale' }
  | { readonly outcome: 'updated'; readonly row: TaskRow; readonly changes: readonly FieldChange[]; readonly refsChanged: boolean };

/** Decides what `row` (fresh from a connector) does to `old` (stored). May adjust `row` in place. */
export function mergeTask(old: TaskRow | undefined, row: TaskRow): Merge {
  if (old === undefined) return { outcome: 'inserted', row };
  const same = () => old.content_hash === row.content_hash && old.deleted_at === null;
  if (same()) return { outcome: 'unchanged' };
  // A stale poll never overwrites a newer webhook update.
  if (row.updated_at < old.updated_at) return { outcome: 'stale' };
  // Verification is taskwire's own record: a tool that says nothing about it does not erase it, but
  // work that is reopened is no longer verified.
  if (old.verified_at !== null && row.verified_at === null && (row.status === 'done' || row.status === 'verified')) {
    row.verified_at = old.verified_at;
    row.verified_by = old.verified_by;
    row.content_hash = contentHash(row);
    if (same()) return { outcome: 'unchanged' };
  }
  // Human activity only moves forward: a poll that cannot see comments must not erase what a webhook
  // or an earlier comment listing recorded.
  if (old.last_human_activity_at !== null && (row.last_human_activity_at === null || row.last_human_activity_at < old.last_human_activity_at)) {
    row.last_human_activity_at = old.last_human_activity_at;
    row.content_hash = contentHash(row);
    if (same()) return { outcome: 'unchanged' };
  }
  const changes: FieldChange[] = [];
  for (const col of TRACKED_FIELDS) {
    if (old[col] !== row[col]) changes.push({ field: FIELD_NAME[col], oldValue: historyValue(col, old[col]), newValue: historyValue(col, row[col]) });
  }
  if (old.deleted_at !== null) changes.push({ field: 'deletedAt', oldValue: JSON.stringify(old.deleted_at), newValue: null });
  return { outcome: 'updated', row, changes, refsChanged: old.depends_on !== row.depends_on || old.links !== row.links };
}
