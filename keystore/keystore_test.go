package keystore_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
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
	if _, err := keystore.Generate("file:"+filepath.Join(dir, "x.pem"), keystore.Alg(0)); err == nil {
		t.Error("generated a key of no algorithm")
	}
	if _, err := keystore.Generate("file:"+filepath.Join(dir, "no-dir", "x.pem"), keystore.ES256); err == nil {
		t.Error("generated into a missing directory")
	}
}

// Files that are not one unencrypted or PBES2-encrypted PKCS#8 key are
// refused with a message that says why.
func TestBadKeyFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := keystore.Generate("file:"+filepath.Join(dir, "good.pem"), keystore.ES256); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(filepath.Join(dir, "good.pem"))
	pass := filepath.Join(dir, "pass")
	os.WriteFile(pass, []byte("pw"), 0o600)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o600)
	block, _ := pem.Decode(good)
	for _, c := range []struct {
		name, data, query, msg string
	}{
		{"not PEM", "hello", "", "not a PEM file"},
		{"two blocks", string(good) + string(good), "", "more than one PEM block"},
		{"SEC 1", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: block.Bytes})), "", "openssl pkcs8 -topk8"},
		{"garbage PKCS#8", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{0x30, 0}})), "", "bad.pem"},
		{"passphrase for a plain key", string(good), "?passphrase-file=" + pass, "not encrypted"},
		{"encrypted without passphrase", string(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{0x30, 0}})), "", "passphrase-file"},
		{"empty passphrase file", string(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{0x30, 0}})), "?passphrase-file=" + empty, "is empty"},
		{"malformed encrypted", string(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{0x30, 0}})), "?passphrase-file=" + pass, "malformed"},
		{"too large", strings.Repeat("x", 1<<20), "", "larger than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.pem")
			os.WriteFile(path, []byte(c.data), 0o600)
			_, err := keystore.Open("file:" + path + c.query)
			if err == nil || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %v, want one with %q", err, c.msg)
			}
		})
	}
}

// A key, PIN or passphrase file that others may read is refused, as ssh
// refuses one: the key may already be out.
func TestUnprotectedKeyFilesRefused(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "key.pem")
	if _, err := keystore.Generate("file:"+key, keystore.ES256); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
		os.Chmod(key, mode)
		_, err := keystore.Open("file:" + key)
		var ue *keystore.UnprotectedError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "chmod 600 "+key) {
			t.Errorf("mode %v: %v", mode, err)
		}
		if err := keystore.CheckPrivate(key); !errors.As(err, &ue) {
			t.Errorf("CheckPrivate, mode %v: %v", mode, err)
		}
	}
	os.Chmod(key, 0o400)
	if k, err := keystore.Open("file:" + key); err != nil {
		t.Errorf("mode 0400: %v", err)
	} else {
		k.Close()
	}
	// An encrypted key's passphrase file too.
	enc := filepath.Join(dir, "enc.pem")
	pass := filepath.Join(dir, "pass")
	os.WriteFile(pass, []byte("correct horse"), 0o644)
	os.Chmod(pass, 0o644)
	if _, err := keystore.Generate("file:"+enc+"?passphrase-file="+pass, keystore.ES256); err == nil {
		if _, err := keystore.Open("file:" + enc + "?passphrase-file=" + pass); err == nil || !strings.Contains(err.Error(), "chmod 600 "+pass) {
			t.Errorf("passphrase file at 0644: %v", err)
		}
	} else if !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("Generate with a passphrase file at 0644: %v", err)
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
		"pkcs11:object=a?module-path=/x&pin-source=file:/p":                        "token=LABEL is required",
		"pkcs11:token=T;object=a?module-path=/x&pin-value=1234":                    "inline PIN",
		"pkcs11:token=T;object=a;pin-value=1234?module-path=/x":                    "inline PIN",
		"pkcs11:token=T;object=a?pin-source=file:/p":                               "module-path",
		"pkcs11:token=T;object=a?module-path=/x":                                   "pin-source",
		"pkcs11:token=T;object=a?module-path=/x&pin-source=https://x":              "only file:",
		"pkcs11:token=T;slot=1;object=a?module-path=/x&pin-source=file:/p":         "unknown path attribute",
		"pkcs11:token=T?module-path=/x&pin-source=file:/p":                         "object=LABEL or id=",
		"pkcs11:token=T;object=a;token=U?module-path=/x&pin-source=file:/p":        "given twice",
		"pkcs11:token=T;object=a?module-path=/x&module-path=/y&pin-source=file:/p": "given twice",
		"pkcs11:token=T;object=a?module-path=/x&pin-source=file:/p&foo=1":          "unknown query attribute",
		"pkcs11:token=T;object=a;type=public?module-path=/x&pin-source=file:/p":    "only private keys sign",
		"pkcs11:token=T;object?module-path=/x&pin-source=file:/p":                  "has no value",
		"pkcs11:token=T;object=%zz?module-path=/x&pin-source=file:/p":              "object",
		"file:k.pem?passphrase-file=a&passphrase-file=b":                           "given 2 times",
	} {
		if _, err := keystore.ParseURI(uri); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseURI(%q) = %v, want %q", uri, err, want)
		}
	}
}

// A scheme other than PBES2 (here PBES1, "openssl pkcs8 -v1") is refused
// with a hint to re-encrypt.
func TestOpenSSLLegacyEncryptionRefused(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.pem")
	enc := filepath.Join(dir, "enc.pem")
	pass := filepath.Join(dir, "pass")
	os.WriteFile(pass, []byte("s3cret\n"), 0o600)
	if _, err := keystore.Generate("file:"+plain, keystore.ES256); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(openssl, "pkcs8", "-topk8", "-v1", "PBE-SHA1-3DES", "-in", plain, "-out", enc, "-passout", "file:"+pass).CombinedOutput(); err != nil {
		t.Skipf("openssl cannot write PBES1: %v: %s", err, out)
	}
	if _, err := keystore.Open("file:" + enc + "?passphrase-file=" + pass); err == nil || !strings.Contains(err.Error(), "re-encrypt") {
		t.Errorf("PBES1 key: %v", err)
	}
}

