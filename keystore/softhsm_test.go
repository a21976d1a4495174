//go:build cgo

package keystore_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ThalesGroup/crypto11"
	"github.com/miekg/pkcs11"

	"dcc"
	"dcc/hcert"
	"dcc/internal/softhsmtest"
	"dcc/keystore"
	"dcc/pki"
)

const softhsmModule = softhsmtest.Module

// softHSM creates a fresh SoftHSM2 token labelled "T" and returns its label
// and a file holding the PIN.
func softHSM(t testing.TB) (token, pinFile string) {
	k := softhsmtest.New(t, "T")
	return k.Label, k.PINFile
}

func hsmURI(token, object, pin string) string {
	return "pkcs11:token=" + token + ";object=" + object + "?module-path=" + softhsmModule + "&pin-source=file:" + pin
}

func TestSoftHSM(t *testing.T) {
	token, pin := softHSM(t)
	for _, alg := range []keystore.Alg{keystore.ES256, keystore.PS256} {
		t.Run(alg.String(), func(t *testing.T) {
			uri := hsmURI(token, "dsc-"+alg.String(), pin)
			k, err := keystore.Generate(uri, alg)
			if err != nil {
				t.Fatal(err)
			}
			checkSigns(t, k)
			pub := k.Public()
			if err := k.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := keystore.Generate(uri, alg); !errors.Is(err, keystore.ErrExists) {
				t.Errorf("generating over an existing object: %v", err)
			}
			// A new session, as a later process would open it.
			again, err := keystore.Open(uri)
			if err != nil {
				t.Fatal(err)
			}
			defer again.Close()
			if !again.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
				t.Error("reopened key differs")
			}
			checkSigns(t, again)
			checkInToken(t, token, "dsc-"+alg.String())
		})
	}
}

// checkInToken asserts the private key object is a token object that is
// sensitive and not extractable: its value can never be read out.
func checkInToken(t *testing.T, token, object string) {
	t.Helper()
	ctx, err := crypto11.Configure(&crypto11.Config{Path: softhsmModule, TokenLabel: token, Pin: "1234"})
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Close()
	s, err := ctx.FindKeyPair(nil, []byte(object))
	if err != nil || s == nil {
		t.Fatalf("find %s: %v", object, err)
	}
	attrs, err := ctx.GetAttributes(s, []crypto11.AttributeType{pkcs11.CKA_TOKEN, pkcs11.CKA_PRIVATE, pkcs11.CKA_SENSITIVE, pkcs11.CKA_EXTRACTABLE, pkcs11.CKA_ALWAYS_SENSITIVE, pkcs11.CKA_NEVER_EXTRACTABLE})
	if err != nil {
		t.Fatal(err)
	}
	for a, want := range map[crypto11.AttributeType]byte{
		pkcs11.CKA_TOKEN: 1, pkcs11.CKA_PRIVATE: 1, pkcs11.CKA_SENSITIVE: 1, pkcs11.CKA_EXTRACTABLE: 0,
		pkcs11.CKA_ALWAYS_SENSITIVE: 1, pkcs11.CKA_NEVER_EXTRACTABLE: 1,
	} {
		if v := attrs[a]; v == nil || len(v.Value) != 1 || v.Value[0] != want {
			t.Errorf("%s: attribute %#x = %v, want %d", object, a, v, want)
		}
	}
}

func TestSoftHSMByID(t *testing.T) {
	token, pin := softHSM(t)
	q := "?module-path=" + softhsmModule + "&pin-source=file:" + pin
	k, err := keystore.Generate("pkcs11:token="+token+";object=by-id;id=%01%a2"+q, keystore.ES256)
	if err != nil {
		t.Fatal(err)
	}
	k.Close()
	again, err := keystore.Open("pkcs11:token=" + token + ";id=%01%A2;type=private" + q)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if !again.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(k.Public()) {
		t.Error("key opened by id differs")
	}
	if _, err := keystore.Open("pkcs11:token=" + token + ";id=%02" + q); !errors.Is(err, keystore.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

// crypto11 cannot choose the largest PSS salt; the error says what to use.
func TestSoftHSMPSSSaltAuto(t *testing.T) {
	token, pin := softHSM(t)
	k, err := keystore.Generate(hsmURI(token, "pss", pin), keystore.PS256)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	digest := sha256.Sum256([]byte("x"))
	_, err = k.Sign(rand.Reader, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto, Hash: crypto.SHA256})
	if err == nil || !strings.Contains(err.Error(), "PSSSaltLengthEqualsHash") {
		t.Errorf("PSSSaltLengthAuto: %v", err)
	}
}

func TestSoftHSMErrors(t *testing.T) {
	token, pin := softHSM(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad-pin")
	os.WriteFile(bad, []byte("0000\n"), 0o600)
	k, err := keystore.Generate(hsmURI(token, "k", pin), keystore.ES256)
	if err != nil {
		t.Fatal(err)
	}
	k.Close()
	for _, c := range []struct {
		name, uri string
		is        error
		msg       string
	}{
		{"unknown object", hsmURI(token, "nothing", pin), keystore.ErrNotFound, `no key pair object="nothing" in token "T"`},
		{"unknown token", hsmURI("no-such-token", "k", pin), keystore.ErrNotFound, `no token labelled "no-such-token"`},
		{"wrong PIN", hsmURI(token, "k", bad), keystore.ErrWrongPIN, "repeated wrong PINs lock the token"},
		{"missing PIN file", hsmURI(token, "k", filepath.Join(dir, "none")), nil, "keystore: PIN"},
		{"missing module", "pkcs11:token=T;object=k?module-path=" + filepath.Join(dir, "none.so") + "&pin-source=file:" + pin, nil, "module-path"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := keystore.Open(c.uri)
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("error %v is not %v", err, c.is)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q lacks %q", err, c.msg)
			}
		})
	}
	// The key still opens after the failures (a wrong PIN counts towards a lock).
	if k, err := keystore.Open(hsmURI(token, "k", pin)); err != nil {
		t.Errorf("after failures: %v", err)
	} else {
		k.Close()
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
	data, err := os.ReadFile("../testdata/vaccination.json")
	if err != nil {
		t.Fatal(err)
	}
	var p dcc.Payload
	if err := p.UnmarshalJSON(data); err != nil {
		t.Fatal(err)
	}
	payload, err := p.MarshalCBOR()
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

// go test -bench=Sign ./keystore
func BenchmarkSignSoftHSM(b *testing.B) {
	token, pin := softHSM(b)
	for _, alg := range []keystore.Alg{keystore.ES256, keystore.PS256} {
		k, err := keystore.Generate(hsmURI(token, alg.String(), pin), alg)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(alg.String(), func(b *testing.B) { benchSign(b, k) })
		k.Close()
	}
}
