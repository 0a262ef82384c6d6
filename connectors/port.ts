/**
 * The connector port: the one interface every tool implements, and the module shape the registry
 * (`connectors/index.ts`) lists. Connectors import this and `src/core/model` — never the store, the
 * pipeline or the server — so a connector can be tested alone against its tool's fake.
 */
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { ConnectorTiming } from './kit/http-policy.js';

export type { ConnectorTiming } from './kit/http-policy.js';
import type { ConnectorKind, Cursor, ExternalAccount, OutboundAction, SourceItem } from '../src/core/model.js';

/** Header lookup, case-insensitive, as a webhook request carries them. */
export type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** A reply sent instead of normal processing (Slack `url_verification`, Notion's verification token). */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly contentType?: string;
}

export interface WebhookHandler {
  /** Throws WebhookVerificationError when the signature, timestamp or headers are wrong. */
  verify(rawBody: Buffer, headers: Headers): void;
  /** A reply sent instead of processing (a URL-verification challenge), or null. Called after verify. */
  handshake?(rawBody: Buffer, headers: Headers): Reply | null | Promise<Reply | null>;
  /**
   * Checks that a verified body is a delivery this handler can read (JSON of the right shape); throws a
   * WebhookVerificationError with status 400 when not, so nothing that cannot be processed is stored.
   */
  decode?(rawBody: Buffer, headers: Headers): void;
  /** The delivery's id, stable across the tool's retries (the dedupe key). Called after verify. */
  deliveryId(rawBody: Buffer, headers: Headers): string;
  /**
   * The items a delivery carries. Runs from the inbox after the delivery was stored and acknowledged,
   * so it may ask the tool for what the payload lacks (a webhook is often only a signal). `ignored`
   * says why a delivery had nothing.
   */
  parse(rawBody: Buffer, headers: Headers): Promise<ParsedDelivery>;
}

