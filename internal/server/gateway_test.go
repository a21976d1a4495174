package server_test

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"dcc/gateway"
	"dcc/internal/gatewayserver"
	"dcc/internal/gwsync"
	"dcc/registry"
)

// newSyncer is the synchronisation `dcc serve` runs, on the demo gateway's
// material for ES and the registry store st. No gateway runs: the status is
// read from the store and the syncer's memory only.
func newSyncer(t *testing.T, st *registry.Store) *gwsync.Syncer {
	t.Helper()
	gw, _, err := gatewayserver.OpenDemo(ctx, t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var dir string
	for _, c := range gw.Countries {
		if c.Code == "ES" {
			dir = c.Dir
		}
	}
	if dir == "" {
		t.Fatal("the demo gateway onboarded no ES")
	}
	cl, err := gateway.New(gateway.Config{
		// Nothing listens there; the test must not need the gateway.
		BaseURL:     "https://127.0.0.1:1",
		AuthKey:     "file:" + filepath.Join(dir, "auth", "key.pem"),
		AuthCert:    filepath.Join(dir, "auth", "cert.pem"),
		UploadKey:   "file:" + filepath.Join(dir, "upload", "key.pem"),
		UploadCert:  filepath.Join(dir, "upload", "cert.pem"),
		ServerCA:    filepath.Join(gw.Dir, gatewayserver.DemoServerCert),
		TrustAnchor: filepath.Join(gw.Dir, gatewayserver.DemoAnchorCert),
		Timeout:     time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	sy, err := gwsync.New(gwsync.Config{Gateway: cl, Store: st, Anchors: cl.TrustAnchors(), Upload: true})
	if err != nil {
		t.Fatal(err)
	}
	return sy
}

func TestGatewayStatus(t *testing.T) {
	s := newStack(t, nil)
	sc := s.cfg
	sc.Gateway = newSyncer(t, s.app.Store)
	s.serve(sc)
	checked := checkOpenAPI(t, s)

	now := time.Now().Truncate(time.Second)
	if err := s.app.Store.GatewaySetStatus(ctx, gwsync.KindTrustList, now, 12, nil); err != nil {
		t.Fatal(err)
	}
	res := s.do("GET", "/api/v1/gateway/status", s.token("operator"), nil)
	if res.status != http.StatusOK {
		t.Fatalf("operator: %d %s", res.status, res.body)
	}
	var st gwsync.Status
	res.json(t, &st)
	if st.Country != "ES" || st.Generation != 0 || st.Installed != 0 || st.InstalledAt != nil || len(st.Refused) != 0 {
		t.Errorf("status = %s", res.body)
	}
	if st.Outbox != (gwsync.Outbox{}) {
		t.Errorf("outbox = %+v, want empty", st.Outbox)
	}
	if len(st.Kinds) != 1 {
		t.Fatalf("kinds = %s", res.body)
	}
	k := st.Kinds[0]
	if k.Kind != "trustlist" || k.Count != 12 || k.LastError != "" || k.LastAttempt == nil || !k.LastAttempt.Equal(now) ||
		k.LastSuccess == nil || !k.LastSuccess.Equal(now) {
		t.Errorf("kind = %s", res.body)
	}

	for _, who := range []string{"AN", "lab"} {
		if res := s.do("GET", "/api/v1/gateway/status", s.token(who), nil); res.status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", who, res.status)
		} else if p := res.problem(t); p.Status != http.StatusForbidden {
			t.Errorf("%s: problem %+v", who, p)
		}
	}
	if res := s.do("GET", "/api/v1/gateway/status", "", nil); res.status != http.StatusUnauthorized {
		t.Errorf("no credentials: %d, want 401", res.status)
	}
	for _, want := range []string{"GET /api/v1/gateway/status 200", "GET /api/v1/gateway/status 403", "GET /api/v1/gateway/status 401"} {
		if !checked[want] {
			t.Errorf("not checked against the document: %s", want)
		}
	}
}

// Without a synchronisation there is no status to show.
func TestGatewayStatusAbsent(t *testing.T) {
	s := newStack(t, nil)
	if res := s.do("GET", "/api/v1/gateway/status", s.token("operator"), nil); res.status != http.StatusNotFound {
		t.Errorf("operator, no gateway: %d, want 404", res.status)
	}
}
