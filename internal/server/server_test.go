package server_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"dcc/internal/config"
	"dcc/internal/server"
	"dcc/qr"
	"dcc/registry"
)

func TestIssueAndFetch(t *testing.T) {
	s := newStack(t, nil)
	lab := s.token("lab")
	r := s.do("POST", "/api/v1/certificates/test", lab, testBody())
	if r.status != http.StatusCreated {
		t.Fatalf("issue: %d %s", r.status, r.body)
	}
	var c server.Certificate
	r.json(t, &c)
	if !strings.HasPrefix(c.UVCI, "URN:UVCI:01:ES:AN/") || !strings.HasPrefix(c.HC1, "HC1:") || c.Type != "test" ||
		c.Lab != "LAB-AN-1" || c.QR == nil || c.PDF == "" || len(c.Payload) == 0 {
		t.Fatalf("issued = %+v", c)
	}
	if loc := r.header.Get("Location"); loc != server.CertificatePath(c.UVCI) {
		t.Errorf("Location = %q", loc)
	}
	// The UVCI is one percent-encoded segment of the links.
	if !strings.Contains(c.PDF, "%2F") || !strings.Contains(c.PDF, "%23") {
		t.Errorf("pdf link %q does not escape / and #", c.PDF)
	}
	g := s.do("GET", server.CertificatePath(c.UVCI), lab, nil)
	var back server.Certificate
	g.json(t, &back)
	if g.status != 200 || back.HC1 != c.HC1 || back.EventDate == "" || back.Revocation != nil {
		t.Errorf("get: %d %+v", g.status, back)
	}
	png := s.do("GET", c.QR.PNG, lab, nil)
	if png.status != 200 || png.header.Get("Content-Type") != "image/png" {
		t.Fatalf("qr.png: %d %s", png.status, png.header)
	}
	if text, err := qr.Decode(png.body); err != nil || text != c.HC1 {
		t.Errorf("QR decodes to %q, %v", text, err)
	}
	svg := s.do("GET", c.QR.SVG, lab, nil)
	if svg.status != 200 || !bytes.Contains(svg.body, []byte("<svg")) {
		t.Errorf("qr.svg: %d", svg.status)
	}
	pdf := s.do("GET", c.PDF, lab, nil)
	if pdf.status != 200 || !bytes.HasPrefix(pdf.body, []byte("%PDF")) || pdf.header.Get("Content-Type") != "application/pdf" {
		t.Errorf("pdf: %d %q", pdf.status, pdf.header.Get("Content-Type"))
	}
}

func TestAuthentication(t *testing.T) {
	s := newStack(t, nil)
	for _, tok := range []string{"", "wrong-token-wrong-token-wrong-token"} {
		r := s.do("POST", "/api/v1/certificates/test", tok, testBody())
		if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("token %q: %d %s", tok, r.status, r.header)
		}
		if p := r.problem(t); p.Status != 401 || p.Type == "" {
			t.Errorf("problem = %+v", p)
		}
	}
	if n := len(searchAll(t, s)); n != 0 {
		t.Errorf("%d certificates issued without credentials", n)
	}
	// The wrong token is audited by address, never by its value.
	es, _ := s.app.Store.AuditByActor(ctx, "api:127.0.0.1")
	if len(es) != 1 || es[0].Action != registry.ActionSignInFailed {
		t.Errorf("audit of the failed sign-in: %+v", es)
	}
	// Basic credentials are not bearer tokens.
	r := s.do("GET", "/api/v1/registry/stats", "", nil, "Authorization: Basic "+s.token("operator"))
	if r.status != http.StatusUnauthorized {
		t.Errorf("Basic auth: %d", r.status)
	}
}

func searchAll(t *testing.T, s *stack) []server.Certificate {
	t.Helper()
	var res server.SearchResult
	r := s.do("GET", "/api/v1/registry/certificates?limit=1000", s.token("operator"), nil)
	r.json(t, &res)
	return res.Items
}

