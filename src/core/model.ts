/**
 * The canonical model: the shapes every connector normalizes into and every rule, planner and report
 * reads. Plain data only — no classes, no I/O. Times are ISO-8601 UTC strings; due dates are date-only
 * `YYYY-MM-DD` in the team's timezone (never a UTC midnight).
 */

export const TASK_STATUSES = ['todo', 'in_progress', 'blocked', 'in_review', 'done', 'verified', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Statuses in which work is finished (from the team's point of view). */
export const CLOSED_STATUSES: ReadonlySet<TaskStatus> = new Set(['done', 'verified', 'cancelled']);

export const PRIORITIES = ['urgent', 'high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const CONNECTOR_KINDS = ['github', 'jira', 'slack', 'notion', 'email'] as const;
export type ConnectorKind = (typeof CONNECTOR_KINDS)[number];

export const TASK_TYPES = ['issue', 'pull_request', 'subtask', 'message', 'page'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** Who made a change: a person, an automation, taskwire itself, or not known (e.g. seen by polling). */
export const ACTOR_KINDS = ['human', 'bot', 'taskwire', 'unknown'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** A person's (or bot's) account in one tool, as the tool reports it. `id` is the tool's stable id. */
export interface AccountRef {
  readonly kind: ConnectorKind;
  /** GitHub login, Jira accountId, Slack user id (U…/W…), Notion user UUID. */
  readonly id: string;
  readonly name?: string;
  readonly email?: string;
  readonly isBot?: boolean;
}

/**
 * A reference to another task, resolved lazily by the graph. One of:
 * - a canonical id `<connector>:<native key>` (`github-acme:acme/api#12`),
 * - a kind-qualified key `<kind>:<key>` (`jira:OPS-14`) for references found in text,
 * - an absolute URL of the item in its tool.
 */
export type TaskRef = string;

/** The fields a connector knows about one item, normalized. The store adds identity and bookkeeping. */
export interface TaskFields {
  /** Native key in its tool: `OPS-12`, `acme/api#12`, a Slack message ts, a Notion page id. */
  readonly key: string;
  readonly url: string | null;
  readonly type: TaskType;
  readonly title: string;
  /** Markdown. */
  readonly description: string | null;
  readonly status: TaskStatus;
  readonly rawStatus: string | null;
  readonly priority: Priority | null;
  readonly rawPriority: string | null;
  readonly assignees: readonly AccountRef[];
  readonly reporter: AccountRef | null;
  /** `YYYY-MM-DD` in the team timezone. */
  readonly due: string | null;
  readonly acceptanceCriteria: string | null;
  readonly estimateS: number | null;
  readonly spentS: number | null;
  readonly remainingS: number | null;
  readonly parent: TaskRef | null;
  readonly dependsOn: readonly TaskRef[];
  readonly links: readonly TaskRef[];
  readonly labels: readonly string[];
  readonly project: string | null;
  readonly milestone: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly lastHumanActivityAt: string | null;
  readonly doneAt: string | null;
  readonly verifiedAt: string | null;
  readonly verifiedBy: string | null;
}

/** A task as stored: the connector's fields plus identity, ownership and bookkeeping. */
export interface Task extends TaskFields {
  /** Stable: `<connector>:<native key>`. */
  readonly id: string;
  /** Connector instance name from config, e.g. `github-acme`. */
  readonly connector: string;
  readonly kind: ConnectorKind;
  /** Person id, set only when exactly one person owns the task. */
  readonly owner: string | null;
  readonly deletedAt: string | null;
  readonly contentHash: string;
  readonly lastWrittenByUsAt: string | null;
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
}

/** One change in a task's history, with when it happened at the source and who made it. */
export interface HistoryEntry {
  readonly taskId: string;
  readonly field: string;
  /** JSON-encoded old and new values (null when absent). */
  readonly oldValue: string | null;
  readonly newValue: string | null;
  readonly at: string;
  readonly actor: ActorKind;
  readonly actorId: string | null;
  /** Seen by taskwire as a change between two reads (`diff`, timed by the tool's last update), read from the tool's own history (`source`), or activity. */
  readonly source?: 'diff' | 'source' | 'activity';
}

/** A change a connector read from the tool's own history (changelog, timeline), to be recorded as is. */
export interface SourceHistoryEntry {
  readonly field: string;
  readonly oldValue: unknown;
  readonly newValue: unknown;
  readonly at: string;
  readonly actor: ActorKind;
  readonly actorId?: string;
}

/**
 * What connectors emit, from a poll page or a webhook delivery:
 * - `task`: the item's current state (an upsert). `actor` is who made the change that produced it, when
 *   known (webhooks know, polls usually don't).
 * - `deleted`: the item is gone from its tool (soft delete).
 * - `activity`: someone did something on an item without changing its fields (a comment, a reaction).
 * - `history`: past changes of an item from the tool's event stream, with the tool's own times.
 * - `failed`: an item whose detail could not be read (its reviews, its blockers): recorded with the
 *   error and read again on later cycles, while the rest of its scope moves on.
 */
export type SourceItem =
  | {
      readonly type: 'task';
      readonly task: TaskFields;
      readonly actor?: ActorKind;
      readonly actorId?: string;
      readonly history?: readonly SourceHistoryEntry[];
    }
  | { readonly type: 'deleted'; readonly key: string; readonly at: string }
  /** Past changes of an item read from the tool's own history (an event stream), apart from its state. */
  | { readonly type: 'history'; readonly key: string; readonly entries: readonly SourceHistoryEntry[] }
  | {
      readonly type: 'activity';
      readonly key: string;
      readonly at: string;
      readonly actor: ActorKind;
      readonly actorId?: string;
      readonly what: string;
    }
  | EvidenceItem
  | { readonly type: 'failed'; readonly key: string; readonly error: string }
  /** The connector's own durable state (ConnectorState), written with the page that read it; null deletes. */
  | { readonly type: 'state'; readonly key: string; readonly value: string | null };

export const EVIDENCE_KINDS = ['in_review', 'done', 'verified', 'withdrawn', 'acknowledged', 'snoozed'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/**
 * Something in one item that says how another task stands, e.g. a pull request naming `OPS-14`: open →
 * `in_review`, merged → `done`, approved → `verified`; closed unmerged → `withdrawn`; a person's "I'm on
 * it" → `acknowledged`; "snooze" → `snoozed` (until a time). The source is not a task of its own; the
 * follow-up engine and the verification loop act on its target.
 */
export interface EvidenceItem {
  readonly type: 'evidence';
  /** The task the evidence is about (any TaskRef form). */
  readonly target: TaskRef;
  readonly kind: EvidenceKind;
  /** The item that carries the evidence, in its own tool: `acme/api#45`. */
  readonly source: string;
  readonly sourceUrl: string | null;
  readonly at: string;
  readonly actor: ActorKind;
  readonly actorId?: string;
  /** One line for people: "PR acme/api#45 merged by alexk". */
  readonly summary: string;
  /** For `snoozed`: until when. */
  readonly until?: string;
}

/** An account a connector discovered (users list), for the identity registry. */
export interface ExternalAccount extends AccountRef {
  readonly connector: string;
}

/** A connector's poll position, opaque to everyone but its connector. Must be JSON-serializable. */
export type Cursor = { readonly [key: string]: unknown };

export const FLAG_CODES = [
  'no_owner',
  'shared_owner',
  'team_owner',
  'unmapped_owner',
  'no_due_date',
  'no_priority',
  'missing_context',
  'overdue',
  'due_soon',
  'stale',
  'blocked',
  'dependency_at_risk',
  'dependency_cycle',
  'deadline_at_risk',
  'done_unverified',
] as const;
export type FlagCode = (typeof FLAG_CODES)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A problem a rule found on a task: what, how bad, why in one line, and what it looked at. */
export interface Flag {
  readonly taskId: string;
  readonly code: FlagCode;
  readonly severity: Severity;
  readonly reason: string;
  readonly evidence: { readonly [key: string]: unknown };
}

/** A flag as stored, with its lifecycle. */
export interface StoredFlag extends Flag {
  readonly firstSeenAt: string;
  readonly lastSeenAt: string;
  readonly resolvedAt: string | null;
}

/** A person in the identity registry. */
export interface Person {
  readonly id: string;
  readonly name: string;
  readonly email: string | null;
  readonly timezone: string | null;
}

/** The label of a task whose requester is a machine (a mailing list, a no-reply address): it gets no replies. */
export const AUTOMATED_SENDER_LABEL = 'automated-sender';

export const isClosed = (status: TaskStatus): boolean => CLOSED_STATUSES.has(status);
/** Work someone holds: in progress or in review. */
export const isUnderWay = (status: string): boolean => status === 'in_progress' || status === 'in_review';

/** Something the follow-up engine asks a connector to do in its tool. */
export type OutboundAction =
  | { readonly type: 'status_comment'; readonly taskKey: string; readonly marker: string; readonly body: string }
  | { readonly type: 'status_push'; readonly taskKey: string; readonly status: string; /** The status it replaces (to restore it later). */ readonly from?: string }
  | { readonly type: 'label'; readonly taskKey: string; readonly add: readonly string[]; readonly remove: readonly string[] }
  | { readonly type: 'direct_message'; readonly accountId: string; readonly text: string; readonly items?: readonly MessageItem[]; readonly blocks?: unknown; readonly idempotencyKey?: string }
  | { readonly type: 'channel_post'; readonly channel: string; readonly text: string; readonly items?: readonly MessageItem[]; readonly blocks?: unknown; readonly idempotencyKey?: string }
  /** A reply to the person who asked (email): `ack` when the request is captured, `done` when the work is done. */
  | { readonly type: 'requester_reply'; readonly taskKey: string; readonly stage: 'ack' | 'done'; readonly body: string };

/**
 * One task in a message to a person or a channel. Channels that can (Slack) render it with buttons:
 * "Mark verified", "I'm on it", "Snooze 1 day"; others render it as text.
 */
export interface MessageItem {
  readonly taskId: string;
  readonly title: string;
  readonly url: string | null;
  /** Why it needs attention, one line each (Markdown). */
  readonly lines: readonly string[];
  readonly buttons: readonly ('verify' | 'ack' | 'snooze')[];
}

