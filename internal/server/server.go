package server

import (
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"dcc"
	"dcc/internal/certpdf"
	"dcc/internal/delivery"
	"dcc/internal/deployment"
	"dcc/internal/issuance"
	"dcc/qr"
	"dcc/revocation"
)

// PDF renders the holder's printable certificate.
type PDF interface {
	Render(w io.Writer, c certpdf.Certificate) error
}

// Config assembles a Server.
type Config struct {
	Deployment *deployment.Deployment
	// Issuance issues certificates; nil where nothing is issued (registry).
	Issuance *issuance.Service
	// Records reads, searches and revokes; required.
	Records *issuance.Records
	// Registry takes deliveries from authorities; nil outside the registry
	// role.
	Registry Deliveries
	// DeliveryAuthorities may deliver (by client certificate common name);
	// empty means every authority of the deployment.
	DeliveryAuthorities []string
	// Audit records failed authentications (the registry store); nil
	// records nothing.
	Audit Auditor
	// TrustList, when set, is published at /api/v1/trustlist; Revoked,
	// when set, at /api/v1/revocations (the national backend: roles all and
	// registry).
	TrustList TrustList
	Revoked   RevokedSource
	// OtherRevocations, when set, adds the other countries' batches
	// downloaded from the EU DCC Gateway to /api/v1/revocations.
	OtherRevocations func() []revocation.Batch
	// Verifier, when set, serves POST /api/v1/verify (no credentials;
	// bodies up to MaxImageBytes, for photos).
	Verifier      Verifier
	MaxImageBytes int64
	// The bounds on decoding photos, shared with the web page /verify:
	// MaxImagePixels per image (413 beyond), ImageDecodes at once (zero:
	// one per core) within ImageMemory bytes together, and ImageWait for a
	// turn before 429. Zero values take the defaults.
	MaxImagePixels int64
	ImageDecodes   int
	ImageMemory    int64
	ImageWait      time.Duration
	// Role is reported by /healthz; Outbox, when set (role authority),
	// makes /healthz report the records not yet delivered to the registry,
	// and serves GET /api/v1/outbox and POST /api/v1/outbox/retry to the
	// staff of OutboxAuthority; Delivery is the worker that empties it.
	Role            string
	Outbox          Outbox
	OutboxAuthority string
	Delivery        interface{ Status() delivery.Status }
	PDF             PDF
	// Demo marks the PDFs of GET /api/v1/certificates/{uvci}/pdf as demo
	// material (config demo: true).
	Demo          bool
	MaxBodyBytes  int64
	RatePerSecond float64
	Burst         int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For (and
	// X-Forwarded-Proto) Wrap believes; requests from anywhere else are
	// taken at their peer address.
	TrustedProxies []netip.Prefix
	// Metrics, when set, counts every request and serves GET /metrics:
	// with MetricsToken as a bearer token, or to loopback clients only
	// when MetricsToken is empty.
	Metrics      Metrics
	MetricsToken string
	// Gateway, when set, serves GET /api/v1/gateway/status to operators.
	Gateway GatewayStatus
	Log     *slog.Logger
	Now     func() time.Time
}

// Metrics counts requests and serves them (package metrics).
type Metrics interface {
	ObserveHTTP(method, route string, code int, d time.Duration)
	Handler() http.Handler
}

// Server is the HTTP API.
type Server struct {
	Config
	log      *slog.Logger
	qrPNG    qr.Renderer
	limiters sync.Map // actor → *rate.Limiter
	guard    *guard   // failed authentications
	images   *imageGate
}

// New builds a Server.
func New(c Config) *Server {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 64 << 10
	}
	if c.MaxImageBytes == 0 {
		c.MaxImageBytes = DefaultMaxImageBytes
	}
	if c.MaxImagePixels == 0 {
		c.MaxImagePixels = DefaultMaxImagePixels
	}
	if c.ImageDecodes == 0 {
		c.ImageDecodes = runtime.GOMAXPROCS(0)
	}
	if c.ImageMemory == 0 {
		c.ImageMemory = DefaultImageMemory
	}
	if c.ImageWait == 0 {
		c.ImageWait = DefaultImageWait
	}
	if c.RatePerSecond == 0 {
		c.RatePerSecond, c.Burst = 100, 200
	}
	return &Server{Config: c, log: c.Log, guard: newGuard(), images: newImageGate(c.ImageDecodes, c.ImageMemory)}
}

// Mux is where routes are registered (an *http.ServeMux).
type Mux interface {
	Handle(pattern string, h http.Handler)
	HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request))
}

