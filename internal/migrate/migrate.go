package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Set is one store's migrations: the files in Dir of FS, recorded in Table,
// and, on PostgreSQL, applied under the advisory lock Lock so that
// concurrent opens of one database take turns.
type Set struct {
	FS    fs.FS
	Dir   string
	Table string
	Lock  int64
}

type migration struct {
	version       int
	name          string
	shared, local string
}

// read returns the migrations of dialect in order.
func (m Set) read(dialect string) ([]migration, error) {
	entries, err := fs.ReadDir(m.FS, m.Dir)
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
			return nil, fmt.Errorf("migration file %s: name must be NNNN_name.sql", name)
		}
		body, err := fs.ReadFile(m.FS, path.Join(m.Dir, name))
		if err != nil {
			return nil, err
		}
		mg := byVersion[v]
		if mg == nil {
			mg = &migration{version: v, name: label}
			byVersion[v] = mg
		}
		switch strings.TrimPrefix(name, base) {
		case ".sql":
			mg.shared = string(body)
		case "." + dialect + ".sql":
			mg.local = string(body)
		}
	}
	var out []migration
	for _, mg := range byVersion {
		out = append(out, *mg)
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	return out, nil
}

// Apply applies the migrations not yet recorded in m.Table, each in its own
// transaction with its record.
func (m Set) Apply(ctx context.Context, db *sql.DB, dialect string) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+m.Table+` (
		version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "3F000" { // invalid_schema_name
			return fmt.Errorf("create %s: %w (hint: the schema named by search_path in the DSN does not exist; create it with CREATE SCHEMA, or leave search_path out)", m.Table, err)
		}
		return fmt.Errorf("create %s: %w", m.Table, err)
	}
	ms, err := m.read(dialect)
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	for _, mg := range ms {
		if err := m.apply(ctx, db, dialect, mg); err != nil {
			return fmt.Errorf("migration %04d_%s: %w", mg.version, mg.name, err)
		}
	}
	return nil
}

func (m Set) apply(ctx context.Context, db *sql.DB, dialect string, mg migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, m.Lock); err != nil {
			return err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+m.Table+` WHERE version = $1`, mg.version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	for _, body := range []string{mg.shared, mg.local} {
		if strings.TrimSpace(body) == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, body); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+m.Table+` (version, name, applied_at) VALUES ($1, $2, $3)`,
		mg.version, mg.name, time.Now().Unix()); err != nil {
		return err
	}
	return tx.Commit()
}
