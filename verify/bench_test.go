package verify_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
	gocose "github.com/veraison/go-cose"

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

// benchSetup is what the verification benchmarks share: a realistic
// verifier and a certificate it finds VALID.
type benchSetup struct {
	text string           // the HC1 string
	key  *ecdsa.PublicKey // its DSC's key
	v    *verify.Verifier // full verification
	o    verify.Options   // at now, arriving in ES
}

// newBenchSetup builds a verifier as a national backend runs it: a trust
// list of 27 countries' CSCAs and 3,000 DSCs (the signer of the
// certificate among Spain's), 100,000 revoked hashes of the three types
// across Spain's kids and batches without a kid, the member states'
// business rules (../shared/testdata, DE, ES and EU, relabelled as Spain's)
// with the project's own, so that 20 apply to a vaccination arriving in
// Spain, and lenient validation. The certificate is the project's
// vaccination payload, the dose given 60 days ago.
func newBenchSetup(b *testing.B) *benchSetup {
	b.Helper()
	now := time.Now()
	js, err := os.ReadFile("../testdata/vaccination.json")
	if err != nil {
		b.Fatal(err)
	}
	var p dcc.Payload
	if err := p.UnmarshalJSON(js); err != nil {
		b.Fatal(err)
	}
	p.V[0].DT = now.AddDate(0, 0, -60).Format(time.DateOnly)
	cb, err := p.MarshalCBOR()
	if err != nil {
		b.Fatal(err)
	}

	tl := trustlist.New()
	var signer *ecdsa.PrivateKey
	var signerDSC *x509.Certificate
	var esKIDs []string
	countries := []string{"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
		"LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
	const dscs = 3000
	for i, co := range countries {
		ck, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		csca, err := pki.NewCSCA(ck, pki.CSCAOptions{Country: co, Now: now.Add(-24 * time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
		tl.AddCSCA(csca)
		n := dscs / len(countries)
		if i < dscs%len(countries) {
			n++
		}
		for j := range n {
			dk, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			dsc, err := pki.NewDSC(csca, ck, dk.Public(), pki.DSCOptions{Country: co, Now: now.Add(-time.Hour), CommonName: fmt.Sprintf("%s DSC %d", co, j)})
			if err != nil {
				b.Fatal(err)
			}
			tl.AddDSC(dsc)
			if co == "ES" {
				esKIDs = append(esKIDs, base64.StdEncoding.EncodeToString(pki.KID(dsc)))
				if j == n/2 {
					signer, signerDSC = dk, dsc
				}
			}
		}
	}
	if d, _ := tl.Len(); d != dscs {
		b.Fatalf("%d DSCs in the trust list", d)
	}
	cose, err := hcert.Sign(signer, signerDSC, hcert.Claims{Issuer: "ES", IssuedAt: now.Add(-time.Minute).Truncate(time.Second), Expires: now.Add(300 * 24 * time.Hour)}, cb)
	if err != nil {
		b.Fatal(err)
	}
	text, err := hc1.Encode(cose)
	if err != nil {
		b.Fatal(err)
	}

	br, err := verify.NewBusinessRules(benchRules(b), nil)
	if err != nil {
		b.Fatal(err)
	}
	s := &benchSetup{
		text: text,
		key:  signer.Public().(*ecdsa.PublicKey),
		v: &verify.Verifier{Trust: tl, Validator: validator(b), Revocations: bigRevocations(b, esKIDs, 100_000, now),
			Rules: br, Decoder: new(hc1.Decoder)},
		o: verify.Options{At: now, Country: "ES", Lang: "en"},
	}
	r := s.v.Text(ctx, text, s.o)
	if r.State != verify.Valid || len(r.Rules) < 20 {
		b.Fatalf("%s, %d rules: %s %+v", r.State, len(r.Rules), r.Reason, r.Checks)
	}
	return s
}

// bigRevocations is a revocation list of about n random hashes, a third of
// each type, in batches of 1,000 under Spain's kids and, one in ten,
// without a kid.
func bigRevocations(b *testing.B, kids []string, n int, now time.Time) *revocation.List {
	b.Helper()
	types := []revocation.HashType{revocation.UCI, revocation.Signature, revocation.CountryCodeUCI}
	var bs []revocation.Batch
	for i := 0; i*1000 < n; i++ {
		batch := revocation.Batch{Country: "ES", Expires: now.Add(time.Hour), HashType: types[i%3]}
		if i%10 != 0 {
			batch.KID = kids[i%len(kids)]
		}
		for range min(1000, n-i*1000) {
			var h revocation.Hash
			rand.Read(h[:])
			batch.Entries = append(batch.Entries, revocation.EntryOf(h))
		}
		bs = append(bs, batch)
	}
	l := revocation.NewList()
	l.Add(bs, now)
	if l.Len() < n {
		b.Fatalf("%d revoked hashes", l.Len())
	}
	return l
}

// benchRules are the member states' rules of ../shared/testdata (DE, ES,
// EU) given to Spain (identifiers renumbered: DE 1xxx, EU 2xxx) with the
// project's own Spanish rules (3xxx): 20 apply to a vaccination.
func benchRules(b *testing.B) *rules.Set {
	b.Helper()
	var rs []*rules.Rule
	for _, dir := range []struct{ glob, prefix string }{
		{"../../shared/testdata/dgc-business-rules-testdata/DE/*/rule.json", "1"},
		{"../../shared/testdata/dgc-business-rules-testdata/ES/*/rule.json", ""},
		{"../../shared/testdata/dgc-business-rules-testdata/EU/*/rule.json", "2"},
		{"../rules/testdata/ES/*/rule.json", "3"},
	} {
		paths, _ := filepath.Glob(dir.glob)
		if len(paths) == 0 {
			b.Skipf("no rules at %s", dir.glob)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				b.Fatal(err)
			}
			id := m["Identifier"].(string) // XR-CC-NNNN
			if dir.prefix != "" {
				id = id[:3] + "ES-" + dir.prefix + id[7:]
			}
			m["Identifier"], m["Country"] = id, "ES"
			data, _ = json.Marshal(m)
			r, err := rules.Parse(data)
			if err != nil {
				b.Fatal(err)
			}
			rs = append(rs, r)
		}
	}
	set, err := rules.NewSet(rs...)
	if err != nil {
		b.Fatal(err)
	}
	return set
}

// BenchmarkVerify compares, in one run, a verifier's whole work on an HC1
// string with the decoding and the signature check alone.
//
//   - full: Verifier.Text as the service runs it (newBenchSetup): Base45,
//     inflate, COSE/CWT, kid look-up among 3,000 DSCs, ES256 signature,
//     validity, key usage, the chain to the CSCA (remembered), lenient
//     schema and Annex V, the revocation look-up among 100,000 hashes and
//     20 business rules, and the Result with its checks and reasons;
//   - bare: Base45 and inflate (the same hc1.Decoder), the COSE_Sign1 array
//     decoded with fxamacker/cbor, the Sig_structure and ECDSA P-256
//     verification with the DSC's key — nothing else;
//   - go-cose: the same decoding, then github.com/veraison/go-cose's
//     Sign1Message decoding and ES256 verification;
//   - lenient and schema: the part of full that validates the payload's
//     tree (ValidateTreeAt), and of that the JSON-schema library's
//     (CheckSchema).
//
// Each runs on b.RunParallel: -cpu 1,2 gives one and two cores.
func BenchmarkVerify(b *testing.B) {
	s := newBenchSetup(b)
	b.Run("full", func(b *testing.B) {
		parallel(b, func(pb *testing.PB) {
			for pb.Next() {
				if r := s.v.Text(ctx, s.text, s.o); r.State != verify.Valid {
					b.Error(r.Reason)
					return
				}
			}
		})
	})
	b.Run("bare", func(b *testing.B) {
		if err := bareVerify(new(hc1.Decoder), s.text, s.key); err != nil {
			b.Fatal(err)
		}
		parallel(b, func(pb *testing.PB) {
			dec := new(hc1.Decoder)
			for pb.Next() {
				if err := bareVerify(dec, s.text, s.key); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("go-cose", func(b *testing.B) {
		ver, err := gocose.NewVerifier(gocose.AlgorithmES256, s.key)
		if err != nil {
			b.Fatal(err)
		}
		if err := goCOSEVerify(new(hc1.Decoder), s.text, ver); err != nil {
			b.Fatal(err)
		}
		parallel(b, func(pb *testing.PB) {
			dec := new(hc1.Decoder)
			for pb.Next() {
				if err := goCOSEVerify(dec, s.text, ver); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	// What of full is validation: lenient validation as Text runs it
	// (schema, Annex V, value sets), and the schema library's part of it.
	raw, err := new(hc1.Decoder).Decode(s.text)
	if err != nil {
		b.Fatal(err)
	}
	u, err := hcert.Parse(raw)
	if err != nil {
		b.Fatal(err)
	}
	tree, err := dcc.DecodeCBOR(u.Payload)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		f    func() *dcc.Report
	}{
		{"lenient", func() *dcc.Report { return s.v.Validator.ValidateTreeAt(tree, dcc.Lenient, s.o.At) }},
		{"schema", func() *dcc.Report { return s.v.Validator.CheckSchema(tree) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			parallel(b, func(pb *testing.PB) {
				for pb.Next() {
					if r := c.f(); !r.Valid() {
						b.Error(r.Errors())
						return
					}
				}
			})
		})
	}
}

// parallel runs body on b.RunParallel (-cpu 1,2: one and two cores) and
// reports, besides ns/op (wall-clock per operation), the operations per
// second of wall-clock and cpu-ns/op, the CPU time of the whole process
// (every goroutine, the collector's too) per operation: on a shared
// machine the wall-clock rate depends on what else runs, the CPU per
// operation much less.
func parallel(b *testing.B, body func(*testing.PB)) {
	b.ReportAllocs()
	c0, cpuOK := cpuTime()
	b.ResetTimer()
	b.RunParallel(body)
	b.StopTimer()
	c1, _ := cpuTime()
	if e := b.Elapsed(); e > 0 {
		b.ReportMetric(float64(b.N)/e.Seconds(), "verif/s")
	}
	if cpuOK {
		b.ReportMetric(float64(c1-c0)/float64(b.N), "cpu-ns/op")
	}
}

// bareVerify decodes an HC1 string to its COSE_Sign1 and checks its ES256
// signature with key: the least a verifier must do.
func bareVerify(dec *hc1.Decoder, text string, key *ecdsa.PublicKey) error {
	raw, err := dec.Decode(text)
	if err != nil {
		return err
	}
	var tag cbor.RawTag
	if err := cbor.Unmarshal(raw, &tag); err == nil && tag.Number == 18 {
		raw = tag.Content
	}
	var msg struct {
		_           struct{} `cbor:",toarray"`
		Protected   []byte
		Unprotected cbor.RawMessage
		Payload     []byte
		Signature   []byte
	}
	if err := cbor.Unmarshal(raw, &msg); err != nil {
		return err
	}
	tbs, err := cbor.Marshal([]any{"Signature1", msg.Protected, []byte{}, msg.Payload})
	if err != nil {
		return err
	}
	if len(msg.Signature) != 64 {
		return fmt.Errorf("signature of %d bytes", len(msg.Signature))
	}
	h := sha256.Sum256(tbs)
	r, sg := new(big.Int).SetBytes(msg.Signature[:32]), new(big.Int).SetBytes(msg.Signature[32:])
	if !ecdsa.Verify(key, h[:], r, sg) {
		return errors.New("signature does not verify")
	}
	return nil
}

// goCOSEVerify is bareVerify with go-cose's decoding and verification.
func goCOSEVerify(dec *hc1.Decoder, text string, ver gocose.Verifier) error {
	raw, err := dec.Decode(text)
	if err != nil {
		return err
	}
	var msg gocose.Sign1Message
	if err := msg.UnmarshalCBOR(raw); err != nil {
		return err
	}
	return msg.Verify(nil, ver)
}
