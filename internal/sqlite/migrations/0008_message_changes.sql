-- Edits and deletions for everyone of sent messages (PATCH and DELETE
-- /message/{id}): when the last edit, and the deletion, went out (unix
-- ms). NULL until then.
ALTER TABLE messages ADD COLUMN edited_at INTEGER;
ALTER TABLE messages ADD COLUMN revoked_at INTEGER;
