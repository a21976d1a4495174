package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

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
	res = verify.Result{}
	s.do("POST", "/api/v1/verify", "", map[string]string{"hc1": revoked.HC1, "lang": "es"}).json(t, &res)
	if res.State != verify.Invalid || !strings.Contains(res.Reason, "revocado") {
		t.Errorf("revoked: %+v", res)
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
