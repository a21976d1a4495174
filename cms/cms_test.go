package cms_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"dcc/cms"
)

var keyKinds = []string{"P-256", "P-384", "RSA-2048"}

func TestSignParseVerifyRoundTrip(t *testing.T) {
	content := []byte(`{"country":"DE","hashType":"UCI","entries":[{"hash":"AAAAAAAAAAAAAAAAAAAAAA=="}]}`)
	for _, kind := range keyKinds {
		for _, detached := range []bool{false, true} {
			for _, prot := range []bool{false, true} {
				name := fmt.Sprintf("%s/detached=%v/protection=%v", kind, detached, prot)
				t.Run(name, func(t *testing.T) {
					s := validSigner(t, kind)
					der := mustSign(t, content, s, cms.SignOptions{Detached: detached, AlgorithmProtection: prot})
					sd, err := cms.Parse(der)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(sd.Raw, der) {
						t.Error("Raw differs from DER input")
					}
					if detached != (sd.Content == nil) {
						t.Fatalf("detached=%v but Content=%q", detached, sd.Content)
					}
					var arg []byte
					if detached {
						arg = content
					} else if !bytes.Equal(sd.Content, content) {
						t.Fatalf("content %q, want %q", sd.Content, content)
					}
					cert, err := sd.Verify(arg)
					if err != nil {
						t.Fatal(err)
					}
					if !cert.Equal(s.cert) {
						t.Error("Verify returned another certificate")
					}
					si := sd.SignerInfos[0]
					if !si.SigningTime.Equal(t0) {
						t.Errorf("signing time %v, want %v", si.SigningTime, t0)
					}
					md := sha256.Sum256(content)
					if !bytes.Equal(si.MessageDigest, md[:]) {
						t.Error("messageDigest is not the SHA-256 of the content")
					}
					wantAttrs := 3
					if prot {
						wantAttrs = 4
					}
					if len(si.SignedAttrs) != wantAttrs || sd.Version != 1 || si.Version != 1 {
						t.Errorf("%d signed attributes, versions %d/%d", len(si.SignedAttrs), sd.Version, si.Version)
					}
					if !si.Identifies(s.cert) || si.SubjectKeyID != nil {
						t.Error("sid is not the certificate's issuerAndSerialNumber")
					}
					if len(sd.Certificates) != 1 || len(sd.SignerInfos) != 1 {
						t.Errorf("%d certificates, %d signers", len(sd.Certificates), len(sd.SignerInfos))
					}
				})
			}
		}
	}
}

func TestSignPSS(t *testing.T) {
	s := validSigner(t, "RSA-2048")
	der := mustSign(t, []byte("pss"), s, cms.SignOptions{PSS: true, AlgorithmProtection: true})
	sd, err := cms.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sd.Verify(nil); err != nil {
		t.Fatal(err)
	}
	if got := sd.SignerInfos[0].SignatureAlgorithm.Algorithm.String(); got != "1.2.840.113549.1.1.10" {
		t.Errorf("signatureAlgorithm %s, want RSASSA-PSS", got)
	}
	_, err = cms.Sign([]byte("x"), validSigner(t, "P-256").key, validSigner(t, "P-256").cert, cms.SignOptions{PSS: true, Now: clock})
	wantReason(t, err, cms.ReasonAlgorithm, "RSASSA-PSS needs an RSA key")
}

