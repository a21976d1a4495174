package issuance_test

import (
	"errors"
	"fmt"
	"io"
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

// A batch larger than one transaction is stored part by part while the
// next part is signed; every result is in its request's place, refusals
// included, and every certificate is stored once.
func TestIssueBatchInParts(t *testing.T) {
	f := newFixture(t, "all")
	region := f.authority(t, "AN")
	const n = 300 // more than two parts
	reqs := make([]issuance.Request, n)
	for i := range reqs {
		reqs[i] = issuance.Request{Type: dcc.Test, Body: []byte(authorityTestBody()), IdempotencyKey: fmt.Sprintf("parts:%d", i)}
		if i%97 == 5 {
			reqs[i].Body = []byte(`{"nam": {}}`)
		}
	}
	reqs[250].IdempotencyKey = reqs[3].IdempotencyKey // the same request again, in another part
	res := f.app.Issuance.IssueBatch(ctx, region, reqs, 0)
	seen := map[string]int{}
	refused := 0
	for i, r := range res {
		if i%97 == 5 {
			if r.Err == nil {
				t.Errorf("request %d issued, want refused", i)
			}
			refused++
			continue
		}
		if r.Err != nil {
			t.Fatalf("request %d: %v", i, r.Err)
		}
		if j, ok := seen[r.Issued.UVCI]; ok && !(i == 250 && j == 3) {
			t.Errorf("request %d has the UVCI of request %d", i, j)
		}
		seen[r.Issued.UVCI] = i
	}
	if !res[250].Issued.Replayed || res[250].Issued.UVCI != res[3].Issued.UVCI {
		t.Errorf("the key of request 3 again: %+v, want request 3's certificate replayed", res[250].Issued)
	}
	if got, want := count(t, f, "AN"), n-refused-1; got != want {
		t.Errorf("%d stored, want %d", got, want)
	}
}

// IssueChunks reports each chunk in order only once it is stored, and takes
// the next chunk before it stores one; an error
// from next comes after the chunks before it are stored and reported, and
// one from stored drops the chunk being signed.
func TestIssueChunks(t *testing.T) {
	forEachStore(t, "all", func(t *testing.T, f *fixture) {
		region := f.authority(t, "AN")
		chunk := func(c, n int) []issuance.Request {
			reqs := make([]issuance.Request, n)
			for i := range reqs {
				reqs[i] = issuance.Request{Type: dcc.Test, Body: []byte(authorityTestBody()), IdempotencyKey: fmt.Sprintf("chunks:%d:%d", c, i)}
			}
			return reqs
		}
		sizes := []int{40, 0, 7, 25}
		var handed, reported int
		stored := 0
		next := func() ([]issuance.Request, error) {
			if handed == len(sizes) {
				return nil, io.EOF
			}
			handed++
			return chunk(handed, sizes[handed-1]), nil
		}
		err := f.app.Issuance.IssueChunks(ctx, region, 0, next, func(res []issuance.BatchResult) error {
			// The next chunk was read, and is being signed, before this one
			// was stored.
			if want := min(reported+2, len(sizes)); handed != want {
				t.Errorf("chunk %d stored with %d chunks handed over, want %d", reported, handed, want)
			}
			if len(res) != sizes[reported] {
				t.Errorf("chunk %d: %d results, want %d", reported, len(res), sizes[reported])
			}
			for i, r := range res {
				if r.Err != nil || r.Issued.Replayed {
					t.Fatalf("chunk %d request %d: %+v", reported, i, r)
				}
			}
			stored += len(res)
			if n := count(t, f, "AN"); n != stored {
				t.Errorf("chunk %d reported with %d stored, want %d", reported, n, stored)
			}
			reported++
			return nil
		})
		if err != nil || reported != len(sizes) {
			t.Fatalf("IssueChunks: %v, %d chunks reported, want %d", err, reported, len(sizes))
		}

		// next fails after two chunks: both are stored and reported first.
		failed := errors.New("the batch cannot be read")
		handed, reported = 0, 0
		err = f.app.Issuance.IssueChunks(ctx, region, 0, func() ([]issuance.Request, error) {
			if handed == 2 {
				return nil, failed
			}
			handed++
			return chunk(10+handed, 5), nil
		}, func(res []issuance.BatchResult) error {
			reported++
			return nil
		})
		if !errors.Is(err, failed) || reported != 2 {
			t.Errorf("next failing: %v after %d chunks, want %v after 2", err, reported, failed)
		}
		stored += 10

		// stored fails on the first chunk: the second, signed meanwhile, is
		// not stored.
		handed, reported = 0, 0
		err = f.app.Issuance.IssueChunks(ctx, region, 0, func() ([]issuance.Request, error) {
			handed++
			return chunk(20+handed, 5), nil
		}, func(res []issuance.BatchResult) error {
			reported++
			return failed
		})
		if !errors.Is(err, failed) || reported != 1 {
			t.Errorf("stored failing: %v after %d chunks, want %v after 1", err, reported, failed)
		}
		if n := count(t, f, "AN"); n != stored+5 {
			t.Errorf("%d stored, want %d", n, stored+5)
		}
	})
}
