package registry_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"dcc/registry"
)

func TestHC1SealedAtRest(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		r := record(1)
		r.HC1 = "HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH-R6IOOP-IHC1"
		if err := s.Insert(ctx, r, "a"); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, r.UVCI, "a")
		if err != nil {
			t.Fatal(err)
		}
		if got.HC1 != r.HC1 {
			t.Errorf("HC1 = %q, want %q", got.HC1, r.HC1)
		}
		raw := b.raw(t, dsn)
		if stored := raw.Bytes(`SELECT hc1 FROM certificates WHERE uvci = $1`, r.UVCI); bytes.Contains(stored, []byte("HC1:")) {
			t.Error("HC1 stored in clear")
		}
		// A payload ciphertext copied into the HC1 column does not open.
		if err := raw.Exec(`UPDATE certificates SET hc1 = payload WHERE uvci = $1`, r.UVCI); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, r.UVCI, "a"); !errors.Is(err, registry.ErrDecrypt) {
			t.Errorf("Get after swapping ciphertexts = %v, want ErrDecrypt", err)
		}
		// A record without HC1 (delivered from elsewhere) reads back without one.
		r2 := record(2)
		if err := s.Insert(ctx, r2, "a"); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Get(ctx, r2.UVCI, "a"); err != nil || got.HC1 != "" {
			t.Errorf("Get = %q, %v; want no HC1", got.HC1, err)
		}
	})
}

func TestIdempotency(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		id := registry.Idempotency{Principal: "lab:L1", Key: "req-1", RequestHash: sha256.Sum256([]byte("body"))}
		if err := s.Idempotent(ctx, id); err != nil {
			t.Fatalf("unused key: %v", err)
		}
		r := record(3)
		if err := s.InsertRecord(ctx, r, "lab:L1", registry.InsertOptions{Idempotency: &id}); err != nil {
			t.Fatal(err)
		}
		var replay *registry.ReplayError
		if err := s.Idempotent(ctx, id); !errors.As(err, &replay) || replay.UVCI != r.UVCI {
			t.Errorf("Idempotent = %v, want replay of %s", err, r.UVCI)
		}
		// A second certificate under the same key is not written.
		r2 := record(4)
		err := s.InsertRecord(ctx, r2, "lab:L1", registry.InsertOptions{Idempotency: &id})
		if !errors.As(err, &replay) || replay.UVCI != r.UVCI {
			t.Errorf("InsertRecord with a used key = %v, want replay of %s", err, r.UVCI)
		}
		if _, err := s.Get(ctx, r2.UVCI, "a"); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("second certificate under a used key was stored: %v", err)
		}
		// The same key for another request is refused.
		other := id
		other.RequestHash = sha256.Sum256([]byte("other body"))
		if err := s.Idempotent(ctx, other); !errors.Is(err, registry.ErrIdempotencyMismatch) {
			t.Errorf("Idempotent(other request) = %v, want ErrIdempotencyMismatch", err)
		}
		// Keys belong to a principal: another may use the same key.
		mine := id
		mine.Principal = "lab:L2"
		if err := s.InsertRecord(ctx, r2, "lab:L2", registry.InsertOptions{Idempotency: &mine}); err != nil {
			t.Errorf("same key, other principal: %v", err)
		}
	})
}

// Concurrent requests with one key: exactly one certificate is stored and
// every other request learns which.
func TestIdempotencyRace(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		id := registry.Idempotency{Principal: "authority:AN", Key: "k", RequestHash: sha256.Sum256([]byte("x"))}
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.InsertRecord(ctx, record(100+i), "authority:AN", registry.InsertOptions{Idempotency: &id})
			}()
		}
		wg.Wait()
		winners := 0
		var uvcis []string
		for i, err := range errs {
			var replay *registry.ReplayError
			switch {
			case err == nil:
				winners++
				uvcis = append(uvcis, record(100+i).UVCI)
			case errors.As(err, &replay):
				uvcis = append(uvcis, replay.UVCI)
			default:
				t.Errorf("request %d: %v", i, err)
			}
		}
		if winners != 1 {
			t.Fatalf("%d requests stored a certificate, want 1", winners)
		}
		slices.Sort(uvcis)
		if uvcis = slices.Compact(uvcis); len(uvcis) != 1 {
			t.Errorf("requests were told of different certificates: %v", uvcis)
		}
	})
}

