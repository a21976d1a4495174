package registry

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"dcc/translit"
)

// holderIndex is the keyed hash that finds a holder's certificates: of the
// surname in its ICAO standardised form (so "Musterfrau-Gößinger" finds
// MUSTERFRAU<GOESSINGER) and the date of birth exactly as in the payload
// ("1998-02-26", "1998-02", "1998"). Without the key it reveals nothing; a
// truncated HMAC-SHA-256 leaves room only for chance collisions, which the
// search results show as other people's certificates of the same index —
// never missing ones.
func (k *Keys) holderIndex(surname, dob string) string {
	mac := hmac.New(sha256.New, k.index)
	mac.Write([]byte("v1\x00" + standardSurname(surname) + "\x00" + strings.TrimSpace(dob)))
	return hex.EncodeToString(mac.Sum(nil)[:16])
}

var dobPattern = regexp.MustCompile(`^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$`)

// HolderDOB reports whether s has the shape of a known date of birth for a
// search by holder: YYYY-MM-DD, YYYY-MM or YYYY, as certificates write it.
func HolderDOB(s string) bool { return dobPattern.MatchString(s) }

func standardSurname(s string) string {
	if t, _, err := translit.ICAO(s); err == nil {
		return t
	}
	return strings.ToUpper(strings.TrimSpace(s))
}

// holderIndexOf is the index of a JSON payload; "" when it has no
// standardised surname (nam.fnt), so it cannot be found by holder.
func (k *Keys) holderIndexOf(payload []byte) string {
	var p struct {
		Nam struct {
			FNT string `json:"fnt"`
		} `json:"nam"`
		DOB string `json:"dob"`
	}
	if json.Unmarshal(payload, &p) != nil || strings.TrimSpace(p.Nam.FNT) == "" {
		return ""
	}
	return k.holderIndex(p.Nam.FNT, p.DOB)
}

// indexHolders fills in the holder index of rows stored before it existed,
// a batch per transaction. Reading each payload needs its key, so a row
// sealed with a key not loaded stops Open with ErrUnknownKey, as reading it
// would.
func (s *Store) indexHolders(ctx context.Context) error {
	for {
		type row struct {
			uvci, keyID string
			sealed      []byte
		}
		rows, err := s.db.QueryContext(ctx, `SELECT uvci, key_id, payload FROM certificates WHERE holder_index IS NULL LIMIT 500`)
		if err != nil {
			return fmt.Errorf("registry: holder index: %w", err)
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.uvci, &r.keyID, &r.sealed); err != nil {
				rows.Close()
				return fmt.Errorf("registry: holder index: %w", err)
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("registry: holder index: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			for _, r := range batch {
				payload, err := s.keys.open(r.keyID, purposePayload, r.uvci, r.sealed)
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE certificates SET holder_index = $1 WHERE uvci = $2`,
					s.keys.holderIndexOf(payload), r.uvci); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("registry: holder index: %w", err)
		}
	}
}
