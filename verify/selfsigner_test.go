package verify_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dcc"
	"dcc/hc1"
	"dcc/hcert"
	"dcc/pki"
	"dcc/trustlist"
	"dcc/verify"
)

// A DCC signed with a self-signed CA certificate, given as a trust file,
// verifies: the certificate is tried as the signer and is its own anchor
// for its country. Given only as a gateway CSCA entry it signs nothing, and
// beside another country's CSCA it does not stand in for that country.
func TestSelfSignedSignerFromTrustFile(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	cert, err := pki.NewCSCA(key, pki.CSCAOptions{Country: "NL", CommonName: "Peer DSC", Now: now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../testdata/vaccination.json")
	if err != nil {
		t.Fatal(err)
	}
	var p dcc.Payload
	if err := p.UnmarshalJSON(data); err != nil {
		t.Fatal(err)
	}
	cb, err := p.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	sign := func(iss string) string {
		cose, err := hcert.Sign(key, cert, hcert.Claims{Issuer: iss, IssuedAt: now.Add(-time.Minute).Truncate(time.Second), Expires: now.Add(24 * time.Hour)}, cb)
		if err != nil {
			t.Fatal(err)
		}
		s, err := hc1.Encode(cose)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	path := filepath.Join(t.TempDir(), "peer.pem")
	if err := pki.WritePEM(path, cert); err != nil {
		t.Fatal(err)
	}
	fromFile, err := trustlist.Read(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	val := validator(t)
	check := func(tl *trustlist.List, code string) verify.Result {
		return (&verify.Verifier{Trust: tl, Validator: val}).Text(ctx, code, verify.Options{At: now})
	}

	r := check(fromFile, sign("NL"))
	if r.State != verify.Valid || !hasCheck(r, "chain", verify.Pass) || r.Holder == nil {
		t.Errorf("from a trust file: %s %s %+v", r.State, r.Reason, r.Checks)
	}
	if d := detail(r, "chain"); !strings.Contains(d, "itself a CSCA of NL") {
		t.Errorf("chain detail %q", d)
	}
	// Signed for another country whose CSCA the list holds: no chain.
	_, es := signedVaccination(t)
	both := trustlist.New()
	both.Merge(fromFile)
	both.Merge(es)
	if r := check(both, sign("ES")); r.State != verify.Invalid || !hasCheck(r, "chain", verify.Fail) || r.Holder != nil {
		t.Errorf("iss ES beside the CSCA of ES: %s %+v", r.State, r.Checks)
	}
	// The gateway's typed list: a CSCA entry is no signer.
	gw := trustlist.New()
	gw.AddCSCA(cert)
	if r := check(gw, sign("NL")); r.State != verify.Invalid || !hasCheck(r, "kid", verify.Fail) {
		t.Errorf("a gateway CSCA entry signed: %s %+v", r.State, r.Checks)
	}
}

func detail(r verify.Result, name string) string {
	for _, c := range r.Checks {
		if c.Name == name {
			return c.Detail
		}
	}
	return ""
}
