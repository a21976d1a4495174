package hcert_test

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/asn1"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	"github.com/veraison/go-cose"

	"dcc/hcert"
	"dcc/pki"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.txt")

func TestSignRoundTrip(t *testing.T) {
	for _, c := range []struct {
		name string
		key  crypto.Signer
		alg  int
	}{
		{"ES256", ecKey(t, elliptic.P256()), hcert.ES256},
		{"PS256 RSA-2048", rsaKey(t, 2048), hcert.PS256},
		{"PS256 RSA-3072", rsaKey(t, 3072), hcert.PS256},
	} {
		t.Run(c.name, func(t *testing.T) {
			dsc := newDSC(t, c.key)
			p := payload(t, "v")
			msg, err := hcert.Sign(c.key, dsc, claims(), p)
			if err != nil {
				t.Fatal(err)
			}
			if msg[0] != 0xd2 {
				t.Errorf("message does not start with tag 18: %x", msg[:2])
			}
			u := mustParse(t, msg)
			if u.Alg != c.alg || !bytes.Equal(u.KID, pki.KID(dsc)) || u.KIDUnprotected {
				t.Errorf("alg %d kid %x (unprotected %v), want %d %x", u.Alg, u.KID, u.KIDUnprotected, c.alg, pki.KID(dsc))
			}
			if u.Claims != claims() {
				t.Errorf("claims %+v, want %+v", u.Claims, claims())
			}
			v, rep := u.Verify(list{dsc}, hcert.Options{At: now})
			if v == nil || !rep.OK() {
				t.Fatalf("verify: %+v", rep)
			}
			if !bytes.Equal(v.Payload, p) || v.Type != pki.Vaccination || v.DSC != dsc || v.Claims != claims() {
				t.Errorf("verified %+v", v)
			}
			if rep.Status(hcert.CheckChain) != hcert.Skipped {
				t.Errorf("chain should be skipped without CSCAs: %+v", rep)
			}
		})
	}
}

