package issuance

import (
	"context"
	"errors"
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
// its result carries the error. Idempotency keys are not taken here: a batch
// is re-run by its own bookkeeping (the results file).
func (s *Service) IssueBatch(ctx context.Context, p deployment.Principal, reqs []Request, workers int) []BatchResult {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]BatchResult, len(reqs))
	cands := make([]*candidate, len(reqs))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, max(len(reqs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				cands[i], out[i].Err = s.prepareAndSign(p, reqs[i])
			}
		}()
	}
	for i := range reqs {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	var recs []registry.Record
	var idx []int
	for i, c := range cands {
		if c != nil {
			recs = append(recs, c.record)
			idx = append(idx, i)
		}
	}
	if len(recs) == 0 {
		return out
	}
	if err := s.store.InsertBatch(ctx, recs, p.Actor(), s.outbox); err == nil {
		for _, i := range idx {
			out[i].Issued = cands[i].issued()
			s.observe(cands[i])
		}
		return out
	}
	// Something in the batch could not be stored: store one by one so that
	// only the culprit fails.
	for _, i := range idx {
		err := s.store.InsertRecord(ctx, cands[i].record, p.Actor(), registry.InsertOptions{Outbox: s.outbox})
		if err != nil {
			out[i].Err = err
			continue
		}
		out[i].Issued = cands[i].issued()
		s.observe(cands[i])
	}
	return out
}

func (s *Service) prepareAndSign(p deployment.Principal, req Request) (*candidate, error) {
	if req.IdempotencyKey != "" {
		return nil, errors.New("issuance: idempotency keys are not taken in a batch")
	}
	if err := s.canIssue(p, req.Type); err != nil {
		return nil, err
	}
	c, err := s.prepare(p, req)
	if err != nil {
		return nil, err
	}
	if err := s.sign(c); err != nil {
		return nil, err
	}
	return c, nil
}
