package gatewayserver

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"dcc/internal/migrate"
	"dcc/internal/pgsql"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Errors callers branch on.
var (
	ErrNotFound = errors.New("gatewayserver: not found")
	ErrExists   = errors.New("gatewayserver: already present")
)

// Certificate types of trusted parties and DSCs (gateway.md §A.2).
const (
	TypeAuthentication = "AUTHENTICATION"
	TypeUpload         = "UPLOAD"
	TypeCSCA           = "CSCA"
	TypeDSC            = "DSC"
)

// Revocation roles of an AUTHENTICATION row (gateway.md §A.1).
const (
	RoleListReader = "REVOCATION_LIST_READER"
	RoleUploader   = "REVOCATION_UPLOADER"
	RoleDeleter    = "REVOCATION_DELETER"
)

// TrustedParty is one row of trusted_party: an onboarded certificate and
// the trust anchor's detached signature over its DER.
type TrustedParty struct {
	Type       string
	Thumbprint string // lowercase hex SHA-256 of the DER
	Country    string
	RawData    string // base64 DER
	Signature  string // base64 CMS
	Roles      []string
	CreatedAt  time.Time
}

// Signer is one uploaded DSC. Signature is empty once deleted.
type Signer struct {
	Thumbprint, KID, Country, RawData, Signature string
	CreatedAt                                    time.Time
	DeletedAt                                    time.Time // zero while present
}

// Rule is one uploaded version of a validation rule.
type Rule struct {
	ID, Version, Country string
	ValidFrom, ValidTo   time.Time
	CMS                  string
	CreatedAt            time.Time
}

// Batch is one revocation batch. CMS is empty once deleted.
type Batch struct {
	ID, Country, KID, HashType string
	Changed, Expires           time.Time
	Deleted                    bool
	CMS                        string
}

// Store keeps the gateway's data in SQLite or PostgreSQL. It is safe for
// concurrent use.
type Store struct {
	db      *sql.DB
	dialect string
}

// Open opens "sqlite:PATH" or "postgres://…" ("postgresql://…", which may
// carry search_path=SCHEMA) and applies the embedded migrations not yet
// applied, as the registry's store does.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s := &Store{}
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		p := strings.TrimPrefix(dsn, "sqlite:")
		if p == "" || strings.ContainsAny(p, "?#") {
			return nil, errors.New("gatewayserver: sqlite DSN needs a file path without '?' or '#': sqlite:/var/lib/dcc/gateway.db")
		}
		if f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
			f.Close()
		} else if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("gatewayserver: create sqlite file: %w", err)
		}
		q := url.Values{"_pragma": {"journal_mode(WAL)", "busy_timeout(10000)", "synchronous(NORMAL)"}}
		db, err := sql.Open("sqlite", "file:"+p+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("gatewayserver: open sqlite: %w", err)
		}
		db.SetMaxOpenConns(1) // a single writer
		s.db, s.dialect = db, "sqlite"
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, fmt.Errorf("gatewayserver: PostgreSQL DSN: %w", err)
		}
		db := sql.OpenDB(pgsql.Connector(cfg))
		db.SetMaxOpenConns(8)
		s.db, s.dialect = db, "postgres"
	default:
		return nil, errors.New("gatewayserver: DSN must start with sqlite: or postgres://")
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("gatewayserver: connect to %s: %w", s.dialect, err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// migrations is the gateway store's schema versions, recorded apart
// from the registry's should both share one database.
func migrations() migrate.Set {
	return migrate.Set{FS: migrationFiles, Dir: "migrations", Table: "gateway_schema_migrations", Lock: 4470202}
}

func (s *Store) migrate(ctx context.Context) error {
	if err := migrations().Apply(ctx, s.db, s.dialect); err != nil {
		return fmt.Errorf("gatewayserver: %w", err)
	}
	return nil
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

func nanos(t time.Time) int64 { return t.UTC().UnixNano() }

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// AddTrustedParty inserts a row as it is (its signature unchecked: the
// operator's way to restore or to test); ErrExists if the same certificate
// is onboarded with this type. Onboard is the way to sign and add.
func (s *Store) AddTrustedParty(ctx context.Context, p TrustedParty) error {
	return s.addTrustedParties(ctx, []TrustedParty{p})
}

// TrustedParties lists the rows of a type ("" for all) and country ("" for
// all) created at or after since (zero: all), unverified: the caller checks
// each against the trust anchor.
func (s *Store) TrustedParties(ctx context.Context, typ, country string, since time.Time) ([]TrustedParty, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT type, thumbprint, country, raw_data, signature, roles, created_at FROM trusted_party
		WHERE ($1 = '' OR type = $1) AND ($2 = '' OR country = $2) AND created_at >= $3 ORDER BY type, thumbprint`,
		typ, country, sinceNanos(since))
	if err != nil {
		return nil, fmt.Errorf("gatewayserver: list trusted parties: %w", err)
	}
	defer rows.Close()
	var out []TrustedParty
	for rows.Next() {
		var p TrustedParty
		var roles string
		var created int64
		if err := rows.Scan(&p.Type, &p.Thumbprint, &p.Country, &p.RawData, &p.Signature, &roles, &created); err != nil {
			return nil, fmt.Errorf("gatewayserver: list trusted parties: %w", err)
		}
		if roles != "" {
			p.Roles = strings.Split(roles, ",")
		}
		p.CreatedAt = fromNanos(created)
		out = append(out, p)
	}
	return out, rows.Err()
}

func sinceNanos(t time.Time) int64 {
	if t.IsZero() {
		return -1 << 63
	}
	return nanos(t)
}

// Countries lists the distinct countries of the trusted parties, sorted.
func (s *Store) Countries(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT country FROM trusted_party ORDER BY country`)
	if err != nil {
		return nil, fmt.Errorf("gatewayserver: list countries: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddSigner stores an uploaded DSC: ErrExists if it is present, and a row
// deleted earlier is replaced.
func (s *Store) AddSigner(ctx context.Context, d Signer) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var deleted sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT deleted_at FROM signer_information WHERE thumbprint = $1`, d.Thumbprint).Scan(&deleted)
		switch {
		case err == nil && !deleted.Valid:
			return fmt.Errorf("DSC %s: %w", d.Thumbprint, ErrExists)
		case err == nil:
			if _, err := tx.ExecContext(ctx, `DELETE FROM signer_information WHERE thumbprint = $1`, d.Thumbprint); err != nil {
				return err
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO signer_information (thumbprint, kid, country, raw_data, signature, created_at, deleted_at)
			VALUES ($1, $2, $3, $4, $5, $6, NULL)`, d.Thumbprint, d.KID, d.Country, d.RawData, d.Signature, nanos(d.CreatedAt))
		return err
	})
}