// TestGolden pins the deterministic layers: protected header, CWT and
// Sig_structure for a fixed DSC, claims and payload. ECDSA signatures are
// randomised, so the whole message is verified instead of compared.
func TestGolden(t *testing.T) {
	key, dsc := fixture(t)
	c := hcert.Claims{Issuer: "ES", IssuedAt: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), Expires: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	p := payload(t, "v")
	msg, err := hcert.Sign(key, dsc, c, p)
	if err != nil {
		t.Fatal(err)
	}
	var parts []cbor.RawMessage
	var tag cbor.RawTag
	if err := cbor.Unmarshal(msg, &tag); err != nil || tag.Number != 18 {
		t.Fatalf("tag %d: %v", tag.Number, err)
	}
	if err := cbor.Unmarshal(tag.Content, &parts); err != nil || len(parts) != 4 {
		t.Fatalf("%d parts: %v", len(parts), err)
	}
	var protected, payloadBytes []byte
	cbor.Unmarshal(parts[0], &protected)
	cbor.Unmarshal(parts[2], &payloadBytes)
	tbs, err := hcert.SigStructure(protected, payloadBytes)
	if err != nil {
		t.Fatal(err)
	}
	// Independent of the golden file: {1: -7, 4: h'<kid>'} in that order.
	if want := "a201260448" + hex.EncodeToString(pki.KID(dsc)); hex.EncodeToString(protected) != want {
		t.Errorf("protected header %x, want %s", protected, want)
	}
	if !bytes.Equal(parts[1], []byte{0xa0}) {
		t.Errorf("unprotected header %x, want an empty map", parts[1])
	}
	got := fmt.Sprintf("protected %x\ncwt %x\nsig_structure %x\n", protected, payloadBytes, tbs)
	if *update {
		if err := os.WriteFile("testdata/golden.txt", []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/golden.txt")
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("deterministic bytes changed:\ngot\n%swant\n%s", got, want)
	}
	if v, rep := mustParse(t, msg).Verify(list{dsc}, hcert.Options{At: c.IssuedAt.Add(time.Hour)}); v == nil {
		t.Errorf("golden message does not verify: %+v", rep)
	}
}

// The Sig_structure of RFC 9052 §4.4, spelled out byte by byte.
func TestSigStructure(t *testing.T) {
	got, err := hcert.SigStructure([]byte{0xa1, 0x01, 0x26}, []byte{0xa0})
	if err != nil {
		t.Fatal(err)
	}
	// 84 (array of 4), 6a "Signature1", 43 a10126, 40 (empty external_aad), 41 a0
	want, _ := hex.DecodeString("846a5369676e61747572653143a101264041a0")
	if !bytes.Equal(got, want) {
		t.Errorf("Sig_structure %x, want %x", got, want)
	}
}

func TestSignRefuses(t *testing.T) {
	ec := ecKey(t, elliptic.P256())
	dsc := newDSC(t, ec)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	longLived := claims()
	longLived.Expires = now.AddDate(5, 0, 0)
	early := claims()
	early.IssuedAt = now.AddDate(-2, 0, 0)
	noIss := claims()
	noIss.Issuer = ""
	backwards := claims()
	backwards.Expires = backwards.IssuedAt.Add(-time.Second)
	for _, c := range []struct {
		name    string
		key     crypto.Signer
		dsc     func() *x509Cert
		claims  hcert.Claims
		payload []byte
		want    string
	}{
		{"P-384", nil, keyDSC(t, ecKey(t, elliptic.P384())), claims(), payload(t, "v"), "P-384"},
		{"RSA-1024", nil, keyDSC(t, rsaKey(t, 1024)), claims(), payload(t, "v"), "1024 bits"},
		{"Ed25519", nil, keyDSC(t, edKey), claims(), payload(t, "v"), "not allowed"},
		{"signer is not the DSC's key", ecKey(t, elliptic.P256()), fixed(dsc), claims(), payload(t, "v"), "does not belong"},
		{"exp after the DSC", ec, fixed(dsc), longLived, payload(t, "v"), "not within the DSC"},
		{"iat before the DSC", ec, fixed(dsc), early, payload(t, "v"), "not within the DSC"},
		{"no issuer", ec, fixed(dsc), noIss, payload(t, "v"), "alpha-2"},
		{"exp before iat", ec, fixed(dsc), backwards, payload(t, "v"), "expiry"},
		{"payload not CBOR", ec, fixed(dsc), claims(), []byte{0xff}, "not a CBOR map"},
		{"payload not a map", ec, fixed(dsc), claims(), []byte{0x80}, "not a CBOR map"},
		{"payload of no type", ec, fixed(dsc), claims(), detEnc(t, map[string]any{"ver": "1.3.0"}), "exactly one of v"},
	} {
		d := c.dsc()
		key := c.key
		if key == nil {
			key = d.key
		}
		msg, err := hcert.Sign(key, d.cert, c.claims, c.payload)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %x, %v; want an error with %q", c.name, msg, err, c.want)
		}
	}
}

