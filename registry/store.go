package registry

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"dcc/internal/migrate"
	"dcc/internal/pgsql"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Sentinel errors callers branch on. Messages never carry personal data.
var (
	ErrNotFound       = errors.New("registry: no certificate with this UVCI")
	ErrConflict       = errors.New("registry: UVCI already stored with a different payload")
	ErrAlreadyRevoked = errors.New("registry: certificate already revoked")
)

type dialect string

const (
	dialectSQLite   dialect = "sqlite"
	dialectPostgres dialect = "postgres"
)

// Store is the registry's storage: certificates with sealed payloads, the
// append-only audit log, and the delivery outbox. It is safe for concurrent
// use.
type Store struct {
	db      *sql.DB
	dialect dialect
	keys    *Keys
	stmts   map[string]*sql.Stmt // prepared at Open, read-only after
	group   *committer
	ckpt    *checkpointer // SQLite only
}

// Open opens "sqlite:PATH" or "postgres://…" ("postgresql://…"), applies the
// embedded migrations not yet applied, and seals payloads with keys.
//
// SQLite runs in WAL mode with a busy timeout and foreign keys, through one
// connection, so there is a single writer. A PostgreSQL DSN may carry
// search_path=SCHEMA to place the tables in a schema.
func Open(ctx context.Context, dsn string, keys *Keys) (*Store, error) {
	if keys == nil {
		return nil, errors.New("registry: no payload keys; load them with LoadKeys")
	}
	s := &Store{keys: keys}
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		p := strings.TrimPrefix(dsn, "sqlite:")
		if p == "" || strings.ContainsAny(p, "?#") {
			return nil, errors.New("registry: sqlite DSN needs a file path without '?' or '#': sqlite:/var/lib/dcc/registry.db")
		}
		// Created private (SQLite gives its -wal and -shm files the mode of
		// the database file): the metadata of every certificate is in it.
		if f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
			f.Close()
		} else if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("registry: create sqlite file: %w", err)
		}
		// The writer does not checkpoint (wal_autocheckpoint 0): a
		// checkpoint writes and syncs the database file, milliseconds in
		// which every issuance would wait for the single writer. The
		// checkpointer does it on its own connection, beside the writer.
		q := url.Values{"_pragma": {"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)", "wal_autocheckpoint(0)"}}
		db, err := sql.Open("sqlite", "file:"+p+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("registry: open sqlite: %w", err)
		}
		db.SetMaxOpenConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		s.db, s.dialect = db, dialectSQLite
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, fmt.Errorf("registry: PostgreSQL DSN: %w", err)
		}
		db := sql.OpenDB(pgsql.Connector(cfg))
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(4)
		s.db, s.dialect = db, dialectPostgres
	default:
		return nil, errors.New("registry: DSN must start with sqlite: or postgres://")
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("registry: connect to %s: %w", s.dialect, err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	if err := s.indexHolders(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	var err error
	if err = s.prepare(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	// The committer tells the checkpointer of its commits; s.ckpt is set
	// before any write can commit.
	s.group = newCommitter(s.db, commitWindow, func() { s.ckpt.wrote() })
	if s.dialect == dialectSQLite {
		if s.ckpt, err = newCheckpointer(strings.TrimPrefix(dsn, "sqlite:"), s.group.hold); err != nil {
			s.group.close()
			s.db.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close finishes queued writes and closes the database.
func (s *Store) Close() error {
	s.group.close()
	s.ckpt.close()
	return s.db.Close()
}

// migrations is the registry's schema versions.
func migrations() migrate.Set {
	return migrate.Set{FS: migrationFiles, Dir: "migrations", Table: "schema_migrations", Lock: 4470201}
}

func (s *Store) migrate(ctx context.Context) error {
	if err := migrations().Apply(ctx, s.db, string(s.dialect)); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	return nil
}

// Migrations returns the versions applied to the database, in order.
func (s *Store) Migrations(ctx context.Context) ([]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("registry: list migrations: %w", err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("registry: list migrations: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Query selects records for Search. Zero fields do not filter.
type Query struct {
	Authority, Type, Lab string
	IssuedFrom           time.Time // inclusive
	IssuedTo             time.Time // exclusive
	Revoked              *bool
	Limit                int    // default 100, at most 1000
	After                string // cursor: return UVCIs after this one
	// HolderName and HolderDOB find one person's certificates: the surname
	// as written or standardised (fn or fnt), and the date of birth exactly
	// as in the payload. Both or neither; they are never stored or audited.
	HolderName, HolderDOB string
}

// Search returns records without payloads, ordered by UVCI, and the cursor
// for the next page ("" on the last page). The search is audited.
func (s *Store) Search(ctx context.Context, q Query, actor string) ([]Record, string, error) {
	if err := checkActor(actor); err != nil {
		return nil, "", err
	}
	switch {
	case q.Limit < 0:
		return nil, "", errors.New("registry: query Limit is negative")
	case q.Limit == 0:
		q.Limit = 100
	case q.Limit > 1000:
		q.Limit = 1000
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if q.Authority != "" {
		add("authority = ?", q.Authority)
	}
	if q.Type != "" {
		add("type = ?", q.Type)
	}
	if q.Lab != "" {
		add("lab = ?", q.Lab)
	}
	if !q.IssuedFrom.IsZero() {
		add("issued_at >= ?", q.IssuedFrom.Unix())
	}
	if !q.IssuedTo.IsZero() {
		add("issued_at < ?", q.IssuedTo.Unix())
	}
	if q.Revoked != nil {
		if *q.Revoked {
			where = append(where, "revoked_at IS NOT NULL")
		} else {
			where = append(where, "revoked_at IS NULL")
		}
	}
	if (q.HolderName == "") != (q.HolderDOB == "") {
		return nil, "", errors.New("registry: a search by holder needs both the surname and the date of birth")
	}
	if q.HolderName != "" {
		add("holder_index = ?", s.keys.holderIndex(q.HolderName, q.HolderDOB))
	}
	if q.After != "" {
		add("uvci > ?", q.After)
	}
	query := `SELECT ` + recordColumns + ` FROM certificates`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, q.Limit+1)
	query += ` ORDER BY uvci LIMIT $` + strconv.Itoa(len(args))

	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("registry: search: %w", err)
	}
	var out []Record
	for rows.Next() {
		r, _, err := scanRecord(rows, false)
		if err != nil {
			rows.Close()
			return nil, "", fmt.Errorf("registry: search: %w", err)
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("registry: search: %w", err)
	}
	next := ""
	if len(out) > q.Limit {
		out = out[:q.Limit]
		next = out[len(out)-1].UVCI
	}
	detail := fmt.Sprintf("authority=%q type=%q lab=%q results=%d", q.Authority, q.Type, q.Lab, len(out))
	if q.HolderName != "" {
		detail += " by-holder" // who was looked for is not written down
	}
	if err := audit(ctx, s.db, actor, ActionSearch, "", detail); err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// Stat counts the certificates of one authority and type.
type Stat struct {
	Authority string
	Type      string
	Issued    int // certificates issued in the period
	Revoked   int // of which revoked
}

// Stats counts certificates issued in [from, to) (zero times do not bound)
// by authority and type, in that order. Reading statistics is audited.
func (s *Store) Stats(ctx context.Context, from, to time.Time, actor string) ([]Stat, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !from.IsZero() {
		lo = from.Unix()
	}
	if !to.IsZero() {
		hi = to.Unix()
	}
	rows, err := s.db.QueryContext(ctx, `SELECT authority, type, COUNT(*),
		SUM(CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END)
		FROM certificates WHERE issued_at >= $1 AND issued_at < $2
		GROUP BY authority, type ORDER BY authority, type`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("registry: statistics: %w", err)
	}
	defer rows.Close()
	var out []Stat
	for rows.Next() {
		var st Stat
		if err := rows.Scan(&st.Authority, &st.Type, &st.Issued, &st.Revoked); err != nil {
			return nil, fmt.Errorf("registry: statistics: %w", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("registry: statistics: %w", err)
	}
	if err := audit(ctx, s.db, actor, ActionStats, "", ""); err != nil {
		return nil, err
	}
	return out, nil
}

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Actor  string
	Action string // one of the Action constants
	UVCI   string // empty for sign-ins and searches
	Detail string
}

// AuditSignIn records a sign-in attempt by actor.
func (s *Store) AuditSignIn(ctx context.Context, actor string, ok bool) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	action := ActionSignIn
	if !ok {
		action = ActionSignInFailed
	}
	return audit(ctx, s.db, actor, action, "", "")
}

// AuditSignInFailures records failed sign-ins by actor counted together
// rather than one row each (an address throttled for guessing): failed of
// them in the interval that began at since, as the detail
// "failed=N interval=60s since=RFC3339".
func (s *Store) AuditSignInFailures(ctx context.Context, actor string, failed int, since time.Time, interval time.Duration) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	if failed < 1 {
		return fmt.Errorf("registry: %d failed sign-ins to record: want at least 1", failed)
	}
	detail := fmt.Sprintf("failed=%d interval=%ds since=%s", failed, int64(interval/time.Second), since.UTC().Format(time.RFC3339))
	return audit(ctx, s.db, actor, ActionSignInFailed, "", detail)
}

// Audit returns the audit entries about one certificate, oldest first.
func (s *Store) Audit(ctx context.Context, uvci string) ([]AuditEntry, error) {
	return s.auditWhere(ctx, "uvci", uvci)
}

// AuditByActor returns the audit entries of one actor, oldest first.
func (s *Store) AuditByActor(ctx context.Context, actor string) ([]AuditEntry, error) {
	return s.auditWhere(ctx, "actor", actor)
}

func (s *Store) auditWhere(ctx context.Context, column, value string) ([]AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, actor, action, uvci, detail FROM audit WHERE `+column+` = $1 ORDER BY id`, value)
	if err != nil {
		return nil, fmt.Errorf("registry: read audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.UVCI, &e.Detail); err != nil {
			return nil, fmt.Errorf("registry: read audit log: %w", err)
		}
		e.At = time.Unix(at, 0).UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("registry: read audit log: %w", err)
	}
	return out, nil
}