func TestSignEmptyContent(t *testing.T) {
	s := validSigner(t, "P-256")
	sd, err := cms.Parse(mustSign(t, nil, s, cms.SignOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	if sd.Content == nil || len(sd.Content) != 0 {
		t.Fatalf("content %v, want empty and embedded", sd.Content)
	}
	if _, err := sd.Verify(nil); err != nil {
		t.Fatal(err)
	}
}

func TestSignRefuses(t *testing.T) {
	s := validSigner(t, "P-256")
	other := validSigner(t, "P-384")
	_, err := cms.Sign([]byte("x"), other.key, s.cert, cms.SignOptions{Now: clock})
	wantReason(t, err, cms.ReasonSignerMismatch, "the key is not the certificate's")

	late := func() time.Time { return t0.Add(48 * time.Hour) }
	_, err = cms.Sign([]byte("x"), s.key, s.cert, cms.SignOptions{Now: late})
	wantReason(t, err, cms.ReasonSigningTime, "outside the certificate's validity")

	// Without a signing time nothing limits when it is made.
	der, err := cms.Sign([]byte("x"), s.key, s.cert, cms.SignOptions{Now: late, NoSigningTime: true})
	if err != nil {
		t.Fatal(err)
	}
	sd, err := cms.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if !sd.SignerInfos[0].SigningTime.IsZero() || len(sd.SignerInfos[0].SignedAttrs) != 2 {
		t.Fatalf("signing time %v, %d attributes", sd.SignerInfos[0].SigningTime, len(sd.SignerInfos[0].SignedAttrs))
	}
	if _, err := sd.Verify(nil); err != nil {
		t.Fatal(err)
	}
}

// TestSignedAttrsSortedDER checks that the [0] signed attributes are a DER
// SET OF: elements in ascending order of their encodings.
func TestSignedAttrsSortedDER(t *testing.T) {
	s := validSigner(t, "P-256")
	m := parts(t, mustSign(t, []byte("sorted"), s, cms.SignOptions{AlgorithmProtection: true}))
	attrs := m.signerInfo().kids[3]
	if attrs.tag != 0xa0 || len(attrs.kids) != 4 {
		t.Fatalf("signed attributes tag %#x, %d elements", attrs.tag, len(attrs.kids))
	}
	for i := 1; i < len(attrs.kids); i++ {
		if bytes.Compare(attrs.kids[i-1].der(), attrs.kids[i].der()) > 0 {
			t.Fatalf("signed attribute %d sorts after %d", i-1, i)
		}
	}
}

// TestVerifyUnsortedSignedAttrs: the signature is over the DER
// re-encoding, so attributes sent in another order still verify, as with
// BouncyCastle (SignerInformation.getEncodedSignedAttributes sorts them).
// OpenSSL differs here: it re-encodes them in the order they came.
func TestVerifyUnsortedSignedAttrs(t *testing.T) {
	s := validSigner(t, "P-256")
	m := parts(t, mustSign(t, []byte("order"), s, cms.SignOptions{}))
	a := m.signerInfo().kids[3].kids
	a[0], a[2] = a[2], a[0]
	sd, err := cms.Parse(m.root.der())
	if err != nil {
		t.Fatal(err)
	}
	if !sd.SignerInfos[0].SignedAttrs[0].Type.Equal(oidMessageDigest) && !sd.SignerInfos[0].SignedAttrs[0].Type.Equal(oidSigningTime) {
		t.Fatalf("attributes not reordered: first is %v", sd.SignerInfos[0].SignedAttrs[0].Type)
	}
	if _, err := sd.Verify(nil); err != nil {
		t.Fatal(err)
	}
}

func TestParseBER(t *testing.T) {
	content := bytes.Repeat([]byte("0123456789abcdef"), 700) // several segments
	s := validSigner(t, "P-256")
	for _, detached := range []bool{false, true} {
		der := mustSign(t, content, s, cms.SignOptions{Detached: detached, AlgorithmProtection: true})
		ber := tparse(t, der).ber(1000)
		if bytes.Equal(ber, der) || ber[1] != 0x80 {
			t.Fatal("the BER form is not indefinite-length")
		}
		sd, err := cms.Parse(ber)
		if err != nil {
			t.Fatalf("detached=%v: %v", detached, err)
		}
		if !bytes.Equal(sd.Raw, der) {
			t.Errorf("detached=%v: normalised DER differs from the DER that was signed", detached)
		}
		var arg []byte
		if detached {
			arg = content
		}
		if _, err := sd.Verify(arg); err != nil {
			t.Fatal(err)
		}
		if !detached && !bytes.Equal(sd.Content, content) {
			t.Error("content differs")
		}
	}
}

func TestDetach(t *testing.T) {
	content := []byte("a DSC's DER")
	s := validSigner(t, "P-256")
	attached := mustSign(t, content, s, cms.SignOptions{AlgorithmProtection: true})
	sd, err := cms.Parse(tparse(t, attached).ber(4))
	if err != nil {
		t.Fatal(err)
	}
	det := sd.Detach()
	dm, am := parts(t, det), parts(t, attached)
	if len(dm.encap().kids) != 1 || !bytes.Equal(dm.signerInfos().der(), am.signerInfos().der()) ||
		!bytes.Equal(dm.certs().der(), am.certs().der()) {
		t.Error("Detach changed more than the content")
	}
	sd2, err := cms.Parse(det)
	if err != nil {
		t.Fatal(err)
	}
	if sd2.Content != nil {
		t.Fatal("Detach kept the content")
	}
	if _, err := sd2.Verify(content); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sd2.Detach(), det) {
		t.Error("detaching a detached message changed it")
	}
}

func TestVerifyContentArgument(t *testing.T) {
	content := []byte("content")
	s := validSigner(t, "P-256")
	det, err := cms.Parse(mustSign(t, content, s, cms.SignOptions{Detached: true}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = det.Verify(nil)
	wantReason(t, err, cms.ReasonContent, "detached")
	_, err = det.Verify([]byte("other content"))
	wantReason(t, err, cms.ReasonDigest, "messageDigest")

	emb, err := cms.Parse(mustSign(t, content, s, cms.SignOptions{}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emb.Verify(content); err != nil {
		t.Fatalf("embedded content given again: %v", err)
	}
	_, err = emb.Verify([]byte("other"))
	wantReason(t, err, cms.ReasonContent, "differs")
}

// TestVerifyRefuses builds wrong messages from a good one and checks each
// fails for its own reason.
func TestVerifyRefuses(t *testing.T) {
	content := []byte("the signed content")
	s := validSigner(t, "P-256")
	other := newSigner(t, "P-256#2", t0.Add(-time.Hour), t0.Add(time.Hour), 99)
	good := mustSign(t, content, s, cms.SignOptions{AlgorithmProtection: true})
	if sd, err := cms.Parse(good); err != nil {
		t.Fatal(err)
	} else if _, err := sd.Verify(nil); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name      string
		change    func(m message)
		reason    cms.Reason
		fragments []string
	}{
		{"tampered content", func(m message) {
			m.encap().kids[1].kids[0].body[0] ^= 1
		}, cms.ReasonDigest, []string{"messageDigest", "not the digest of the content"}},
		{"tampered signing time", func(m message) {
			v := m.signedAttr(t, oidSigningTime)
			v.body[len(v.body)-2] ^= 1 // a second later or earlier
		}, cms.ReasonSignature, []string{"does not verify"}},
		{"wrong messageDigest", func(m message) {
			m.signedAttr(t, oidMessageDigest).body[5] ^= 0x80
		}, cms.ReasonDigest, []string{"messageDigest"}},
		{"contentType attribute not id-data", func(m message) {
			a := m.signedAttr(t, oidContentType)
			*a = *oidNode(t, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4})
		}, cms.ReasonContentType, []string{"signedAttrs: contentType"}},
		{"tampered signature", func(m message) {
			sig := m.signerInfo().kids[5].body
			sig[len(sig)-3] ^= 1
		}, cms.ReasonSignature, []string{"does not verify"}},
		{"two signers", func(m message) {
			si := m.signerInfos()
			si.kids = append(si.kids, si.kids[0])
		}, cms.ReasonSigners, []string{"2 signer infos, want exactly 1"}},
		{"no signer", func(m message) {
			m.signerInfos().kids = nil
		}, cms.ReasonSigners, []string{"0 signer infos"}},
		{"two certificates", func(m message) {
			c := m.certs()
			c.kids = append(c.kids, tparse(t, other.cert.Raw))
		}, cms.ReasonCertificates, []string{"2 certificates, want exactly 1"}},
		{"no certificate", func(m message) {
			sd := m.signedData()
			sd.kids = append(sd.kids[:3], sd.kids[4:]...)
		}, cms.ReasonCertificates, []string{"0 certificates"}},
		{"another certificate", func(m message) {
			m.certs().kids[0] = tparse(t, other.cert.Raw)
		}, cms.ReasonSignerMismatch, []string{"sid does not name the certificate"}},
		{"eContentType not id-data", func(m message) {
			m.encap().kids[0] = oidNode(t, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4})
		}, cms.ReasonContentType, []string{"eContentType is 1.2.840.113549.1.9.16.1.4, want id-data"}},
		{"digest SHA-1", func(m message) {
			m.signerInfo().kids[2] = &tnode{tag: 0x30, kids: []*tnode{oidNode(t, asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26})}}
		}, cms.ReasonAlgorithm, []string{"digestAlgorithm 1.3.14.3.2.26"}},
		{"signature algorithm not the protected one", func(m message) {
			// id-ecPublicKey verifies the same ECDSA signature; only
			// CMSAlgorithmProtection tells the difference.
			m.signerInfo().kids[4] = &tnode{tag: 0x30, kids: []*tnode{oidNode(t, asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1})}}
		}, cms.ReasonAttributes, []string{"CMSAlgorithmProtection names signature"}},
		{"unknown signature algorithm", func(m message) {
			m.signerInfo().kids[4] = &tnode{tag: 0x30, kids: []*tnode{oidNode(t, asn1.ObjectIdentifier{1, 3, 101, 112})}}
		}, cms.ReasonAttributes, []string{"CMSAlgorithmProtection"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := parts(t, bytes.Clone(good))
			c.change(m)
			sd, err := cms.Parse(m.root.der())
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			_, err = sd.Verify(nil)
			wantReason(t, err, c.reason, c.fragments...)
			if !errors.Is(err, &cms.Error{Reason: c.reason}) || cms.ReasonOf(err) != c.reason {
				t.Error("errors.Is / ReasonOf do not see the reason")
			}
		})
	}
}

