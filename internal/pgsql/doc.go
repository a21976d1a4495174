// Package pgsql is a minimal database/sql driver over pgx for the stores
// of the registry and the gateway-compatible server: one *pgx.Conn per
// pooled connection, positional arguments, transactions, and rows of text,
// bytea, integers and NULL.
package pgsql
