-- The data of each received message's message.received event, as the
-- webhook carried it (JSON): what the message listing shows, and where a
-- vote finds a received poll's options. NULL for rows kept before.
ALTER TABLE received_messages ADD COLUMN payload TEXT;