// TestVerifyUnknownSignatureAlgorithm: without CMSAlgorithmProtection the
// algorithm itself is refused.
func TestVerifyUnknownSignatureAlgorithm(t *testing.T) {
	s := validSigner(t, "P-256")
	m := parts(t, mustSign(t, []byte("x"), s, cms.SignOptions{}))
	m.signerInfo().kids[4] = &tnode{tag: 0x30, kids: []*tnode{oidNode(t, asn1.ObjectIdentifier{1, 3, 101, 112})}}
	sd, err := cms.Parse(m.root.der())
	if err != nil {
		t.Fatal(err)
	}
	_, err = sd.Verify(nil)
	wantReason(t, err, cms.ReasonAlgorithm, "signatureAlgorithm 1.3.101.112")

	// An RSA algorithm for an ECDSA key.
	m.signerInfo().kids[4] = &tnode{tag: 0x30, kids: []*tnode{oidNode(t, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}), prim(0x05, nil)}}
	sd, err = cms.Parse(m.root.der())
	if err != nil {
		t.Fatal(err)
	}
	_, err = sd.Verify(nil)
	wantReason(t, err, cms.ReasonAlgorithm, "needs an RSA key")
}

// TestVerifySigningTimeOutsideValidity: a certificate with the same key,
// issuer and serial but a validity that ends before the signing time.
func TestVerifySigningTimeOutsideValidity(t *testing.T) {
	s := validSigner(t, "P-256")
	expired := newSigner(t, "P-256", t0.Add(-48*time.Hour), t0.Add(-time.Hour), 4711)
	future := newSigner(t, "P-256", t0.Add(time.Hour), t0.Add(48*time.Hour), 4711)
	good := mustSign(t, []byte("x"), s, cms.SignOptions{})
	for name, c := range map[string]signer{"expired": expired, "not yet valid": future} {
		m := parts(t, bytes.Clone(good))
		m.certs().kids[0] = tparse(t, c.cert.Raw)
		sd, err := cms.Parse(m.root.der())
		if err != nil {
			t.Fatal(err)
		}
		_, err = sd.Verify(nil)
		wantReason(t, err, cms.ReasonSigningTime, "signingTime 2024-03-15T12:00:00Z is outside the signer certificate's validity")
		t.Logf("%s: %v", name, err)
	}
}

