/**
 * Evidence: what one item says about another task (a pull request naming OPS-14: in review, merged,
 * approved). Kept once per source, target, kind and time; the verification loop and status pushes read it.
 */
export const sql = /* sql */ `
CREATE TABLE evidence (
  id          INTEGER PRIMARY KEY,
  connector   TEXT NOT NULL,
  source      TEXT NOT NULL,               -- the carrying item in its tool: acme/api#45
  source_url  TEXT,
  target      TEXT NOT NULL,               -- a TaskRef: jira:OPS-14, github:acme/api#12, a URL
  kind        TEXT NOT NULL CHECK (kind IN ('in_review', 'done', 'verified', 'withdrawn', 'acknowledged', 'snoozed')),
  at          TEXT NOT NULL,               -- when it happened at the source
  actor       TEXT NOT NULL CHECK (actor IN ('human', 'bot', 'taskwire', 'unknown')),
  actor_id    TEXT,
  summary     TEXT NOT NULL,
  until       TEXT,                        -- for snoozed: until when
  recorded_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX evidence_once ON evidence (connector, source, target, kind, at);
CREATE INDEX evidence_target ON evidence (target);
CREATE INDEX evidence_recorded ON evidence (recorded_at);
`;
