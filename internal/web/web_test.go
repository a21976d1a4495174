package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"dcc"
	"dcc/internal/issuance"
	"dcc/internal/web"
	"dcc/qr"
	"dcc/registry"
)

var ctx = context.Background()

func cookieNamed(res *response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func audited(t *testing.T, s *system, actor, action string) int {
	t.Helper()
	entries, err := s.app.Store.AuditByActor(ctx, actor)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Action == action {
			n++
		}
	}
	return n
}

func TestSignInAndOut(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)

	if l := c.get("/").want(t, http.StatusSeeOther).location(t); l != "/signin" {
		t.Errorf("signed out, / redirects to %s", l)
	}
	page := c.get("/signin").want(t, http.StatusOK)
	if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	if !strings.Contains(page.body, "DEMO") {
		t.Error("the demo deployment shows no DEMO banner")
	}
	if strings.Contains(page.body, "<script") {
		t.Error("the page has a script")
	}

	// A wrong token: refused, audited by address, never shown again.
	wrong := "dcc-demo-lab-" + strings.Repeat("x", 40)
	res := c.post("/signin", url.Values{"csrf": {page.csrf(t)}, "token": {wrong}}).want(t, http.StatusUnauthorized)
	if strings.Contains(res.body, wrong) {
		t.Error("the refused token is echoed in the page")
	}
	if n := audited(t, s, "web:127.0.0.1", registry.ActionSignInFailed); n != 1 {
		t.Errorf("%d failed sign-ins audited, want 1", n)
	}
	if cookieNamed(res, "dcc-session") != nil {
		t.Error("a refused sign-in sets a session cookie")
	}

	c.signIn(s.labToken())
	if n := audited(t, s, "lab:LAB-AN-1", registry.ActionSignIn); n != 1 {
		t.Errorf("%d sign-ins of the lab audited, want 1", n)
	}
	home := c.get("/").want(t, http.StatusOK)
	if !strings.Contains(home.body, "Laboratorio Clínico Demo de Sevilla") {
		t.Error("the home page does not name the signed-in laboratory")
	}
	// Signed in, the sign-in page sends home.
	c.get("/signin").want(t, http.StatusSeeOther)

	u, _ := url.Parse(s.url)
	var id string
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == "dcc-session" {
			id = ck.Value
		}
	}
	res = c.post("/signout", url.Values{"csrf": {home.csrf(t)}}).want(t, http.StatusSeeOther)
	if ck := cookieNamed(res, "dcc-session"); ck == nil || ck.MaxAge >= 0 {
		t.Errorf("sign-out does not delete the cookie: %v", ck)
	}
	c.get("/").want(t, http.StatusSeeOther)

	// The session is gone on the server, not only in the browser.
	req, _ := http.NewRequest(http.MethodGet, s.url+"/", nil)
	req.AddCookie(&http.Cookie{Name: "dcc-session", Value: id})
	if res := s.client(t).do(req); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the old session cookie still works after sign-out: %d", res.StatusCode)
	}
}

func TestSignInReturnsToThePageAsked(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)
	l := c.get("/registry?type=test").want(t, http.StatusSeeOther).location(t)
	if l != "/signin?next="+url.QueryEscape("/registry?type=test") {
		t.Fatalf("redirect to %s", l)
	}
	page := c.get(l).want(t, http.StatusOK)
	res := c.post("/signin", url.Values{"csrf": {page.csrf(t)}, "token": {s.operatorToken()}, "next": {"/registry?type=test"}})
	if got := res.want(t, http.StatusSeeOther).location(t); got != "/registry?type=test" {
		t.Errorf("after sign-in: %s", got)
	}
	// Another site is never a target.
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
		c := s.client(t)
		page := c.get("/signin").want(t, http.StatusOK)
		res := c.post("/signin", url.Values{"csrf": {page.csrf(t)}, "token": {s.operatorToken()}, "next": {next}})
		if got := res.want(t, http.StatusSeeOther).location(t); got != "/" {
			t.Errorf("next=%s: redirect to %s", next, got)
		}
	}
}

