package conformance_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"dcc"
	"dcc/hcert"
	"dcc/internal/conformance"
	"dcc/pki"
)

const vaccination = `{"ver":"1.3.0","nam":{"fn":"Muster","fnt":"MUSTER","gn":"Erika","gnt":"ERIKA"},"dob":"1964-08-12",
"v":[{"tg":"840539006","vp":"1119349007","mp":"EU/1/20/1528","ma":"ORG-100030215","dn":2,"sd":2,"dt":"2021-05-29",
"co":"XX","is":"Ministry of Health","ci":"URN:UVCI:01:XX:ABCDEFGHIJKLMNOPQRST#S"}]}`

// signed is a vaccination certificate signed by a DSC without extended key
// usage, valid 2021-06-01 to 2021-12-01, whose DSC is valid 2021-01-01 plus
// two years; other is a DSC of the same CSCA for tests only, valid
// 2021-01-01 to 2021-09-01.
type signed struct {
	cose       []byte
	dsc, other *x509.Certificate
}

func sign(t *testing.T) signed {
	t.Helper()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	start := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	cscaKey, dscKey, otherKey := key(), key(), key()
	csca, err := pki.NewCSCA(cscaKey, pki.CSCAOptions{Country: "XX", Now: start})
	if err != nil {
		t.Fatal(err)
	}
	dsc, err := pki.NewDSC(csca, cscaKey, dscKey.Public(), pki.DSCOptions{Country: "XX", Now: start})
	if err != nil {
		t.Fatal(err)
	}
	other, err := pki.NewDSC(csca, cscaKey, otherKey.Public(), pki.DSCOptions{
		Country: "XX", Now: start, Types: []pki.Type{pki.Test}, Validity: 243 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	tree, err := dcc.DecodeJSON([]byte(vaccination))
	if err != nil {
		t.Fatal(err)
	}
	payload, err := dcc.EncodeCBOR(tree)
	if err != nil {
		t.Fatal(err)
	}
	cose, err := hcert.Sign(dscKey, dsc, hcert.Claims{
		Issuer:   "XX",
		IssuedAt: time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC),
		Expires:  time.Date(2021, 12, 1, 0, 0, 0, 0, time.UTC),
	}, payload)
	if err != nil {
		t.Fatal(err)
	}
	return signed{cose: cose, dsc: dsc, other: other}
}

// broken returns the message with its signature's last byte changed.
func broken(cose []byte) []byte {
	b := append([]byte(nil), cose...)
	b[len(b)-1] ^= 0x01
	return b
}

func vectorJSON(t *testing.T, cose []byte, cert *x509.Certificate, clock string, expected map[string]bool) []byte {
	t.Helper()
	ctx := map[string]any{"VALIDATIONCLOCK": clock}
	if clock == "" {
		delete(ctx, "VALIDATIONCLOCK")
	}
	if cert != nil {
		ctx["CERTIFICATE"] = base64.StdEncoding.EncodeToString(cert.Raw)
	}
	b, err := json.Marshal(map[string]any{"COSE": hex.EncodeToString(cose), "TESTCTX": ctx, "EXPECTEDRESULTS": expected})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// EXPECTEDEXPIRATIONCHECK and EXPECTEDKEYUSAGE are judged on the CWT's
// claims and TESTCTX.CERTIFICATE, whether or not the signature verifies.
func TestExpiryAndKeyUsageWithoutValidSignature(t *testing.T) {
	s := sign(t)
	r, err := conformance.NewRunner()
	if err != nil {
		t.Fatal(err)
	}
	const inside = "2021-07-01T12:00:00Z"
	cases := []struct {
		name  string
		cose  []byte
		cert  *x509.Certificate
		clock string
		want  map[string]bool
		fails map[string]string // flag → a part of its reason
	}{
		{name: "valid signature", cose: s.cose, cert: s.dsc, clock: inside,
			want: map[string]bool{"EXPECTEDVERIFY": true, "EXPECTEDEXPIRATIONCHECK": true, "EXPECTEDKEYUSAGE": true}},
		{name: "bad signature, valid times and key usage", cose: broken(s.cose), cert: s.dsc, clock: inside,
			want: map[string]bool{"EXPECTEDVERIFY": false, "EXPECTEDEXPIRATIONCHECK": true, "EXPECTEDKEYUSAGE": true}},
		{name: "bad signature, expected valid: the signature flag fails alone", cose: broken(s.cose), cert: s.dsc, clock: inside,
			want:  map[string]bool{"EXPECTEDVERIFY": true, "EXPECTEDEXPIRATIONCHECK": true, "EXPECTEDKEYUSAGE": true},
			fails: map[string]string{"EXPECTEDVERIFY": "signature"}},
		{name: "bad signature, clock after exp", cose: broken(s.cose), cert: s.dsc, clock: "2021-12-01T00:00:01Z",
			want:  map[string]bool{"EXPECTEDEXPIRATIONCHECK": true, "EXPECTEDKEYUSAGE": true},
			fails: map[string]string{"EXPECTEDEXPIRATIONCHECK": "expired at 2021-12-01T00:00:00Z"}},
		{name: "bad signature, clock before iat", cose: broken(s.cose), cert: s.dsc, clock: "2021-05-31T23:59:59Z",
			want:  map[string]bool{"EXPECTEDEXPIRATIONCHECK": true},
			fails: map[string]string{"EXPECTEDEXPIRATIONCHECK": "issued at 2021-06-01T00:00:00Z"}},
		{name: "clock at iat, in another zone", cose: broken(s.cose), cert: s.dsc, clock: "2021-06-01T02:00:00+02:00",
			want: map[string]bool{"EXPECTEDEXPIRATIONCHECK": true}},
		{name: "clock at exp", cose: broken(s.cose), cert: s.dsc, clock: "2021-12-01T00:00:00Z",
			want: map[string]bool{"EXPECTEDEXPIRATIONCHECK": true}},
		{name: "expired, expected so", cose: broken(s.cose), cert: s.dsc, clock: "2022-01-01T00:00:00Z",
			want: map[string]bool{"EXPECTEDEXPIRATIONCHECK": false}},
		// other (not the signer: kid unknown) allows tests only and expires
		// before the CWT does.
		{name: "another DSC: its key usage and validity are judged", cose: s.cose, cert: s.other, clock: inside,
			want: map[string]bool{"EXPECTEDVERIFY": false, "EXPECTEDEXPIRATIONCHECK": false, "EXPECTEDKEYUSAGE": false}},
		{name: "another DSC, expected valid", cose: s.cose, cert: s.other, clock: inside,
			want: map[string]bool{"EXPECTEDVERIFY": true, "EXPECTEDEXPIRATIONCHECK": true, "EXPECTEDKEYUSAGE": true},
			fails: map[string]string{
				"EXPECTEDVERIFY":          "kid",
				"EXPECTEDEXPIRATIONCHECK": "after TESTCTX.CERTIFICATE",
				"EXPECTEDKEYUSAGE":        "does not allow vaccination",
			}},
		{name: "no certificate: expiry from the claims alone, key usage not judged", cose: broken(s.cose), clock: inside,
			want: map[string]bool{"EXPECTEDEXPIRATIONCHECK": true, "EXPECTEDKEYUSAGE": false}},
		// Judged at the time of the run it would fail: the CWT expired in 2021.
		{name: "no clock: expiry not judged", cose: s.cose, cert: s.dsc,
			want: map[string]bool{"EXPECTEDEXPIRATIONCHECK": true}},
		{name: "a COSE that does not decode fails both", cose: []byte{0xd2, 0x84, 0x40}, cert: s.dsc, clock: inside,
			want:  map[string]bool{"EXPECTEDEXPIRATIONCHECK": true, "EXPECTEDKEYUSAGE": true},
			fails: map[string]string{"EXPECTEDEXPIRATIONCHECK": "hcert", "EXPECTEDKEYUSAGE": "hcert"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fails, _, err := r.Check("XX/2DCode/raw/1.json", vectorJSON(t, c.cose, c.cert, c.clock, c.want))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, f := range fails {
				got[f.Flag] = f.Reason
			}
			for flag, part := range c.fails {
				if reason, ok := got[flag]; !ok || !strings.Contains(reason, part) {
					t.Errorf("%s: got %q, want a failure with %q", flag, reason, part)
				}
			}
			for flag, reason := range got {
				if _, ok := c.fails[flag]; !ok {
					t.Errorf("%s failed: %s", flag, reason)
				}
			}
		})
	}
}
