package issuance

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// storeChunk is how many certificates of one IssueBatch go into one
// transaction: small enough that the workers sign the next part while the
// one writer stores the last (the store is serial, a sixth of the work), big
// enough that a commit is shared by many.
const storeChunk = 128

// IssueBatch issues many certificates for one principal: requests are
// checked and signed in parallel (workers goroutines; 0 means one per CPU)
// and stored storeChunk at a time, each part in one transaction while the
// workers sign the next. A refused request never stops the others; its
// result carries the error.
//
// A request with an idempotency key is issued once: if the key already
// produced a certificate (an earlier run of the same batch, cut short), that
// certificate is returned, marked Replayed, and nothing is signed; the keys
// are looked up at once and stored with the records in their transaction.
// The same key twice in one batch is one request.
func (s *Service) IssueBatch(ctx context.Context, p deployment.Principal, reqs []Request, workers int) []BatchResult {
	b := s.newBatch(ctx, p, reqs)
	pool := s.startPool(p, workers, len(b.todo))
	defer pool.stop()
	var parts []*part
	for start := 0; start < len(b.todo); start += storeChunk {
		parts = append(parts, newPart(b, b.todo[start:min(start+storeChunk, len(b.todo))]))
	}
	// Queued from a goroutine, so that the first part is stored while later
	// ones wait their turn; all are queued once the last is waited for.
	go func() {
		for _, pt := range parts {
			pool.queue(pt)
		}
	}()
	for _, pt := range parts {
		pt.wait()
		s.storeSigned(ctx, p, b, pt.idx)
	}
	b.settleDuplicates()
	return b.out
}

// IssueChunks issues chunk after chunk of requests for one principal, as
// next returns them, and hands each chunk's results, in order, to stored
// once the chunk is stored: the workers (0 means one per CPU) prepare and
// sign a chunk while the previous one is stored and reported, so the store,
// serial, is off the signing's path. Within a chunk it is IssueBatch: one
// transaction, idempotency keys looked up at once, a key twice one request.
//
// next returns io.EOF when there are no more chunks; an empty chunk is
// reported as such. Another error from next, or any from stored, ends the
// run: the chunks next returned before it are stored and reported (after
// next's error), or dropped unstored (after stored's), and the error is
// returned. Nothing is reported before it is stored.
func (s *Service) IssueChunks(ctx context.Context, p deployment.Principal, workers int,
	next func() ([]Request, error), stored func([]BatchResult) error) error {
	pool := s.startPool(p, workers, storeChunk)
	defer pool.stop()
	var pending *part // being signed
	for {
		reqs, nerr := next()
		var cur *part
		if nerr == nil {
			// The keys of the next chunk are looked up before the previous
			// one is stored: distinct keys do not meet, and a key in both is
			// found taken by the store, which then returns the certificate.
			b := s.newBatch(ctx, p, reqs)
			cur = newPart(b, b.todo)
			pool.queue(cur)
		}
		if pending != nil {
			pending.wait()
			s.storeSigned(ctx, p, pending.b, pending.idx)
			pending.b.settleDuplicates()
			if err := stored(pending.b.out); err != nil {
				if cur != nil {
					cur.wait()
				}
				return err
			}
		}
		if nerr != nil {
			if errors.Is(nerr, io.EOF) {
				return nil
			}
			return nerr
		}
		pending = cur
	}
}

// batch is the requests of one IssueBatch, or of one chunk of IssueChunks,
// on their way.
type batch struct {
	reqs  []Request
	out   []BatchResult
	ids   []*registry.Idempotency
	dupOf []int
	cands []*candidate // signed, by request
	todo  []int        // the requests to sign
}

// newBatch checks permissions and keys and looks the keys up.
func (s *Service) newBatch(ctx context.Context, p deployment.Principal, reqs []Request) *batch {
	b := &batch{reqs: reqs, out: make([]BatchResult, len(reqs)), cands: make([]*candidate, len(reqs))}
	b.ids, b.dupOf = s.keys(p, reqs, b.out)
	if err := s.lookUp(ctx, p, b.ids, b.out); err != nil {
		for i, id := range b.ids {
			if id != nil && b.out[i].Err == nil {
				b.out[i].Err = err
			}
		}
	}
	for i := range reqs {
		if b.out[i].Err == nil && b.out[i].Issued == nil && b.dupOf[i] < 0 {
			b.todo = append(b.todo, i)
		}
	}
	return b
}

