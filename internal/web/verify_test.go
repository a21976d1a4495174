package web_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"html"
	"image"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dcc"
	"dcc/internal/app"
	"dcc/internal/issuance"
	"dcc/internal/server"
	"dcc/internal/web"
	"dcc/verify"
)

// issueTest issues a PCR test certificate as the demo laboratory.
func (s *system) issueTest(t testing.TB, fn, gn string) *issuance.Issued {
	t.Helper()
	lab, ok := s.app.Deployment.Authenticate(s.labToken())
	if !ok {
		t.Fatal("the demo laboratory's token is not accepted")
	}
	body := `{"nam": {"fn": "` + fn + `", "gn": "` + gn + `"}, "dob": "1998-02-26", "t": [{"tt": "LP6464-4", "sc": "` +
		time.Now().UTC().Add(-3*time.Hour).Truncate(time.Second).Format(time.RFC3339) + `", "tr": "260415000"}]}`
	is, err := s.app.Issuance.Issue(ctx, lab, issuance.Request{Type: dcc.Test, Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	return is
}

// qrPNG is the certificate's QR code as the API serves it to the issuer.
func (s *system) qrPNG(t testing.TB, uvci string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.url+server.CertificatePath(uvci)+"/qr.png", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.labToken())
	res := s.client(t).do(req).want(t, http.StatusOK)
	return []byte(res.body)
}

// upload sends the verify form as a browser does: multipart, with the
// photo (none if nil) and the fields; header adds request headers.
func (c *client) upload(fields map[string]string, photo []byte, header ...string) *response {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			c.t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("photo", "codigo.png")
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := fw.Write(photo); err != nil {
		c.t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.base+"/verify", &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.do(req)
}

// text is the page as a person reads it: entities decoded.
func (r *response) text() string { return html.UnescapeString(r.body) }

var tags = regexp.MustCompile(`<[^>]*>`)

// plain is the text without its tags, as the eye reads "<span lang="es">A</span> / <span lang="en">B</span>".
func plain(s string) string { return html.UnescapeString(tags.ReplaceAllString(s, "")) }

var statePattern = regexp.MustCompile(`id="state">(.*?)</p>`)

// state is the big state of a result page, or "" if there is none.
func (r *response) state() string {
	m := statePattern.FindStringSubmatch(r.body)
	if m == nil {
		return ""
	}
	return plain(m[1])
}

// reason is the plain text of the element with the id, "" if absent.
func (r *response) element(id string) string {
	m := regexp.MustCompile(`(?s)id="` + id + `"[^>]*>(.*?)</(p|div|li|section)>`).FindStringSubmatch(r.body)
	if m == nil {
		return ""
	}
	return plain(m[1])
}

func (r *response) mustContain(t testing.TB, want ...string) {
	t.Helper()
	text, flat := r.text(), plain(r.body)
	for _, w := range want {
		if !strings.Contains(text, w) && !strings.Contains(flat, w) {
			t.Errorf("%s %s: the page lacks %q", r.Request.Method, r.Request.URL.Path, w)
		}
	}
}

// blankPNG is a photo without a QR code.
func blankPNG(t testing.TB) []byte {
	img := image.NewGray(image.Rect(0, 0, 200, 200))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestVerifyPage(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)
	page := c.get("/verify").want(t, http.StatusOK)
	csp := page.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("the verify page's Content-Security-Policy lacks %s: %q", want, csp)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("the verify page's Content-Security-Policy allows unsafe sources: %q", csp)
	}
	if cc := page.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	// The only script is the static file: no inline script anywhere.
	if n, m := strings.Count(page.body, "<script"), strings.Count(page.body, `<script src="/assets/verify.js" defer></script>`); n != 1 || m != 1 {
		t.Errorf("%d scripts in the page, %d of them /assets/verify.js; want exactly that one", n, m)
	}
	for _, want := range []string{`method="post" action="/verify" enctype="multipart/form-data"`, `type="file" id="f-photo" name="photo"`,
		`name="hc1"`, `<option value="es" selected>`, `<option value="en">`, `type="datetime-local" id="f-at" name="at"`, `id="camera" hidden`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the verify page lacks %s", want)
		}
	}
	// The demo loads no country's rules: no country to choose, and the
	// page says that only the technical check is made.
	if strings.Contains(page.body, `id="f-country"`) {
		t.Error("a country of arrival is offered where no rules are loaded")
	}
	if got := page.element("no-rules"); !strings.Contains(got, "Sin reglas: solo comprobación técnica") || !strings.Contains(got, "No rules: technical check only") {
		t.Errorf("the no-rules statement is %q", got)
	}
	// The options may be bookmarked.
	page = c.get("/verify?country=de&lang=en&region=BY").want(t, http.StatusOK)
	for _, want := range []string{`<option value="DE" selected>Alemania / Germany</option>`, `<option value="en" selected>`, `value="BY"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the options of the query are not kept: no %s", want)
		}
	}

	js := c.get("/assets/verify.js").want(t, http.StatusOK)
	if ct := js.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("verify.js Content-Type %q", ct)
	}
	for _, want := range []string{"getUserMedia", "BarcodeDetector", "application/json"} {
		if !strings.Contains(js.body, want) {
			t.Errorf("verify.js lacks %s", want)
		}
	}

	// Every other page still allows no script; the verify page is linked
	// for everyone.
	signin := c.get("/signin").want(t, http.StatusOK)
	if csp := signin.Header.Get("Content-Security-Policy"); strings.Contains(csp, "script-src") {
		t.Errorf("the sign-in page allows scripts: %q", csp)
	}
	if !strings.Contains(signin.body, `href="/verify"`) {
		t.Error("the sign-in page does not link the verify page")
	}
	c.signIn(s.labToken())
	if home := c.get("/").want(t, http.StatusOK); !strings.Contains(home.body, `href="/verify"`) {
		t.Error("the menu does not link the verify page")
	}
}

func TestVerifyWithoutAVerifier(t *testing.T) {
	s := newSystem(t, func(c *web.Config) { c.Verifier = nil })
	c := s.client(t)
	c.get("/verify").want(t, http.StatusNotFound)
	c.get("/assets/verify.js").want(t, http.StatusNotFound)
	if strings.Contains(c.get("/signin").body, `href="/verify"`) {
		t.Error("a page links /verify where there is none")
	}
}

// An issued certificate's QR code, photographed, is VALID with its holder;
// a revoked one is INVALID and says so.
func TestVerifyUpload(t *testing.T) {
	s := newSystem(t, nil)
	good := s.issueTest(t, "Musterfrau-Gößinger", "Gabriele")
	bad := s.issueTest(t, "Prueba", "Revocada")
	lab, _ := s.app.Deployment.Authenticate(s.labToken())
	// The QR code of the one to revoke, fetched first: once revoked, it is
	// no longer served (410).
	badQR := s.qrPNG(t, bad.UVCI)
	// Revoked before any verification: the verifier reads revocations at
	// most every 30 seconds.
	if err := s.app.Records.Revoke(ctx, lab, bad.UVCI, "muestra confundida"); err != nil {
		t.Fatal(err)
	}
	c := s.client(t)

	res := c.upload(map[string]string{"lang": "en"}, s.qrPNG(t, good.UVCI)).want(t, http.StatusOK)
	if got := res.state(); got != "VÁLIDO / VALID" {
		t.Errorf("state %q, want VALID", got)
	}
	res.mustContain(t, `class="result valid"`, "Musterfrau-Gößinger", "Gabriele", "MUSTERFRAU<GOESSINGER", "GABRIELE", "1998-02-26",
		"Prueba diagnóstica / Test", "España / Spain (ES)", "Emitido el / Issued on", "Caduca el / Expires on",
		"Fecha y hora de la toma de muestra", "Firma / Signature", "Revocación / Revocation",
		"Tipo de prueba / Type of test", "Amplificación de ácidos nucleicos con detección por sonda / Nucleic acid amplification with probe detection",
		"Resultado / Test result", "No detectado / Not detected")
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("a result page with personal data has Cache-Control %q", cc)
	}
	if strings.Contains(res.body, `id="reason"`) {
		t.Error("a VALID result gives a reason")
	}
	// The form is there again with the options kept, for the next one.
	if !strings.Contains(res.body, `<option value="en" selected>`) || !strings.Contains(res.body, `id="f-photo"`) {
		t.Error("the result page does not offer the form again with its options")
	}

	res = c.upload(map[string]string{"lang": "en"}, badQR).want(t, http.StatusOK)
	if got := res.state(); got != "NO VÁLIDO / INVALID" {
		t.Errorf("revoked: state %q, want INVALID", got)
	}
	res.mustContain(t, `class="result invalid"`, "El certificado ha sido revocado: figura en la lista de revocación de ES / The certificate has been revoked: it is on the revocation list of ES")
	if tech := res.element("technical"); !strings.Contains(tech, "UCI hash") {
		t.Errorf("the technical detail is %q", tech)
	}
	if strings.Contains(res.element("reason"), "hash") {
		t.Errorf("the reason holds technical detail: %q", res.element("reason"))
	}

	// A country of arrival without configured rules: VALID, and the page
	// says that its rules were not checked.
	res = c.upload(map[string]string{"lang": "es", "country": "DE"}, s.qrPNG(t, good.UVCI)).want(t, http.StatusOK)
	if got := res.state(); got != "VÁLIDO / VALID" {
		t.Errorf("with a country: state %q", got)
	}
	res.mustContain(t, "The rules of Alemania / Germany (DE) were not checked", "only the technical check was made")
}

func TestVerifyPastedText(t *testing.T) {
	s := newSystem(t, nil)
	is := s.issueTest(t, "Musterfrau-Gößinger", "Gabriele")
	c := s.client(t)
	res := c.post("/verify", url.Values{"hc1": {is.HC1}}).want(t, http.StatusOK)
	if got := res.state(); got != "VÁLIDO / VALID" {
		t.Fatalf("pasted HC1: state %q", got)
	}
	res.mustContain(t, "Musterfrau-Gößinger", "1998-02-26")
	if strings.Contains(res.body, is.HC1) {
		t.Error("the result page repeats the pasted HC1 text")
	}
	// The text's "HC1:" prefix and surrounding blanks are as a scanner
	// app copies them.
	res = c.post("/verify", url.Values{"hc1": {"\n  " + is.HC1 + "  \n"}}).want(t, http.StatusOK)
	if got := res.state(); got != "VÁLIDO / VALID" {
		t.Errorf("pasted HC1 with blanks: state %q", got)
	}
}

// The verifier's reasons are in both languages whatever language is
// chosen, as every message of the UI.
func TestVerifyLanguage(t *testing.T) {
	s := newSystem(t, nil)
	is := s.issueTest(t, "Prueba", "Revocada")
	lab, _ := s.app.Deployment.Authenticate(s.labToken())
	if err := s.app.Records.Revoke(ctx, lab, is.UVCI, "duplicado"); err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	for _, tt := range []struct{ lang, hc1, es, en string }{
		{"es", is.HC1, "El certificado ha sido revocado", "The certificate has been revoked"},
		{"en", is.HC1, "El certificado ha sido revocado", "The certificate has been revoked"},
		{"", is.HC1, "El certificado ha sido revocado", "The certificate has been revoked"},
		{"es", "HC1:NOT-A-CERTIFICATE", "No es un certificado COVID digital de la UE legible", "Not a readable EU Digital COVID Certificate"},
	} {
		res := c.post("/verify", url.Values{"hc1": {tt.hc1}, "lang": {tt.lang}}).want(t, http.StatusOK)
		if got := res.state(); got != "NO VÁLIDO / INVALID" {
			t.Errorf("lang %q: state %q", tt.lang, got)
		}
		if got := res.element("reason"); got != "" && (!strings.HasPrefix(got, tt.es) || !strings.Contains(got, " / "+tt.en)) {
			t.Errorf("lang %q: the reason is %q, want %q / %q", tt.lang, got, tt.es, tt.en)
		} else if got == "" {
			t.Errorf("lang %q: no reason", tt.lang)
		}
		if !strings.Contains(res.body, `id="reason"><span lang="es">`) {
			t.Errorf("lang %q: the reason's languages are not marked", tt.lang)
		}
		res.mustContain(t, "Comprobaciones / Checks", "Verificar otro / Verify another")
	}
}

// Without a verified signature the content is anyone's word: the page
// shows none of it, and no personal data reaches a log or a URL.
func TestVerifyShowsNoPersonalDataWithoutAVerifiedSignature(t *testing.T) {
	elsewhere := newSystem(t, nil) // another system: its signers are not trusted here
	foreign := elsewhere.issueTest(t, "Fälschung", "Fabiola")
	photo := elsewhere.qrPNG(t, foreign.UVCI)

	var mu sync.Mutex
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), nil))
	s := openSystem(t, systemOptions{
		api: func(c *server.Config) { c.Log = logger },
		web: func(c *web.Config) { c.Log = logger },
	})
	c := s.client(t)
	personal := []string{"Fälschung", "F&#228;lschung", "Fabiola", "FALSCHUNG", "FAELSCHUNG", "FABIOLA", "1998-02-26", foreign.UVCI,
		foreign.HC1[:40], `id="holder"`, `id="certificate"`}
	for name, res := range map[string]*response{
		"photo": c.upload(map[string]string{"lang": "en"}, photo).want(t, http.StatusOK),
		"text":  c.post("/verify", url.Values{"hc1": {foreign.HC1}, "lang": {"en"}}).want(t, http.StatusOK),
	} {
		if got := res.state(); got != "NO VÁLIDO / INVALID" {
			t.Errorf("%s: state %q", name, got)
		}
		res.mustContain(t, "The certificate's signer is not trusted")
		if got := res.element("signer-note"); !strings.Contains(got, "La lista de confianza") || !strings.Contains(got, "The trust list holds signing certificates of ES, but not the one") {
			t.Errorf("%s: the signer note is %q", name, got)
		}
		for _, p := range personal {
			if strings.Contains(res.body, p) || strings.Contains(res.text(), p) {
				t.Errorf("%s: an unverified certificate's page shows %q", name, p)
			}
		}
	}
	// Even a verified one's data stays out of the logs.
	mine := s.issueTest(t, "Registrada", "Rosa")
	c.upload(nil, s.qrPNG(t, mine.UVCI)).want(t, http.StatusOK)
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "route=\"POST /verify\"") {
		t.Errorf("the access log does not show the verifications:\n%s", logs.String())
	}
	for _, p := range append(personal, "Registrada", "Rosa", mine.UVCI, mine.HC1[:40]) {
		if strings.Contains(logs.String(), p) {
			t.Errorf("the log holds %q", p)
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// failingRules is a country's rule set with one rule that a test
// certificate does not meet.
type failingRules struct{}

// Countries: the rules are Germany's.
func (failingRules) Countries() []string { return []string{"DE"} }

func (failingRules) Evaluate(in verify.RulesInput) ([]verify.RuleOutcome, error) {
	return []verify.RuleOutcome{
		{Identifier: "GR-" + in.Country + "-0001", Type: "Acceptance", Country: in.Country, Version: "1.0.0", Result: verify.Pass,
			Description: "The certificate is of a known type."},
		{Identifier: "TR-" + in.Country + "-0002", Type: "Acceptance", Country: in.Country, Version: "1.0.0", Result: verify.Fail,
			Description: "A PCR test is accepted up to 1 hour after the sample."},
	}, nil
}

func TestVerifyNotAccepted(t *testing.T) {
	s := openSystem(t, systemOptions{app: func(a *app.App) { a.Verification.SetRules(failingRules{}) }})
	is := s.issueTest(t, "Musterfrau-Gößinger", "Gabriele")
	c := s.client(t)
	res := c.upload(map[string]string{"country": "DE", "lang": "en"}, s.qrPNG(t, is.UVCI)).want(t, http.StatusOK)
	if got := res.state(); got != "NO ACEPTADO / NOT ACCEPTED" {
		t.Errorf("state %q, want NOT ACCEPTED", got)
	}
	res.mustContain(t, `class="result not-accepted"`, "Not accepted in the country of arrival (DE): the rules TR-DE-0002 are not met",
		"Reglas no cumplidas en Alemania / Germany (DE) / Rules not met in Alemania / Germany (DE)",
		"TR-DE-0002", "A PCR test is accepted up to 1 hour after the sample.", "Musterfrau-Gößinger")
	if strings.Contains(regexp.MustCompile(`(?s)<ul class="rules".*?</ul>`).FindString(res.body), "GR-DE-0001") {
		t.Error("a rule that passed is listed as not met")
	}
	// Only the country whose rules are loaded is offered.
	page := c.get("/verify").want(t, http.StatusOK)
	if opts := regexp.MustCompile(`<option value="[A-Z]{2}"`).FindAllString(page.body, -1); len(opts) != 1 || opts[0] != `<option value="DE"` {
		t.Errorf("countries offered: %v, want only DE", opts)
	}
	if strings.Contains(page.body, `id="no-rules"`) {
		t.Error("the page says no rules are loaded")
	}
	// No country: no rules.
	res = c.upload(nil, s.qrPNG(t, is.UVCI)).want(t, http.StatusOK)
	if got := res.state(); got != "VÁLIDO / VALID" {
		t.Errorf("without a country: state %q", got)
	}
}

func TestVerifyErrors(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)

	for name, photo := range map[string][]byte{"garbage": []byte("this is not an image at all"), "blank": blankPNG(t)} {
		res := c.upload(map[string]string{"lang": "en"}, photo).want(t, http.StatusUnprocessableEntity)
		if res.state() != "" {
			t.Errorf("%s: a photo without a code gives the state %q", name, res.state())
		}
		res.mustContain(t, "No se ha encontrado ningún código QR / No QR code found")
		why := plain(regexp.MustCompile(`(?s)<p class="reason">.*?</p>`).FindString(res.body))
		if !strings.Contains(why, " / ") || strings.Contains(why, "qr:") || strings.Contains(why, "Exception") {
			t.Errorf("%s: the reason is %q: both languages, without the decoder's words", name, why)
		}
	}

	res := c.upload(nil, nil).want(t, http.StatusUnprocessableEntity)
	res.mustContain(t, "Nada que verificar / Nothing to verify")

	res = c.post("/verify", url.Values{"hc1": {"HC1:X"}, "lang": {"fr"}, "country": {"ESP"}, "region": {"<b>"}, "at": {"yesterday"}}).
		want(t, http.StatusUnprocessableEntity)
	res.mustContain(t, "Language: choose Spanish or English", "Country of arrival: choose a country", "Region: a code",
		"Validation time: not a valid date and time")
	if res.state() != "" {
		t.Error("invalid options still verified the text")
	}

	// Too large, announced by its length as browsers send a form: refused
	// before a byte of it is read (a raw request, so that the client is
	// not still writing the body when the server answers).
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second)) // a failure must not hang the test
	// The limit is the photo's 10 MiB and 64 KiB for the form around it.
	if _, err := io.WriteString(conn, "POST /verify HTTP/1.1\r\nHost: "+strings.TrimPrefix(s.url, "http://")+
		"\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: "+strconv.Itoa(10<<20+64<<10+1)+"\r\n\r\n--x\r\n"); err != nil {
		t.Fatal(err)
	}
	raw, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw.Body.Close()
	if raw.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over 10 MiB: status %d, want 413", raw.StatusCode)
	}
	big := bytes.Repeat([]byte{0x89}, 10<<20+1)
	// Streamed without a length, it is cut off while read, and explained.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("photo", "huge.jpg")
	_, _ = fw.Write(big)
	_ = mw.Close()
	for _, accept := range []string{"text/html", "application/json"} {
		req, _ := http.NewRequest(http.MethodPost, s.url+"/verify", io.MultiReader(bytes.NewReader(body.Bytes())))
		req.ContentLength = -1
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Accept", accept)
		res = c.do(req).want(t, http.StatusRequestEntityTooLarge)
		if !strings.Contains(res.text(), "The photo must not exceed 10 MB") {
			t.Errorf("streamed too large (%s): %s", accept, res.body)
		}
	}

	req, _ := http.NewRequest(http.MethodPost, s.url+"/verify", strings.NewReader("HC1:X"))
	req.Header.Set("Content-Type", "text/plain")
	c.do(req).want(t, http.StatusUnsupportedMediaType)

	// Another site cannot use its visitors' browsers as a verifier.
	c.post("/verify", url.Values{"hc1": {"HC1:X"}}, "Sec-Fetch-Site", "cross-site").want(t, http.StatusForbidden)

	c.get("/verify").want(t, http.StatusOK) // and all is well
}

// The script's camera frames: JSON that says whether a code was read and
// nothing else.
func TestVerifyCameraFrames(t *testing.T) {
	s := newSystem(t, nil)
	is := s.issueTest(t, "Musterfrau-Gößinger", "Gabriele")
	c := s.client(t)
	frame := func(photo []byte) (frameAnswer, *response) {
		res := c.upload(map[string]string{"lang": "en"}, photo, "Accept", "application/json", "Sec-Fetch-Site", "same-origin").
			want(t, http.StatusOK)
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		var a frameAnswer
		if err := json.Unmarshal([]byte(res.body), &a); err != nil {
			t.Fatalf("%v: %s", err, res.body)
		}
		return a, res
	}
	if a, _ := frame(blankPNG(t)); a.Read {
		t.Error("a frame without a code is read")
	}
	a, res := frame(s.qrPNG(t, is.UVCI))
	if !a.Read {
		t.Error("a frame with the code is not read")
	}
	for _, p := range []string{"Musterfrau", "Gabriele", "1998", is.UVCI} {
		if strings.Contains(res.body, p) {
			t.Errorf("the frame's answer holds %q: %s", p, res.body)
		}
	}
}

type frameAnswer struct {
	Read    bool   `json:"read"`
	Message string `json:"message"`
}

func TestVerifyIsRateLimited(t *testing.T) {
	s := openSystem(t, systemOptions{api: func(c *server.Config) { c.RatePerSecond, c.Burst = 0.01, 2 }})
	c := s.client(t)
	for range 2 {
		c.post("/verify", url.Values{"hc1": {"HC1:X"}}).want(t, http.StatusOK)
	}
	res := c.post("/verify", url.Values{"hc1": {"HC1:X"}}).want(t, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	res.mustContain(t, "Too many verifications")
}
