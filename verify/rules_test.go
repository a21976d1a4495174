package verify_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"dcc"
	"dcc/rules"
	"dcc/valueset"
	"dcc/verify"
)

// TestBusinessRulesSelectAsWholeSet: BusinessRules checks a certificate
// against the rules that may apply to its pair of countries only; the
// outcomes are those of checking the whole set, for every country of
// arrival and issuing country (with rules or without), region, type,
// validation time and language, with several versions of a rule valid at
// different times, regional rules and Invalidation rules of several
// countries.
func TestBusinessRulesSelectAsWholeSet(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	var rs []*rules.Rule
	for _, dir := range []struct{ glob, prefix string }{
		{"../../shared/testdata/dgc-business-rules-testdata/DE/*/rule.json", ""},
		{"../../shared/testdata/dgc-business-rules-testdata/ES/*/rule.json", ""},
		{"../../shared/testdata/dgc-business-rules-testdata/EU/*/rule.json", ""},
		{"../rules/testdata/ES/*/rule.json", "3"},
	} {
		paths, _ := filepath.Glob(dir.glob)
		if len(paths) == 0 {
			t.Skipf("no rules at %s", dir.glob)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			r, err := rules.Parse(data)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			if dir.prefix != "" {
				r.Identifier = r.Identifier[:6] + dir.prefix + r.Identifier[7:]
			}
			rs = append(rs, r)
		}
	}
	// Variants of each rule: an Invalidation rule of its country, a rule of
	// a region (BY), and a later version valid from 30 days on, whose
	// earlier one ends then.
	var variants []*rules.Rule
	for _, r := range rs {
		inv := *r
		inv.Type, inv.Identifier = rules.Invalidation, "IR-"+r.Identifier[3:6]+r.Identifier[:2]+r.Identifier[6:]
		reg := *r
		reg.Region, reg.Identifier = "BY", r.Identifier+"-BY"
		next := *r
		next.Version = rules.Version{Major: r.Version.Major + 1}
		next.ValidFrom = now.AddDate(0, 0, 30)
		old := *r
		old.Identifier = r.Identifier + "-OLD"
		oldNext := next
		oldNext.Identifier = old.Identifier
		old.ValidTo = next.ValidFrom
		variants = append(variants, &inv, &reg, &next, &old, &oldNext)
	}
	set, err := rules.NewSet(append(rs, variants...)...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := verify.NewBusinessRules(set, nil)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := valueset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	sets := map[string][]string{}
	for _, name := range valueset.Names() {
		s, _ := vs.Set(name)
		codes := make([]string, 0, len(s.Values))
		for c := range s.Values {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		sets[s.ID] = codes
	}
	vsTree := rules.ValueSetTree(sets)

	var payloads []any
	for _, f := range []string{"vaccination.json", "test-rat.json", "recovery.json"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		p, err := dcc.DecodeJSON(data)
		if err != nil {
			t.Fatal(err)
		}
		payloads = append(payloads, p)
	}
	checked, nonEmpty := 0, 0
	for _, payload := range payloads {
		for _, country := range []string{"DE", "ES", "EU", "FR", "XX"} {
			for _, issuer := range []string{"DE", "ES", "EU", "AT", "ZZ"} {
				for _, region := range []string{"", "BY"} {
					for _, at := range []time.Time{now, now.AddDate(0, 0, 60), now.AddDate(-1, 0, 0), now.AddDate(-3, 0, 0)} {
						for _, lang := range []string{"en", "es"} {
							in := verify.RulesInput{Payload: payload, Country: country, Region: region, IssuerCountry: issuer,
								At: at, IssuedAt: at.Add(-time.Hour), Expires: at.AddDate(1, 0, 0), Lang: lang}
							got, err := b.Evaluate(in)
							whole, werr := set.Check(payload, rules.External{ValueSetTree: vsTree, ValidationClock: at,
								CountryCode: country, IssuerCountryCode: issuer, Region: region, Exp: in.Expires, IAT: in.IssuedAt}, lang)
							typ, _ := rules.TypeOf(payload)
							name := fmt.Sprintf("%s to %s from %s, region %q, at %s, %s", typ, country, issuer, region, at.Format(time.DateOnly), lang)
							if (err != nil) != (werr != nil) {
								t.Fatalf("%s: error %v, the whole set's %v", name, err, werr)
							}
							if err != nil {
								continue
							}
							want := make([]string, len(whole.Rules))
							for i, r := range whole.Rules {
								d := r.Description
								if r.Err != nil {
									d += " (" + r.Err.Error() + ")"
								}
								want[i] = strings.Join([]string{r.Rule.Identifier, string(r.Rule.Type), r.Rule.Country, r.Rule.Version.String(), string(r.Outcome), d}, " | ")
							}
							have := make([]string, len(got))
							for i, o := range got {
								have[i] = strings.Join([]string{o.Identifier, o.Type, o.Country, o.Version, string(o.Result), o.Description}, " | ")
							}
							if !slices.Equal(have, want) {
								t.Fatalf("%s:\n got %q\nwant %q", name, have, want)
							}
							checked++
							if len(want) > 0 {
								nonEmpty++
							}
						}
					}
				}
			}
		}
	}
	if nonEmpty < checked/3 {
		t.Errorf("only %d of %d checks had rules that apply", nonEmpty, checked)
	}
	t.Logf("%d checks, %d with rules that apply", checked, nonEmpty)
}
