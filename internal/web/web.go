package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"dcc/doses"
	"dcc/i18n"
	"dcc/internal/deployment"
	"dcc/internal/issuance"
	"dcc/internal/server"
	"dcc/qr"
	"dcc/registry"
	"dcc/valueset"
)

// Config assembles the UI.
type Config struct {
	API        *server.Server // authentication, QR and PDF rendering, problem mapping
	Deployment *deployment.Deployment
	Issuance   *issuance.Service // nil where nothing is issued (registry role)
	Records    *issuance.Records
	ValueSets  *valueset.Store
	Store      *registry.Store // for auditing sign-ins
	SessionTTL time.Duration   // how long a sign-in lasts; zero: 8h
	// SecureCookies marks cookies Secure (the server speaks TLS).
	SecureCookies bool
	Demo          bool // show the demo banner
	Log           *slog.Logger
	// DosePolicy numbers the doses the vaccination form previews; give it
	// the issuance service's policy so that the preview and the certificate
	// agree (nil: doses.DefaultPolicy()).
	DosePolicy *doses.Policy
	// Location reads the times typed into forms (sample collection, search
	// dates) and shows stored times; nil: time.Local.
	Location *time.Location
	// Now is the clock of sessions and of verifications without a
	// validation time; nil: time.Now.
	Now func() time.Time
	// PageSize is how many certificates a registry page lists; zero: 50.
	PageSize int
	// Verifier, when set, serves the public page /verify, where people at
	// borders and venues check a certificate; nil: no such page.
	Verifier server.Verifier
	// Gateway, when set, serves registry operators the page
	// /registry/gateway: the synchronisation with the EU DCC Gateway.
	Gateway GatewayStatus
}

// UI is the web interface.
type UI struct {
	c         Config
	pages     map[string]*template.Template
	sessions  *sessions
	signinKey []byte // HMAC key of the sign-in form's token
	cop       *http.CrossOriginProtection
	qr        qr.Renderer
	policy    doses.Policy
	// limiter bounds what the public verify page may cost (and the API's
	// image decoding bounds).
	limiter *addressLimiter
	vt      verifyTable // the verify page's messages, built once
}

//go:embed templates/*.html assets/*
var files embed.FS

// pageNames are the templates/<name>.html files, each rendered in the
// layout.
var pageNames = []string{"signin", "home", "issue", "certificate", "registry", "stats", "error", "verify", "outbox", "gateway"}

// New builds the UI.
func New(c Config) (*UI, error) {
	if c.API == nil || c.Deployment == nil || c.Records == nil || c.ValueSets == nil || c.Store == nil {
		return nil, errors.New("web: API, Deployment, Records, ValueSets and Store are required")
	}
	if c.SessionTTL == 0 {
		c.SessionTTL = 8 * time.Hour
	}
	if c.SessionTTL < 0 {
		return nil, errors.New("web: SessionTTL must not be negative")
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Location == nil {
		c.Location = time.Local
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.PageSize <= 0 {
		c.PageSize = 50
	}
	u := &UI{
		c:         c,
		pages:     map[string]*template.Template{},
		sessions:  newSessions(c.SessionTTL, c.Now),
		signinKey: randomBytes(32),
		cop:       http.NewCrossOriginProtection(),
		vt:        verifyText(),
		policy:    doses.DefaultPolicy(),
	}
	if c.DosePolicy != nil {
		u.policy = *c.DosePolicy
	}
	if c.Verifier != nil {
		u.limiter = newAddressLimiter(c.API.RatePerSecond, c.API.Burst)
	}
	if err := u.policy.Validate(); err != nil {
		return nil, fmt.Errorf("web: dose policy: %w", err)
	}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(template.FuncMap{"bi": bi}).ParseFS(files,
			"templates/layout.html", "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", name, err)
		}
		u.pages[name] = t
	}
	return u, nil
}

// Routes registers the pages on mux.
func (u *UI) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /assets/style.css", u.asset("style.css", "text/css; charset=utf-8"))
	// Browsers ask for /favicon.ico whatever the page links; both are the
	// same drawing.
	mux.HandleFunc("GET /assets/favicon.svg", u.asset("favicon.svg", "image/svg+xml"))
	mux.HandleFunc("GET /favicon.ico", u.asset("favicon.svg", "image/svg+xml"))
	if u.c.Verifier != nil {
		mux.HandleFunc("GET /assets/verify.js", u.asset("verify.js", "text/javascript; charset=utf-8"))
		mux.HandleFunc("GET /verify", u.verifyPage)
		mux.HandleFunc("POST /verify", u.verifyPost)
	}
	mux.HandleFunc("GET /signin", u.signinPage)
	mux.HandleFunc("POST /signin", u.signin)
	mux.HandleFunc("POST /signout", u.authed(u.signout))
	mux.HandleFunc("GET /{$}", u.authed(u.home))
	mux.HandleFunc("GET /issue/{type}", u.authed(u.issueForm))
	mux.HandleFunc("POST /issue/{type}", u.authed(u.issuePost))
	mux.HandleFunc("GET /certificates", u.authed(u.lookup))
	mux.HandleFunc("GET /certificates/{uvci}", u.authed(u.certificate))
	mux.HandleFunc("GET /certificates/{uvci}/qr.png", u.authed(u.qrPNG))
	mux.HandleFunc("GET /certificates/{uvci}/pdf", u.authed(u.pdf))
	mux.HandleFunc("POST /certificates/{uvci}/revoke", u.authed(u.revoke))
	mux.HandleFunc("GET /registry", u.authed(u.search))
	mux.HandleFunc("POST /registry/holder", u.authed(u.searchHolder))
	mux.HandleFunc("GET /registry/stats", u.authed(u.stats))
	if u.c.Gateway != nil {
		mux.HandleFunc("GET /registry/gateway", u.authed(u.gateway))
	}
	if u.c.API.Outbox != nil {
		mux.HandleFunc("GET /outbox", u.authed(u.outboxPage))
		mux.HandleFunc("POST /outbox/retry", u.authed(u.outboxRetry))
	}
}

