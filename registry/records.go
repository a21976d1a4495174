package registry

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"dcc/hc1"
	"dcc/hcert"
	"dcc/internal/pgsql"
)

// Record is one certificate as the registry keeps it. Payload and HC1 are
// plaintext in memory only: both are sealed at rest.
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
	HC1         string // the signed certificate ("HC1:…"); may be empty for records from elsewhere

	Replaces     string // the UVCI of the certificate this one re-issues
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
	case len(r.HC1) > 8192:
		return errors.New("registry: record field HC1 is longer than 8192 bytes")
	}
	return nil
}

// Audit actions.
const (
	ActionIssue        = "issue"
	ActionView         = "view"
	ActionRevoke       = "revoke"
	ActionSearch       = "search"
	ActionStats        = "stats"
	ActionSignIn       = "sign-in"
	ActionSignInFailed = "sign-in-failed"
	ActionRequeue      = "requeue" // a parked outbox entry put back for delivery
)

type execer interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}

// Statements of the issuance path, prepared once at Open (SQLite would
// otherwise parse each again for every certificate).
const (
	sqlAudit      = `INSERT INTO audit (at, actor, action, uvci, detail) VALUES ($1, $2, $3, $4, $5)`
	sqlIdem       = `SELECT request_hash, uvci FROM idempotency WHERE principal = $1 AND idem_key = $2`
	sqlInsertIdem = `INSERT INTO idempotency (principal, idem_key, request_hash, uvci, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (principal, idem_key) DO NOTHING`
	sqlInsert = `INSERT INTO certificates
		(uvci, type, authority, lab, kid, issued_at, expires_at, event_date, payload_hash, key_id, payload, hc1,
		 revoked_at, revoked_by, revoke_reason, replaced_by, replaces, holder_index)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
		ON CONFLICT (uvci) DO NOTHING`
	sqlInsertOutbox = `INSERT INTO outbox (uvci, created_at, attempts, next_attempt) VALUES ($1, $2, 0, $3)`
)

var preparedStatements = []string{sqlAudit, sqlIdem, sqlInsertIdem, sqlInsert, sqlInsertOutbox}

// prepare prepares the hot statements; call it before any transaction
// holds SQLite's one connection.
func (s *Store) prepare(ctx context.Context) error {
	s.stmts = make(map[string]*sql.Stmt, len(preparedStatements))
	for _, q := range preparedStatements {
		st, err := s.db.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("registry: prepare: %w", err)
		}
		s.stmts[q] = st
	}
	return nil
}

// txExec runs a prepared statement in tx (or, for a statement not prepared
// at Open, the query text).
func (s *Store) txExec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	if st, ok := s.stmts[q]; ok {
		return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, q, args...)
}

func audit(ctx context.Context, ex execer, actor, action, uvci, detail string) error {
	_, err := ex.ExecContext(ctx, sqlAudit, time.Now().Unix(), actor, action, uvci, detail)
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

// Idempotency ties a client's idempotency key to the certificate its request
// produced, so that a retried request returns that certificate.
type Idempotency struct {
	Principal   string   // who sent the request: keys are per principal
	Key         string   // the client's key (1–200 bytes)
	RequestHash [32]byte // SHA-256 of what was asked, to refuse a key reused for another request
}

// ErrIdempotencyMismatch means an idempotency key was used before for a
// different request.
var ErrIdempotencyMismatch = errors.New("registry: idempotency key already used for a different request")

// ReplayError means the idempotency key was already used for the same
// request: UVCI is the certificate it produced.
type ReplayError struct{ UVCI string }

func (e *ReplayError) Error() string {
	return "registry: idempotency key already used for this request; it produced " + e.UVCI
}

// Idempotent looks up an idempotency key: nil if unused, a *ReplayError
// with the certificate it produced, or ErrIdempotencyMismatch.
func (s *Store) Idempotent(ctx context.Context, id Idempotency) error {
	return idempotent(ctx, s.db, id)
}

func idempotent(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id Idempotency) error {
	var hash, uvci string
	err := q.QueryRowContext(ctx, sqlIdem, id.Principal, id.Key).Scan(&hash, &uvci)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("registry: read idempotency key: %w", err)
	case hash != hex.EncodeToString(id.RequestHash[:]):
		return ErrIdempotencyMismatch
	}
	return &ReplayError{UVCI: uvci}
}

