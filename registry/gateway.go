package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The registry keeps the state of the national synchronisation with the
// EU DCC Gateway (internal/gwsync) in its own database, so that what goes
// up is queued in the same place as the revocations it comes from and what
// came down survives a restart.

// Gateway outbox kinds.
const (
	GatewayUploadDSC  = "dsc-upload"
	GatewayDeleteDSC  = "dsc-delete"
	GatewayRevocation = "revocation"
)

// ActionGateway audits the synchronisation: what went up and what came
// down, with the gateway's answer.
const ActionGateway = "gateway"

// GatewayUpload is one item of the gateway outbox.
type GatewayUpload struct {
	Key  string // unique: an item is queued once
	Kind string // GatewayUploadDSC, GatewayDeleteDSC or GatewayRevocation
	Body []byte // the DER certificate, or the revocation batch JSON

	CreatedAt   time.Time
	Attempts    int
	NextAttempt time.Time
	// SendingSince is set while a request is out: found set on an entry
	// that is due again, the last request's outcome is unknown (a lost
	// answer, a crash), and the item may be on the gateway already.
	SendingSince time.Time
	Done         time.Time // zero until the gateway took it
	Result       string    // the gateway's batch id for a revocation batch
	LastError    string
}

// GatewayEnqueue queues uploads, each only if its key was never queued,
// and marks the revoked certificates given as queued, in one transaction:
// a certificate is in exactly one batch. It returns how many items were
// new.
func (s *Store) GatewayEnqueue(ctx context.Context, ups []GatewayUpload, revoked map[string]string, at time.Time) (int, error) {
	added := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		added = 0
		for _, u := range ups {
			if u.Key == "" || u.Kind == "" || len(u.Body) == 0 {
				return errors.New("registry: gateway upload without key, kind or body")
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO gateway_outbox (key, kind, body, created_at, next_attempt)
				VALUES ($1, $2, $3, $4, $4) ON CONFLICT (key) DO NOTHING`, u.Key, u.Kind, u.Body, at.Unix())
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				added++
			}
		}
		for uvci, key := range revoked {
			if _, err := tx.ExecContext(ctx, `INSERT INTO gateway_revoked (uvci, outbox_key) VALUES ($1, $2)
				ON CONFLICT (uvci) DO NOTHING`, uvci, key); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("registry: queue gateway uploads: %w", err)
	}
	return added, nil
}

const gatewayUploadColumns = `key, kind, body, created_at, attempts, next_attempt, COALESCE(sending_since, 0), COALESCE(done_at, 0), result, last_error`

func scanGatewayUpload(rows *sql.Rows) (GatewayUpload, error) {
	var u GatewayUpload
	var created, next, sending, done int64
	err := rows.Scan(&u.Key, &u.Kind, &u.Body, &created, &u.Attempts, &next, &sending, &done, &u.Result, &u.LastError)
	u.CreatedAt, u.NextAttempt = time.Unix(created, 0).UTC(), time.Unix(next, 0).UTC()
	if sending != 0 {
		u.SendingSince = time.Unix(sending, 0).UTC()
	}
	if done != 0 {
		u.Done = time.Unix(done, 0).UTC()
	}
	return u, err
}

func (s *Store) gatewayUploads(ctx context.Context, q string, args ...any) ([]GatewayUpload, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+gatewayUploadColumns+` FROM gateway_outbox `+q, args...)
	if err != nil {
		return nil, fmt.Errorf("registry: read gateway outbox: %w", err)
	}
	defer rows.Close()
	var out []GatewayUpload
	for rows.Next() {
		u, err := scanGatewayUpload(rows)
		if err != nil {
			return nil, fmt.Errorf("registry: read gateway outbox: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// GatewayDue returns at most limit items not yet done whose next attempt
// is at or before now, in the order they were queued.
func (s *Store) GatewayDue(ctx context.Context, now time.Time, limit int) ([]GatewayUpload, error) {
	return s.gatewayUploads(ctx, `WHERE done_at IS NULL AND next_attempt <= $1 ORDER BY created_at, key LIMIT $2`, now.Unix(), limit)
}

// GatewayUploadsOf returns every item of a kind, done or not.
func (s *Store) GatewayUploadsOf(ctx context.Context, kind string) ([]GatewayUpload, error) {
	return s.gatewayUploads(ctx, `WHERE kind = $1 ORDER BY created_at, key`, kind)
}

// GatewayClaim takes the lease on an item for one attempt, until until,
// and records that a request is about to leave. claimed is false when
// another process holds the lease or the item is done. inDoubt is true when
// an earlier request's outcome was never recorded (SendingSince was set):
// the item may be on the gateway already.
func (s *Store) GatewayClaim(ctx context.Context, key string, at, until time.Time) (claimed, inDoubt bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var sending sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT sending_since FROM gateway_outbox
			WHERE key = $1 AND done_at IS NULL AND (claimed_until IS NULL OR claimed_until < $2)`, key, at.Unix()).Scan(&sending)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		claimed, inDoubt = true, sending.Valid
		_, err = tx.ExecContext(ctx, `UPDATE gateway_outbox SET claimed_until = $1, sending_since = COALESCE(sending_since, $2) WHERE key = $3`,
			until.Unix(), at.Unix(), key)
		return err
	})
	if err != nil {
		return false, false, fmt.Errorf("registry: gateway outbox: %w", err)
	}
	return claimed, inDoubt, nil
}

