package server

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"dcc/internal/deployment"
)

// Auditor records sign-in attempts (the registry store).
type Auditor interface {
	AuditSignIn(ctx context.Context, actor string, ok bool) error
	// AuditSignInFailures records failed sign-ins counted together: failed
	// of them in the interval that began at since.
	AuditSignInFailures(ctx context.Context, actor string, failed int, since time.Time, interval time.Duration) error
}

// ErrUnknownCredential means that a token is unknown or revoked.
var ErrUnknownCredential = errors.New("server: the credential is unknown or revoked")

// ThrottledError means that a token is unknown and that too many unknown
// ones came from the caller's address (or this one from anywhere) lately.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return "server: too many failed authentications; retry after " + e.RetryAfter.String()
}

// How failed authentications are limited and audited. Checking a token is
// a hash look-up, so the throttle is not there to save work: it stops
// guessing, and a valid token is no guess, so it is never refused.
const (
	failureBurst = 10              // unknown tokens at once from one address, or of one token
	failureEvery = 6 * time.Second // then one more each
	// auditInterval: once an address is throttled, its failures are
	// audited as one row per interval with their count.
	auditInterval = time.Minute
	// defaultFailureKeys bounds each map of the guard: addresses, token
	// hashes, and pending counts.
	defaultFailureKeys = 10_000
)

// guard throttles unknown tokens per address (IPv6 per /64) and per token
// hash, and keeps the audit of failures bounded: a failure that is not
// throttled is audited on its own (while the rows budget of all addresses
// allows); the others are counted and written as one row per actor and
// interval.
type guard struct {
	mu        sync.Mutex
	addrs     map[string]*rate.Limiter
	tokens    map[[32]byte]*rate.Limiter
	rows      *rate.Limiter // individual audit rows, every address together
	pending   map[string]*tally
	lastSweep time.Time
	maxKeys   int
}

// tally counts an actor's failures not audited one by one.
type tally struct {
	audit Auditor
	since time.Time
	n     int
}

// flush is a tally to write.
type flush struct {
	actor string
	tally
}

func newGuard() *guard {
	return &guard{
		addrs: map[string]*rate.Limiter{}, tokens: map[[32]byte]*rate.Limiter{}, pending: map[string]*tally{},
		rows: rate.NewLimiter(10, 100), maxKeys: defaultFailureKeys,
	}
}

// Authenticate checks a token presented to the API (via "api") or the web
// sign-in (via "web"). A valid token always passes. An unknown one is
// ErrUnknownCredential, or a *ThrottledError past the allowance of its
// address or its hash; either way it is audited through audit (nil: not
// audited) by the caller's address, never by its value.
func (s *Server) Authenticate(r *http.Request, token, via string, audit Auditor) (deployment.Principal, error) {
	if p, ok := s.Deployment.Authenticate(token); ok {
		return p, nil
	}
	ip := remoteIP(r)
	now := s.Now()
	throttled, individually, due := s.guard.fail(now, addressKey(ip), sha256.Sum256([]byte(token)), via+":"+ip, audit)
	if individually {
		s.log.Warn("authentication failed", "via", via, "remote", ip)
		if audit != nil {
			if err := audit.AuditSignIn(r.Context(), via+":"+ip, false); err != nil {
				s.log.Error("audit", "err", err.Error())
			}
		}
	}
	s.writeTallies(r.Context(), due)
	if throttled {
		return deployment.Principal{}, &ThrottledError{RetryAfter: failureEvery}
	}
	return deployment.Principal{}, ErrUnknownCredential
}

// FlushAudit writes every failure counted and not yet audited, expired or
// not: at shutdown, so that none is lost.
func (s *Server) FlushAudit(ctx context.Context) {
	s.guard.mu.Lock()
	due := s.guard.take(func(*tally) bool { return true })
	s.guard.mu.Unlock()
	s.writeTallies(ctx, due)
}

// FlushAuditEvery writes the counts whose interval has passed, every
// interval, until ctx is done; without it they are written by the next
// failure after their interval, or by FlushAudit.
func (s *Server) FlushAuditEvery(ctx context.Context) {
	t := time.NewTicker(auditInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			now := s.Now()
			s.guard.mu.Lock()
			due := s.guard.take(func(t *tally) bool { return now.Sub(t.since) >= auditInterval })
			s.guard.mu.Unlock()
			s.writeTallies(ctx, due)
		}
	}
}

func (s *Server) writeTallies(ctx context.Context, due []flush) {
	for _, f := range due {
		s.log.Warn("authentication failures throttled", "actor", f.actor, "failed", f.n)
		if err := f.audit.AuditSignInFailures(ctx, f.actor, f.n, f.since, auditInterval); err != nil {
			s.log.Error("audit", "err", err.Error(), "actor", f.actor, "failed", f.n)
		}
	}
}

// fail counts a failure: whether it is throttled, whether to audit it on
// its own, and the tallies now due to be written.
func (g *guard) fail(now time.Time, addr string, tok [32]byte, actor string, audit Auditor) (throttled, individually bool, due []flush) {
	g.mu.Lock()
	defer g.mu.Unlock()
	// Each allowance is spent on its own: a throttled address does not
	// spare a token's, nor the other way round.
	addrOK := allow(g.addrs, addr, now, g.maxKeys)
	tokOK := allow(g.tokens, tok, now, g.maxKeys)
	throttled = !addrOK || !tokOK
	if now.Sub(g.lastSweep) >= auditInterval {
		g.lastSweep = now
		due = g.take(func(t *tally) bool { return now.Sub(t.since) >= auditInterval })
	} else if t := g.pending[actor]; t != nil && now.Sub(t.since) >= auditInterval {
		due = []flush{{actor, *t}}
		delete(g.pending, actor)
	}
	if audit == nil {
		return throttled, !throttled, due
	}
	if !throttled && g.rows.AllowN(now, 1) {
		return throttled, true, due
	}
	t := g.pending[actor]
	if t == nil {
		if len(g.pending) >= g.maxKeys {
			// Too many addresses failing at once: one count for them all.
			via, _, _ := strings.Cut(actor, ":")
			actor = via + ":*"
			t = g.pending[actor]
		}
		if t == nil {
			t = &tally{audit: audit, since: now}
			g.pending[actor] = t
		}
	}
	t.n++
	return throttled, false, due
}

// take removes and returns the tallies that expired says are due.
func (g *guard) take(expired func(*tally) bool) []flush {
	var due []flush
	for a, t := range g.pending {
		if t.n > 0 && expired(t) {
			due = append(due, flush{a, *t})
			delete(g.pending, a)
		}
	}
	return due
}

// allow spends one of key's allowance. A full map first forgets the keys
// whose allowance is whole again (which changes nothing for them); if none
// is, the new key is refused rather than the map grown or a busy key
// forgotten, which would give it a fresh allowance.
func allow[K comparable](m map[K]*rate.Limiter, key K, now time.Time, maxKeys int) bool {
	l := m[key]
	if l == nil {
		if len(m) >= maxKeys {
			for k, x := range m {
				if x.TokensAt(now) >= failureBurst {
					delete(m, k)
				}
			}
			if len(m) >= maxKeys {
				return false
			}
		}
		l = rate.NewLimiter(rate.Every(failureEvery), failureBurst)
		m[key] = l
	}
	return l.AllowN(now, 1)
}

// addressKey is the address failures are counted by: an IPv6 client holds
// a whole /64, so that is one address.
func addressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// retryAfter is a Retry-After value: whole seconds, at least one.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int((d+time.Second-1)/time.Second)))
}
