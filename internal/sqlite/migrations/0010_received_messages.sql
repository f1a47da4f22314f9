-- Received messages, kept for message.ReceivedRetention so that a reply or
-- a reaction can name them (replyTo). Keyed like receipts: an instance and
-- a WhatsApp id. expires_at (ms) is what housekeeping purges by.
CREATE TABLE received_messages (
	instance_name TEXT NOT NULL,
	wa_id         TEXT NOT NULL,
	chat          TEXT NOT NULL,
	from_number   TEXT NOT NULL,
	type          TEXT NOT NULL,
	text          TEXT NOT NULL,
	received_at   INTEGER NOT NULL,
	expires_at    INTEGER NOT NULL,
	PRIMARY KEY (instance_name, wa_id)
);
CREATE INDEX received_messages_expiry ON received_messages(expires_at);
