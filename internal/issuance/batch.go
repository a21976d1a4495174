package issuance

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"dcc/internal/deployment"
	"dcc/registry"
)

// BatchResult is the outcome of one request of a batch: a certificate or
// the reason it was refused.
type BatchResult struct {
	Issued *Issued
	Err    error
}

// IssueBatch issues many certificates for one principal: requests are
// checked and signed in parallel (workers goroutines; 0 means one per CPU)
// and stored in one transaction. A refused request never stops the others;
// its result carries the error.
//
// A request with an idempotency key is issued once: if the key already
// produced a certificate (an earlier run of the same batch, cut short), that
// certificate is returned, marked Replayed, and nothing is signed; the keys
// are looked up at once and stored with the records in their transaction.
// The same key twice in one batch is one request.
func (s *Service) IssueBatch(ctx context.Context, p deployment.Principal, reqs []Request, workers int) []BatchResult {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]BatchResult, len(reqs))
	ids, dupOf := s.keys(p, reqs, out)
	if err := s.lookUp(ctx, p, ids, out); err != nil {
		for i, id := range ids {
			if id != nil && out[i].Err == nil {
				out[i].Err = err
			}
		}
	}
	var todo []int
	for i := range reqs {
		if out[i].Err == nil && out[i].Issued == nil && dupOf[i] < 0 {
			todo = append(todo, i)
		}
	}
	cands := make([]*candidate, len(reqs))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, max(len(todo), 1)) {
		wg.Go(func() {
			for i := range jobs {
				cands[i], out[i].Err = s.prepareAndSign(p, reqs[i])
			}
		})
	}
	for _, i := range todo {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	s.storeSigned(ctx, p, cands, ids, out)
	for i, j := range dupOf {
		if j < 0 || out[i].Err != nil {
			continue
		}
		if out[j].Issued == nil {
			out[i].Err = out[j].Err
			continue
		}
		again := *out[j].Issued
		again.Replayed = true
		out[i].Issued = &again
	}
	return out
}

// keys checks each request's permission and idempotency key: ids has the
// key of each keyed request, dupOf the index of the earlier request with
// the same key (-1 for none). Refusals go to out.
func (s *Service) keys(p deployment.Principal, reqs []Request, out []BatchResult) (ids []*registry.Idempotency, dupOf []int) {
	ids = make([]*registry.Idempotency, len(reqs))
	dupOf = make([]int, len(reqs))
	first := map[string]int{}
	for i, req := range reqs {
		dupOf[i] = -1
		if err := s.canIssue(p, req.Type); err != nil {
			out[i].Err = err
			continue
		}
		id, err := idempotency(p, req, "")
		if err != nil {
			out[i].Err = err
			continue
		}
		if id == nil {
			continue
		}
		if j, ok := first[id.Key]; ok {
			dupOf[i] = j
			if id.RequestHash != ids[j].RequestHash {
				out[i].Err = mapErr(registry.ErrIdempotencyMismatch)
			}
			continue
		}
		first[id.Key] = i
		ids[i] = id
	}
	return ids, dupOf
}

// lookUp fills in out the certificates the keys of ids already produced,
// in one look-up.
func (s *Service) lookUp(ctx context.Context, p deployment.Principal, ids []*registry.Idempotency, out []BatchResult) error {
	var keyed []registry.Idempotency
	var at []int
	for i, id := range ids {
		if id != nil && out[i].Err == nil {
			keyed = append(keyed, *id)
			at = append(at, i)
		}
	}
	if len(keyed) == 0 {
		return nil
	}
	rs, err := s.store.Replays(ctx, keyed, p.Actor())
	if err != nil {
		return fmt.Errorf("issuance: look up idempotency keys: %w", err)
	}
	for k, r := range rs {
		i := at[k]
		switch {
		case r.Err != nil:
			out[i].Err = mapErr(r.Err)
		case r.Record != nil:
			out[i].Issued = fromRecord(*r.Record)
			out[i].Issued.Replayed = true
		}
	}
	return nil
}

// Replayed looks up, without issuing anything, what each keyed request of a
// batch already produced: a certificate (Replayed), a ConflictError for a
// key used for another request, or the zero BatchResult for a key unused
// and a request without one.
func (s *Service) Replayed(ctx context.Context, p deployment.Principal, reqs []Request) ([]BatchResult, error) {
	out := make([]BatchResult, len(reqs))
	ids, dupOf := s.keys(p, reqs, out)
	if err := s.lookUp(ctx, p, ids, out); err != nil {
		return nil, err
	}
	for i, j := range dupOf {
		if j >= 0 && out[i].Err == nil {
			out[i] = out[j]
		}
	}
	return out, nil
}

// storeSigned stores the signed candidates in one transaction with their keys,
// or, if that fails, one by one so that only the culprit fails.
func (s *Service) storeSigned(ctx context.Context, p deployment.Principal, cands []*candidate, ids []*registry.Idempotency, out []BatchResult) {
	var recs []registry.Record
	var keys []*registry.Idempotency
	var idx []int
	keyed := false
	for i, c := range cands {
		if c != nil {
			recs = append(recs, c.record)
			keys = append(keys, ids[i])
			keyed = keyed || ids[i] != nil
			idx = append(idx, i)
		}
	}
	if len(recs) == 0 {
		return
	}
	if !keyed {
		keys = nil
	}
	if err := s.store.InsertBatch(ctx, recs, p.Actor(), registry.BatchOptions{Outbox: s.outbox, Keys: keys}); err == nil {
		for _, i := range idx {
			out[i].Issued = cands[i].issued()
			s.observe(cands[i])
		}
		return
	}
	for _, i := range idx {
		err := s.store.InsertRecord(ctx, cands[i].record, p.Actor(), registry.InsertOptions{Outbox: s.outbox, Idempotency: ids[i]})
		if err != nil {
			// A key taken meanwhile (the same batch run twice at once)
			// returns the certificate stored under it.
			out[i].Issued, out[i].Err = s.replay(ctx, p, err)
			continue
		}
		out[i].Issued = cands[i].issued()
		s.observe(cands[i])
	}
}

func (s *Service) prepareAndSign(p deployment.Principal, req Request) (*candidate, error) {
	c, err := s.prepare(p, req)
	if err != nil {
		return nil, err
	}
	if err := s.sign(c); err != nil {
		return nil, err
	}
	return c, nil
}