func TestCookieFlags(t *testing.T) {
	for _, secure := range []bool{false, true} {
		s := newSystem(t, func(c *web.Config) { c.SecureCookies = secure })
		c := s.client(t)
		prefix := ""
		if secure {
			prefix = "__Host-"
		}
		page := c.get("/signin").want(t, http.StatusOK)
		pre := cookieNamed(page, prefix+"dcc-signin")
		if pre == nil {
			t.Fatalf("secure %v: no sign-in cookie in %v", secure, page.Cookies())
		}
		// Send the cookie by hand: a jar keeps Secure cookies from http://.
		req, _ := http.NewRequest(http.MethodPost, s.url+"/signin",
			strings.NewReader(url.Values{"csrf": {page.csrf(t)}, "token": {s.labToken()}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: pre.Name, Value: pre.Value})
		res := c.do(req).want(t, http.StatusSeeOther)
		sess := cookieNamed(res, prefix+"dcc-session")
		for _, ck := range []*http.Cookie{pre, sess} {
			if ck == nil {
				t.Fatalf("secure %v: cookie missing: %v", secure, res.Cookies())
			}
			if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Secure != secure || ck.Domain != "" {
				t.Errorf("secure %v: cookie %s: HttpOnly %v SameSite %v Path %q Secure %v Domain %q", secure, ck.Name,
					ck.HttpOnly, ck.SameSite, ck.Path, ck.Secure, ck.Domain)
			}
		}
		if len(sess.Value) != 43 { // 32 bytes, base64url
			t.Errorf("session id %d characters long, want 256 random bits", len(sess.Value))
		}
	}
}

func TestSessionExpires(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	s := newSystem(t, func(c *web.Config) {
		c.SessionTTL = time.Hour
		c.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	c := s.client(t)
	c.signIn(s.labToken())
	c.get("/").want(t, http.StatusOK)
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	c.get("/").want(t, http.StatusSeeOther)
}

func TestCSRF(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)
	c.signIn(s.authorityToken(t, "AN"))
	token := c.csrfToken()

	refused := []struct {
		name   string
		form   url.Values
		header []string
	}{
		{"no token", testForm(""), nil},
		{"wrong token", testForm(strings.Repeat("A", 43)), nil},
		{"cross-site", testForm(token), []string{"Sec-Fetch-Site", "cross-site"}},
		{"same-site but another origin", testForm(token), []string{"Sec-Fetch-Site", "same-site"}},
		{"foreign Origin", testForm(token), []string{"Origin", "https://evil.example"}},
	}
	for _, tt := range refused {
		if res := c.post("/issue/test", tt.form, tt.header...); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", tt.name, res.StatusCode)
		}
	}
	if n := audited(t, s, "authority:AN", registry.ActionIssue); n != 0 {
		t.Fatalf("%d certificates issued by refused requests", n)
	}
	// Sign-out needs the token too.
	c.post("/signout", url.Values{}).want(t, http.StatusForbidden)
	c.get("/").want(t, http.StatusOK)
	// With the token, from this site, it works.
	ok := testForm(token)
	ok.Set("t.tc", "Hospital Universitario Virgen del Rocío") // an authority names the centre
	c.post("/issue/test", ok, "Sec-Fetch-Site", "same-origin", "Origin", s.url).want(t, http.StatusSeeOther)

	// The sign-in form: its token is bound to the browser's sign-in cookie.
	other := s.client(t)
	page := other.get("/signin").want(t, http.StatusOK)
	fresh := s.client(t)
	fresh.post("/signin", url.Values{"csrf": {page.csrf(t)}, "token": {s.labToken()}}).want(t, http.StatusForbidden)
	fresh.get("/signin")
	fresh.post("/signin", url.Values{"csrf": {page.csrf(t)}, "token": {s.labToken()}}).want(t, http.StatusForbidden)
	other.post("/signin", url.Values{"token": {s.labToken()}}).want(t, http.StatusForbidden)
	other.post("/signin", url.Values{"csrf": {page.csrf(t)}, "token": {s.labToken()}}, "Sec-Fetch-Site", "cross-site").
		want(t, http.StatusForbidden)
	if n := audited(t, s, "lab:LAB-AN-1", registry.ActionSignIn); n != 0 {
		t.Errorf("%d sign-ins by forged forms", n)
	}
}

var issueLinks = regexp.MustCompile(`href="/issue/([a-z]+)"`)

func formsOffered(body string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range issueLinks.FindAllStringSubmatch(body, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

func TestLabSeesOnlyTheTestForm(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)
	c.signIn(s.labToken())
	home := c.get("/").want(t, http.StatusOK)
	if got := formsOffered(home.body); len(got) != 1 || got[0] != "test" {
		t.Errorf("a laboratory is offered the forms %v, want [test]", got)
	}
	if strings.Contains(home.body, `href="/registry"`) {
		t.Error("a laboratory is offered the registry")
	}
	form := c.get("/issue/test").want(t, http.StatusOK)
	if strings.Contains(form.body, `name="t.tc"`) {
		t.Error("the laboratory's test form asks for the test centre, which the system fills in")
	}
	if !strings.Contains(form.body, "Laboratorio Clínico Demo de Sevilla") {
		t.Error("the form does not show the test centre filled in")
	}
	// Value sets by their names, active codes only.
	for _, want := range []string{`<option value="LP6464-4"`, "Nucleic acid amplification with probe detection", `<option value="260415000"`, "Not detected"} {
		if !strings.Contains(form.body, want) {
			t.Errorf("the test form lacks %q", want)
		}
	}
	c.get("/issue/vaccination").want(t, http.StatusForbidden)
	c.get("/issue/recovery").want(t, http.StatusForbidden)
	c.post("/issue/vaccination", url.Values{"csrf": {form.csrf(t)}, "nam.fn": {"X"}}).want(t, http.StatusForbidden)
	c.get("/registry").want(t, http.StatusForbidden)
	c.get("/registry/stats").want(t, http.StatusForbidden)
	c.get("/issue/bogus").want(t, http.StatusNotFound)
}

func TestMinistryOfHealthIsRefusedATestCertificate(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)
	c.signIn(s.authorityToken(t, "MS"))
	home := c.get("/").want(t, http.StatusOK)
	if got := strings.Join(formsOffered(home.body), ","); got != "vaccination,recovery" {
		t.Errorf("the Ministry of Health is offered %s, want vaccination,recovery", got)
	}
	res := c.get("/issue/test").want(t, http.StatusForbidden)
	if !strings.Contains(res.body, "does not issue test certificates") || strings.Contains(res.body, `name="t.tt"`) {
		t.Errorf("the refusal does not say why, or shows the form:\n%s", res.body)
	}
	res = c.post("/issue/test", testForm(home.csrf(t))).want(t, http.StatusForbidden)
	if !strings.Contains(html.UnescapeString(res.body), "Nothing was issued") {
		t.Error("the refusal does not say that nothing was issued")
	}
	if n := audited(t, s, "authority:MS", registry.ActionIssue); n != 0 {
		t.Errorf("%d certificates issued", n)
	}
	op := s.app.Deployment
	p, _ := op.Authenticate(s.operatorToken())
	recs, _, err := s.app.Records.Search(ctx, p, registry.Query{})
	if err != nil || len(recs) != 0 {
		t.Errorf("the registry holds %d certificates (%v), want none", len(recs), err)
	}
}

func TestIssueATestCertificate(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)
	c.signIn(s.labToken())
	res := c.post("/issue/test", testForm(c.csrfToken())).want(t, http.StatusSeeOther)
	loc := res.location(t)
	if !strings.HasPrefix(loc, "/certificates/URN:UVCI:01:ES:AN%2F") || !strings.HasSuffix(loc, "?issued=1") {
		t.Fatalf("redirect to %s", loc)
	}
	page := c.get(loc).want(t, http.StatusOK)
	text := html.UnescapeString(page.body)
	for _, want := range []string{"Musterfrau-Gößinger", "MUSTERFRAU<GOESSINGER", "1998-02-26", "No detectado / Not detected",
		"Nucleic acid amplification with probe detection", "Laboratorio Clínico Demo de Sevilla", "Servicio Andaluz de Salud (demo)", "España / Spain"} {
		if !strings.Contains(text, want) {
			t.Errorf("the certificate page lacks %q", want)
		}
	}
	m := regexp.MustCompile(`(?s)<textarea id="hc1" readonly[^>]*>(.*?)</textarea>`).FindStringSubmatch(page.body)
	if m == nil || !strings.HasPrefix(m[1], "HC1:") {
		t.Fatalf("no HC1 text in the page")
	}
	hc1 := html.UnescapeString(m[1])
	base := strings.TrimSuffix(loc, "?issued=1")
	if !strings.Contains(page.body, `src="`+base+`/qr.png"`) || !strings.Contains(page.body, `href="`+base+`/pdf"`) {
		t.Errorf("the page does not link the QR image and the PDF under %s", base)
	}

	png := c.get(base+"/qr.png").want(t, http.StatusOK)
	if ct := png.Header.Get("Content-Type"); ct != "image/png" {
		t.Errorf("QR Content-Type %s", ct)
	}
	if got, err := qr.Decode([]byte(png.body)); err != nil || got != hc1 {
		t.Errorf("the QR code reads %.40q…, %v; want the page's HC1", got, err)
	}
	pdf := c.get(base+"/pdf").want(t, http.StatusOK)
	if ct := pdf.Header.Get("Content-Type"); ct != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF") {
		t.Errorf("PDF: Content-Type %s, starts %.8q", ct, pdf.body)
	}
	if cd := pdf.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("PDF Content-Disposition %q", cd)
	}
	if cc := pdf.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("PDF Cache-Control %q", cc)
	}

	// Another authority does not see it; signed out, nobody does.
	other := s.client(t)
	other.signIn(s.authorityToken(t, "MD"))
	other.get(base).want(t, http.StatusNotFound)
	other.get(base+"/qr.png").want(t, http.StatusNotFound)
	s.client(t).get(base+"/pdf").want(t, http.StatusSeeOther)
	s.client(t).post(base+"/revoke", url.Values{"reason": {"x"}}).want(t, http.StatusForbidden)
}

