// Package registry is the storage of the national DCC registry (docs/design.md,
// "local store + outbox ──▶ national registry"): one row per certificate
// (UVCI, type, authority, laboratory, DSC kid, iat, exp, event date, payload
// hash, revocation state) with the payload sealed at rest by AES-256-GCM, an
// append-only audit log of issuance, views, revocations, searches and
// sign-ins, and the outbox through which an issuing authority's local store
// delivers records to the registry.
//
// The same SQL runs on SQLite (modernc.org/sqlite) and PostgreSQL (pgx):
// $n placeholders, times as UTC Unix seconds, ON CONFLICT for idempotent
// inserts. Only the DDL of the audit table differs (its key column and the
// triggers refusing UPDATE and DELETE), in per-dialect migration files.
//
// Payloads are sealed with the current key of a Keys set, a random 96-bit
// nonce, and the UVCI as additional data, so a ciphertext copied onto
// another row does not open; the key id is stored beside it, so old rows
// still open after rotation. Error messages carry no personal data.
package registry
