package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"dcc/internal/app"
	"dcc/internal/config"
	"dcc/internal/demo"
	"dcc/internal/gatewayserver"
	"dcc/internal/server"
	"dcc/internal/web"
)

// The widths every page must fit: a small phone and a laptop.
const (
	phoneWidth  = 360
	laptopWidth = 1280
	viewHeight  = 800
)

// uiPage is a page of the walk, reached by the browser, ready to be looked
// at.
type uiPage struct {
	Name string // file-name friendly: "issue-test-errors"
	Role string // who sees it: "anonymous", "authority", "lab", "operator"
}

// layoutSystems are the demo country with every page the UI has: the
// all-in-one with the verifier and the gateway page (a gateway section
// whose gateway does not answer, as in TestGatewayPage), and the process of
// the authority AN with its delivery queue, where the registry refused a
// record.
func layoutSystems(t *testing.T) (all, authority *system) {
	t.Helper()
	gw, _, err := gatewayserver.OpenDemo(context.Background(), t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	es := gw.Countries[0]
	var a *app.App
	s := openSystem(t, systemOptions{
		config: func(c *config.Config) {
			c.Gateway = config.Gateway{
				URL:     "https://127.0.0.1:1",
				AuthKey: "file:" + filepath.Join(es.Dir, "auth", "key.pem"), AuthCertFile: filepath.Join(es.Dir, "auth", "cert.pem"),
				ServerCAFile: filepath.Join(gw.Dir, gatewayserver.DemoServerCert), TrustAnchorFile: filepath.Join(gw.Dir, gatewayserver.DemoAnchorCert),
				Interval: config.Duration(time.Hour), Timeout: config.Duration(time.Second),
				RetryBase: config.Duration(time.Second), RetryMax: config.Duration(time.Second),
			}
		},
		app: func(x *app.App) { a = x },
		web: func(wc *web.Config) { wc.Gateway = a.Gateway },
	})
	ctx := context.Background()
	now := time.Now()
	a.Store.GatewaySetStatus(ctx, "trustlist", now, 1234, nil)
	a.Store.GatewaySetStatus(ctx, "rules", now, 0, errString("gateway: GET /rules/FR: 503 Service Unavailable"))

	var an *app.App
	ob := openSystem(t, systemOptions{
		file: demo.AuthorityConfigFile("AN"),
		app:  func(x *app.App) { an = x },
		api:  func(c *server.Config) { c.Outbox, c.OutboxAuthority = an.Store, "AN" },
	})
	parked := ob.issueTest(t, "Rechazada", "Rosa")
	if err := an.Store.Park(ctx, parked.UVCI, now, `refused by the registry: uvci: issuer prefix is not "AN"`); err != nil {
		t.Fatal(err)
	}
	return s, ob
}

// walkPages signs in as each role in turn and opens every page that role
// reaches, also with the errors of a failed submit, calling look on each
// once it has loaded.
func walkPages(t *testing.T, ctx context.Context, s, ob *system, look func(uiPage)) {
	t.Helper()
	issued := s.issueTest(t, "Musterfrau-Gößinger", "Gabriele")
	certPath := "/certificates/" + url.PathEscape(issued.UVCI)
	open := func(role, name, path, ready string) {
		t.Helper()
		do(t, ctx, "open "+path, chromedp.Navigate(s.url+path), chromedp.WaitVisible(chromedp.CSS(ready)))
		look(uiPage{Name: name, Role: role})
	}
	// submit clicks a form's button and waits for the answer: a new
	// document (the marker is gone), loaded, with ready in it.
	submit := func(role, name, button, ready string) {
		t.Helper()
		do(t, ctx, name, chromedp.Evaluate[chromedp.Void](`window.dccBefore = true`), chromedp.Click(chromedp.CSS(button)))
		waitNewPage(t, ctx, name, ready)
		look(uiPage{Name: name, Role: role})
	}

	// Nobody signed in.
	open("anonymous", "signin", "/signin", "#f-token")
	do(t, ctx, "sign in wrongly", chromedp.SendKeys(chromedp.ID("f-token"), "not-a-token"))
	submit("anonymous", "signin-error", `form[action="/signin"] button[type=submit]`, ".problems")
	open("anonymous", "verify", "/verify", "#verify")
	do(t, ctx, "paste the code", chromedp.Click(chromedp.CSS("#text > summary")), chromedp.SetValue(chromedp.ID("f-hc1"), issued.HC1))
	submit("anonymous", "verify-result", "#verify", "#result")

	// The health worker of an issuing authority.
	signInAs(t, ctx, s.url, s.authorityToken(t, "AN"))
	look(uiPage{Name: "home-authority", Role: "authority"})
	for _, typ := range []string{"vaccination", "test", "recovery"} {
		open("authority", "issue-"+typ, "/issue/"+typ, "#issue")
		submit("authority", "issue-"+typ+"-errors", "#issue", ".problems")
	}
	open("authority", "issue-vaccination", "/issue/vaccination", "#issue")
	do(t, ctx, "fill in two doses", chromedp.Evaluate[chromedp.Void](`(() => {
		const d = document.querySelectorAll('[name="dose.date"]'), m = document.querySelectorAll('[name="dose.mp"]');
		d[0].value = '2021-03-01'; d[1].value = '2021-04-01';
		m[0].selectedIndex = m.length && m[0].options.length - 1; m[1].selectedIndex = m[0].selectedIndex;
	})()`))
	submit("authority", "issue-vaccination-preview", `button[value=calculate]`, ".preview")
	open("authority", "certificate", certPath, "#hc1")
	submit("authority", "certificate-revoke-errors", `form[action$="/revoke"] button`, ".problems")
	open("authority", "error-not-found", "/certificates/"+url.PathEscape("URN:UVCI:01:ES:AN/NOSUCHCERTIFICATE#0"), ".error-page")
	signOut(t, ctx)

	// A laboratory.
	signInAs(t, ctx, s.url, s.labToken())
	look(uiPage{Name: "home-lab", Role: "lab"})
	signOut(t, ctx)

	// An authority refused a form it may not open.
	signInAs(t, ctx, s.url, s.authorityToken(t, "MS"))
	open("authority", "error-forbidden", "/issue/test", ".error-page")
	signOut(t, ctx)

	// The national registry's operator.
	signInAs(t, ctx, s.url, s.operatorToken())
	look(uiPage{Name: "home-operator", Role: "operator"})
	open("operator", "registry", "/registry", "#holder-search")
	submit("operator", "registry-results", `form[action="/registry"] button[type=submit]`, "table.results")
	do(t, ctx, "type the holder",
		chromedp.SendKeys(chromedp.CSS(`#holder-search [name=surname]`), "Musterfrau-Gößinger"),
		chromedp.SendKeys(chromedp.CSS(`#holder-search [name=dob]`), "1998-02-26"))
	submit("operator", "registry-holder", `#holder-search button[type=submit]`, "table.results")
	open("operator", "registry-errors", "/registry?from=yesterday", ".problems")
	open("operator", "stats", "/registry/stats", "h1")
	open("operator", "gateway", "/registry/gateway", "table.results")
	open("operator", "certificate-operator", certPath, "#hc1")
	signOut(t, ctx)

	// The authority's own process, with its delivery queue.
	signInAs(t, ctx, ob.url, ob.authorityToken(t, "AN"))
	look(uiPage{Name: "home-authority-outbox", Role: "authority"})
	do(t, ctx, "open /outbox", chromedp.Navigate(ob.url+"/outbox"), chromedp.WaitVisible(chromedp.ID("parked")))
	look(uiPage{Name: "outbox", Role: "authority"})
	signOut(t, ctx)
}

// waitNewPage waits for the document that replaces the one marked
// window.dccBefore, loaded, with ready in it. It asks again while the
// navigation destroys the page it asks.
func waitNewPage(t *testing.T, ctx context.Context, what, ready string) {
	t.Helper()
	check := `!window.dccBefore && document.readyState === 'complete' && !!document.querySelector(` + "`" + ready + "`" + `)`
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](check))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("%s: no new page with %s (%v)", what, ready, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// signOut clicks the header's sign-out button.
func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)), chromedp.WaitVisible(chromedp.ID("f-token")))
}

