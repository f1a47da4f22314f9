-- Delivery and read receipts. A sent message records its WhatsApp id, by
-- which receipts name it; the index is partial, so pending and failed
-- messages cost nothing in it. Receipts are scoped to the instance that
-- sent the message, hence the instance name leads the key.
ALTER TABLE messages ADD COLUMN wa_id TEXT;
ALTER TABLE messages ADD COLUMN delivered_at INTEGER;
ALTER TABLE messages ADD COLUMN read_at INTEGER;
CREATE INDEX messages_wa_id ON messages(instance_name, wa_id) WHERE wa_id IS NOT NULL;