func TestForbidden(t *testing.T) {
	s := newStack(t, nil)
	tests := []struct {
		who, typ, body string
	}{
		{"lab", "vaccination", vaccinationBody()},
		{"MS", "test", testBody()},
		{"operator", "recovery", `{}`},
	}
	for _, tt := range tests {
		r := s.do("POST", "/api/v1/certificates/"+tt.typ, s.token(tt.who), tt.body)
		if r.status != http.StatusForbidden {
			t.Errorf("%s %s: %d %s", tt.who, tt.typ, r.status, r.body)
			continue
		}
		if p := r.problem(t); p.Detail == "" {
			t.Errorf("%s %s: a refusal without a reason", tt.who, tt.typ)
		}
	}
	for _, who := range []string{"lab", "AN"} {
		if r := s.do("GET", "/api/v1/registry/certificates", s.token(who), nil); r.status != http.StatusForbidden {
			t.Errorf("%s searched the registry: %d", who, r.status)
		}
	}
	if n := len(searchAll(t, s)); n != 0 {
		t.Errorf("%d certificates issued by refused requests", n)
	}
	// Another authority's certificate is not found, not forbidden: its
	// existence is not revealed.
	r := s.do("POST", "/api/v1/certificates/vaccination", s.token("MD"), vaccinationBody())
	var c server.Certificate
	r.json(t, &c)
	for _, who := range []string{"AN", "MS", "lab"} {
		if g := s.do("GET", server.CertificatePath(c.UVCI), s.token(who), nil); g.status != http.StatusNotFound {
			t.Errorf("%s read MD's certificate: %d", who, g.status)
		}
		if g := s.do("GET", server.CertificatePath(c.UVCI)+"/pdf", s.token(who), nil); g.status != http.StatusNotFound {
			t.Errorf("%s got MD's PDF: %d", who, g.status)
		}
	}
}

func TestInvalidRequestListsEveryField(t *testing.T) {
	s := newStack(t, nil)
	body := `{"nam": {"gn": "Ana"}, "dob": "1990-13-01", "v": [{"vp": "x", "mp": "EU/1/20/1528", "dn": 0, "sd": 2, "dt": "2021-02-30", "ci": "URN:UVCI:01:ES:X"}]}`
	r := s.do("POST", "/api/v1/certificates/vaccination", s.token("AN"), body)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("%d %s", r.status, r.body)
	}
	p := r.problem(t)
	fields := map[string]bool{}
	for _, e := range p.Errors {
		fields[e.Field] = true
	}
	for _, want := range []string{"v[0].ci"} {
		if !fields[want] {
			t.Errorf("no error for %s: %+v", want, p.Errors)
		}
	}
	// Without ci, every schema and Annex V problem is listed at once.
	body = strings.Replace(body, `, "ci": "URN:UVCI:01:ES:X"`, "", 1)
	p = s.do("POST", "/api/v1/certificates/vaccination", s.token("AN"), body).problem(t)
	fields = map[string]bool{}
	for _, e := range p.Errors {
		fields[e.Field] = true
	}
	for _, want := range []string{"dob", "v[0].vp", "v[0].dn", "v[0].dt"} {
		if !fields[want] {
			t.Errorf("no error for %s: %+v", want, p.Errors)
		}
	}
	// In Spanish for a client that asks for it; nothing else changes.
	es := s.do("POST", "/api/v1/certificates/vaccination", s.token("AN"), body, "Accept-Language: es-ES,es;q=0.9,en;q=0.5")
	pes := es.problem(t)
	if len(pes.Errors) != len(p.Errors) || !strings.Contains(pes.Detail, "no se ha firmado") {
		t.Errorf("Spanish problem: %+v", pes)
	}
	for i, e := range pes.Errors {
		if e.Field != p.Errors[i].Field || e.Reason == p.Errors[i].Reason {
			t.Errorf("%s: Spanish %q, English %q", e.Field, e.Reason, p.Errors[i].Reason)
		}
	}
	if lab := s.do("POST", "/api/v1/certificates/vaccination", s.token("lab"), vaccinationBody(), "Accept-Language: es"); !strings.Contains(lab.problem(t).Detail, "solo puede emitir") {
		t.Errorf("Spanish refusal: %s", lab.body)
	}
	for _, tt := range []struct {
		body, ct string
		status   int
	}{
		{`{"nam": `, "application/json", 422},
		{`{}`, "text/plain", 415},
	} {
		r := s.do("POST", "/api/v1/certificates/test", s.token("lab"), tt.body, "Content-Type: "+tt.ct)
		if r.status != tt.status {
			t.Errorf("%q as %s: %d %s", tt.body, tt.ct, r.status, r.body)
		}
	}
	if r := s.do("POST", "/api/v1/certificates/booster", s.token("lab"), `{}`); r.status != http.StatusMethodNotAllowed {
		t.Errorf("unknown type: %d", r.status)
	}
	if n := len(searchAll(t, s)); n != 0 {
		t.Errorf("%d certificates issued by invalid requests", n)
	}
}

