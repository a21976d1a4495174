package cms_test

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dcc/cms"
)

// The cross-checks run the real openssl binary, both ways: what `openssl
// cms -sign` writes (DER, BER with -stream, PEM) this package must accept,
// and what Sign writes `openssl cms -verify` must accept.

func needOpenSSL(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl is not installed: skipping the OpenSSL cross-check")
	}
	return p
}

func run(t *testing.T, args ...string) (stdout, stderr []byte, err error) {
	t.Helper()
	cmd := exec.Command(needOpenSSL(t), args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.Bytes(), e.Bytes(), err
}

func mustRun(t *testing.T, args ...string) []byte {
	t.Helper()
	out, stderr, err := run(t, args...)
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return out
}

// files writes s's certificate and key as PEM and returns their paths.
func (s signer) files(t testing.TB, dir, name string) (cert, key string) {
	t.Helper()
	k, err := x509.MarshalPKCS8PrivateKey(s.key)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	write(t, cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.cert.Raw}))
	write(t, key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k}))
	return cert, key
}

func write(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// nowSigner is a signer valid around the real clock, which openssl signs at.
func nowSigner(t testing.TB, kind string, serial int64) signer {
	now := time.Now()
	return newSigner(t, kind, now.Add(-time.Hour), now.Add(time.Hour), serial)
}

func randomContent(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOpenSSLSignedAccepted: messages from `openssl cms -sign` parse and
// verify, with the content they signed.
func TestOpenSSLSignedAccepted(t *testing.T) {
	needOpenSSL(t)
	dir := t.TempDir()
	content := randomContent(t, 10000) // three 4096-byte segments with -stream
	data := filepath.Join(dir, "data")
	write(t, data, content)
	out := filepath.Join(dir, "out")
	type form struct {
		name string
		args []string
	}
	forms := []form{
		{"embedded DER", []string{"-nodetach", "-outform", "DER"}},
		{"embedded BER stream", []string{"-nodetach", "-outform", "DER", "-stream"}},
		{"embedded PEM", []string{"-nodetach", "-outform", "PEM"}},
		{"detached DER", []string{"-outform", "DER"}},
		{"embedded SHA-384", []string{"-nodetach", "-outform", "DER", "-md", "sha384"}},
		{"embedded no attributes", []string{"-nodetach", "-outform", "DER", "-noattr"}},
		{"embedded subject key id", []string{"-nodetach", "-outform", "DER", "-keyid"}},
	}
	for _, kind := range []string{"P-256", "P-384", "RSA-2048", "RSA-PSS"} {
		keyKind, extra := kind, []string(nil)
		if kind == "RSA-PSS" {
			keyKind, extra = "RSA-2048", []string{"-keyopt", "rsa_padding_mode:pss"}
		}
		s := nowSigner(t, keyKind, 1)
		cert, key := s.files(t, dir, kind)
		for _, f := range forms {
			t.Run(kind+"/"+f.name, func(t *testing.T) {
				if kind == "RSA-PSS" && strings.Contains(f.name, "stream") {
					t.Skip("OpenSSL 3.0 cannot stream with RSA-PSS (illegal zero content)")
				}
				args := append([]string{"cms", "-sign", "-binary", "-in", data, "-signer", cert, "-inkey", key, "-out", out}, f.args...)
				mustRun(t, append(args, extra...)...)
				raw, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(f.name, "PEM") {
					blk, rest := pem.Decode(raw)
					if blk == nil || len(bytes.TrimSpace(rest)) > 0 {
						t.Fatal("openssl wrote no single PEM block")
					}
					// The gateway's base64 has no line breaks: the PEM
					// body as it is is refused, joined up it is read.
					body := string(raw[bytes.IndexByte(raw, '\n')+1 : bytes.LastIndex(raw, []byte("-----END"))])
					if _, err := cms.ParseBase64(body); cms.ReasonOf(err) != cms.ReasonMalformed {
						t.Fatalf("base64 with line breaks: %v", err)
					}
					if _, err := cms.ParseBase64(strings.ReplaceAll(body, "\n", "")); err != nil {
						t.Fatal(err)
					}
					raw = blk.Bytes
				}
				if strings.Contains(f.name, "stream") {
					// -stream writes indefinite lengths and eContent in segments.
					if raw[1] != 0x80 || !bytes.Contains(raw, []byte{0x24, 0x80, 0x04, 0x82, 0x10, 0x00}) {
						t.Fatalf("openssl -stream output is not BER in segments: % x", raw[:20])
					}
				}
				sd, err := cms.Parse(raw)
				if err != nil {
					t.Fatal(err)
				}
				var arg []byte
				if strings.Contains(f.name, "detached") {
					if sd.Content != nil {
						t.Fatal("detached message has content")
					}
					arg = content
					_, err := sd.Verify(nil)
					wantReason(t, err, cms.ReasonContent)
					_, err = sd.Verify(content[1:])
					wantReason(t, err, cms.ReasonDigest)
				} else if !bytes.Equal(sd.Content, content) {
					t.Fatal("content differs from what openssl signed")
				}
				got, err := sd.Verify(arg)
				if err != nil {
					t.Fatal(err)
				}
				if !got.Equal(s.cert) {
					t.Error("another signer certificate")
				}
				if si := sd.SignerInfos[0]; strings.Contains(f.name, "key id") != (si.SubjectKeyID != nil && si.Version == 3) {
					t.Errorf("sid: version %d, subject key id %x", si.Version, si.SubjectKeyID)
				}
				if strings.Contains(f.name, "no attributes") != (sd.SignerInfos[0].SignedAttrs == nil) {
					t.Errorf("signed attributes: %d", len(sd.SignerInfos[0].SignedAttrs))
				}
			})
		}
	}
}

// TestOpenSSLSignedRefused: openssl-made messages the gateway refuses.
func TestOpenSSLSignedRefused(t *testing.T) {
	needOpenSSL(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	write(t, data, []byte("content"))
	a := nowSigner(t, "P-256", 1)
	b := nowSigner(t, "RSA-2048", 2)
	ac, ak := a.files(t, dir, "a")
	bc, bk := b.files(t, dir, "b")
	expired := newSigner(t, "P-256", time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour), 3)
	ec, ek := expired.files(t, dir, "expired")
	base := []string{"cms", "-sign", "-binary", "-nodetach", "-outform", "DER", "-in", data}
	cases := []struct {
		name   string
		args   []string
		reason cms.Reason
		frag   string
	}{
		{"two signers, one certificate", []string{"-signer", ac, "-inkey", ak, "-signer", bc, "-inkey", bk, "-nocerts", "-certfile", ac},
			cms.ReasonSigners, "2 signer infos, want exactly 1"},
		{"two signers and certificates", []string{"-signer", ac, "-inkey", ak, "-signer", bc, "-inkey", bk},
			cms.ReasonCertificates, "2 certificates, want exactly 1"},
		{"no certificate", []string{"-signer", ac, "-inkey", ak, "-nocerts"},
			cms.ReasonCertificates, "0 certificates"},
		{"extra certificate", []string{"-signer", ac, "-inkey", ak, "-certfile", bc},
			cms.ReasonCertificates, "2 certificates"},
		{"signed after the certificate expired", []string{"-signer", ec, "-inkey", ek},
			cms.ReasonSigningTime, "outside the signer certificate's validity"},
		{"another eContentType", []string{"-signer", ac, "-inkey", ak, "-econtent_type", "1.2.840.113549.1.9.16.1.4"},
			cms.ReasonContentType, "eContentType is 1.2.840.113549.1.9.16.1.4"},
		{"SHA-1 digest", []string{"-signer", ac, "-inkey", ak, "-md", "sha1"},
			cms.ReasonAlgorithm, "digestAlgorithm 1.3.14.3.2.26"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := mustRun(t, append(append([]string{}, base...), c.args...)...)
			sd, err := cms.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			_, err = sd.Verify(nil)
			wantReason(t, err, c.reason, c.frag)
		})
	}
}

// opensslVerify runs `openssl cms -verify` on a DER message and returns
// the content it writes out, failing unless it reports success.
func opensslVerify(t *testing.T, dir string, msg, detached []byte) []byte {
	t.Helper()
	in, out := filepath.Join(dir, "msg.der"), filepath.Join(dir, "verified")
	write(t, in, msg)
	args := []string{"cms", "-verify", "-binary", "-inform", "DER", "-noverify", "-in", in, "-out", out}
	if detached != nil {
		c := filepath.Join(dir, "content")
		write(t, c, detached)
		args = append(args, "-content", c)
	}
	_, stderr, err := run(t, args...)
	if err != nil || !bytes.Contains(stderr, []byte("Verification successful")) {
		t.Fatalf("openssl cms -verify: %v\n%s", err, stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestSignedAcceptedByOpenSSL: what Sign writes, `openssl cms -verify`
// verifies, with the same content out.
func TestSignedAcceptedByOpenSSL(t *testing.T) {
	needOpenSSL(t)
	dir := t.TempDir()
	content := randomContent(t, 3000)
	type variant struct {
		kind string
		opts cms.SignOptions
	}
	var variants []variant
	for _, kind := range keyKinds {
		variants = append(variants, variant{kind, cms.SignOptions{}}, variant{kind, cms.SignOptions{AlgorithmProtection: true}})
	}
	variants = append(variants, variant{"RSA-2048", cms.SignOptions{PSS: true, AlgorithmProtection: true}},
		variant{"P-256", cms.SignOptions{NoSigningTime: true}})
	for _, v := range variants {
		s := nowSigner(t, v.kind, 7)
		for _, detached := range []bool{false, true} {
			opts := v.opts
			opts.Detached = detached
			der, err := cms.Sign(content, s.key, s.cert, opts)
			if err != nil {
				t.Fatal(err)
			}
			var arg []byte
			if detached {
				arg = content
			}
			if got := opensslVerify(t, dir, der, arg); !bytes.Equal(got, content) {
				t.Fatalf("%s %+v: openssl wrote other content", v.kind, opts)
			}
			// The same message in BER with segments, as a streaming
			// encoder writes it: OpenSSL reads it too. The SignerInfos
			// stay DER: OpenSSL checks the signature over the signed
			// attributes' values as they came, so BER inside them fails
			// there (this package, like BouncyCastle, re-encodes them
			// as DER; TestParseBER).
			m := parts(t, der)
			m.signerInfos().keepDER = true
			if got := opensslVerify(t, dir, m.root.ber(512), arg); !bytes.Equal(got, content) {
				t.Fatalf("%s %+v BER: openssl wrote other content", v.kind, opts)
			}
		}
	}
}

// TestOpenSSLCrossChecks: Detach's output verifies with OpenSSL, and a
// tampered message OpenSSL refuses too.
func TestOpenSSLCrossChecks(t *testing.T) {
	needOpenSSL(t)
	dir := t.TempDir()
	content := []byte("a certificate's DER, say")
	s := nowSigner(t, "P-256", 9)
	der, err := cms.Sign(content, s.key, s.cert, cms.SignOptions{AlgorithmProtection: true})
	if err != nil {
		t.Fatal(err)
	}
	sd, err := cms.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if got := opensslVerify(t, dir, sd.Detach(), content); !bytes.Equal(got, content) {
		t.Fatal("detached: other content")
	}

	m := parts(t, bytes.Clone(der))
	m.encap().kids[1].kids[0].body[0] ^= 1
	in := filepath.Join(dir, "tampered.der")
	write(t, in, m.root.der())
	if _, stderr, err := run(t, "cms", "-verify", "-binary", "-inform", "DER", "-noverify", "-in", in, "-out", filepath.Join(dir, "x")); err == nil {
		t.Fatalf("openssl accepted tampered content:\n%s", stderr)
	}
	sd, err = cms.Parse(m.root.der())
	if err != nil {
		t.Fatal(err)
	}
	_, err = sd.Verify(nil)
	wantReason(t, err, cms.ReasonDigest)
}