func TestIssueTwiceFromOneFormGivesOneCertificate(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)
	c.signIn(s.labToken())
	form := testForm(c.csrfToken())
	form.Set("idem", "double-click-0123456789")
	first := c.post("/issue/test", form).want(t, http.StatusSeeOther).location(t)
	second := c.post("/issue/test", form).want(t, http.StatusSeeOther).location(t)
	if first != second {
		t.Errorf("a double submit issued two certificates: %s, %s", first, second)
	}
	form.Set("nam.gn", "Erika")
	res := c.post("/issue/test", form).want(t, http.StatusConflict)
	if !strings.Contains(res.body, "Erika") {
		t.Error("the conflict page loses what was typed")
	}
}

func TestValidationErrorsAreShownWithTheForm(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)
	c.signIn(s.labToken())
	form := testForm(c.csrfToken())
	form.Del("nam.fn")
	form.Set("t.sc", "")
	form.Set("dob", "1998-02-30")
	res := c.post("/issue/test", form).want(t, http.StatusUnprocessableEntity)
	if !strings.Contains(res.body, `value="Gabriele"`) || !strings.Contains(res.body, `value="1998-02-30"`) {
		t.Error("the form does not keep what was typed")
	}
	for _, name := range []string{"nam.fn", "dob", "t.sc"} {
		re := regexp.MustCompile(`(?s)<div class="field invalid">\s*<label for="f-` + strings.ReplaceAll(name, ".", "-") + `">.*?<div class="error" id="f-` + strings.ReplaceAll(name, ".", "-") + `-error">`)
		if !re.MatchString(res.body) {
			t.Errorf("no error shown next to %s:\n%s", name, res.body)
		}
	}
	if !strings.Contains(res.body, `class="problems"`) {
		t.Error("no summary of the problems")
	}
	if n := audited(t, s, "lab:LAB-AN-1", registry.ActionIssue); n != 0 {
		t.Errorf("%d certificates issued from an invalid form", n)
	}
}

