package delivery_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"dcc"
	"dcc/internal/app"
	"dcc/internal/config"
	"dcc/internal/delivery"
	"dcc/internal/demo"
	"dcc/internal/deployment"
	"dcc/internal/issuance"
	"dcc/internal/server"
	"dcc/registry"
)

var ctx = context.Background()

// split is the demo's split deployment in one test process: the registry
// behind TLS with client certificates, and authority AN with its own store.
type split struct {
	dir       string
	registry  *app.App
	authority *app.App
	srv       *httptest.Server
	creds     *demo.Credentials
	clock     atomic.Int64 // the worker's clock, Unix seconds
	observed  counts
}

// counts is a delivery.Observer.
type counts struct{ delivered, failed, taken atomic.Int64 }

func (c *counts) Delivered(d, f int)     { c.delivered.Add(int64(d)); c.failed.Add(int64(f)) }
func (c *counts) RevocationsTaken(n int) { c.taken.Add(int64(n)) }

func newSplit(t *testing.T) *split {
	t.Helper()
	s := &split{dir: t.TempDir()}
	var err error
	if s.creds, err = demo.Create(s.dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	s.clock.Store(time.Now().Unix())
	open := func(file string) *app.App {
		cfg, err := config.Load(filepath.Join(s.dir, file))
		if err != nil {
			t.Fatal(err)
		}
		a, err := app.Open(ctx, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		return a
	}
	s.registry = open(demo.RegistryConfigFile)
	s.authority = open(demo.AuthorityConfigFile("AN"))
	api := server.New(server.Config{Deployment: s.registry.Deployment, Records: s.registry.Records, Registry: s.registry.Store})
	s.srv = httptest.NewUnstartedServer(api.Handler())
	cert, err := tls.LoadX509KeyPair(filepath.Join(s.dir, demo.TLSServer), filepath.Join(s.dir, demo.TLSServerKey))
	if err != nil {
		t.Fatal(err)
	}
	s.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: s.pool(t), ClientAuth: tls.VerifyClientCertIfGiven}
	return s
}

func (s *split) pool(t *testing.T) *x509.CertPool {
	pem, err := os.ReadFile(filepath.Join(s.dir, demo.TLSCA))
	if err != nil {
		t.Fatal(err)
	}
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(pem)
	return p
}

func (s *split) client(t *testing.T, authority string) *http.Client {
	cert, key := demo.TLSClient(authority)
	c, err := delivery.Client(filepath.Join(s.dir, demo.TLSCA), filepath.Join(s.dir, cert), filepath.Join(s.dir, key))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (s *split) worker(t *testing.T, url string) *delivery.Worker {
	w, err := delivery.NewWorker(delivery.Config{
		Outbox: s.authority.Store, RegistryURL: url, Client: s.client(t, "AN"), Batch: 2, Revocations: s.authority.Store, Observer: &s.observed,
		Now: func() time.Time { return time.Unix(s.clock.Load(), 0) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (s *split) issue(t *testing.T) *issuance.Issued {
	t.Helper()
	p, _ := s.authority.Deployment.Authenticate(s.creds.Labs[0].Token)
	body := fmt.Sprintf(`{"nam": {"fn": "Musterfrau-Gößinger", "gn": "Gabriele"}, "dob": "1998-02-26",
		"t": [{"tt": "LP6464-4", "sc": %q, "tr": "260415000"}]}`, time.Now().UTC().Add(-2*time.Hour).Format(time.RFC3339))
	is, err := s.authority.Issuance.Issue(ctx, p, issuance.Request{Type: dcc.Test, Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	return is
}

func (s *split) inRegistry(t *testing.T, uvci string) (registry.Record, bool) {
	r, err := s.registry.Store.Get(ctx, uvci, "test")
	if errors.Is(err, registry.ErrNotFound) {
		return r, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return r, true
}

// drain runs the worker until the outbox is empty or n rounds passed.
func drain(t *testing.T, w *delivery.Worker, n int) {
	for range n {
		k, err := w.Once(ctx)
		if err != nil {
			t.Fatalf("delivery: %v", err)
		}
		if k == 0 {
			return
		}
	}
}

func TestOutageNeverBlocksOrLoses(t *testing.T) {
	s := newSplit(t)
	// The registry is down: nothing listens at its address yet.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "https://" + ln.Addr().String()
	ln.Close()
	w := s.worker(t, url)
	var issued []*issuance.Issued
	for range 5 {
		issued = append(issued, s.issue(t)) // issuance does not wait for the registry
	}
	// The worker's clock (whole seconds) must not lag behind the issuance.
	s.clock.Store(time.Now().Unix())
	n, err := w.Once(ctx)
	var ue *delivery.UnavailableError
	if !errors.As(err, &ue) || n != 0 {
		t.Fatalf("delivery to a down registry: %d, %v; want 0 and an UnavailableError", n, err)
	}
	if st := w.Status(); st.Reachable || st.LastError == "" {
		t.Errorf("status while the registry is down: %+v", st)
	}
	// An outage is nothing the records did: they stay due, untouched, and
	// nothing was written for each of them.
	due, _ := s.authority.Store.Due(ctx, time.Unix(s.clock.Load(), 0), 10)
	if len(due) != 5 {
		t.Errorf("%d entries due right after the failure, want all 5", len(due))
	}
	for _, e := range due {
		if e.Attempts != 0 || e.LastError != "" {
			t.Errorf("entry marked by an outage: %+v", e)
		}
	}
	// The registry comes up on that address.
	ln, err = net.Listen("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.StartTLS()
	defer s.srv.Close()
	// Everything goes at once: no per-record back-off to sit out.
	drain(t, w, 10)
	if n, _ := s.authority.Store.OutboxPending(ctx); n != 0 {
		t.Errorf("%d pending after the registry came back", n)
	}
	if d, f := s.observed.delivered.Load(), s.observed.failed.Load(); d != 5 || f != 0 {
		t.Errorf("observed %d delivered, %d failed; want 5, 0", d, f)
	}
	if st := w.Status(); !st.Reachable || st.LastDelivery.IsZero() {
		t.Errorf("status after delivery: %+v", st)
	}
	for _, is := range issued {
		r, ok := s.inRegistry(t, is.UVCI)
		if !ok || r.HC1 != is.HC1 || string(r.Payload) != string(is.Payload) || r.Lab != "LAB-AN-1" || r.Authority != "AN" {
			t.Errorf("registry holds %+v for %s", r, is.UVCI)
		}
	}
	// A revocation at the authority reaches the registry.
	p, _ := s.authority.Deployment.Authenticate(s.creds.Labs[0].Token)
	if err := s.authority.Issuance.Revoke(ctx, p, issued[0].UVCI, "wrong person"); err != nil {
		t.Fatal(err)
	}
	s.clock.Store(time.Now().Unix()) // the revocation re-queues the record as due now
	drain(t, w, 10)
	if r, _ := s.inRegistry(t, issued[0].UVCI); r.RevokedAt == nil || r.RevokeReason != "wrong person" || r.RevokedBy != "lab:LAB-AN-1" {
		t.Errorf("registry record after revocation: %+v", r)
	}
	// Every delivery is audited in the registry as the authority.
	es, _ := s.registry.Store.AuditByActor(ctx, "authority:AN")
	issues, revokes := 0, 0
	for _, e := range es {
		switch e.Action {
		case registry.ActionIssue:
			issues++
		case registry.ActionRevoke:
			revokes++
		}
	}
	if issues != 5 || revokes != 1 {
		t.Errorf("registry audit: %d issue, %d revoke entries by authority:AN", issues, revokes)
	}
}

func post(t *testing.T, c *http.Client, url string, b delivery.Batch) (int, delivery.Response) {
	body, _ := json.Marshal(b)
	res, err := c.Post(url+delivery.Path, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out delivery.Response
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func TestDeliveryIsIdempotentAndAuthenticated(t *testing.T) {
	s := newSplit(t)
	s.srv.StartTLS()
	defer s.srv.Close()
	is := s.issue(t)
	due, _ := s.authority.Store.Due(ctx, time.Now().Add(time.Minute), 10)
	batch := delivery.Batch{Records: []delivery.Record{delivery.FromRegistry(due[0].Record)}}
	an := s.client(t, "AN")
	for i, want := range []string{delivery.StatusStored, delivery.StatusUnchanged} {
		code, res := post(t, an, s.srv.URL, batch)
		if code != 200 || len(res.Results) != 1 || res.Results[0].Status != want {
			t.Errorf("delivery #%d: %d %+v, want %s", i+1, code, res, want)
		}
	}
	// Another authority's certificate cannot deliver AN's records.
	code, res := post(t, s.client(t, "MD"), s.srv.URL, batch)
	if code != 200 || res.Results[0].Status != delivery.StatusRejected {
		t.Errorf("MD delivering AN's record: %d %+v", code, res)
	}
	// A changed payload under a known UVCI, or a wrong hash, is rejected.
	bad := batch.Records[0]
	bad.Payload = []byte(`{"changed":true}`)
	_, res = post(t, an, s.srv.URL, delivery.Batch{Records: []delivery.Record{bad}})
	if res.Results[0].Status != delivery.StatusRejected {
		t.Errorf("payload not matching its hash: %+v", res)
	}
	// Without a client certificate: 401.
	plain := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.pool(t)}}}
	if code, _ := post(t, plain, s.srv.URL, batch); code != http.StatusUnauthorized {
		t.Errorf("no client certificate: %d", code)
	}
	// The registry's operators see the record; a bearer token cannot deliver.
	op, _ := s.registry.Deployment.Authenticate(s.creds.Operators[0].Token)
	if _, _, err := s.registry.Records.Get(ctx, op, is.UVCI); err != nil {
		t.Error(err)
	}
	if op.Role != deployment.RoleOperator {
		t.Errorf("operator token authenticates as %+v", op)
	}
}

// A revocation made by a registry operator flows back to the authority's own
// store, keeping its author, once and without being delivered back.
func TestOperatorRevocationFlowsBack(t *testing.T) {
	s := newSplit(t)
	s.srv.StartTLS()
	defer s.srv.Close()
	a, b := s.issue(t), s.issue(t)
	s.clock.Store(time.Now().Unix())
	w := s.worker(t, s.srv.URL)
	drain(t, w, 10)
	if n, err := w.PullRevocations(ctx); n != 0 || err != nil {
		t.Fatalf("first pull, nothing revoked: %d, %v", n, err)
	}
	op, _ := s.registry.Deployment.Authenticate(s.creds.Operators[0].Token)
	if err := s.registry.Records.Revoke(ctx, op, a.UVCI, "fraudulent"); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{1, 0} {
		if n, err := w.PullRevocations(ctx); n != want || err != nil {
			t.Errorf("pull #%d after the operator's revocation: %d, %v; want %d", i+1, n, err, want)
		}
	}
	if n := s.observed.taken.Load(); n != 1 {
		t.Errorf("observed %d revocations taken, want 1", n)
	}
	lab, _ := s.authority.Deployment.Authenticate(s.creds.Labs[0].Token)
	_, rec, err := s.authority.Records.Get(ctx, lab, a.UVCI)
	if err != nil {
		t.Fatal(err)
	}
	if rec.RevokedAt == nil || rec.RevokeReason != "fraudulent" || rec.RevokedBy != op.Actor() {
		t.Errorf("authority's record after the pull: revoked %v by %q for %q; want by %s for fraudulent", rec.RevokedAt, rec.RevokedBy, rec.RevokeReason, op.Actor())
	}
	if _, rec, _ := s.authority.Records.Get(ctx, lab, b.UVCI); rec.RevokedAt != nil {
		t.Errorf("the other certificate was revoked too: %+v", rec)
	}
	if n, _ := s.authority.Store.OutboxPending(ctx); n != 0 {
		t.Errorf("%d outbox entries pending: a revocation from the registry is not delivered back", n)
	}
	es, _ := s.authority.Store.AuditByActor(ctx, delivery.PullActor)
	if len(es) != 1 || es[0].Action != registry.ActionRevoke || es[0].UVCI != a.UVCI {
		t.Errorf("authority's audit of the pull: %+v", es)
	}
	// Only the authority's client certificate may pull, and only its own.
	plain := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.pool(t)}}}
	if res, err := plain.Get(s.srv.URL + delivery.RevokedPath); err != nil || res.StatusCode != http.StatusUnauthorized {
		t.Errorf("pull without a client certificate: %v, %v", res.Status, err)
	}
	res, err := s.client(t, "MD").Get(s.srv.URL + delivery.RevokedPath + "?since=0")
	if err != nil {
		t.Fatal(err)
	}
	var page delivery.Revoked
	json.NewDecoder(res.Body).Decode(&page)
	res.Body.Close()
	if res.StatusCode != 200 || len(page.Revocations) != 0 {
		t.Errorf("MD pulling: %s, %+v; want none of AN's", res.Status, page)
	}
	if res, _ := s.client(t, "AN").Get(s.srv.URL + delivery.RevokedPath + "?since=yesterday"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("since=yesterday: %s, want 400", res.Status)
	}
}
