package registry_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"dcc/internal/pgtest"
	"dcc/registry"
)

var ctx = context.Background()

func TestRoundTrip(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		in := record(1)
		in.IssuedAt = in.IssuedAt.Add(400 * time.Millisecond).In(time.FixedZone("CET", 3600))
		if err := s.Insert(ctx, in, "authority:MD"); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, in.UVCI, "clerk")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Payload, in.Payload) {
			t.Errorf("payload = %s, want %s", got.Payload, in.Payload)
		}
		if got.PayloadHash != sha256.Sum256(in.Payload) {
			t.Error("zero PayloadHash was not set to SHA-256 of the payload")
		}
		if !got.IssuedAt.Equal(in.IssuedAt.Truncate(time.Second)) || got.IssuedAt.Location() != time.UTC {
			t.Errorf("IssuedAt = %v, want %v in UTC", got.IssuedAt, in.IssuedAt.Truncate(time.Second))
		}
		if !got.Expires.Equal(in.Expires) || got.UVCI != in.UVCI || got.Type != in.Type || got.Authority != in.Authority ||
			got.Lab != in.Lab || got.KID != in.KID || got.EventDate != in.EventDate || got.RevokedAt != nil {
			t.Errorf("got %+v, want %+v", got, in)
		}
		if _, err := s.Get(ctx, "URN:UVCI:01:ES:NOPE", "clerk"); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("Get(unknown) = %v, want ErrNotFound", err)
		}
	})
}

func TestPayloadEncryptedAtRest(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		r := record(2)
		if err := s.Insert(ctx, r, "a"); err != nil {
			t.Fatal(err)
		}
		raw := b.raw(t, dsn)
		stored := raw.Bytes(`SELECT payload FROM certificates WHERE uvci = $1`, r.UVCI)
		for _, plain := range [][]byte{r.Payload, []byte("PATIENT"), []byte("1980-01-01")} {
			if bytes.Contains(stored, plain) {
				t.Errorf("stored payload contains plaintext %q", plain)
			}
		}
		if len(stored) != 12+len(r.Payload)+16 {
			t.Errorf("stored payload has %d bytes, want nonce+ciphertext+tag = %d", len(stored), 12+len(r.Payload)+16)
		}
		if id := raw.Bytes(`SELECT key_id FROM certificates WHERE uvci = $1`, r.UVCI); string(id) != "k1" {
			t.Errorf("key_id = %q, want k1", id)
		}
	})
}

func TestInsertIdempotentAndConflict(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		r := record(3)
		changed := r
		changed.Payload = []byte(`{"ver":"1.3.0","changed":true}`)
		tests := []struct {
			name string
			r    registry.Record
			want error
		}{
			{"first", r, nil},
			{"same again", r, nil},
			{"same again, other metadata", func() registry.Record { x := r; x.Lab = "OTHER"; return x }(), nil},
			{"different payload", changed, registry.ErrConflict},
		}
		for _, tt := range tests {
			if err := s.Insert(ctx, tt.r, "a"); !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("%s: Insert = %v, want %v", tt.name, err, tt.want)
			}
		}
		got, err := s.Get(ctx, r.UVCI, "a")
		if err != nil || !bytes.Equal(got.Payload, r.Payload) || got.Lab != r.Lab {
			t.Errorf("after re-inserts: %+v, %v; want the first record", got, err)
		}
		entries, _ := s.Audit(ctx, r.UVCI)
		if n := countAction(entries, registry.ActionIssue); n != 1 {
			t.Errorf("%d issue audit entries, want 1", n)
		}
	})
}

func TestConcurrentIdempotentDelivery(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() { errs <- s.Insert(ctx, record(4), "delivery") })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent Insert: %v", err)
			}
		}
	})
}

