package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"dcc/i18n"
	"dcc/internal/deployment"
	"dcc/internal/server"
)

// Cookie names. With Secure cookies the __Host- prefix makes the browser
// refuse them unless set over HTTPS for this exact host with Path=/, so a
// sibling subdomain cannot plant or overwrite them.
const (
	sessionCookie = "dcc-session"
	signinCookie  = "dcc-signin"
	csrfField     = "csrf"
	// maxForm bounds a form body; the API's own limit applies too when
	// the UI is mounted behind server.Wrap.
	maxForm = 64 << 10
	// maxSessionsPerPrincipal bounds the memory one credential can claim by
	// signing in again and again; the oldest session goes first.
	maxSessionsPerPrincipal = 32
)

// session is one signed-in browser.
type session struct {
	principal deployment.Principal
	csrf      string // the per-session token every POST form carries
	created   time.Time
	expires   time.Time
}

// sessions are held in memory, keyed by the SHA-256 of their id: the map
// lookup then reveals nothing about a valid id through timing, and a
// memory dump holds no usable cookie.
type sessions struct {
	mu  sync.Mutex
	m   map[[32]byte]*session
	ttl time.Duration
	now func() time.Time
}

func newSessions(ttl time.Duration, now func() time.Time) *sessions {
	return &sessions{m: map[[32]byte]*session{}, ttl: ttl, now: now}
}

// create starts a session for p and returns its id: 256 random bits.
func (ss *sessions) create(p deployment.Principal) (string, *session) {
	id := randomToken()
	now := ss.now()
	s := &session{principal: p, csrf: randomToken(), created: now, expires: now.Add(ss.ttl)}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	var oldestKey [32]byte
	var oldest *session
	n := 0
	for k, x := range ss.m {
		if !now.Before(x.expires) {
			delete(ss.m, k)
			continue
		}
		if x.principal.Actor() == p.Actor() {
			n++
			if oldest == nil || x.created.Before(oldest.created) {
				oldestKey, oldest = k, x
			}
		}
	}
	if n >= maxSessionsPerPrincipal {
		delete(ss.m, oldestKey)
	}
	ss.m[sha256.Sum256([]byte(id))] = s
	c := *s
	return id, &c
}

// get returns a copy of the live session with the id, or nil.
func (ss *sessions) get(id string) *session {
	if id == "" {
		return nil
	}
	k := sha256.Sum256([]byte(id))
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.m[k]
	if !ok {
		return nil
	}
	if !ss.now().Before(s.expires) {
		delete(ss.m, k)
		return nil
	}
	c := *s
	return &c
}

func (ss *sessions) delete(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, sha256.Sum256([]byte(id)))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go ≥ 1.24)
	return b
}

// randomToken is 256 random bits, URL-safe.
func randomToken() string { return base64.RawURLEncoding.EncodeToString(randomBytes(32)) }

func (u *UI) cookieName(base string) string {
	if u.c.SecureCookies {
		return "__Host-" + base
	}
	return base
}

// setCookie sets (maxAge 0: for the browser session) or deletes (maxAge
// < 0) one of the UI's cookies. Every cookie is out of reach of scripts
// and never sent with a request another site starts.
func (u *UI) setCookie(w http.ResponseWriter, base, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: u.cookieName(base), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: u.c.SecureCookies, SameSite: http.SameSiteStrictMode,
	})
}

func (u *UI) cookie(r *http.Request, base string) string {
	c, err := r.Cookie(u.cookieName(base))
	if err != nil {
		return ""
	}
	return c.Value
}

func (u *UI) session(r *http.Request) *session {
	return u.sessions.get(u.cookie(r, sessionCookie))
}

type sessionHandler func(w http.ResponseWriter, r *http.Request, s *session)