// layout is what a viewport shows of a page's width and of its header.
type layout struct {
	ScrollWidth, ClientWidth int
	// Wider lists the elements that stick out to the right of the
	// viewport, the deepest first, to say what to fix.
	Wider []string
	// Outside lists the elements that stick out of their card, fieldset
	// or box (but not out of a table that scrolls in its own box).
	Outside []string
	// HeaderRows is how many lines the header's brand, menu and user take.
	HeaderRows int
}

const measureLayout = `(() => {
	const de = document.documentElement, vw = de.clientWidth;
	const wider = [];
	for (const el of document.querySelectorAll('body *')) {
		const r = el.getBoundingClientRect();
		if (r.width > 0 && r.right > vw + 0.5 && ![...el.children].some(c => c.getBoundingClientRect().right > vw + 0.5)) {
			wider.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') + ' right=' + Math.round(r.right));
		}
	}
	const outside = [];
	const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
	for (const el of document.querySelectorAll('main *')) {
		const box = el.parentElement.closest('.card, fieldset, .preview, .problems, .result');
		if (!box || el.closest('table.results')) continue;
		const r = el.getBoundingClientRect(), b = box.getBoundingClientRect();
		if (r.width > 0 && r.right > b.right + 0.5) outside.push(name(el) + ' sticks out of ' + name(box) + ' by ' + Math.round(r.right - b.right) + ' px');
	}
	// Rows of the header: its items, grouped by overlapping vertical extents.
	const items = [...document.querySelectorAll('header .brand, header nav > *, header .user > *')]
		.map(e => e.getBoundingClientRect()).filter(r => r.height > 0).sort((a, b) => a.top - b.top);
	let rows = 0, bottom = -Infinity;
	for (const r of items) {
		if (r.top >= bottom - 1) { rows++; bottom = r.bottom; } else { bottom = Math.max(bottom, r.bottom); }
	}
	return {ScrollWidth: de.scrollWidth, ClientWidth: vw, Wider: wider.slice(0, 8), Outside: outside.slice(0, 8), HeaderRows: rows};
})()`