func TestInsertRejects(t *testing.T) {
	s := open(t, backends(t)[0].newDSN(t), testKeys(t, "k1"))
	tests := []struct {
		name  string
		edit  func(*registry.Record)
		actor string
		field string
	}{
		{"empty UVCI", func(r *registry.Record) { r.UVCI = "" }, "a", "UVCI"},
		{"bad type", func(r *registry.Record) { r.Type = "x" }, "a", "Type"},
		{"no authority", func(r *registry.Record) { r.Authority = "" }, "a", "Authority"},
		{"no kid", func(r *registry.Record) { r.KID = "" }, "a", "KID"},
		{"zero iat", func(r *registry.Record) { r.IssuedAt = time.Time{} }, "a", "IssuedAt"},
		{"exp before iat", func(r *registry.Record) { r.Expires = r.IssuedAt.Add(-time.Hour) }, "a", "Expires"},
		{"no event date", func(r *registry.Record) { r.EventDate = "" }, "a", "EventDate"},
		{"payload not JSON", func(r *registry.Record) { r.Payload = []byte("PATIENT<NUMBER {") }, "a", "Payload"},
		{"no actor", func(r *registry.Record) {}, "", "actor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := record(5)
			tt.edit(&r)
			err := s.Insert(ctx, r, tt.actor)
			if err == nil || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("Insert = %v, want an error naming %s", err, tt.field)
			}
			if strings.Contains(err.Error(), "PATIENT") || (r.UVCI != "" && strings.Contains(err.Error(), r.UVCI)) {
				t.Errorf("error %q carries personal data", err)
			}
		})
	}
}

func TestRevoke(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		r := record(6)
		if err := s.Insert(ctx, r, "a"); err != nil {
			t.Fatal(err)
		}
		at := day0.Add(48 * time.Hour)
		rv := registry.Revocation{At: at, Reason: "issued in error", ReplacedBy: "URN:UVCI:01:ES:NEW"}
		if err := s.Revoke(ctx, r.UVCI, rv, "supervisor"); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, r.UVCI, "a")
		if err != nil {
			t.Fatal(err)
		}
		if got.RevokedAt == nil || !got.RevokedAt.Equal(at) || got.RevokedBy != "supervisor" ||
			got.RevokeReason != rv.Reason || got.ReplacedBy != rv.ReplacedBy {
			t.Errorf("revoked record = %+v", got)
		}
		tests := []struct {
			name string
			uvci string
			rv   registry.Revocation
			want error
		}{
			{"twice", r.UVCI, registry.Revocation{At: at.Add(time.Hour), Reason: "again"}, registry.ErrAlreadyRevoked},
			{"unknown", "URN:UVCI:01:ES:NOPE", registry.Revocation{Reason: "x"}, registry.ErrNotFound},
		}
		for _, tt := range tests {
			if err := s.Revoke(ctx, tt.uvci, tt.rv, "supervisor"); !errors.Is(err, tt.want) {
				t.Errorf("%s: Revoke = %v, want %v", tt.name, err, tt.want)
			}
		}
		if err := s.Revoke(ctx, r.UVCI, registry.Revocation{}, "supervisor"); err == nil || !strings.Contains(err.Error(), "Reason") {
			t.Errorf("Revoke without reason = %v, want an error naming Reason", err)
		}
		again, _ := s.Get(ctx, r.UVCI, "a")
		if !again.RevokedAt.Equal(at) || again.RevokeReason != rv.Reason {
			t.Errorf("second revocation changed the record: %+v", again)
		}
	})
}

