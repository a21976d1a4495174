package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Delivery retry schedule: the n-th failure waits between half and all of
// min(OutboxBackoffBase·2ⁿ, OutboxBackoffMax). The jitter keeps authorities
// from retrying in lockstep after a registry outage.
const (
	OutboxBackoffBase = 30 * time.Second
	OutboxBackoffMax  = time.Hour
)

// OutboxEntry is a record awaiting delivery to the national registry.
type OutboxEntry struct {
	Record      Record // with its decrypted payload
	Attempts    int    // failed deliveries so far
	NextAttempt time.Time
	LastError   string
}

// Due returns at most limit undelivered entries whose next attempt is at or
// before now, oldest schedule first; parked entries are not due. Reading the outbox is delivery, not a
// view by a person, so it is not audited.
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]OutboxEntry, error) {
	if limit <= 0 {
		return nil, errors.New("registry: outbox limit must be positive")
	}
	// USING (uvci) leaves the other column names unambiguous.
	rows, err := s.db.QueryContext(ctx, `SELECT `+recordColumns+`, key_id, payload, hc1, attempts, next_attempt, last_error
		FROM outbox JOIN certificates USING (uvci)
		WHERE delivered_at IS NULL AND parked_at IS NULL AND next_attempt <= $1
		ORDER BY next_attempt, uvci LIMIT $2`, now.Unix(), limit)
	if err != nil {
		return nil, fmt.Errorf("registry: read outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxEntry
	var sealed []sealedRecord
	for rows.Next() {
		var e OutboxEntry
		var next int64
		r, sr, err := scanRecord(rows, true, &e.Attempts, &next, &e.LastError)
		if err != nil {
			return nil, fmt.Errorf("registry: read outbox: %w", err)
		}
		e.Record, e.NextAttempt = r, time.Unix(next, 0).UTC()
		out, sealed = append(out, e), append(sealed, sr)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("registry: read outbox: %w", err)
	}
	// Decrypted after the rows are closed, so that SQLite's one connection
	// goes back to issuance at once.
	rows.Close()
	for i := range out {
		if err := s.unseal(&out[i].Record, sealed[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MarkDelivered records that the registry accepted an entry. Marking a
// delivered entry again is a no-op; an unknown UVCI is ErrNotFound.
func (s *Store) MarkDelivered(ctx context.Context, uvci string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET delivered_at = $1, last_error = '' WHERE uvci = $2 AND delivered_at IS NULL`,
		at.Unix(), uvci)
	if err != nil {
		return fmt.Errorf("registry: mark delivered: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("registry: mark delivered: %w", err)
	} else if n == 0 {
		return s.outboxExists(ctx, uvci)
	}
	return nil
}

func (s *Store) outboxExists(ctx context.Context, uvci string) error {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE uvci = $1`, uvci).Scan(&n); err != nil {
		return fmt.Errorf("registry: read outbox: %w", err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// MarkFailed records a failed delivery attempt at time at and schedules the
// next one with capped, jittered exponential backoff (Backoff), which it
// returns. reason should describe the failure without personal data (an
// HTTP status, "timeout"); it is cut to 200 bytes.
func (s *Store) MarkFailed(ctx context.Context, uvci string, at time.Time, reason string) (time.Time, error) {
	return s.MarkFailedAfter(ctx, uvci, at, Backoff, reason)
}

// MarkFailedAfter is MarkFailed with another schedule: wait returns the wait
// after a delivery that has failed attempts times before.
func (s *Store) MarkFailedAfter(ctx context.Context, uvci string, at time.Time, wait func(attempts int) time.Duration, reason string) (time.Time, error) {
	if len(reason) > 200 {
		reason = reason[:200]
	}
	var next time.Time
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var attempts int
		var delivered sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT attempts, delivered_at FROM outbox WHERE uvci = $1`, uvci).Scan(&attempts, &delivered)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if delivered.Valid {
			return errors.New("registry: outbox entry already delivered; a late failure is ignored")
		}
		next = at.Add(wait(attempts)).Truncate(time.Second)
		_, err = tx.ExecContext(ctx, `UPDATE outbox SET attempts = $1, next_attempt = $2, last_error = $3 WHERE uvci = $4`,
			attempts+1, next.Unix(), reason, uvci)
		return err
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("registry: mark failed: %w", err)
	}
	return next, nil
}

// Backoff returns the wait after a delivery that has failed attempts times
// before: a random duration in [d/2, d] with d = min(base·2^attempts, max),
// for the default base and max.
func Backoff(attempts int) time.Duration {
	return BackoffSchedule(OutboxBackoffBase, OutboxBackoffMax)(attempts)
}

// BackoffSchedule returns the schedule of Backoff for another base and max.
func BackoffSchedule(base, maxWait time.Duration) func(attempts int) time.Duration {
	return func(attempts int) time.Duration {
		d := maxWait
		if attempts < 40 && base<<attempts > 0 {
			d = min(base<<attempts, maxWait)
		}
		return d/2 + rand.N(d/2+1)
	}
}

// OutboxPending counts the entries waiting for delivery (parked ones are
// counted by OutboxParked).
func (s *Store) OutboxPending(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND parked_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("registry: count outbox: %w", err)
	}
	return n, nil
}

// OutboxParked counts the entries the registry refused, kept aside for an
// operator.
func (s *Store) OutboxParked(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE parked_at IS NOT NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("registry: count parked outbox entries: %w", err)
	}
	return n, nil
}

// MarkDeliveredAll is MarkDelivered for many entries in one transaction
// (a confirmed batch). Entries already delivered or unknown are skipped.
func (s *Store) MarkDeliveredAll(ctx context.Context, uvcis []string, at time.Time) error {
	if len(uvcis) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `UPDATE outbox SET delivered_at = $1, last_error = '' WHERE uvci = $2 AND delivered_at IS NULL`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, u := range uvcis {
			if _, err := st.ExecContext(ctx, at.Unix(), u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("registry: mark delivered: %w", err)
	}
	return nil
}

// Park takes an entry out of the delivery queue because the registry
// refused it for a reason of its own (not an outage): retrying would fail
// the same way and hold up nothing, so it waits, with the reason, for an
// operator (Parked, Unpark). reason must carry no personal data; it is cut
// to 200 bytes.
func (s *Store) Park(ctx context.Context, uvci string, at time.Time, reason string) error {
	if len(reason) > 200 {
		reason = reason[:200]
	}
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET parked_at = $1, attempts = attempts + 1, last_error = $2
		WHERE uvci = $3 AND delivered_at IS NULL`, at.Unix(), reason, uvci)
	if err != nil {
		return fmt.Errorf("registry: park outbox entry: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("registry: park outbox entry: %w", err)
	} else if n == 0 {
		return s.outboxExists(ctx, uvci)
	}
	return nil
}

// ParkedEntry is an outbox entry the registry refused.
type ParkedEntry struct {
	UVCI     string
	Type     string
	ParkedAt time.Time
	Attempts int
	Reason   string
}

// Parked lists parked entries by UVCI, at most limit (1–1000) after the
// UVCI after. Only identifiers and reasons are read: nothing is decrypted.
func (s *Store) Parked(ctx context.Context, limit int, after string) ([]ParkedEntry, error) {
	if limit <= 0 || limit > 1000 {
		return nil, errors.New("registry: parked entries: limit must be 1 to 1000")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT o.uvci, c.type, o.parked_at, o.attempts, o.last_error
		FROM outbox o JOIN certificates c ON c.uvci = o.uvci
		WHERE o.parked_at IS NOT NULL AND o.uvci > $1 ORDER BY o.uvci LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("registry: parked entries: %w", err)
	}
	defer rows.Close()
	var out []ParkedEntry
	for rows.Next() {
		var e ParkedEntry
		var at int64
		if err := rows.Scan(&e.UVCI, &e.Type, &at, &e.Attempts, &e.Reason); err != nil {
			return nil, fmt.Errorf("registry: parked entries: %w", err)
		}
		e.ParkedAt = time.Unix(at, 0).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// Unpark puts parked entries back in the delivery queue, due now (after
// the cause was fixed), and audits it: the listed UVCIs, or every parked
// entry when uvcis is empty. It returns how many were put back.
func (s *Store) Unpark(ctx context.Context, uvcis []string, actor string) (int, error) {
	if err := checkActor(actor); err != nil {
		return 0, err
	}
	now := time.Now().Unix()
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if len(uvcis) == 0 {
			rows, err := tx.QueryContext(ctx, `SELECT uvci FROM outbox WHERE parked_at IS NOT NULL`)
			if err != nil {
				return err
			}
			for rows.Next() {
				var u string
				if err := rows.Scan(&u); err != nil {
					rows.Close()
					return err
				}
				uvcis = append(uvcis, u)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		for _, u := range uvcis {
			res, err := tx.ExecContext(ctx, `UPDATE outbox SET parked_at = NULL, attempts = 0, next_attempt = $1
				WHERE uvci = $2 AND parked_at IS NOT NULL`, now, u)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if k > 0 {
				n += k
				if err := audit(ctx, tx, actor, ActionRequeue, u, "delivery to the national registry retried"); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("registry: unpark outbox entries: %w", err)
	}
	return int(n), nil
}