// settleDuplicates gives each repeated key the outcome of its first request.
func (b *batch) settleDuplicates() {
	for i, j := range b.dupOf {
		if j < 0 || b.out[i].Err != nil {
			continue
		}
		if b.out[j].Issued == nil {
			b.out[i].Err = b.out[j].Err
			continue
		}
		again := *b.out[j].Issued
		again.Replayed = true
		b.out[i].Issued = &again
	}
}

// pool is the goroutines that prepare and sign, shared by the parts of a
// run so that one part's signing goes on while another is stored. One
// feeder hands out the parts' requests in the order the parts were queued,
// so parts are done in that order.
type pool struct {
	parts chan *part
	wg    sync.WaitGroup
}

// part is requests of a batch handed to the pool, stored together.
type part struct {
	b    *batch
	idx  []int
	done sync.WaitGroup
}

func newPart(b *batch, idx []int) *part {
	pt := &part{b: b, idx: idx}
	pt.done.Add(len(idx))
	return pt
}

// wait returns when every request of the part is signed or refused.
func (pt *part) wait() { pt.done.Wait() }

func (s *Service) startPool(p deployment.Principal, workers, most int) *pool {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	pl := &pool{parts: make(chan *part, 1)}
	type task struct {
		pt *part
		i  int
	}
	tasks := make(chan task, workers)
	pl.wg.Go(func() {
		for pt := range pl.parts {
			for _, i := range pt.idx {
				tasks <- task{pt, i}
			}
		}
		close(tasks)
	})
	for range min(workers, max(most, 1)) {
		pl.wg.Go(func() {
			for t := range tasks {
				b := t.pt.b
				b.cands[t.i], b.out[t.i].Err = s.prepareAndSign(p, b.reqs[t.i])
				t.pt.done.Done()
			}
		})
	}
	return pl
}

// queue hands a part to the workers, after the parts queued before it.
func (pl *pool) queue(pt *part) { pl.parts <- pt }

// stop ends the goroutines; every part queued must have been waited for.
func (pl *pool) stop() {
	close(pl.parts)
	pl.wg.Wait()
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

// storeSigned stores the signed candidates among requests idx of b in one
// transaction with their keys, or, if that fails, one by one so that only
// the culprit fails.
func (s *Service) storeSigned(ctx context.Context, p deployment.Principal, b *batch, idx []int) {
	recs := make([]registry.Record, 0, len(idx))
	keys := make([]*registry.Idempotency, 0, len(idx))
	signed := idx[:0:0]
	keyed := false
	for _, i := range idx {
		if c := b.cands[i]; c != nil {
			recs = append(recs, c.record)
			keys = append(keys, b.ids[i])
			keyed = keyed || b.ids[i] != nil
			signed = append(signed, i)
		}
	}
	if len(recs) == 0 {
		return
	}
	if !keyed {
		keys = nil
	}
	if err := s.store.InsertBatch(ctx, recs, p.Actor(), registry.BatchOptions{Outbox: s.outbox, Keys: keys}); err == nil {
		for _, i := range signed {
			b.out[i].Issued = b.cands[i].issued()
			s.observe(b.cands[i])
		}
		return
	}
	for _, i := range signed {
		err := s.store.InsertRecord(ctx, b.cands[i].record, p.Actor(), registry.InsertOptions{Outbox: s.outbox, Idempotency: b.ids[i]})
		if err != nil {
			// A key taken meanwhile (the same batch run twice at once)
			// returns the certificate stored under it.
			b.out[i].Issued, b.out[i].Err = s.replay(ctx, p, err)
			continue
		}
		b.out[i].Issued = b.cands[i].issued()
		s.observe(b.cands[i])
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
