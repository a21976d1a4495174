package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"dcc/internal/app"
	"dcc/internal/certpdf"
	"dcc/internal/config"
	"dcc/internal/demo"
	"dcc/internal/server"
	"dcc/internal/web"
)

// system is the demo country served the way `dcc serve` serves it: the API
// and the UI on one mux behind the API's middleware.
type system struct {
	url   string
	app   *app.App
	api   *server.Server
	creds *demo.Credentials
	dir   string
}

func newSystem(t testing.TB, configure func(*web.Config)) *system {
	t.Helper()
	return openSystem(t, systemOptions{web: configure})
}

// systemOptions change the demo system before it serves.
type systemOptions struct {
	file   string               // the demo's configuration file; "": the all-in-one
	config func(*config.Config) // before app.Open
	app    func(*app.App)       // before serving
	api    func(*server.Config)
	web    func(*web.Config)
}

func openSystem(t testing.TB, o systemOptions) *system {
	t.Helper()
	dir := t.TempDir()
	if _, err := demo.Create(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	creds, err := demo.ReadCredentials(dir)
	if err != nil {
		t.Fatal(err)
	}
	if o.file == "" {
		o.file = demo.ConfigFile
	}
	cfg, err := config.Load(filepath.Join(dir, o.file))
	if err != nil {
		t.Fatal(err)
	}
	if o.config != nil {
		o.config(cfg)
	}
	a, err := app.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if o.app != nil {
		o.app(a)
	}
	pdf, err := certpdf.New(a.ValueSets)
	if err != nil {
		t.Fatal(err)
	}
	sc := server.Config{
		Deployment: a.Deployment, Issuance: a.Issuance, Records: a.Records, PDF: pdf,
	}
	if a.Verification != nil { // as dcc serve does: never a typed nil in the interface
		sc.Verifier = a.Verification
	}
	if o.api != nil {
		o.api(&sc)
	}
	api := server.New(sc)
	mux := http.NewServeMux()
	api.Routes(mux)
	pol := cfg.DosePolicy()
	wc := web.Config{
		API: api, Deployment: a.Deployment, Issuance: a.Issuance, Records: a.Records, ValueSets: a.ValueSets,
		Store: a.Store, SessionTTL: time.Duration(cfg.HTTP.SessionTTL), Demo: cfg.Demo, DosePolicy: &pol,
		Location: time.UTC, Verifier: sc.Verifier,
	}
	if o.web != nil {
		o.web(&wc)
	}
	ui, err := web.New(wc)
	if err != nil {
		t.Fatal(err)
	}
	ui.Routes(mux)
	srv := httptest.NewServer(api.Wrap(mux))
	t.Cleanup(srv.Close)
	return &system{url: srv.URL, app: a, api: api, creds: creds, dir: dir}
}

func (s *system) authorityToken(t testing.TB, id string) string {
	t.Helper()
	for _, a := range s.creds.Authorities {
		if a.ID == id {
			return a.Token
		}
	}
	t.Fatalf("no demo authority %s", id)
	return ""
}

func (s *system) labToken() string      { return s.creds.Labs[0].Token }
func (s *system) operatorToken() string { return s.creds.Operators[0].Token }

// client is a browser without a browser: a cookie jar, redirects not
// followed so that tests see them.
type client struct {
	t    testing.TB
	base string
	hc   *http.Client
}

func (s *system) client(t testing.TB) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: s.url, hc: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type response struct {
	*http.Response
	// body is the page without the marks of its English halves (<span
	// lang="en">…</span>), so that tests read the texts as people do; raw
	// is the page as served.
	body, raw string
}

var englishHalf = regexp.MustCompile(`<span lang="en">([^<]*)</span>`)

func (c *client) do(req *http.Request) *response {
	c.t.Helper()
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return &response{Response: res, body: englishHalf.ReplaceAllString(string(b), "$1"), raw: string(b)}
}

func (c *client) get(path string) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post sends a form; header adds request headers (Sec-Fetch-Site, Origin).
func (c *client) post(path string, form url.Values, header ...string) *response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.do(req)
}

var csrfPattern = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the CSRF token of a page's forms.
func (r *response) csrf(t testing.TB) string {
	t.Helper()
	m := csrfPattern.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no CSRF token in the page:\n%s", r.body)
	}
	return html.UnescapeString(m[1])
}

func (r *response) want(t testing.TB, status int) *response {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d\n%s", r.Request.Method, r.Request.URL.Path, r.StatusCode, status, r.body)
	}
	return r
}

func (r *response) location(t testing.TB) string {
	t.Helper()
	l := r.Header.Get("Location")
	if l == "" {
		t.Fatalf("no Location in the %d response", r.StatusCode)
	}
	return l
}

// signIn signs in with a token through the sign-in form.
func (c *client) signIn(token string) {
	c.t.Helper()
	page := c.get("/signin").want(c.t, http.StatusOK)
	res := c.post("/signin", url.Values{"csrf": {page.csrf(c.t)}, "token": {token}})
	res.want(c.t, http.StatusSeeOther)
	if l := res.location(c.t); l != "/" {
		c.t.Fatalf("sign-in redirects to %s, want /", l)
	}
}

// csrfToken is the session's CSRF token, read from the home page.
func (c *client) csrfToken() string {
	c.t.Helper()
	return c.get("/").want(c.t, http.StatusOK).csrf(c.t)
}

// sampleTime is a datetime-local value hours ago, in UTC (the tests' UI
// location).
func sampleTime(hoursAgo int) string {
	return time.Now().UTC().Add(-time.Duration(hoursAgo) * time.Hour).Format("2006-01-02T15:04")
}

// testForm is a PCR test as a laboratory fills in the form.
func testForm(csrf string) url.Values {
	return url.Values{
		"csrf": {csrf}, "action": {"issue"},
		"nam.fn": {"Musterfrau-Gößinger"}, "nam.gn": {"Gabriele"}, "dob": {"1998-02-26"},
		"t.tt": {"LP6464-4"}, "t.sc": {sampleTime(3)}, "t.tr": {"260415000"}, "t.co": {"ES"},
	}
}
