// Package pgtest gives tests their own PostgreSQL schema on the server named
// by DCC_TEST_POSTGRES_DSN (which .ci/run always sets), so that tests of the
// registry run against PostgreSQL as well as SQLite.
package pgtest