// Routes registers the API on mux.
func (s *Server) Routes(mux Mux) {
	mux.HandleFunc("GET /api/v1/openapi.json", s.openAPI)
	mux.HandleFunc("GET /healthz", s.health)
	if s.Issuance != nil {
		for _, t := range []dcc.Type{dcc.Vaccination, dcc.Test, dcc.Recovery} {
			mux.Handle("POST /api/v1/certificates/"+deployment.TypeName(t), s.authed(s.issue(t)))
		}
		mux.Handle("POST /api/v1/certificates/{uvci}/reissue", s.authed(s.reissue))
	}
	mux.Handle("GET /api/v1/certificates/{uvci}", s.authed(s.get))
	mux.Handle("GET /api/v1/certificates/{uvci}/qr.png", s.authed(s.qr("png")))
	mux.Handle("GET /api/v1/certificates/{uvci}/qr.svg", s.authed(s.qr("svg")))
	mux.Handle("GET /api/v1/certificates/{uvci}/pdf", s.authed(s.pdf))
	mux.Handle("POST /api/v1/certificates/{uvci}/revoke", s.authed(s.revoke))
	mux.Handle("GET /api/v1/registry/certificates", s.authed(s.search))
	mux.Handle("POST /api/v1/registry/certificates/search", s.authed(s.searchHolder))
	mux.Handle("GET /api/v1/registry/stats", s.authed(s.stats))
	if s.Outbox != nil {
		mux.Handle("GET /api/v1/outbox", s.authed(s.outbox))
		mux.Handle("POST /api/v1/outbox/retry", s.authed(s.outboxRetry))
	}
	if s.Registry != nil {
		mux.HandleFunc("POST /api/v1/registry/records", s.deliver)
		mux.HandleFunc("GET /api/v1/registry/records/revoked", s.revokedOf)
	}
	if s.TrustList != nil {
		mux.HandleFunc("GET /api/v1/trustlist", s.trustList)
	}
	if s.Revoked != nil {
		mux.HandleFunc("GET /api/v1/revocations", s.revocations)
	}
	if s.Verifier != nil {
		mux.HandleFunc("POST /api/v1/verify", s.verifyAPI)
	}
	if s.Metrics != nil {
		mux.HandleFunc("GET /metrics", s.metrics)
	}
	if s.Gateway != nil {
		mux.Handle("GET /api/v1/gateway/status", s.authed(s.gatewayStatus))
	}
}

