//go:build cgo

package keystore_test

import (
	"crypto"
	"crypto/x509"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ThalesGroup/crypto11"
	"github.com/miekg/pkcs11"

	"dcc"
	"dcc/hcert"
	"dcc/keystore"
	"dcc/pki"
)

const softhsmModule = "/usr/lib/softhsm/libsofthsm2.so"

// softHSM creates a fresh SoftHSM2 token in a temporary directory and
// returns the URI prefix and query for keys in it.
func softHSM(t *testing.T) (token, pinFile string) {
	t.Helper()
	if _, err := os.Stat(softhsmModule); err != nil {
		t.Skipf("SoftHSM2 not installed (%s): apt-get install softhsm2", softhsmModule)
	}
	util, err := exec.LookPath("softhsm2-util")
	if err != nil {
		t.Skip("softhsm2-util not found")
	}
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	os.Mkdir(tokens, 0o700)
	conf := filepath.Join(dir, "softhsm2.conf")
	os.WriteFile(conf, []byte("directories.tokendir = "+tokens+"\nobjectstore.backend = file\nlog.level = ERROR\n"), 0o600)
	t.Setenv("SOFTHSM2_CONF", conf)
	token = "dcc-test"
	if out, err := exec.Command(util, "--init-token", "--free", "--label", token, "--pin", "1234", "--so-pin", "5678").CombinedOutput(); err != nil {
		t.Fatalf("softhsm2-util: %v: %s", err, out)
	}
	pinFile = filepath.Join(dir, "pin")
	os.WriteFile(pinFile, []byte("1234\n"), 0o600)
	return token, pinFile
}

func hsmURI(token, object, pin string) string {
	return "pkcs11:token=" + token + ";object=" + object + "?module-path=" + softhsmModule + "&pin-source=file:" + pin
}

func TestSoftHSM(t *testing.T) {
	token, pin := softHSM(t)
	for _, alg := range []keystore.Alg{keystore.ES256, keystore.PS256} {
		uri := hsmURI(token, "dsc-"+alg.String(), pin)
		k, err := keystore.Generate(uri, alg)
		if err != nil {
			t.Fatal(err)
		}
		checkSigns(t, k)
		pub := k.Public()
		k.Close()
		if _, err := keystore.Generate(uri, alg); !errors.Is(err, keystore.ErrExists) {
			t.Errorf("%v: generating over an existing object: %v", alg, err)
		}
		again, err := keystore.Open(uri)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
			t.Errorf("%v: reopened key differs", alg)
		}
		checkSigns(t, again)
		again.Close()
	}
	// The private key is sensitive and cannot be extracted.
	ctx, err := crypto11.Configure(&crypto11.Config{Path: softhsmModule, TokenLabel: token, Pin: "1234"})
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Close()
	s, err := ctx.FindKeyPair(nil, []byte("dsc-ES256"))
	if err != nil || s == nil {
		t.Fatalf("find: %v", err)
	}
	attrs, err := ctx.GetAttributes(s, []crypto11.AttributeType{pkcs11.CKA_SENSITIVE, pkcs11.CKA_EXTRACTABLE})
	if err != nil {
		t.Fatal(err)
	}
	if v := attrs[pkcs11.CKA_SENSITIVE]; v == nil || len(v.Value) != 1 || v.Value[0] != 1 {
		t.Errorf("CKA_SENSITIVE = %v, want true", v)
	}
	if v := attrs[pkcs11.CKA_EXTRACTABLE]; v == nil || len(v.Value) != 1 || v.Value[0] != 0 {
		t.Errorf("CKA_EXTRACTABLE = %v, want false", v)
	}
}

func TestSoftHSMErrors(t *testing.T) {
	token, pin := softHSM(t)
	if _, err := keystore.Open(hsmURI(token, "nothing", pin)); !errors.Is(err, keystore.ErrNotFound) {
		t.Errorf("unknown object: %v", err)
	}
	if _, err := keystore.Open(hsmURI("no-such-token", "k", pin)); err == nil || !strings.Contains(err.Error(), "no-such-token") {
		t.Errorf("unknown token: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "pin")
	os.WriteFile(bad, []byte("0000"), 0o600)
	if _, err := keystore.Open(hsmURI(token, "k", bad)); err == nil {
		t.Error("wrong PIN accepted")
	}
}

// The whole chain with the DSC key in the token: key generated inside the
// token, DSC issued for it by a file-key CSCA, a DCC signed in the token and
// verified against the CSCA.
func TestSoftHSMSignsDCC(t *testing.T) {
	token, pin := softHSM(t)
	dir := t.TempDir()
	cscaKey, err := keystore.Generate("file:"+filepath.Join(dir, "csca.pem"), keystore.ES256)
	if err != nil {
		t.Fatal(err)
	}
	csca, err := pki.NewCSCA(cscaKey, pki.CSCAOptions{Country: "ES"})
	if err != nil {
		t.Fatal(err)
	}
	for _, alg := range []keystore.Alg{keystore.ES256, keystore.PS256} {
		hsm, err := keystore.Generate(hsmURI(token, "dcc-"+alg.String(), pin), alg)
		if err != nil {
			t.Fatal(err)
		}
		dsc, err := pki.NewDSC(csca, cscaKey, hsm.Public(), pki.DSCOptions{Country: "ES", Types: []pki.Type{pki.Vaccination}})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile("../testdata/vaccination.json")
		var p dcc.Payload
		if err := p.UnmarshalJSON(data); err != nil {
			t.Fatal(err)
		}
		payload, _ := p.MarshalCBOR()
		now := time.Now()
		msg, err := hcert.Sign(hsm, dsc, hcert.Claims{Issuer: "ES", IssuedAt: now, Expires: now.AddDate(0, 6, 0)}, payload)
		hsm.Close()
		if err != nil {
			t.Fatalf("%v: %v", alg, err)
		}
		u, err := hcert.Parse(msg)
		if err != nil {
			t.Fatal(err)
		}
		v, rep := u.Verify(trust{dsc}, hcert.Options{At: now.Add(time.Minute), CSCAs: []*x509.Certificate{csca}})
		if v == nil {
			t.Errorf("%v: %+v", alg, rep)
		}
	}
}

type trust []*x509.Certificate

func (t trust) DSCs([]byte) []*x509.Certificate { return t }