// GatewayDone records that the gateway took the item (result: its batch
// id, if any) and audits it.
func (s *Store) GatewayDone(ctx context.Context, key, result string, at time.Time) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE gateway_outbox SET done_at = $1, result = $2, sending_since = NULL, claimed_until = NULL, last_error = ''
			WHERE key = $3 AND done_at IS NULL`, at.Unix(), result, key); err != nil {
			return err
		}
		detail := "uploaded " + key
		if result != "" {
			detail += " batch=" + result
		}
		return audit(ctx, tx, "gateway", ActionGateway, "", detail)
	})
	if err != nil {
		return fmt.Errorf("registry: gateway outbox: %w", err)
	}
	return nil
}

// GatewayFailed records a failed attempt and when to try again. unsent
// says that the request certainly did not reach the gateway (or was
// refused), so the item is not in doubt.
func (s *Store) GatewayFailed(ctx context.Context, key, reason string, next time.Time, unsent bool) error {
	q := `UPDATE gateway_outbox SET attempts = attempts + 1, next_attempt = $1, last_error = $2, claimed_until = NULL WHERE key = $3`
	if unsent {
		q = `UPDATE gateway_outbox SET attempts = attempts + 1, next_attempt = $1, last_error = $2, sending_since = NULL, claimed_until = NULL WHERE key = $3`
	}
	if len(reason) > 1000 {
		reason = reason[:1000]
	}
	if _, err := s.db.ExecContext(ctx, q, next.Unix(), reason, key); err != nil {
		return fmt.Errorf("registry: gateway outbox: %w", err)
	}
	return nil
}

// GatewayOutboxCounts returns how many items wait (of which failing have
// failed at least once) and how many are done.
func (s *Store) GatewayOutboxCounts(ctx context.Context) (pending, failing, done int, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN done_at IS NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN done_at IS NULL AND attempts > 0 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN done_at IS NOT NULL THEN 1 ELSE 0 END), 0)
		FROM gateway_outbox`).Scan(&pending, &failing, &done)
	if err != nil {
		err = fmt.Errorf("registry: gateway outbox: %w", err)
	}
	return
}