func TestBodyLimit(t *testing.T) {
	s := newStack(t, func(c *config.Config) { c.HTTP.MaxBodyBytes = 4096 })
	big := `{"nam": {"fn": "` + strings.Repeat("A", 5000) + `"}}`
	r := s.do("POST", "/api/v1/certificates/test", s.token("lab"), big)
	if r.status != http.StatusRequestEntityTooLarge || r.problem(t).Status != 413 {
		t.Errorf("%d %s", r.status, r.body)
	}
}

func TestRateLimit(t *testing.T) {
	s := newStack(t, func(c *config.Config) { c.HTTP.RatePerSecond, c.HTTP.Burst = 0.001, 3 })
	var codes []int
	for range 5 {
		codes = append(codes, s.do("GET", "/api/v1/registry/stats", s.token("operator"), nil).status)
	}
	if codes[0] != 200 || codes[2] != 200 || codes[3] != 429 || codes[4] != 429 {
		t.Errorf("statuses = %v, want 3×200 then 429", codes)
	}
	r := s.do("GET", "/api/v1/registry/stats", s.token("operator"), nil)
	if r.header.Get("Retry-After") == "" || r.problem(t).Status != 429 {
		t.Errorf("429 without Retry-After: %s", r.header)
	}
	// Another credential has its own budget.
	if r := s.do("GET", "/api/v1/certificates/none", s.token("AN"), nil); r.status != http.StatusNotFound {
		t.Errorf("another credential: %d", r.status)
	}
}

func TestIdempotencyKey(t *testing.T) {
	s := newStack(t, nil)
	body := testBody()
	var first, again server.Certificate
	r1 := s.do("POST", "/api/v1/certificates/test", s.token("lab"), body, "Idempotency-Key: order-7")
	r1.json(t, &first)
	r2 := s.do("POST", "/api/v1/certificates/test", s.token("lab"), body, "Idempotency-Key: order-7")
	r2.json(t, &again)
	if r2.status != 201 || again.UVCI != first.UVCI || again.HC1 != first.HC1 || r2.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry: %d %s, want the first certificate", r2.status, again.UVCI)
	}
	r3 := s.do("POST", "/api/v1/certificates/test", s.token("lab"), strings.Replace(body, "Gabriele", "Erika", 1), "Idempotency-Key: order-7")
	if r3.status != http.StatusConflict {
		t.Errorf("key reused for another body: %d", r3.status)
	}
	if n := len(searchAll(t, s)); n != 1 {
		t.Errorf("%d certificates, want 1", n)
	}
}