func TestSupersede(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		old := record(0) // authority MD
		if err := s.InsertWithOutbox(ctx, old, "authority:MD"); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkDelivered(ctx, old.UVCI, day0); err != nil {
			t.Fatal(err)
		}
		nw := record(3) // also MD
		nw.Replaces = old.UVCI
		nw.IssuedAt = day0.Add(48 * time.Hour)
		nw.Expires = nw.IssuedAt.AddDate(1, 0, 0)
		if err := s.InsertRecord(ctx, nw, "authority:MD", registry.InsertOptions{
			Outbox: true, Supersedes: old.UVCI, SupersedeReason: "wrong date of birth",
		}); err != nil {
			t.Fatal(err)
		}
		gotOld, _ := s.Get(ctx, old.UVCI, "a")
		if gotOld.RevokedAt == nil || gotOld.ReplacedBy != nw.UVCI || gotOld.RevokeReason != "wrong date of birth" {
			t.Errorf("old record = %+v, want revoked and replaced by %s", gotOld, nw.UVCI)
		}
		gotNew, _ := s.Get(ctx, nw.UVCI, "a")
		if gotNew.Replaces != old.UVCI || gotNew.RevokedAt != nil {
			t.Errorf("new record = %+v, want replacing %s", gotNew, old.UVCI)
		}
		// Both the new record and the old one's revocation await delivery.
		due := uvcisOf(mustDue(t, s, time.Now().Add(time.Minute)))
		slices.Sort(due)
		want := []string{old.UVCI, nw.UVCI}
		slices.Sort(want)
		if !slices.Equal(due, want) {
			t.Errorf("outbox due = %v, want %v", due, want)
		}
		// Superseding a revoked certificate fails and writes nothing.
		again := record(6)
		err := s.InsertRecord(ctx, again, "authority:MD", registry.InsertOptions{Supersedes: old.UVCI})
		if !errors.Is(err, registry.ErrAlreadyRevoked) {
			t.Errorf("supersede revoked = %v, want ErrAlreadyRevoked", err)
		}
		if _, err := s.Get(ctx, again.UVCI, "a"); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("a failed re-issue left its record: %v", err)
		}
		// Another authority's certificate cannot be superseded.
		other := record(1) // AN
		if err := s.Insert(ctx, other, "authority:AN"); err != nil {
			t.Fatal(err)
		}
		err = s.InsertRecord(ctx, record(9), "authority:MD", registry.InsertOptions{Supersedes: other.UVCI})
		if !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("supersede another authority's = %v, want ErrNotFound", err)
		}
		if got, _ := s.Get(ctx, other.UVCI, "a"); got.RevokedAt != nil {
			t.Error("another authority's certificate was revoked")
		}
	})
}

func TestScopedAccess(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		r := record(1) // AN
		if err := s.Insert(ctx, r, "authority:AN"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetAs(ctx, r.UVCI, "authority:MD", registry.Scope{Authority: "MD"}); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("GetAs(other authority) = %v, want ErrNotFound", err)
		}
		if got, err := s.GetAs(ctx, r.UVCI, "authority:AN", registry.Scope{Authority: "AN"}); err != nil || !bytes.Equal(got.Payload, r.Payload) {
			t.Errorf("GetAs(own) = %v", err)
		}
		// record(1) is a test certificate of LAB-B: another laboratory of the
		// same region does not see it.
		if _, err := s.GetAs(ctx, r.UVCI, "authority:MD", registry.Scope{Authority: "AN", Lab: "LAB-A"}); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("GetAs(other lab) = %v, want ErrNotFound", err)
		}
		if _, err := s.GetAs(ctx, r.UVCI, "lab:LAB-B", registry.Scope{Authority: "AN", Lab: "LAB-B"}); err != nil {
			t.Errorf("GetAs(own lab) = %v", err)
		}
		err := s.Revoke(ctx, r.UVCI, registry.Revocation{Reason: "x", Scope: registry.Scope{Authority: "MD"}}, "authority:MD")
		if !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("Revoke(other authority) = %v, want ErrNotFound", err)
		}
		if got, _ := s.Get(ctx, r.UVCI, "a"); got.RevokedAt != nil {
			t.Error("revoked by another authority")
		}
		denied := 0
		es, _ := s.AuditByActor(ctx, "authority:MD")
		for _, e := range es {
			if e.UVCI == r.UVCI && strings.HasPrefix(e.Detail, "denied") {
				denied++
			}
		}
		if denied != 3 {
			t.Errorf("%d denied attempts audited, want 3 (view, lab view, revoke): %+v", denied, es)
		}
	})
}