// GatewayRevocationsPending returns the revoked certificates, not expired
// at time at, that are in no gateway batch yet (identifiers and HC1, no
// payload).
func (s *Store) GatewayRevocationsPending(ctx context.Context, at time.Time) ([]Record, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+recordColumns+`, key_id, payload, hc1 FROM certificates
		WHERE revoked_at IS NOT NULL AND expires_at > $1
		AND NOT EXISTS (SELECT 1 FROM gateway_revoked g WHERE g.uvci = certificates.uvci)
		ORDER BY kid, uvci`, at.Unix())
	if err != nil {
		return nil, fmt.Errorf("registry: revocations for the gateway: %w", err)
	}
	defer rows.Close()
	var out []Record
	var seals []sealedRecord
	for rows.Next() {
		r, sealed, err := scanRecord(rows, true)
		if err != nil {
			return nil, fmt.Errorf("registry: revocations for the gateway: %w", err)
		}
		out, seals = append(out, r), append(seals, sealed)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("registry: revocations for the gateway: %w", err)
	}
	rows.Close()
	for i := range out {
		// The signature for the SIGNATURE hash is in the HC1.
		if err := s.unseal(&out[i], seals[i]); err != nil {
			return nil, err
		}
		out[i].Payload = nil // only identifiers go to the gateway
	}
	return out, nil
}

// GatewayBatch is a revocation batch downloaded from the gateway.
type GatewayBatch struct {
	ID      string
	Country string
	Expires time.Time
	Body    []byte // the batch JSON as the gateway signed it
}

// GatewayDownload is what one synchronisation brought down.
type GatewayDownload struct {
	// Body is the snapshot of the trust list, value sets and rules
	// (gwsync's format), replacing the previous one whole.
	Body []byte
	// Batches are new or changed revocation batches; Deleted the ids of
	// batches the gateway deleted.
	Batches []GatewayBatch
	Deleted []string
	// Cursor is the revocation list's If-Modified-Since for the next
	// synchronisation, RFC 3339 with the gateway's precision.
	Cursor string
}

// GatewaySave stores a synchronisation's download in one transaction:
// all of it or, on any error, none. It returns the new generation.
func (s *Store) GatewaySave(ctx context.Context, d GatewayDownload, at time.Time) (int64, error) {
	var gen int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT generation FROM gateway_download WHERE id = 1`).Scan(&gen)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		gen++
		if _, err := tx.ExecContext(ctx, `INSERT INTO gateway_download (id, generation, fetched_at, body, revocations_cursor)
			VALUES (1, $1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET generation = $1, fetched_at = $2, body = $3, revocations_cursor = $4`,
			gen, at.Unix(), d.Body, d.Cursor); err != nil {
			return err
		}
		for _, id := range d.Deleted {
			if _, err := tx.ExecContext(ctx, `DELETE FROM gateway_batches WHERE batch_id = $1`, id); err != nil {
				return err
			}
		}
		for _, b := range d.Batches {
			if _, err := tx.ExecContext(ctx, `INSERT INTO gateway_batches (batch_id, country, expires, body) VALUES ($1, $2, $3, $4)
				ON CONFLICT (batch_id) DO UPDATE SET country = $2, expires = $3, body = $4`, b.ID, b.Country, b.Expires.Unix(), b.Body); err != nil {
				return err
			}
		}
		// Expired batches no longer revoke anything.
		if _, err := tx.ExecContext(ctx, `DELETE FROM gateway_batches WHERE expires <= $1`, at.Unix()); err != nil {
			return err
		}
		return audit(ctx, tx, "gateway", ActionGateway, "",
			fmt.Sprintf("downloaded generation=%d batches=%d deleted=%d", gen, len(d.Batches), len(d.Deleted)))
	})
	if err != nil {
		return 0, fmt.Errorf("registry: save gateway download: %w", err)
	}
	return gen, nil
}

// GatewaySnapshot returns the stored snapshot, its generation (0: none
// yet), when it was fetched, and the revocation cursor.
func (s *Store) GatewaySnapshot(ctx context.Context) (body []byte, gen int64, fetched time.Time, cursor string, err error) {
	var at int64
	err = s.db.QueryRowContext(ctx, `SELECT body, generation, fetched_at, revocations_cursor FROM gateway_download WHERE id = 1`).
		Scan(&body, &gen, &at, &cursor)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, time.Time{}, "", nil
	}
	if err != nil {
		return nil, 0, time.Time{}, "", fmt.Errorf("registry: gateway snapshot: %w", err)
	}
	return body, gen, time.Unix(at, 0).UTC(), cursor, nil
}

// GatewayGeneration returns the stored snapshot's generation (0: none), a
// cheap read to notice a synchronisation made by another process.
func (s *Store) GatewayGeneration(ctx context.Context) (int64, error) {
	var gen int64
	err := s.db.QueryRowContext(ctx, `SELECT generation FROM gateway_download WHERE id = 1`).Scan(&gen)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("registry: gateway generation: %w", err)
	}
	return gen, nil
}

// GatewayBatches returns the downloaded revocation batches that have not
// expired at time at.
func (s *Store) GatewayBatches(ctx context.Context, at time.Time) ([]GatewayBatch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT batch_id, country, expires, body FROM gateway_batches WHERE expires > $1 ORDER BY batch_id`, at.Unix())
	if err != nil {
		return nil, fmt.Errorf("registry: gateway batches: %w", err)
	}
	defer rows.Close()
	var out []GatewayBatch
	for rows.Next() {
		var b GatewayBatch
		var exp int64
		if err := rows.Scan(&b.ID, &b.Country, &exp, &b.Body); err != nil {
			return nil, fmt.Errorf("registry: gateway batches: %w", err)
		}
		b.Expires = time.Unix(exp, 0).UTC()
		out = append(out, b)
	}
	return out, rows.Err()
}

