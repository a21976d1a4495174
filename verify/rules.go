package verify

import (
	"fmt"
	"slices"

	"dcc/rules"
	"dcc/valueset"
)

// BusinessRules evaluates a set of EU business rules (package rules) for
// the verifier: the arrival country's acceptance rules and the issuing
// country's invalidation rules valid at the validation time, with the value
// sets as external.valueSets.
type BusinessRules struct {
	set       *rules.Set
	valueSets map[string]any // external.valueSets, built once
	text      map[*rules.Rule]ruleText
}

// ruleText is what a rule's outcomes say of it, written once per rule
// rather than per certificate.
type ruleText struct{ version, es, en string }

// NewBusinessRules prepares rules with the value sets of vs (nil: the
// embedded snapshot), which rules see by their gateway ids.
func NewBusinessRules(set *rules.Set, vs *valueset.Store) (*BusinessRules, error) {
	if vs == nil {
		var err error
		if vs, err = valueset.Embedded(); err != nil {
			return nil, err
		}
	}
	sets := map[string][]string{}
	for _, name := range valueset.Names() {
		s, ok := vs.Set(name)
		if !ok {
			continue
		}
		codes := make([]string, 0, len(s.Values))
		for code := range s.Values {
			codes = append(codes, code)
		}
		slices.Sort(codes)
		sets[s.ID] = codes
	}
	text := map[*rules.Rule]ruleText{}
	for _, r := range set.Rules() {
		text[r] = ruleText{version: r.Version.String(), es: r.Describe("es"), en: r.Describe("en")}
	}
	return &BusinessRules{set: set, valueSets: rules.ValueSetTree(sets), text: text}, nil
}

// Evaluate implements Rules.
func (b *BusinessRules) Evaluate(in RulesInput) ([]RuleOutcome, error) {
	res, err := b.set.Check(in.Payload, rules.External{
		ValueSetTree: b.valueSets, ValidationClock: in.At, CountryCode: in.Country, IssuerCountryCode: in.IssuerCountry,
		Region: in.Region, Exp: in.Expires, IAT: in.IssuedAt,
	}, in.Lang)
	if err != nil {
		return nil, fmt.Errorf("business rules: %w", err)
	}
	out := make([]RuleOutcome, 0, len(res.Rules))
	texts := make([]Explanation, len(res.Rules)) // one allocation for all
	for i, r := range res.Rules {
		t, ok := b.text[r.Rule]
		if !ok {
			t = ruleText{version: r.Rule.Version.String(), es: r.Rule.Describe("es"), en: r.Rule.Describe("en")}
		}
		o := RuleOutcome{
			Identifier: r.Rule.Identifier, Type: string(r.Rule.Type), Country: r.Rule.Country,
			Version: t.version, Result: Status(r.Outcome), Description: r.Description,
		}
		texts[i] = Explanation{ES: t.es, EN: t.en}
		o.Descriptions = &texts[i]
		if r.Err != nil {
			o.Description += " (" + r.Err.Error() + ")"
			o.Descriptions.Technical = r.Err.Error()
		}
		out = append(out, o)
	}
	return out, nil
}

// Countries are the countries of arrival whose acceptance rules are
// loaded, sorted: the ones a verifier can choose with effect.
func (b *BusinessRules) Countries() []string {
	var out []string
	for _, r := range b.set.Rules() {
		if r.Type == rules.Acceptance && !slices.Contains(out, r.Country) {
			out = append(out, r.Country)
		}
	}
	slices.Sort(out)
	return out
}

// RuleCountries are the countries of arrival whose rules v evaluates:
// known is false when v has rules that do not say (a Rules without a
// Countries method), and countries is empty with known true when v has
// none.
func (v *Verifier) RuleCountries() (countries []string, known bool) {
	if v.Rules == nil {
		return nil, true
	}
	if c, ok := v.Rules.(interface{ Countries() []string }); ok {
		return c.Countries(), true
	}
	return nil, false
}
