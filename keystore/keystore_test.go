package keystore_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dcc/keystore"
)

func checkSigns(t *testing.T, s crypto.Signer) {
	t.Helper()
	digest := sha256.Sum256([]byte("to be signed"))
	switch pub := s.Public().(type) {
	case *ecdsa.PublicKey:
		sig, err := s.Sign(rand.Reader, digest[:], crypto.SHA256)
		if err != nil || !ecdsa.VerifyASN1(pub, digest[:], sig) {
			t.Fatalf("ECDSA signature: %v", err)
		}
	case *rsa.PublicKey:
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
		sig, err := s.Sign(rand.Reader, digest[:], opts)
		if err != nil {
			t.Fatal(err)
		}
		// Verifying with an exact salt length proves it equals the hash length.
		if err := rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: 32, Hash: crypto.SHA256}); err != nil {
			t.Fatalf("RSA-PSS signature with salt = hash length: %v", err)
		}
	default:
		t.Fatalf("unexpected key %T", pub)
	}
}

func TestFileKeys(t *testing.T) {
	dir := t.TempDir()
	for _, alg := range []keystore.Alg{keystore.ES256, keystore.PS256} {
		uri := "file:" + filepath.Join(dir, alg.String()+".pem")
		k, err := keystore.Generate(uri, alg)
		if err != nil {
			t.Fatal(err)
		}
		checkSigns(t, k)
		st, _ := os.Stat(strings.TrimPrefix(uri, "file:"))
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", uri, st.Mode().Perm())
		}
		if _, err := keystore.Generate(uri, alg); !errors.Is(err, keystore.ErrExists) {
			t.Errorf("Generate over an existing key: %v", err)
		}
		again, err := keystore.Open(uri)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(k.Public()) {
			t.Error("reopened key differs")
		}
		checkSigns(t, again)
	}
	if _, err := keystore.Open("file:" + filepath.Join(dir, "missing.pem")); !errors.Is(err, keystore.ErrNotFound) {
		t.Errorf("missing key: %v", err)
	}
}

func TestEncryptedFileKey(t *testing.T) {
	dir := t.TempDir()
	pass := filepath.Join(dir, "pass")
	os.WriteFile(pass, []byte("correct horse\n"), 0o600)
	uri := "file:" + filepath.Join(dir, "k.pem") + "?passphrase-file=" + pass
	if _, err := keystore.Generate(uri, keystore.ES256); err != nil {
		t.Fatal(err)
	}
	k, err := keystore.Open(uri)
	if err != nil {
		t.Fatal(err)
	}
	checkSigns(t, k)
	if _, err := keystore.Open("file:" + filepath.Join(dir, "k.pem")); err == nil || !strings.Contains(err.Error(), "passphrase-file") {
		t.Errorf("encrypted key without passphrase: %v", err)
	}
	os.WriteFile(pass, []byte("wrong"), 0o600)
	if _, err := keystore.Open(uri); err == nil {
		t.Error("wrong passphrase accepted")
	}
}

// OpenSSL-encrypted keys open: the PBES2 reading is not only our own.
func TestOpenSSLEncryptedKey(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.pem")
	enc := filepath.Join(dir, "enc.pem")
	pass := filepath.Join(dir, "pass")
	os.WriteFile(pass, []byte("s3cret\n"), 0o600)
	if out, err := exec.Command(openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", plain).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if out, err := exec.Command(openssl, "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", plain, "-out", enc, "-passout", "file:"+pass).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	k, err := keystore.Open("file:" + enc + "?passphrase-file=" + pass)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := keystore.Open("file:" + plain)
	if !k.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(p.Public()) {
		t.Error("decrypted key differs from the plain one")
	}
}

func TestParseURI(t *testing.T) {
	good := "pkcs11:token=DCC;object=dsc-2026?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/pin"
	u, err := keystore.ParseURI(good)
	if err != nil || u.Token != "DCC" || u.Object != "dsc-2026" || u.PINFile != "/run/pin" {
		t.Fatalf("%+v %v", u, err)
	}
	if u, err := keystore.ParseURI("pkcs11:token=My%20Token;id=%01%02?module-path=/x.so&pin-source=file:/p"); err != nil || u.Token != "My Token" || string(u.ID) != "\x01\x02" {
		t.Errorf("escapes: %+v %v", u, err)
	}
	for uri, want := range map[string]string{
		"key.pem":                 "not a key URI",
		"s3:bucket/key":           "unknown scheme",
		"file:":                   "without a path",
		"file:k.pem?passphrase=x": "inline passphrase",
		"file:k.pem?mode=x":       "unknown attribute",
		"pkcs11:object=a?module-path=/x&pin-source=file:/p":                "token=LABEL is required",
		"pkcs11:token=T;object=a?module-path=/x&pin-value=1234":            "inline PIN",
		"pkcs11:token=T;object=a;pin-value=1234?module-path=/x":            "inline PIN",
		"pkcs11:token=T;object=a?pin-source=file:/p":                       "module-path",
		"pkcs11:token=T;object=a?module-path=/x":                           "pin-source",
		"pkcs11:token=T;object=a?module-path=/x&pin-source=https://x":      "only file:",
		"pkcs11:token=T;slot=1;object=a?module-path=/x&pin-source=file:/p": "unknown path attribute",
		"pkcs11:token=T?module-path=/x&pin-source=file:/p":                 "object=LABEL or id=",
	} {
		if _, err := keystore.ParseURI(uri); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseURI(%q) = %v, want %q", uri, err, want)
		}
	}
}