// authed passes on the request's session. Without one a page redirects to
// the sign-in. A state-changing request must come from this site (Fetch
// metadata or Origin, when the browser sends them) and carry the session's
// CSRF token.
func (u *UI) authed(h sessionHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		post := r.Method != http.MethodGet && r.Method != http.MethodHead
		if post && u.cop.Check(r) != nil {
			u.forbiddenCSRF(w, r, nil)
			return
		}
		s := u.session(r)
		if s == nil && post {
			// Nothing is done without a session; a redirect would lose the
			// form anyway.
			u.errorPage(w, r, nil, errorPage{Status: http.StatusForbidden,
				Heading: msg.SessionExpired, Detail: msg.SignInAgain, Back: "/signin"})
			return
		}
		if s == nil {
			target := "/signin"
			if r.URL.Path != "/" {
				target += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		server.SetActor(w, s.principal.Actor())
		if post {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := r.ParseForm(); err != nil {
				u.errorPage(w, r, s, errorPage{Status: http.StatusBadRequest,
					Heading: msg.FormUnreadable, Detail: msg.FormUnreadableDetail})
				return
			}
			if !equalTokens(r.PostForm.Get(csrfField), s.csrf) {
				u.forbiddenCSRF(w, r, s)
				return
			}
		}
		h(w, r, s)
	}
}

func equalTokens(got, want string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (u *UI) forbiddenCSRF(w http.ResponseWriter, r *http.Request, s *session) {
	u.errorPage(w, r, s, errorPage{Status: http.StatusForbidden,
		Heading: msg.Refused, Detail: msg.RefusedDetail, Notes: []i18n.Text{msg.Reload}})
}

// signinToken binds the sign-in form to the browser's sign-in cookie
// (double submit). The field is an HMAC of the cookie, so a cookie planted
// by someone else is of no use without the server's key.
func (u *UI) signinToken(cookie string) string {
	m := hmac.New(sha256.New, u.signinKey)
	m.Write([]byte("signin\x00" + cookie))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

type signinPage struct {
	Token string // the form's CSRF token
	Next  string
	Error template.HTML
}

func (u *UI) signinPage(w http.ResponseWriter, r *http.Request) {
	if u.session(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	u.renderSignin(w, r, http.StatusOK, safeNext(r.URL.Query().Get("next")), i18n.Text{})
}

func (u *UI) renderSignin(w http.ResponseWriter, r *http.Request, status int, next string, problem i18n.Text) {
	// An existing cookie is kept so that two open sign-in tabs both work.
	c := u.cookie(r, signinCookie)
	if len(c) != 43 {
		c = randomToken()
		u.setCookie(w, signinCookie, c, 0)
	}
	u.render(w, r, nil, status, "signin", "Acceso / Sign in", signinPage{Token: u.signinToken(c), Next: next, Error: bi(problem)})
}

// signin checks a token as the API does (unknown ones are throttled per
// address, valid ones never), audits the attempt and starts a new session. The token is
// never logged, stored or shown again.
func (u *UI) signin(w http.ResponseWriter, r *http.Request) {
	if u.cop.Check(r) != nil {
		u.forbiddenCSRF(w, r, nil)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		u.errorPage(w, r, nil, errorPage{Status: http.StatusBadRequest, Heading: msg.FormUnreadable, Detail: msg.FormUnreadableDetail})
		return
	}
	c := u.cookie(r, signinCookie)
	if c == "" || !equalTokens(r.PostForm.Get(csrfField), u.signinToken(c)) {
		u.forbiddenCSRF(w, r, nil)
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	// A failure is audited there, by address, aggregated once throttled.
	p, err := u.c.API.Authenticate(r, strings.TrimSpace(r.PostForm.Get("token")), "web", u.c.Store)
	if te, ok := errors.AsType[*server.ThrottledError](err); ok {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(te.RetryAfter/time.Second))))
		u.renderSignin(w, r, http.StatusTooManyRequests, next, msg.Throttled)
		return
	}
	if err != nil {
		u.renderSignin(w, r, http.StatusUnauthorized, next, msg.NotAccepted)
		return
	}
	// No session without its audit entry.
	if err := u.c.Store.AuditSignIn(r.Context(), p.Actor(), true); err != nil {
		u.fail(w, r, nil, err)
		return
	}
	if old := u.cookie(r, sessionCookie); old != "" {
		u.sessions.delete(old) // a sign-in always gets a new id
	}
	id, _ := u.sessions.create(p)
	u.setCookie(w, sessionCookie, id, 0)
	u.setCookie(w, signinCookie, "", -1)
	if next == "" {
		next = "/"
	}
	redirect(w, next)
}

func (u *UI) signout(w http.ResponseWriter, r *http.Request, s *session) {
	u.sessions.delete(u.cookie(r, sessionCookie))
	u.setCookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// safeNext keeps a redirect target only if it is a path of this site, and
// returns it as the Location header will carry it: cleaned of dot segments
// here, so that nothing changes it after the check (http.Redirect cleans
// the path itself, which once turned "/./\host" into "/\host"). Browsers
// read "\" as "/" and drop tabs and newlines anywhere in a URL, so
// "/\host" and "/<tab>/host" are "//host", another site: a target with a
// backslash, a control character, a space or a non-ASCII byte is refused
// outright, as is one that does not start with exactly one "/".
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") {
		return ""
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c <= ' ' || c == '\\' || c >= 0x7f {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	p := u.EscapedPath()
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	// path.Clean leaves no "//", but the rule is what matters.
	if !strings.HasPrefix(clean, "/") || strings.HasPrefix(clean, "//") || clean == "/signin" {
		return ""
	}
	if u.RawQuery != "" {
		clean += "?" + u.RawQuery
	}
	return clean
}

// redirect answers 303 with exactly target as its Location (a path that
// safeNext returned).
func redirect(w http.ResponseWriter, target string) {
	w.Header().Set("Location", target)
	w.WriteHeader(http.StatusSeeOther)
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