func TestRevokeRequeuesDelivery(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		r := record(2)
		if err := s.InsertWithOutbox(ctx, r, "a"); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkDelivered(ctx, r.UVCI, time.Now()); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.OutboxPending(ctx); n != 0 {
			t.Fatalf("pending = %d after delivery", n)
		}
		if err := s.Revoke(ctx, r.UVCI, registry.Revocation{Reason: "fraud"}, "a"); err != nil {
			t.Fatal(err)
		}
		due := mustDue(t, s, time.Now().Add(time.Second))
		if len(due) != 1 || due[0].Record.RevokedAt == nil || due[0].Record.RevokeReason != "fraud" {
			t.Errorf("after revocation the outbox holds %+v, want the revoked record", due)
		}
	})
}

func TestApply(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		r := record(5)
		r.HC1 = "HC1:ABC"
		for i, want := range []registry.Applied{registry.AppliedNew, registry.AppliedUnchanged} {
			got, err := s.Apply(ctx, r, "authority:CT")
			if err != nil || got != want {
				t.Errorf("Apply #%d = %v, %v; want %v", i+1, got, err, want)
			}
		}
		at := day0.Add(72 * time.Hour)
		r.RevokedAt, r.RevokedBy, r.RevokeReason = &at, "authority:CT", "holder request"
		for i, want := range []registry.Applied{registry.AppliedRevoked, registry.AppliedUnchanged} {
			got, err := s.Apply(ctx, r, "authority:CT")
			if err != nil || got != want {
				t.Errorf("Apply revoked #%d = %v, %v; want %v", i+1, got, err, want)
			}
		}
		stored, err := s.Get(ctx, r.UVCI, "a")
		if err != nil || stored.RevokedAt == nil || !stored.RevokedAt.Equal(at) || stored.RevokedBy != "authority:CT" || stored.HC1 != "HC1:ABC" {
			t.Errorf("stored = %+v, %v", stored, err)
		}
		// A revocation of an unknown record stores it revoked.
		r2 := record(8)
		r2.RevokedAt, r2.RevokedBy, r2.RevokeReason = &at, "authority:CT", "x"
		if got, err := s.Apply(ctx, r2, "authority:CT"); err != nil || got != registry.AppliedNew {
			t.Errorf("Apply(new, revoked) = %v, %v", got, err)
		}
		// Another payload under a known UVCI is a conflict.
		r3 := record(5)
		r3.Payload = []byte(`{"other":true}`)
		if _, err := s.Apply(ctx, r3, "authority:CT"); !errors.Is(err, registry.ErrConflict) {
			t.Errorf("Apply(other payload) = %v, want ErrConflict", err)
		}
	})
}

func TestInsertBatch(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		var rs []registry.Record
		for i := range 50 {
			rs = append(rs, record(200+i))
		}
		if err := s.InsertBatch(ctx, rs, "authority:AN", registry.BatchOptions{Outbox: true}); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.OutboxPending(ctx); n != 50 {
			t.Errorf("pending = %d, want 50", n)
		}
		es, _ := s.AuditByActor(ctx, "authority:AN")
		if n := countAction(es, registry.ActionIssue); n != 50 {
			t.Errorf("%d issue audit entries for 50 records", n)
		}
		if got, err := s.Get(ctx, rs[49].UVCI, "a"); err != nil || string(got.Payload) != string(rs[49].Payload) || got.HC1 != rs[49].HC1 {
			t.Errorf("stored in a batch: %+v, %v; want %+v", got, err, rs[49])
		}
		// The same batch again (and one more record): what is stored is
		// skipped, the rest written.
		if err := s.InsertBatch(ctx, append(rs[40:], record(250)), "authority:AN", registry.BatchOptions{Outbox: true}); err != nil {
			t.Fatal(err)
		}
		es, _ = s.AuditByActor(ctx, "authority:AN")
		if n, _ := s.OutboxPending(ctx); n != 51 || countAction(es, registry.ActionIssue) != 51 {
			t.Errorf("a batch again: %d pending, %d issue audit entries; want 51", n, countAction(es, registry.ActionIssue))
		}
		// One bad record: nothing of the batch is written.
		bad := []registry.Record{record(300), record(301)}
		bad[1].Payload = []byte("{")
		if err := s.InsertBatch(ctx, bad, "authority:AN", registry.BatchOptions{Outbox: true}); err == nil {
			t.Fatal("batch with an invalid record accepted")
		}
		if _, err := s.Get(ctx, bad[0].UVCI, "a"); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("part of a failed batch was stored: %v", err)
		}
		// A conflict inside the batch rolls it back too.
		conflict := []registry.Record{record(302), record(200)}
		conflict[1].Payload = []byte(`{"changed":1}`)
		if err := s.InsertBatch(ctx, conflict, "authority:AN", registry.BatchOptions{Outbox: true}); !errors.Is(err, registry.ErrConflict) {
			t.Fatalf("batch with a conflict = %v, want ErrConflict", err)
		}
		if _, err := s.Get(ctx, conflict[0].UVCI, "a"); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("part of a conflicting batch was stored: %v", err)
		}
	})
}

