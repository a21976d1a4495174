package hcert_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"

	"github.com/fxamacker/cbor/v2"

	"dcc/hcert"
	"dcc/pki"
)

// trustList finds DSCs by kid.
type trustList []*x509.Certificate

func (l trustList) DSCs(kid []byte) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range l {
		if bytes.Equal(pki.KID(c), kid) {
			out = append(out, c)
		}
	}
	return out
}

// Sign a DCC payload, then parse and verify it: the content is trusted only
// once every check has passed.
func Example() {
	issued := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{Country: []string{"ES"}, CommonName: "DSC example"},
		NotBefore:    issued.AddDate(-1, 0, 0),
		NotAfter:     issued.AddDate(2, 0, 0),
	}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	dsc, _ := x509.ParseCertificate(der)

	payload, _ := cbor.Marshal(map[string]any{"ver": "1.3.0", "t": []any{map[string]any{"tg": "840539006"}}})
	msg, err := hcert.Sign(key, dsc, hcert.Claims{Issuer: "ES", IssuedAt: issued, Expires: issued.AddDate(0, 0, 3)}, payload)
	if err != nil {
		fmt.Println(err)
		return
	}

	u, err := hcert.Parse(msg)
	if err != nil {
		fmt.Println(err)
		return
	}
	v, report := u.Verify(trustList{dsc}, hcert.Options{At: issued.Add(time.Hour)})
	for _, c := range report.Checks {
		fmt.Println(c.Name, c.Status)
	}
	fmt.Println(v.Type, v.Claims.Issuer, v.Claims.Expires.Format(time.DateOnly))

	// Two weeks later the same certificate has expired.
	_, report = u.Verify(trustList{dsc}, hcert.Options{At: issued.AddDate(0, 0, 14)})
	fmt.Println(report.OK(), report.Status(hcert.CheckExpiry))
	// Output:
	// kid pass
	// alg pass
	// signature pass
	// expiry pass
	// dsc-validity pass
	// key-usage pass
	// chain skipped
	// test ES 2026-06-04
	// false FAIL
}