// InsertOptions are what an issuance writes besides the record, in the same
// transaction.
type InsertOptions struct {
	// Outbox queues the record for delivery to the national registry (an
	// issuing authority's local store).
	Outbox bool
	// Idempotency remembers the request's key; if the key is already taken
	// nothing is written and the error is a *ReplayError or
	// ErrIdempotencyMismatch.
	Idempotency *Idempotency
	// Supersedes revokes this UVCI as replaced by the new record (re-issue).
	// It must exist, not be revoked, and belong to the same authority.
	Supersedes      string
	SupersedeReason string
}

// Insert stores a record and its audit entry in one transaction. Inserting a
// UVCI again with the same payload hash does nothing (delivery is
// idempotent); with a different hash it fails with ErrConflict.
func (s *Store) Insert(ctx context.Context, r Record, actor string) error {
	return s.InsertRecord(ctx, r, actor, InsertOptions{})
}

// InsertWithOutbox is Insert for an issuing authority's local store: the
// record, its audit entry and an outbox entry for delivery to the national
// registry are written in one transaction, so an issued certificate is never
// left undelivered.
func (s *Store) InsertWithOutbox(ctx context.Context, r Record, actor string) error {
	return s.InsertRecord(ctx, r, actor, InsertOptions{Outbox: true})
}

// InsertRecord is Insert with options; everything is written at once or
// nothing is. Concurrent calls share a transaction (group commit), each in
// a savepoint of its own, so one call's failure never touches another's
// record and many certificates cost one commit.
func (s *Store) InsertRecord(ctx context.Context, r Record, actor string, o InsertOptions) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	if id := o.Idempotency; id != nil && (len(id.Key) == 0 || len(id.Key) > 200) {
		return errors.New("registry: idempotency key must have 1 to 200 bytes")
	}
	sr, err := s.sealRecord(r)
	if err != nil {
		return err
	}
	return s.group.do(ctx, func(ctx context.Context, tx *sql.Tx) error { return s.insertTx(ctx, tx, sr, actor, o) })
}