func TestSearch(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		const n = 30
		for i := range n {
			if err := s.Insert(ctx, record(i), "a"); err != nil {
				t.Fatal(err)
			}
		}
		for _, i := range []int{0, 3, 4} {
			if err := s.Revoke(ctx, record(i).UVCI, registry.Revocation{Reason: "test"}, "a"); err != nil {
				t.Fatal(err)
			}
		}
		yes, no := true, false
		tests := []struct {
			name string
			q    registry.Query
			want int
		}{
			{"all", registry.Query{}, 30},
			{"authority", registry.Query{Authority: "MD"}, 10},
			{"type", registry.Query{Type: "t"}, 10},
			{"lab", registry.Query{Lab: "LAB-A"}, 5},
			{"type and authority", registry.Query{Type: "t", Authority: "AN"}, 10},
			{"type and other authority", registry.Query{Type: "t", Authority: "MD"}, 0},
			{"issued from", registry.Query{IssuedFrom: day0.Add(20 * time.Hour)}, 10},
			{"issued range", registry.Query{IssuedFrom: day0.Add(5 * time.Hour), IssuedTo: day0.Add(10 * time.Hour)}, 5},
			{"revoked", registry.Query{Revoked: &yes}, 3},
			{"not revoked", registry.Query{Revoked: &no}, 27},
			{"revoked vaccinations", registry.Query{Revoked: &yes, Type: "v"}, 2},
		}
		for _, tt := range tests {
			got, next, err := s.Search(ctx, tt.q, "analyst")
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if len(got) != tt.want || next != "" {
				t.Errorf("%s: %d records (next %q), want %d", tt.name, len(got), next, tt.want)
			}
			for _, r := range got {
				if r.Payload != nil {
					t.Errorf("%s: Search returned a payload", tt.name)
				}
			}
		}

		var seen []string
		q := registry.Query{Limit: 7, Revoked: &no}
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("paging does not end")
			}
			got, next, err := s.Search(ctx, q, "analyst")
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range got {
				seen = append(seen, r.UVCI)
			}
			if next == "" {
				break
			}
			if len(got) != 7 {
				t.Errorf("a page before the last has %d records", len(got))
			}
			q.After = next
		}
		if len(seen) != 27 || !slices.IsSorted(seen) || len(slices.Compact(slices.Clone(seen))) != 27 {
			t.Errorf("paging returned %d records (sorted %v), want 27 distinct in order", len(seen), slices.IsSorted(seen))
		}
		if _, _, err := s.Search(ctx, registry.Query{Limit: -1}, "analyst"); err == nil {
			t.Error("negative Limit accepted")
		}
		entries, _ := s.AuditByActor(ctx, "analyst")
		if countAction(entries, registry.ActionSearch) != len(tests)+4 {
			t.Errorf("%d search audit entries, want %d", countAction(entries, registry.ActionSearch), len(tests)+4)
		}
	})
}

func countAction(es []registry.AuditEntry, action string) int {
	n := 0
	for _, e := range es {
		if e.Action == action {
			n++
		}
	}
	return n
}

func TestAudit(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		r := record(7)
		start := time.Now().Add(-time.Second)
		steps := []struct {
			action string
			do     func() error
		}{
			{registry.ActionIssue, func() error { return s.Insert(ctx, r, "issuer") }},
			{registry.ActionView, func() error { _, err := s.Get(ctx, r.UVCI, "clerk"); return err }},
			{registry.ActionRevoke, func() error {
				return s.Revoke(ctx, r.UVCI, registry.Revocation{Reason: "lost"}, "supervisor")
			}},
		}
		for _, st := range steps {
			if err := st.do(); err != nil {
				t.Fatalf("%s: %v", st.action, err)
			}
		}
		entries, err := s.Audit(ctx, r.UVCI)
		if err != nil {
			t.Fatal(err)
		}
		wantActors := []string{"issuer", "clerk", "supervisor"}
		if len(entries) != len(steps) {
			t.Fatalf("%d audit entries, want %d: %+v", len(entries), len(steps), entries)
		}
		for i, e := range entries {
			if e.Action != steps[i].action || e.Actor != wantActors[i] || e.UVCI != r.UVCI || e.At.Before(start.Truncate(time.Second)) {
				t.Errorf("entry %d = %+v, want %s by %s", i, e, steps[i].action, wantActors[i])
			}
		}

		if _, err := s.Get(ctx, "URN:UVCI:01:ES:GUESS", "prober"); !errors.Is(err, registry.ErrNotFound) {
			t.Fatal(err)
		}
		if err := s.AuditSignIn(ctx, "prober", false); err != nil {
			t.Fatal(err)
		}
		if err := s.AuditSignIn(ctx, "prober", true); err != nil {
			t.Fatal(err)
		}
		got, _ := s.AuditByActor(ctx, "prober")
		var actions []string
		for _, e := range got {
			actions = append(actions, e.Action)
		}
		if want := []string{registry.ActionView, registry.ActionSignInFailed, registry.ActionSignIn}; !slices.Equal(actions, want) {
			t.Errorf("prober's audit = %v, want %v", actions, want)
		}

		raw := b.raw(t, dsn)
		for _, q := range []string{
			`UPDATE audit SET actor = 'nobody'`,
			`DELETE FROM audit`,
			`DELETE FROM audit WHERE actor = 'clerk'`,
		} {
			if err := raw.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want the append-only trigger to refuse", q, err)
			}
		}
		if b.name == "postgres" {
			if err := raw.Exec(`TRUNCATE audit`); err == nil {
				t.Error("TRUNCATE audit succeeded")
			}
		}
		after, _ := s.Audit(ctx, r.UVCI)
		if len(after) != len(entries) || after[1].Actor != "clerk" {
			t.Errorf("audit changed: %+v", after)
		}
	})
}

