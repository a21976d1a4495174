//go:build cgo

package gateway_test

import (
	"context"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"dcc/gateway"
	"dcc/keystore"
)

const softhsmModule = "/usr/lib/softhsm/libsofthsm2.so"

// softHSM creates a fresh SoftHSM2 token "T" (user PIN 1234), as
// keystore's tests do, and returns its label and PIN file.
func softHSM(t *testing.T) (token, pinFile string) {
	t.Helper()
	if _, err := os.Stat(softhsmModule); err != nil {
		t.Skipf("SoftHSM2 not installed (%s missing): apt-get install softhsm2 to run the HSM tests", softhsmModule)
	}
	util, err := exec.LookPath("softhsm2-util")
	if err != nil {
		t.Skip("softhsm2-util not found: apt-get install softhsm2 to run the HSM tests")
	}
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	if err := os.WriteFile(conf, []byte("directories.tokendir = "+tokens+"\nobjectstore.backend = file\nlog.level = ERROR\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	if out, err := exec.Command(util, "--init-token", "--free", "--label", "T", "--pin", "1234", "--so-pin", "5678").CombinedOutput(); err != nil {
		t.Fatalf("softhsm2-util: %v: %s", err, out)
	}
	pinFile = filepath.Join(dir, "pin")
	if err := os.WriteFile(pinFile, []byte("1234\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return "T", pinFile
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
