package server_test

import (
	"bytes"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dcc/internal/app"
	"dcc/internal/config"
	"dcc/internal/delivery"
	"dcc/internal/demo"
	"dcc/internal/server"
)

// post sends a body with exactly the Content-Type given ("" sends none).
func (s *stack) post(path, token, contentType, body string) response {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.srv.URL+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := s.srv.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b.Bytes()}
}

// Every JSON POST of the API takes application/json (or a +json type)
// only: a body without a Content-Type is refused with 415 and changes
// nothing.
func TestJSONPostsRequireContentType(t *testing.T) {
	s := newStack(t, nil)
	lab, op := s.token("lab"), s.token("operator")
	var c server.Certificate
	s.do("POST", "/api/v1/certificates/test", lab, testBody()).json(t, &c)
	p := server.CertificatePath(c.UVCI)
	for _, tt := range []struct{ path, token, body string }{
		{"/api/v1/certificates/test", lab, testBody()},
		{"/api/v1/certificates/vaccination", s.token("AN"), vaccinationBody()},
		{p + "/reissue", lab, `{"reason": "typo"}`},
		{p + "/revoke", lab, `{"reason": "wrong person"}`},
		{"/api/v1/registry/certificates/search", op, `{"surname": "Musterfrau-Gößinger", "dob": "1998-02-26"}`},
		{"/api/v1/verify", "", `{"hc1": "` + c.HC1 + `"}`},
	} {
		for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/jsonx", "json"} {
			r := s.post(tt.path, tt.token, ct, tt.body)
			if r.status != http.StatusUnsupportedMediaType || r.problem(t).Type != "/problems/unsupported-media-type" {
				t.Errorf("POST %s with Content-Type %q: %d %.200s", tt.path, ct, r.status, r.body)
			}
		}
	}
	if n := len(searchAll(t, s)); n != 1 {
		t.Errorf("%d certificates, want the 1 issued with application/json", n)
	}
	var got server.Certificate
	s.do("GET", p, lab, nil).json(t, &got)
	if got.Revocation != nil {
		t.Errorf("revoked by a request without Content-Type: %+v", got.Revocation)
	}
	// The JSON types that are accepted.
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "Application/JSON", "application/problem+json"} {
		if r := s.post("/api/v1/verify", "", ct, `{"hc1": "`+c.HC1+`"}`); r.status != http.StatusOK {
			t.Errorf("Content-Type %q: %d %s", ct, r.status, r.body)
		}
	}
	// A re-issue without a body declares nothing and needs no type.
	if r := s.post(p+"/reissue", lab, "", ""); r.status != http.StatusCreated {
		t.Errorf("re-issue without a body: %d %s", r.status, r.body)
	}
}

// The registry's delivery endpoint (mutual TLS) is a JSON POST too.
func TestDeliveryRequiresContentType(t *testing.T) {
	dir := t.TempDir()
	if _, err := demo.Create(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, demo.RegistryConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	api := server.New(server.Config{Deployment: a.Deployment, Records: a.Records, Registry: a.Store})
	srv := httptest.NewUnstartedServer(api.Handler())
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, demo.TLSServer), filepath.Join(dir, demo.TLSServerKey))
	if err != nil {
		t.Fatal(err)
	}
	c, k := demo.TLSClient("AN")
	client, err := delivery.Client(filepath.Join(dir, demo.TLSCA), filepath.Join(dir, c), filepath.Join(dir, k))
	if err != nil {
		t.Fatal(err)
	}
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: client.Transport.(*http.Transport).TLSClientConfig.RootCAs,
		ClientAuth: tls.VerifyClientCertIfGiven}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		contentType string
		want        int
	}{{"", http.StatusUnsupportedMediaType}, {"text/plain", http.StatusUnsupportedMediaType}, {"application/json", http.StatusOK}} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/registry/records", strings.NewReader(`{"records": []}`))
		if tt.contentType != "" {
			req.Header.Set("Content-Type", tt.contentType)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tt.want {
			t.Errorf("delivery with Content-Type %q: %d, want %d", tt.contentType, res.StatusCode, tt.want)
		}
	}
}