func TestKeyRotation(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		old, recent := record(8), record(9)
		s1, err := registry.Open(ctx, dsn, testKeys(t, "2025-01"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s1.Insert(ctx, old, "a"); err != nil {
			t.Fatal(err)
		}
		s1.Close()

		s2 := open(t, dsn, testKeys(t, "2025-07", "2025-01"))
		if err := s2.Insert(ctx, recent, "a"); err != nil {
			t.Fatal(err)
		}
		for _, r := range []registry.Record{old, recent} {
			got, err := s2.Get(ctx, r.UVCI, "a")
			if err != nil || !bytes.Equal(got.Payload, r.Payload) {
				t.Errorf("after rotation Get = %s, %v", got.Payload, err)
			}
		}
		raw := b.raw(t, dsn)
		if id := raw.Bytes(`SELECT key_id FROM certificates WHERE uvci = $1`, recent.UVCI); string(id) != "2025-07" {
			t.Errorf("new record sealed with %q, want the current key 2025-07", id)
		}

		s3 := open(t, dsn, testKeys(t, "2025-07"))
		_, err = s3.Get(ctx, old.UVCI, "a")
		if !errors.Is(err, registry.ErrUnknownKey) || !strings.Contains(err.Error(), "2025-01") {
			t.Errorf("Get without the old key = %v, want ErrUnknownKey naming 2025-01", err)
		}
	})
}

func TestWrongKeyAndMovedCiphertext(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		a, c := record(10), record(11)
		s := open(t, dsn, testKeys(t, "k1"))
		for _, r := range []registry.Record{a, c} {
			if err := s.Insert(ctx, r, "a"); err != nil {
				t.Fatal(err)
			}
		}
		other, err := registry.NewKeys("k1", map[string][]byte{"k1": bytes.Repeat([]byte{7}, 32)})
		if err != nil {
			t.Fatal(err)
		}
		wrong := open(t, dsn, other)
		_, err = wrong.Get(ctx, a.UVCI, "a")
		if !errors.Is(err, registry.ErrDecrypt) {
			t.Errorf("Get with a wrong key = %v, want ErrDecrypt", err)
		}
		if err != nil && (strings.Contains(err.Error(), a.UVCI) || strings.Contains(err.Error(), "PATIENT")) {
			t.Errorf("error %q carries personal data", err)
		}

		raw := b.raw(t, dsn)
		if err := raw.Exec(`UPDATE certificates SET payload = (SELECT payload FROM certificates WHERE uvci = $1) WHERE uvci = $2`,
			c.UVCI, a.UVCI); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, a.UVCI, "a"); !errors.Is(err, registry.ErrDecrypt) {
			t.Errorf("Get of a moved ciphertext = %v, want ErrDecrypt", err)
		}
	})
}

