/** The first schema: canonical tasks, their history and references, people, cursors, deliveries, flags, outbox. */
export const sql = /* sql */ `
CREATE TABLE tasks (
  id                     TEXT PRIMARY KEY,          -- <connector>:<native key>
  connector              TEXT NOT NULL,
  kind                   TEXT NOT NULL,
  key                    TEXT NOT NULL,
  url                    TEXT,
  type                   TEXT NOT NULL,
  title                  TEXT NOT NULL,
  description            TEXT,
  status                 TEXT NOT NULL,
  raw_status             TEXT,
  priority               TEXT,
  raw_priority           TEXT,
  assignees              TEXT NOT NULL DEFAULT '[]', -- JSON AccountRef[]
  owner                  TEXT,                       -- person id, only when exactly one person owns it
  reporter               TEXT,                       -- JSON AccountRef
  due                    TEXT,                       -- YYYY-MM-DD, team timezone
  acceptance_criteria    TEXT,
  estimate_s             INTEGER,
  spent_s                INTEGER,
  remaining_s            INTEGER,
  parent                 TEXT,
  depends_on             TEXT NOT NULL DEFAULT '[]', -- JSON TaskRef[]
  links                  TEXT NOT NULL DEFAULT '[]', -- JSON TaskRef[]
  labels                 TEXT NOT NULL DEFAULT '[]', -- JSON string[]
  project                TEXT,
  milestone              TEXT,
  created_at             TEXT NOT NULL,
  updated_at             TEXT NOT NULL,
  last_human_activity_at TEXT,
  done_at                TEXT,
  verified_at            TEXT,
  verified_by            TEXT,
  deleted_at             TEXT,
  content_hash           TEXT NOT NULL,
  last_written_by_us_at  TEXT,
  first_seen_at          TEXT NOT NULL,
  last_seen_at           TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX tasks_connector_key ON tasks (connector, key);
CREATE INDEX tasks_owner ON tasks (owner) WHERE deleted_at IS NULL;
CREATE INDEX tasks_status ON tasks (status) WHERE deleted_at IS NULL;
CREATE INDEX tasks_url ON tasks (url);

-- Dependencies and links as rows, so the graph can find who points at a task (the parent is the
-- tasks.parent column). References may name tasks in other tools or tasks not captured yet; they are
-- resolved lazily.
CREATE TABLE task_refs (
  task_id TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  rel     TEXT NOT NULL CHECK (rel IN ('depends_on', 'link')),
  ref     TEXT NOT NULL,
  PRIMARY KEY (task_id, rel, ref)
) STRICT, WITHOUT ROWID;
CREATE INDEX task_refs_ref ON task_refs (ref);

-- Every change to a task: from diffs taskwire saw ('diff'), the tool's own history ('source'), or
-- activity with no field change ('activity'). 'at' is when it happened at the source.
CREATE TABLE task_history (
  id          INTEGER PRIMARY KEY,
  task_id     TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  field       TEXT NOT NULL,
  old_value   TEXT,
  new_value   TEXT,
  at          TEXT NOT NULL,
  actor       TEXT NOT NULL CHECK (actor IN ('human', 'bot', 'taskwire', 'unknown')),
  actor_id    TEXT,
  source      TEXT NOT NULL CHECK (source IN ('diff', 'source', 'activity')),
  recorded_at TEXT NOT NULL
) STRICT;
CREATE INDEX task_history_task ON task_history (task_id, at);
-- The tool's own history and activity are re-read on overlapping polls: the same entry is kept once.
CREATE UNIQUE INDEX task_history_once ON task_history (task_id, field, at, ifnull(new_value, ''), source)
  WHERE source <> 'diff';

CREATE TABLE accounts (
  kind          TEXT NOT NULL,
  account_id    TEXT NOT NULL,
  connector     TEXT NOT NULL,
  name          TEXT,
  email         TEXT,
  is_bot        INTEGER NOT NULL DEFAULT 0,
  first_seen_at TEXT NOT NULL,
  last_seen_at  TEXT NOT NULL,
  PRIMARY KEY (kind, account_id)
) STRICT;

CREATE TABLE cursors (
  connector  TEXT PRIMARY KEY,
  value      TEXT NOT NULL,   -- JSON, opaque to all but its connector
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE webhook_deliveries (
  connector   TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  received_at TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('received', 'processed', 'failed', 'ignored')),
  detail      TEXT,
  PRIMARY KEY (connector, delivery_id)
) STRICT;
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at);

CREATE TABLE flags (
  id            INTEGER PRIMARY KEY,
  task_id       TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  code          TEXT NOT NULL,
  severity      TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  reason        TEXT NOT NULL,
  evidence      TEXT NOT NULL DEFAULT '{}',
  first_seen_at TEXT NOT NULL,
  last_seen_at  TEXT NOT NULL,
  resolved_at   TEXT
) STRICT;
CREATE UNIQUE INDEX flags_open ON flags (task_id, code) WHERE resolved_at IS NULL;
CREATE INDEX flags_code_open ON flags (code) WHERE resolved_at IS NULL;

CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  connector       TEXT NOT NULL,
  task_id         TEXT,
  action          TEXT NOT NULL,   -- JSON OutboundAction
  reason          TEXT,
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'claimed', 'sent', 'dead', 'skipped')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  lease_until     TEXT,
  last_error      TEXT,
  external_id     TEXT,
  created_at      TEXT NOT NULL,
  sent_at         TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- What taskwire itself wrote to the tools, so our own writes never echo back as human activity.
CREATE TABLE write_ledger (
  id          INTEGER PRIMARY KEY,
  connector   TEXT NOT NULL,
  task_key    TEXT,
  what        TEXT NOT NULL,
  external_id TEXT,
  at          TEXT NOT NULL
) STRICT;
CREATE INDEX write_ledger_external ON write_ledger (connector, external_id);

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
`;
