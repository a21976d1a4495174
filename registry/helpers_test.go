package registry_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dcc/internal/pgtest"
	"dcc/registry"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"
)

// rawDB reaches under the store, as an attacker or an operator with SQL
// access would.
type rawDB interface {
	Exec(query string, args ...any) error
	Bytes(query string, args ...any) []byte
}

type backend struct {
	name   string
	newDSN func(t testing.TB) string
	raw    func(t testing.TB, dsn string) rawDB
}

// backends returns SQLite always and PostgreSQL when DCC_TEST_POSTGRES_DSN
// is set; each newDSN is a fresh database (SQLite file, PostgreSQL schema).
func backends(t testing.TB) []backend {
	bs := []backend{{
		name: "sqlite",
		newDSN: func(t testing.TB) string {
			return "sqlite:" + filepath.Join(t.TempDir(), "registry.db")
		},
		raw: func(t testing.TB, dsn string) rawDB {
			db, err := sql.Open("sqlite", "file:"+strings.TrimPrefix(dsn, "sqlite:")+"?_pragma=busy_timeout(10000)")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return sqlRaw{t, db}
		},
	}}
	if !pgtest.Enabled() {
		return bs
	}
	return append(bs, backend{
		name:   "postgres",
		newDSN: func(t testing.TB) string { return pgtest.Schema(t, "registry_test") },
		raw: func(t testing.TB, dsn string) rawDB {
			conn, err := pgx.Connect(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { conn.Close(context.Background()) })
			return pgRaw{t, conn}
		},
	})
}

type sqlRaw struct {
	t  testing.TB
	db *sql.DB
}

func (r sqlRaw) Exec(q string, args ...any) error {
	_, err := r.db.Exec(q, args...)
	return err
}

func (r sqlRaw) Bytes(q string, args ...any) []byte {
	var b []byte
	if err := r.db.QueryRow(q, args...).Scan(&b); err != nil {
		r.t.Fatal(err)
	}
	return b
}

type pgRaw struct {
	t    testing.TB
	conn *pgx.Conn
}

func (r pgRaw) Exec(q string, args ...any) error {
	_, err := r.conn.Exec(context.Background(), q, args...)
	return err
}

func (r pgRaw) Bytes(q string, args ...any) []byte {
	var b []byte
	if err := r.conn.QueryRow(context.Background(), q, args...).Scan(&b); err != nil {
		r.t.Fatal(err)
	}
	return b
}

// eachBackend runs fn once per backend, each in a fresh database.
func eachBackend(t *testing.T, fn func(t *testing.T, b backend, dsn string)) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) { fn(t, b, b.newDSN(t)) })
	}
}

func testKeys(t testing.TB, current string, ids ...string) *registry.Keys {
	m := map[string][]byte{}
	for _, id := range append(ids, current) {
		m[id] = keyBytes(id)
	}
	k, err := registry.NewKeys(current, m)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// keyBytes derives a fixed test key from its id.
func keyBytes(id string) []byte {
	k := make([]byte, registry.KeySize)
	copy(k, id)
	return k
}

func open(t testing.TB, dsn string, keys *registry.Keys) *registry.Store {
	t.Helper()
	s, err := registry.Open(context.Background(), dsn, keys)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var day0 = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)

func record(i int) registry.Record {
	types := []string{"v", "t", "r"}
	r := registry.Record{
		UVCI:      fmt.Sprintf("URN:UVCI:01:ES:TEST%06d#X", i),
		Type:      types[i%3],
		Authority: []string{"MD", "AN", "CT"}[i%3],
		KID:       "3lTmAZX19GQ=",
		IssuedAt:  day0.Add(time.Duration(i) * time.Hour),
		EventDate: "2025-02-28",
		Payload:   []byte(fmt.Sprintf(`{"ver":"1.3.0","nam":{"fnt":"PATIENT<NUMBER<%d"},"dob":"1980-01-01"}`, i)),
	}
	r.Expires = r.IssuedAt.AddDate(1, 0, 0)
	if r.Type == "t" {
		r.Lab = []string{"LAB-A", "LAB-B"}[i%2]
	}
	return r
}
