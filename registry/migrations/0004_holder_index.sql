-- A keyed hash of the holder's standardised surname and date of birth
-- (registry.Query.HolderName/HolderDOB), so that operators find a person's
-- certificates without the registry decrypting every payload. NULL until
-- Open fills it in for rows stored before this migration; '' for a payload
-- without a standardised surname.
ALTER TABLE certificates ADD COLUMN holder_index TEXT;
-- A full index, NULLs included: Open's look for rows still to index is then a
-- look-up, not a scan of every certificate at every start.
CREATE INDEX certificates_holder ON certificates (holder_index);