func TestVaccinationDoseCalculator(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)
	c.signIn(s.authorityToken(t, "AN"))
	form := c.get("/issue/vaccination").want(t, http.StatusOK)
	for _, want := range []string{`name="dose.date"`, `name="dose.mp"`, `name="priorInfection"`, "Comirnaty (EU/1/20/1528)", `value="calculate"`} {
		if !strings.Contains(form.body, want) {
			t.Errorf("the vaccination form lacks %s", want)
		}
	}
	day := func(ago int) string { return time.Now().UTC().AddDate(0, 0, -ago).Format(time.DateOnly) }
	v := url.Values{
		"csrf": {form.csrf(t)}, "nam.fn": {"Фёдоров"}, "nam.gn": {"Пётр"}, "dob": {"1964-01-01"}, "v.co": {"ES"},
		"dose.date": {day(10), day(60), ""}, "dose.mp": {"EU/1/20/1528", "EU/1/20/1528", ""},
	}
	v.Set("action", "calculate")
	res := c.post("/issue/vaccination", v).want(t, http.StatusOK)
	if !strings.Contains(res.body, `<td class="dnsd">1/2</td>`) || !strings.Contains(res.body, `<td class="dnsd">2/2</td>`) {
		t.Errorf("the calculator does not number the doses 1/2, 2/2:\n%s", res.body)
	}
	v.Set("action", "add")
	res = c.post("/issue/vaccination", v).want(t, http.StatusOK)
	if n := strings.Count(res.body, `name="dose.date"`); n != 4 {
		t.Errorf("after adding a dose the form has %d rows, want 4", n)
	}
	v.Set("priorInfection", "true")
	v.Set("action", "calculate")
	res = c.post("/issue/vaccination", v).want(t, http.StatusOK)
	if !strings.Contains(res.body, `<td class="dnsd">1/1</td>`) || !strings.Contains(res.body, `<td class="dnsd">2/2</td>`) {
		t.Error("with a prior infection the doses are not 1/1, 2/2")
	}
	v.Del("priorInfection")

	// A wrong row is named.
	bad := url.Values{}
	for k, x := range v {
		bad[k] = append([]string(nil), x...)
	}
	bad["dose.mp"] = []string{"EU/1/20/1528", "", ""}
	bad.Set("action", "issue")
	res = c.post("/issue/vaccination", bad).want(t, http.StatusUnprocessableEntity)
	if !strings.Contains(res.raw, "Dosis 2, producto: ") || !strings.Contains(res.raw, `<span lang="en">Dose 2, product: `) {
		t.Errorf("the problem of dose 2 is not named:\n%s", res.body)
	}

	v.Set("action", "issue")
	loc := c.post("/issue/vaccination", v).want(t, http.StatusSeeOther).location(t)
	page := c.get(loc).want(t, http.StatusOK)
	text := html.UnescapeString(page.body)
	for _, want := range []string{"<dd>2/2</dd>", "Comirnaty", "Biontech", day(10), "FEDOROV", "Фёдоров"} {
		if !strings.Contains(text, want) {
			t.Errorf("the vaccination certificate page lacks %q:\n%s", want, text)
		}
	}
}

