package hcert_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"dcc/hcert"
	"dcc/pki"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

type certOpts struct {
	notBefore, notAfter time.Time
	eku                 []asn1.ObjectIdentifier
	country             string
	ca                  bool
	parent              *x509.Certificate // nil: self-signed
	parentKey           crypto.Signer
}

// newCert makes a DSC (or, with ca, a CSCA) with the standard library only.
func newCert(t testing.TB, key crypto.Signer, o certOpts) *x509.Certificate {
	t.Helper()
	if o.notBefore.IsZero() {
		o.notBefore = now.AddDate(-1, 0, 0)
	}
	if o.notAfter.IsZero() {
		o.notAfter = now.AddDate(2, 0, 0)
	}
	if o.country == "" {
		o.country = "ES"
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:       serial,
		Subject:            pkix.Name{Country: []string{o.country}, CommonName: "test " + serial.String()},
		NotBefore:          o.notBefore,
		NotAfter:           o.notAfter,
		KeyUsage:           x509.KeyUsageDigitalSignature,
		UnknownExtKeyUsage: o.eku,
	}
	if o.ca {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage = x509.KeyUsageCertSign
	}
	parent, parentKey := tmpl, key
	if o.parent != nil {
		parent, parentKey = o.parent, o.parentKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func newDSC(t testing.TB, key crypto.Signer) *x509.Certificate {
	return newCert(t, key, certOpts{})
}

func ecKey(t testing.TB, curve elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func rsaKey(t testing.TB, bits int) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func detEnc(t testing.TB, v any) []byte {
	t.Helper()
	em, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		t.Fatal(err)
	}
	b, err := em.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// payload is a minimal DCC payload of one group, deterministically encoded.
func payload(t testing.TB, group string) []byte {
	return detEnc(t, map[string]any{
		"ver": "1.3.0", "dob": "1979-04-14",
		"nam": map[string]any{"fn": "Martínez", "fnt": "MARTINEZ"},
		group: []any{map[string]any{"tg": "840539006", "co": "ES", "is": "Ministerio de Sanidad", "ci": "URN:UVCI:01:ES:0123456789ABCDEF#X"}},
	})
}

func claims() hcert.Claims {
	return hcert.Claims{Issuer: "ES", IssuedAt: now.Add(-time.Hour), Expires: now.AddDate(0, 6, 0)}
}

// list is a trust list that finds DSCs by their kid.
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

// anyKID returns its certificates whatever the kid: DSCs that share a kid.
type anyKID []*x509.Certificate

func (l anyKID) DSCs([]byte) []*x509.Certificate { return l }

// cwt builds CWT claims around a DCC payload by hand.
func cwt(t testing.TB, iss any, iat, exp any, p []byte) []byte {
	m := map[int]any{-260: map[int]cbor.RawMessage{1: p}}
	if iss != nil {
		m[1] = iss
	}
	if iat != nil {
		m[6] = iat
	}
	if exp != nil {
		m[4] = exp
	}
	return detEnc(t, m)
}

// sign1 builds a COSE_Sign1 message by hand: it signs the Sig_structure of
// the given headers and payload with key, whatever alg says (so tests can
// label a key wrongly). ECDSA signatures are r||s, RSA ones PSS.
func sign1(t testing.TB, key crypto.Signer, prot, unprot map[int]any, payload []byte) []byte {
	t.Helper()
	protected := []byte{}
	if len(prot) > 0 {
		protected = detEnc(t, prot)
	}
	tbs, err := hcert.SigStructure(protected, payload)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(tbs)
	var sig []byte
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		n := (k.Curve.Params().BitSize + 7) / 8
		sig = make([]byte, 2*n)
		r.FillBytes(sig[:n])
		s.FillBytes(sig[n:])
	case *rsa.PrivateKey:
		if sig, err = rsa.SignPSS(rand.Reader, k, crypto.SHA256, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("sign1: %T", key)
	}
	if unprot == nil {
		unprot = map[int]any{}
	}
	return detEnc(t, cbor.Tag{Number: 18, Content: []any{protected, unprot, payload, sig}})
}

func mustParse(t testing.TB, msg []byte) *hcert.Unverified {
	t.Helper()
	u, err := hcert.Parse(msg)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// fixture loads the fixed DSC and key of testdata/: its kid never changes,
// so the bytes to be signed can be golden.
func fixture(t testing.TB) (*ecdsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	read := func(name string) []byte {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := pem.Decode(data)
		if b == nil {
			t.Fatalf("testdata/%s: no PEM block", name)
		}
		return b.Bytes
	}
	k, err := x509.ParsePKCS8PrivateKey(read("dsc-es256.key"))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(read("dsc-es256.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return k.(*ecdsa.PrivateKey), cert
}

type x509Cert struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// keyDSC makes a DSC for key, lazily, to pair with the key in tables.
func keyDSC(t testing.TB, key crypto.Signer) func() *x509Cert {
	return func() *x509Cert { return &x509Cert{newDSC(t, key), key} }
}

func fixed(c *x509.Certificate) func() *x509Cert {
	return func() *x509Cert { return &x509Cert{cert: c} }
}

func verifyRaw(key *ecdsa.PrivateKey, tbs, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	d := sha256.Sum256(tbs)
	return ecdsa.Verify(&key.PublicKey, d[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
}
