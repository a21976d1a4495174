-- Shared by SQLite and PostgreSQL: the types below mean the same on both
-- (SQLite stores BYTEA values as blobs). Times are UTC Unix seconds.
CREATE TABLE certificates (
    uvci          TEXT PRIMARY KEY,
    type          TEXT NOT NULL CHECK (type IN ('v', 't', 'r')),
    authority     TEXT NOT NULL,
    lab           TEXT NOT NULL,
    kid           TEXT NOT NULL,
    issued_at     BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    event_date    TEXT NOT NULL,
    payload_hash  TEXT NOT NULL,
    key_id        TEXT NOT NULL,
    payload       BYTEA NOT NULL,
    revoked_at    BIGINT,
    revoked_by    TEXT NOT NULL DEFAULT '',
    revoke_reason TEXT NOT NULL DEFAULT '',
    replaced_by   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX certificates_authority_issued ON certificates (authority, issued_at);
CREATE INDEX certificates_issued ON certificates (issued_at);
CREATE INDEX certificates_lab ON certificates (lab);

-- The outbox of an issuing authority's local store: one row per record still
-- (or once) to be delivered to the national registry.
CREATE TABLE outbox (
    uvci         TEXT PRIMARY KEY REFERENCES certificates (uvci),
    created_at   BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    next_attempt BIGINT NOT NULL,
    last_error   TEXT NOT NULL DEFAULT '',
    delivered_at BIGINT
);
CREATE INDEX outbox_due ON outbox (next_attempt) WHERE delivered_at IS NULL;
