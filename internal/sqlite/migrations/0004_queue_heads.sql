-- Each group's head (its oldest message) is flagged, so that receiving is an
-- index range scan over visible heads instead of a walk over every group:
-- with thousands of instances (groups) the walk dominated every receive.
ALTER TABLE queue_messages ADD COLUMN is_head INTEGER NOT NULL DEFAULT 0;
UPDATE queue_messages SET is_head = 1
WHERE seq IN (SELECT min(seq) FROM queue_messages GROUP BY queue, group_id);
CREATE INDEX queue_messages_heads ON queue_messages(queue, visible_at, seq) WHERE is_head = 1;