// measure sets the viewport's width and measures the page in it.
func measure(t *testing.T, ctx context.Context, width int64) layout {
	t.Helper()
	do(t, ctx, fmt.Sprintf("viewport %d px", width), chromedp.EmulateViewport(width, viewHeight))
	return run(t, ctx, "measure the layout", chromedp.Evaluate[layout](measureLayout))
}

// checkARIA lists what is wrong with the page's fields: an input in
// error without aria-describedby naming its error, a hint not named by its
// input, an aria-describedby naming no element.
const checkARIA = `(() => {
	const out = [];
	for (const el of document.querySelectorAll('[aria-describedby]')) {
		for (const id of el.getAttribute('aria-describedby').split(/\s+/)) {
			if (!document.getElementById(id)) out.push((el.id || el.name) + ': aria-describedby names #' + id + ', which is not there');
		}
	}
	for (const el of document.querySelectorAll('[aria-invalid=true]')) {
		const ids = (el.getAttribute('aria-describedby') || '').split(/\s+/);
		if (!ids.some(id => id.endsWith('-error') || id === 'problems')) out.push((el.id || el.name) + ': in error, but aria-describedby names no error');
	}
	for (const h of document.querySelectorAll('.field .hint[id]')) {
		const input = h.closest('.field').querySelector('input, select, textarea');
		if (input && !(input.getAttribute('aria-describedby') || '').split(/\s+/).includes(h.id)) out.push(input.id + ': its hint #' + h.id + ' is not in aria-describedby');
	}
	for (const f of document.querySelectorAll('.field.invalid')) {
		if (!f.querySelector('[aria-invalid=true]')) out.push('a field in error without aria-invalid: ' + f.textContent.trim().slice(0, 40));
	}
	return out;
})()`