func TestRevokeReissueSearchStats(t *testing.T) {
	s := newStack(t, nil)
	an := s.token("AN")
	var c server.Certificate
	s.do("POST", "/api/v1/certificates/vaccination", an, vaccinationBody()).json(t, &c)
	path := server.CertificatePath(c.UVCI)

	r := s.do("POST", path+"/reissue", an, `{"reason": "re-encoding"}`)
	var nw server.Certificate
	r.json(t, &nw)
	if r.status != 201 || nw.Replaces != c.UVCI || nw.UVCI == c.UVCI {
		t.Fatalf("reissue: %d %s", r.status, r.body)
	}
	var old server.Certificate
	s.do("GET", path, an, nil).json(t, &old)
	if old.Revocation == nil || old.Revocation.ReplacedBy != nw.UVCI || old.Revocation.By != "authority:AN" {
		t.Errorf("old = %+v", old.Revocation)
	}
	if r := s.do("POST", path+"/revoke", an, `{"reason": "again"}`); r.status != http.StatusConflict {
		t.Errorf("revoke twice: %d", r.status)
	}
	if r := s.do("POST", server.CertificatePath(nw.UVCI)+"/revoke", an, `{}`); r.status != 422 {
		t.Errorf("revoke without reason: %d", r.status)
	}
	if r := s.do("POST", server.CertificatePath(nw.UVCI)+"/revoke", an, `{"reason": "x", "extra": 1}`); r.status != 422 {
		t.Errorf("revoke with unknown field: %d", r.status)
	}
	// The operator revokes any certificate.
	r = s.do("POST", server.CertificatePath(nw.UVCI)+"/revoke", s.token("operator"), `{"reason": "fraud"}`)
	var rv server.Certificate
	r.json(t, &rv)
	if r.status != 200 || rv.Revocation == nil || rv.Revocation.Reason != "fraud" {
		t.Errorf("operator revoke: %d %s", r.status, r.body)
	}
	s.do("POST", "/api/v1/certificates/test", s.token("lab"), testBody())

	op := s.token("operator")
	var page server.SearchResult
	s.do("GET", "/api/v1/registry/certificates?revoked=true", op, nil).json(t, &page)
	if len(page.Items) != 2 {
		t.Errorf("revoked = %d, want 2", len(page.Items))
	}
	for _, it := range page.Items {
		if it.Payload != nil || it.HC1 != "" {
			t.Error("search results carry personal data")
		}
	}
	s.do("GET", "/api/v1/registry/certificates?type=test&authority=AN&lab=LAB-AN-1", op, nil).json(t, &page)
	if len(page.Items) != 1 || page.Items[0].Lab != "LAB-AN-1" {
		t.Errorf("filter: %+v", page.Items)
	}
	// Paging: one by one.
	seen := map[string]bool{}
	after := ""
	for i := 0; i < 5; i++ {
		q := "/api/v1/registry/certificates?limit=1"
		if after != "" {
			q += "&after=" + url.QueryEscape(after)
		}
		var p server.SearchResult
		s.do("GET", q, op, nil).json(t, &p)
		for _, it := range p.Items {
			seen[it.UVCI] = true
		}
		if after = p.Next; after == "" {
			break
		}
	}
	if len(seen) != 3 {
		t.Errorf("paging saw %d certificates, want 3", len(seen))
	}
	r = s.do("GET", "/api/v1/registry/certificates?type=booster&limit=0&issuedFrom=yesterday", op, nil)
	if p := r.problem(t); r.status != 422 || len(p.Errors) != 3 {
		t.Errorf("bad query: %d %+v", r.status, p.Errors)
	}
	var st server.Stats
	s.do("GET", "/api/v1/registry/stats", op, nil).json(t, &st)
	total := 0
	for _, it := range st.Items {
		total += it.Issued
	}
	if total != 3 {
		t.Errorf("stats = %+v", st)
	}
}

func TestUVCIPathEncoding(t *testing.T) {
	s := newStack(t, nil)
	var c server.Certificate
	s.do("POST", "/api/v1/certificates/test", s.token("lab"), testBody()).json(t, &c)
	// The UVCI unescaped in the path would split it at '/' and cut it at '#'.
	raw := "/api/v1/certificates/" + c.UVCI
	if r := s.do("GET", raw, s.token("lab"), nil); r.status == 200 {
		t.Errorf("an unescaped UVCI path was served")
	}
	if r := s.do("GET", "/api/v1/certificates/"+url.PathEscape(c.UVCI), s.token("lab"), nil); r.status != 200 {
		t.Errorf("escaped: %d", r.status)
	}
}

