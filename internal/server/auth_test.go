package server_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dcc/internal/config"
	"dcc/internal/server"
	"dcc/registry"
)

// clock is a test's time, moved by hand.
type clock struct{ unix atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.unix.Store(time.Now().UnixNano())
	return c
}
func (c *clock) now() time.Time               { return time.Unix(0, c.unix.Load()) }
func (c *clock) add(d time.Duration)          { c.unix.Add(int64(d)) }
func withClock(c *clock) func(*server.Config) { return func(sc *server.Config) { sc.Now = c.now } }

func badToken(i int) string { return fmt.Sprintf("wrong-token-%04d-wrong-token-wrong-token", i) }

// A valid credential is never refused because of other credentials' failures
// from its address: guessing is what the throttle stops, and a valid token is
// no guess.
func TestValidTokenPassesWhileAddressIsThrottled(t *testing.T) {
	s := newStack(t, nil)
	var codes []int
	for i := range 15 {
		codes = append(codes, s.do("GET", "/api/v1/registry/stats", badToken(i), nil).status)
	}
	for i, c := range codes {
		if want := http.StatusUnauthorized; i >= 10 {
			if c != http.StatusTooManyRequests {
				t.Errorf("bad token %d: %d, want 429 once the address is throttled", i, c)
			}
		} else if c != want {
			t.Errorf("bad token %d: %d, want 401", i, c)
		}
	}
	r := s.do("GET", "/api/v1/registry/stats", badToken(99), nil)
	if r.header.Get("Retry-After") == "" || r.problem(t).Status != http.StatusTooManyRequests {
		t.Errorf("throttled: %d %s", r.status, r.header)
	}
	if r := s.do("GET", "/api/v1/registry/stats", s.token("operator"), nil); r.status != http.StatusOK {
		t.Errorf("a valid token after 16 bad ones from its address: %d %s", r.status, r.body)
	}
}

// One bad request a second, forever, keeps no one out.
func TestSlowGuessingLocksNoOneOut(t *testing.T) {
	c := newClock()
	s := openStack(t, nil, withClock(c))
	for i := range 120 {
		s.do("GET", "/api/v1/registry/stats", badToken(i), nil)
		c.add(time.Second)
		if r := s.do("GET", "/api/v1/registry/stats", s.token("operator"), nil); r.status != http.StatusOK {
			t.Fatalf("after %d bad tokens at one a second: the valid token gets %d", i+1, r.status)
		}
	}
}

// The same unknown token from many addresses is throttled by its hash, a
// token of a client that keeps a revoked credential, say.
func TestOneBadTokenIsThrottledAcrossAddresses(t *testing.T) {
	s := newStack(t, func(c *config.Config) { c.HTTP.TrustedProxies = []string{"127.0.0.1"} })
	var last int
	for i := range 12 {
		last = s.do("GET", "/api/v1/registry/stats", badToken(0), nil, "X-Forwarded-For: 203.0.113."+strconv.Itoa(i)).status
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("the 12th try of one bad token from 12 addresses: %d, want 429", last)
	}
	if r := s.do("GET", "/api/v1/registry/stats", badToken(1), nil, "X-Forwarded-For: 203.0.113.200"); r.status != http.StatusUnauthorized {
		t.Errorf("another bad token from a new address: %d, want 401", r.status)
	}
}

var failedDetail = regexp.MustCompile(`^failed=(\d+) interval=60s since=\S+$`)

// failures counts the failed sign-ins audited for actor: a row of its own
// is one, an aggregated row says how many.
func failures(t *testing.T, store *registry.Store, actor string) (rows, total int) {
	t.Helper()
	es, err := store.AuditByActor(ctx, actor)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Action != registry.ActionSignInFailed {
			continue
		}
		rows++
		if e.Detail == "" {
			total++
			continue
		}
		m := failedDetail.FindStringSubmatch(e.Detail)
		if m == nil {
			t.Fatalf("audit detail %q", e.Detail)
		}
		n, _ := strconv.Atoi(m[1])
		total += n
	}
	return rows, total
}

// 3,000 failures write a handful of audit rows, whose counts add up to the
// 3,000: the audit log loses no failure and is not flooded by them.
func TestFailuresAreAuditedInAggregate(t *testing.T) {
	c := newClock()
	s := openStack(t, nil, withClock(c))
	const n = 3000
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range 8 {
		wg.Go(func() {
			for {
				i := int(next.Add(1))
				if i > n {
					return
				}
				s.do("GET", "/api/v1/registry/stats", badToken(i), nil)
				if i%300 == 0 {
					c.add(10 * time.Second) // the 3,000 are spread over 100 seconds
				}
			}
		})
	}
	wg.Wait()
	s.api.FlushAudit(ctx)
	rows, total := failures(t, s.app.Store, "api:127.0.0.1")
	if total != n {
		t.Errorf("the audit log counts %d failures, want %d", total, n)
	}
	// On their own: the 10 the address may fail at once and one per 6 s
	// after; the rest in one row per minute.
	if maxRows := 10 + 100/6 + 1 + 100/60 + 1; rows > maxRows {
		t.Errorf("%d audit rows for %d failures over 100 seconds, want at most %d", rows, n, maxRows)
	}
	t.Logf("%d failures: %d audit rows", n, rows)

	// An interval later, the next failure writes what the last one counted.
	s.do("GET", "/api/v1/registry/stats", badToken(0), nil)
	c.add(2 * time.Minute)
	s.do("GET", "/api/v1/registry/stats", badToken(1), nil)
	_, total = failures(t, s.app.Store, "api:127.0.0.1")
	if total != n+2 {
		t.Errorf("after the interval %d failures are audited, want %d", total, n+2)
	}
}

// An attacker sending random tokens from ever new addresses does not grow
// the server's memory: the failures it remembers are bounded.
func TestFailureMemoryIsBounded(t *testing.T) {
	s := newStack(t, func(c *config.Config) { c.HTTP.TrustedProxies = []string{"127.0.0.1"} })
	server.SetFailureKeys(s.api, 50)
	for i := range 300 {
		s.do("GET", "/api/v1/registry/stats", badToken(i), nil, fmt.Sprintf("X-Forwarded-For: 198.51.%d.%d", i/250, i%250))
	}
	if n := server.FailureKeys(s.api); n > 3*50+1 {
		t.Errorf("%d failure entries remembered, bound 50 per map (and one count for the addresses beyond)", n)
	}
	if r := s.do("GET", "/api/v1/registry/stats", s.token("operator"), nil, "X-Forwarded-For: 198.51.0.1"); r.status != http.StatusOK {
		t.Errorf("a valid token while the maps are full: %d", r.status)
	}
	s.api.FlushAudit(ctx)
}
