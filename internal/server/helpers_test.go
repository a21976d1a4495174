package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dcc/internal/app"
	"dcc/internal/certpdf"
	"dcc/internal/config"
	"dcc/internal/demo"
	"dcc/internal/server"
)

var ctx = context.Background()

// stack is the demo deployment served over HTTP as `dcc serve` serves it.
type stack struct {
	t     testing.TB
	app   *app.App
	api   *server.Server
	creds *demo.Credentials
	srv   *httptest.Server
	cfg   server.Config // the server's, for serve
	// check, when set, sees every request and response (the OpenAPI test).
	check func(req *http.Request, body []byte, res *http.Response, resBody []byte)
}

func newStack(t testing.TB, edit func(*config.Config)) *stack {
	t.Helper()
	return openStack(t, edit, nil)
}

// openStack is newStack with the server's configuration changed too.
func openStack(t testing.TB, edit func(*config.Config), editServer func(*server.Config)) *stack {
	t.Helper()
	dir := t.TempDir()
	creds, err := demo.Create(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, demo.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(cfg)
	}
	a, err := app.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	pdf, err := certpdf.New(a.ValueSets)
	if err != nil {
		t.Fatal(err)
	}
	metricsToken, err := cfg.MetricsToken()
	if err != nil {
		t.Fatal(err)
	}
	sc := server.Config{
		Deployment: a.Deployment, Issuance: a.Issuance, Records: a.Records, PDF: pdf,
		MaxBodyBytes: cfg.HTTP.MaxBodyBytes, RatePerSecond: cfg.HTTP.RatePerSecond, Burst: cfg.HTTP.Burst,
		Audit: a.Store, TrustList: a.TrustList, Revoked: a.Store, Verifier: a.Verification,
		TrustedProxies: cfg.HTTP.Proxies(), Metrics: a.Metrics, MetricsToken: metricsToken,
		MaxImageBytes: cfg.Verifier.MaxImageBytes, MaxImagePixels: cfg.Verifier.MaxImagePixels,
		ImageDecodes: cfg.Verifier.ImageDecodes, ImageMemory: cfg.Verifier.ImageMemoryBytes,
		ImageWait: time.Duration(cfg.Verifier.ImageWait), Demo: cfg.Demo,
	}
	if editServer != nil {
		editServer(&sc)
	}
	s := &stack{t: t, app: a, creds: creds}
	s.serve(sc)
	return s
}

// serve serves the application with the server configuration sc, in place
// of the server before (for a part built on the application, as `dcc
// serve` builds the gateway's synchronisation).
func (s *stack) serve(sc server.Config) {
	if s.srv != nil {
		s.srv.Close()
	}
	s.cfg, s.api = sc, server.New(sc)
	s.srv = httptest.NewServer(s.api.Handler())
	s.t.Cleanup(s.srv.Close)
}

func (s *stack) token(who string) string {
	switch who {
	case "lab":
		return s.creds.Labs[0].Token
	case "operator":
		return s.creds.Operators[0].Token
	}
	for _, a := range s.creds.Authorities {
		if a.ID == who {
			return a.Token
		}
	}
	s.t.Fatalf("no demo principal %q", who)
	return ""
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response %d %s: %v", r.status, r.body, err)
	}
}

func (r response) problem(t testing.TB) server.Problem {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("problem Content-Type = %q", ct)
	}
	var p server.Problem
	r.json(t, &p)
	return p
}

// do sends a request; token "" sends none, headers are "Name: value".
func (s *stack) do(method, path, token string, body any, headers ...string) response {
	s.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			s.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, s.srv.URL+path, bytes.NewReader(raw))
	if err != nil {
		s.t.Fatal(err)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	res, err := s.srv.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	if s.check != nil {
		req.Body = io.NopCloser(bytes.NewReader(raw))
		s.check(req, raw, res, out)
	}
	return response{status: res.StatusCode, header: res.Header, body: out}
}

func recentTime(hoursAgo int) string {
	return time.Now().UTC().Add(-time.Duration(hoursAgo) * time.Hour).Truncate(time.Second).Format(time.RFC3339)
}

func recentDate(daysAgo int) string {
	return time.Now().UTC().AddDate(0, 0, -daysAgo).Format(time.DateOnly)
}

func testBody() string {
	return fmt.Sprintf(`{"nam": {"fn": "Musterfrau-Gößinger", "gn": "Gabriele"}, "dob": "1998-02-26",
		"t": [{"tt": "LP6464-4", "sc": %q, "tr": "260415000"}]}`, recentTime(3))
}

func vaccinationBody() string {
	return fmt.Sprintf(`{"nam": {"fn": "Фёдоров", "gn": "Пётр"}, "dob": "1964-01-01",
		"history": {"doses": [{"date": %q, "mp": "EU/1/20/1528"}, {"date": %q, "mp": "EU/1/20/1528"}]}, "v": [{}]}`,
		recentDate(60), recentDate(20))
}
