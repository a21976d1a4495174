-- Indexes for a registry of tens of millions of certificates
-- (docs/benchmarks.md, "Registry size").
--
-- A holder search (registry.Query.HolderName/HolderDOB) filters on the
-- holder index and pages in UVCI order: with the UVCI in the index, the
-- matching rows come out in order and a page is a range of one index, with
-- no sort and no second look-up of the UVCI key. It replaces the index of
-- 0004, of which it is a prefix (Open's look for rows still to index uses it
-- as well).
CREATE INDEX certificates_holder_uvci ON certificates (holder_index, uvci);
DROP INDEX certificates_holder;
-- The published revocation list (registry.Store.Revoked) reads the revoked
-- certificates in the order of the list, DSC kid then UVCI: a partial index
-- of just those rows, so that publishing costs the revoked rows and not a
-- scan of every certificate.
CREATE INDEX certificates_revoked_list ON certificates (kid, uvci) WHERE revoked_at IS NOT NULL;
