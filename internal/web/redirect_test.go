package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"dcc/internal/web"
)

// hostileNext are sign-in targets that lead, or once led, a browser to
// another site, written as an attacker puts them in a link's next=.
var hostileNext = []string{
	"//evil.example", "///evil.example", "////evil.example", "//evil.example/a", "//evil.example@127.0.0.1",
	"\\evil.example", "\\\\evil.example", "\\/evil.example", "/\\evil.example", "/\\/evil.example", "//\\evil.example",
	"/./\\evil.example", "/a/../\\evil.example", "/a/../../\\evil.example", "/.\\evil.example", "/..\\evil.example",
	"/%5Cevil.example", "/%5C%5Cevil.example", "%5C%5Cevil.example", "/%2F%2Fevil.example", "%2F%2Fevil.example",
	"/%2f/evil.example", "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "\t//evil.example",
	"/\t\\evil.example", " //evil.example", "/ /evil.example", "/\x00/evil.example", "/\x7f/evil.example",
	"/\u3000/evil.example", "/\uff0f/evil.example", "/．/evil.example",
	"https://evil.example", "HtTpS://evil.example", "http:evil.example", "http:/evil.example", "http:\\\\evil.example",
	"ftp://evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "/javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
	"/.//evil.example", "/..//evil.example", "/a/..//evil.example", "/%2e%2e//evil.example", "/%2e/%2e%2e/\\evil.example",
	"?next=//evil.example", "#//evil.example", "evil.example",
}

func TestSafeNext(t *testing.T) {
	for _, tt := range []struct{ next, want string }{
		{"/", "/"},
		{"/registry?type=test", "/registry?type=test"},
		{"/certificates/URN:UVCI:01:ES:AN%2FABC%23X", "/certificates/URN:UVCI:01:ES:AN%2FABC%23X"},
		{"/a/../registry", "/registry"},
		{"/./registry/", "/registry/"},
		{"/registry?q=//evil.example", "/registry?q=//evil.example"},
		{"/signin", ""},
		{"/./signin", ""},
		{"/registry#top", "/registry"},
	} {
		if got := web.SafeNext(tt.next); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
	for _, next := range hostileNext {
		got := web.SafeNext(next)
		// What is kept is a path of this site that a browser reads as
		// such: one leading slash, nothing it would strip or turn into one.
		if got != "" && (!strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\n\r ")) {
			t.Errorf("safeNext(%q) = %q", next, got)
		}
	}
}

// The real sign-in with each hostile next=, its Location resolved as a
// browser resolves it (the WHATWG URL parser, by Node's URL): the browser
// stays on this site.
func TestSignInRedirectStaysOnTheSite(t *testing.T) {
	node := findNode(t)
	s := newSystem(t, nil)
	type hop struct{ Next, Location string }
	var hops []hop
	for _, next := range hostileNext {
		c := s.client(t)
		page := c.get("/signin").want(t, http.StatusOK)
		res := c.post("/signin", url.Values{"csrf": {page.csrf(t)}, "token": {s.operatorToken()}, "next": {next}})
		res.want(t, http.StatusSeeOther)
		// As the browser receives it: the header's raw value.
		hops = append(hops, hop{next, res.Header.Get("Location")})
	}
	in, _ := json.Marshal(map[string]any{"base": s.url + "/signin", "locations": hops})
	const script = `
const {base, locations} = JSON.parse(require('fs').readFileSync(0, 'utf8'));
console.log(JSON.stringify(locations.map(h => {
  try { const u = new URL(h.Location, base); return {origin: u.origin, href: u.href}; }
  catch (e) { return {origin: 'unparsable: ' + e.message, href: ''}; }
})));`
	cmd := exec.Command(node, "-e", script)
	cmd.Stdin = bytes.NewReader(in)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var resolved []struct{ Origin, Href string }
	if err := json.Unmarshal(out, &resolved); err != nil || len(resolved) != len(hops) {
		t.Fatalf("node answered %s (%v)", out, err)
	}
	for i, h := range hops {
		if resolved[i].Origin != s.url {
			t.Errorf("next=%q: Location %q takes the browser to %s (%s)", h.Next, h.Location, resolved[i].Origin, resolved[i].Href)
		}
	}
}

// findNode is the node command, or the test is skipped; where CI marks node
// as present (DCC_CERTLOGIC_JS_DIR, set by .ci/run) its absence fails.
func findNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		msg := "node is not installed: the WHATWG URL parser of the redirect test cannot run (apt-get install nodejs)"
		if os.Getenv("DCC_CERTLOGIC_JS_DIR") != "" {
			t.Fatal(msg + "; DCC_CERTLOGIC_JS_DIR is set, so node was expected")
		}
		t.Skip(msg)
	}
	return node
}
