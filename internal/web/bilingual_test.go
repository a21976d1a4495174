package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// messageElements are where the pages show a message to a person: field
// errors, the lists of problems, an error page's explanation.
var messageElements = regexp.MustCompile(`(?s)<div class="error"[^>]*>\s*<p>(.*?)</p>|<li>(.*?)</li>|<section class="card error-page">.*?<p class="status">.*?</p>\s*<p>(.*?)</p>`)

// requireBilingual fails for every message on a page without its Spanish
// text before the English one (marked lang="en").
func requireBilingual(t *testing.T, what string, r *response) {
	t.Helper()
	body := r.raw // as served, with the marks of the English halves
	found := 0
	for _, m := range messageElements.FindAllStringSubmatch(body, -1) {
		msg := m[1] + m[2] + m[3]
		if strings.Contains(msg, "<a ") || msg == "" {
			continue // a list of links, not a message
		}
		found++
		es, en, ok := strings.Cut(msg, ` / <span lang="en">`)
		if !ok || strings.TrimSpace(es) == "" || strings.TrimSpace(stripTags(en)) == "" || stripTags(es) == stripTags(en) {
			t.Errorf("%s: message %q is not Spanish / English", what, msg)
		}
	}
	if found == 0 {
		t.Errorf("%s: no message on the page:\n%s", what, body)
	}
}

var htmlTag = regexp.MustCompile(`<[^>]*>`)

func stripTags(s string) string { return strings.TrimSpace(htmlTag.ReplaceAllString(s, "")) }

// TestMessagesShownAreBilingual drives the forms into their errors and
// reads every message shown: each must come in Spanish and in English.
func TestMessagesShownAreBilingual(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)
	c.signIn(s.authorityToken(t, "AN"))
	csrf := c.csrfToken()

	// Every field of a vaccination wrong at once, and a dose row half empty.
	v := url.Values{"csrf": {csrf}, "action": {"issue"}, "nam.fn": {"García"}, "nam.fnt": {"garcia"}, "dob": {"2099-13-01"},
		"dose.date": {"2021-02-30", "2021-03-01"}, "dose.mp": {"", "EU/1/20/1528"}, "v.co": {"XX"}}
	requireBilingual(t, "vaccination", c.post("/issue/vaccination", v).want(t, http.StatusUnprocessableEntity))
	v.Set("action", "calculate")
	requireBilingual(t, "dose calculator", c.post("/issue/vaccination", v))

	// A test with nothing filled in; a sample time in the future.
	requireBilingual(t, "empty test", c.post("/issue/test", url.Values{"csrf": {csrf}, "action": {"issue"}}).want(t, http.StatusUnprocessableEntity))
	f := testForm(csrf)
	f.Set("t.sc", "2099-01-01T10:00")
	requireBilingual(t, "test in the future", c.post("/issue/test", f).want(t, http.StatusUnprocessableEntity))

	// A recovery whose validity ends before it starts.
	rec := url.Values{"csrf": {csrf}, "action": {"issue"}, "nam.fn": {"García"}, "dob": {"1980-01-01"},
		"r.fr": {"2021-05-01"}, "r.df": {"2021-06-01"}, "r.du": {"2021-05-20"}, "r.co": {"ES"}}
	requireBilingual(t, "recovery", c.post("/issue/recovery", rec).want(t, http.StatusUnprocessableEntity))

	// Revocation without reason or confirmation, of a certificate issued here.
	lab := s.client(t)
	lab.signIn(s.labToken())
	loc := lab.post("/issue/test", testForm(lab.csrfToken())).want(t, http.StatusSeeOther).location(t)
	path, _, _ := strings.Cut(loc, "?")
	requireBilingual(t, "revocation", lab.post(path+"/revoke", url.Values{"csrf": {lab.csrfToken()}}).want(t, http.StatusUnprocessableEntity))

	// A laboratory asking for a vaccination form; an unknown certificate.
	requireBilingual(t, "laboratory refused", lab.get("/issue/vaccination").want(t, http.StatusForbidden))
	requireBilingual(t, "not found", c.get("/certificates/URN:UVCI:01:ES:XX%2FNOPE%23A").want(t, http.StatusNotFound))

	// The registry's filters and the search by holder.
	op := s.client(t)
	op.signIn(s.operatorToken())
	requireBilingual(t, "registry filters", op.get("/registry?from=yesterday&type=booster&revoked=maybe").want(t, http.StatusUnprocessableEntity))
	requireBilingual(t, "holder search", op.post("/registry/holder", url.Values{"csrf": {op.csrfToken()}, "dob": {"1.1.1990"}}).want(t, http.StatusUnprocessableEntity))
	requireBilingual(t, "operator issuing", op.get("/issue/test").want(t, http.StatusForbidden))
}
