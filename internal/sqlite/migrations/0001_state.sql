-- State of the gateway: tenants, their API keys, instances, messages and
-- idempotency records. Times are Unix milliseconds (UTC).
CREATE TABLE tenants (
    id         TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    hash       BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);

CREATE TABLE instances (
    name           TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    client_id      TEXT NOT NULL,
    webhook_url    TEXT NOT NULL,
    webhook_secret TEXT NOT NULL,
    state          TEXT NOT NULL,
    phone_number   TEXT,
    connected_at   INTEGER,
    created_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX instances_tenant_client ON instances(tenant_id, client_id);

CREATE TABLE messages (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL,
    instance_name TEXT NOT NULL,
    lane          TEXT NOT NULL,
    to_number     TEXT NOT NULL,
    type          TEXT NOT NULL,
    content       TEXT NOT NULL, -- JSON of the type's fields
    status        TEXT NOT NULL,
    error         TEXT,
    created_at    INTEGER NOT NULL,
    sent_at       INTEGER,
    updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_instance_status ON messages(instance_name, status, lane);

CREATE TABLE idempotency (
    tenant_id   TEXT NOT NULL,
    key         TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    body        BLOB NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, key)
) STRICT;
CREATE INDEX idempotency_expiry ON idempotency(expires_at);

-- Local-mode settings, e.g. the hash of a generated operator key.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;
