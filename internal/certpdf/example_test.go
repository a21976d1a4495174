package certpdf_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"time"

	"dcc"
	"dcc/hc1"
	"dcc/hcert"
	"dcc/internal/certpdf"
	"dcc/pki"
)

// Sign a vaccination certificate and print it for the holder.
func Example() {
	issued := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	payload := &dcc.Payload{
		Ver: dcc.SchemaVersion,
		Nam: dcc.Name{FN: "García Fernández", FNT: "GARCIA<FERNANDEZ", GN: "María José", GNT: "MARIA<JOSE"},
		DOB: "1978-05-21",
		V: []dcc.VaccinationEntry{{
			TG: "840539006", VP: "1119349007", MP: "EU/1/20/1528", MA: "ORG-100030215",
			DN: 3, SD: 3, DT: "2022-01-10", CO: "ES", IS: "Ministerio de Sanidad",
			CI: "URN:UVCI:01:ES:MSND/7KQ2X9VW4HT8RM3F#G",
		}},
	}

	// The signer's side: a DSC of the country's CSCA signs the payload.
	cscaKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	dscKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csca, _ := pki.NewCSCA(cscaKey, pki.CSCAOptions{Country: "ES", Now: issued})
	dsc, _ := pki.NewDSC(csca, cscaKey, dscKey.Public(), pki.DSCOptions{Country: "ES", Now: issued})
	cbor, _ := payload.MarshalCBOR()
	claims := hcert.Claims{Issuer: "ES", IssuedAt: issued, Expires: issued.AddDate(1, 0, 0)}
	msg, err := hcert.Sign(dscKey, dsc, claims, cbor)
	if err != nil {
		fmt.Println(err)
		return
	}
	code, _ := hc1.Encode(msg)

	// The holder's document.
	r, err := certpdf.New(nil) // the embedded value sets
	if err != nil {
		fmt.Println(err)
		return
	}
	var pdf bytes.Buffer
	err = r.Render(&pdf, certpdf.Certificate{
		HC1: code, Payload: payload, IssuedAt: claims.IssuedAt, Expires: claims.Expires,
		Authority: "Ministerio de Sanidad",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")))
	// Output: true
}
