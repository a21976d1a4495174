package verify_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"os"
	"testing"
	"time"

	"dcc"
	"dcc/hc1"
	"dcc/hcert"
	"dcc/pki"
	"dcc/revocation"
	"dcc/trustlist"
	"dcc/verify"
)

// signedVaccination returns an HC1 string of testdata/vaccination.json
// signed now by a fresh DSC, and a trust list holding it.
func signedVaccination(b testing.TB) (string, *trustlist.List) {
	b.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	csca, err := pki.NewCSCA(key, pki.CSCAOptions{Country: "ES", Now: now.Add(-time.Hour)})
	if err != nil {
		b.Fatal(err)
	}
	dk, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	dsc, err := pki.NewDSC(csca, key, dk.Public(), pki.DSCOptions{Country: "ES", Now: now.Add(-time.Minute)})
	if err != nil {
		b.Fatal(err)
	}
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
	cose, err := hcert.Sign(dk, dsc, hcert.Claims{Issuer: "ES", IssuedAt: now.Truncate(time.Second), Expires: now.Add(24 * time.Hour)}, cb)
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
	v := &verify.Verifier{Trust: tl, Validator: validator(b), Revocations: revocations(10000)}
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
