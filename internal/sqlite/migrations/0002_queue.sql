-- Lane queues of the local gateway, with SQS FIFO semantics (see
-- internal/queue/queuetest). Several named queues share these tables.
-- Times are Unix milliseconds (UTC).
CREATE TABLE queue_messages (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT, -- send order; never reused
    queue         TEXT NOT NULL,
    group_id      TEXT NOT NULL,
    dedup_id      TEXT NOT NULL,
    body          BLOB NOT NULL,
    visible_at    INTEGER NOT NULL, -- receivable once visible_at <= now
    receipt       TEXT,             -- NULL until first received
    receive_count INTEGER NOT NULL DEFAULT 0,
    sent_at       INTEGER NOT NULL
) STRICT;
-- Finds each group's head (lowest seq) and walks the groups of a queue.
CREATE INDEX queue_messages_group ON queue_messages(queue, group_id, seq);

-- Deduplication ids seen in the last five minutes, per queue. Rows outlive
-- the deletion of their message; Send sweeps expired ones a few at a time.
CREATE TABLE queue_dedup (
    queue      TEXT NOT NULL,
    dedup_id   TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (queue, dedup_id)
) STRICT;
CREATE INDEX queue_dedup_expiry ON queue_dedup(expires_at);
