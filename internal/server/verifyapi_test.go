package server_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"dcc/internal/config"
	"dcc/internal/server"
	"dcc/verify"
)

func TestVerifyAPI(t *testing.T) {
	s := newStack(t, nil)
	var good, revoked server.Certificate
	s.do("POST", "/api/v1/certificates/test", s.token("lab"), testBody()).json(t, &good)
	s.do("POST", "/api/v1/certificates/vaccination", s.token("MS"), vaccinationBody()).json(t, &revoked)
	s.do("POST", server.CertificatePath(revoked.UVCI)+"/revoke", s.token("MS"), `{"reason": "fraud"}`)

	var res verify.Result
	r := s.do("POST", "/api/v1/verify", "", map[string]string{"hc1": good.HC1, "lang": "es"})
	r.json(t, &res)
	if r.status != 200 || res.State != verify.Valid || res.Holder == nil || res.Holder.FamilyName != "Musterfrau-Gößinger" || res.UVCI != good.UVCI {
		t.Errorf("valid: %d %+v", r.status, res)
	}
	// What a border officer checks of a test, named in both languages.
	if e := res.Event; e == nil || e.TestType == nil || e.TestResult == nil || e.SampleTime == "" ||
		e.TestResult.ES == e.TestResult.EN || e.TestType.ES == "" {
		t.Errorf("valid: event %+v", res.Event)
	}
	res = verify.Result{}
	s.do("POST", "/api/v1/verify", "", map[string]string{"hc1": revoked.HC1, "lang": "es"}).json(t, &res)
	if res.State != verify.Invalid || !strings.Contains(res.Reason, "revocado") {
		t.Errorf("revoked: %+v", res)
	}
	// The reason in both languages, the technical detail apart.
	if e := res.Explanation; e == nil || e.ES != res.Reason || !strings.HasPrefix(e.EN, "The certificate has been revoked") ||
		!strings.Contains(e.Technical, "hash") || strings.Contains(e.ES+e.EN, "hash") {
		t.Errorf("revoked: explanation %+v", res.Explanation)
	}
	// A photo of the QR code.
	png := s.do("GET", good.QR.PNG, s.token("lab"), nil).body
	res = verify.Result{}
	r = s.do("POST", "/api/v1/verify?lang=en", "", png, "Content-Type: image/png")
	r.json(t, &res)
	if res.State != verify.Valid || res.Checks[0].Name != "qr" {
		t.Errorf("image: %d %+v", r.status, res)
	}
	// Later than its expiry: invalid, and the holder is not shown.
	res = verify.Result{}
	s.do("POST", "/api/v1/verify", "", map[string]string{"hc1": good.HC1, "at": time.Now().Add(100 * time.Hour).Format(time.RFC3339)}).json(t, &res)
	if res.State != verify.Invalid || res.Holder != nil {
		t.Errorf("expired: %+v", res)
	}
	for _, body := range []string{`{"hc1": ""}`, `{"hc1": "HC1:x", "lang": "de"}`, `{"hc1": "HC1:x", "country": "Spain"}`, `{"hc1": "x", "extra": 1}`} {
		if r := s.do("POST", "/api/v1/verify", "", body); r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", body, r.status)
		}
	}
	// Garbage in an image: a clear INVALID, not an error.
	res = verify.Result{}
	s.do("POST", "/api/v1/verify", "", []byte("\x89PNG garbage"), "Content-Type: image/png").json(t, &res)
	if res.State != verify.Invalid || res.Reason == "" {
		t.Errorf("garbage image: %+v", res)
	}
}

