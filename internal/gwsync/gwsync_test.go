package gwsync_test

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dcc/gateway"
	"dcc/pki"
	"dcc/registry"
	"dcc/revocation"
)

// countBatches counts the batches of a country on the gateway.
func countBatches(t *testing.T, cl *gateway.Client, country string) int {
	t.Helper()
	n := 0
	for info, err := range cl.RevocationList(context.Background(), time.Time{}) {
		if err != nil {
			t.Fatal(err)
		}
		if info.Country == country && !info.Deleted {
			n++
		}
	}
	return n
}

// ES uploads its DSC and revocations; FR downloads them; nothing goes up
// twice; a withdrawn DSC is deleted. On SQLite and on PostgreSQL.
func TestExchange(t *testing.T) {
	for _, pg := range []bool{false, true} {
		name := "sqlite"
		if pg {
			name = "postgres"
		}
		t.Run(name, func(t *testing.T) { exchange(t, pg) })
	}
}

func exchange(t *testing.T, pg bool) {
	ctx := context.Background()
	w := newWorld(t)
	esStore, frStore := newStore(t, pg), newStore(t, pg)
	dsc := w.dsc("ES")
	uvcis := revoke(t, esStore, dsc, 0, 3, w.clock())
	es := w.syncer("ES", esStore, []*x509.Certificate{dsc}, nil)
	frInst := &installer{}
	fr := w.syncer("FR", frStore, nil, frInst)

	rep, err := es.Sync(ctx)
	if err != nil {
		t.Fatalf("ES sync: %v", err)
	}
	// The DSC and, for one kid, a UCI and a COUNTRYCODEUCI batch (no HC1
	// held, so no SIGNATURE batch).
	if rep.Queued != 3 || rep.Uploaded != 3 || rep.UploadsFailed != 0 {
		t.Fatalf("ES report %+v", rep)
	}
	rep, err = fr.Sync(ctx)
	if err != nil {
		t.Fatalf("FR sync: %v", err)
	}
	d := frInst.last()
	if d == nil || d.Generation != rep.Generation || rep.Generation != 1 {
		t.Fatalf("FR installed %+v, report %+v", d, rep)
	}
	found := false
	for _, c := range d.DSCs {
		found = found || c.Equal(dsc)
	}
	if !found {
		t.Fatalf("ES's DSC not among FR's %d downloaded DSCs", len(d.DSCs))
	}
	if len(d.CSCAs) == 0 || len(d.ValueSets) == 0 {
		t.Errorf("FR download: %d CSCAs, %d value sets", len(d.CSCAs), len(d.ValueSets))
	}
	l := revocation.NewList()
	l.Add(d.Revocations, w.clock())
	kid := pki.KID(dsc)
	for _, u := range uvcis {
		if _, ok := l.Check(kid, revocation.Of(u, "ES", nil)); !ok {
			t.Errorf("%s is not revoked on FR's side", u)
		}
		if _, ok := l.Check(kid, revocation.Of("URN:UVCI:01:ES:OTHER#1", "ES", nil)); ok {
			t.Error("an unrevoked certificate is revoked on FR's side")
		}
	}
	if len(d.Revocations) != 2 {
		t.Errorf("FR holds %d batches, want 2 (UCI, COUNTRYCODEUCI)", len(d.Revocations))
	}

	// Again: nothing new to upload; FR's second download takes the delta.
	rep, err = es.Sync(ctx)
	if err != nil || rep.Queued != 0 || rep.Uploaded != 0 {
		t.Fatalf("ES again: %+v %v", rep, err)
	}
	if n := countBatches(t, w.client("FR"), "ES"); n != 2 {
		t.Errorf("the gateway holds %d batches of ES, want 2", n)
	}
	rep, err = fr.Sync(ctx)
	if err != nil || rep.Generation != 2 || rep.Batches != 0 {
		t.Fatalf("FR again: %+v %v", rep, err)
	}
	if got := len(frInst.last().Revocations); got != 2 {
		t.Errorf("after the delta FR holds %d batches, want 2", got)
	}

	// One more revocation: one more pair of batches.
	revoke(t, esStore, dsc, 3, 1, w.clock())
	if rep, err = es.Sync(ctx); err != nil || rep.Uploaded != 2 {
		t.Fatalf("ES after a new revocation: %+v %v", rep, err)
	}

	// The DSC withdrawn from the configuration is deleted from the gateway.
	es2 := w.syncer("ES", esStore, nil, nil)
	if rep, err = es2.Sync(ctx); err != nil || rep.Uploaded != 1 {
		t.Fatalf("ES after withdrawing its DSC: %+v %v", rep, err)
	}
	tl, err := w.client("FR").TrustList(ctx, gateway.Query{Type: "DSC", Country: "ES"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range tl.Entries {
		if e.Certificate.Equal(dsc) {
			t.Error("the withdrawn DSC is still on the gateway")
		}
	}
	st, err := es2.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Outbox.Pending != 0 || st.Outbox.Done != 6 {
		t.Errorf("ES outbox %+v, want 6 done", st.Outbox)
	}
}

// A batch whose answer is lost (the gateway stored it, the connection
// broke before the 201 arrived) is found on the gateway at the retry and
// not uploaded a second time.
func TestLostAnswerUploadsOnce(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	st := newStore(t, false)
	dsc := w.dsc("ES")
	revoke(t, st, dsc, 0, 2, w.clock())
	// The first batch upload is served for real, then the connection breaks.
	w.handlerOnce(func(r *http.Request) bool {
		return r.Method == http.MethodPost && r.URL.Path == "/revocation-list"
	})
	es := w.syncer("ES", st, []*x509.Certificate{dsc}, nil)
	rep, err := es.Sync(ctx)
	if err == nil || rep.UploadsFailed != 1 {
		t.Fatalf("first sync: %+v %v, want one upload failed", rep, err)
	}
	if n := countBatches(t, w.client("FR"), "ES"); n != 1 {
		t.Fatalf("the gateway holds %d batches after the lost answer, want 1", n)
	}
	w.advance(time.Minute) // past the retry wait
	// The batch in doubt is found on the gateway, the other one sent.
	rep, err = es.Sync(ctx)
	if err != nil || rep.Uploaded != 2 {
		t.Fatalf("second sync: %+v %v", rep, err)
	}
	if n := countBatches(t, w.client("FR"), "ES"); n != 2 {
		t.Errorf("the gateway holds %d batches of ES, want 2 (UCI and COUNTRYCODEUCI, once each)", n)
	}
	ups, err := st.GatewayUploadsOf(ctx, registry.GatewayRevocation)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range ups {
		if u.Done.IsZero() || u.Result == "" {
			t.Errorf("%s: done %v, batch %q", u.Key, u.Done, u.Result)
		}
	}
}

// handlerOnce makes the first request matching match reach the gateway and
// be stored, and then breaks the connection before the answer.
func (w *world) handlerOnce(match func(*http.Request) bool) *atomic.Bool {
	var done atomic.Bool
	inner := w.inner
	w.setFilter(func(rw http.ResponseWriter, r *http.Request) bool {
		if !match(r) || !done.CompareAndSwap(false, true) {
			return false
		}
		rec := httptest.NewRecorder()
		inner.ServeHTTP(rec, r)
		if rec.Code != http.StatusCreated {
			w.t.Errorf("the dropped request was answered %d: %s", rec.Code, rec.Body)
		}
		panic(http.ErrAbortHandler)
	})
	return &done
}

// A gateway that fails part-way through a synchronisation: nothing of it
// is stored or installed, and the next synchronisation applies it all.
func TestOutageMidSyncAppliesNothing(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	esStore, frStore := newStore(t, false), newStore(t, false)
	dsc := w.dsc("ES")
	revoke(t, esStore, dsc, 0, 1, w.clock())
	es := w.syncer("ES", esStore, []*x509.Certificate{dsc}, nil)
	if _, err := es.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	frInst := &installer{}
	fr := w.syncer("FR", frStore, nil, frInst)
	for _, broken := range []string{"/rules/", "/revocation-list/", "/valuesets/"} {
		w.setFilter(func(rw http.ResponseWriter, r *http.Request) bool {
			if strings.HasPrefix(r.URL.Path, broken) {
				http.Error(rw, "upstream down", http.StatusServiceUnavailable)
				return true
			}
			return false
		})
		rep, err := fr.Sync(ctx)
		if err == nil {
			t.Fatalf("%s down: the sync succeeded: %+v", broken, rep)
		}
		if !strings.Contains(err.Error(), "nothing of this synchronisation was applied") {
			t.Errorf("%s down: %v", broken, err)
		}
		if gen, _ := frStore.GatewayGeneration(ctx); gen != 0 || frInst.count() != 0 {
			t.Fatalf("%s down: generation %d stored, %d installed", broken, gen, frInst.count())
		}
		st, err := fr.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		failing := false
		for _, k := range st.Kinds {
			failing = failing || k.LastError != ""
		}
		if !failing {
			t.Errorf("%s down: the status shows no error: %+v", broken, st.Kinds)
		}
	}
	w.setFilter(nil)
	rep, err := fr.Sync(ctx)
	if err != nil || rep.Generation != 1 || frInst.count() != 1 || len(frInst.last().Revocations) != 2 {
		t.Fatalf("after the outage: %+v %v", rep, err)
	}
	// A second process's syncer on the same store installs what the first
	// stored (dcc gateway sync beside a running dcc serve).
	other := &installer{}
	fr2 := w.syncer("FR", frStore, nil, other)
	if err := fr2.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if d := other.last(); d == nil || d.Generation != 1 || len(d.Revocations) != 2 || len(d.DSCs) != len(frInst.last().DSCs) {
		t.Fatalf("loaded %+v", d)
	}
	// An installer that refuses the download: nothing is stored.
	frInst.refuse = errTest
	if _, err := fr.Sync(ctx); err == nil {
		t.Fatal("a refused installation succeeded")
	}
	if gen, _ := frStore.GatewayGeneration(ctx); gen != 1 {
		t.Errorf("generation %d after a refused installation, want 1", gen)
	}
}

var errTest = errString("refused by the test")

type errString string

func (e errString) Error() string { return string(e) }
