-- Issuance needs: the signed HC1 string (sealed like the payload, so the QR
-- code and the PDF can be produced again), the link from a re-issued
-- certificate to the one it replaces, and the idempotency keys that make a
-- retried request return the certificate it already produced.
ALTER TABLE certificates ADD COLUMN hc1 BYTEA;
ALTER TABLE certificates ADD COLUMN replaces TEXT NOT NULL DEFAULT '';
CREATE INDEX certificates_type_issued ON certificates (type, issued_at);

CREATE TABLE idempotency (
    principal    TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    uvci         TEXT NOT NULL REFERENCES certificates (uvci),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (principal, idem_key)
);
