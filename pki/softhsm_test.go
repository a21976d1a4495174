//go:build cgo

package pki_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"path/filepath"
	"testing"

	"dcc/internal/softhsmtest"
	"dcc/keystore"
	"dcc/pki"
)

// softHSM creates a fresh SoftHSM2 token labelled "T" and returns the URI
// of an object in it.
func softHSM(t *testing.T) func(object string) string {
	return softhsmtest.New(t, "T").URI
}

// A DSC key generated in the token, certified by a CSCA whose key is a file
// (and, the other way round, a CSCA key in the token): the certificate holds
// the token's public key, chains to the CSCA, and verifies the token's
// signatures.
func TestSoftHSMCertificates(t *testing.T) {
	uri := softHSM(t)
	dir := t.TempDir()
	fileCSCAKey, err := keystore.Generate("file:"+filepath.Join(dir, "csca.pem"), keystore.ES256)
	if err != nil {
		t.Fatal(err)
	}
	for _, alg := range []keystore.Alg{keystore.ES256, keystore.PS256} {
		t.Run("DSC key in token "+alg.String(), func(t *testing.T) {
			csca, err := pki.NewCSCA(fileCSCAKey, pki.CSCAOptions{Country: "ES", Now: now})
			if err != nil {
				t.Fatal(err)
			}
			hsm, err := keystore.Generate(uri("dsc-"+alg.String()), alg)
			if err != nil {
				t.Fatal(err)
			}
			defer hsm.Close()
			dsc, err := pki.NewDSC(csca, fileCSCAKey, hsm.Public(), pki.DSCOptions{Country: "ES", Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if !hsm.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(dsc.PublicKey) {
				t.Fatal("the DSC's public key is not the token key")
			}
			if err := pki.CheckDSC(dsc, []*x509.Certificate{csca}, "ES", now); err != nil {
				t.Fatal(err)
			}
			digest := sha256.Sum256([]byte("signed in the token"))
			switch pub := dsc.PublicKey.(type) {
			case *ecdsa.PublicKey:
				sig, err := hsm.Sign(rand.Reader, digest[:], crypto.SHA256)
				if err != nil || !ecdsa.VerifyASN1(pub, digest[:], sig) {
					t.Errorf("token signature does not verify with the DSC: %v", err)
				}
			case *rsa.PublicKey:
				opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
				sig, err := hsm.Sign(rand.Reader, digest[:], opts)
				if err != nil {
					t.Fatal(err)
				}
				if err := rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}); err != nil {
					t.Errorf("token signature does not verify with the DSC: %v", err)
				}
			}
		})
	}
	t.Run("CSCA key in token", func(t *testing.T) {
		hsm, err := keystore.Generate(uri("csca"), keystore.ES256)
		if err != nil {
			t.Fatal(err)
		}
		defer hsm.Close()
		csca, err := pki.NewCSCA(hsm, pki.CSCAOptions{Country: "ES", Now: now})
		if err != nil {
			t.Fatal(err)
		}
		dsc, err := pki.NewDSC(csca, hsm, key(t).Public(), pki.DSCOptions{Country: "ES", Types: []pki.Type{pki.Test}, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if err := pki.CheckDSC(dsc, []*x509.Certificate{csca}, "ES", now); err != nil {
			t.Fatal(err)
		}
	})
}
