-- The national synchronisation with the EU DCC Gateway (internal/gwsync).
-- Times are UTC Unix seconds, except the revocation cursor, which keeps the
-- gateway's full precision as RFC 3339 text.

-- What goes up, each item once: its key is unique ("dsc:<thumbprint>",
-- "dsc-delete:<thumbprint>", "revocation:<kid>:<hash type>:<digest>").
-- sending_since is set before a request and cleared when its outcome is
-- known: an entry found with it set may have reached the gateway already.
-- claimed_until is a lease: one process at a time works on an entry (the
-- server's schedule and an operator's `dcc gateway sync`).
CREATE TABLE gateway_outbox (
    key           TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    body          BYTEA NOT NULL,
    created_at    BIGINT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt  BIGINT NOT NULL,
    sending_since BIGINT,
    claimed_until BIGINT,
    done_at       BIGINT,
    result        TEXT NOT NULL DEFAULT '',
    last_error    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX gateway_outbox_due ON gateway_outbox (next_attempt) WHERE done_at IS NULL;

-- The revoked certificates already put into an upload batch.
CREATE TABLE gateway_revoked (
    uvci       TEXT PRIMARY KEY,
    outbox_key TEXT NOT NULL
);

-- What came down: one snapshot (trust list, value sets, rules), replaced
-- whole by each successful synchronisation, and the revocation batches,
-- kept by batch id.
CREATE TABLE gateway_download (
    id                 INTEGER PRIMARY KEY,
    generation         BIGINT NOT NULL,
    fetched_at         BIGINT NOT NULL,
    body               BYTEA NOT NULL,
    revocations_cursor TEXT NOT NULL DEFAULT ''
);
CREATE TABLE gateway_batches (
    batch_id TEXT PRIMARY KEY,
    country  TEXT NOT NULL,
    expires  BIGINT NOT NULL,
    body     BYTEA NOT NULL
);

-- The last outcome of each kind of exchange, for operators.
CREATE TABLE gateway_status (
    kind         TEXT PRIMARY KEY,
    last_attempt BIGINT NOT NULL DEFAULT 0,
    last_success BIGINT NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    count        INTEGER NOT NULL DEFAULT 0
);
