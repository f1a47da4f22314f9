-- GET /instance/{name}/messages: each side of the listing is a range scan
-- of one index in the listing order (time, then id, both descending), so a
-- page costs its own rows whatever the instance's history. The chat
-- variants serve the chat filter, which would otherwise read the whole
-- instance to find one conversation. received_messages' primary key
-- (instance_name, wa_id) cannot order by time.
CREATE INDEX messages_listing ON messages(instance_name, created_at, id);
CREATE INDEX messages_listing_chat ON messages(instance_name, to_number, created_at, id);
CREATE INDEX received_messages_listing ON received_messages(instance_name, received_at, wa_id);
CREATE INDEX received_messages_listing_chat ON received_messages(instance_name, chat, received_at, wa_id);