// A bulk issuance that can be run again: keys stored with the records in
// the batch's transaction, looked up many at once, and a key taken since
// the look-up fails the whole batch.
func TestInsertBatchKeys(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		const actor = "authority:AN"
		key := func(i int, body string) *registry.Idempotency {
			return &registry.Idempotency{Principal: actor, Key: fmt.Sprintf("batch:run:%d", i), RequestHash: sha256.Sum256([]byte(body))}
		}
		var rs []registry.Record
		var keys []*registry.Idempotency
		for i := range 5 {
			r := record(400 + i)
			r.HC1 = fmt.Sprintf("HC1:RECORD%d", i)
			rs = append(rs, r)
			keys = append(keys, key(i, "line"))
		}
		keys[4] = nil // a record without a key
		if err := s.InsertBatch(ctx, rs, actor, registry.BatchOptions{Outbox: true, Keys: keys}); err != nil {
			t.Fatal(err)
		}
		// The look-up: used keys give their record (payload and HC1), an
		// unused one nothing, a key for another request a mismatch.
		ids := []registry.Idempotency{*key(0, "line"), *key(7, "line"), *key(3, "line"), *key(1, "another line")}
		got, err := s.Replays(ctx, ids, actor)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 4 {
			t.Fatalf("%d replays for 4 keys", len(got))
		}
		for k, want := range []int{0, -1, 3, -1} {
			r := got[k]
			switch {
			case want >= 0 && (r.Record == nil || r.Record.UVCI != rs[want].UVCI || r.Record.HC1 != rs[want].HC1 ||
				string(r.Record.Payload) != string(rs[want].Payload) || r.Err != nil):
				t.Errorf("key %s: %+v, want record %s", ids[k].Key, r, rs[want].UVCI)
			case want < 0 && r.Record != nil:
				t.Errorf("key %s: replays %s", ids[k].Key, r.Record.UVCI)
			}
		}
		if got[1].Err != nil {
			t.Errorf("unused key: %v", got[1].Err)
		}
		if !errors.Is(got[3].Err, registry.ErrIdempotencyMismatch) {
			t.Errorf("key for another request: %v, want ErrIdempotencyMismatch", got[3].Err)
		}
		// The two records returned were viewed: audited as such.
		es, _ := s.AuditByActor(ctx, actor)
		if n := countAction(es, registry.ActionView); n != 2 {
			t.Errorf("%d view audit entries after replaying 2 records", n)
		}
		// Keys of another principal are not this one's.
		other := *key(0, "line")
		other.Principal = "authority:MD"
		if got, err := s.Replays(ctx, []registry.Idempotency{other}, "authority:MD"); err != nil || got[0].Record != nil {
			t.Errorf("another principal's look-up: %+v, %v", got, err)
		}
		// A batch with a key already taken is not written at all.
		again := []registry.Record{record(410), record(411)}
		err = s.InsertBatch(ctx, again, actor, registry.BatchOptions{Keys: []*registry.Idempotency{key(10, "line"), key(2, "line")}})
		var replay *registry.ReplayError
		if !errors.As(err, &replay) || replay.UVCI != rs[2].UVCI {
			t.Errorf("batch with a taken key = %v, want a replay of %s", err, rs[2].UVCI)
		}
		// Nor one with the same key twice.
		err = s.InsertBatch(ctx, again, actor, registry.BatchOptions{Keys: []*registry.Idempotency{key(12, "line"), key(12, "line")}})
		if !errors.As(err, &replay) || replay.UVCI != again[0].UVCI {
			t.Errorf("batch with a key twice = %v, want a replay of %s", err, again[0].UVCI)
		}
		for _, r := range again {
			if _, err := s.Get(ctx, r.UVCI, "a"); !errors.Is(err, registry.ErrNotFound) {
				t.Errorf("%s of a refused batch was stored: %v", r.UVCI, err)
			}
		}
		if got, _ := s.Replays(ctx, []registry.Idempotency{*key(10, "line"), *key(12, "line")}, actor); got[0].Record != nil || got[1].Record != nil {
			t.Error("a key of a refused batch was stored")
		}
		// A look-up larger than one query's parameters.
		var many []registry.Idempotency
		for i := range 2500 {
			many = append(many, *key(i, "line"))
		}
		got, err = s.Replays(ctx, many, actor)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, r := range got {
			if r.Record != nil {
				found++
			}
		}
		if found != 4 {
			t.Errorf("%d of 2500 keys found, want 4", found)
		}
		if err := s.InsertBatch(ctx, again, actor, registry.BatchOptions{Keys: keys[:1]}); err == nil {
			t.Error("InsertBatch took 1 key for 2 records")
		}
	})
}