// Cross-check with an independent COSE implementation, both ways, for
// both algorithms.
func TestGoCOSE(t *testing.T) {
	for _, c := range []struct {
		name string
		key  crypto.Signer
		alg  cose.Algorithm
	}{
		{"ES256", ecKey(t, elliptic.P256()), cose.AlgorithmES256},
		{"PS256", rsaKey(t, 2048), cose.AlgorithmPS256},
	} {
		t.Run(c.name, func(t *testing.T) {
			dsc := newDSC(t, c.key)
			// We sign, go-cose verifies.
			msg, err := hcert.Sign(c.key, dsc, claims(), payload(t, "v"))
			if err != nil {
				t.Fatal(err)
			}
			var m cose.Sign1Message
			if err := m.UnmarshalCBOR(msg); err != nil {
				t.Fatal(err)
			}
			verifier, err := cose.NewVerifier(c.alg, c.key.Public())
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Verify(nil, verifier); err != nil {
				t.Errorf("go-cose does not verify our message: %v", err)
			}
			// A flipped payload bit must fail there too: the check can fail.
			m.Payload[len(m.Payload)-1] ^= 1
			if err := m.Verify(nil, verifier); err == nil {
				t.Error("go-cose verifies a tampered message")
			}

			// go-cose signs, we verify.
			signer, err := cose.NewSigner(c.alg, c.key)
			if err != nil {
				t.Fatal(err)
			}
			theirs := cose.NewSign1Message()
			theirs.Headers.Protected.SetAlgorithm(c.alg)
			theirs.Headers.Protected[cose.HeaderLabelKeyID] = pki.KID(dsc)
			theirs.Payload = cwt(t, "ES", now.Add(-time.Hour).Unix(), now.Add(time.Hour).Unix(), payload(t, "r"))
			if err := theirs.Sign(rand.Reader, nil, signer); err != nil {
				t.Fatal(err)
			}
			raw, err := theirs.MarshalCBOR()
			if err != nil {
				t.Fatal(err)
			}
			if v, rep := mustParse(t, raw).Verify(list{dsc}, hcert.Options{At: now}); v == nil || v.Type != pki.Recovery {
				t.Errorf("we do not verify go-cose's message: %+v", rep)
			}
			theirs.Signature[0] ^= 1
			raw, _ = theirs.MarshalCBOR()
			if v, rep := mustParse(t, raw).Verify(list{dsc}, hcert.Options{At: now}); v != nil || rep.Status(hcert.CheckSignature) != hcert.Fail {
				t.Errorf("we verify a tampered go-cose signature: %+v", rep)
			}
		})
	}
}

// SigStructure for go-cose's own message equals what go-cose signed: its
// signature verifies over our bytes with the plain ECDSA primitive.
func TestSigStructureMatchesGoCOSE(t *testing.T) {
	key := ecKey(t, elliptic.P256())
	signer, err := cose.NewSigner(cose.AlgorithmES256, key)
	if err != nil {
		t.Fatal(err)
	}
	m := cose.NewSign1Message()
	m.Headers.Protected.SetAlgorithm(cose.AlgorithmES256)
	m.Payload = []byte{0xa0}
	if err := m.Sign(rand.Reader, nil, signer); err != nil {
		t.Fatal(err)
	}
	protected, err := m.Headers.Protected.MarshalCBOR() // a bstr around the map
	if err != nil {
		t.Fatal(err)
	}
	var inner []byte
	if err := cbor.Unmarshal(protected, &inner); err != nil {
		t.Fatal(err)
	}
	tbs, err := hcert.SigStructure(inner, m.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if !verifyRaw(key, tbs, m.Signature) {
		t.Errorf("go-cose's signature does not cover our Sig_structure %x", tbs)
	}
}

// Sign never produces a certificate that the DSC's key usage forbids.
func TestSignRefusesExcludedType(t *testing.T) {
	key := ecKey(t, elliptic.P256())
	testOnly := newCert(t, key, certOpts{eku: []asn1.ObjectIdentifier{pki.OID(pki.Test)}})
	if _, err := hcert.Sign(key, testOnly, claims(), payload(t, "v")); err == nil || !strings.Contains(err.Error(), "does not allow vaccination") {
		t.Errorf("vaccination with a test-only DSC: %v", err)
	}
	if _, err := hcert.Sign(key, testOnly, claims(), payload(t, "t")); err != nil {
		t.Errorf("test with a test-only DSC: %v", err)
	}
}

// iss is the issuing country, ISO 3166-1 alpha-2 (HCERT §3.3.4).
func TestSignRefusesBadIssuer(t *testing.T) {
	key := ecKey(t, elliptic.P256())
	dsc := newDSC(t, key)
	for _, iss := range []string{"", "es", "ESP", "E1"} {
		c := claims()
		c.Issuer = iss
		if _, err := hcert.Sign(key, dsc, c, payload(t, "v")); err == nil || !strings.Contains(err.Error(), "alpha-2") {
			t.Errorf("iss %q: %v", iss, err)
		}
	}
}
