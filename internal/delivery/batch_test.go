package delivery_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dcc/internal/delivery"
	"dcc/internal/server"
	"dcc/registry"
	"dcc/uvci"
)

func (s *split) workerWith(t *testing.T, url string, set func(*delivery.Config)) *delivery.Worker {
	c := delivery.Config{
		Outbox: s.authority.Store, RegistryURL: url, Client: s.client(t, "AN"), Observer: &s.observed,
		Now: func() time.Time { return time.Unix(s.clock.Load(), 0) },
	}
	if set != nil {
		set(&c)
	}
	w, err := delivery.NewWorker(c)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// front puts a handler in front of the registry's API, as a proxy or
// another version of the registry might be.
func (s *split) front(f func(w http.ResponseWriter, r *http.Request, body []byte) bool) *atomic.Int64 {
	var requests atomic.Int64
	next := s.srv.Config.Handler
	s.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		body, _ := io.ReadAll(r.Body)
		if f(w, r, body) {
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
	return &requests
}

func (s *split) issueN(t *testing.T, n int) []string {
	var out []string
	for range n {
		out = append(out, s.issue(t).UVCI)
	}
	s.clock.Store(time.Now().Unix())
	return out
}

func (s *split) parked(t *testing.T) []registry.ParkedEntry {
	es, err := s.authority.Store.Parked(ctx, 1000, "")
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// With the defaults on both sides (the registry's body limit, the worker's
// batch of 100), a backlog gets through: batches are sized to what the
// registry takes.
func TestDefaultBatchesFitTheRegistry(t *testing.T) {
	s := newSplit(t)
	s.srv.StartTLS()
	defer s.srv.Close()
	ids := s.issueN(t, 250)
	w := s.workerWith(t, s.srv.URL, nil)
	drain(t, w, 10)
	if n, _ := s.authority.Store.OutboxPending(ctx); n != 0 {
		t.Fatalf("%d records still pending", n)
	}
	for _, id := range ids {
		if _, ok := s.inRegistry(t, id); !ok {
			t.Fatalf("%s not in the registry", id)
		}
	}
}

// A registry that takes less than the worker sends (a proxy's limit, say)
// answers 413: the worker splits the batch and sends smaller ones from
// then on; a single record it still refuses is parked, not retried.
func TestTooLargeSplitsThenParks(t *testing.T) {
	s := newSplit(t)
	var limit, refused atomic.Int64
	limit.Store(20_000)
	s.front(func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		if r.URL.Path == delivery.Path && int64(len(body)) > limit.Load() {
			refused.Add(1)
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return true
		}
		return false
	})
	s.srv.StartTLS()
	defer s.srv.Close()
	ids := s.issueN(t, 120)
	w := s.workerWith(t, s.srv.URL, nil)
	drain(t, w, 20)
	if n, _ := s.authority.Store.OutboxPending(ctx); n != 0 {
		t.Fatalf("%d records still pending", n)
	}
	for _, id := range ids {
		if _, ok := s.inRegistry(t, id); !ok {
			t.Fatalf("%s not in the registry", id)
		}
	}
	first := refused.Load()
	if first == 0 {
		t.Fatal("the front never refused a batch: the test proves nothing")
	}
	// The budget learnt stays: the next backlog is not refused again.
	s.issueN(t, 60)
	drain(t, w, 20)
	if again := refused.Load() - first; again > 0 {
		t.Errorf("%d more batches refused as too large after the worker learnt the limit", again)
	}
	// A record alone larger than the limit is parked with the reason.
	limit.Store(500)
	lone := s.issueN(t, 3)
	drain(t, w, 20)
	parked := s.parked(t)
	if len(parked) != 3 {
		t.Fatalf("parked %+v, want the 3 records larger than the registry takes", parked)
	}
	for _, p := range parked {
		if !strings.Contains(p.Reason, "413") {
			t.Errorf("parked for %q, want the 413 named", p.Reason)
		}
	}
	if n, _ := s.authority.Store.OutboxPending(ctx); n != 0 {
		t.Errorf("%d pending: parked records must leave the queue", n)
	}
	_ = lone
}

// storeRecord writes a record straight into the authority's store with its
// outbox entry, as a faulty issuing system might.
func (s *split) storeRecord(t *testing.T, mutate func(r *registry.Record, payload map[string]any)) string {
	t.Helper()
	is := s.issue(t)
	r, err := s.authority.Store.Get(ctx, is.UVCI, "test")
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(r.Payload, &p); err != nil {
		t.Fatal(err)
	}
	mutate(&r, p)
	r.Payload, _ = json.Marshal(p)
	r.PayloadHash = [32]byte{}
	// Take the good one out of the queue: only the faulty copy is sent.
	if err := s.authority.Store.MarkDelivered(ctx, is.UVCI, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.authority.Store.InsertWithOutbox(ctx, r, "test"); err != nil {
		t.Fatal(err)
	}
	return r.UVCI
}

func setCI(p map[string]any, g, id string) {
	p[g].([]any)[0].(map[string]any)["ci"] = id
}

// withCheck completes an identifier with its check character.
func withCheck(t *testing.T, id string) string {
	c, err := uvci.CheckCharacter(id)
	if err != nil {
		t.Fatal(err)
	}
	return id + "#" + string(c)
}

// Records the registry refuses (item by item) are parked with the reason,
// shown to the authority's staff, and hold up nothing behind them.
func TestRefusedRecordsAreParked(t *testing.T) {
	s := newSplit(t)
	s.srv.StartTLS()
	defer s.srv.Close()
	bad := []string{
		s.storeRecord(t, func(r *registry.Record, p map[string]any) { r.UVCI = "not-a-uvci"; setCI(p, "t", r.UVCI) }),
		s.storeRecord(t, func(r *registry.Record, p map[string]any) {
			r.UVCI = withCheck(t, "URN:UVCI:01:ES:MD/4F6NMJ2QY3KX5D7V8B9W0Z")
			setCI(p, "t", r.UVCI)
		}),
	}
	good := s.issueN(t, 30)
	w := s.workerWith(t, s.srv.URL, func(c *delivery.Config) { c.Batch = 7 })
	drain(t, w, 20)
	for _, id := range good {
		if _, ok := s.inRegistry(t, id); !ok {
			t.Errorf("%s not delivered: a refused record held it up", id)
		}
	}
	for _, id := range bad {
		if _, ok := s.inRegistry(t, id); ok {
			t.Errorf("the registry stored %s", id)
		}
	}
	parked := s.parked(t)
	if len(parked) != 2 {
		t.Fatalf("parked: %+v", parked)
	}
	reasons := parked[0].Reason + " | " + parked[1].Reason
	for _, want := range []string{"uvci: ", `issuer prefix is not "AN"`} {
		if !strings.Contains(reasons, want) {
			t.Errorf("parked reasons %q lack %q", reasons, want)
		}
	}

	// The authority's staff see them, and can put them back.
	api := server.New(server.Config{
		Deployment: s.authority.Deployment, Records: s.authority.Records, Issuance: s.authority.Issuance,
		Outbox: s.authority.Store, OutboxAuthority: "AN", Delivery: w,
	})
	h := api.Handler()
	get := func(path, token string) (int, map[string]any) {
		req := httptest.NewRequest("GET", path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out map[string]any
		json.Unmarshal(rec.Body.Bytes(), &out)
		return rec.Code, out
	}
	if code, out := get("/healthz", ""); code != 200 || out["outboxParked"] != 2.0 || out["outboxPending"] != 0.0 || out["registryReachable"] != true {
		t.Errorf("healthz: %d %v", code, out)
	}
	staff := s.creds.Authorities[0].Token
	code, out := get("/api/v1/outbox", staff)
	if code != 200 || out["parked"] != 2.0 || len(out["items"].([]any)) != 2 {
		t.Fatalf("GET /api/v1/outbox: %d %v", code, out)
	}
	if code, _ := get("/api/v1/outbox", s.creds.Labs[0].Token); code != http.StatusForbidden {
		t.Errorf("a laboratory reading the outbox: %d", code)
	}
	req := httptest.NewRequest("POST", "/api/v1/outbox/retry", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+staff)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"requeued":2`) {
		t.Fatalf("retry: %d %s", rec.Code, rec.Body)
	}
	if n, _ := s.authority.Store.OutboxParked(ctx); n != 0 {
		t.Errorf("%d still parked after the retry", n)
	}
	es, _ := s.authority.Store.AuditByActor(ctx, "authority:AN")
	requeued := 0
	for _, e := range es {
		if e.Action == registry.ActionRequeue {
			requeued++
		}
	}
	if requeued != 2 {
		t.Errorf("%d requeue audit entries, want 2", requeued)
	}
	// Still refused: parked again, with attempts counted.
	s.clock.Store(time.Now().Unix()) // put back as due now
	drain(t, w, 5)
	if parked := s.parked(t); len(parked) != 2 || parked[0].Attempts != 1 {
		t.Errorf("after the retry: %+v", parked)
	}
}

// A refusal of the whole request (a 4xx that is not about the registry's
// availability) is narrowed down by splitting: only the record at fault is
// parked.
func TestWholeBatchRefusalIsNarrowedDown(t *testing.T) {
	s := newSplit(t)
	ids := s.issueN(t, 12)
	culprit := ids[5]
	s.front(func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		if r.URL.Path == delivery.Path && bytes.Contains(body, []byte(culprit)) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			w.Write([]byte(`{"title": "Refused", "detail": "the record breaks a rule of the registry", "status": 422}`))
			return true
		}
		return false
	})
	s.srv.StartTLS()
	defer s.srv.Close()
	w := s.workerWith(t, s.srv.URL, nil)
	drain(t, w, 10)
	parked := s.parked(t)
	if len(parked) != 1 || parked[0].UVCI != culprit || !strings.Contains(parked[0].Reason, "422") ||
		!strings.Contains(parked[0].Reason, "breaks a rule") {
		t.Fatalf("parked %+v, want only %s with the registry's reason", parked, culprit)
	}
	for _, id := range ids {
		if _, ok := s.inRegistry(t, id); ok == (id == culprit) {
			t.Errorf("%s in the registry: %v", id, ok)
		}
	}
}

// A registry that answers 5xx or 429 is unavailable: nothing is parked or
// marked, the worker backs off, and delivers everything when it is back.
func TestUnavailableRegistryMarksNothing(t *testing.T) {
	s := newSplit(t)
	var down atomic.Bool
	down.Store(true)
	s.front(func(w http.ResponseWriter, r *http.Request, body []byte) bool {
		if down.Load() {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "busy", http.StatusTooManyRequests)
			return true
		}
		return false
	})
	s.srv.StartTLS()
	defer s.srv.Close()
	ids := s.issueN(t, 5)
	w := s.workerWith(t, s.srv.URL, nil)
	var ue *delivery.UnavailableError
	if _, err := w.Once(ctx); !errors.As(err, &ue) {
		t.Fatalf("Once against a busy registry: %v", err)
	}
	due, _ := s.authority.Store.Due(ctx, time.Unix(s.clock.Load(), 0), 100)
	if len(due) != 5 || due[0].Attempts != 0 || len(s.parked(t)) != 0 {
		t.Fatalf("after a 429: %d due, %+v parked", len(due), s.parked(t))
	}
	down.Store(false)
	drain(t, w, 5)
	for _, id := range ids {
		if _, ok := s.inRegistry(t, id); !ok {
			t.Errorf("%s not delivered", id)
		}
	}
}

// The registry checks every delivered record: an authority cannot file a
// record under another's identifiers, a malformed identifier, a type it
// does not issue, another authority's laboratory, or a payload that is not
// the certificate the record names.
func TestRegistryRefusesWhatAnAuthorityMayNotDeliver(t *testing.T) {
	s := newSplit(t)
	s.srv.StartTLS()
	defer s.srv.Close()
	is := s.issue(t)
	due, _ := s.authority.Store.Due(ctx, time.Now().Add(time.Minute), 10)
	base := delivery.FromRegistry(due[0].Record)
	rehash := func(r *delivery.Record) {
		h := sha256.Sum256(r.Payload)
		r.PayloadHash = hex.EncodeToString(h[:])
	}
	withPayload := func(r delivery.Record, f func(p map[string]any)) delivery.Record {
		var p map[string]any
		json.Unmarshal(r.Payload, &p)
		f(p)
		r.Payload, _ = json.Marshal(p)
		rehash(&r)
		return r
	}
	reuvci := func(id string) delivery.Record {
		return withPayload(base, func(p map[string]any) { setCI(p, "t", id) })
	}
	rec := func(id string) delivery.Record { r := reuvci(id); r.UVCI = id; return r }
	wrongCheck := is.UVCI[:len(is.UVCI)-1] + map[bool]string{true: "A", false: "B"}[strings.HasSuffix(is.UVCI, "B")]
	cases := []struct {
		name   string
		by     string
		rec    delivery.Record
		reason string
	}{
		{"not a UVCI", "AN", rec("not-a-uvci"), "uvci: "},
		{"wrong check character", "AN", rec(wrongCheck), "uvci: "},
		{"another authority's prefix", "AN", rec(withCheck(t, "URN:UVCI:01:ES:MD/4F6NMJ2QY3KX5D7V8B9W0Z")), `uvci: issuer prefix is not "AN"`},
		{"another country", "AN", rec(withCheck(t, "URN:UVCI:01:DE:AN/4F6NMJ2QY3KX5D7V8B9W0Z")), "uvci: country"},
		{"without the prefix", "AN", rec(strings.TrimPrefix(is.UVCI, "URN:UVCI:")), "uvci: want the form"},
		{"payload of another certificate", "AN", reuvci(withCheck(t, "URN:UVCI:01:ES:AN/4F6NMJ2QY3KX5D7V8B9W0Z")), "payload: t[0].ci"},
		{"type not the payload's", "AN", func() delivery.Record { r := base; r.Type, r.Lab = "v", ""; return r }(), "payload: "},
		{"lab of no authority", "AN", func() delivery.Record { r := base; r.Lab = "LAB-XX"; return r }(), "lab: "},
		{"hash", "AN", func() delivery.Record { r := base; r.PayloadHash = strings.Repeat("0", 64); return r }(), "payloadHash: "},
		{"a type the authority does not issue", "MS", func() delivery.Record {
			r := rec(withCheck(t, "URN:UVCI:01:ES:MS/4F6NMJ2QY3KX5D7V8B9W0Z"))
			r.Authority, r.Lab = "MS", ""
			return r
		}(), "type: "},
		{"a laboratory of another authority", "MD", func() delivery.Record {
			r := rec(withCheck(t, "URN:UVCI:01:ES:MD/4F6NMJ2QY3KX5D7V8B9W0Z"))
			r.Authority = "MD"
			return r
		}(), "lab: laboratory LAB-AN-1 is enabled by authority AN"},
		{"another authority's record", "MD", base, "authority: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, res := post(t, s.client(t, c.by), s.srv.URL, delivery.Batch{Records: []delivery.Record{c.rec}})
			if code != 200 || len(res.Results) != 1 || res.Results[0].Status != delivery.StatusRejected ||
				!strings.HasPrefix(res.Results[0].Error, strings.SplitN(c.reason, " ", 2)[0]) || !strings.Contains(res.Results[0].Error, c.reason) {
				t.Fatalf("%d %+v, want rejected with %q", code, res, c.reason)
			}
			if c.rec.UVCI != is.UVCI {
				if _, ok := s.inRegistry(t, c.rec.UVCI); ok {
					t.Errorf("the registry stored %s", c.rec.UVCI)
				}
			}
		})
	}
	if _, ok := s.inRegistry(t, is.UVCI); ok {
		t.Error("the registry stored the original from a refused copy")
	}
	// The genuine record is taken.
	if code, res := post(t, s.client(t, "AN"), s.srv.URL, delivery.Batch{Records: []delivery.Record{base}}); code != 200 ||
		res.Results[0].Status != delivery.StatusStored {
		t.Errorf("genuine record: %d %+v", code, res)
	}
}