// csp allows no script at all: every function works with plain forms.
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

// verifyCSP is the verify page's: its camera needs the one script of the
// UI, from this origin (no inline script, no eval), which posts camera
// frames back here. The preview needs no media-src: a video element's
// srcObject (the camera's stream) is not a fetch.
const verifyCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// asset serves an embedded file of assets/.
func (u *UI) asset(name, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := files.ReadFile("assets/" + name)
		if err != nil {
			u.c.Log.Error("web: asset", "name", name, "err", err.Error())
			http.Error(w, "no such asset", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "max-age=3600")
		_, _ = w.Write(b)
	}
}

// view is what every page's template gets: the layout's part and the
// page's own data.
type view struct {
	Title     string
	Demo      bool
	User      *deployment.Principal
	CSRF      string
	Issue     []typeLink // the forms the user may open
	CanSearch bool
	Verify    bool // the verify page exists
	Gateway   bool // the gateway page exists
	Page      any
}

type typeLink struct {
	Path, Label string
}

// render writes a page, buffered so that a template error becomes a clean
// error page rather than half a page.
func (u *UI) render(w http.ResponseWriter, r *http.Request, s *session, status int, name, title string, data any) {
	v := view{Title: title, Demo: u.c.Demo, Verify: u.c.Verifier != nil, Gateway: u.c.Gateway != nil, Page: data}
	if s != nil {
		p := s.principal
		v.User, v.CSRF = &p, s.csrf
		v.Issue = u.typeLinks(p)
		v.CanSearch = u.c.Deployment.CanSearch(p) == nil
	}
	var buf bytes.Buffer
	if err := u.pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		u.c.Log.Error("web: render", "route", r.Pattern, "page", name, "err", err.Error())
		writeHTMLHeaders(w)
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("<!doctype html><title>Error</title><p>Error interno / Internal error.</p>"))
		return
	}
	writeHTMLHeaders(w)
	if name == "verify" {
		w.Header().Set("Content-Security-Policy", verifyCSP)
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeHTMLHeaders: pages carry personal data, so nothing is cached.
func writeHTMLHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", csp)
}

// errorPage is a friendly page for a failed request.
type errorPage struct {
	Status  int
	Heading i18n.Text
	Detail  i18n.Text
	Notes   []i18n.Text
	Back    string
}

// errorView is an errorPage as the template prints it.
type errorView struct {
	Status  int
	Heading template.HTML
	Detail  template.HTML
	Notes   []template.HTML
	Back    string
}

func (u *UI) errorPage(w http.ResponseWriter, r *http.Request, s *session, e errorPage) {
	if e.Back == "" {
		e.Back = "/"
	}
	v := errorView{Status: e.Status, Heading: bi(e.Heading), Detail: bi(e.Detail), Notes: bis(e.Notes), Back: e.Back}
	if e.Detail.IsZero() {
		v.Detail = ""
	}
	u.render(w, r, s, e.Status, "error", e.Heading.String(), v)
}

// fail shows an error of the packages behind the UI as a page with the
// right status. The message of an unexpected error is logged with the
// route pattern (never the path, which may hold a UVCI) and not shown.
func (u *UI) fail(w http.ResponseWriter, r *http.Request, s *session, err error) {
	var fe *deployment.ForbiddenError
	var ce *issuance.ConflictError
	switch {
	case errors.As(err, &fe):
		u.errorPage(w, r, s, errorPage{Status: http.StatusForbidden,
			Heading: msg.NotAllowed, Detail: fe.Text, Notes: []i18n.Text{msg.NothingDone}})
	case errors.Is(err, issuance.ErrNotFound):
		u.errorPage(w, r, s, errorPage{Status: http.StatusNotFound, Heading: msg.CertNotFound, Detail: msg.CertNotFoundDetail})
	case errors.As(err, &ce):
		u.errorPage(w, r, s, errorPage{Status: http.StatusConflict, Heading: msg.Conflict, Detail: ce.Text})
	default:
		u.c.Log.Error("web: request failed", "route", r.Pattern, "err", err.Error())
		u.errorPage(w, r, s, errorPage{Status: http.StatusInternalServerError, Heading: msg.Internal, Detail: msg.InternalDetail})
	}
}

func (u *UI) notFound(w http.ResponseWriter, r *http.Request, s *session, detail i18n.Text) {
	u.errorPage(w, r, s, errorPage{Status: http.StatusNotFound, Heading: msg.NotFound, Detail: detail})
}