// A registry operator finds a person's certificates by surname and date of
// birth; nobody else may, and both are required.
func TestSearchByHolder(t *testing.T) {
	s := newStack(t, nil)
	var lab1, lab2, vac server.Certificate
	s.do("POST", "/api/v1/certificates/test", s.token("lab"), testBody()).json(t, &lab1)
	s.do("POST", "/api/v1/certificates/test", s.token("lab"), testBody()).json(t, &lab2)
	s.do("POST", "/api/v1/certificates/vaccination", s.token("MS"), vaccinationBody()).json(t, &vac)

	var res server.SearchResult
	r := s.do("POST", "/api/v1/registry/certificates/search", s.token("operator"), `{"surname": "MUSTERFRAU<GOESSINGER", "dob": "1998-02-26"}`)
	r.json(t, &res)
	var got []string
	for _, c := range res.Items {
		got = append(got, c.UVCI)
	}
	slices.Sort(got)
	want := []string{lab1.UVCI, lab2.UVCI}
	slices.Sort(want)
	if r.status != 200 || !slices.Equal(got, want) {
		t.Errorf("search by standardised surname: %d %v, want %v", r.status, got, want)
	}
	res = server.SearchResult{}
	s.do("POST", "/api/v1/registry/certificates/search", s.token("operator"), `{"surname": "Фёдоров", "dob": "1964-01-01", "limit": 5}`).json(t, &res)
	if len(res.Items) != 1 || res.Items[0].UVCI != vac.UVCI {
		t.Errorf("search in Cyrillic: %+v", res)
	}
	for _, tt := range []struct {
		token, body string
		want        int
		field       string
	}{
		{"lab", `{"surname": "Fedorov", "dob": "1964-01-01"}`, 403, ""},
		{"", `{"surname": "Fedorov", "dob": "1964-01-01"}`, 401, ""},
		{"operator", `{"surname": "Fedorov"}`, 422, "dob"},
		{"operator", `{"surname": " ", "dob": "1964-01-01"}`, 422, "surname"},
		{"operator", `{"surname": "Fedorov", "dob": "01/01/1964"}`, 422, "dob"},
		{"operator", `{"surname": "Fedorov", "dob": "1964", "name": "x"}`, 422, ""},
	} {
		tok := ""
		if tt.token != "" {
			tok = s.token(tt.token)
		}
		r := s.do("POST", "/api/v1/registry/certificates/search", tok, tt.body)
		if r.status != tt.want {
			t.Errorf("%s %s: %d, want %d", tt.token, tt.body, r.status, tt.want)
			continue
		}
		if tt.field != "" {
			p := r.problem(t)
			if len(p.Errors) == 0 || p.Errors[0].Field != tt.field {
				t.Errorf("%s: problem %+v, want one naming %s", tt.body, p, tt.field)
			}
		}
	}
}

// TestUnmatchedPathLogged: a request no route matches is logged with its
// path, a matched one with its route only (a path may hold a UVCI).
func TestUnmatchedPathLogged(t *testing.T) {
	var buf syncBuffer
	s := openStack(t, nil, func(c *server.Config) { c.Log = slog.New(slog.NewTextHandler(&buf, nil)) })
	s.do("GET", "/no/such/page", "", nil)
	s.do("GET", "/api/v1/certificates/URN:UVCI:01:ES:AN%2FSECRET%23X", s.token("AN"), nil)
	logged := buf.String()
	if !strings.Contains(logged, "path=/no/such/page") {
		t.Errorf("the unmatched path is not logged:\n%s", logged)
	}
	if strings.Contains(logged, "SECRET") {
		t.Errorf("a matched route's path is logged:\n%s", logged)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