// DeleteSigner marks a present DSC of country deleted at and drops its
// signature; ErrNotFound if there is none.
func (s *Store) DeleteSigner(ctx context.Context, thumbprint, country string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE signer_information SET deleted_at = $1, signature = NULL
		WHERE thumbprint = $2 AND country = $3 AND deleted_at IS NULL`, nanos(at), thumbprint, country)
	if err != nil {
		return fmt.Errorf("gatewayserver: delete DSC: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("DSC %s: %w", thumbprint, ErrNotFound)
	}
	return nil
}

// Signers lists the DSCs of country ("" for all): with a zero since the
// present ones, otherwise those created or deleted at or after since
// (gateway.md §A.4, delta download).
func (s *Store) Signers(ctx context.Context, country string, since time.Time) ([]Signer, error) {
	q := `SELECT thumbprint, kid, country, raw_data, signature, created_at, deleted_at FROM signer_information
		WHERE ($1 = '' OR country = $1) AND deleted_at IS NULL ORDER BY kid`
	args := []any{country}
	if !since.IsZero() {
		q = `SELECT thumbprint, kid, country, raw_data, signature, created_at, deleted_at FROM signer_information
		WHERE ($1 = '' OR country = $1) AND (created_at >= $2 OR deleted_at >= $2) ORDER BY kid`
		args = append(args, nanos(since))
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("gatewayserver: list DSCs: %w", err)
	}
	defer rows.Close()
	var out []Signer
	for rows.Next() {
		var d Signer
		var sig sql.NullString
		var created int64
		var deleted sql.NullInt64
		if err := rows.Scan(&d.Thumbprint, &d.KID, &d.Country, &d.RawData, &sig, &created, &deleted); err != nil {
			return nil, fmt.Errorf("gatewayserver: list DSCs: %w", err)
		}
		d.Signature, d.CreatedAt = sig.String, fromNanos(created)
		if deleted.Valid {
			d.DeletedAt = fromNanos(deleted.Int64)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// AddRule stores a version of a rule; ErrExists if that version is stored.
func (s *Store) AddRule(ctx context.Context, r Rule) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM validation_rule WHERE rule_id = $1 AND version = $2`, r.ID, r.Version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("rule %s %s: %w", r.ID, r.Version, ErrExists)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO validation_rule (rule_id, version, country, valid_from, valid_to, cms, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.ID, r.Version, r.Country, nanos(r.ValidFrom), nanos(r.ValidTo), r.CMS, nanos(r.CreatedAt))
		return err
	})
}

