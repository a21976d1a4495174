package hcert_test

import (
	"crypto/elliptic"
	"os"
	"testing"

	"dcc"
	"dcc/hc1"
	"dcc/hcert"
)

// BenchmarkSignES256 signs a DCC payload of about 300 bytes: CWT, ES256
// signature and the verification of that signature before returning.
func BenchmarkSignES256(b *testing.B) {
	key := ecKey(b, elliptic.P256())
	dsc := newDSC(b, key)
	p := bigPayload(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		if _, err := hcert.Sign(key, dsc, claims(), p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyES256 is a verifier's work on the COSE bytes: Parse and
// every check of Verify.
func BenchmarkVerifyES256(b *testing.B) {
	key := ecKey(b, elliptic.P256())
	dsc := newDSC(b, key)
	p := bigPayload(b)
	msg, err := hcert.Sign(key, dsc, claims(), p)
	if err != nil {
		b.Fatal(err)
	}
	tl := list{dsc}
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		u, err := hcert.Parse(msg)
		if err != nil {
			b.Fatal(err)
		}
		if v, rep := u.Verify(tl, hcert.Options{At: now}); v == nil {
			b.Fatalf("not verified: %+v", rep)
		}
	}
}

// bigPayload is a realistic vaccination payload of about 300 bytes.
func bigPayload(b testing.TB) []byte {
	p := detEnc(b, map[string]any{
		"ver": "1.3.0", "dob": "1964-08-12",
		"nam": map[string]any{"fn": "García Martínez", "fnt": "GARCIA<MARTINEZ", "gn": "María José", "gnt": "MARIA<JOSE"},
		"v": []any{map[string]any{
			"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215",
			"dn": 3, "sd": 3, "dt": "2021-12-01", "co": "ES", "is": "Ministerio de Sanidad",
			"ci": "URN:UVCI:01:ES:5CWLU12RNOB9RXSEOP6FG8#W",
		}},
	})
	if len(p) < 250 || len(p) > 350 {
		b.Fatalf("payload of %d bytes, want about 300", len(p))
	}
	return p
}

// BenchmarkSignEncodeES256 is issuance after validation: CWT, ES256
// signature (and its verification), zlib and Base45, for the project's
// vaccination test payload.
func BenchmarkSignEncodeES256(b *testing.B) {
	key := ecKey(b, elliptic.P256())
	dsc := newDSC(b, key)
	p := projectPayload(b)
	var enc hc1.Encoder // an issuing service keeps one: it reuses the compressor
	b.ReportAllocs()
	for b.Loop() {
		msg, err := hcert.Sign(key, dsc, claims(), p)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := enc.Encode(msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeVerifyES256 is a verifier's work on an HC1 string:
// Base45, inflate, COSE/CWT parsing and every verification check.
func BenchmarkDecodeVerifyES256(b *testing.B) {
	key := ecKey(b, elliptic.P256())
	dsc := newDSC(b, key)
	msg, err := hcert.Sign(key, dsc, claims(), projectPayload(b))
	if err != nil {
		b.Fatal(err)
	}
	text, err := hc1.Encode(msg)
	if err != nil {
		b.Fatal(err)
	}
	tl := list{dsc}
	b.ReportAllocs()
	for b.Loop() {
		cose, err := hc1.Decode(text)
		if err != nil {
			b.Fatal(err)
		}
		u, err := hcert.Parse(cose)
		if err != nil {
			b.Fatal(err)
		}
		if v, rep := u.Verify(tl, hcert.Options{At: now}); v == nil {
			b.Fatalf("not verified: %+v", rep)
		}
	}
}

// projectPayload is the CBOR of the project's vaccination test payload.
func projectPayload(b testing.TB) []byte {
	data, err := os.ReadFile("../testdata/vaccination.json")
	if err != nil {
		b.Skipf("project test payload: %v", err)
	}
	var p dcc.Payload
	if err := p.UnmarshalJSON(data); err != nil {
		b.Fatal(err)
	}
	c, err := p.MarshalCBOR()
	if err != nil {
		b.Fatal(err)
	}
	return c
}
