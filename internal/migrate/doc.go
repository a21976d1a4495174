// Package migrate applies a store's embedded SQL migrations to SQLite or
// PostgreSQL, once each, in order: NNNN_name.sql is shared, and
// NNNN_name.sqlite.sql and NNNN_name.postgres.sql hold the parts of the
// same version that differ between the two databases. The registry and the
// gateway-compatible server both keep their schema this way.
package migrate
