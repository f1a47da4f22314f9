-- The anti-ban limit on number checks (numbercheck): per instance, the
-- uses still inside the rolling hour, in numbercheck's encoding; the store
-- keeps what numbercheck.Reserve decided and nothing else. No foreign key
-- to instances: deleting and re-creating an instance must not reset its
-- limit. expires_at (ms) is an hour after the last use, when every use
-- has left the window; rows past it are deleted by the next reservation.
CREATE TABLE number_checks (
  instance_name TEXT PRIMARY KEY,
  uses          BLOB NOT NULL,
  expires_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX number_checks_expiry ON number_checks(expires_at);
