package gateway_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"dcc/gateway"
)

// A client for a country whose TLS client key is in an HSM and whose
// UPLOAD key is in a file. New checks every field before anything is sent;
// here the files do not exist, and the error names the field.
func ExampleNew() {
	_, err := gateway.New(gateway.Config{
		BaseURL:     "https://dgcg.example.eu",
		AuthKey:     "pkcs11:token=NB;object=nb-tls?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/dcc/pin",
		AuthCert:    "/etc/dcc/nb-tls.pem",
		UploadKey:   "file:/etc/dcc/nb-up.key",
		UploadCert:  "/etc/dcc/nb-up.pem",
		ServerCA:    "/etc/dcc/gateway-ca.pem",
		TrustAnchor: "/etc/dcc/dccg-ta.pem",
		Timeout:     30 * time.Second,
	})
	fmt.Println(err != nil)
	_, err = gateway.New(gateway.Config{BaseURL: "http://dgcg.example.eu"})
	fmt.Println(err)
	// Output:
	// true
	// gateway: Config.BaseURL "http://dgcg.example.eu": want an https URL without query, e.g. https://dgcg.example.eu
}

// Branching on the gateway's answers: the sentinels by status, the
// problem report and its hint for the details.
func ExampleProblemError() {
	var err error = &gateway.ProblemError{Method: "POST", Path: "/signerCertificate", Status: 400, Code: "0x004", Problem: "Uploaded certificate is not signed by a CSCA"}
	var pe *gateway.ProblemError
	switch {
	case errors.Is(err, gateway.ErrExists):
		fmt.Println("already there")
	case errors.As(err, &pe):
		fmt.Println(pe.Code, pe.Hint())
	}
	// Output:
	// 0x004 the DSC was refused: its subject must have exactly one C, the authenticated country, and it must be signed by one of the country's CSCAs
}

// Checking a trust list offline, e.g. one saved by an earlier sync, before
// it is applied: the refused entries are reported, never used.
func ExampleCheckTrustList() {
	data := []byte(`[{"kid":"AAAAAAAAAAA=","timestamp":"2026-01-01T00:00:00Z","country":"DE","certificateType":"DSC","thumbprint":"00","signature":null,"rawData":null},
	{"kid":"AAECAwQFBgc=","timestamp":"2026-01-01T00:00:00Z","country":"DE","certificateType":"DSC","thumbprint":"00","signature":"","rawData":"AAEC"}]`)
	entries, err := gateway.ParseTrustList(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	var anchors []*x509.Certificate // the DCCG_TA certificates
	l := gateway.CheckTrustList(entries, anchors, time.Now())
	fmt.Println(len(l.Entries), "usable; deleted:", l.Deleted)
	for _, r := range l.Refused {
		fmt.Println("refused:", r)
	}
	// Output:
	// 0 usable; deleted: [AAAAAAAAAAA=]
	// refused: DSC kid AAECAwQFBgc= of "DE": thumbprint: not the SHA-256 of rawData (lowercase hex)
}

// Following the revocation list from the last date seen; each batch's
// CMS is checked when it is fetched.
func ExampleClient_RevocationList() {
	var c *gateway.Client // from gateway.New
	if c == nil {
		return
	}
	ctx := context.Background()
	var last time.Time // zero: from the start; later, the last date seen
	for b, err := range c.RevocationList(ctx, last) {
		if err != nil {
			fmt.Println(err)
			return
		}
		if b.Deleted {
			continue // remove the batch's hashes
		}
		batch, err := c.RevocationBatch(ctx, b.BatchID, nil)
		if errors.Is(err, gateway.ErrGone) {
			continue
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(batch.Country, len(batch.Entries))
		last = b.Date
	}
}
