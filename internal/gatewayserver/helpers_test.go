package gatewayserver_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dcc/cms"
	"dcc/internal/gatewayserver"
	"dcc/pki"
)

// fixture is a demo gateway (ES and FR onboarded) behind a real TLS
// listener that requires a client certificate, with a settable clock.
type fixture struct {
	t     *testing.T
	demo  *gatewayserver.Demo
	store *gatewayserver.Store
	srv   *httptest.Server
	clock atomic.Int64 // Unix nanoseconds
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newFixture(t *testing.T) *fixture { return newFixtureOn(t, "") }

// newFixtureOn is newFixture on the database dsn ("": the demo's SQLite),
// with the demo's countries onboarded into it.
func newFixtureOn(t *testing.T, dsn string) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{t: t}
	f.clock.Store(t0.UnixNano())
	d, fresh, err := gatewayserver.OpenDemo(ctx, t.TempDir(), t0)
	if err != nil || !fresh {
		t.Fatal(err, fresh)
	}
	f.demo = d
	if dsn == "" {
		dsn = d.DSN
	}
	if f.store, err = gatewayserver.Open(ctx, dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.store.Close() })
	if dsn != d.DSN {
		for _, c := range d.Countries {
			err := gatewayserver.Onboard(ctx, f.store, d.Anchor, gatewayserver.Onboarding{Country: c.Code,
				Authentication: []*x509.Certificate{c.Auth}, Upload: []*x509.Certificate{c.Upload}, CSCA: []*x509.Certificate{c.CSCA},
				Roles: []string{gatewayserver.RoleListReader, gatewayserver.RoleUploader, gatewayserver.RoleDeleter}}, t0)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	h, err := gatewayserver.NewHandler(gatewayserver.Config{Store: f.store, Anchor: d.Anchor.Cert, Now: f.now})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewUnstartedServer(h)
	f.srv.TLS = gatewayserver.ServerTLS(d.TLS)
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) now() time.Time { return time.Unix(0, f.clock.Load()).UTC() }

func (f *fixture) advance(d time.Duration) { f.clock.Add(int64(d)) }

func (f *fixture) country(cc string) gatewayserver.DemoCountry {
	for _, c := range f.demo.Countries {
		if c.Code == cc {
			return c
		}
	}
	f.t.Fatalf("no demo country %s", cc)
	return gatewayserver.DemoCountry{}
}

// client authenticates with cert and key over mutual TLS.
func (f *fixture) client(cert *x509.Certificate, key crypto.Signer) *http.Client {
	roots := x509.NewCertPool()
	roots.AddCert(f.demo.TLS.Leaf)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: "localhost",
		Certificates: []tls.Certificate{{Certificate: [][]byte{cert.Raw}, PrivateKey: key}}}}
	f.t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func (f *fixture) as(cc string) *http.Client {
	c := f.country(cc)
	return f.client(c.Auth, c.AuthKey)
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) problem(t *testing.T) gatewayserver.Problem {
	t.Helper()
	var p gatewayserver.Problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("status %d, body %q: not a ProblemReport: %v", r.status, r.body, err)
	}
	return p
}

// want checks the status and, for an error, the ProblemReport's code.
func (r response) want(t *testing.T, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if code != "" {
		if p := r.problem(t); p.Code != code {
			t.Fatalf("code %s, want %s; %+v", p.Code, code, p)
		}
	}
}

func (f *fixture) do(c *http.Client, method, path, ctype, body string, hdr ...string) response {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}
}

// signed is the base64 embedded CMS over content, as an upload carries it.
func (f *fixture) signed(content []byte, cert *x509.Certificate, key crypto.Signer) string {
	f.t.Helper()
	der, err := cms.Sign(content, key, cert, cms.SignOptions{AlgorithmProtection: true, Now: f.now})
	if err != nil {
		f.t.Fatal(err)
	}
	return cms.EncodeBase64(der)
}

func (f *fixture) byUpload(cc string, content []byte) string {
	c := f.country(cc)
	return f.signed(content, c.Upload, c.UploadKey)
}

func (f *fixture) newDSC(cc string) *x509.Certificate {
	f.t.Helper()
	c := f.country(cc)
	return f.dscUnder(c.CSCA, c.CSCAKey, cc)
}

func (f *fixture) dscUnder(csca *x509.Certificate, key crypto.Signer, cc string) *x509.Certificate {
	f.t.Helper()
	k, err := newTestKey()
	if err != nil {
		f.t.Fatal(err)
	}
	dsc, err := pki.NewDSC(csca, key, k.Public(), pki.DSCOptions{Country: cc, Now: f.now()})
	if err != nil {
		f.t.Fatal(err)
	}
	return dsc
}

func (f *fixture) trustList(c *http.Client, path string, hdr ...string) []gatewayserver.TrustListEntry {
	f.t.Helper()
	r := f.do(c, "GET", path, "", "", hdr...)
	r.want(f.t, 200, "")
	var out []gatewayserver.TrustListEntry
	if err := json.Unmarshal(r.body, &out); err != nil {
		f.t.Fatal(err)
	}
	return out
}

// ruleJSON is a valid rule of the gateway's schema, grant-all.
func ruleJSON(id, typ, country, certType, version string, from, to time.Time) []byte {
	return fmt.Appendf(nil, `{"Identifier": %q, "Type": %q, "Country": %q, "Version": %q, "SchemaVersion": "1.0.0",
 "Engine": "CERTLOGIC", "EngineVersion": "1.0.0", "CertificateType": %q,
 "Description": [{"lang": "en", "desc": "A rule that lets every certificate pass."}],
 "ValidFrom": %q, "ValidTo": %q, "AffectedFields": ["v"],
 "Logic": {"if": [true, true, {"var": "payload.v"}]}}`,
		id, typ, country, version, certType, from.Format(time.RFC3339), to.Format(time.RFC3339))
}

func batchJSON(cc string, expires time.Time, n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"country": %q, "expires": %q, "kid": "UNKNOWN_KID", "hashType": "UCI", "entries": [`, cc, expires.Format(time.RFC3339))
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"hash": "%s"}`, fmt.Sprintf("%022d", i)[:22]+"==")
	}
	b.WriteString("]}")
	return b.Bytes()
}