// TestVerifyNoSignedAttrs: without signed attributes the signature is over
// the content's digest; the check still fails when the content changes.
func TestVerifyNoSignedAttrs(t *testing.T) {
	s := validSigner(t, "P-256")
	m := parts(t, mustSign(t, []byte("x"), s, cms.SignOptions{}))
	si := m.signerInfo()
	si.kids = append(si.kids[:3], si.kids[4:]...)
	sd, err := cms.Parse(m.root.der())
	if err != nil {
		t.Fatal(err)
	}
	if sd.SignerInfos[0].SignedAttrs != nil {
		t.Fatal("signed attributes still there")
	}
	_, err = sd.Verify(nil)
	wantReason(t, err, cms.ReasonSignature, "does not verify")
}

func TestParseRefusesAttributes(t *testing.T) {
	s := validSigner(t, "P-256")
	good := mustSign(t, []byte("x"), s, cms.SignOptions{})
	cases := map[string]func(m message){
		"repeated messageDigest": func(m message) {
			a := m.signerInfo().kids[3]
			for _, k := range a.kids {
				if string(k.kids[0].der()) == string(oidNode(t, oidMessageDigest).der()) {
					a.kids = append(a.kids, k)
					return
				}
			}
		},
		"two signing time values": func(m message) {
			v := m.signedAttr(t, oidSigningTime)
			for _, a := range m.signerInfo().kids[3].kids {
				if a.kids[1].kids[0] == v {
					a.kids[1].kids = append(a.kids[1].kids, v)
				}
			}
		},
		"signing time not a time": func(m message) {
			*m.signedAttr(t, oidSigningTime) = *prim(0x04, []byte("2024"))
		},
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			m := parts(t, bytes.Clone(good))
			change(m)
			_, err := cms.Parse(m.root.der())
			wantReason(t, err, cms.ReasonAttributes, "signedAttrs")
		})
	}
}

