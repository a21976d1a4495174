package issuance_test

import (
	"errors"
	"strings"
	"testing"

	"dcc"
	"dcc/hc1"
	"dcc/hcert"
	"dcc/internal/deployment"
	"dcc/internal/issuance"
)

// FuzzIssue sends request bodies from the fuzzer, as they come from
// laboratories and authorities over the network: a request is either
// refused with field errors (and nothing is stored) or issued as a
// certificate whose signed payload validates strictly.
func FuzzIssue(f *testing.F) {
	f.Add("t", testBody())
	f.Add("v", vaccinationBody())
	f.Add("v", `{"nam": {"fn": "A"}, "dob": "1990", "history": {"doses": [{"date": "2021-01-01", "mp": "EU/1/20/1528"}]}, "v": [{}]}`)
	f.Add("r", `{"nam": {"fn": "Ab"}, "dob": "1990", "r": [{"fr": "2021-01-01", "df": "2021-01-12", "du": "2021-06-30"}]}`)
	f.Add("t", `{"nam": {"fn": "\u0000"}, "t": [{"ci": 1}], "history": null}`)
	f.Add("v", `[`)
	// Numbers the schema reads as integers but the typed model may not
	// hold: each must be refused with field errors, never a panic.
	for _, lit := range []string{"2.0", "2e0", "20e-1", "-0", "1e400", "1180591620717411303424"} {
		f.Add("v", strings.Replace(vaccinationBody(), `"dn": 2`, `"dn": `+lit, 1))
		f.Add("v", strings.Replace(vaccinationBody(), `"sd": 2`, `"sd": `+lit, 1))
	}
	fx := newFixture(f, "all")
	region := fx.authority(f, "AN")
	f.Fuzz(func(t *testing.T, typ, body string) {
		tt, ok := deployment.ParseType(typ)
		if !ok {
			return
		}
		is, err := fx.app.Issuance.Issue(ctx, region, issuance.Request{Type: tt, Body: []byte(body)})
		if err != nil {
			var ve *dcc.ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("refusal without field errors: %v", err)
			}
			return
		}
		cose, err := hc1.Decode(is.HC1)
		if err != nil {
			t.Fatal(err)
		}
		u, err := hcert.Parse(cose)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := fx.app.Validator.ValidateCBOR(u.Payload, dcc.Strict)
		if err != nil || !rep.Valid() {
			t.Fatalf("issued a payload that does not validate: %v %v", err, rep.Errors())
		}
	})
}
