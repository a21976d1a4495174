package gateway_test

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"dcc/cms"
	"dcc/gateway"
	"dcc/trustlist"
)

// upload is a request the fake gateway received, as it came.
type upload struct {
	Method, Path, ContentType string
	Body                      string
}

type failure struct {
	status int
	body   string
}

// fakeGateway serves fixtures the tests build and sign as gateway.md says,
// over TLS with client authentication, and records every upload.
type fakeGateway struct {
	mu        sync.Mutex
	auth      map[[32]byte]string // AUTHENTICATION thumbprint → country
	trust     []trustlist.Entry
	delta     string // the body for a trust-list request with If-Modified-Since
	valuesets map[string]string
	rules     map[string]string   // country → body
	revPages  map[string]string   // If-Modified-Since → body
	batches   map[string]string   // id → base64 CMS
	gone      map[string]bool     // deleted batch ids
	fail      map[string]failure  // "METHOD path" → forced answer
	headers   map[string][]string // path → If-Modified-Since values received
	uploads   []upload
	dscs      map[[32]byte]bool // DSCs uploaded
	countries []string
}

func problem(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"code": code, "problem": msg, "sendValue": "", "details": ""})
}

func (g *fakeGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		problem(w, 401, "0x400", "No thumbprint or distinguish name")
		return
	}
	cc, ok := g.auth[sha256.Sum256(r.TLS.PeerCertificates[0].Raw)]
	if !ok {
		problem(w, 401, "0x402", "Client is not authorized to access the service")
		return
	}
	if f, ok := g.fail[r.Method+" "+r.URL.Path]; ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.status)
		io.WriteString(w, f.body)
		return
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		g.headers[r.URL.Path] = append(g.headers[r.URL.Path], ims)
	}
	p := r.URL.Path
	switch {
	case r.Method == "GET" && strings.HasPrefix(p, "/trustList"):
		if r.Header.Get("If-Modified-Since") != "" && g.delta != "" {
			io.WriteString(w, g.delta)
			return
		}
		parts := strings.Split(strings.TrimPrefix(p, "/trustList"), "/")
		out := []trustlist.Entry{}
		for _, e := range g.trust {
			if len(parts) > 1 && e.CertificateType != parts[1] || len(parts) > 2 && e.Country != parts[2] {
				continue
			}
			out = append(out, e)
		}
		json.NewEncoder(w).Encode(out)
	case r.Method == "GET" && p == "/valuesets":
		ids := []string{}
		for id := range g.valuesets {
			ids = append(ids, id)
		}
		json.NewEncoder(w).Encode(ids)
	case r.Method == "GET" && strings.HasPrefix(p, "/valuesets/"):
		v, ok := g.valuesets[strings.TrimPrefix(p, "/valuesets/")]
		if !ok {
			problem(w, 404, "0x100", "Valueset not found")
			return
		}
		io.WriteString(w, v)
	case r.Method == "GET" && p == "/countrylist":
		json.NewEncoder(w).Encode(g.countries)
	case r.Method == "GET" && strings.HasPrefix(p, "/rules/"):
		io.WriteString(w, g.rules[strings.TrimPrefix(p, "/rules/")])
	case r.Method == "GET" && p == "/revocation-list":
		body, ok := g.revPages[r.Header.Get("If-Modified-Since")]
		if !ok {
			w.WriteHeader(204)
			return
		}
		io.WriteString(w, body)
	case r.Method == "GET" && strings.HasPrefix(p, "/revocation-list/"):
		id := strings.TrimPrefix(p, "/revocation-list/")
		if g.gone[id] {
			problem(w, 410, "0x000", "Batch already deleted")
			return
		}
		b, ok := g.batches[id]
		if !ok {
			problem(w, 404, "0x000", "Batch not found")
			return
		}
		w.Header().Set("ETag", id)
		w.Header().Set("Content-Type", "application/cms")
		io.WriteString(w, b)
	default:
		g.receive(w, r, cc)
	}
}

