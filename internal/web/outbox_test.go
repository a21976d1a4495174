package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"dcc"
	"dcc/internal/app"
	"dcc/internal/demo"
	"dcc/internal/issuance"
	"dcc/internal/server"
)

// An authority's staff see on the home page that the registry refused
// records, read why on the queue's page, and put them back; nobody else
// sees the queue.
func TestOutboxPage(t *testing.T) {
	var a *app.App
	s := openSystem(t, systemOptions{
		file: demo.AuthorityConfigFile("AN"),
		app:  func(x *app.App) { a = x },
		api:  func(c *server.Config) { c.Outbox, c.OutboxAuthority = a.Store, "AN" },
	})
	ctx := context.Background()
	lab, _ := a.Deployment.Authenticate(s.labToken())
	var ids []string
	for range 3 {
		body := fmt.Sprintf(`{"nam": {"fn": "Musterfrau", "gn": "Gabriele"}, "dob": "1998-02-26",
			"t": [{"tt": "LP6464-4", "sc": %q, "tr": "260415000"}]}`, time.Now().UTC().Add(-time.Hour).Format(time.RFC3339))
		is, err := a.Issuance.Issue(ctx, lab, issuance.Request{Type: dcc.Test, Body: []byte(body)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, is.UVCI)
	}
	for _, id := range ids[:2] {
		if err := a.Store.Park(ctx, id, time.Now(), `refused by the registry: uvci: issuer prefix is not "AN"`); err != nil {
			t.Fatal(err)
		}
	}

	staff := s.client(t)
	staff.signIn(s.authorityToken(t, "AN"))
	home := staff.get("/").want(t, http.StatusOK)
	for _, want := range []string{"2 registro(s) rechazado(s)", "Pendientes de entrega / Waiting for delivery: 1", `href="/outbox"`} {
		if !strings.Contains(home.body, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	page := staff.get("/outbox").want(t, http.StatusOK)
	for _, want := range []string{ids[0], ids[1], "issuer prefix is not &#34;AN&#34;", `<dd id="parked">2</dd>`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("outbox page lacks %q:\n%s", want, page.body)
		}
	}
	if strings.Contains(page.body, ids[2]) {
		t.Error("the page lists a record that is only waiting")
	}
	res := staff.post("/outbox/retry", url.Values{"csrf": {page.csrf(t)}}).want(t, http.StatusSeeOther)
	if l := res.location(t); l != "/outbox" {
		t.Errorf("retry redirects to %s", l)
	}
	if n, _ := a.Store.OutboxParked(ctx); n != 0 {
		t.Errorf("%d still parked after the retry", n)
	}
	if n, _ := a.Store.OutboxPending(ctx); n != 3 {
		t.Errorf("%d pending after the retry, want 3", n)
	}
	// Without the session's CSRF token nothing is put back.
	a.Store.Park(ctx, ids[0], time.Now(), "again")
	staff.post("/outbox/retry", url.Values{"csrf": {"forged"}}).want(t, http.StatusForbidden)
	if n, _ := a.Store.OutboxParked(ctx); n != 1 {
		t.Errorf("a forged retry changed the queue: %d parked", n)
	}
	// A laboratory sees neither the notice nor the page.
	lc := s.client(t)
	lc.signIn(s.labToken())
	if strings.Contains(lc.get("/").want(t, http.StatusOK).body, `href="/outbox"`) {
		t.Error("a laboratory is shown the delivery queue")
	}
	lc.get("/outbox").want(t, http.StatusForbidden)
}