func FuzzParseURI(f *testing.F) {
	for _, s := range []string{
		"file:/k.pem", "file:k.pem?passphrase-file=/p",
		"pkcs11:token=DCC;object=dsc;id=%01?module-path=/x.so&pin-source=file:/p",
		"pkcs11:token=a%20b;type=private;id=%zz?pin-value=1", "pkcs11:;;?&&",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := keystore.ParseURI(s)
		if err != nil {
			return
		}
		switch u.Scheme {
		case "file":
			if u.Path == "" {
				t.Errorf("%q: file URI without a path", s)
			}
		case "pkcs11":
			if u.Token == "" || u.ModulePath == "" || u.PINFile == "" || (u.Object == "" && len(u.ID) == 0) {
				t.Errorf("%q: incomplete pkcs11 URI accepted: %+v", s, u)
			}
		default:
			t.Errorf("%q: scheme %q", s, u.Scheme)
		}
	})
}

// FuzzOpenFile feeds key files (and passphrases) to the PEM, PKCS#8 and
// PBES2 readers.
func FuzzOpenFile(f *testing.F) {
	dir := f.TempDir()
	if _, err := keystore.Generate("file:"+filepath.Join(dir, "seed.pem"), keystore.ES256); err != nil {
		f.Fatal(err)
	}
	seed, _ := os.ReadFile(filepath.Join(dir, "seed.pem"))
	f.Add(seed, "")
	// An encrypted seed with a cheap key derivation, so that mutations run fast.
	if openssl, err := exec.LookPath("openssl"); err == nil {
		enc := filepath.Join(dir, "enc.pem")
		if exec.Command(openssl, "pkcs8", "-topk8", "-v2", "aes-128-cbc", "-iter", "1", "-in", filepath.Join(dir, "seed.pem"), "-out", enc, "-passout", "pass:pw").Run() == nil {
			data, _ := os.ReadFile(enc)
			f.Add(data, "pw")
		}
	}
	f.Add([]byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n"), "pw")
	f.Fuzz(func(t *testing.T, data []byte, pass string) {
		if pass != "" && costlyKDF(data) {
			t.Skip("PBKDF2 iteration count above 4096: slow to fuzz, bounded by the package")
		}
		d := t.TempDir()
		path := filepath.Join(d, "k.pem")
		os.WriteFile(path, data, 0o600)
		uri := "file:" + path
		if pass != "" {
			os.WriteFile(filepath.Join(d, "pass"), []byte(pass), 0o600)
			uri += "?passphrase-file=" + filepath.Join(d, "pass")
		}
		if s, err := keystore.Open(uri); err == nil {
			s.Close()
		}
	})
}

// costlyKDF reports whether data looks like a PBES2 key whose PBKDF2
// iteration count is large: each such input costs up to a second under
// coverage instrumentation.
func costlyKDF(data []byte) bool {
	block, _ := pem.Decode(data)
	if block == nil {
		return false
	}
	var info struct {
		Algo struct {
			OID    asn1.ObjectIdentifier
			Params struct {
				KDF struct {
					OID    asn1.ObjectIdentifier
					Params struct {
						Salt []byte
						Iter *big.Int
					}
				}
			}
		}
	}
	if _, err := asn1.Unmarshal(block.Bytes, &info); err != nil {
		return false
	}
	it := info.Algo.Params.KDF.Params.Iter
	return it != nil && it.Cmp(big.NewInt(4096)) > 0
}

func ExampleParseURI() {
	u, err := keystore.ParseURI("pkcs11:token=DCC;object=dsc-2026;id=%01?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/secrets/pin")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("token %s, object %s, id %x, PIN from %s\n", u.Token, u.Object, u.ID, u.PINFile)
	_, err = keystore.ParseURI("pkcs11:token=DCC;object=dsc-2026?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=1234")
	fmt.Println(err)
	// Output:
	// token DCC, object dsc-2026, id 01, PIN from /run/secrets/pin
	// keystore: pkcs11: an inline PIN is not accepted: use pin-source=file:PATH
}

func ExampleGenerate() {
	dir, _ := os.MkdirTemp("", "keystore")
	defer os.RemoveAll(dir)
	key, err := keystore.Generate("file:"+filepath.Join(dir, "dsc.pem"), keystore.ES256)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer key.Close()
	digest := sha256.Sum256([]byte("payload"))
	sig, _ := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	fmt.Println(ecdsa.VerifyASN1(key.Public().(*ecdsa.PublicKey), digest[:], sig))
	// Output: true
}

func benchSign(b *testing.B, k crypto.Signer) {
	digest := sha256.Sum256([]byte("payload"))
	var opts crypto.SignerOpts = crypto.SHA256
	if _, ok := k.Public().(*rsa.PublicKey); ok {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
	}
	for b.Loop() {
		if _, err := k.Sign(rand.Reader, digest[:], opts); err != nil {
			b.Fatal(err)
		}
	}
}

// go test -run=^$ -bench=Sign ./keystore
func BenchmarkSignFile(b *testing.B) {
	dir := b.TempDir()
	for _, alg := range []keystore.Alg{keystore.ES256, keystore.PS256} {
		k, err := keystore.Generate("file:"+filepath.Join(dir, alg.String()+".pem"), alg)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(alg.String(), func(b *testing.B) { benchSign(b, k) })
	}
}