// axeViolation is a rule of axe-core a page breaks, with where.
type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

// axeSource is axe-core's script, from the npm package that .ci/run
// installs into $DCC_AXE_CORE_DIR. Without the variable, a missing package
// skips the check; with it, the missing package fails the test.
func axeSource(t *testing.T) string {
	t.Helper()
	dir, set := os.LookupEnv("DCC_AXE_CORE_DIR")
	if !set {
		dir = filepath.Join(os.Getenv("HOME"), ".cache", "dcc-npm-axe")
	}
	src, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		if set {
			t.Fatalf("axe-core: %v (DCC_AXE_CORE_DIR is set: install it with npm install --prefix \"$DCC_AXE_CORE_DIR\" axe-core@4.14.1, as .ci/run does)", err)
		}
		t.Skipf("axe-core not found (%v): run npm install --prefix ~/.cache/dcc-npm-axe axe-core@4.14.1, or set DCC_AXE_CORE_DIR, to check the pages' accessibility", err)
	}
	return string(src)
}

// runAxe checks the page with axe-core and returns the violations.
func runAxe(t *testing.T, ctx context.Context, page, src string) []axeViolation {
	t.Helper()
	do(t, ctx, "load axe-core into "+page, chromedp.Evaluate[chromedp.Void](src))
	return run(t, ctx, "run axe-core", chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ['violations']}).then(r =>
		r.violations.map(v => ({
			ID: v.id, Impact: v.impact, Help: v.help, Nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
		})))`, chromedp.EvalAwaitPromise))
}

// TestBrowserLayoutAndAxe opens every page each role reaches in Chromium,
// at a phone's 360 px and a laptop's 1280 px: no page scrolls sideways,
// the header takes at most two lines on the laptop, and axe-core finds no
// serious or critical accessibility violation.
func TestBrowserLayoutAndAxe(t *testing.T) {
	start := time.Now()
	// Some 30 pages, each measured and checked twice: on a loaded
	// machine that takes minutes.
	ctx := newBrowserFor(t, 5*time.Minute)
	s, ob := layoutSystems(t)
	var axe string
	t.Run("axe-core", func(t *testing.T) { axe = axeSource(t) }) // a skip here skips only the check
	var seen []string
	walkPages(t, ctx, s, ob, func(p uiPage) {
		seen = append(seen, p.Name)
		for _, w := range []int64{phoneWidth, laptopWidth} {
			l := measure(t, ctx, w)
			if l.ScrollWidth > l.ClientWidth {
				t.Errorf("%s (%s) at %d px: the page is %d px wide, scrolls sideways; too wide: %s",
					p.Name, p.Role, w, l.ScrollWidth, strings.Join(l.Wider, ", "))
			}
			if len(l.Outside) > 0 {
				t.Errorf("%s (%s) at %d px: %s", p.Name, p.Role, w, strings.Join(l.Outside, "; "))
			}
			if w == laptopWidth && l.HeaderRows > 2 {
				t.Errorf("%s (%s) at %d px: the header takes %d lines, want at most 2", p.Name, p.Role, w, l.HeaderRows)
			}
			if axe == "" {
				continue
			}
			for _, v := range runAxe(t, ctx, p.Name, axe) {
				report := t.Logf // moderate and minor: worth a look
				if v.Impact == "serious" || v.Impact == "critical" {
					report = t.Errorf
				}
				report("%s (%s) at %d px: axe-core %s (%s): %s; at %s", p.Name, p.Role, w, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, " | "))
			}
		}
		for _, problem := range run(t, ctx, "check the form's ARIA", chromedp.Evaluate[[]string](checkARIA)) {
			t.Errorf("%s (%s): %s", p.Name, p.Role, problem)
		}
		if strings.HasSuffix(p.Name, "-errors") || p.Name == "signin-error" {
			if f := run(t, ctx, "read the focus", chromedp.Evaluate[string](`document.activeElement.id`)); f != "problems" {
				t.Errorf("%s (%s): after the failed submit the focus is on #%s, want the error summary #problems", p.Name, p.Role, f)
			}
		}
	})
	for _, want := range []string{"signin", "verify-result", "issue-recovery-errors", "certificate", "registry-holder", "stats", "gateway", "outbox", "error-forbidden"} {
		if !slices.Contains(seen, want) {
			t.Errorf("the walk did not reach %s", want)
		}
	}
	t.Logf("%d pages, 2 widths each, in %v", len(seen), time.Since(start).Round(time.Millisecond))
}

// screenshotPages are the pages docs/screenshots shows, at both widths.
var screenshotPages = []string{"home-authority", "issue-vaccination-preview", "certificate", "registry-results", "verify-result", "outbox"}

// TestScreenshots saves full-page PNG screenshots of the main pages at
// 360 px and 1280 px into the directory $DCC_SCREENSHOTS (docs/screenshots
// of the repository: see its README.md); with DCC_SCREENSHOTS_ALL=1, of
// every page of the walk. Without the variable it does nothing.
func TestScreenshots(t *testing.T) {
	out := os.Getenv("DCC_SCREENSHOTS")
	if out == "" {
		t.Skip("set DCC_SCREENSHOTS to a directory to save the UI's screenshots there")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	all := os.Getenv("DCC_SCREENSHOTS_ALL") == "1"
	ctx := newBrowserFor(t, 5*time.Minute, chromedp.Flag("hide-scrollbars", true))
	s, ob := layoutSystems(t)
	n := 0
	walkPages(t, ctx, s, ob, func(p uiPage) {
		if !all && !slices.Contains(screenshotPages, p.Name) {
			return
		}
		for _, w := range []int64{phoneWidth, laptopWidth} {
			// The whole page in the viewport: a capture beyond the viewport
			// (chromedp.FullScreenshot) sometimes never returns here.
			do(t, ctx, "viewport", chromedp.EmulateViewport(w, viewHeight))
			h := run(t, ctx, "page height", chromedp.Evaluate[int64](`document.documentElement.scrollHeight`))
			do(t, ctx, "viewport", chromedp.EmulateViewport(w, h))
			png := run(t, ctx, "screenshot "+p.Name+fmt.Sprintf(" at %d px", w), chromedp.CaptureScreenshot())
			file := filepath.Join(out, fmt.Sprintf("%s-%d.png", p.Name, w))
			if err := os.WriteFile(file, png, 0o644); err != nil {
				t.Fatal(err)
			}
			n++
		}
	})
	n += pdfScreenshots(t, s, out)
	t.Logf("%d screenshots in %s", n, out)
}

// pdfScreenshots saves the holder's document of a vaccination certificate,
// the A4 leaflet and the A6 page, as PNG pages rendered by pdftoppm.
func pdfScreenshots(t *testing.T, s *system, out string) int {
	t.Helper()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Logf("pdftoppm not found (Debian package poppler-utils): no pictures of the PDF")
		return 0
	}
	c := s.client(t)
	c.signIn(s.authorityToken(t, "AN"))
	form := url.Values{"csrf": {c.csrfToken()}, "action": {"issue"}, "nam.fn": {"García Pérez"}, "nam.gn": {"María José"},
		"dob": {"1984-07-21"}, "dose.date": {"2021-05-03", "2021-06-14"}, "dose.mp": {"EU/1/20/1528", "EU/1/20/1528"}, "v.co": {"ES"}}
	loc := c.post("/issue/vaccination", form).want(t, http.StatusSeeOther).location(t)
	path, _, _ := strings.Cut(loc, "?")
	n := 0
	for _, l := range []struct{ query, name string }{{"", "pdf-leaflet"}, {"?layout=a6", "pdf-a6"}} {
		pdf := filepath.Join(t.TempDir(), "c.pdf")
		if err := os.WriteFile(pdf, []byte(c.get(path+"/pdf"+l.query).want(t, http.StatusOK).body), 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"-singlefile", "-r", "80", "-png", pdf, filepath.Join(out, l.name)}
		if b, err := exec.Command("pdftoppm", args...).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v: %s", err, b)
		}
		n++
	}
	return n
}
