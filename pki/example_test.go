package pki_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"time"

	"dcc/pki"
)

// A CSCA and a DSC restricted to vaccination certificates, then the checks a
// verifier makes.
func Example() {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	cscaKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csca, err := pki.NewCSCA(cscaKey, pki.CSCAOptions{Country: "ES", Now: now})
	if err != nil {
		fmt.Println(err)
		return
	}
	dscKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	dsc, err := pki.NewDSC(csca, cscaKey, dscKey.Public(), pki.DSCOptions{Country: "ES", Types: []pki.Type{pki.Vaccination}, Now: now})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("CSCA:", csca.Subject, "CA:", csca.IsCA, "until", csca.NotAfter.Format(time.DateOnly))
	fmt.Println("DSC: ", dsc.Subject, "issued by", dsc.Issuer, "until", dsc.NotAfter.Format(time.DateOnly))
	fmt.Println("signs vaccinations:", pki.Allows(dsc, pki.Vaccination), "tests:", pki.Allows(dsc, pki.Test))
	fmt.Println("chain:", pki.CheckDSC(dsc, []*x509.Certificate{csca}, "ES", now.AddDate(1, 0, 0)))
	fmt.Println("kid bytes:", len(pki.KID(dsc)))
	// Output:
	// CSCA: CN=ES DCC CSCA,C=ES CA: true until 2030-05-31
	// DSC:  CN=ES DCC DSC,C=ES issued by CN=ES DCC CSCA,C=ES until 2028-05-31
	// signs vaccinations: true tests: false
	// chain: <nil>
	// kid bytes: 8
}
