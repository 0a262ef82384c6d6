/**
 * The PostgreSQL schema, as numbered forward-only migrations (append; never edit one that shipped).
 * Domain times are ISO-8601 UTC text, as in SQLite, so both adapters compare them the same way; the
 * times replicas coordinate on — leases, retries, inbox and outbox claims — are `timestamptz` and
 * compared with the database's own `now()`, never with a replica's clock.
 */
export interface PgMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const initial = /* sql */ `
-- now() as the ISO text the domain columns hold (2026-12-02T19:00:00.000Z).
CREATE FUNCTION iso_now() RETURNS text LANGUAGE sql STABLE AS
  $$ SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;

CREATE TABLE tasks (
  id                     text PRIMARY KEY,
  connector              text NOT NULL,
  kind                   text NOT NULL,
  key                    text NOT NULL,
  url                    text,
  type                   text NOT NULL,
  title                  text NOT NULL,
  description            text,
  status                 text NOT NULL,
  raw_status             text,
  priority               text,
  raw_priority           text,
  assignees              text NOT NULL DEFAULT '[]',
  owner                  text,
  reporter               text,
  due                    text,
  acceptance_criteria    text,
  estimate_s             integer,
  spent_s                integer,
  remaining_s            integer,
  parent                 text,
  depends_on             text NOT NULL DEFAULT '[]',
  links                  text NOT NULL DEFAULT '[]',
  labels                 text NOT NULL DEFAULT '[]',
  project                text,
  milestone              text,
  created_at             text NOT NULL,
  updated_at             text NOT NULL,
  last_human_activity_at text,
  done_at                text,
  verified_at            text,
  verified_by            text,
  deleted_at             text,
  content_hash           text NOT NULL,
  last_written_by_us_at  text,
  first_seen_at          text NOT NULL,
  last_seen_at           text NOT NULL
);
CREATE UNIQUE INDEX tasks_connector_key ON tasks (connector, key);
CREATE INDEX tasks_kind_key ON tasks (kind, key);
CREATE INDEX tasks_owner ON tasks (owner) WHERE deleted_at IS NULL;
CREATE INDEX tasks_status ON tasks (status) WHERE deleted_at IS NULL;
CREATE INDEX tasks_url ON tasks (url);

CREATE TABLE task_refs (
  task_id text NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  rel     text NOT NULL CHECK (rel IN ('depends_on', 'link')),
  ref     text NOT NULL,
  PRIMARY KEY (task_id, rel, ref)
);
CREATE INDEX task_refs_ref ON task_refs (ref);

CREATE TABLE task_history (
  id          bigserial PRIMARY KEY,
  task_id     text NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  field       text NOT NULL,
  old_value   text,
  new_value   text,
  at          text NOT NULL,
  actor       text NOT NULL CHECK (actor IN ('human', 'bot', 'taskwire', 'unknown')),
  actor_id    text,
  source      text NOT NULL CHECK (source IN ('diff', 'source', 'activity')),
  recorded_at text NOT NULL
);
CREATE INDEX task_history_task ON task_history (task_id, at);
CREATE INDEX task_history_field_at ON task_history (field, at);
-- Re-read history is kept once (a hash: values may be longer than an index entry can hold).
CREATE UNIQUE INDEX task_history_once ON task_history (task_id, field, at, md5(coalesce(new_value, '')), source) WHERE source <> 'diff';

CREATE TABLE accounts (
  kind          text NOT NULL,
  account_id    text NOT NULL,
  connector     text NOT NULL,
  name          text,
  email         text,
  is_bot        integer NOT NULL DEFAULT 0,
  first_seen_at text NOT NULL,
  last_seen_at  text NOT NULL,
  PRIMARY KEY (kind, account_id)
);

CREATE TABLE cursors (
  connector  text PRIMARY KEY,
  value      text NOT NULL,
  updated_at text NOT NULL
);

CREATE TABLE flags (
  id            bigserial PRIMARY KEY,
  task_id       text NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  code          text NOT NULL,
  severity      text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  reason        text NOT NULL,
  evidence      text NOT NULL DEFAULT '{}',
  first_seen_at text NOT NULL,
  last_seen_at  text NOT NULL,
  resolved_at   text
);
CREATE UNIQUE INDEX flags_open ON flags (task_id, code) WHERE resolved_at IS NULL;
CREATE INDEX flags_code_open ON flags (code) WHERE resolved_at IS NULL;

CREATE TABLE evidence (
  id          bigserial PRIMARY KEY,
  connector   text NOT NULL,
  source      text NOT NULL,
  source_url  text,
  target      text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('in_review', 'done', 'verified', 'withdrawn', 'acknowledged', 'snoozed')),
  at          text NOT NULL,
  actor       text NOT NULL CHECK (actor IN ('human', 'bot', 'taskwire', 'unknown')),
  actor_id    text,
  summary     text NOT NULL,
  until       text,
  recorded_at text NOT NULL
);
CREATE UNIQUE INDEX evidence_once ON evidence (connector, source, target, kind, at);
CREATE INDEX evidence_target ON evidence (target);
CREATE INDEX evidence_recorded ON evidence (recorded_at);

CREATE TABLE outbox (
  id              bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  connector       text NOT NULL,
  task_id         text,
  kind            text NOT NULL DEFAULT 'unknown',
  recipient       text,
  subject         text NOT NULL DEFAULT '',
  about           text NOT NULL DEFAULT '[]',
  action          text NOT NULL,
  reason          text,
  status          text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('planned', 'pending', 'claimed', 'sending', 'sent', 'dead', 'skipped')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  lease_until     timestamptz,
  claimed_by      text,
  last_error      text,
  external_id     text,
  cycle           text,
  superseded_by   bigint,
  created_at      text NOT NULL,
  sent_at         text
);
CREATE INDEX outbox_waiting ON outbox (connector, status, id);
CREATE INDEX outbox_leases ON outbox (status, lease_until);
CREATE INDEX outbox_subject ON outbox (subject, status);
CREATE INDEX outbox_order ON outbox ((coalesce(task_id, subject)), id) WHERE status IN ('pending', 'claimed', 'sending');
CREATE INDEX outbox_created ON outbox (created_at);

CREATE TABLE write_ledger (
  id          bigserial PRIMARY KEY,
  connector   text NOT NULL,
  task_key    text,
  what        text NOT NULL,
  external_id text,
  at          text NOT NULL
);
CREATE INDEX write_ledger_external ON write_ledger (connector, external_id);

CREATE TABLE status_comments (
  task_id        text PRIMARY KEY,
  connector      text NOT NULL,
  external_id    text,
  url            text,
  written_at     text,
  left_alone_at  text,
  left_alone_why text
);

CREATE TABLE inbox (
  id              bigserial PRIMARY KEY,
  connector       text NOT NULL,
  delivery_id     text NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now(),
  body            bytea,
  headers         text NOT NULL DEFAULT '{}',
  status          text NOT NULL CHECK (status IN ('received', 'claimed', 'processed', 'ignored', 'dead')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  lease_until     timestamptz,
  claimed_by      text,
  last_error      text,
  detail          text,
  finished_at     timestamptz,
  UNIQUE (connector, delivery_id)
);
CREATE INDEX inbox_waiting ON inbox (status, id);
CREATE INDEX inbox_leases ON inbox (status, lease_until);
CREATE INDEX inbox_finished ON inbox (finished_at) WHERE status IN ('processed', 'ignored', 'dead');

CREATE TABLE item_failures (
  connector       text NOT NULL,
  key             text NOT NULL,
  error           text NOT NULL,
  attempts        integer NOT NULL DEFAULT 1,
  first_failed_at text NOT NULL,
  last_failed_at  text NOT NULL,
  next_attempt_at timestamptz NOT NULL,
  PRIMARY KEY (connector, key)
);

CREATE TABLE meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);

-- Work one replica does at a time (a connector's poll, the evaluator): the holder, a fencing token
-- raised by every new holder, and when the lease runs out unless renewed.
CREATE TABLE leases (
  name        text PRIMARY KEY,
  holder      text NOT NULL,
  token       bigint NOT NULL,
  acquired_at timestamptz NOT NULL,
  renewed_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL
);

-- Work done once per cluster (the daily report of a day): one row per run.
CREATE TABLE runs (
  kind   text NOT NULL,
  key    text NOT NULL,
  holder text NOT NULL,
  at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, key)
);
`;

export const pgMigrations: readonly PgMigration[] = [{ version: 1, name: 'initial', sql: initial }];
