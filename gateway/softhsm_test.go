//go:build cgo

package gateway_test

import (
	"context"
	"crypto/x509"
	"testing"

	"dcc/gateway"
	"dcc/internal/softhsmtest"
	"dcc/keystore"
)

const softhsmModule = softhsmtest.Module

// softHSM creates a fresh SoftHSM2 token "T" and returns its label and PIN
// file.
func softHSM(t *testing.T) (token, pinFile string) {
	k := softhsmtest.New(t, "T")
	return k.Label, k.PINFile
}

// The TLS client key and the UPLOAD key inside a token: the handshake and
// the CMS signatures are made by the HSM.
func TestSoftHSMKeys(t *testing.T) {
	token, pin := softHSM(t)
	uri := func(object string) string {
		return "pkcs11:token=" + token + ";object=" + object + "?module-path=" + softhsmModule + "&pin-source=file:" + pin
	}
	authKey, err := keystore.Generate(uri("nb-tls"), keystore.ES256)
	if err != nil {
		t.Fatal(err)
	}
	upKey, err := keystore.Generate(uri("nb-up"), keystore.ES256)
	if err != nil {
		t.Fatal(err)
	}
	ta := newParty(t, certOpts{country: "EU", cn: "DCCG_TA", ca: true}, nil)
	de := newCountry(t, "DE", 0)
	de.Auth = newParty(t, certOpts{country: "DE", cn: "DE NB_TLS in HSM", key: authKey, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, nil)
	de.Up = newParty(t, certOpts{country: "DE", cn: "DE NB_UP in HSM", key: upKey}, nil)
	authKey.Close()
	upKey.Close()
	g, cfg, _ := testGateway(t, ta, de)
	dir := t.TempDir()
	cfg.AuthKey, cfg.AuthCert = uri("nb-tls"), writePEM(t, dir, "auth.pem", de.Auth.Cert)
	cfg.UploadKey, cfg.UploadCert = uri("nb-up"), writePEM(t, dir, "up.pem", de.Up.Cert)
	c := newClient(t, cfg)
	l, err := c.TrustList(context.Background(), gateway.Query{Type: gateway.TypeUpload, Country: "DE"})
	if err != nil || len(l.Entries) != 1 {
		t.Fatalf("over TLS with the HSM key: %v, %v", l, err)
	}
	dsc := newParty(t, certOpts{country: "DE", cn: "DE DSC"}, de.CSCA).Cert
	if err := c.UploadDSC(context.Background(), dsc); err != nil {
		t.Fatal(err)
	}
	checkWire(t, g.uploads[0], "POST", "/signerCertificate", de.Up)
}
