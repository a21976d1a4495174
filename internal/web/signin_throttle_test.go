package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"dcc/registry"
)

func wrongToken(i int) string {
	return fmt.Sprintf("dcc-demo-lab-wrong-%04d-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", i)
}

// Failed sign-ins from an address never keep a valid credential out.
func TestSignInWithAValidTokenAfterFailures(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)
	page := c.get("/signin").want(t, http.StatusOK)
	csrf := page.csrf(t)
	for i := range 15 {
		want := http.StatusUnauthorized
		if i >= 10 {
			want = http.StatusTooManyRequests
		}
		res := c.post("/signin", url.Values{"csrf": {csrf}, "token": {wrongToken(i)}}).want(t, want)
		if want == http.StatusTooManyRequests && res.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	res := c.post("/signin", url.Values{"csrf": {csrf}, "token": {s.labToken()}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("the lab's valid token after 15 failures from its address: %d\n%.300s", res.StatusCode, res.body)
	}
	c.get("/").want(t, http.StatusOK)
}

var failedDetail = regexp.MustCompile(`^failed=(\d+) interval=60s since=\S+$`)

// 3,000 failed sign-ins write a bounded number of audit rows, and their
// counts add up to the 3,000.
func TestFailedSignInsAreAuditedInAggregate(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)
	csrf := c.get("/signin").want(t, http.StatusOK).csrf(t)
	const n = 3000
	for i := range n {
		c.post("/signin", url.Values{"csrf": {csrf}, "token": {wrongToken(i)}})
	}
	s.api.FlushAudit(ctx)
	es, err := s.app.Store.AuditByActor(ctx, "web:127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	rows, total := 0, 0
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
		k, _ := strconv.Atoi(m[1])
		total += k
	}
	if total != n {
		t.Errorf("the audit log counts %d failed sign-ins, want %d", total, n)
	}
	if rows > 20 {
		t.Errorf("%d audit rows for %d failed sign-ins", rows, n)
	}
	t.Logf("%d failed sign-ins: %d audit rows", n, rows)
}
