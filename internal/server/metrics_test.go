package server_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dcc/internal/config"
)

// GET /metrics counts the requests and the certificates issued, for this
// host only, or for the holder of the metrics token.
func TestMetricsEndpoint(t *testing.T) {
	s := newStack(t, func(c *config.Config) { c.HTTP.TrustedProxies = []string{"127.0.0.1"} })
	if r := s.do("POST", "/api/v1/certificates/test", s.token("lab"), testBody()); r.status != 201 {
		t.Fatalf("issue: %d %s", r.status, r.body)
	}
	s.do("POST", "/api/v1/certificates/test", "", testBody()) // 401
	r := s.do("GET", "/metrics", "", nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics from loopback: %d %s", r.status, r.header.Get("Content-Type"))
	}
	for _, want := range []string{
		`dcc_http_requests_total{code="201",method="POST",route="POST /api/v1/certificates/test"} 1`,
		`dcc_http_requests_total{code="401",method="POST",route="POST /api/v1/certificates/test"} 1`,
		`dcc_certificates_issued_total{authority="AN",type="t"} 1`,
	} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	for _, secret := range []string{s.token("lab"), "URN:UVCI", "Musterfrau"} {
		if strings.Contains(string(r.body), secret) {
			t.Errorf("metrics hold %q", secret)
		}
	}
	// A client elsewhere (through the trusted proxy) is refused without a token.
	if r := s.do("GET", "/metrics", "", nil, "X-Forwarded-For: 203.0.113.7"); r.status != http.StatusForbidden {
		t.Errorf("metrics from elsewhere: %d", r.status)
	}

	// With a metrics token, it is required, from anywhere.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "metrics.token"), []byte("scrape-secret\n"), 0o600)
	s = newStack(t, func(c *config.Config) { c.HTTP.MetricsTokenFile = filepath.Join(dir, "metrics.token") })
	for _, tt := range []struct {
		token string
		want  int
	}{{"", 401}, {"wrong", 401}, {"scrape-secret", 200}} {
		if r := s.do("GET", "/metrics", tt.token, nil); r.status != tt.want {
			t.Errorf("metrics with token %q: %d, want %d", tt.token, r.status, tt.want)
		}
	}
}
