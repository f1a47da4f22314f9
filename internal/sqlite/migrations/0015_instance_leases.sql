-- Per-instance leases (package lease): the lease the rules last decided,
-- one row per instance, ever. holder is '' and expires_at NULL once
-- released; token stays, so the next grant continues the count. No
-- foreign key to instances, and rows are never deleted: re-creating an
-- instance under the same name must not reuse a fencing token.
CREATE TABLE instance_leases (
  instance_name TEXT PRIMARY KEY,
  holder        TEXT NOT NULL,
  token         INTEGER NOT NULL,
  expires_at    INTEGER
) WITHOUT ROWID;
