package hcert_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"dcc"
	"dcc/hc1"
	"dcc/hcert"
	"dcc/pki"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

type dscOpts struct {
	notBefore, notAfter time.Time
	eku                 []asn1.ObjectIdentifier
}

func newDSC(t testing.TB, key crypto.Signer, o dscOpts) *x509.Certificate {
	t.Helper()
	if o.notBefore.IsZero() {
		o.notBefore = now.AddDate(-1, 0, 0)
	}
	if o.notAfter.IsZero() {
		o.notAfter = now.AddDate(2, 0, 0)
	}
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(time.Now().UnixNano()),
		Subject:            pkix.Name{Country: []string{"ES"}, CommonName: "DSC test"},
		NotBefore:          o.notBefore,
		NotAfter:           o.notAfter,
		KeyUsage:           x509.KeyUsageDigitalSignature,
		UnknownExtKeyUsage: o.eku,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func ecKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// payload is a minimal vaccination payload in CBOR.
func payload(t testing.TB, group string) []byte {
	b, err := cbor.Marshal(map[string]any{"ver": "1.3.0", "dob": "1979-04-14", "nam": map[string]any{"fnt": "X"}, group: []any{map[string]any{"tg": "840539006"}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type list []*x509.Certificate

func (l list) DSCs(kid []byte) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range l {
		if bytes.Equal(pki.KID(c), kid) {
			out = append(out, c)
		}
	}
	return out
}

// anyKID returns its certificates whatever the kid: for two DSCs that share one.
type anyKID []*x509.Certificate

func (l anyKID) DSCs([]byte) []*x509.Certificate { return l }

func claims() hcert.Claims {
	return hcert.Claims{Issuer: "ES", IssuedAt: now.Add(-time.Hour), Expires: now.AddDate(0, 6, 0)}
}

func status(r hcert.Report, name string) hcert.Status {
	for _, c := range r.Checks {
		if c.Name == name {
			return c.Status
		}
	}
	return 0
}

func TestRoundTrip(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for name, key := range map[string]crypto.Signer{"ES256": ecKey(t), "PS256": rsaKey} {
		dsc := newDSC(t, key, dscOpts{})
		p := payload(t, "v")
		msg, err := hcert.Sign(key, dsc, claims(), p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if msg[0] != 0xd2 {
			t.Errorf("%s: message does not start with tag 18: %x", name, msg[:2])
		}
		u, err := hcert.Parse(msg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(u.KID, pki.KID(dsc)) || u.Claims.Issuer != "ES" || !u.Claims.IssuedAt.Equal(claims().IssuedAt) {
			t.Errorf("%s: parsed %+v", name, u)
		}
		v, rep := u.Verify(list{dsc}, hcert.Options{At: now})
		if v == nil || !rep.OK() || !bytes.Equal(v.Payload, p) || v.Type != pki.Vaccination {
			t.Errorf("%s: verify: %+v %+v", name, v, rep)
		}
		if status(rep, "chain") != hcert.Skipped {
			t.Errorf("%s: chain should be skipped without CSCAs: %+v", name, rep)
		}
	}
}

// Deterministic layers: the same claims and payload give the same
// Sig_structure, byte for byte.
func TestSigStructureGolden(t *testing.T) {
	got, err := hcert.SigStructure([]byte{0xa1, 0x01, 0x26}, []byte{0xa0})
	if err != nil {
		t.Fatal(err)
	}
	// ["Signature1", h'A10126', h'', h'A0']
	want, _ := hex.DecodeString("846a5369676e61747572653143a101264041a0")
	if !bytes.Equal(got, want) {
		t.Errorf("Sig_structure %x, want %x", got, want)
	}
}

func TestRefusedKeys(t *testing.T) {
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	for name, key := range map[string]crypto.Signer{"P-384": p384, "RSA-1024": small} {
		dsc := newDSC(t, key, dscOpts{})
		if _, err := hcert.Sign(key, dsc, claims(), payload(t, "v")); err == nil {
			t.Errorf("%s: signed", name)
		}
	}
	// A signer that is not the DSC's key never signs.
	dsc := newDSC(t, ecKey(t), dscOpts{})
	if _, err := hcert.Sign(ecKey(t), dsc, claims(), payload(t, "v")); err == nil || !strings.Contains(err.Error(), "does not belong") {
		t.Errorf("foreign key: %v", err)
	}
}

func TestVerifyChecks(t *testing.T) {
	key := ecKey(t)
	dsc := newDSC(t, key, dscOpts{})
	sign := func(c hcert.Claims, group string, d *x509.Certificate) *hcert.Unverified {
		msg, err := hcert.Sign(key, d, c, payload(t, group))
		if err != nil {
			t.Fatal(err)
		}
		u, err := hcert.Parse(msg)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	good := sign(claims(), "v", dsc)
	other := newDSC(t, ecKey(t), dscOpts{})

	future := claims()
	future.IssuedAt = now.Add(time.Hour)
	expired := claims()
	expired.Expires = now.Add(-time.Minute)
	longLived := claims()
	longLived.Expires = now.AddDate(5, 0, 0)
	short := newDSC(t, key, dscOpts{notAfter: now.AddDate(0, 1, 0)})
	late := newDSC(t, key, dscOpts{notBefore: now.Add(-time.Minute)})
	testOnly := newDSC(t, key, dscOpts{eku: []asn1.ObjectIdentifier{pki.OID(pki.Test)}})
	noneOfOurs := newDSC(t, key, dscOpts{eku: []asn1.ObjectIdentifier{{1, 2, 3, 4}}})
	altSpelling := newDSC(t, key, dscOpts{eku: []asn1.ObjectIdentifier{{1, 3, 6, 1, 4, 1, 0, 1847, 2021, 1, 2}}})

	for _, c := range []struct {
		name  string
		u     *hcert.Unverified
		tl    hcert.TrustList
		check string
		want  hcert.Status
	}{
		{"unknown kid", good, list{other}, "kid", hcert.Fail},
		{"wrong key under the kid", good, anyKID{other}, "signature", hcert.Fail},
		{"second DSC with the kid verifies", good, anyKID{other, dsc}, "signature", hcert.Pass},
		{"iat in the future", sign(future, "v", dsc), list{dsc}, "expiry", hcert.Fail},
		{"expired", sign(expired, "v", dsc), list{dsc}, "expiry", hcert.Fail},
		{"exp after the DSC", good, anyKID{short}, "dsc-validity", hcert.Fail},
		{"iat before the DSC", good, anyKID{late}, "dsc-validity", hcert.Fail},
		{"EKU test only, vaccination", sign(claims(), "v", testOnly), list{testOnly}, "key-usage", hcert.Fail},
		{"EKU test only, test", sign(claims(), "t", testOnly), list{testOnly}, "key-usage", hcert.Pass},
		{"EKU with none of the OIDs", sign(claims(), "r", noneOfOurs), list{noneOfOurs}, "key-usage", hcert.Fail},
		{"EKU with the .0 spelling", sign(claims(), "v", altSpelling), list{altSpelling}, "key-usage", hcert.Pass},
	} {
		v, rep := c.u.Verify(c.tl, hcert.Options{At: now})
		if got := status(rep, c.check); got != c.want {
			t.Errorf("%s: %s is %s, want %s: %+v", c.name, c.check, got, c.want, rep)
		}
		if c.want == hcert.Fail && v != nil {
			t.Errorf("%s: a failed verification returned content", c.name)
		}
	}
	// Sign refuses validity outside the DSC's; verification catches a
	// certificate of another signer whose DSC does not cover it.
	if _, err := hcert.Sign(key, dsc, longLived, payload(t, "v")); err == nil || !strings.Contains(err.Error(), "not within the DSC") {
		t.Errorf("signing beyond the DSC: %v", err)
	}
}

// Cross-check with an independent COSE implementation, both ways.
func TestGoCOSE(t *testing.T) {
	key := ecKey(t)
	dsc := newDSC(t, key, dscOpts{})
	msg, err := hcert.Sign(key, dsc, claims(), payload(t, "v"))
	if err != nil {
		t.Fatal(err)
	}
	var m cose.Sign1Message
	if err := m.UnmarshalCBOR(msg); err != nil {
		t.Fatal(err)
	}
	verifier, err := cose.NewVerifier(cose.AlgorithmES256, key.Public())
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Verify(nil, verifier); err != nil {
		t.Errorf("go-cose does not verify our message: %v", err)
	}

	// go-cose signs, we verify.
	signer, err := cose.NewSigner(cose.AlgorithmES256, key)
	if err != nil {
		t.Fatal(err)
	}
	cwt, _ := cbor.Marshal(map[int]any{1: "ES", 6: now.Add(-time.Hour).Unix(), 4: now.Add(time.Hour).Unix(), -260: map[int]cbor.RawMessage{1: payload(t, "r")}})
	theirs := cose.NewSign1Message()
	theirs.Headers.Protected.SetAlgorithm(cose.AlgorithmES256)
	theirs.Headers.Protected[cose.HeaderLabelKeyID] = pki.KID(dsc)
	theirs.Payload = cwt
	if err := theirs.Sign(rand.Reader, nil, signer); err != nil {
		t.Fatal(err)
	}
	raw, err := theirs.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	u, err := hcert.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if v, rep := u.Verify(list{dsc}, hcert.Options{At: now}); v == nil || v.Type != pki.Recovery {
		t.Errorf("we do not verify go-cose's message: %+v", rep)
	}
}

func TestParseForms(t *testing.T) {
	key := ecKey(t)
	dsc := newDSC(t, key, dscOpts{})
	msg, err := hcert.Sign(key, dsc, claims(), payload(t, "v"))
	if err != nil {
		t.Fatal(err)
	}
	untagged := msg[1:] // drop tag 18 (0xd2)
	cwt := append([]byte{0xd8, 0x3d}, msg...)
	for name, m := range map[string][]byte{"tag 18": msg, "untagged": untagged, "tag 61 + 18": cwt} {
		u, err := hcert.Parse(m)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if v, _ := u.Verify(list{dsc}, hcert.Options{At: now}); v == nil {
			t.Errorf("%s: does not verify", name)
		}
	}
	bad := map[string][]byte{
		"empty":          {},
		"not an array":   {0xa0},
		"three elements": {0x83, 0x40, 0xa0, 0x40},
		"other tag":      append([]byte{0xd8, 0x62}, untagged...),
		"trailing bytes": append(bytes.Clone(msg), 0x00),
		"truncated":      msg[:len(msg)-5],
	}
	for name, m := range bad {
		if _, err := hcert.Parse(m); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func FuzzParse(f *testing.F) {
	key := ecKey(f)
	dsc := newDSC(f, key, dscOpts{})
	msg, _ := hcert.Sign(key, dsc, claims(), payload(f, "v"))
	f.Add(msg)
	f.Add(msg[1:])
	f.Fuzz(func(t *testing.T, data []byte) {
		u, err := hcert.Parse(data)
		if err != nil {
			return
		}
		u.Verify(list{dsc}, hcert.Options{At: now})
	})
}

func BenchmarkSignES256(b *testing.B) {
	key := ecKey(b)
	dsc := newDSC(b, key, dscOpts{})
	p := payload(b, "v")
	for b.Loop() {
		if _, err := hcert.Sign(key, dsc, claims(), p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyES256(b *testing.B) {
	key := ecKey(b)
	dsc := newDSC(b, key, dscOpts{})
	msg, _ := hcert.Sign(key, dsc, claims(), payload(b, "v"))
	tl := list{dsc}
	for b.Loop() {
		u, err := hcert.Parse(msg)
		if err != nil {
			b.Fatal(err)
		}
		if v, _ := u.Verify(tl, hcert.Options{At: now}); v == nil {
			b.Fatal("not verified")
		}
	}
}

// The chain check: with CSCAs given, a DSC that no CSCA of the iss country
// issued fails.
func TestVerifyChain(t *testing.T) {
	key := ecKey(t)
	dsc := newDSC(t, key, dscOpts{}) // self-signed: no CSCA issued it
	msg, err := hcert.Sign(key, dsc, claims(), payload(t, "v"))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := hcert.Parse(msg)
	otherCA := newDSC(t, ecKey(t), dscOpts{})
	v, rep := u.Verify(list{dsc}, hcert.Options{At: now, CSCAs: []*x509.Certificate{otherCA}})
	if v != nil || status(rep, "chain") != hcert.Fail {
		t.Errorf("chain to a stranger: %+v", rep)
	}
}

// BenchmarkSignEncodeES256 is issuance after validation: CWT, COSE
// signature (ES256), zlib and Base45.
func BenchmarkSignEncodeES256(b *testing.B) {
	key := ecKey(b)
	dsc := newDSC(b, key, dscOpts{})
	p := realPayload(b)
	var enc hc1.Encoder
	b.ReportAllocs()
	for b.Loop() {
		msg, err := hcert.Sign(key, dsc, claims(), p)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := enc.Encode(msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeVerifyES256 is a verifier's work on an HC1 string:
// Base45, inflate, COSE/CWT parsing and every verification check.
func BenchmarkDecodeVerifyES256(b *testing.B) {
	key := ecKey(b)
	dsc := newDSC(b, key, dscOpts{})
	msg, _ := hcert.Sign(key, dsc, claims(), realPayload(b))
	text, _ := hc1.Encode(msg)
	tl := list{dsc}
	b.ReportAllocs()
	for b.Loop() {
		cose, err := hc1.Decode(text)
		if err != nil {
			b.Fatal(err)
		}
		u, err := hcert.Parse(cose)
		if err != nil {
			b.Fatal(err)
		}
		if v, _ := u.Verify(tl, hcert.Options{At: now}); v == nil {
			b.Fatal("not verified")
		}
	}
}

// realPayload is the CBOR of the project's vaccination test payload.
func realPayload(t testing.TB) []byte {
	data, err := os.ReadFile("../testdata/vaccination.json")
	if err != nil {
		t.Fatal(err)
	}
	var p dcc.Payload
	if err := p.UnmarshalJSON(data); err != nil {
		t.Fatal(err)
	}
	b, err := p.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