func TestParseRefusesMalformed(t *testing.T) {
	s := validSigner(t, "P-256")
	good := mustSign(t, []byte("the content"), s, cms.SignOptions{})
	ber := tparse(t, good).ber(3)
	for i := range len(good) {
		if _, err := cms.Parse(good[:i]); cms.ReasonOf(err) != cms.ReasonMalformed {
			t.Fatalf("DER cut to %d bytes: %v", i, err)
		}
	}
	for i := range len(ber) {
		if _, err := cms.Parse(ber[:i]); cms.ReasonOf(err) != cms.ReasonMalformed {
			t.Fatalf("BER cut to %d bytes: %v", i, err)
		}
	}
	cases := map[string]struct {
		in   []byte
		frag string
	}{
		"empty":                {nil, "empty input"},
		"trailing garbage":     {append(bytes.Clone(good), 0x00), "1 byte(s) after the end of the structure"},
		"trailing element":     {append(bytes.Clone(good), 0x05, 0x00), "2 byte(s) after the end"},
		"BER trailing garbage": {append(bytes.Clone(ber), 0x30), "after the end"},
		"BER unterminated":     {ber[:len(ber)-2], "without end-of-contents octets"},
		"not a SignedData":     {[]byte{0x30, 0x03, 0x02, 0x01, 0x01}, "ContentInfo has 1 elements"},
		"data, not signedData": {(&tnode{tag: 0x30, kids: []*tnode{
			oidNode(t, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}),
			{tag: 0xa0, kids: []*tnode{prim(0x04, nil)}},
		}}).der(), "ContentInfo.contentType is 1.2.840.113549.1.7.1, want signedData"},
		"primitive indefinite":   {[]byte{0x04, 0x80, 0x00, 0x00}, "indefinite length on a primitive element"},
		"end-of-contents inside": {[]byte{0x30, 0x02, 0x00, 0x00}, "end-of-contents octets where an element is expected"},
		"nested too deep":        {nest(cms.MaxDepth + 1), "nested deeper than 64"},
		"too long":               {make([]byte, cms.MaxSize+1), "over the 16777216-byte limit"},
		"too many elements":      {manyNulls(cms.MaxElements), "more than 262144 elements"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := cms.Parse(c.in)
			wantReason(t, err, cms.ReasonMalformed, c.frag)
		})
	}
}

// nest is depth SEQUENCEs inside one another, indefinite-length.
func nest(depth int) []byte {
	var b []byte
	for range depth {
		b = append([]byte{0x30, 0x80}, append(b, 0, 0)...)
	}
	return append([]byte{0x30, 0x80}, append(b, 0, 0)...)
}

// manyNulls is a SEQUENCE of n NULLs: n+1 elements.
func manyNulls(n int) []byte {
	return append([]byte{0x30, 0x83, byte(2 * n >> 16), byte(2 * n >> 8), byte(2 * n)}, bytes.Repeat([]byte{0x05, 0x00}, n)...)
}

func TestBase64(t *testing.T) {
	s := validSigner(t, "P-256")
	der := mustSign(t, []byte("x"), s, cms.SignOptions{})
	b64 := cms.EncodeBase64(der)
	if strings.ContainsAny(b64, "\r\n") || !strings.HasPrefix(b64, "MI") {
		t.Fatalf("wire form %q", b64[:10])
	}
	sd, err := cms.ParseBase64(b64)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sd.Raw, der) {
		t.Error("base64 round trip changed the message")
	}
	wrapped := b64[:64] + "\r\n" + b64[64:]
	_, err = cms.ParseBase64(wrapped)
	wantReason(t, err, cms.ReasonMalformed, "base64: a line break at character 64")
	_, err = cms.DecodeBase64(strings.ReplaceAll(b64, "+", "-"))
	if strings.Contains(b64, "+") {
		wantReason(t, err, cms.ReasonMalformed, "base64")
	}
	_, err = cms.DecodeBase64(b64[:len(b64)-1])
	wantReason(t, err, cms.ReasonMalformed, "base64")
}

func TestErrorText(t *testing.T) {
	err := &cms.Error{Reason: cms.ReasonSigners, Msg: "2 signer infos, want exactly 1"}
	if got := err.Error(); got != "cms: 2 signer infos, want exactly 1" {
		t.Errorf("Error() = %q", got)
	}
	wrapped := fmt.Errorf("upload: %w", err)
	if !errors.Is(wrapped, &cms.Error{Reason: cms.ReasonSigners}) || errors.Is(wrapped, &cms.Error{Reason: cms.ReasonDigest}) {
		t.Error("errors.Is does not match on the reason")
	}
	if cms.ReasonOf(wrapped) != cms.ReasonSigners || cms.ReasonOf(errors.New("x")) != "" {
		t.Error("ReasonOf")
	}
}
