-- Webhook deliveries, written in the same transaction as the change that
-- causes their event (the outbox), then drained by the dispatcher.
CREATE TABLE deliveries (
    id               TEXT PRIMARY KEY, -- x-gateway-delivery
    tenant_id        TEXT NOT NULL,
    instance_name    TEXT NOT NULL,
    event            TEXT NOT NULL,
    body             BLOB NOT NULL,
    status           TEXT NOT NULL,    -- retrying | delivered | dead
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_at          INTEGER,          -- due time of the next attempt while retrying
    last_status_code INTEGER,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    delivered_at     INTEGER
) STRICT;
CREATE INDEX deliveries_due ON deliveries(next_at) WHERE status = 'retrying';
CREATE INDEX deliveries_instance ON deliveries(instance_name, created_at);
