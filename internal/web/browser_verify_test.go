package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dcc"
	"dcc/internal/config"
	"dcc/internal/issuance"
	"dcc/qr"
)

// issueAs issues a certificate of type typ with the JSON body as the
// principal of token.
func (s *system) issueAs(t testing.TB, token string, typ dcc.Type, body string) *issuance.Issued {
	t.Helper()
	p, ok := s.app.Deployment.Authenticate(token)
	if !ok {
		t.Fatal("the demo token is not accepted")
	}
	is, err := s.app.Issuance.Issue(ctx, p, issuance.Request{Type: typ, Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	return is
}

// pasteAndVerify verifies an HC1 text on the page and waits for the
// result.
func pasteAndVerify(t *testing.T, ctx context.Context, base, hc1 string) {
	t.Helper()
	do(t, ctx, "paste the code's text",
		chromedp.Navigate(base+"/verify"),
		chromedp.WaitVisible(chromedp.ID("f-photo")),
		chromedp.Click(chromedp.CSS("#text > summary")),
		chromedp.WaitVisible(chromedp.ID("f-hc1")),
		chromedp.SetValue(chromedp.ID("f-hc1"), hc1),
		chromedp.Click(chromedp.ID("verify")),
		chromedp.WaitVisible(chromedp.ID("state")),
	)
}

// certificateCard is the certificate's card as a person reads it.
func certificateCard(t *testing.T, ctx context.Context) string {
	t.Helper()
	return run(t, ctx, "read #certificate", chromedp.Evaluate[string](`(document.getElementById('certificate') || {}).innerText || ''`))
}

// bilingualReasons checks that every reason the page shows has a Spanish
// and an English part, marked by lang, and returns how many there are.
func bilingualReasons(t *testing.T, ctx context.Context) int {
	t.Helper()
	got := run(t, ctx, "check the reasons' languages", chromedp.Evaluate[[]string](`[...document.querySelectorAll('.reason')].map((el) => {
		const es = el.querySelector('[lang="es"]'), en = el.querySelector('[lang="en"]');
		const a = es ? es.innerText.trim() : '', b = en ? en.innerText.trim() : '';
		return a && b && a !== b ? 'ok' : 'missing a language: ' + el.outerHTML;
	})`))
	for _, g := range got {
		if g != "ok" {
			t.Error(g)
		}
	}
	return len(got)
}

// memberStateVectors are the member states' test data (read-only), beside
// the project.
const memberStateVectors = "../../../shared/testdata/dgc-testdata"

// esVector is a Spanish vaccination certificate that this verifier judges
// VALID at its validation clock. The vectors with the holder "Andaluza
// Andaluza, Carmen" (ES 101–103, 201–203, 1501–1503) cannot serve: their
// DSC's extended key usage lists only clientAuth and emailProtection, which
// allows no certificate type (HCERT, docs/conformance.md), so the verifier
// finds them INVALID (key usage) at any clock.
const esVector = "ES/2DCode/raw/701.json"

type vector struct {
	Code2D string `json:"2DCODE"`
	Ctx    struct {
		Certificate string `json:"CERTIFICATE"`
		Clock       string `json:"VALIDATIONCLOCK"`
	} `json:"TESTCTX"`
}

// readVector reads a vector with its QR image, DSC (DER) and clock.
func readVector(path string) (v vector, png, dsc []byte, clock time.Time, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return v, nil, nil, clock, err
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return v, nil, nil, clock, err
	}
	if png, err = base64.StdEncoding.DecodeString(v.Code2D); err != nil {
		return v, nil, nil, clock, err
	}
	if dsc, err = base64.StdEncoding.DecodeString(v.Ctx.Certificate); err != nil {
		return v, nil, nil, clock, err
	}
	clock, err = time.Parse(time.RFC3339Nano, v.Ctx.Clock)
	return v, png, dsc, clock, err
}

// pageResult reads a result page: its state, the holder's card and the
// reason (empty when absent).
func pageResult(t *testing.T, ctx context.Context) (state, holder, reason string) {
	t.Helper()
	text := func(id string) string {
		return run(t, ctx, "read #"+id, chromedp.Evaluate[string](`(document.getElementById('`+id+`') || {}).innerText || ''`))
	}
	return text("state"), text("holder"), text("reason")
}

// fakeCamera writes a video for Chromium's fake camera
// (--use-file-for-fake-video-capture: YUV4MPEG2, 4:2:0, looped): blank
// for a while, then the QR code of hc1 held in front of it for a while.
func fakeCamera(t *testing.T, path, hc1 string, blank, showing time.Duration) {
	t.Helper()
	const w, h, fps = 640, 480, 2
	code, err := qr.Encode(hc1)
	if err != nil {
		t.Fatal(err)
	}
	modules := code.Size() + 2*qr.QuietZone
	scale := (h - 40) / modules
	x0, y0 := (w-modules*scale)/2, (h-modules*scale)/2
	const light, dark = 0xeb, 0x10 // video range: white paper, black ink
	empty := bytes.Repeat([]byte{light}, w*h)
	shown := bytes.Repeat([]byte{light}, w*h)
	for y := range modules * scale {
		for x := range modules * scale {
			if code.Black(x/scale-qr.QuietZone, y/scale-qr.QuietZone) {
				shown[(y0+y)*w+x0+x] = dark
			}
		}
	}
	chroma := bytes.Repeat([]byte{0x80}, 2*(w/2)*(h/2)) // no colour
	var b bytes.Buffer
	fmt.Fprintf(&b, "YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 C420jpeg\n", w, h, fps)
	frames := func(luma []byte, d time.Duration) {
		for range int(d.Seconds() * fps) {
			b.WriteString("FRAME\n")
			b.Write(luma)
			b.Write(chroma)
		}
	}
	frames(empty, blank)
	frames(shown, showing)
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserVerify drives the verify page in a real headless Chromium
// with a fake camera: a photo of a certificate the demo system issued, the
// camera (whose fake video shows that system's QR code after a few blank
// seconds), and a member state's certificate at its validation clock; no
// script error and no Content-Security-Policy violation on the way.
func TestBrowserVerify(t *testing.T) {
	start := time.Now()
	dir := t.TempDir()
	vecPath := filepath.Join(memberStateVectors, esVector)
	_, vecPNG, vecDSC, vecClock, vecErr := readVector(vecPath)
	var o systemOptions
	if vecErr == nil {
		// The vector's DSC joins the national trust list, as a foreign DSC
		// imported from the gateway would.
		dscFile := filepath.Join(dir, "es-vector-dsc.pem")
		if err := os.WriteFile(dscFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: vecDSC}), 0o600); err != nil {
			t.Fatal(err)
		}
		o.config = func(c *config.Config) {
			c.TrustList.ImportFiles = append(c.TrustList.ImportFiles, dscFile)
			// The vector comes without its CSCA, and the demo's CSCA is of the
			// same country: with CSCAs configured the verifier requires every
			// DSC of ES to chain to one of them (check "chain"). This system
			// trusts DSCs alone.
			c.CSCAFiles = nil
		}
	}
	s := openSystem(t, o)
	filmed := s.issueTest(t, "Kamera", "Carla")
	video := filepath.Join(dir, "camera.y4m")
	// Blank long enough for the status to be read before the code shows.
	fakeCamera(t, video, filmed.HC1, 4*time.Second, 2*time.Second)
	ctx := newBrowser(t,
		chromedp.Flag("use-fake-ui-for-media-stream", true),     // grants the camera without asking
		chromedp.Flag("use-fake-device-for-media-stream", true), // a synthetic camera…
		chromedp.Flag("use-file-for-fake-video-capture", video), // …that films this
	)

	// Script errors and CSP violations, from here on.
	cctx, stopConsole := context.WithCancel(ctx)
	var mu sync.Mutex
	var consoleProblems []string
	consoleDone := make(chan struct{})
	messages := chromedp.Console(cctx)
	go func() {
		defer close(consoleDone)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") || strings.Contains(m.Text, "Content-Security-Policy") {
				mu.Lock()
				consoleProblems = append(consoleProblems, m.String())
				mu.Unlock()
			}
		}
	}()

	t.Run("upload", func(t *testing.T) {
		is := s.issueTest(t, "Musterfrau-Gößinger", "Gabriele")
		photo := filepath.Join(dir, "certificado.png")
		if err := os.WriteFile(photo, s.qrPNG(t, is.UVCI), 0o600); err != nil {
			t.Fatal(err)
		}
		do(t, ctx, "upload the certificate's QR code",
			chromedp.Navigate(s.url+"/verify"),
			chromedp.WaitVisible(chromedp.ID("f-photo")),
			chromedp.SetUploadFiles(chromedp.ID("f-photo"), []string{photo}),
			chromedp.Click(chromedp.ID("verify")),
			chromedp.WaitVisible(chromedp.ID("state")),
		)
		state, holder, _ := pageResult(t, ctx)
		if state != "VÁLIDO / VALID" || !strings.Contains(holder, "Musterfrau-Gößinger") || !strings.Contains(holder, "Gabriele") {
			t.Errorf("state %q, holder %q; want VALID for Musterfrau-Gößinger, Gabriele", state, holder)
		}
		// A test: its type, result and sample time.
		card := certificateCard(t, ctx)
		for _, want := range []string{"Tipo de prueba / Type of test", "Amplificación de ácidos nucleicos con detección por sonda / Nucleic acid amplification with probe detection",
			"Resultado / Test result", "No detectado / Not detected", "Fecha y hora de la toma de muestra / Date and time of sample collection"} {
			if !strings.Contains(card, want) {
				t.Errorf("the certificate card lacks %q:\n%s", want, card)
			}
		}
		// The demo loads no rules: said so, and no country is offered.
		noRules := run(t, ctx, "read #no-rules", chromedp.Evaluate[string](`(document.getElementById('no-rules') || {}).innerText || ''`))
		if !strings.Contains(noRules, "Sin reglas: solo comprobación técnica") || !strings.Contains(noRules, "No rules: technical check only") {
			t.Errorf("the no-rules statement is %q", noRules)
		}
		if n := run(t, ctx, "count countries", chromedp.Evaluate[int](`document.querySelectorAll('#f-country option').length`)); n != 0 {
			t.Errorf("%d countries of arrival offered without rules", n)
		}
		bilingualReasons(t, ctx)
		if loc := run(t, ctx, "location", chromedp.Location()); loc != s.url+"/verify" {
			t.Errorf("the result is at %s: nothing may be added to the URL", loc)
		}
	})

	t.Run("camera", func(t *testing.T) {
		do(t, ctx, "start the camera",
			chromedp.Navigate(s.url+"/verify"),
			chromedp.WaitVisible(chromedp.ID("camera-start")), // shown by the script
			chromedp.Click(chromedp.ID("camera-start")),
		)
		// On, and while the video is blank: where the browser cannot decode,
		// frames go to the server, which reads no code in them yet.
		got := run(t, ctx, "wait for the camera", chromedp.Poll[string](`(() => {
			const s = document.getElementById('camera-status'), v = document.getElementById('camera-video');
			if (!s) return 'left the page';
			if (s.dataset.state === 'error' || s.dataset.state === 'warning') return s.dataset.state + ': ' + s.textContent;
			const seen = s.dataset.decoder === 'browser' || Number(s.dataset.frames || 0) >= 1;
			return s.dataset.state === 'on' && v.videoWidth > 0 && !v.hidden && seen ? s.dataset.decoder + ': ' + s.textContent : null;
		})()`, chromedp.WithPollingTimeout(20*time.Second)))
		if !strings.Contains(got, "Camera on") {
			t.Fatalf("the camera status says %q", got)
		}
		t.Logf("camera: %s", got)
		// Then the code comes into view: read, submitted, verified.
		do(t, ctx, "wait for the camera's result", chromedp.WaitVisible(chromedp.ID("state")))
		state, holder, reason := pageResult(t, ctx)
		if state != "VÁLIDO / VALID" || !strings.Contains(holder, "Kamera") || !strings.Contains(holder, "Carla") {
			t.Errorf("from the camera: state %q (%s), holder %q; want VALID for Kamera, Carla", state, reason, holder)
		}
		if loc := run(t, ctx, "location", chromedp.Location()); loc != s.url+"/verify" {
			t.Errorf("the result is at %s: nothing may be added to the URL", loc)
		}

		// Turned off, the camera is released.
		do(t, ctx, "start the camera again", chromedp.Click(chromedp.ID("camera-start")))
		run(t, ctx, "wait for the camera", chromedp.Poll[bool](`document.getElementById('camera-status').dataset.state === 'on'`,
			chromedp.WithPollingTimeout(10*time.Second)))
		do(t, ctx, "stop the camera", chromedp.Click(chromedp.ID("camera-stop")))
		off := run(t, ctx, "read the camera status", chromedp.Evaluate[string](`(() => {
			const s = document.getElementById('camera-status'), v = document.getElementById('camera-video');
			return s.dataset.state + (v.srcObject ? ' streaming' : '') + (v.hidden ? '' : ' shown');
		})()`))
		if off != "off" {
			t.Errorf("after turning it off the camera is %q", off)
		}
	})

	t.Run("vaccination", func(t *testing.T) {
		is := s.issueAs(t, s.authorityToken(t, "AN"), dcc.Vaccination, `{"nam": {"fn": "Vacunada", "gn": "Valeria"}, "dob": "1980-05-05",
			"v": [{"vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215", "dn": 2, "sd": 3, "dt": "2021-06-01"}]}`)
		pasteAndVerify(t, ctx, s.url, is.HC1)
		state, _, reason := pageResult(t, ctx)
		card := certificateCard(t, ctx)
		if state != "VÁLIDO / VALID" {
			t.Errorf("state %q (%s)", state, reason)
		}
		for _, want := range []string{"Dosis / Doses", "2 de 3 / 2 of 3", "Producto de la vacuna / Vaccine product", "Comirnaty",
			"Vacuna de ARNm contra el SARS-CoV-2 / SARS-CoV-2 mRNA vaccine", "2021-06-01"} {
			if !strings.Contains(card, want) {
				t.Errorf("the certificate card lacks %q:\n%s", want, card)
			}
		}
	})

	t.Run("recovery", func(t *testing.T) {
		fr := time.Now().AddDate(0, 0, -20).Format(time.DateOnly)
		df := time.Now().AddDate(0, 0, -9).Format(time.DateOnly)
		du := time.Now().AddDate(0, 0, 150).Format(time.DateOnly)
		is := s.issueAs(t, s.authorityToken(t, "AN"), dcc.Recovery, `{"nam": {"fn": "Recuperado", "gn": "Ramón"}, "dob": "1975-01-01",
			"r": [{"fr": "`+fr+`", "df": "`+df+`", "du": "`+du+`"}]}`)
		pasteAndVerify(t, ctx, s.url, is.HC1)
		state, _, reason := pageResult(t, ctx)
		card := certificateCard(t, ctx)
		if state != "VÁLIDO / VALID" {
			t.Errorf("state %q (%s)", state, reason)
		}
		for _, want := range []string{"Fecha del primer resultado positivo / Date of first positive test result", fr,
			"del " + df + " al " + du + " / from " + df + " to " + du} {
			if !strings.Contains(card, want) {
				t.Errorf("the certificate card lacks %q:\n%s", want, card)
			}
		}
	})

	t.Run("unknown signer", func(t *testing.T) {
		elsewhere := newSystem(t, nil) // its signer is not in this system's trust list
		foreign := elsewhere.issueTest(t, "Ajena", "Alicia")
		pasteAndVerify(t, ctx, s.url, foreign.HC1)
		state, holder, reason := pageResult(t, ctx)
		if state != "NO VÁLIDO / INVALID" || holder != "" || !strings.Contains(reason, "no es de confianza") || !strings.Contains(reason, "is not trusted") {
			t.Errorf("state %q, holder %q, reason %q", state, holder, reason)
		}
		note := run(t, ctx, "read #signer-note", chromedp.Evaluate[string](`(document.getElementById('signer-note') || {}).innerText || ''`))
		if !strings.Contains(note, "La lista de confianza") || !strings.Contains(note, "The trust list holds") {
			t.Errorf("the unknown signer is not explained: %q", note)
		}
		// The kid is for operators, folded away.
		tech := run(t, ctx, "read #technical", chromedp.Evaluate[string](`(() => {
			const d = document.getElementById('technical');
			return d ? (d.open ? 'open ' : '') + d.textContent : '';
		})()`))
		if !strings.Contains(tech, "kid") || strings.HasPrefix(tech, "open") || strings.Contains(reason, "kid") {
			t.Errorf("technical detail %q, reason %q", tech, reason)
		}
		if n := bilingualReasons(t, ctx); n < 2 {
			t.Errorf("%d reasons shown, want the reason and the note", n)
		}
	})

	t.Run("member-state vector", func(t *testing.T) {
		if vecErr != nil {
			t.Skipf("the member states' test data are not at %s (%v): the foreign certificate is not checked", memberStateVectors, vecErr)
		}
		photo := filepath.Join(dir, "es-vector.png")
		if err := os.WriteFile(photo, vecPNG, 0o600); err != nil {
			t.Fatal(err)
		}
		at := vecClock.In(time.UTC).Format("2006-01-02T15:04:05") // the tests' UI location
		do(t, ctx, "upload the vector at its clock",
			chromedp.Navigate(s.url+"/verify"),
			chromedp.WaitVisible(chromedp.ID("f-photo")),
			chromedp.Click(chromedp.CSS("#advanced > summary")),
			chromedp.WaitVisible(chromedp.ID("f-at")),
			chromedp.SetValue(chromedp.ID("f-at"), at),
			chromedp.SetUploadFiles(chromedp.ID("f-photo"), []string{photo}),
			chromedp.Click(chromedp.ID("verify")),
			chromedp.WaitVisible(chromedp.ID("state")),
		)
		state, holder, reason := pageResult(t, ctx)
		if state != "VÁLIDO / VALID" || !strings.Contains(holder, "MANJARRES SALAZAR") || !strings.Contains(holder, "BETTY MARTA") {
			t.Errorf("at %s: state %q (%s), holder %q; want VALID for MANJARRES SALAZAR, BETTY MARTA", at, state, reason, holder)
		}
		do(t, ctx, "upload the vector now",
			chromedp.Navigate(s.url+"/verify"),
			chromedp.WaitVisible(chromedp.ID("f-photo")),
			chromedp.SetUploadFiles(chromedp.ID("f-photo"), []string{photo}),
			chromedp.Click(chromedp.ID("verify")),
			chromedp.WaitVisible(chromedp.ID("state")),
		)
		state, _, reason = pageResult(t, ctx)
		if state != "NO VÁLIDO / INVALID" || !strings.Contains(reason, "El certificado ha caducado") || !strings.Contains(reason, "The certificate has expired") {
			t.Errorf("now: state %q, reason %q; want INVALID (expired)", state, reason)
		}
		bilingualReasons(t, ctx)
	})

	stopConsole()
	<-consoleDone
	mu.Lock()
	defer mu.Unlock()
	for _, p := range consoleProblems {
		t.Errorf("browser console: %s", p)
	}
	t.Logf("browser verify test took %v", time.Since(start).Round(time.Millisecond))
}
