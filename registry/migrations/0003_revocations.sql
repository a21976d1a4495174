-- An issuing authority in a split deployment pulls back the revocations the
-- national registry's operators made to its certificates, in order of
-- revocation time; this index serves that read (registry.RevocationsOf).
CREATE INDEX certificates_revoked ON certificates (authority, revoked_at, uvci) WHERE revoked_at IS NOT NULL;
