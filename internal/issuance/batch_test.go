package issuance_test

import (
	"errors"
	"fmt"
	"testing"

	"dcc"
	"dcc/internal/issuance"
)

// A batch cut short and run again issues each keyed request once: what was
// stored is returned as it was (same UVCI, same HC1), nothing twice.
// Identical requests under different keys are different certificates.
func TestIssueBatchRunAgain(t *testing.T) {
	forEachStore(t, "all", func(t *testing.T, f *fixture) {
		region := f.authority(t, "AN")
		body := authorityTestBody()
		var reqs []issuance.Request
		for i := range 30 {
			reqs = append(reqs, issuance.Request{Type: dcc.Test, Body: []byte(body), IdempotencyKey: fmt.Sprintf("batch:run-1:%d", i+1)})
		}
		reqs[7].Body = []byte(`{"nam": {}}`) // refused: not stored, tried again next time

		first := f.app.Issuance.IssueBatch(ctx, region, reqs[:12], 0)
		if n := count(t, f, "AN"); n != 11 {
			t.Fatalf("first part: %d stored, want 11", n)
		}
		all := f.app.Issuance.IssueBatch(ctx, region, reqs, 0)
		again := f.app.Issuance.IssueBatch(ctx, region, reqs, 0)
		if n := count(t, f, "AN"); n != 29 {
			t.Errorf("after running again: %d stored, want 29", n)
		}
		seen := map[string]bool{}
		for i := range reqs {
			if i == 7 {
				for _, r := range []issuance.BatchResult{first[i], all[i], again[i]} {
					if r.Err == nil {
						t.Errorf("request 7 issued: %+v", r.Issued)
					}
				}
				continue
			}
			a, b := all[i], again[i]
			if a.Err != nil || b.Err != nil {
				t.Fatalf("request %d: %v, %v", i, a.Err, b.Err)
			}
			if i < 12 && (a.Issued.UVCI != first[i].Issued.UVCI || a.Issued.HC1 != first[i].Issued.HC1 || !a.Issued.Replayed) {
				t.Errorf("request %d: second run %+v, want the first run's certificate replayed", i, a.Issued)
			}
			if i >= 12 && a.Issued.Replayed {
				t.Errorf("request %d: replayed on its first run", i)
			}
			if b.Issued.UVCI != a.Issued.UVCI || b.Issued.HC1 != a.Issued.HC1 || !b.Issued.Replayed {
				t.Errorf("request %d: third run %+v, want %s replayed", i, b.Issued, a.Issued.UVCI)
			}
			if seen[a.Issued.UVCI] {
				t.Errorf("request %d: UVCI %s twice", i, a.Issued.UVCI)
			}
			seen[a.Issued.UVCI] = true
			f.verify(t, b.Issued.HC1)
		}

		// A key of the run for other content is refused; the rest goes on.
		changed := []issuance.Request{reqs[3], reqs[10], {Type: dcc.Test, Body: []byte(body), IdempotencyKey: "batch:run-1:31"}}
		changed[0].Body = []byte(authorityTestBody() + " ")
		res := f.app.Issuance.IssueBatch(ctx, region, changed, 0)
		var ce *issuance.ConflictError
		if !errors.As(res[0].Err, &ce) {
			t.Errorf("used key, other content: %v, want ConflictError", res[0].Err)
		}
		if res[1].Err != nil || !res[1].Issued.Replayed || res[2].Err != nil || res[2].Issued.Replayed {
			t.Errorf("beside a conflict: %+v, %+v", res[1], res[2])
		}
		if n := count(t, f, "AN"); n != 30 {
			t.Errorf("%d stored, want 30", n)
		}
	})
}

// The same key twice in one batch is one request: one certificate; and
// Replayed only looks.
func TestIssueBatchKeyTwice(t *testing.T) {
	forEachStore(t, "all", func(t *testing.T, f *fixture) {
		region := f.authority(t, "AN")
		r := issuance.Request{Type: dcc.Vaccination, Body: []byte(vaccinationBody()), IdempotencyKey: "k"}
		other := r
		other.Body = []byte(vaccinationBody() + "\n")
		fresh := issuance.Request{Type: dcc.Vaccination, Body: []byte(vaccinationBody()), IdempotencyKey: "fresh"}

		looked, err := f.app.Issuance.Replayed(ctx, region, []issuance.Request{r, fresh})
		if err != nil || looked[0] != (issuance.BatchResult{}) || looked[1] != (issuance.BatchResult{}) {
			t.Fatalf("Replayed before issuing: %+v, %v", looked, err)
		}
		res := f.app.Issuance.IssueBatch(ctx, region, []issuance.Request{r, r, other}, 0)
		if res[0].Err != nil || res[1].Err != nil || res[0].Issued.UVCI != res[1].Issued.UVCI || !res[1].Issued.Replayed {
			t.Fatalf("a key twice: %+v, %+v", res[0], res[1])
		}
		var ce *issuance.ConflictError
		if !errors.As(res[2].Err, &ce) {
			t.Errorf("the key again for other content: %v, want ConflictError", res[2].Err)
		}
		if n := count(t, f, "AN"); n != 1 {
			t.Errorf("%d stored, want 1", n)
		}
		looked, err = f.app.Issuance.Replayed(ctx, region, []issuance.Request{r, fresh, other})
		if err != nil || looked[0].Issued == nil || looked[0].Issued.UVCI != res[0].Issued.UVCI || looked[0].Issued.HC1 != res[0].Issued.HC1 ||
			looked[1] != (issuance.BatchResult{}) || !errors.As(looked[2].Err, &ce) {
			t.Errorf("Replayed after issuing: %+v, %v", looked, err)
		}
		if n := count(t, f, "AN"); n != 1 {
			t.Errorf("Replayed issued: %d stored, want 1", n)
		}
	})
}