// With the rules of a country of arrival: a recent second dose is NOT
// ACCEPTED (valid only 14 days after the vaccination), in the language
// asked; without a country no rule applies.
func TestVerifyAPIRules(t *testing.T) {
	rulesDir, _ := filepath.Abs("../../rules/testdata/ES")
	s := newStack(t, func(c *config.Config) { c.Verifier.RulesFiles = []string{rulesDir} })
	body := fmt.Sprintf(`{"nam": {"fn": "García", "gn": "Ana"}, "dob": "1960-04-02",
		"history": {"doses": [{"date": %q, "mp": "EU/1/20/1528"}, {"date": %q, "mp": "EU/1/20/1528"}]}, "v": [{}]}`,
		recentDate(40), recentDate(5))
	var c server.Certificate
	s.do("POST", "/api/v1/certificates/vaccination", s.token("MS"), body).json(t, &c)

	var res verify.Result
	s.do("POST", "/api/v1/verify", "", map[string]string{"hc1": c.HC1, "country": "ES", "lang": "es"}).json(t, &res)
	if res.State != verify.NotAccepted || !strings.Contains(res.Reason, "VR-ES-0003") || res.Holder == nil {
		t.Errorf("recent dose in ES: %s %q", res.State, res.Reason)
	}
	failed := 0
	for _, r := range res.Rules {
		if r.Result == verify.Fail {
			failed++
			if r.Identifier != "VR-ES-0003" || !strings.Contains(r.Description, "14 días") {
				t.Errorf("failed rule %+v", r)
			}
		}
	}
	if failed != 1 || len(res.Rules) < 4 {
		t.Errorf("rules = %+v", res.Rules)
	}
	// Twenty days later it is accepted.
	res = verify.Result{}
	later := time.Now().Add(20 * 24 * time.Hour).Format(time.RFC3339)
	s.do("POST", "/api/v1/verify", "", map[string]string{"hc1": c.HC1, "country": "ES", "at": later}).json(t, &res)
	if res.State != verify.Valid {
		t.Errorf("in 20 days: %s %s", res.State, res.Reason)
	}
	// No country: the rules do not apply.
	res = verify.Result{}
	s.do("POST", "/api/v1/verify", "", map[string]string{"hc1": c.HC1}).json(t, &res)
	if res.State != verify.Valid || len(res.Rules) != 0 {
		t.Errorf("no country: %s", res.State)
	}
}

// Behind a trusted proxy, each client has its own verification budget
// (X-Forwarded-For); from anywhere else the header is not believed, so a
// client cannot escape its limit by writing one.
func TestClientAddressBehindProxy(t *testing.T) {
	for _, tt := range []struct {
		name    string
		proxies []string
		// the statuses of three requests from client A, then one from B
		want [4]int
	}{
		{"trusted proxy", []string{"127.0.0.0/8"}, [4]int{200, 200, 429, 200}},
		{"no proxy configured", nil, [4]int{200, 200, 429, 429}},
		{"another proxy", []string{"10.0.0.1"}, [4]int{200, 200, 429, 429}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newStack(t, func(c *config.Config) {
				c.HTTP.TrustedProxies = tt.proxies
				c.HTTP.RatePerSecond, c.HTTP.Burst = 0.001, 2
			})
			body := map[string]string{"hc1": "HC1:x"} // the answer's state does not matter here
			var got [4]int
			for i, client := range []string{"203.0.113.7", "203.0.113.7", "203.0.113.7", "203.0.113.8"} {
				// The client wrote a first hop of its own: it is not believed.
				got[i] = s.do("POST", "/api/v1/verify", "", body, "X-Forwarded-For: 198.51.100."+strconv.Itoa(i)+", "+client).status
			}
			if got != tt.want {
				t.Errorf("statuses %v, want %v", got, tt.want)
			}
		})
	}
	// HSTS when the proxy says the client came by HTTPS.
	s := newStack(t, func(c *config.Config) { c.HTTP.TrustedProxies = []string{"127.0.0.1"} })
	r := s.do("GET", "/healthz", "", nil, "X-Forwarded-For: 203.0.113.7", "X-Forwarded-Proto: https")
	if r.header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS behind a trusted HTTPS proxy")
	}
}
