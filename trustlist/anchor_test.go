package trustlist_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"dcc/internal/gwtest"
	"dcc/pki"
	"dcc/trustlist"
)

func newAnchor(t testing.TB, key crypto.Signer) *gwtest.Anchor {
	t.Helper()
	a, err := gwtest.NewAnchor(key, now)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func ecKey() crypto.Signer { k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader); return k }

// anchorSign is the CMS SignedData of content by a, detached unless attached.
func anchorSign(t testing.TB, a *gwtest.Anchor, content []byte, attached bool) string {
	t.Helper()
	sig, err := a.Sign(content, attached)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func rawOf(t testing.TB, e trustlist.Entry) []byte {
	raw, err := base64.StdEncoding.DecodeString(e.RawData)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// signAll signs every DSC and CSCA entry with a.
func signAll(t testing.TB, a *gwtest.Anchor) func(es []trustlist.Entry) {
	return func(es []trustlist.Entry) {
		if err := a.SignEntries(es); err != nil {
			t.Fatal(err)
		}
	}
}

func TestParseGatewaySigned(t *testing.T) {
	ta := newAnchor(t, ecKey())
	other := newAnchor(t, ecKey()) // same subject, another key
	es, de := newCountry(t, "ES", 2), newCountry(t, "DE", 1)
	anchors := []*x509.Certificate{ta.Cert}

	l, err := trustlist.ParseGatewaySigned(gatewayJSON(t, signAll(t, ta), es, de), anchors)
	if err != nil {
		t.Fatal(err)
	}
	if d, c := l.Len(); d != 3 || c != 2 {
		t.Errorf("%d DSCs, %d CSCAs; want 3, 2", d, c)
	}
	// The content may also be attached, if it is the certificate.
	attached := func(es []trustlist.Entry) {
		signAll(t, ta)(es)
		es[1].Signature = anchorSign(t, ta, rawOf(t, es[1]), true)
	}
	if _, err := trustlist.ParseGatewaySigned(gatewayJSON(t, attached, es), anchors); err != nil {
		t.Errorf("attached content: %v", err)
	}
	// Several anchors: either may have signed.
	if _, err := trustlist.ParseGatewaySigned(gatewayJSON(t, signAll(t, ta), es), []*x509.Certificate{other.Cert, ta.Cert}); err != nil {
		t.Errorf("second of two anchors: %v", err)
	}

	for _, tt := range []struct {
		name string
		edit func(es []trustlist.Entry)
	}{
		{"no signature", func(es []trustlist.Entry) { es[1].Signature = "" }},
		{"signed by another key", func(es []trustlist.Entry) { es[1].Signature = anchorSign(t, other, rawOf(t, es[1]), false) }},
		{"another entry's signature", func(es []trustlist.Entry) { es[1].Signature = es[2].Signature }},
		{"attached other content", func(es []trustlist.Entry) { es[1].Signature = anchorSign(t, ta, rawOf(t, es[2]), true) }},
		{"not base64", func(es []trustlist.Entry) { es[1].Signature = "%%%" }},
		{"not CMS", func(es []trustlist.Entry) { es[1].Signature = base64.StdEncoding.EncodeToString([]byte("not CMS")) }},
	} {
		edit := func(es []trustlist.Entry) { signAll(t, ta)(es); tt.edit(es) }
		data := gatewayJSON(t, edit, es)
		_, err := trustlist.ParseGatewaySigned(data, anchors)
		var ee *trustlist.EntryError
		if !errors.As(err, &ee) || ee.Index != 1 || !errors.Is(err, trustlist.ErrAnchorSignature) {
			t.Errorf("%s: %v; want ErrAnchorSignature for entry 1", tt.name, err)
		}
		// Unchecked, the same list is accepted: the signature is the only difference.
		if _, err := trustlist.ParseGateway(data); err != nil {
			t.Errorf("%s: ParseGateway: %v", tt.name, err)
		}
	}
	if _, err := trustlist.ParseGatewaySigned(gatewayJSON(t, signAll(t, ta), es), nil); err == nil {
		t.Error("no anchors: accepted")
	}

	// Read checks the signatures when given anchors.
	path := filepath.Join(t.TempDir(), "trustlist.json")
	os.WriteFile(path, gatewayJSON(t, signAll(t, other), es), 0o600)
	if _, err := trustlist.Read(path, anchors); !errors.Is(err, trustlist.ErrAnchorSignature) {
		t.Errorf("Read with anchors, signed by another: %v", err)
	}
	if _, err := trustlist.Read(path, nil); err != nil {
		t.Errorf("Read without anchors: %v", err)
	}
}

// Signatures made by OpenSSL, another CMS implementation (as the gateway's
// is), with an EC and an RSA trust anchor.
func TestParseGatewaySignedOpenSSL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed (Debian openssl): the cross-check needs it")
	}
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	for name, key := range map[string]crypto.Signer{"ec": ecKey(), "rsa": rk} {
		t.Run(name, func(t *testing.T) {
			ta := newAnchor(t, key)
			dir := t.TempDir()
			pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
			os.WriteFile(filepath.Join(dir, "ta.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600)
			os.WriteFile(filepath.Join(dir, "ta.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ta.Cert.Raw}), 0o600)
			sign := func(es []trustlist.Entry) {
				for i := range es {
					if es[i].CertificateType != trustlist.TypeDSC && es[i].CertificateType != trustlist.TypeCSCA {
						continue
					}
					in := filepath.Join(dir, "cert.der")
					os.WriteFile(in, rawOf(t, es[i]), 0o600)
					out, err := exec.Command(openssl, "cms", "-sign", "-binary", "-in", in, "-signer", filepath.Join(dir, "ta.pem"),
						"-inkey", filepath.Join(dir, "ta.key"), "-md", "sha256", "-outform", "DER").Output()
					if err != nil {
						t.Fatalf("openssl cms -sign: %v", err)
					}
					es[i].Signature = base64.StdEncoding.EncodeToString(out)
				}
			}
			es := newCountry(t, "FR", 2)
			if _, err := trustlist.ParseGatewaySigned(gatewayJSON(t, sign, es), []*x509.Certificate{ta.Cert}); err != nil {
				t.Errorf("signed by openssl: %v", err)
			}
			other := newAnchor(t, ecKey())
			if _, err := trustlist.ParseGatewaySigned(gatewayJSON(t, sign, es), []*x509.Certificate{other.Cert}); !errors.Is(err, trustlist.ErrAnchorSignature) {
				t.Errorf("signed by openssl, checked against another anchor: %v", err)
			}
		})
	}
}

// A hostile signature (the CMS parser reads BER) fails, never panics.
func FuzzAnchorSignature(f *testing.F) {
	ta := newAnchor(f, ecKey())
	es := newCountry(f, "ES", 1)
	var entries []trustlist.Entry
	if err := json.Unmarshal(gatewayJSON(f, signAll(f, ta), es), &entries); err != nil {
		f.Fatal(err)
	}
	good, _ := base64.StdEncoding.DecodeString(entries[1].Signature)
	f.Add(good)
	f.Add([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80})
	f.Fuzz(func(t *testing.T, sig []byte) {
		es := slices.Clone(entries)
		es[1].Signature = base64.StdEncoding.EncodeToString(sig)
		data, _ := json.Marshal(es)
		_, _ = trustlist.ParseGatewaySigned(data, []*x509.Certificate{ta.Cert})
	})
}

// The gateway serves each DSC entry with the signature its country made
// with an UPLOAD key (gateway.md §A.4, §B.1): such an entry is accepted
// when the list holds that UPLOAD certificate under the anchor's
// signature, and refused when the UPLOAD certificate is unvouched or of
// another country.
func TestParseGatewaySignedDSCByUpload(t *testing.T) {
	ta := newAnchor(t, ecKey())
	es := newCountry(t, "ES", 2)
	upload := func(cc string) *gwtest.Anchor {
		k := ecKey()
		c, err := pki.NewCSCA(k, pki.CSCAOptions{Country: cc, CommonName: cc + " upload", Now: now.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return &gwtest.Anchor{Cert: c, Key: k}
	}
	esUp, deUp := upload("ES"), upload("DE")
	list := func(dscSigner *gwtest.Anchor) []byte {
		return gatewayJSON(t, func(es []trustlist.Entry) {
			signAll(t, ta)(es)
			for i := range es {
				if es[i].CertificateType == trustlist.TypeDSC {
					es[i].Signature = anchorSign(t, dscSigner, rawOf(t, es[i]), false)
				}
			}
		}, es)
	}
	withUploads := func(data []byte, vouch map[*gwtest.Anchor]*gwtest.Anchor) []byte {
		var es []trustlist.Entry
		if err := json.Unmarshal(data, &es); err != nil {
			t.Fatal(err)
		}
		for up, by := range vouch {
			e := trustlist.EntryFor(up.Cert, trustlist.TypeUpload, now)
			e.Signature = anchorSign(t, by, up.Cert.Raw, false)
			es = append(es, e)
		}
		b, _ := json.Marshal(es)
		return b
	}
	anchors := []*x509.Certificate{ta.Cert}

	l, err := trustlist.ParseGatewaySigned(withUploads(list(esUp), map[*gwtest.Anchor]*gwtest.Anchor{esUp: ta}), anchors)
	if err != nil {
		t.Fatalf("DSC entries signed by ES's vouched UPLOAD certificate: %v", err)
	}
	if d, c := l.Len(); d != 2 || c != 1 {
		t.Errorf("%d DSCs, %d CSCAs; want 2, 1", d, c)
	}
	for name, data := range map[string][]byte{
		"UPLOAD certificate not in the list":  list(esUp),
		"UPLOAD certificate signed by itself": withUploads(list(esUp), map[*gwtest.Anchor]*gwtest.Anchor{esUp: esUp}),
		"signed by another country's UPLOAD":  withUploads(list(deUp), map[*gwtest.Anchor]*gwtest.Anchor{esUp: ta, deUp: ta}),
	} {
		if _, err := trustlist.ParseGatewaySigned(data, anchors); !errors.Is(err, trustlist.ErrAnchorSignature) {
			t.Errorf("%s: %v; want ErrAnchorSignature", name, err)
		}
	}
}