func TestOutbox(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		if err := s.Insert(ctx, record(20), "registry"); err != nil {
			t.Fatal(err)
		}
		var uvcis []string
		for i := 21; i <= 23; i++ {
			r := record(i)
			uvcis = append(uvcis, r.UVCI)
			if err := s.InsertWithOutbox(ctx, r, "issuer"); err != nil {
				t.Fatal(err)
			}
		}
		// Redelivering to the local store adds no second outbox entry.
		if err := s.InsertWithOutbox(ctx, record(21), "issuer"); err != nil {
			t.Fatal(err)
		}
		// A conflicting insert leaves no outbox entry behind.
		bad := record(22)
		bad.Payload = []byte(`{}`)
		if err := s.InsertWithOutbox(ctx, bad, "issuer"); !errors.Is(err, registry.ErrConflict) {
			t.Fatalf("conflicting InsertWithOutbox = %v", err)
		}

		now := time.Now().Add(time.Second)
		due := mustDue(t, s, now)
		if got := uvcisOf(due); !slices.Equal(got, uvcis) {
			t.Fatalf("Due = %v, want %v", got, uvcis)
		}
		if !bytes.Equal(due[0].Record.Payload, record(21).Payload) || due[0].Attempts != 0 {
			t.Errorf("due entry = %+v", due[0])
		}
		if n, _ := s.OutboxPending(ctx); n != 3 {
			t.Errorf("OutboxPending = %d, want 3", n)
		}

		next, err := s.MarkFailed(ctx, uvcis[0], now, "HTTP 503")
		if err != nil {
			t.Fatal(err)
		}
		checkWindow(t, "first retry", next, now, registry.OutboxBackoffBase)
		if got := uvcisOf(mustDue(t, s, now)); !slices.Equal(got, uvcis[1:]) {
			t.Errorf("Due after a failure = %v, want %v", got, uvcis[1:])
		}
		later := now.Add(registry.OutboxBackoffBase + time.Second)
		due = mustDue(t, s, later)
		if len(due) != 3 {
			t.Fatalf("Due after the backoff = %v", uvcisOf(due))
		}
		failed := due[len(due)-1]
		if failed.Record.UVCI != uvcis[0] || failed.Attempts != 1 || failed.LastError != "HTTP 503" {
			t.Errorf("failed entry = %+v", failed)
		}
		next2, err := s.MarkFailed(ctx, uvcis[0], later, "timeout")
		if err != nil {
			t.Fatal(err)
		}
		checkWindow(t, "second retry", next2, later, 2*registry.OutboxBackoffBase)

		for _, u := range uvcis {
			if err := s.MarkDelivered(ctx, u, later); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.MarkDelivered(ctx, uvcis[0], later); err != nil {
			t.Errorf("second MarkDelivered = %v, want nil", err)
		}
		if _, err := s.MarkFailed(ctx, uvcis[0], later, "late"); err == nil {
			t.Error("MarkFailed after delivery succeeded")
		}
		for _, u := range []string{"URN:UVCI:01:ES:NOPE", record(20).UVCI} {
			if err := s.MarkDelivered(ctx, u, later); !errors.Is(err, registry.ErrNotFound) {
				t.Errorf("MarkDelivered(not in outbox) = %v, want ErrNotFound", err)
			}
			if _, err := s.MarkFailed(ctx, u, later, "x"); !errors.Is(err, registry.ErrNotFound) {
				t.Errorf("MarkFailed(not in outbox) = %v, want ErrNotFound", err)
			}
		}
		if due := mustDue(t, s, later.Add(24*time.Hour)); len(due) != 0 {
			t.Errorf("Due after delivery = %v", uvcisOf(due))
		}
		if n, _ := s.OutboxPending(ctx); n != 0 {
			t.Errorf("OutboxPending = %d, want 0", n)
		}
	})
}

func mustDue(t *testing.T, s *registry.Store, now time.Time) []registry.OutboxEntry {
	t.Helper()
	due, err := s.Due(ctx, now, 100)
	if err != nil {
		t.Fatal(err)
	}
	return due
}

func uvcisOf(es []registry.OutboxEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Record.UVCI)
	}
	return out
}

