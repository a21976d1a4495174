package registry

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
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
		q := url.Values{"_pragma": {"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)"}}
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
		db := sql.OpenDB(pgConnector{cfg})
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
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

type migration struct {
	version int
	name    string
	shared  string
	dialect string
}

// migrations returns the embedded migrations in order. NNNN_name.sql is
// shared; NNNN_name.sqlite.sql and NNNN_name.postgres.sql hold the parts of
// the same version (DDL only) that differ between the two databases.
func (s *Store) migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	byVersion := map[int]*migration{}
	for _, e := range entries {
		name := e.Name()
		base, _, _ := strings.Cut(name, ".")
		num, label, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("registry: migration file %s: name must be NNNN_name.sql", name)
		}
		body, err := fs.ReadFile(migrationFiles, path.Join("migrations", name))
		if err != nil {
			return nil, err
		}
		m := byVersion[v]
		if m == nil {
			m = &migration{version: v, name: label}
			byVersion[v] = m
		}
		switch strings.TrimPrefix(name, base) {
		case ".sql":
			m.shared = string(body)
		case "." + string(s.dialect) + ".sql":
			m.dialect = string(body)
		}
	}
	var out []migration
	for _, m := range byVersion {
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	return out, nil
}

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("registry: create schema_migrations: %w", err)
	}
	ms, err := s.migrations()
	if err != nil {
		return fmt.Errorf("registry: read migrations: %w", err)
	}
	for _, m := range ms {
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			if s.dialect == dialectPostgres {
				// Serialise concurrent Opens of the same database.
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(4470201)`); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, body := range []string{m.shared, m.dialect} {
				if strings.TrimSpace(body) == "" {
					continue
				}
				if _, err := tx.ExecContext(ctx, body); err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.version, m.name, time.Now().Unix())
			return err
		})
		if err != nil {
			return fmt.Errorf("registry: migration %04d_%s: %w", m.version, m.name, err)
		}
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

// Record is one certificate as the registry keeps it. Payload is the
// plaintext JSON payload: it exists only in memory and is sealed at rest.
type Record struct {
	UVCI      string
	Type      string // "v", "t" or "r"
	Authority string // the issuing authority
	Lab       string // the laboratory for test certificates, else empty
	KID       string // the DSC key identifier (base64)
	IssuedAt  time.Time
	Expires   time.Time
	EventDate string // vaccination date, sample date, or first positive test date
	// PayloadHash identifies the content for idempotent delivery; when zero,
	// Insert sets it to SHA-256 of Payload.
	PayloadHash [32]byte
	Payload     []byte

	RevokedAt    *time.Time
	RevokedBy    string
	RevokeReason string
	ReplacedBy   string // the UVCI of the certificate replacing this one
}

func (r *Record) check() error {
	switch {
	case r.UVCI == "":
		return errors.New("registry: record field UVCI is empty")
	case len(r.UVCI) > 128:
		return errors.New("registry: record field UVCI is longer than 128 bytes")
	case r.Type != "v" && r.Type != "t" && r.Type != "r":
		return fmt.Errorf("registry: record field Type is %q; want v, t or r", r.Type)
	case r.Authority == "":
		return errors.New("registry: record field Authority is empty")
	case r.KID == "":
		return errors.New("registry: record field KID is empty")
	case r.IssuedAt.IsZero():
		return errors.New("registry: record field IssuedAt is zero")
	case !r.Expires.After(r.IssuedAt):
		return errors.New("registry: record field Expires is not after IssuedAt")
	case r.EventDate == "":
		return errors.New("registry: record field EventDate is empty")
	case len(r.Payload) == 0:
		return errors.New("registry: record field Payload is empty")
	case !json.Valid(r.Payload):
		return errors.New("registry: record field Payload is not valid JSON")
	}
	return nil
}

// Audit actions.
const (
	ActionIssue        = "issue"
	ActionView         = "view"
	ActionRevoke       = "revoke"
	ActionSearch       = "search"
	ActionSignIn       = "sign-in"
	ActionSignInFailed = "sign-in-failed"
)

func audit(ctx context.Context, ex interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, actor, action, uvci, detail string) error {
	_, err := ex.ExecContext(ctx, `INSERT INTO audit (at, actor, action, uvci, detail) VALUES ($1, $2, $3, $4, $5)`,
		time.Now().Unix(), actor, action, uvci, detail)
	if err != nil {
		return fmt.Errorf("registry: write audit entry: %w", err)
	}
	return nil
}

func checkActor(actor string) error {
	if actor == "" {
		return errors.New("registry: actor is empty; every action is audited with who did it")
	}
	return nil
}

// Insert stores a record and its audit entry in one transaction. Inserting a
// UVCI again with the same payload hash does nothing (delivery is
// idempotent); with a different hash it fails with ErrConflict.
func (s *Store) Insert(ctx context.Context, r Record, actor string) error {
	return s.insert(ctx, r, actor, false)
}

// InsertWithOutbox is Insert for an issuing authority's local store: the
// record, its audit entry and an outbox entry for delivery to the national
// registry are written in one transaction, so an issued certificate is never
// left undelivered.
func (s *Store) InsertWithOutbox(ctx context.Context, r Record, actor string) error {
	return s.insert(ctx, r, actor, true)
}

func (s *Store) insert(ctx context.Context, r Record, actor string, outbox bool) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	if err := r.check(); err != nil {
		return err
	}
	if r.PayloadHash == [32]byte{} {
		r.PayloadHash = sha256.Sum256(r.Payload)
	}
	hash := hex.EncodeToString(r.PayloadHash[:])
	keyID, sealed, err := s.keys.seal(r.UVCI, r.Payload)
	if err != nil {
		return err
	}
	var revokedAt any
	if r.RevokedAt != nil {
		revokedAt = r.RevokedAt.Unix()
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO certificates
			(uvci, type, authority, lab, kid, issued_at, expires_at, event_date, payload_hash, key_id, payload,
			 revoked_at, revoked_by, revoke_reason, replaced_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
			ON CONFLICT (uvci) DO NOTHING`,
			r.UVCI, r.Type, r.Authority, r.Lab, r.KID, r.IssuedAt.Unix(), r.Expires.Unix(), r.EventDate, hash, keyID, sealed,
			revokedAt, r.RevokedBy, r.RevokeReason, r.ReplacedBy)
		if err != nil {
			return fmt.Errorf("registry: insert certificate: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("registry: insert certificate: %w", err)
		} else if n == 0 {
			var stored string
			if err := tx.QueryRowContext(ctx, `SELECT payload_hash FROM certificates WHERE uvci = $1`, r.UVCI).Scan(&stored); err != nil {
				return fmt.Errorf("registry: compare with stored certificate: %w", err)
			}
			if stored != hash {
				return ErrConflict
			}
			return nil // the same record again: idempotent
		}
		if err := audit(ctx, tx, actor, ActionIssue, r.UVCI, "type="+r.Type+" authority="+r.Authority); err != nil {
			return err
		}
		if outbox {
			now := time.Now().Unix()
			if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (uvci, created_at, attempts, next_attempt) VALUES ($1, $2, 0, $3)`,
				r.UVCI, now, now); err != nil {
				return fmt.Errorf("registry: insert outbox entry: %w", err)
			}
		}
		return nil
	})
	return err
}

const recordColumns = `uvci, type, authority, lab, kid, issued_at, expires_at, event_date, payload_hash,
	revoked_at, revoked_by, revoke_reason, replaced_by`

type scanner interface{ Scan(...any) error }

// scanRecord reads recordColumns, then key_id and payload when withPayload.
// extra receives the columns after those.
func scanRecord(sc scanner, withPayload bool, extra ...any) (r Record, keyID string, sealed []byte, err error) {
	var issued, expires int64
	var revoked sql.NullInt64
	var hash string
	dest := []any{&r.UVCI, &r.Type, &r.Authority, &r.Lab, &r.KID, &issued, &expires, &r.EventDate, &hash,
		&revoked, &r.RevokedBy, &r.RevokeReason, &r.ReplacedBy}
	if withPayload {
		dest = append(dest, &keyID, &sealed)
	}
	dest = append(dest, extra...)
	if err := sc.Scan(dest...); err != nil {
		return Record{}, "", nil, err
	}
	r.IssuedAt = time.Unix(issued, 0).UTC()
	r.Expires = time.Unix(expires, 0).UTC()
	if revoked.Valid {
		t := time.Unix(revoked.Int64, 0).UTC()
		r.RevokedAt = &t
	}
	h, err := hex.DecodeString(hash)
	if err != nil || len(h) != len(r.PayloadHash) {
		return Record{}, "", nil, errors.New("registry: stored payload hash is malformed")
	}
	copy(r.PayloadHash[:], h)
	return r, keyID, sealed, nil
}

// Get returns a record with its decrypted payload and audits the view (also
// when the UVCI is unknown, so look-ups of guessed UVCIs are visible).
func (s *Store) Get(ctx context.Context, uvci, actor string) (Record, error) {
	if err := checkActor(actor); err != nil {
		return Record{}, err
	}
	row := s.db.QueryRowContext(ctx, `SELECT `+recordColumns+`, key_id, payload FROM certificates WHERE uvci = $1`, uvci)
	r, keyID, sealed, err := scanRecord(row, true)
	if errors.Is(err, sql.ErrNoRows) {
		if err := audit(ctx, s.db, actor, ActionView, uvci, "not found"); err != nil {
			return Record{}, err
		}
		return Record{}, ErrNotFound
	}
	if err != nil {
		return Record{}, fmt.Errorf("registry: read certificate: %w", err)
	}
	if err := audit(ctx, s.db, actor, ActionView, uvci, ""); err != nil {
		return Record{}, err
	}
	if r.Payload, err = s.keys.open(keyID, uvci, sealed); err != nil {
		return Record{}, err
	}
	return r, nil
}

// Revocation says why and when a certificate is revoked.
type Revocation struct {
	At         time.Time // zero means now
	Reason     string    // required; kept in the record and the audit log
	ReplacedBy string    // the UVCI of a replacing certificate, if any
}

// Revoke marks a certificate revoked and audits it in one transaction.
// Revoking a revoked certificate fails with ErrAlreadyRevoked and changes
// nothing; an unknown UVCI fails with ErrNotFound.
func (s *Store) Revoke(ctx context.Context, uvci string, rv Revocation, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	if rv.Reason == "" {
		return errors.New("registry: revocation Reason is empty; say why the certificate is revoked")
	}
	if rv.At.IsZero() {
		rv.At = time.Now()
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE certificates SET revoked_at = $1, revoked_by = $2, revoke_reason = $3, replaced_by = $4
			WHERE uvci = $5 AND revoked_at IS NULL`, rv.At.Unix(), actor, rv.Reason, rv.ReplacedBy, uvci)
		if err != nil {
			return fmt.Errorf("registry: revoke: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("registry: revoke: %w", err)
		}
		if n == 0 {
			var c int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM certificates WHERE uvci = $1`, uvci).Scan(&c); err != nil {
				return fmt.Errorf("registry: revoke: %w", err)
			}
			if c == 0 {
				return ErrNotFound
			}
			return ErrAlreadyRevoked
		}
		detail := "reason=" + rv.Reason
		if rv.ReplacedBy != "" {
			detail += " replaced-by=" + rv.ReplacedBy
		}
		return audit(ctx, tx, actor, ActionRevoke, uvci, detail)
	})
}

// Query selects records for Search. Zero fields do not filter.
type Query struct {
	Authority, Type, Lab string
	IssuedFrom           time.Time // inclusive
	IssuedTo             time.Time // exclusive
	Revoked              *bool
	Limit                int    // default 100, at most 1000
	After                string // cursor: return UVCIs after this one
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
		r, _, _, err := scanRecord(rows, false)
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
	if err := audit(ctx, s.db, actor, ActionSearch, "", detail); err != nil {
		return nil, "", err
	}
	return out, next, nil
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
