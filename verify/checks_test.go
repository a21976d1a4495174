package verify_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"dcc"
	"dcc/hc1"
	"dcc/rules"
	"dcc/verify"
)

// The checks of a VALID certificate with revocations and business rules
// read as they always have: what they say is written without fmt on the
// hot path, and operators and stored results read it.
func TestValidChecksRead(t *testing.T) {
	now := time.Now()
	js, err := os.ReadFile("../testdata/vaccination.json")
	if err != nil {
		t.Fatal(err)
	}
	var p dcc.Payload
	if err := p.UnmarshalJSON(js); err != nil {
		t.Fatal(err)
	}
	p.V[0].DT = now.AddDate(0, 0, -60).Format(time.DateOnly)
	cb, err := p.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	s, tl := signedPayload(t, cb, now.Add(-time.Minute))
	paths, _ := filepath.Glob("../rules/testdata/ES/*/rule.json")
	set, err := rules.Load(paths...)
	if err != nil {
		t.Fatal(err)
	}
	br, err := verify.NewBusinessRules(set, nil)
	if err != nil {
		t.Fatal(err)
	}
	revs := revocations(10)
	v := &verify.Verifier{Trust: tl, Validator: validator(t), Revocations: revs, Rules: br, Decoder: new(hc1.Decoder)}
	r := v.Text(ctx, s, verify.Options{At: now, Country: "ES", Lang: "es"})
	if r.State != verify.Valid {
		t.Fatalf("%s: %s %+v", r.State, r.Reason, r.Checks)
	}
	var names []string
	for _, c := range r.Checks {
		names = append(names, c.Name)
	}
	if want := []string{"decode", "kid", "alg", "signature", "expiry", "dsc-validity", "key-usage", "chain", "schema", "revocation", "rules"}; !slices.Equal(names, want) {
		t.Fatalf("checks %v, want %v", names, want)
	}
	last := func(name string) string {
		for _, c := range r.Checks {
			if c.Name == name {
				return c.Detail
			}
		}
		return ""
	}
	if got, want := last("revocation"), fmt.Sprintf("%d revoked hashes checked", revs.Len()); got != want {
		t.Errorf("revocation: %q, want %q", got, want)
	}
	if got, want := last("rules"), fmt.Sprintf("%d rules of %s", len(r.Rules), "ES"); got != want || len(r.Rules) < 5 {
		t.Errorf("rules: %q, want %q", got, want)
	}
	for _, o := range r.Rules {
		if o.Version == "" || o.Descriptions == nil || o.Descriptions.ES == "" || o.Descriptions.EN == "" || o.Description != o.Descriptions.ES {
			t.Errorf("rule outcome %+v", o)
		}
	}
}