func TestStats(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		for i := range 9 {
			if err := s.Insert(ctx, record(i), "a"); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Revoke(ctx, record(0).UVCI, registry.Revocation{Reason: "x"}, "a"); err != nil {
			t.Fatal(err)
		}
		got, err := s.Stats(ctx, time.Time{}, time.Time{}, "operator:1")
		if err != nil {
			t.Fatal(err)
		}
		want := []registry.Stat{{"AN", "t", 3, 0}, {"CT", "r", 3, 0}, {"MD", "v", 3, 1}}
		if !slices.Equal(got, want) {
			t.Errorf("Stats = %v, want %v", got, want)
		}
		// record(i) is issued at day0 + i hours: [day0+3h, day0+6h) holds 3, 4, 5.
		got, _ = s.Stats(ctx, day0.Add(3*time.Hour), day0.Add(6*time.Hour), "operator:1")
		want = []registry.Stat{{"AN", "t", 1, 0}, {"CT", "r", 1, 0}, {"MD", "v", 1, 0}}
		if !slices.Equal(got, want) {
			t.Errorf("Stats(window) = %v, want %v", got, want)
		}
		if es, _ := s.AuditByActor(ctx, "operator:1"); countAction(es, registry.ActionStats) != 2 {
			t.Errorf("stats reads audited %d times, want 2", countAction(es, registry.ActionStats))
		}
	})
}

// Concurrent inserts share transactions; a failing one (a conflict) does
// not take the others down, and every one is audited exactly once.
func TestGroupCommit(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		if err := s.Insert(ctx, record(0), "a"); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 200)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := record(1000 + i)
				if i%50 == 0 {
					r = record(0)
					r.Payload = []byte(`{"other": true}`) // conflicts with the stored record(0)
				}
				errs[i] = s.InsertWithOutbox(ctx, r, "authority:AN")
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if i%50 == 0 {
				if !errors.Is(err, registry.ErrConflict) {
					t.Errorf("insert %d: %v, want ErrConflict", i, err)
				}
			} else if err != nil {
				t.Errorf("insert %d: %v", i, err)
			}
		}
		if n, _ := s.OutboxPending(ctx); n != 196 {
			t.Errorf("outbox = %d, want 196", n)
		}
		es, _ := s.AuditByActor(ctx, "authority:AN")
		if countAction(es, registry.ActionIssue) != 196 {
			t.Errorf("%d issue audit entries, want 196", countAction(es, registry.ActionIssue))
		}
	})
}

// Close finishes queued writes; a write after Close fails cleanly.
func TestCloseWaitsForWrites(t *testing.T) {
	dsn := backends(t)[0].newDSN(t)
	s, err := registry.Open(ctx, dsn, testKeys(t, "k1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Insert(ctx, record(1), "a"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Insert(ctx, record(2), "a"); err == nil {
		t.Error("insert after Close succeeded")
	}
}

func TestRevoked(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		for i := range 4 {
			r := record(i)
			r.HC1 = fmt.Sprintf("HC1:%d", i)
			if err := s.Insert(ctx, r, "a"); err != nil {
				t.Fatal(err)
			}
		}
		for _, i := range []int{1, 3} {
			if err := s.Revoke(ctx, record(i).UVCI, registry.Revocation{Reason: "x"}, "a"); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Revoked(ctx, day0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].HC1 == "" || got[0].Payload != nil || got[0].KID == "" {
			t.Errorf("Revoked = %+v", got)
		}
		// Expired certificates are left out: they are invalid anyway.
		if got, _ := s.Revoked(ctx, record(3).Expires); len(got) != 0 {
			t.Errorf("after expiry: %d", len(got))
		}
	})
}
