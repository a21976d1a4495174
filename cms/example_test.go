package cms_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log"
	"math/big"
	"time"

	"dcc/cms"
)

// uploadSigner stands for a country's UPLOAD certificate and key.
func uploadSigner() (crypto.Signer, *x509.Certificate) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "DE upload", Country: []string{"DE"}},
		NotBefore:    time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		log.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		log.Fatal(err)
	}
	return key, cert
}

// Sign a revocation batch for upload: embedded content, base64 without
// line breaks as the body of POST /revocation-list.
func ExampleSign() {
	key, cert := uploadSigner()
	batch := []byte(`{"country":"DE","expires":"2025-12-31T23:00:00Z","kid":"UNKNOWN_KID","hashType":"UCI","entries":[{"hash":"n4bQgYhMfWWaL+qgxVrQFa=="}]}`)
	der, err := cms.Sign(batch, key, cert, cms.SignOptions{
		Now:                 func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) },
		AlgorithmProtection: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	body := cms.EncodeBase64(der)

	// The receiving side.
	sd, err := cms.ParseBase64(body)
	if err != nil {
		log.Fatal(err)
	}
	signer, err := sd.Verify(nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(signer.Subject.CommonName, sd.SignerInfos[0].SigningTime.Format(time.RFC3339))
	fmt.Println(string(sd.Content) == string(batch))
	// Output:
	// DE upload 2025-06-01T12:00:00Z
	// true
}

// Parse a trust-list entry's signature: detached, over the certificate's
// DER (rawData), and check it; a second signer is refused by name.
func ExampleParse() {
	key, cert := uploadSigner()
	rawData := cert.Raw // in a trust list, the DSC's DER
	sig, err := cms.Sign(rawData, key, cert, cms.SignOptions{
		Detached: true,
		Now:      func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		log.Fatal(err)
	}

	sd, err := cms.Parse(sig)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("detached:", sd.Content == nil)
	if _, err := sd.Verify(rawData); err != nil {
		log.Fatal(err)
	}
	fmt.Println("verified")

	sd.SignerInfos = append(sd.SignerInfos, sd.SignerInfos[0])
	_, err = sd.Verify(rawData)
	fmt.Println(err)
	fmt.Println(errors.Is(err, &cms.Error{Reason: cms.ReasonSigners}))
	// Output:
	// detached: true
	// verified
	// cms: 2 signer infos, want exactly 1
	// true
}