func (g *fakeGateway) receive(w http.ResponseWriter, r *http.Request, cc string) {
	body, _ := io.ReadAll(r.Body)
	g.uploads = append(g.uploads, upload{r.Method, r.URL.Path, r.Header.Get("Content-Type"), string(body)})
	der, err := cms.DecodeBase64(string(body))
	if err != nil {
		problem(w, 400, "0x402", "Failed to parse CMS message")
		return
	}
	sd, err := cms.Parse(der)
	if err != nil {
		problem(w, 400, "0x402", "Failed to parse CMS message")
		return
	}
	if _, err := sd.Verify(nil); err != nil {
		problem(w, 400, "0x009", "Invalid signature")
		return
	}
	switch r.Method + " " + r.URL.Path {
	case "POST /signerCertificate":
		sum := sha256.Sum256(sd.Content)
		if g.dscs[sum] {
			problem(w, 409, "0x002", "Signer certificate already exists")
			return
		}
		g.dscs[sum] = true
		w.WriteHeader(201)
	case "POST /rules":
		w.WriteHeader(201)
	case "POST /revocation-list":
		w.Header().Set("ETag", "0f6d2ac6-6a3c-4f3c-9a5e-1b2c3d4e5f60")
		w.WriteHeader(201)
	case "DELETE /signerCertificate", "DELETE /rules", "DELETE /revocation-list":
		w.WriteHeader(204)
	default:
		http.NotFound(w, r)
	}
}

// testGateway starts a fake gateway trusting the countries' AUTHENTICATION
// certificates and returns a Config for the first country.
func testGateway(t testing.TB, ta *party, cs ...*country) (*fakeGateway, gateway.Config, *httptest.Server) {
	t.Helper()
	g := &fakeGateway{
		auth: map[[32]byte]string{}, trust: entries(t, ta, cs...),
		valuesets: map[string]string{}, rules: map[string]string{}, revPages: map[string]string{},
		batches: map[string]string{}, gone: map[string]bool{}, fail: map[string]failure{},
		headers: map[string][]string{}, dscs: map[[32]byte]bool{},
	}
	pool := x509.NewCertPool()
	for _, c := range cs {
		g.auth[sha256.Sum256(c.Auth.Cert.Raw)] = c.Code
		pool.AddCert(c.Auth.Cert)
		g.countries = append(g.countries, c.Code)
	}
	srv := httptest.NewUnstartedServer(g)
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	me := cs[0]
	cfg := gateway.Config{
		BaseURL:     srv.URL,
		AuthKey:     writeKey(t, dir, "auth.key", me.Auth.Key),
		AuthCert:    writePEM(t, dir, "auth.pem", me.Auth.Cert),
		UploadKey:   writeKey(t, dir, "up.key", me.Up.Key),
		UploadCert:  writePEM(t, dir, "up.pem", me.Up.Cert),
		ServerCA:    writePEM(t, dir, "server-ca.pem", srv.Certificate()),
		TrustAnchor: writePEM(t, dir, "ta.pem", ta.Cert),
	}
	return g, cfg, srv
}

func newClient(t testing.TB, cfg gateway.Config) *gateway.Client {
	t.Helper()
	c, err := gateway.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// ruleJSON is a valid rule of country cc.
func ruleJSON(cc, id, version string) string {
	return fmt.Sprintf(`{"Identifier":%q,"Type":"Acceptance","Country":%q,"Version":%q,"SchemaVersion":"1.0.0","Engine":"CERTLOGIC","EngineVersion":"1.0.0","CertificateType":"Vaccination","Description":[{"lang":"en","desc":"At least one vaccination entry must be present."}],"ValidFrom":"2021-07-01T00:00:00Z","ValidTo":"2030-06-01T00:00:00Z","AffectedFields":["v"],"Logic":{"!":[{"!":[{"var":"payload.v.0"}]}]}}`, id, cc, version)
}