// insertTx writes one record with everything its options ask for.
func (s *Store) insertTx(ctx context.Context, tx *sql.Tx, sr sealedRecord, actor string, o InsertOptions) error {
	if o.Idempotency != nil {
		if err := idempotent(ctx, tx, *o.Idempotency); err != nil {
			return err
		}
	}
	inserted, err := s.insertSealed(ctx, tx, sr)
	if err != nil || !inserted {
		return err
	}
	if err := s.afterInsert(ctx, tx, sr, actor, o.Outbox); err != nil {
		return err
	}
	if id := o.Idempotency; id != nil {
		res, err := s.txExec(ctx, tx, sqlInsertIdem,
			id.Principal, id.Key, hex.EncodeToString(id.RequestHash[:]), sr.UVCI, time.Now().Unix())
		if err != nil {
			return fmt.Errorf("registry: store idempotency key: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("registry: store idempotency key: %w", err)
		} else if n == 0 {
			// A concurrent request with the same key won the race.
			return idempotent(ctx, tx, *id)
		}
	}
	if o.Supersedes != "" {
		reason := o.SupersedeReason
		if reason == "" {
			reason = "re-issued"
		}
		return revokeTx(ctx, tx, o.Supersedes, Revocation{
			At: sr.IssuedAt, Reason: reason, ReplacedBy: sr.UVCI, Scope: Scope{Authority: sr.Authority},
		}, actor)
	}
	return nil
}

// BatchOptions are what InsertBatch writes besides the records, in the same
// transaction.
type BatchOptions struct {
	// Outbox queues every record for delivery to the national registry.
	Outbox bool
	// Keys, when not nil, has one entry per record: the idempotency key the
	// record answers (nil for none). A key already taken fails the whole
	// batch with an error wrapping *ReplayError or ErrIdempotencyMismatch;
	// nothing is written.
	Keys []*Idempotency
}

// InsertBatch stores many records in one transaction, each with its audit
// entry (and outbox entry, and idempotency key): all of them or none. It is
// the bulk path (mass issuance, re-encoding); a UVCI already stored with the
// same payload is skipped as in Insert.
func (s *Store) InsertBatch(ctx context.Context, rs []Record, actor string, o BatchOptions) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	if o.Keys != nil && len(o.Keys) != len(rs) {
		return fmt.Errorf("registry: %d idempotency keys for %d records", len(o.Keys), len(rs))
	}
	for i, id := range o.Keys {
		if id != nil && (len(id.Key) == 0 || len(id.Key) > 200) {
			return fmt.Errorf("record %d: registry: idempotency key must have 1 to 200 bytes", i)
		}
	}
	sealed, errs := s.sealAll(rs)
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
	}
	now := time.Now().Unix()
	if s.dialect == dialectPostgres {
		// COPY is one round trip per table, not one per row; it cannot
		// skip a row, so a UVCI or key already stored sends the batch the
		// row-by-row way, which settles each.
		err := s.copyBatch(ctx, sealed, actor, o, now)
		var pe *pgconn.PgError
		if err == nil || !errors.As(err, &pe) || pe.Code != pgUniqueViolation {
			return err
		}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for i := range sealed {
			inserted, err := s.insertSealed(ctx, tx, sealed[i])
			if err != nil {
				return fmt.Errorf("record %d: %w", i, err)
			}
			if inserted {
				if err := s.afterInsert(ctx, tx, sealed[i], actor, o.Outbox); err != nil {
					return err
				}
			}
			if o.Keys == nil || o.Keys[i] == nil {
				continue
			}
			id := o.Keys[i]
			res, err := s.txExec(ctx, tx, sqlInsertIdem,
				id.Principal, id.Key, hex.EncodeToString(id.RequestHash[:]), sealed[i].UVCI, now)
			if err != nil {
				return fmt.Errorf("record %d: registry: store idempotency key: %w", i, err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("record %d: registry: store idempotency key: %w", i, err)
			} else if n == 0 {
				// Taken since the caller looked (a concurrent run of the same
				// batch, or the key twice in this one).
				if err := idempotent(ctx, tx, *id); err != nil {
					return fmt.Errorf("record %d: %w", i, err)
				}
				return fmt.Errorf("record %d: registry: idempotency key %q vanished", i, id.Key)
			}
		}
		return nil
	})
}

// pgUniqueViolation is PostgreSQL's SQLSTATE unique_violation.
const pgUniqueViolation = "23505"

// copyBatch writes a batch as InsertBatch does, with COPY: the records,
// their audit entries, outbox entries and keys, one COPY each, in one
// transaction.
func (s *Store) copyBatch(ctx context.Context, sealed []sealedRecord, actor string, o BatchOptions, now int64) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("registry: insert certificates: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc, ok := pgsql.Pgx(dc)
		if !ok {
			return errors.New("registry: the PostgreSQL connection is not pgx's")
		}
		tx, err := pc.Begin(ctx)
		if err != nil {
			return fmt.Errorf("registry: insert certificates: %w", err)
		}
		defer func() { _ = tx.Rollback(ctx) }()
		copyRows := func(table string, cols []string, rows [][]any) error {
			if len(rows) == 0 {
				return nil
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
				return fmt.Errorf("registry: insert %s: %w", table, err)
			}
			return nil
		}
		certs := make([][]any, len(sealed))
		audits := make([][]any, len(sealed))
		var outbox, keys [][]any
		for i, r := range sealed {
			var revokedAt, hc1 any
			if r.RevokedAt != nil {
				revokedAt = r.RevokedAt.Unix()
			}
			if r.hc1 != nil {
				hc1 = r.hc1
			}
			certs[i] = []any{r.UVCI, r.Type, r.Authority, r.Lab, r.KID, r.IssuedAt.Unix(), r.Expires.Unix(), r.EventDate, r.hash,
				r.keyID, r.payload, hc1, revokedAt, r.RevokedBy, r.RevokeReason, r.ReplacedBy, r.Replaces, r.holder}
			audits[i] = []any{now, actor, ActionIssue, r.UVCI, issueDetail(r)}
			if o.Outbox {
				outbox = append(outbox, []any{r.UVCI, now, int64(0), now})
			}
			if o.Keys != nil && o.Keys[i] != nil {
				id := o.Keys[i]
				keys = append(keys, []any{id.Principal, id.Key, hex.EncodeToString(id.RequestHash[:]), r.UVCI, now})
			}
		}
		if err := copyRows("certificates", certificateColumns, certs); err != nil {
			return err
		}
		if err := copyRows("audit", []string{"at", "actor", "action", "uvci", "detail"}, audits); err != nil {
			return err
		}
		if err := copyRows("outbox", []string{"uvci", "created_at", "attempts", "next_attempt"}, outbox); err != nil {
			return err
		}
		if err := copyRows("idempotency", []string{"principal", "idem_key", "request_hash", "uvci", "created_at"}, keys); err != nil {
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return fmt.Errorf("registry: insert certificates: %w", err)
		}
		return nil
	})
}

