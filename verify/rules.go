package verify

import (
	"fmt"
	"slices"
	"sync"

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

	// The rules that may apply to a pair of countries: the Acceptance
	// rules of the country of arrival and the Invalidation rules of the
	// issuing country, of every type, region and validity, as a set of
	// their own. Checking that subset selects what checking the whole set
	// selects, without going through every other country's rules for each
	// certificate. It is built at the first certificate of each pair and
	// kept as long as b, whose set never changes: new rules come with a
	// new BusinessRules.
	acceptance, invalidation map[string][]*rules.Rule // by country, in set order
	subsets                  sync.Map                 // pair → *rules.Set
}

// pair is a country of arrival and an issuing country; a country with no
// rules of the kind is "", so that the countries certificates and requests
// name do not grow the cache beyond the countries of the rules.
type pair struct{ arrival, issuer string }

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
	b := &BusinessRules{set: set, valueSets: rules.ValueSetTree(sets), text: map[*rules.Rule]ruleText{},
		acceptance: map[string][]*rules.Rule{}, invalidation: map[string][]*rules.Rule{}}
	for _, r := range set.Rules() {
		b.text[r] = ruleText{version: r.Version.String(), es: r.Describe("es"), en: r.Describe("en")}
		switch r.Type {
		case rules.Acceptance:
			b.acceptance[r.Country] = append(b.acceptance[r.Country], r)
		case rules.Invalidation:
			b.invalidation[r.Country] = append(b.invalidation[r.Country], r)
		}
	}
	return b, nil
}

// subset is the set of the rules that may apply to a certificate of
// issuer arriving in country (see BusinessRules).
func (b *BusinessRules) subset(country, issuer string) (*rules.Set, error) {
	acc, inv := b.acceptance[country], b.invalidation[issuer]
	k := pair{}
	if acc != nil {
		k.arrival = country
	}
	if inv != nil {
		k.issuer = issuer
	}
	if s, ok := b.subsets.Load(k); ok {
		return s.(*rules.Set), nil
	}
	// NewSet orders them as the whole set does, by Identifier and Version.
	s, err := rules.NewSet(append(slices.Clip(acc), inv...)...)
	if err != nil {
		return nil, err
	}
	got, _ := b.subsets.LoadOrStore(k, s)
	return got.(*rules.Set), nil
}

// Evaluate implements Rules.
func (b *BusinessRules) Evaluate(in RulesInput) ([]RuleOutcome, error) {
	set, err := b.subset(in.Country, in.IssuerCountry)
	if err != nil {
		return nil, fmt.Errorf("business rules: %w", err)
	}
	res, err := set.Check(in.Payload, rules.External{
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
