/**
 * Rows as both store adapters read them, and the plain data they become: one mapping for SQLite and
 * PostgreSQL (the PostgreSQL adapter turns its timestamps into ISO text first).
 */
import type { CycleSample } from '../core/risk.js';
import type { FlagCode, OutboundAction, StoredFlag } from '../core/model.js';
import type { FollowupKind } from '../core/planner.js';
import type { OutboxRow, OutboxStatus, StatusCommentRecord } from './outbox.js';

export type OutboxDbRow = {
  id: number;
  idempotency_key: string;
  connector: string;
  task_id: string | null;
  kind: string;
  recipient: string | null;
  subject: string;
  about: string;
  action: string;
  reason: string | null;
  status: string;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  claimed_by: string | null;
  last_error: string | null;
  external_id: string | null;
  cycle: string | null;
  created_at: string;
  sent_at: string | null;
};

export const outboxRow = (r: OutboxDbRow): OutboxRow => ({
  id: Number(r.id),
  key: r.idempotency_key,
  connector: r.connector,
  taskId: r.task_id,
  kind: r.kind as FollowupKind,
  recipient: r.recipient,
  subject: r.subject,
  about: JSON.parse(r.about) as { taskId: string; code: FlagCode }[],
  action: JSON.parse(r.action) as OutboundAction,
  reason: r.reason,
  status: r.status as OutboxStatus,
  attempts: Number(r.attempts),
  nextAttemptAt: r.next_attempt_at,
  leaseUntil: r.lease_until,
  claimedBy: r.claimed_by,
  lastError: r.last_error,
  externalId: r.external_id,
  cycle: r.cycle,
  createdAt: r.created_at,
  sentAt: r.sent_at,
});

export type CommentRow = { task_id: string; connector: string; external_id: string | null; url: string | null; written_at: string | null; left_alone_at: string | null; left_alone_why: string | null };
export const commentRecord = (r: CommentRow): StatusCommentRecord => ({
  taskId: r.task_id,
  connector: r.connector,
  externalId: r.external_id,
  url: r.url,
  writtenAt: r.written_at,
  leftAloneAt: r.left_alone_at,
  leftAloneWhy: r.left_alone_why,
});

export type FlagDbRow = { id: number; task_id: string; code: string; severity: string; reason: string; evidence: string; first_seen_at: string; last_seen_at: string };

/** An open flag row, with its row id (the diff resolves flags by it). */
export const openFlagOf = (x: FlagDbRow): StoredFlag & { rowId: number } => ({
  rowId: x.id,
  taskId: x.task_id,
  code: x.code as StoredFlag['code'],
  severity: x.severity as StoredFlag['severity'],
  reason: x.reason,
  evidence: JSON.parse(x.evidence) as StoredFlag['evidence'],
  firstSeenAt: x.first_seen_at,
  lastSeenAt: x.last_seen_at,
  resolvedAt: null,
});

export type SampleRow = { id: string; owner: string | null; project: string | null; type: string; created_at: string; done_at: string; estimate_s: number | null; spent_s: number | null; started_at: string | null };

/** A finished task as a cycle sample: started when it first went in progress (else when created). */
export const sampleOf = (x: SampleRow): CycleSample => ({
  taskId: x.id,
  owner: x.owner,
  project: x.project,
  type: x.type as CycleSample['type'],
  startedAt: x.started_at !== null && x.started_at <= x.done_at ? x.started_at : x.created_at,
  doneAt: x.done_at,
  estimateS: x.estimate_s,
  spentS: x.spent_s,
});