// Rules lists the stored rules of a country, or every version of one rule
// id when id is set.
func (s *Store) Rules(ctx context.Context, country, id string) ([]Rule, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT rule_id, version, country, valid_from, valid_to, cms, created_at FROM validation_rule
		WHERE ($1 = '' OR country = $1) AND ($2 = '' OR rule_id = $2) ORDER BY rule_id, created_at DESC`, country, id)
	if err != nil {
		return nil, fmt.Errorf("gatewayserver: list rules: %w", err)
	}
	defer rows.Close()
	var out []Rule
	for rows.Next() {
		var r Rule
		var from, to, created int64
		if err := rows.Scan(&r.ID, &r.Version, &r.Country, &from, &to, &r.CMS, &created); err != nil {
			return nil, fmt.Errorf("gatewayserver: list rules: %w", err)
		}
		r.ValidFrom, r.ValidTo, r.CreatedAt = fromNanos(from), fromNanos(to), fromNanos(created)
		out = append(out, r)
	}
	return out, rows.Err()
}

// DeleteRules deletes every version of a rule and reports how many there
// were.
func (s *Store) DeleteRules(ctx context.Context, id string) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM validation_rule WHERE rule_id = $1`, id)
	if err != nil {
		return 0, fmt.Errorf("gatewayserver: delete rule: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// AddBatch stores a revocation batch.
func (s *Store) AddBatch(ctx context.Context, b Batch) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO revocation_batch (batch_id, country, changed, deleted, kid, hash_type, expires, signed_batch)
		VALUES ($1, $2, $3, 0, $4, $5, $6, $7)`, b.ID, b.Country, nanos(b.Changed), b.KID, b.HashType, nanos(b.Expires), b.CMS)
	if err != nil {
		return fmt.Errorf("gatewayserver: add revocation batch: %w", err)
	}
	return nil
}

// GetBatch returns one batch, deleted or not; ErrNotFound if unknown.
func (s *Store) GetBatch(ctx context.Context, id string) (Batch, error) {
	var b Batch
	var changed, expires, deleted int64
	var cms sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT batch_id, country, changed, deleted, kid, hash_type, expires, signed_batch
		FROM revocation_batch WHERE batch_id = $1`, id).Scan(&b.ID, &b.Country, &changed, &deleted, &b.KID, &b.HashType, &expires, &cms)
	if errors.Is(err, sql.ErrNoRows) {
		return b, fmt.Errorf("revocation batch %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return b, fmt.Errorf("gatewayserver: get revocation batch: %w", err)
	}
	b.Changed, b.Expires, b.Deleted, b.CMS = fromNanos(changed), fromNanos(expires), deleted != 0, cms.String
	return b, nil
}

// DeleteBatch marks a batch deleted at and drops its CMS.
func (s *Store) DeleteBatch(ctx context.Context, id string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE revocation_batch SET deleted = 1, signed_batch = NULL, changed = $1
		WHERE batch_id = $2 AND deleted = 0`, nanos(at), id)
	if err != nil {
		return fmt.Errorf("gatewayserver: delete revocation batch: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("revocation batch %s: %w", id, ErrNotFound)
	}
	return nil
}

// BatchesSince lists up to limit batches changed strictly after since, in
// the order of their change (gateway.md §C.3).
func (s *Store) BatchesSince(ctx context.Context, since time.Time, limit int) ([]Batch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT batch_id, country, changed, deleted FROM revocation_batch
		WHERE changed > $1 ORDER BY changed, batch_id LIMIT $2`, nanos(since), limit)
	if err != nil {
		return nil, fmt.Errorf("gatewayserver: list revocation batches: %w", err)
	}
	defer rows.Close()
	var out []Batch
	for rows.Next() {
		var b Batch
		var changed, deleted int64
		if err := rows.Scan(&b.ID, &b.Country, &changed, &deleted); err != nil {
			return nil, fmt.Errorf("gatewayserver: list revocation batches: %w", err)
		}
		b.Changed, b.Deleted = fromNanos(changed), deleted != 0
		out = append(out, b)
	}
	return out, rows.Err()
}

func (s *Store) addTrustedParties(ctx context.Context, ps []TrustedParty) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, p := range ps {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM trusted_party WHERE type = $1 AND thumbprint = $2`, p.Type, p.Thumbprint).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return fmt.Errorf("onboard: %s certificate %s: %w", p.Type, p.Thumbprint, ErrExists)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO trusted_party (type, thumbprint, country, raw_data, signature, roles, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				p.Type, p.Thumbprint, p.Country, p.RawData, p.Signature, strings.Join(p.Roles, ","), nanos(p.CreatedAt)); err != nil {
				return err
			}
		}
		return nil
	})
}

// PurgeAfter is how long deleted DSCs and revocation batches are kept,
// so that delta downloads still see the deletion (dgc.signer-information
// and dgc.revocation delete-threshold: 14 days).
const PurgeAfter = 14 * 24 * time.Hour

// CleanUp does at now what the reference gateway's daily clean-up does
// (gateway.md §A.3 notes): marks the batches expired by now deleted,
// dropping their CMS, and purges the DSCs and batches deleted more than
// PurgeAfter before now. It reports how many batches expired and how many
// rows were purged.
func (s *Store) CleanUp(ctx context.Context, now time.Time) (expired, purged int, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE revocation_batch SET deleted = 1, signed_batch = NULL, changed = $1
			WHERE deleted = 0 AND expires <= $1`, nanos(now))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		expired = int(n)
		cut := nanos(now.Add(-PurgeAfter))
		res, err = tx.ExecContext(ctx, `DELETE FROM revocation_batch WHERE deleted = 1 AND changed < $1`, cut)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		purged = int(n)
		res, err = tx.ExecContext(ctx, `DELETE FROM signer_information WHERE deleted_at IS NOT NULL AND deleted_at < $1`, cut)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		purged += int(n)
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("gatewayserver: clean up: %w", err)
	}
	return expired, purged, nil
}
