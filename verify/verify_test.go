package verify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dcc"
	"dcc/internal/conformance"
	"dcc/pki"
	"dcc/revocation"
	"dcc/trustlist"
	"dcc/valueset"
	"dcc/verify"
)

var ctx = context.Background()

const testdata = "../../shared/testdata/dgc-testdata"

type vector struct {
	Prefix string `json:"PREFIX"`
	Code2D string `json:"2DCODE"`
	Ctx    struct {
		Certificate string `json:"CERTIFICATE"`
		Clock       string `json:"VALIDATIONCLOCK"`
	} `json:"TESTCTX"`
	Expected map[string]bool `json:"EXPECTEDRESULTS"`
}

func validator(t testing.TB) *dcc.Validator {
	v, err := dcc.NewValidator(nil)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The member states' vectors, verified as a verifier does: every vector
// expected to verify (signature, validity, key usage, schema) is VALID at
// its validation clock against its DSC, from its HC1 string and from its QR
// image; every one expected not to verify is INVALID.
func TestMemberStateVectors(t *testing.T) {
	if _, err := os.Stat(testdata); err != nil {
		t.Skipf("member-state test vectors not found at %s", testdata)
	}
	files, err := conformance.Files(testdata)
	if err != nil {
		t.Fatal(err)
	}
	excused, err := conformance.Excused()
	if err != nil {
		t.Fatal(err)
	}
	val := validator(t)
	valid, invalid, images := 0, 0, 0
	for _, f := range files {
		rel, _ := filepath.Rel(testdata, f)
		if excused[rel] != "" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v vector
		if json.Unmarshal(data, &v) != nil || v.Prefix == "" || v.Ctx.Certificate == "" || v.Ctx.Clock == "" {
			continue
		}
		der, err := base64.StdEncoding.DecodeString(v.Ctx.Certificate)
		if err != nil {
			continue
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			continue
		}
		at, err := time.Parse(time.RFC3339Nano, v.Ctx.Clock)
		if err != nil {
			continue
		}
		tl := trustlist.New()
		tl.AddDSC(cert)
		ver := &verify.Verifier{Trust: tl, Validator: val}
		e := v.Expected
		wantValid := e["EXPECTEDVERIFY"] && e["EXPECTEDEXPIRATIONCHECK"] && !has(e, "EXPECTEDSCHEMAVALIDATION", false) &&
			!has(e, "EXPECTEDKEYUSAGE", false) && !has(e, "EXPECTEDDECODE", false)
		wantInvalid := has(e, "EXPECTEDVERIFY", false) || has(e, "EXPECTEDEXPIRATIONCHECK", false) || has(e, "EXPECTEDKEYUSAGE", false)
		if !wantValid && !wantInvalid {
			continue
		}
		got := ver.Text(ctx, v.Prefix, verify.Options{At: at})
		// Key usage is judged only where the vector says: many real DSCs list
		// other purposes (client auth, e-mail) and none of the DCC ones, which
		// allows no type (HCERT Appendix A.4).
		if wantValid && failed(got, "key-usage") {
			if _, judged := e["EXPECTEDKEYUSAGE"]; !judged {
				continue
			}
		}
		switch {
		case wantValid && got.State != verify.Valid:
			t.Errorf("%s: %s (%s), want VALID", rel, got.State, got.Reason)
		case wantInvalid && got.State != verify.Invalid:
			t.Errorf("%s: %s, want INVALID", rel, got.State)
		case wantValid:
			valid++
			if got.Holder == nil || got.Holder.DateOfBirth == "" && got.Payload.DOB != "" || got.UVCI == "" {
				t.Errorf("%s: holder %+v, uvci %q", rel, got.Holder, got.UVCI)
			}
		default:
			invalid++
			if got.Holder != nil {
				t.Errorf("%s: INVALID but shows the holder", rel)
			}
		}
		if wantValid && v.Code2D != "" && e["EXPECTEDPICTUREDECODE"] && images < 40 {
			png, err := base64.StdEncoding.DecodeString(v.Code2D)
			if err == nil {
				images++
				if got := ver.Image(ctx, png, verify.Options{At: at}); got.State != verify.Valid {
					t.Errorf("%s (image): %s %s", rel, got.State, got.Reason)
				}
			}
		}
	}
	t.Logf("%d vectors VALID, %d INVALID, %d images", valid, invalid, images)
	if valid < 50 || invalid < 10 {
		t.Errorf("only %d valid and %d invalid vectors checked", valid, invalid)
	}
}

func failed(r verify.Result, check string) bool {
	for _, c := range r.Checks {
		if c.Name == check && c.Status == verify.Fail {
			return true
		}
	}
	return false
}

func has(m map[string]bool, k string, v bool) bool {
	got, ok := m[k]
	return ok && got == v
}

func TestGarbage(t *testing.T) {
	ver := &verify.Verifier{Trust: trustlist.New(), Validator: validator(t)}
	for _, in := range []string{"", "HC1:", "HC1:!!!", "hello", strings.Repeat("A", 5000), "HC1:" + strings.Repeat("0", 4000)} {
		got := ver.Text(ctx, in, verify.Options{At: time.Now(), Lang: "es"})
		if got.State != verify.Invalid || got.Reason == "" || got.Holder != nil {
			t.Errorf("%.20q: %+v", in, got)
		}
	}
	got := ver.Image(ctx, []byte("not an image"), verify.Options{At: time.Now()})
	if got.State != verify.Invalid || got.Checks[0].Name != "qr" {
		t.Errorf("image garbage: %+v", got)
	}
}

// The chain is checked against the CSCAs of the certificate's country only:
// a DSC listed without its CSCA is trusted as listed, one whose country's
// CSCA is known must chain to it.
func TestChainOnlyWhereTheCountrysCSCAIsKnown(t *testing.T) {
	s, tl := signedVaccination(t)
	val := validator(t)
	// Only the DSC: chain skipped, VALID.
	only := trustlist.New()
	for _, d := range tl.AllDSCs() {
		only.AddDSC(d)
	}
	r := (&verify.Verifier{Trust: only, Validator: val}).Text(ctx, s, verify.Options{At: time.Now()})
	if r.State != verify.Valid || !hasCheck(r, "chain", verify.Skipped) {
		t.Errorf("DSC alone: %s %+v", r.State, r.Checks)
	}
	// With its CSCA: chain passes.
	r = (&verify.Verifier{Trust: tl, Validator: val}).Text(ctx, s, verify.Options{At: time.Now()})
	if r.State != verify.Valid || !hasCheck(r, "chain", verify.Pass) {
		t.Errorf("with CSCA: %s %+v", r.State, r.Checks)
	}
	// With another CSCA of the same country: the DSC does not chain.
	_, other := signedVaccination(t)
	mixed := trustlist.New()
	for _, d := range tl.AllDSCs() {
		mixed.AddDSC(d)
	}
	for _, c := range other.CSCAs() {
		mixed.AddCSCA(c)
	}
	r = (&verify.Verifier{Trust: mixed, Validator: val}).Text(ctx, s, verify.Options{At: time.Now()})
	if r.State != verify.Invalid || !hasCheck(r, "chain", verify.Fail) || r.Holder != nil {
		t.Errorf("foreign CSCA: %s %+v", r.State, r.Checks)
	}
}

func hasCheck(r verify.Result, name string, st verify.Status) bool {
	for _, c := range r.Checks {
		if c.Name == name && c.Status == st {
			return true
		}
	}
	return false
}

// FuzzText: whatever a QR code holds, the verifier answers with a state
// and never panics or hangs.
func FuzzText(f *testing.F) {
	s, tl := signedVaccination(f)
	f.Add(s)
	f.Add("HC1:")
	f.Add("HC1:6BF+70790T9WJWG.FKY*4GO0.O1CV2 O5 N2FBBRW1*70HS8WY04AC*WIFN0AHCD8KD97TK0F90KECTHGWJC0FDC:5AIA%G7X+AQB9746HS80:54IBQF60R6$A80X6S1BTYACG6M+9XG8KIAWNA91AY%67092L4WJCT3EHS8XJC$+DXJCCWENF6OF63W5NW6WF6%JC QE/IAYJC5LEW34U3ET7DXC9 QE-ED8%E.JCBECB1A-:8$96646AL60A60S6Q$D.UDRYA 96NF6L/5QW6307KQEPD09WEQDD+Q6TW6FA7C466KCN9E%961A6DL6FA7D46JPCT3E5JDLA7$Q6E464W5TG6..DX%DZJC6/DTZ9 QE5$CB$DA/D JC1/D3Z8WED1ECW.CCWE.Y92OAGY8MY9L+9MPCG/D5 C5IA5N9$PC5$CWW5FA7:0A%R6:/69K6B1C+58YWUHTJBEEJO5BVHM+VG/SW-IV4D6T/50C1S6O3T0TOMHZ6G:XVNCEQ+BI*A+56IM26$OG3")
	v := &verify.Verifier{Trust: tl, Validator: validator(f), Revocations: revocations(10)}
	f.Fuzz(func(t *testing.T, text string) {
		r := v.Text(ctx, text, verify.Options{At: time.Now()})
		if r.State == "" || (r.State != verify.Valid && r.Reason == "") {
			t.Fatalf("no clear outcome: %+v", r)
		}
	})
}

// A foreign certificate of an event after the verification clock is
// INVALID, naming the field; one of an event before the holder's birth, or
// with a dose number written as a float, is read with a warning.
func TestImpossibleForeignCertificates(t *testing.T) {
	val := validator(t)
	data, err := os.ReadFile("../testdata/vaccination.json")
	if err != nil {
		t.Fatal(err)
	}
	// Signed two days ago, verified as of 47 hours ago: today's date is
	// still in the future then, everywhere on Earth.
	signed := time.Now().Add(-48 * time.Hour)
	at := time.Now().Add(-47 * time.Hour)
	today := time.Now().UTC().Format(time.DateOnly)
	cases := []struct {
		name   string
		edit   func(v map[string]any, root map[string]any)
		state  verify.State
		detail string
	}{
		{"vaccinated after the verification clock", func(v, _ map[string]any) { v["dt"] = today }, verify.Invalid, "v[0].dt: " + today + " is in the future"},
		{"vaccinated before birth", func(v, root map[string]any) { root["dob"] = "2021-04" }, verify.Valid, "v[0].dt: warning: 2021-03-28 is before the date of birth"},
		{"dn a CBOR float", func(v, _ map[string]any) { v["dn"] = json.Number("2.0") }, verify.Valid, "v[0].dn: warning: must be written as an integer"},
	}
	for _, c := range cases {
		tree, err := dcc.DecodeJSON(data)
		if err != nil {
			t.Fatal(err)
		}
		root := tree.(map[string]any)
		c.edit(root["v"].([]any)[0].(map[string]any), root)
		cb, err := dcc.EncodeCBOR(tree)
		if err != nil {
			t.Fatal(err)
		}
		s, tl := signedPayload(t, cb, signed)
		r := (&verify.Verifier{Trust: tl, Validator: val}).Text(ctx, s, verify.Options{At: at})
		detail := ""
		for _, ch := range r.Checks {
			if ch.Name == "schema" {
				detail = ch.Detail
			}
		}
		if r.State != c.state || !strings.Contains(detail, c.detail) {
			t.Errorf("%s: %s, schema %q; want %s with %q", c.name, r.State, detail, c.state, c.detail)
		}
	}
}

// The reference apps disagree on the country of a COUNTRYCODEUCI hash
// (gateway.md §C.2): most hash the CWT iss, the EU's Android verifier the
// entry's co. A list written either way revokes the certificate; a hash
// of a third country does not.
func TestRevocationByCountryCodeUCI(t *testing.T) {
	s, tl := signedVaccination(t) // iss ES, v[0].co AT
	uvci := "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B"
	sum := func(country string) revocation.Hash {
		h := sha256.Sum256([]byte(country + uvci))
		var out revocation.Hash
		copy(out[:], h[:16])
		return out
	}
	cases := []struct {
		country string
		state   verify.State
		detail  string
	}{
		{"ES", verify.Invalid, "on the revocation list of ES (COUNTRYCODEUCI hash)"},
		{"AT", verify.Invalid, "on the revocation list of ES (COUNTRYCODEUCI hash, with the entry's country AT)"},
		{"DE", verify.Valid, "revoked hashes checked"},
	}
	val := validator(t)
	for _, c := range cases {
		l := revocation.NewList()
		l.Add([]revocation.Batch{{Country: "ES", Expires: time.Now().Add(time.Hour), HashType: revocation.CountryCodeUCI,
			Entries: []revocation.Entry{revocation.EntryOf(sum(c.country))}}}, time.Now())
		r := (&verify.Verifier{Trust: tl, Validator: val, Revocations: l}).Text(ctx, s, verify.Options{At: time.Now()})
		detail := ""
		for _, ch := range r.Checks {
			if ch.Name == "revocation" {
				detail = ch.Detail
			}
		}
		if r.State != c.state || !strings.Contains(detail, c.detail) {
			t.Errorf("hash of %s+UVCI: %s, revocation %q; want %s with %q", c.country, r.State, detail, c.state, c.detail)
		}
	}
}

// A signer not in the trust list: the reason says so in both languages,
// the kid is technical detail, and the note says what the list holds.
func TestUnknownSignerExplained(t *testing.T) {
	s, _ := signedVaccination(t)
	_, other := signedVaccination(t) // a list of another ES signer
	r := (&verify.Verifier{Trust: other, Validator: validator(t)}).Text(ctx, s, verify.Options{At: time.Now(), Lang: "es"})
	e := r.Explanation
	if r.State != verify.Invalid || e == nil || !strings.HasPrefix(r.Reason, "El firmante del certificado no es de confianza") || r.Reason != e.ES {
		t.Fatalf("%s %q %+v", r.State, r.Reason, e)
	}
	if strings.Contains(e.ES, "kid") || strings.Contains(e.EN, "kid") || !strings.Contains(e.Technical, "kid") {
		t.Errorf("technical detail mixed into the sentence: %+v", e)
	}
	if r.Note == nil || !strings.Contains(r.Note.EN, "holds signing certificates of ES, but not the one") {
		t.Errorf("issuer's country in the list: note %+v", r.Note)
	}
	// Only another country's signers: cannot be checked here.
	nl := trustlist.New()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert, err := pki.NewCSCA(key, pki.CSCAOptions{Country: "NL", Now: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	nl.AddDSC(cert)
	r = (&verify.Verifier{Trust: nl, Validator: validator(t)}).Text(ctx, s, verify.Options{At: time.Now()})
	if r.Note == nil || r.Note.EN != "The trust list holds only NL signing certificates: a certificate of another country (this one says it is of ES) cannot be checked here, which does not make it forged" {
		t.Errorf("only NL: note %+v", r.Note)
	}
	if r.Reason != r.Explanation.EN {
		t.Errorf("the default language is English: %q", r.Reason)
	}
}

// A verified certificate carries what a border officer checks, with the
// codes named in both languages.
func TestEventOfAVaccination(t *testing.T) {
	s, tl := signedVaccination(t)
	vs, err := valueset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	r := (&verify.Verifier{Trust: tl, Validator: validator(t), ValueSets: vs}).Text(ctx, s, verify.Options{At: time.Now()})
	e := r.Event
	if r.State != verify.Valid || e == nil {
		t.Fatalf("%s %s %+v", r.State, r.Reason, e)
	}
	if e.Dose != 2 || e.Doses != 2 || e.Product == nil || *e.Product != (verify.Coded{Code: "EU/1/20/1528", ES: "Comirnaty", EN: "Comirnaty"}) ||
		e.Date != "2021-03-28" || e.Country == nil || e.Country.ES != "Austria" {
		t.Errorf("event %+v", e)
	}
	if e.Vaccine == nil || e.Vaccine.ES != "Vacuna de ARNm contra el SARS-CoV-2" || e.Vaccine.EN != "SARS-CoV-2 mRNA vaccine" {
		t.Errorf("vaccine %+v", e.Vaccine)
	}
	if e.TestType != nil || e.FirstPositive != "" {
		t.Errorf("fields of another type: %+v", e)
	}
	// Not verified: no event.
	r = (&verify.Verifier{Trust: trustlist.New(), Validator: validator(t), ValueSets: vs}).Text(ctx, s, verify.Options{At: time.Now()})
	if r.Event != nil {
		t.Error("an unverified certificate's event is shown")
	}
}

// An expired certificate says until when it was valid; an unreadable image
// says so without the decoder's exception.
func TestReasonsKeepTechnicalDetailApart(t *testing.T) {
	s, tl := signedVaccination(t)
	r := (&verify.Verifier{Trust: tl, Validator: validator(t)}).Text(ctx, s, verify.Options{At: time.Now().Add(48 * time.Hour), Lang: "es"})
	if r.State != verify.Invalid || !strings.HasPrefix(r.Reason, "El certificado ha caducado: era válido hasta el ") || r.Explanation.Technical == "" {
		t.Errorf("expired: %q %+v", r.Reason, r.Explanation)
	}
	r = (&verify.Verifier{Trust: tl, Validator: validator(t)}).Image(ctx, []byte("not an image"), verify.Options{At: time.Now()})
	if e := r.Explanation; e == nil || e.EN != "The file is not a readable PNG or JPEG image" || strings.Contains(e.ES+e.EN, "qr:") || e.Technical == "" {
		t.Errorf("image: %+v", e)
	}
}
