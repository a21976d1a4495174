-- Gateway storage (gateway.md §A.2–§A.4, §C): trusted parties with their
-- trust-anchor signature, uploaded DSCs, validation rules, revocation
-- batches. Certificates and CMS messages are kept as base64 text, times as
-- Unix nanoseconds (UTC), so that one schema serves SQLite and PostgreSQL.
CREATE TABLE trusted_party (
	type        TEXT NOT NULL,   -- AUTHENTICATION, UPLOAD or CSCA
	thumbprint  TEXT NOT NULL,   -- lowercase hex SHA-256 of the DER
	country     TEXT NOT NULL,
	raw_data    TEXT NOT NULL,   -- base64 DER
	signature   TEXT NOT NULL,   -- base64 detached CMS by the trust anchor over the DER
	roles       TEXT NOT NULL,   -- comma-separated revocation roles (AUTHENTICATION rows)
	created_at  BIGINT NOT NULL,
	PRIMARY KEY (type, thumbprint)
);
CREATE INDEX trusted_party_country ON trusted_party (country);

CREATE TABLE signer_information (
	thumbprint  TEXT PRIMARY KEY,
	kid         TEXT NOT NULL,
	country     TEXT NOT NULL,
	raw_data    TEXT NOT NULL,
	signature   TEXT,            -- the uploaded CMS re-packed detached; NULL once deleted
	created_at  BIGINT NOT NULL,
	deleted_at  BIGINT           -- NULL while present
);

CREATE TABLE validation_rule (
	rule_id     TEXT NOT NULL,
	version     TEXT NOT NULL,
	country     TEXT NOT NULL,
	valid_from  BIGINT NOT NULL,
	valid_to    BIGINT NOT NULL,
	cms         TEXT NOT NULL,   -- the uploaded base64 CMS, served back verbatim
	created_at  BIGINT NOT NULL,
	PRIMARY KEY (rule_id, version)
);
CREATE INDEX validation_rule_country ON validation_rule (country);

CREATE TABLE revocation_batch (
	batch_id     TEXT PRIMARY KEY, -- lowercase UUID
	country      TEXT NOT NULL,
	changed      BIGINT NOT NULL,
	deleted      INTEGER NOT NULL, -- 0 or 1
	kid          TEXT NOT NULL,
	hash_type    TEXT NOT NULL,
	expires      BIGINT NOT NULL,
	signed_batch TEXT              -- the uploaded base64 CMS; NULL once deleted
);
CREATE INDEX revocation_batch_changed ON revocation_batch (changed);
