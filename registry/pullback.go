package registry

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// RevocationEntry is the revocation of one certificate, as an issuing
// authority pulls it back from the national registry.
type RevocationEntry struct {
	UVCI       string
	At         time.Time
	By         string // who revoked it, as recorded by the registry
	Reason     string
	ReplacedBy string
}

// RevocationsOf lists the revoked certificates of one authority in the
// order (revocation time, UVCI), starting after the position (since, after):
// at the time since, only UVCIs after after (all of them when after is
// empty). It is keyset paging, so a page costs the same however far along.
func (s *Store) RevocationsOf(ctx context.Context, authority string, since time.Time, after string, limit int) ([]RevocationEntry, error) {
	if limit <= 0 {
		return nil, errors.New("registry: limit must be positive")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT uvci, revoked_at, revoked_by, revoke_reason, replaced_by FROM certificates
		WHERE authority = $1 AND revoked_at IS NOT NULL AND (revoked_at > $2 OR (revoked_at = $2 AND uvci > $3))
		ORDER BY revoked_at, uvci LIMIT $4`, authority, since.Unix(), after, limit)
	if err != nil {
		return nil, fmt.Errorf("registry: revocations of %s: %w", authority, err)
	}
	defer rows.Close()
	var out []RevocationEntry
	for rows.Next() {
		var e RevocationEntry
		var at int64
		if err := rows.Scan(&e.UVCI, &at, &e.By, &e.Reason, &e.ReplacedBy); err != nil {
			return nil, fmt.Errorf("registry: revocations of %s: %w", authority, err)
		}
		e.At = time.Unix(at, 0).UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("registry: revocations of %s: %w", authority, err)
	}
	return out, nil
}

// TakeRevocations records in an issuing authority's own store revocations
// made in the national registry (by its operators), keeping who made each
// and when, and audits each under actor, all in one transaction. A
// certificate already revoked is left as it is, so taking the same page
// twice changes nothing; taken counts the certificates revoked now. UVCIs
// the store does not hold are skipped and listed in unknown. The records
// are not queued for delivery again: the registry is where they came from.
func (s *Store) TakeRevocations(ctx context.Context, es []RevocationEntry, actor string) (taken int, unknown []string, err error) {
	if err := checkActor(actor); err != nil {
		return 0, nil, err
	}
	if len(es) == 0 {
		return 0, nil, nil // the usual pull: no transaction for nothing
	}
	for _, e := range es {
		if e.UVCI == "" || e.Reason == "" || e.By == "" || e.At.IsZero() {
			return 0, nil, fmt.Errorf("registry: revocation of %q from the registry: it needs its UVCI, time, author and reason", e.UVCI)
		}
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		taken, unknown = 0, nil
		for _, e := range es {
			res, err := tx.ExecContext(ctx, `UPDATE certificates SET revoked_at = $1, revoked_by = $2, revoke_reason = $3, replaced_by = $4
				WHERE uvci = $5 AND revoked_at IS NULL`, e.At.Unix(), e.By, e.Reason, e.ReplacedBy, e.UVCI)
			if err != nil {
				return fmt.Errorf("registry: take revocation: %w", err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("registry: take revocation: %w", err)
			}
			if n == 0 {
				var one int
				if err := tx.QueryRowContext(ctx, `SELECT 1 FROM certificates WHERE uvci = $1`, e.UVCI).Scan(&one); errors.Is(err, sql.ErrNoRows) {
					unknown = append(unknown, e.UVCI)
				} else if err != nil {
					return fmt.Errorf("registry: take revocation: %w", err)
				}
				continue
			}
			taken++
			detail := "reason=" + e.Reason + " by=" + e.By + " (revoked in the national registry)"
			if e.ReplacedBy != "" {
				detail += " replaced-by=" + e.ReplacedBy
			}
			if err := audit(ctx, tx, actor, ActionRevoke, e.UVCI, detail); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return taken, unknown, nil
}