func checkWindow(t *testing.T, name string, next, at time.Time, d time.Duration) {
	t.Helper()
	lo, hi := at.Add(d/2).Add(-time.Second), at.Add(d)
	if next.Before(lo) || next.After(hi) {
		t.Errorf("%s at %v, want within [%v, %v]", name, next, lo, hi)
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempts int
		want     time.Duration // the cap before jitter
	}{
		{0, registry.OutboxBackoffBase},
		{1, 2 * registry.OutboxBackoffBase},
		{3, 8 * registry.OutboxBackoffBase},
		{7, registry.OutboxBackoffMax},
		{60, registry.OutboxBackoffMax},
		{1 << 30, registry.OutboxBackoffMax},
	}
	for _, tt := range tests {
		seen := map[time.Duration]bool{}
		for range 50 {
			d := registry.Backoff(tt.attempts)
			if d < tt.want/2 || d > tt.want {
				t.Errorf("Backoff(%d) = %v, want within [%v, %v]", tt.attempts, d, tt.want/2, tt.want)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Errorf("Backoff(%d) has no jitter", tt.attempts)
		}
	}
}

func TestMigrationsAppliedOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		keys := testKeys(t, "k1")
		for i := range 3 {
			s, err := registry.Open(ctx, dsn, keys)
			if err != nil {
				t.Fatalf("open #%d: %v", i+1, err)
			}
			if i == 0 {
				if err := s.Insert(ctx, record(30), "a"); err != nil {
					t.Fatal(err)
				}
			}
			versions, err := s.Migrations(ctx)
			if err != nil || !slices.Equal(versions, []int{1, 2, 3, 4, 5, 6, 7}) {
				t.Errorf("open #%d: migrations = %v, %v; want [1 2 3 4 5 6 7]", i+1, versions, err)
			}
			if _, err := s.Get(ctx, record(30).UVCI, "a"); err != nil {
				t.Errorf("open #%d: %v", i+1, err)
			}
			s.Close()
		}
	})
}

func TestOpenErrors(t *testing.T) {
	keys := testKeys(t, "k1")
	tests := []struct {
		dsn  string
		keys *registry.Keys
	}{
		{"mysql://x", keys},
		{"sqlite:", keys},
		{"sqlite:/tmp/a?mode=memory", keys},
		{"sqlite:" + t.TempDir() + "/r.db", nil},
		{"sqlite:" + t.TempDir() + "/missing-dir/r.db", keys},
		{"postgres://127.0.0.1:1/none?connect_timeout=1", keys},
	}
	for _, tt := range tests {
		if s, err := registry.Open(ctx, tt.dsn, tt.keys); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", tt.dsn)
		}
	}
}

// A DSN naming a schema that does not exist says what to do about it.
func TestOpenMissingSchemaHint(t *testing.T) {
	if !pgtest.Enabled() {
		t.Skip("PostgreSQL not configured (" + pgtest.EnvDSN + ")")
	}
	u, err := url.Parse(os.Getenv(pgtest.EnvDSN))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", "no_such_schema_for_dcc")
	u.RawQuery = q.Encode()
	s, err := registry.Open(ctx, u.String(), testKeys(t, "k1"))
	if err == nil {
		s.Close()
		t.Fatal("Open with a missing schema succeeded")
	}
	if !strings.Contains(err.Error(), "CREATE SCHEMA") {
		t.Errorf("Open with a missing schema: %v; want a hint naming CREATE SCHEMA", err)
	}
}

func ExampleStore() {
	dir, _ := osMkdirTemp()
	defer removeAll(dir)
	keys, _ := registry.NewKeys("2025-01", map[string][]byte{"2025-01": bytes.Repeat([]byte{1}, 32)})
	s, err := registry.Open(context.Background(), "sqlite:"+dir+"/registry.db", keys)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	iat := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	r := registry.Record{
		UVCI: "URN:UVCI:01:ES:EXAMPLE#1", Type: "v", Authority: "MD", KID: "3lTmAZX19GQ=",
		IssuedAt: iat, Expires: iat.AddDate(1, 0, 0), EventDate: "2025-02-27",
		Payload: []byte(`{"ver":"1.3.0"}`),
	}
	if err := s.Insert(context.Background(), r, "authority:MD"); err != nil {
		fmt.Println(err)
		return
	}
	got, _ := s.Get(context.Background(), r.UVCI, "clerk:42")
	fmt.Println(string(got.Payload))
	entries, _ := s.Audit(context.Background(), r.UVCI)
	for _, e := range entries {
		fmt.Println(e.Action, e.Actor)
	}
	// Output:
	// {"ver":"1.3.0"}
	// issue authority:MD
	// view clerk:42
}