// GatewayStatus is the last outcome of one kind of exchange.
type GatewayStatus struct {
	Kind        string
	LastAttempt time.Time
	LastSuccess time.Time
	LastError   string // of the last attempt; empty when it succeeded
	Count       int    // what the last success counted (entries, sets, rules, batches, items)
}

// GatewaySetStatus records the outcome of an attempt: with err nil a
// success counting n, else a failure (the last success and count stay).
func (s *Store) GatewaySetStatus(ctx context.Context, kind string, at time.Time, n int, failure error) error {
	var err error
	if failure == nil {
		_, err = s.db.ExecContext(ctx, `INSERT INTO gateway_status (kind, last_attempt, last_success, last_error, count) VALUES ($1, $2, $2, '', $3)
			ON CONFLICT (kind) DO UPDATE SET last_attempt = $2, last_success = $2, last_error = '', count = $3`, kind, at.Unix(), n)
	} else {
		msg := failure.Error()
		if len(msg) > 1000 {
			msg = msg[:1000]
		}
		_, err = s.db.ExecContext(ctx, `INSERT INTO gateway_status (kind, last_attempt, last_error) VALUES ($1, $2, $3)
			ON CONFLICT (kind) DO UPDATE SET last_attempt = $2, last_error = $3`, kind, at.Unix(), msg)
	}
	if err != nil {
		return fmt.Errorf("registry: gateway status: %w", err)
	}
	return nil
}

// GatewayStatuses returns the status of every kind recorded, by kind.
func (s *Store) GatewayStatuses(ctx context.Context) ([]GatewayStatus, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, last_attempt, last_success, last_error, count FROM gateway_status ORDER BY kind`)
	if err != nil {
		return nil, fmt.Errorf("registry: gateway status: %w", err)
	}
	defer rows.Close()
	var out []GatewayStatus
	for rows.Next() {
		var st GatewayStatus
		var attempt, success int64
		if err := rows.Scan(&st.Kind, &attempt, &success, &st.LastError, &st.Count); err != nil {
			return nil, fmt.Errorf("registry: gateway status: %w", err)
		}
		if attempt != 0 {
			st.LastAttempt = time.Unix(attempt, 0).UTC()
		}
		if success != 0 {
			st.LastSuccess = time.Unix(success, 0).UTC()
		}
		out = append(out, st)
	}
	return out, rows.Err()
}
