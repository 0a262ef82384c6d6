/**
 * The durable webhook inbox, and what the promises of the follow-ups need:
 * - `inbox` replaces `webhook_deliveries`: a verified delivery is kept — raw body and the headers its
 *   processing reads — in the same row as its dedupe record (connector + delivery id), before it is
 *   acknowledged; it is processed from here, claimed with a lease, retried with backoff, dead-lettered
 *   after too many tries, and pruned after a retention. Rows from before the inbox kept no body: they
 *   are carried over as finished.
 * - `item_failures`: an item whose detail keeps failing, retried on later cycles while the rest of its
 *   scope moves on.
 * - `status_comments`: per task, the comment taskwire wrote (its id in the tool), and when a person
 *   took it over (edited or deleted it): from then on taskwire leaves it alone.
 * - `leases` and `runs`: work one process does at a time, and work done once (the PostgreSQL store
 *   coordinates replicas with them; SQLite has one process, and the same code path).
 */
export const sql = /* sql */ `
CREATE TABLE inbox (
  id              INTEGER PRIMARY KEY,
  connector       TEXT NOT NULL,
  delivery_id     TEXT NOT NULL,
  received_at     TEXT NOT NULL,
  body            BLOB,
  headers         TEXT NOT NULL DEFAULT '{}',
  status          TEXT NOT NULL CHECK (status IN ('received', 'claimed', 'processed', 'ignored', 'dead')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  lease_until     TEXT,
  claimed_by      TEXT,
  last_error      TEXT,
  detail          TEXT,
  finished_at     TEXT,
  UNIQUE (connector, delivery_id)
) STRICT;
INSERT INTO inbox (connector, delivery_id, received_at, body, status, next_attempt_at, detail, finished_at)
  SELECT connector, delivery_id, received_at, NULL,
         CASE status WHEN 'processed' THEN 'processed' ELSE 'ignored' END,
         received_at,
         CASE status WHEN 'processed' THEN detail ELSE coalesce(detail || ' ', '') || '(received before the inbox kept bodies)' END,
         received_at
    FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
-- Claims walk waiting rows in arrival order (status, id) and find expired leases (status, lease_until),
-- so a claim costs the same however many rows are finished.
CREATE INDEX inbox_waiting ON inbox (status, id);
CREATE INDEX inbox_leases ON inbox (status, lease_until);
CREATE INDEX inbox_finished ON inbox (finished_at) WHERE status IN ('processed', 'ignored', 'dead');

CREATE TABLE item_failures (
  connector       TEXT NOT NULL,
  key             TEXT NOT NULL,
  error           TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 1,
  first_failed_at TEXT NOT NULL,
  last_failed_at  TEXT NOT NULL,
  next_attempt_at TEXT NOT NULL,
  PRIMARY KEY (connector, key)
) STRICT;

-- The outbox is claimed the same way: per connector, in id order, and expired leases apart.
CREATE INDEX outbox_waiting ON outbox (connector, status, id);
CREATE INDEX outbox_leases ON outbox (status, lease_until);

CREATE TABLE status_comments (
  task_id        TEXT PRIMARY KEY,
  connector      TEXT NOT NULL,
  external_id    TEXT,
  url            TEXT,
  written_at     TEXT,
  left_alone_at  TEXT,
  left_alone_why TEXT
) STRICT;
CREATE TABLE leases (
  name        TEXT PRIMARY KEY,
  holder      TEXT NOT NULL,
  token       INTEGER NOT NULL,
  acquired_at TEXT NOT NULL,
  renewed_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL
) STRICT;

CREATE TABLE runs (
  kind   TEXT NOT NULL,
  key    TEXT NOT NULL,
  holder TEXT NOT NULL,
  at     TEXT NOT NULL,
  PRIMARY KEY (kind, key)
) STRICT;

INSERT INTO status_comments (task_id, connector, external_id, written_at)
  SELECT task_id, connector, external_id, max(sent_at) FROM outbox
   WHERE kind = 'status_comment' AND status = 'sent' AND task_id IS NOT NULL AND external_id IS NOT NULL
   GROUP BY task_id;
`;
