package gwsync_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"dcc/gateway"
	"dcc/internal/gatewayserver"
	"dcc/internal/gwsync"
	"dcc/internal/pgtest"
	"dcc/pki"
	"dcc/registry"
)

// world is a gateway-compatible server with two onboarded countries (ES
// and FR) over real mutual TLS, and a registry store for each country.
type world struct {
	t      testing.TB
	demo   *gatewayserver.Demo
	base   string
	gwDB   *gatewayserver.Store
	inner  http.Handler                                      // the gateway server itself
	filter func(w http.ResponseWriter, r *http.Request) bool // true: handled (a failure the test injects)

	mu  sync.Mutex
	now time.Time
}

func newWorld(t testing.TB) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{t: t, now: time.Now()}
	demo, _, err := gatewayserver.OpenDemo(ctx, t.TempDir(), w.now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	w.demo = demo
	if w.gwDB, err = gatewayserver.Open(ctx, demo.DSN); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.gwDB.Close() })
	h, err := gatewayserver.NewHandler(gatewayserver.Config{Store: w.gwDB, Anchor: demo.Anchor.Cert})
	if err != nil {
		t.Fatal(err)
	}
	w.inner = h
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{TLSConfig: gatewayserver.ServerTLS(demo.TLS), ErrorLog: nil,
		Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			w.mu.Lock()
			f := w.filter
			w.mu.Unlock()
			if f != nil && f(rw, r) {
				return
			}
			h.ServeHTTP(rw, r)
		})}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	w.base = "https://" + ln.Addr().String()
	return w
}

func (w *world) setFilter(f func(rw http.ResponseWriter, r *http.Request) bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.filter = f
}

func (w *world) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *world) advance(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
}

func (w *world) country(code string) gatewayserver.DemoCountry {
	for _, c := range w.demo.Countries {
		if c.Code == code {
			return c
		}
	}
	w.t.Fatalf("no demo country %s", code)
	return gatewayserver.DemoCountry{}
}

func (w *world) client(code string) *gateway.Client {
	t := w.t
	c := w.country(code)
	cl, err := gateway.New(gateway.Config{
		BaseURL:     w.base,
		AuthKey:     "file:" + filepath.Join(c.Dir, "auth", "key.pem"),
		AuthCert:    filepath.Join(c.Dir, "auth", "cert.pem"),
		UploadKey:   "file:" + filepath.Join(c.Dir, "upload", "key.pem"),
		UploadCert:  filepath.Join(c.Dir, "upload", "cert.pem"),
		ServerCA:    filepath.Join(w.demo.Dir, gatewayserver.DemoServerCert),
		TrustAnchor: filepath.Join(w.demo.Dir, gatewayserver.DemoAnchorCert),
		Timeout:     10 * time.Second,
		Now:         w.clock,
	})
	if err != nil {
		t.Fatalf("%s: %v", code, err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// dsc makes a DSC of the country's CSCA.
func (w *world) dsc(code string) *x509.Certificate {
	c := w.country(code)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	dsc, err := pki.NewDSC(c.CSCA, c.CSCAKey, key.Public(), pki.DSCOptions{Country: code, Now: w.now.Add(-time.Minute)})
	if err != nil {
		w.t.Fatal(err)
	}
	return dsc
}

// store opens a registry store: SQLite, or PostgreSQL when pg is set and
// DCC_TEST_POSTGRES_DSN is (a fresh database each).
func newStore(t testing.TB, pg bool) *registry.Store {
	t.Helper()
	dir := t.TempDir()
	if err := registry.GenerateKeyFile(dir, "k1"); err != nil {
		t.Fatal(err)
	}
	keys, err := registry.LoadKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	dsn := "sqlite:" + filepath.Join(dir, "registry.db")
	if pg {
		if !pgtest.Enabled() {
			t.Skipf("%s is not set: the PostgreSQL run is skipped", pgtest.EnvDSN)
		}
		dsn = pgtest.Schema(t, "gwsync")
	}
	s, err := registry.Open(context.Background(), dsn, keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// revoke stores n certificates signed under dsc and revokes them.
func revoke(t *testing.T, s *registry.Store, dsc *x509.Certificate, from, n int, now time.Time) []string {
	t.Helper()
	ctx := context.Background()
	kid := base64.StdEncoding.EncodeToString(pki.KID(dsc))
	var uvcis []string
	for i := from; i < from+n; i++ {
		r := registry.Record{
			UVCI: fmt.Sprintf("URN:UVCI:01:ES:GW%06d#X", i), Type: "v", Authority: "AN", KID: kid,
			IssuedAt: now.Add(-time.Hour), Expires: now.AddDate(0, 6, 0), EventDate: "2026-11-01",
			Payload: []byte(fmt.Sprintf(`{"ver":"1.3.0","nam":{"fnt":"GW<%d"},"dob":"1980-01-01"}`, i)),
		}
		if err := s.Insert(ctx, r, "test"); err != nil {
			t.Fatal(err)
		}
		if err := s.Revoke(ctx, r.UVCI, registry.Revocation{Reason: "test"}, "test"); err != nil {
			t.Fatal(err)
		}
		uvcis = append(uvcis, r.UVCI)
	}
	return uvcis
}

// installer records what it is given and can refuse.
type installer struct {
	mu        sync.Mutex
	installed []*gwsync.Download
	refuse    error
}

func (i *installer) Prepare(d *gwsync.Download) (func(), error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.refuse != nil {
		return nil, i.refuse
	}
	return func() {
		i.mu.Lock()
		defer i.mu.Unlock()
		i.installed = append(i.installed, d)
	}, nil
}

func (i *installer) last() *gwsync.Download {
	i.mu.Lock()
	defer i.mu.Unlock()
	if len(i.installed) == 0 {
		return nil
	}
	return i.installed[len(i.installed)-1]
}

func (i *installer) count() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return len(i.installed)
}

func (w *world) syncer(code string, st *registry.Store, dscs []*x509.Certificate, inst gwsync.Installer) *gwsync.Syncer {
	cl := w.client(code)
	s, err := gwsync.New(gwsync.Config{Gateway: cl, Store: st, Anchors: cl.TrustAnchors(), DSCs: dscs, Upload: true,
		Installer: inst, Now: w.clock, Backoff: func(int) time.Duration { return time.Second }})
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}