// metrics serves the counters to a scraper holding the metrics token, or
// without one configured, to this host only.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	if s.MetricsToken != "" {
		tok, _ := bearer(r)
		got, want := sha256.Sum256([]byte(tok)), sha256.Sum256([]byte(s.MetricsToken))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="dcc metrics"`)
			problem(w, http.StatusUnauthorized, probUnauth, "Metrics token required",
				"Send the token of http.metricsTokenFile as a bearer token.")
			return
		}
	} else if ip, err := netip.ParseAddr(remoteIP(r)); err != nil || !ip.Unmap().IsLoopback() {
		problem(w, http.StatusForbidden, probForbidden, "Not allowed",
			"Metrics are served to this host only; configure http.metricsTokenFile to scrape from elsewhere.")
		return
	}
	s.Metrics.Handler().ServeHTTP(w, r)
}

// Health is the body of /healthz.
type Health struct {
	Status        string `json:"status"` // "ok" or "unavailable"
	Role          string `json:"role,omitempty"`
	OutboxPending *int   `json:"outboxPending,omitempty"`
	// OutboxParked counts records the registry refused, which wait for an
	// operator (GET /api/v1/outbox); RegistryReachable is false while the
	// registry cannot take deliveries.
	OutboxParked      *int  `json:"outboxParked,omitempty"`
	RegistryReachable *bool `json:"registryReachable,omitempty"`
}

// health answers liveness and, for an authority, the delivery backlog: a
// growing outboxPending means the registry has not confirmed records, a
// non-zero outboxParked that it refused some.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	h := Health{Status: "ok", Role: s.Role}
	if s.Outbox != nil {
		n, err := s.Outbox.OutboxPending(r.Context())
		var parked int
		if err == nil {
			parked, err = s.Outbox.OutboxParked(r.Context())
		}
		if err != nil {
			s.log.Error("health: store unavailable", "err", err.Error())
			writeJSON(w, http.StatusServiceUnavailable, Health{Status: "unavailable", Role: s.Role})
			return
		}
		h.OutboxPending, h.OutboxParked = &n, &parked
	}
	if s.Delivery != nil {
		ok := s.Delivery.Status().Reachable
		h.RegistryReachable = &ok
	}
	writeJSON(w, http.StatusOK, h)
}

// Handler is the API alone, wrapped in the common middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Routes(mux)
	return s.Wrap(mux)
}

// Wrap adds what every response needs: security headers, the body limit
// and an access log line without personal data.
func (s *Server) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		forwardedHTTPS := s.behindProxy(r)
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		// same-origin, not no-referrer: browsers then send Origin on same-site
		// form posts, which the UI's cross-origin check reads; other sites
		// still learn nothing (a path may hold a UVCI).
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		if r.TLS != nil || forwardedHTTPS {
			hd.Set("Strict-Transport-Security", "max-age=31536000")
		}
		limit := s.MaxBodyBytes
		switch {
		case uploadPaths[r.URL.Path]:
			limit = s.MaxImageBytes + 64<<10 // a photo of a QR code, and a form around it
		case r.URL.Path == delivery.Path && s.Registry != nil:
			limit = delivery.MaxBatchBytes // what the delivery worker sizes its batches to
		}
		if r.ContentLength > limit {
			problem(w, http.StatusRequestEntityTooLarge, probTooLarge, "Request body too large",
				"The limit is "+strconv.FormatInt(limit, 10)+" bytes.")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		// The route pattern, not the path: a path may hold a UVCI. A path
		// that matched no route is named, shortened, so that an operator
		// sees what was asked for (a stale link, a probe).
		attrs := []any{"method", r.Method, "route", r.Pattern, "status", sw.status(),
			"ms", time.Since(start).Milliseconds(), "actor", sw.actor}
		if r.Pattern == "" {
			attrs = append(attrs, "path", shorten(r.URL.Path, 120))
		}
		s.log.Info("http", attrs...)
		if s.Metrics != nil {
			s.Metrics.ObserveHTTP(r.Method, r.Pattern, sw.status(), time.Since(start))
		}
	})
}

// behindProxy makes the request's RemoteAddr the client's when it came
// through a trusted proxy: the right-most address of X-Forwarded-For that
// is not itself a trusted proxy (addresses left of it could be written by
// the client). It reports whether the proxy says the client used HTTPS.
func (s *Server) behindProxy(r *http.Request) bool {
	if len(s.TrustedProxies) == 0 {
		return false
	}
	peer, err := netip.ParseAddr(remoteIP(r))
	if err != nil || !s.trusted(peer.Unmap()) {
		return false
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a garbled hop: keep the last address believed
		}
		r.RemoteAddr = netip.AddrPortFrom(a.Unmap(), 0).String()
		if !s.trusted(a.Unmap()) {
			break
		}
	}
	return strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// uploadPaths take images (the API's and the web page's verification).
var uploadPaths = map[string]bool{"/api/v1/verify": true, "/verify": true}

type statusWriter struct {
	http.ResponseWriter
	code  int
	actor string
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// SetActor tells the access log who made the request (the web UI's
// session handler calls it too).
func SetActor(w http.ResponseWriter, actor string) {
	for {
		switch x := w.(type) {
		case *statusWriter:
			x.actor = actor
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return
		}
	}
}

type authedHandler func(w http.ResponseWriter, r *http.Request, p deployment.Principal)

// authed authenticates the bearer token, applies the credential's rate
// limit, and passes the principal on. Failed attempts are audited by the
// caller's address (never the token); unknown tokens are throttled per
// address and per token, valid ones never.
func (s *Server) authed(h authedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="dcc"`)
			problem(w, http.StatusUnauthorized, probUnauth, "Credentials required",
				"Send the credential as 'Authorization: Bearer <token>'.")
			return
		}
		p, err := s.Authenticate(r, token, "api", s.Audit)
		if te, ok := errors.AsType[*ThrottledError](err); ok {
			w.Header().Set("Retry-After", retryAfter(te.RetryAfter))
			problem(w, http.StatusTooManyRequests, probRateLimited, "Too many failed attempts",
				"Too many unknown credentials came from this address; this one is not accepted either. "+
					"A valid credential is always accepted.")
			return
		}
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="dcc", error="invalid_token"`)
			problem(w, http.StatusUnauthorized, probUnauth, "Credentials not accepted",
				"The token is unknown or revoked.")
			return
		}
		SetActor(w, p.Actor())
		if !s.allow(p.Actor()) {
			w.Header().Set("Retry-After", "1")
			problem(w, http.StatusTooManyRequests, probRateLimited, "Too many requests",
				"This credential's rate limit is exceeded; retry after a second.")
			return
		}
		h(w, r, p)
	})
}

func (s *Server) allow(actor string) bool {
	l, ok := s.limiters.Load(actor)
	if !ok {
		l, _ = s.limiters.LoadOrStore(actor, rate.NewLimiter(rate.Limit(s.RatePerSecond), s.Burst))
	}
	return l.(*rate.Limiter).Allow()
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// shorten cuts s to at most n bytes, on a rune boundary, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