// certificateColumns are the columns sqlInsert writes, in its order.
var certificateColumns = []string{"uvci", "type", "authority", "lab", "kid", "issued_at", "expires_at", "event_date",
	"payload_hash", "key_id", "payload", "hc1", "revoked_at", "revoked_by", "revoke_reason", "replaced_by", "replaces", "holder_index"}

// Replay is what an idempotency key already produced.
type Replay struct {
	// Record is the certificate the key produced, with its payload and HC1;
	// nil when the key is unused or Err is set.
	Record *Record
	// Err is ErrIdempotencyMismatch when the key was used for a different
	// request.
	Err error
}

// maxKeysPerQuery bounds the parameters of one look-up (SQLite allows
// 32766, PostgreSQL 65535).
const maxKeysPerQuery = 1000

// Replays looks up many idempotency keys of one principal at once, a query
// per thousand keys, for bulk issuance that may be run again: one Replay per
// key, in order. The certificates returned are audited as viewed, in one
// transaction; nothing is written when no key was used.
func (s *Store) Replays(ctx context.Context, ids []Idempotency, actor string) ([]Replay, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	out := make([]Replay, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	principal := ids[0].Principal
	at := make(map[string]int, len(ids))
	for i, id := range ids {
		if id.Principal != principal {
			return nil, errors.New("registry: Replays takes the keys of one principal")
		}
		if _, dup := at[id.Key]; dup {
			return nil, fmt.Errorf("registry: idempotency key %q twice in one look-up", id.Key)
		}
		at[id.Key] = i
	}
	var viewed []string
	for start := 0; start < len(ids); start += maxKeysPerQuery {
		part := ids[start:min(start+maxKeysPerQuery, len(ids))]
		args := make([]any, 0, len(part)+1)
		args = append(args, principal)
		var q strings.Builder
		q.WriteString(`SELECT ` + recordColumns + `, key_id, payload, hc1, idem_key, request_hash
			FROM idempotency JOIN certificates USING (uvci) WHERE principal = $1 AND idem_key IN (`)
		for i, id := range part {
			if i > 0 {
				q.WriteByte(',')
			}
			args = append(args, id.Key)
			fmt.Fprintf(&q, "$%d", len(args))
		}
		q.WriteByte(')')
		if err := s.replays(ctx, q.String(), args, ids, at, out, &viewed); err != nil {
			return nil, err
		}
	}
	if len(viewed) == 0 {
		return out, nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, uvci := range viewed {
			if _, err := s.txExec(ctx, tx, sqlAudit, time.Now().Unix(), actor, ActionView, uvci, "replayed for an idempotency key"); err != nil {
				return fmt.Errorf("registry: write audit entry: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) replays(ctx context.Context, q string, args []any, ids []Idempotency, at map[string]int, out []Replay, viewed *[]string) error {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("registry: read idempotency keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key, hash string
		r, sealed, err := scanRecord(rows, true, &key, &hash)
		if err != nil {
			return fmt.Errorf("registry: read idempotency keys: %w", err)
		}
		i, ok := at[key]
		if !ok {
			continue
		}
		if hash != hex.EncodeToString(ids[i].RequestHash[:]) {
			out[i].Err = ErrIdempotencyMismatch
			continue
		}
		if err := s.unseal(&r, sealed); err != nil {
			return err
		}
		out[i].Record = &r
		*viewed = append(*viewed, r.UVCI)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("registry: read idempotency keys: %w", err)
	}
	return nil
}

// sealAll seals records for a bulk write. Sealing (AES-GCM, the holder
// index) needs no database: it runs on every core, before the one writer's
// transaction.
func (s *Store) sealAll(rs []Record) ([]sealedRecord, []error) {
	sealed := make([]sealedRecord, len(rs))
	errs := make([]error, len(rs))
	workers := min(runtime.GOMAXPROCS(0), len(rs))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(rs); i += workers {
				sealed[i], errs[i] = s.sealRecord(rs[i])
			}
		})
	}
	wg.Wait()
	return sealed, errs
}

// sealedRecord is a checked record with its columns ready to write.
type sealedRecord struct {
	Record
	hash    string
	keyID   string
	payload []byte
	hc1     []byte // nil when the record has no HC1
	holder  string // the holder index
}

func (s *Store) sealRecord(r Record) (sealedRecord, error) {
	if err := r.check(); err != nil {
		return sealedRecord{}, err
	}
	if r.PayloadHash == [32]byte{} {
		r.PayloadHash = sha256.Sum256(r.Payload)
	}
	sr := sealedRecord{Record: r, hash: hex.EncodeToString(r.PayloadHash[:]), holder: s.keys.holderIndexOf(r.Payload)}
	var err error
	if sr.keyID, sr.payload, err = s.keys.seal(purposePayload, r.UVCI, r.Payload); err != nil {
		return sealedRecord{}, err
	}
	if r.HC1 != "" {
		if _, sr.hc1, err = s.keys.seal(purposeHC1, r.UVCI, []byte(r.HC1)); err != nil {
			return sealedRecord{}, err
		}
	}
	return sr, nil
}

// insertSealed writes the row; it reports false when the UVCI was already
// stored with the same payload hash, and ErrConflict when with another.
func (s *Store) insertSealed(ctx context.Context, tx *sql.Tx, r sealedRecord) (bool, error) {
	var revokedAt any
	if r.RevokedAt != nil {
		revokedAt = r.RevokedAt.Unix()
	}
	res, err := s.txExec(ctx, tx, sqlInsert,
		r.UVCI, r.Type, r.Authority, r.Lab, r.KID, r.IssuedAt.Unix(), r.Expires.Unix(), r.EventDate, r.hash, r.keyID,
		r.payload, r.hc1, revokedAt, r.RevokedBy, r.RevokeReason, r.ReplacedBy, r.Replaces, r.holder)
	if err != nil {
		return false, fmt.Errorf("registry: insert certificate: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("registry: insert certificate: %w", err)
	}
	if n > 0 {
		return true, nil
	}
	var stored string
	if err := tx.QueryRowContext(ctx, `SELECT payload_hash FROM certificates WHERE uvci = $1`, r.UVCI).Scan(&stored); err != nil {
		return false, fmt.Errorf("registry: compare with stored certificate: %w", err)
	}
	if stored != r.hash {
		return false, ErrConflict
	}
	return false, nil // the same record again: idempotent
}

// issueDetail is the detail of a record's audit entry.
func issueDetail(r sealedRecord) string {
	detail := "type=" + r.Type + " authority=" + r.Authority
	if r.Lab != "" {
		detail += " lab=" + r.Lab
	}
	if r.Replaces != "" {
		detail += " replaces=" + r.Replaces
	}
	return detail
}

func (s *Store) afterInsert(ctx context.Context, tx *sql.Tx, r sealedRecord, actor string, outbox bool) error {
	if _, err := s.txExec(ctx, tx, sqlAudit, time.Now().Unix(), actor, ActionIssue, r.UVCI, issueDetail(r)); err != nil {
		return fmt.Errorf("registry: write audit entry: %w", err)
	}
	if outbox {
		now := time.Now().Unix()
		if _, err := s.txExec(ctx, tx, sqlInsertOutbox, r.UVCI, now, now); err != nil {
			return fmt.Errorf("registry: insert outbox entry: %w", err)
		}
	}
	return nil
}

const recordColumns = `uvci, type, authority, lab, kid, issued_at, expires_at, event_date, payload_hash,
	revoked_at, revoked_by, revoke_reason, replaced_by, replaces`

type scanner interface{ Scan(...any) error }

// scanRecord reads recordColumns, then key_id, payload and hc1 when
// withPayload. extra receives the columns after those.
func scanRecord(sc scanner, withPayload bool, extra ...any) (r Record, sealed sealedRecord, err error) {
	var issued, expires int64
	var revoked sql.NullInt64
	var hash string
	dest := []any{&r.UVCI, &r.Type, &r.Authority, &r.Lab, &r.KID, &issued, &expires, &r.EventDate, &hash,
		&revoked, &r.RevokedBy, &r.RevokeReason, &r.ReplacedBy, &r.Replaces}
	if withPayload {
		dest = append(dest, &sealed.keyID, &sealed.payload, &sealed.hc1)
	}
	dest = append(dest, extra...)
	if err := sc.Scan(dest...); err != nil {
		return Record{}, sealedRecord{}, err
	}
	r.IssuedAt = time.Unix(issued, 0).UTC()
	r.Expires = time.Unix(expires, 0).UTC()
	if revoked.Valid {
		t := time.Unix(revoked.Int64, 0).UTC()
		r.RevokedAt = &t
	}
	h, err := hex.DecodeString(hash)
	if err != nil || len(h) != len(r.PayloadHash) {
		return Record{}, sealedRecord{}, errors.New("registry: stored payload hash is malformed")
	}
	copy(r.PayloadHash[:], h)
	return r, sealed, nil
}

// unseal opens the payload and HC1 read by scanRecord into r.
func (s *Store) unseal(r *Record, sealed sealedRecord) error {
	var err error
	if r.Payload, err = s.keys.open(sealed.keyID, purposePayload, r.UVCI, sealed.payload); err != nil {
		return err
	}
	if len(sealed.hc1) > 0 {
		hc1, err := s.keys.open(sealed.keyID, purposeHC1, r.UVCI, sealed.hc1)
		if err != nil {
			return err
		}
		r.HC1 = string(hc1)
	}
	return nil
}

// Get returns a record with its decrypted payload and audits the view (also
// when the UVCI is unknown, so look-ups of guessed UVCIs are visible).
func (s *Store) Get(ctx context.Context, uvci, actor string) (Record, error) {
	return s.GetAs(ctx, uvci, actor, Scope{})
}

// Scope limits reads and revocations to one authority's certificates, and
// optionally to one laboratory's. The zero Scope is national.
type Scope struct {
	Authority string
	Lab       string
}

func (sc Scope) allows(authority, lab string) bool {
	return (sc.Authority == "" || sc.Authority == authority) && (sc.Lab == "" || sc.Lab == lab)
}

// GetAs is Get within a scope: a certificate outside it is ErrNotFound (the
// attempt is audited as denied), so an authority cannot even learn that
// another's UVCI exists.
func (s *Store) GetAs(ctx context.Context, uvci, actor string, scope Scope) (Record, error) {
	if err := checkActor(actor); err != nil {
		return Record{}, err
	}
	row := s.db.QueryRowContext(ctx, `SELECT `+recordColumns+`, key_id, payload, hc1 FROM certificates WHERE uvci = $1`, uvci)
	r, sealed, err := scanRecord(row, true)
	if errors.Is(err, sql.ErrNoRows) {
		if err := audit(ctx, s.db, actor, ActionView, uvci, "not found"); err != nil {
			return Record{}, err
		}
		return Record{}, ErrNotFound
	}
	if err != nil {
		return Record{}, fmt.Errorf("registry: read certificate: %w", err)
	}
	if !scope.allows(r.Authority, r.Lab) {
		if err := audit(ctx, s.db, actor, ActionView, uvci, deniedDetail); err != nil {
			return Record{}, err
		}
		return Record{}, ErrNotFound
	}
	if err := audit(ctx, s.db, actor, ActionView, uvci, ""); err != nil {
		return Record{}, err
	}
	if err := s.unseal(&r, sealed); err != nil {
		return Record{}, err
	}
	return r, nil
}

// Revocation says why and when a certificate is revoked.
type Revocation struct {
	At         time.Time // zero means now
	Reason     string    // required; kept in the record and the audit log
	ReplacedBy string    // the UVCI of a replacing certificate, if any
	// Scope limits the revocation: a certificate outside it is ErrNotFound.
	Scope Scope
}

// Revoke marks a certificate revoked and audits it in one transaction.
// Revoking a revoked certificate fails with ErrAlreadyRevoked and changes
// nothing; an unknown UVCI fails with ErrNotFound. In an authority's local
// store the record is queued again for delivery, so the national registry
// learns of the revocation.
func (s *Store) Revoke(ctx context.Context, uvci string, rv Revocation, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error { return revokeTx(ctx, tx, uvci, rv, actor) })
	if errors.Is(err, errOtherAuthority) {
		if err := audit(ctx, s.db, actor, ActionRevoke, uvci, deniedDetail); err != nil {
			return err
		}
	}
	return err
}

// errOtherAuthority is ErrNotFound for a certificate that exists outside the
// caller's scope; the denial is audited outside the rolled-back transaction.
var errOtherAuthority = fmt.Errorf("%w (%s)", ErrNotFound, deniedDetail)

const deniedDetail = "denied: certificate outside the caller's scope"

func revokeTx(ctx context.Context, tx *sql.Tx, uvci string, rv Revocation, actor string) error {
	if rv.Reason == "" {
		return errors.New("registry: revocation Reason is empty; say why the certificate is revoked")
	}
	if len(rv.Reason) > 500 {
		return errors.New("registry: revocation Reason is longer than 500 bytes")
	}
	if rv.At.IsZero() {
		rv.At = time.Now()
	}
	var authority, lab string
	var revoked sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT authority, lab, revoked_at FROM certificates WHERE uvci = $1`, uvci).Scan(&authority, &lab, &revoked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case err != nil:
		return fmt.Errorf("registry: revoke: %w", err)
	case !rv.Scope.allows(authority, lab):
		return errOtherAuthority
	case revoked.Valid:
		return ErrAlreadyRevoked
	}
	res, err := tx.ExecContext(ctx, `UPDATE certificates SET revoked_at = $1, revoked_by = $2, revoke_reason = $3, replaced_by = $4
		WHERE uvci = $5 AND revoked_at IS NULL`, rv.At.Unix(), actor, rv.Reason, rv.ReplacedBy, uvci)
	if err != nil {
		return fmt.Errorf("registry: revoke: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("registry: revoke: %w", err)
	} else if n == 0 {
		return ErrAlreadyRevoked
	}
	now := time.Now().Unix()
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET delivered_at = NULL, parked_at = NULL, attempts = 0, next_attempt = $1, last_error = ''
		WHERE uvci = $2`, now, uvci); err != nil {
		return fmt.Errorf("registry: queue revocation for delivery: %w", err)
	}
	detail := "reason=" + rv.Reason
	if rv.ReplacedBy != "" {
		detail += " replaced-by=" + rv.ReplacedBy
	}
	return audit(ctx, tx, actor, ActionRevoke, uvci, detail)
}

