package registry_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"dcc/registry"
)

// A parked entry leaves the delivery queue with its reason, is listed for
// operators, comes back when put back (audited), and a revocation puts it
// back too: its state changed, so it is worth sending again.
func TestOutboxParking(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		var uvcis []string
		for i := 30; i < 34; i++ {
			r := record(i)
			uvcis = append(uvcis, r.UVCI)
			if err := s.InsertWithOutbox(ctx, r, "issuer"); err != nil {
				t.Fatal(err)
			}
		}
		now := time.Now().Add(time.Second)
		if err := s.Park(ctx, uvcis[1], now, "refused by the registry: uvci: bad"); err != nil {
			t.Fatal(err)
		}
		if err := s.Park(ctx, uvcis[2], now, "refused by the registry: type: no"); err != nil {
			t.Fatal(err)
		}
		if err := s.Park(ctx, "URN:UVCI:01:ES:NONE/X#1", now, "x"); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("Park of an unknown UVCI = %v", err)
		}
		if got := uvcisOf(mustDue(t, s, now)); !slices.Equal(got, []string{uvcis[0], uvcis[3]}) {
			t.Errorf("Due with two parked = %v", got)
		}
		if n, _ := s.OutboxPending(ctx); n != 2 {
			t.Errorf("OutboxPending = %d, want 2", n)
		}
		if n, _ := s.OutboxParked(ctx); n != 2 {
			t.Errorf("OutboxParked = %d, want 2", n)
		}
		ps, err := s.Parked(ctx, 1, "")
		if err != nil || len(ps) != 1 || ps[0].UVCI != uvcis[1] || ps[0].Reason != "refused by the registry: uvci: bad" || ps[0].Attempts != 1 || ps[0].Type != "t" {
			t.Errorf("Parked page 1 = %+v, %v", ps, err)
		}
		if ps, _ := s.Parked(ctx, 10, ps[0].UVCI); len(ps) != 1 || ps[0].UVCI != uvcis[2] {
			t.Errorf("Parked page 2 = %+v", ps)
		}
		// The confirmed ones, in one go.
		if err := s.MarkDeliveredAll(ctx, []string{uvcis[0], uvcis[3]}, now); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.OutboxPending(ctx); n != 0 {
			t.Errorf("OutboxPending after MarkDeliveredAll = %d", n)
		}
		// Put one back by UVCI, the other by revoking it.
		if n, err := s.Unpark(ctx, []string{uvcis[1], uvcis[0]}, "authority:AN"); n != 1 || err != nil {
			t.Errorf("Unpark = %d, %v; want 1 (the delivered one is not parked)", n, err)
		}
		if err := s.Revoke(ctx, uvcis[2], registry.Revocation{Reason: "wrong person"}, "authority:AN"); err != nil {
			t.Fatal(err)
		}
		if got := uvcisOf(mustDue(t, s, time.Now().Add(time.Second))); !slices.Equal(got, uvcis[1:3]) {
			t.Errorf("Due after unpark and revoke = %v", got)
		}
		if n, _ := s.OutboxParked(ctx); n != 0 {
			t.Errorf("OutboxParked = %d, want 0", n)
		}
		es, _ := s.AuditByActor(ctx, "authority:AN")
		if len(es) == 0 || es[0].Action != registry.ActionRequeue || es[0].UVCI != uvcis[1] {
			t.Errorf("audit of the unpark: %+v", es)
		}
		// Unpark with no UVCIs puts back every parked entry.
		for _, u := range uvcis[1:3] {
			s.Park(ctx, u, now, "again")
		}
		if n, err := s.Unpark(ctx, nil, "authority:AN"); n != 2 || err != nil {
			t.Errorf("Unpark all = %d, %v", n, err)
		}
	})
}

// ApplyBatch applies a delivery batch in one transaction: each record gets
// its own outcome, and a conflict or a malformed record stops no other.
func TestApplyBatch(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		if err := s.Insert(ctx, record(40), "authority:AN"); err != nil {
			t.Fatal(err)
		}
		conflict := record(40)
		conflict.Payload = []byte(`{"other": true}`)
		revoked := record(40)
		at := time.Now().UTC().Truncate(time.Second)
		revoked.RevokedAt, revoked.RevokedBy, revoked.RevokeReason = &at, "lab:L", "wrong person"
		malformed := record(43)
		malformed.Type = "x"
		res, err := s.ApplyBatch(ctx, []registry.Record{record(41), conflict, record(42), malformed, record(41), revoked}, "authority:AN")
		if err != nil {
			t.Fatal(err)
		}
		want := []registry.Applied{registry.AppliedNew, 0, registry.AppliedNew, 0, registry.AppliedUnchanged, registry.AppliedRevoked}
		for i, r := range res {
			if r.Applied != want[i] {
				t.Errorf("record %d: %v, %v; want %v", i, r.Applied, r.Err, want[i])
			}
		}
		if !errors.Is(res[1].Err, registry.ErrConflict) || res[3].Err == nil {
			t.Errorf("errors: %v, %v", res[1].Err, res[3].Err)
		}
		if _, err := s.Get(ctx, record(42).UVCI, "test"); err != nil {
			t.Error(err)
		}
		if r, _ := s.Get(ctx, record(40).UVCI, "test"); r.RevokedAt == nil {
			t.Error("revocation not applied")
		}
	})
}

// A new SQLite store and its WAL files are private to their owner: the
// metadata of every certificate is in them.
func TestSQLiteFilesArePrivate(t *testing.T) {
	dir := t.TempDir()
	s := open(t, "sqlite:"+filepath.Join(dir, "registry.db"), testKeys(t, "k1"))
	if err := s.Insert(ctx, record(50), "test"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"registry.db", "registry.db-wal", "registry.db-shm"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v, want 0600", name, st.Mode().Perm())
		}
	}
}
