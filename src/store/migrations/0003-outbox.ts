/**
 * The outbox as the follow-up engine uses it. SQLite cannot change a CHECK constraint, so the table is
 * rebuilt (it held nothing before follow-ups existed, but rows are copied all the same):
 * - `planned`: recorded in plan mode, never sent; `sending`: a message that cannot be made idempotent
 *   is on its way (a crash leaves it for the dispatcher to check, not to repeat blindly);
 * - `kind`, `recipient`, `subject`, `about`: what it is, to whom, about what — for cooldowns, caps and
 *   superseding;
 * - `cycle`: the evaluation that planned it; `superseded_by`: a newer action for the same subject.
 */
export const sql = /* sql */ `
CREATE TABLE outbox_new (
  id              INTEGER PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  connector       TEXT NOT NULL,
  task_id         TEXT,
  kind            TEXT NOT NULL DEFAULT 'unknown',
  recipient       TEXT,
  subject         TEXT NOT NULL DEFAULT '',
  about           TEXT NOT NULL DEFAULT '[]',  -- JSON [{taskId, code}]: what a message was about (cooldowns)
  action          TEXT NOT NULL,
  reason          TEXT,
  status          TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('planned', 'pending', 'claimed', 'sending', 'sent', 'dead', 'skipped')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  lease_until     TEXT,
  claimed_by      TEXT,
  last_error      TEXT,
  external_id     TEXT,
  cycle           TEXT,
  superseded_by   INTEGER,
  created_at      TEXT NOT NULL,
  sent_at         TEXT
) STRICT;
INSERT INTO outbox_new (id, idempotency_key, connector, task_id, action, reason, status, attempts, next_attempt_at,
                        lease_until, last_error, external_id, created_at, sent_at)
  SELECT id, idempotency_key, connector, task_id, action, reason, status, attempts, next_attempt_at,
         lease_until, last_error, external_id, created_at, sent_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_subject ON outbox (kind, subject, status);
CREATE INDEX outbox_recipient ON outbox (recipient, created_at);
CREATE INDEX outbox_task ON outbox (task_id, created_at);
`;