// Applied says what Apply did with a delivered record.
type Applied int

const (
	AppliedNew       Applied = iota + 1 // the record was stored
	AppliedRevoked                      // a known record was marked revoked
	AppliedUnchanged                    // the registry already had this state
)

func (a Applied) String() string {
	switch a {
	case AppliedNew:
		return "stored"
	case AppliedRevoked:
		return "revoked"
	case AppliedUnchanged:
		return "unchanged"
	}
	return "unknown"
}

// Apply stores the current state of a record delivered by an issuing
// authority: a new record is inserted; a known one (same payload hash) takes
// the revocation the authority recorded since. Delivering the same state
// again changes nothing, so delivery may be retried freely; a different
// payload under a known UVCI is ErrConflict.
func (s *Store) Apply(ctx context.Context, r Record, actor string) (Applied, error) {
	res, err := s.ApplyBatch(ctx, []Record{r}, actor)
	if err != nil {
		return 0, err
	}
	return res[0].Applied, res[0].Err
}

// ApplyResult is the outcome of one record of ApplyBatch: what was done, or
// why the record was refused (ErrConflict, or a malformed record).
type ApplyResult struct {
	Applied Applied
	Err     error
}

// ApplyBatch is Apply for many records in one transaction (a delivery
// batch): a refused record (a malformed one, or ErrConflict) is reported in
// its result and never stops the others; an error of the database itself
// fails the whole batch, and nothing of it is written.
func (s *Store) ApplyBatch(ctx context.Context, rs []Record, actor string) ([]ApplyResult, error) {
	if err := checkActor(actor); err != nil {
		return nil, err
	}
	out := make([]ApplyResult, len(rs))
	sealed, errs := s.sealAll(rs)
	for i, err := range errs {
		out[i].Err = err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i := range sealed {
			if out[i].Err != nil {
				continue
			}
			a, err := s.applyTx(ctx, tx, sealed[i], actor)
			if errors.Is(err, ErrConflict) {
				out[i].Err = err
				continue
			}
			if err != nil {
				return err
			}
			out[i].Applied = a
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) applyTx(ctx context.Context, tx *sql.Tx, sr sealedRecord, actor string) (Applied, error) {
	inserted, err := s.insertSealed(ctx, tx, sr)
	if err != nil {
		return 0, err
	}
	if inserted {
		return AppliedNew, s.afterInsert(ctx, tx, sr, actor, false)
	}
	r := sr.Record
	if r.RevokedAt == nil {
		return AppliedUnchanged, nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE certificates SET revoked_at = $1, revoked_by = $2, revoke_reason = $3, replaced_by = $4
		WHERE uvci = $5 AND revoked_at IS NULL`, r.RevokedAt.Unix(), r.RevokedBy, r.RevokeReason, r.ReplacedBy, r.UVCI)
	if err != nil {
		return 0, fmt.Errorf("registry: apply revocation: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, fmt.Errorf("registry: apply revocation: %w", err)
	} else if n == 0 {
		return AppliedUnchanged, nil
	}
	return AppliedRevoked, audit(ctx, tx, actor, ActionRevoke, r.UVCI, "reason="+r.RevokeReason+" by="+r.RevokedBy)
}

const sqlRevoked = `SELECT ` + recordColumns + `, key_id, hc1 FROM certificates
	WHERE revoked_at IS NOT NULL AND expires_at > $1 ORDER BY kid, uvci`

// Revoked returns the revoked certificates that have not expired at time
// at, with their HC1 strings, for the published revocation list. It is the
// registry publishing, not a person viewing, so it is not audited.
func (s *Store) Revoked(ctx context.Context, at time.Time) ([]Record, error) {
	// Not the payload: only the identifiers are published, and opening
	// every revoked payload would double the cost of the list. The WHERE
	// repeats the condition of the partial index certificates_revoked_list,
	// which serves it in this order.
	rows, err := s.db.QueryContext(ctx, sqlRevoked, at.Unix())
	if err != nil {
		return nil, fmt.Errorf("registry: revoked certificates: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var keyID string
		var hc1 []byte
		r, _, err := scanRecord(rows, false, &keyID, &hc1)
		if err != nil {
			return nil, fmt.Errorf("registry: revoked certificates: %w", err)
		}
		if len(hc1) > 0 {
			plain, err := s.keys.open(keyID, purposeHC1, r.UVCI, hc1)
			if err != nil {
				return nil, err
			}
			r.HC1 = string(plain)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Signature returns the COSE signature of the record's HC1, nil when the
// HC1 is not held or does not decode.
func (r Record) Signature() []byte {
	if r.HC1 == "" {
		return nil
	}
	cose, err := hc1.Decode(r.HC1)
	if err != nil {
		return nil
	}
	u, err := hcert.Parse(cose)
	if err != nil {
		return nil
	}
	return u.Signature()
}
