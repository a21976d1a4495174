package gateway_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"dcc/cms"
	"dcc/trustlist"
)

var serial atomic.Int64

// party is a key and its certificate.
type party struct {
	Key  crypto.Signer
	Cert *x509.Certificate
}

type certOpts struct {
	country, cn        string
	ca                 bool
	notBefore, expires time.Time
	eku                []x509.ExtKeyUsage
	key                crypto.Signer // nil: a new P-256 key
	serial             int64         // 0: the next
}

func ecKey(tb testing.TB) crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// newParty makes a certificate issued by parent (nil: self-signed).
func newParty(tb testing.TB, o certOpts, parent *party) *party {
	tb.Helper()
	key := o.key
	if key == nil {
		key = ecKey(tb)
	}
	if o.notBefore.IsZero() {
		o.notBefore = time.Now().Add(-time.Hour)
	}
	if o.expires.IsZero() {
		o.expires = time.Now().Add(365 * 24 * time.Hour)
	}
	if o.serial == 0 {
		o.serial = serial.Add(1)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(o.serial),
		Subject:               pkix.Name{Country: []string{o.country}, CommonName: o.cn},
		NotBefore:             o.notBefore,
		NotAfter:              o.expires,
		BasicConstraintsValid: true,
		IsCA:                  o.ca,
		ExtKeyUsage:           o.eku,
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}
	if o.ca {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	issuer, issuerKey := tmpl, key
	if parent != nil {
		issuer, issuerKey = parent.Cert, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), issuerKey)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return &party{key, c}
}

// country is one member state's certificates on the gateway.
type country struct {
	Code     string
	Auth, Up *party
	CSCA     *party
	DSCs     []*party
}

func newCountry(tb testing.TB, code string, dscs int) *country {
	c := &country{Code: code}
	c.Auth = newParty(tb, certOpts{country: code, cn: code + " NB_TLS", eku: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, nil)
	c.Up = newParty(tb, certOpts{country: code, cn: code + " NB_UP"}, nil)
	c.CSCA = newParty(tb, certOpts{country: code, cn: code + " CSCA", ca: true}, nil)
	for i := range dscs {
		c.DSCs = append(c.DSCs, newParty(tb, certOpts{country: code, cn: code + " DSC " + string(rune('A'+i%26))}, c.CSCA))
	}
	return c
}

// sign is a detached (or embedded) CMS over content by p, base64.
func sign(tb testing.TB, p *party, content []byte, detached bool) string {
	tb.Helper()
	der, err := cms.Sign(content, p.Key, p.Cert, cms.SignOptions{Detached: detached, AlgorithmProtection: true})
	if err != nil {
		tb.Fatal(err)
	}
	return cms.EncodeBase64(der)
}

// entry is cert as a trust-list entry signed by signer (detached, §B.1).
func entry(tb testing.TB, cert *x509.Certificate, typ string, signer *party) trustlist.Entry {
	sum := sha256.Sum256(cert.Raw)
	e := trustlist.Entry{
		KID:             base64.StdEncoding.EncodeToString(sum[:8]),
		Timestamp:       time.Now().UTC().Format(time.RFC3339),
		Country:         cert.Subject.Country[0],
		CertificateType: typ,
		Thumbprint:      hex.EncodeToString(sum[:]),
		RawData:         base64.StdEncoding.EncodeToString(cert.Raw),
	}
	if signer != nil {
		e.Signature = sign(tb, signer, cert.Raw, true)
	}
	return e
}

// entries is the trust list of the countries: AUTHENTICATION, UPLOAD and
// CSCA signed by ta, DSCs by their country's UPLOAD key.
func entries(tb testing.TB, ta *party, cs ...*country) []trustlist.Entry {
	var out []trustlist.Entry
	for _, c := range cs {
		out = append(out,
			entry(tb, c.Auth.Cert, "AUTHENTICATION", ta),
			entry(tb, c.Up.Cert, "UPLOAD", ta),
			entry(tb, c.CSCA.Cert, "CSCA", ta))
		for _, d := range c.DSCs {
			out = append(out, entry(tb, d.Cert, "DSC", c.Up))
		}
	}
	return out
}

func writePEM(tb testing.TB, dir, name string, certs ...*x509.Certificate) string {
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// writeKey writes a PKCS #8 key file and returns its key URI, or "" for
// a key in a token, which has no file.
func writeKey(tb testing.TB, dir, name string, k crypto.Signer) string {
	if _, ok := k.(*ecdsa.PrivateKey); !ok {
		return ""
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		tb.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		tb.Fatal(err)
	}
	return "file:" + p
}

func sha256Of(c *x509.Certificate) [32]byte { return sha256.Sum256(c.Raw) }
