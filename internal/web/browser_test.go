package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"dcc/internal/demo"
	"dcc/qr"
)

// chromium is Debian's browser (package "chromium"), which CI installs.
const chromium = "/usr/bin/chromium"

// newBrowser starts a headless Chromium with a fresh profile and returns a
// tab's context, which ends after a minute; extra adds flags.
func newBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	return newBrowserFor(t, time.Minute, extra...)
}

// newBrowserFor is newBrowser whose context ends after d.
func newBrowserFor(t *testing.T, d time.Duration, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("%s not found: install the Debian package chromium (apt-get install chromium) to run the browser test", chromium)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx); err != nil { // starts the browser, bound to no deadline
		t.Fatalf("start %s: %v", chromium, err)
	}
	ctx, cancel := context.WithTimeout(bctx, d)
	t.Cleanup(cancel)
	return ctx
}

// do runs browser actions and fails the test on an error.
func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func run[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// signInAs fills in the sign-in form as a person does.
func signInAs(t *testing.T, ctx context.Context, base, token string) {
	t.Helper()
	do(t, ctx, "sign in",
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.ID("f-token")),
		chromedp.SendKeys(chromedp.ID("f-token"), token),
		chromedp.Submit(chromedp.ID("f-token")),
		chromedp.WaitVisible(chromedp.CSS("header .who")),
	)
}

// TestBrowser drives the UI in a real headless Chromium: a laboratory
// signs in with its demo token, issues a test certificate through the form,
// sees the QR code and the HC1 text and downloads the PDF; then the
// Ministry of Health is refused a test certificate.
func TestBrowser(t *testing.T) {
	start := time.Now()
	ctx := newBrowser(t)
	s := newSystem(t, nil)
	creds, err := demo.ReadCredentials(s.dir) // demo-credentials.json
	if err != nil {
		t.Fatal(err)
	}

	signInAs(t, ctx, s.url, creds.Labs[0].Token)
	links := run(t, ctx, "read the menu", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('a[href^="/issue/"]')].map(a => a.getAttribute('href'))`))
	for _, l := range links {
		if l != "/issue/test" {
			t.Errorf("the laboratory is offered %s", l)
		}
	}

	do(t, ctx, "fill in the test form",
		chromedp.Navigate(s.url+"/issue/test"),
		chromedp.WaitVisible(chromedp.ID("issue")),
		chromedp.SendKeys(chromedp.ID("f-nam-fn"), "Musterfrau-Gößinger"),
		chromedp.SendKeys(chromedp.ID("f-nam-gn"), "Gabriele"),
		chromedp.SendKeys(chromedp.ID("f-dob"), "1998-02-26"),
		chromedp.SetValue(chromedp.ID("f-t-tt"), "LP6464-4"),
		chromedp.SetValue(chromedp.ID("f-t-sc"), sampleTime(3)),
		chromedp.SetValue(chromedp.ID("f-t-tr"), "260415000"),
		chromedp.Click(chromedp.ID("issue")),
		chromedp.WaitVisible(chromedp.ID("hc1")),
	)
	loc := run(t, ctx, "location", chromedp.Location())
	if !strings.HasPrefix(loc, s.url+"/certificates/URN:UVCI:01:ES:AN%2F") {
		t.Fatalf("after issuing, the browser is at %s", loc)
	}
	hc1 := run(t, ctx, "read the HC1 text", chromedp.Value(chromedp.ID("hc1")))
	if !strings.HasPrefix(hc1, "HC1:") {
		t.Fatalf("the HC1 text starts %.10q", hc1)
	}
	// The image has loaded once it is complete with a width.
	width := run(t, ctx, "QR image", chromedp.Poll[int](
		`(() => { const i = document.getElementById('qr'); return i.complete && i.naturalWidth > 0 ? i.naturalWidth : null })()`,
		chromedp.WithPollingTimeout(10*time.Second)))
	if width <= 0 {
		t.Fatalf("the QR image did not load (naturalWidth %d)", width)
	}
	// The PNG the browser loaded, read back through a canvas, is the code of
	// the page's HC1 text.
	dataURL := run(t, ctx, "read the QR image", chromedp.Evaluate[string](`(() => {
		const i = document.getElementById('qr'), c = document.createElement('canvas');
		c.width = i.naturalWidth; c.height = i.naturalHeight;
		c.getContext('2d').drawImage(i, 0, 0);
		return c.toDataURL('image/png');
	})()`))
	png, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(dataURL, "data:image/png;base64,"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := qr.Decode(png); err != nil || got != hc1 {
		t.Errorf("the QR image reads %.20q…, %v; want the page's HC1 text", got, err)
	}

	// Download the PDF by clicking its link.
	dir := t.TempDir()
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	allow := true
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &allow,
	}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "click the PDF link", chromedp.Click(chromedp.ID("pdf")))
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the PDF download was cancelled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			file = filepath.Join(dir, ev.GUID)
			break
		}
	}
	pdf, err := os.ReadFile(file)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Errorf("the downloaded PDF: %v, starts %.8q", err, pdf)
	}

	// The Ministry of Health signs in: no test form, and the form's address
	// shows a refusal.
	do(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)), chromedp.WaitVisible(chromedp.ID("f-token")))
	var ms string
	for _, a := range creds.Authorities {
		if a.ID == "MS" {
			ms = a.Token
		}
	}
	signInAs(t, ctx, s.url, ms)
	links = run(t, ctx, "read the menu", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('a[href^="/issue/"]')].map(a => a.getAttribute('href'))`))
	if strings.Contains(strings.Join(links, " "), "/issue/test") || len(links) == 0 {
		t.Errorf("the Ministry of Health is offered %v", links)
	}
	res := run(t, ctx, "open the test form", chromedp.NavigateResponse(s.url+"/issue/test"))
	if res.Status != http.StatusForbidden {
		t.Errorf("the test form answers the Ministry of Health with %d, want 403", res.Status)
	}
	text := run(t, ctx, "read the refusal", chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(text, "does not issue test certificates") || !strings.Contains(text, "Nothing was issued") {
		t.Errorf("the refusal says:\n%s", text)
	}
	if n := run(t, ctx, "count forms", chromedp.Evaluate[int](`document.querySelectorAll('form[action="/issue/test"]').length`)); n != 0 {
		t.Error("the refusal shows the test form")
	}
	t.Logf("browser test took %v", time.Since(start).Round(time.Millisecond))
}