/** A delivery from a connection of the connector's own, as stored in the inbox. */
export interface InboundDelivery {
  readonly deliveryId: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface InboundChannel {
  /**
   * Connects and hands every delivery to `deliver`, which stores it; the tool is acknowledged only after
   * (false: a redelivery of one stored before, acknowledged all the same).
   */
  start(deliver: (d: InboundDelivery) => Promise<boolean>): Promise<void>;
  /** The items a stored delivery carries (as WebhookHandler.parse). */
  parse(rawBody: Buffer, headers: Headers): Promise<ParsedDelivery>;
  stop(): Promise<void>;
}

export interface ParsedDelivery {
  readonly items: SourceItem[];
  readonly ignored?: string;
}

export type { MessageItem, OutboundAction } from '../src/core/model.js';

export interface WriteResult {
  /** The tool's id for what was written (comment id, message ts), for the write ledger. */
  readonly externalId: string | null;
  readonly url?: string;
  /**
   * Set when taskwire did not write because a person took its status comment over (edited it, or
   * deleted the one taskwire wrote): why, in a few words. A person's edit wins.
   */
  readonly leftAlone?: string;
}

export interface WriteOptions {
  /** > 1 means an earlier try may have reached the tool: check before writing again. */
  readonly attempt?: number;
  /** The status comment taskwire wrote on this task before (its id in the tool). */
  readonly previous?: { readonly externalId: string };
  /** Aborts the write (shutdown, or the dispatcher's claim was lost). */
  readonly signal?: AbortSignal;
}

export interface Connector {
  /** Instance name from config, e.g. `github-acme`. */
  readonly name: string;
  readonly kind: ConnectorKind;
  /**
   * Yields pages of items, each with the cursor that covers it. The caller stores a page and its cursor
   * in one transaction before asking for the next page, so a failure resumes after the last stored page.
   */
  poll?(cursor: Cursor | null, signal: AbortSignal): AsyncIterable<{ items: SourceItem[]; cursor: Cursor }>;
  /**
   * Reads again the items a poll recorded as failing (by key), each yielded on its own: the item, or a
   * `failed` item again. Without it, a failing item heals when a later poll reads it whole.
   */
  refresh?(keys: readonly string[], signal: AbortSignal): AsyncIterable<{ items: SourceItem[] }>;
  readonly webhook?: WebhookHandler;
  /** Deliveries the connector receives on a connection of its own (Slack Socket Mode), fed to the same intake as webhooks. */
  readonly inbound?: InboundChannel;
  /**
   * A connection that hears of news as it happens (IMAP IDLE) and says so: the caller polls at once
   * instead of waiting for the interval. Polling stays the source of truth.
   */
  readonly watch?: { start(onNews: () => void): Promise<void>; stop(): Promise<void> };
  /** Writes one outbound action; safe to repeat (see WriteOptions). */
  write?(action: OutboundAction, opts?: WriteOptions): Promise<WriteResult>;
  resolvePeople?(): AsyncIterable<ExternalAccount>;
  /**
   * Every item key in scope now, for finding items deleted without a webhook telling us. Only a
   * complete answer counts: the caller soft-deletes stored tasks whose keys are missing from it.
   */
  liveKeys?(signal?: AbortSignal): Promise<string[]>;
  /** Reaches the tool with the configured credentials and reports what is wrong (`taskwire check --online`). */
  checkOnline?(): Promise<OnlineCheck>;
  /** Request counts and the rate budget the tool last reported (for /metrics, health and benchmarks). */
  stats?(): ConnectorStats;
  close?(): Promise<void>;
}

export interface OnlineCheck {
  /** What was confirmed, one line each ("authenticated as taskwire-bot", "acme/api: issues readable"). */
  readonly ok: readonly string[];
  /** What is wrong, one line each, naming the setting to fix. */
  readonly problems: readonly string[];
}

export interface ConnectorStats {
  readonly requests: number;
  /** Conditional requests answered "not modified". */
  readonly notModified?: number;
  readonly rateRemaining: number | null;
  readonly rateLimit: number | null;
  /** A second budget of points (GitHub's GraphQL API): spent since start, and what the tool last reported. */
  readonly points?: { readonly used: number; readonly remaining: number | null; readonly limit: number | null };
}

/** What the composition root hands a connector when it creates one. */
export interface ConnectorContext {
  readonly log: Logger;
  /** Team timezone, for turning the tool's timestamps into date-only due dates. */
  readonly timezone: string;
  /**
   * The HTTP policy's settings (connectors/kit/http-policy.ts): tests shorten the waits; a foreground
   * command sets `giveUpAfterMs` so an unreachable tool is reported within it.
   */
  readonly timing?: ConnectorTiming;
  /** Aborted when the process stops: every call and every wait of the connector ends at once. */
  readonly signal?: AbortSignal;
  /** A little durable state of the connector's own (e.g. a webhook verification token received once). */
  readonly state?: ConnectorState;
}

export interface ConnectorState {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  /** Every entry whose key starts with `prefix` (keys without the connector's namespace). */
  list?(prefix: string): Promise<[string, string][]>;
}

/** Every connector entry in the config has these, whatever its type. */
export interface ConnectorConfigBase {
  readonly name: string;
  readonly type: ConnectorKind;
  readonly enabled: boolean;
  /** Milliseconds (written as a duration in the YAML). */
  readonly pollInterval: number;
}

/** A connector kind as the registry lists it. */
export interface ConnectorModule<K extends ConnectorKind = ConnectorKind, S extends z.ZodType = z.ZodType> {
  readonly kind: K;
  /** One line for `taskwire check` and the docs. */
  readonly title: string;
  /** Its config entry (including `name`, `type`, `enabled`, `pollInterval`); strict: unknown keys are errors. */
  readonly configSchema: S;
  /** A one-line description of a configured instance, for `taskwire check` (no secrets). */
  describe(config: z.output<S>): string;
  /**
   * Loads the connector's implementation (its SDK with it) only when one is created: a command that
   * reads the config pays for the tools it uses, not for all of them. Absent until the connector is
   * built; the CLI says so rather than pretending.
   */
  readonly load?: () => Promise<(config: z.output<S>, ctx: ConnectorContext) => Connector>;
  /**
   * What the connector's own state says about its tasks (which project planned a due date, where two
   * disagree), for `explain` and `health`; pure, no SDK. `prefix` selects one task's entries (or all).
   */
  readonly notes?: {
    prefix(key?: string): string;
    read(entries: readonly (readonly [string, string])[]): ReadonlyMap<string, TaskNotes>;
  };
}

/** Where a task's fields came from, one line each, and the disagreements found on the way. */
export interface TaskNotes {
  readonly sources: readonly string[];
  readonly conflicts: readonly string[];
}
