package verify_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"dcc"
	"dcc/hc1"
	"dcc/hcert"
	"dcc/pki"
	"dcc/revocation"
	"dcc/rules"
	"dcc/trustlist"
	"dcc/verify"
)

// signedVaccination returns an HC1 string of testdata/vaccination.json
// signed now by a fresh DSC, and a trust list holding it.
func signedVaccination(b testing.TB) (string, *trustlist.List) {
	b.Helper()
	js, err := os.ReadFile("../testdata/vaccination.json")
	if err != nil {
		b.Fatal(err)
	}
	var p dcc.Payload
	if err := p.UnmarshalJSON(js); err != nil {
		b.Fatal(err)
	}
	cb, err := p.MarshalCBOR()
	if err != nil {
		b.Fatal(err)
	}
	return signedPayload(b, cb, time.Now())
}

// signedPayload signs a CBOR payload at iat by a fresh DSC of ES, valid
// until a day from now, and returns the HC1 string and a trust list holding
// the DSC and its CSCA.
func signedPayload(b testing.TB, cb []byte, iat time.Time) (string, *trustlist.List) {
	b.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := iat
	csca, err := pki.NewCSCA(key, pki.CSCAOptions{Country: "ES", Now: now.Add(-time.Hour)})
	if err != nil {
		b.Fatal(err)
	}
	dk, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	dsc, err := pki.NewDSC(csca, key, dk.Public(), pki.DSCOptions{Country: "ES", Now: now.Add(-time.Minute)})
	if err != nil {
		b.Fatal(err)
	}
	cose, err := hcert.Sign(dk, dsc, hcert.Claims{Issuer: "ES", IssuedAt: now.Truncate(time.Second), Expires: time.Now().Add(24 * time.Hour)}, cb)
	if err != nil {
		b.Fatal(err)
	}
	s, err := hc1.Encode(cose)
	if err != nil {
		b.Fatal(err)
	}
	tl := trustlist.New()
	tl.AddCSCA(csca)
	tl.AddDSC(dsc)
	return s, tl
}

// revocations is a list of n revoked hashes of each type, none of them the
// certificate's.
func revocations(n int) *revocation.List {
	var bs []revocation.Batch
	for _, t := range []revocation.HashType{revocation.UCI, revocation.Signature, revocation.CountryCodeUCI} {
		b := revocation.Batch{Country: "ES", Expires: time.Now().Add(time.Hour), HashType: t}
		for i := range n {
			var h revocation.Hash
			h[0], h[1], h[2] = byte(i), byte(i>>8), byte(i>>16)
			b.Entries = append(b.Entries, revocation.EntryOf(h))
		}
		bs = append(bs, b)
	}
	l := revocation.NewList()
	l.Add(bs, time.Now())
	return l
}

// BenchmarkVerify is a verifier's whole work on an HC1 string: Base45,
// inflate, COSE/CWT, ES256 signature, validity, key usage, chain to the
// CSCA, lenient schema and Annex V validation, and a revocation look-up
// among 30,000 hashes — without business rules.
func BenchmarkVerify(b *testing.B) {
	s, tl := signedVaccination(b)
	v := &verify.Verifier{Trust: tl, Validator: validator(b), Revocations: revocations(10000), Decoder: new(hc1.Decoder)}
	o := verify.Options{At: time.Now()}
	if r := v.Text(ctx, s, o); r.State != verify.Valid {
		b.Fatalf("%s: %s", r.State, r.Reason)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if r := v.Text(ctx, s, o); r.State != verify.Valid {
				b.Error(r.Reason)
				return
			}
		}
	})
}

// twentyRules returns the example Spanish rules, each vaccination rule
// repeated under new identifiers until 20 apply to a vaccination.
func twentyRules(b testing.TB) *rules.Set {
	b.Helper()
	paths, _ := filepath.Glob("../rules/testdata/ES/*/rule.json")
	var rs []*rules.Rule
	n := 0
	for copyNo := 0; n < 24; copyNo++ {
		added := 0
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				b.Fatal(err)
			}
			ct := m["CertificateType"]
			if copyNo > 0 && ct != "Vaccination" && ct != "General" {
				continue
			}
			id := m["Identifier"].(string)
			m["Identifier"] = fmt.Sprintf("%s%d%s", id[:len(id)-4], copyNo, id[len(id)-3:])
			data, _ = json.Marshal(m)
			r, err := rules.Parse(data)
			if err != nil {
				b.Fatal(err)
			}
			rs = append(rs, r)
			if ct == "Vaccination" || ct == "General" {
				added++
			}
		}
		n += added
	}
	set, err := rules.NewSet(rs...)
	if err != nil {
		b.Fatal(err)
	}
	return set
}

// BenchmarkVerifyWithRules is BenchmarkVerify plus the business rules of
// the country of arrival: 20 acceptance rules apply to the vaccination.
func BenchmarkVerifyWithRules(b *testing.B) {
	s, tl := signedVaccination(b)
	br, err := verify.NewBusinessRules(twentyRules(b), nil)
	if err != nil {
		b.Fatal(err)
	}
	v := &verify.Verifier{Trust: tl, Validator: validator(b), Revocations: revocations(10000), Rules: br, Decoder: new(hc1.Decoder)}
	o := verify.Options{At: time.Now(), Country: "ES", Lang: "en"}
	r := v.Text(ctx, s, o)
	if len(r.Rules) < 20 {
		b.Fatalf("%d rules applied: %s", len(r.Rules), r.Reason)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			v.Text(ctx, s, o)
		}
	})
}