func TestOperatorSearchesAndRevokes(t *testing.T) {
	s := newSystem(t, func(c *web.Config) { c.PageSize = 2 })
	lab, _ := s.app.Deployment.Authenticate(s.labToken())
	var ids []string
	for range 3 {
		body := `{"nam": {"fn": "Prueba", "gn": "Ana"}, "dob": "1990-01-01", "t": [{"tt": "LP6464-4", "sc": "` +
			time.Now().UTC().Add(-2*time.Hour).Truncate(time.Second).Format(time.RFC3339) + `", "tr": "260415000"}]}`
		is, err := s.app.Issuance.Issue(ctx, lab, issuance.Request{Type: dcc.Test, Body: []byte(body)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, is.UVCI)
	}

	c := s.client(t)
	c.signIn(s.operatorToken())
	home := c.get("/").want(t, http.StatusOK)
	if len(formsOffered(home.body)) != 0 || !strings.Contains(home.body, `href="/registry"`) {
		t.Error("an operator is offered issue forms, or not the registry")
	}
	c.get("/issue/vaccination").want(t, http.StatusForbidden)

	page := c.get("/registry?authority=AN&type=test").want(t, http.StatusOK)
	rows := strings.Count(page.body, `<td><a href="/certificates/`)
	next := regexp.MustCompile(`id="next" href="([^"]+)"`).FindStringSubmatch(page.body)
	if rows != 2 || next == nil {
		t.Fatalf("first page: %d rows, next %v", rows, next)
	}
	page2 := c.get(html.UnescapeString(next[1])).want(t, http.StatusOK)
	if n := strings.Count(page2.body, `<td><a href="/certificates/`); n != 1 || strings.Contains(page2.body, `id="next"`) {
		t.Errorf("second page: %d rows", n)
	}
	if n := strings.Count(c.get("/registry?type=vaccination").want(t, http.StatusOK).body, `<td><a href="/certificates/`); n != 0 {
		t.Errorf("%d vaccination certificates found, want 0", n)
	}
	c.get("/registry?from=yesterday").want(t, http.StatusUnprocessableEntity)

	// Revoke: a reason is required.
	path := "/certificates/" + url.PathEscape(ids[0])
	detail := c.get(path).want(t, http.StatusOK)
	res := c.post(path+"/revoke", url.Values{"csrf": {detail.csrf(t)}, "reason": {"  "}}).want(t, http.StatusUnprocessableEntity)
	if !strings.Contains(res.body, "Motivo / Reason") {
		t.Error("the missing reason is not explained")
	}
	// and a confirmation: without the box ticked nothing is revoked.
	res = c.post(path+"/revoke", url.Values{"csrf": {detail.csrf(t)}, "reason": {"datos erróneos"}}).want(t, http.StatusUnprocessableEntity)
	if !strings.Contains(res.body, "marque la casilla") || strings.Contains(res.body, "no se ha emitido") || !strings.Contains(res.body, "datos erróneos") {
		t.Errorf("the missing confirmation is not explained as such:\n%s", res.body)
	}
	if strings.Contains(c.get(path).want(t, http.StatusOK).body, "REVOCADO / REVOKED") {
		t.Fatal("revoked without confirmation")
	}
	c.post(path+"/revoke", url.Values{"csrf": {detail.csrf(t)}, "reason": {"datos erróneos"}, "confirm": {"yes"}}).want(t, http.StatusSeeOther)
	detail = c.get(path).want(t, http.StatusOK)
	if !strings.Contains(detail.body, "REVOCADO / REVOKED") || !strings.Contains(detail.body, "datos erróneos") ||
		strings.Contains(detail.body, `action="`+path+`/revoke"`) {
		t.Error("the revoked certificate is not shown as revoked, or is offered for revocation again")
	}
	c.post(path+"/revoke", url.Values{"csrf": {detail.csrf(t)}, "reason": {"again"}, "confirm": {"yes"}}).want(t, http.StatusConflict)
	revoked := c.get("/registry?revoked=true").want(t, http.StatusOK)
	if n := strings.Count(revoked.body, `<td><a href="/certificates/`); n != 1 {
		t.Errorf("%d revoked certificates listed, want 1", n)
	}

	stats := c.get("/registry/stats").want(t, http.StatusOK)
	if !regexp.MustCompile(`(?s)<tfoot><tr><th colspan="2">Total</th><th class="num">3</th><th class="num">1</th>`).MatchString(stats.body) {
		t.Errorf("statistics do not total 3 issued, 1 revoked:\n%s", stats.body)
	}

	// The laboratory may revoke its own certificates from the same page.
	lc := s.client(t)
	lc.signIn(s.labToken())
	own := "/certificates/" + url.PathEscape(ids[1])
	// Not under the certificate it has just issued, though.
	if just := lc.get(own+"?issued=1").want(t, http.StatusOK); strings.Contains(just.body, `/revoke"`) {
		t.Error("the revoke form is offered to the laboratory right after issuing")
	}
	d := lc.get(own).want(t, http.StatusOK)
	lc.post(own+"/revoke", url.Values{"csrf": {d.csrf(t)}, "reason": {"muestra confundida"}, "confirm": {"yes"}}).want(t, http.StatusSeeOther)
}

func TestRegistryRoleHasNoIssueForms(t *testing.T) {
	s := newSystem(t, func(c *web.Config) { c.Issuance = nil })
	for _, token := range []string{s.authorityToken(t, "AN"), s.operatorToken()} {
		c := s.client(t)
		c.signIn(token)
		if got := formsOffered(c.get("/").want(t, http.StatusOK).body); len(got) != 0 {
			t.Errorf("forms %v offered where nothing is issued", got)
		}
		c.get("/issue/vaccination").want(t, http.StatusNotFound)
	}
}

func TestConfigIsChecked(t *testing.T) {
	if _, err := web.New(web.Config{}); err == nil {
		t.Error("an empty configuration is accepted")
	}
}

// An operator finds a person's certificates by surname and date of birth,
// through a POST form (the name stays out of URLs), page by page.
func TestOperatorFindsHolder(t *testing.T) {
	s := newSystem(t, func(c *web.Config) { c.PageSize = 2 })
	lab, _ := s.app.Deployment.Authenticate(s.labToken())
	for _, person := range []string{"Pérez Núñez", "Pérez Núñez", "Pérez Núñez", "Otro"} {
		body := `{"nam": {"fn": "` + person + `", "gn": "Ana"}, "dob": "1990-01-01", "t": [{"tt": "LP6464-4", "sc": "` +
			time.Now().UTC().Add(-2*time.Hour).Truncate(time.Second).Format(time.RFC3339) + `", "tr": "260415000"}]}`
		if _, err := s.app.Issuance.Issue(ctx, lab, issuance.Request{Type: dcc.Test, Body: []byte(body)}); err != nil {
			t.Fatal(err)
		}
	}
	c := s.client(t)
	c.signIn(s.operatorToken())
	page := c.get("/registry").want(t, http.StatusOK)
	if !strings.Contains(page.body, `action="/registry/holder"`) {
		t.Fatal("no search by holder on the registry page")
	}
	csrf := page.csrf(t)
	count := func(r *response) int { return strings.Count(r.body, `<td><a href="/certificates/`) }
	first := c.post("/registry/holder", url.Values{"csrf": {csrf}, "surname": {"PEREZ<NUNEZ"}, "dob": {"1990-01-01"}}).want(t, http.StatusOK)
	after := regexp.MustCompile(`name="after" value="([^"]+)"`).FindStringSubmatch(first.body)
	if count(first) != 2 || after == nil {
		t.Fatalf("first page: %d rows, next %v", count(first), after)
	}
	if strings.Contains(first.Request.URL.String(), "PEREZ") {
		t.Error("the name is in the URL")
	}
	second := c.post("/registry/holder", url.Values{"csrf": {csrf}, "surname": {"Pérez Núñez"}, "dob": {"1990-01-01"},
		"after": {html.UnescapeString(after[1])}}).want(t, http.StatusOK)
	if count(second) != 1 || strings.Contains(second.body, `name="after"`) {
		t.Errorf("second page: %d rows", count(second))
	}
	if n := count(c.post("/registry/holder", url.Values{"csrf": {csrf}, "surname": {"Pérez Núñez"}, "dob": {"1990-01-02"}}).want(t, http.StatusOK)); n != 0 {
		t.Errorf("another date of birth: %d rows", n)
	}
	// The Spanish way of writing the date finds the same holder.
	if n := count(c.post("/registry/holder", url.Values{"csrf": {csrf}, "surname": {"Pérez Núñez"}, "dob": {"01/01/1990"}}).want(t, http.StatusOK)); n == 0 {
		t.Error("DD/MM/YYYY finds nobody")
	}
	bad := c.post("/registry/holder", url.Values{"csrf": {csrf}, "surname": {"Pérez"}, "dob": {"1.1.1990"}}).want(t, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.body, "Fecha de nacimiento / Date of birth") {
		t.Error("the wrong date of birth is not named")
	}
	c.post("/registry/holder", url.Values{"surname": {"Pérez"}, "dob": {"1990"}}).want(t, http.StatusForbidden)

	lc := s.client(t)
	lc.signIn(s.labToken())
	lc.post("/registry/holder", url.Values{"csrf": {lc.csrfToken()}, "surname": {"Pérez"}, "dob": {"1990"}}).want(t, http.StatusForbidden)
}

// TestRecoveryDatesAndSampleZone: the recovery form proposes its validity
// from the first positive result, editable, and the test form says in which
// zone the sample time is read and how it will be certified.
func TestRecoveryDatesAndSampleZone(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)
	c.signIn(s.authorityToken(t, "AN"))
	csrf := c.csrfToken()
	form := url.Values{"csrf": {csrf}, "action": {"calculate"}, "nam.fn": {"García"}, "dob": {"1980-01-01"},
		"r.fr": {"2021-05-01"}, "r.co": {"ES"}}
	page := c.post("/issue/recovery", form).want(t, http.StatusOK)
	for _, want := range []string{`name="r.df" value="2021-05-12"`, `name="r.du" value="2021-10-28"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the recovery form lacks %s", want)
		}
	}
	// An edited date stays; an empty one is filled in on issuing.
	form.Set("action", "issue")
	form.Set("r.du", "2021-09-30")
	loc := c.post("/issue/recovery", form).want(t, http.StatusSeeOther).location(t)
	cert := c.get(loc).want(t, http.StatusOK).body
	if !strings.Contains(cert, "2021-05-12") || !strings.Contains(cert, "2021-09-30") {
		t.Errorf("the certificate does not hold the proposed df and the edited du:\n%s", cert)
	}

	lab := s.client(t)
	lab.signIn(s.labToken())
	f := testForm(lab.csrfToken())
	f.Set("action", "issue")
	f.Set("t.tr", "")
	res := html.UnescapeString(lab.post("/issue/test", f).want(t, http.StatusUnprocessableEntity).body)
	sc, _ := time.ParseInLocation("2006-01-02T15:04", f.Get("t.sc"), time.UTC)
	if want := "se certifica como " + sc.Format(time.RFC3339); !strings.Contains(res, want) || !strings.Contains(res, "Hora local de UTC") {
		t.Errorf("the sample-time hint lacks %q:\n%s", want, res)
	}
}

func TestFavicon(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)
	for _, p := range []string{"/favicon.ico", "/assets/favicon.svg"} {
		r := c.get(p).want(t, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); ct != "image/svg+xml" || !strings.HasPrefix(r.body, "<svg") {
			t.Errorf("%s: %s %.40q", p, ct, r.body)
		}
	}
	if page := c.get("/signin").want(t, http.StatusOK); !strings.Contains(page.body, `rel="icon" href="/assets/favicon.svg"`) {
		t.Error("the pages do not link the icon")
	}
}
