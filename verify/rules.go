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
}

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
	return &BusinessRules{set: set, valueSets: rules.ValueSetTree(sets)}, nil
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
	for _, r := range res.Rules {
		o := RuleOutcome{
			Identifier: r.Rule.Identifier, Type: string(r.Rule.Type), Country: r.Rule.Country,
			Version: r.Rule.Version.String(), Result: Status(r.Outcome), Description: r.Description,
		}
		if r.Err != nil {
			o.Description += " (" + r.Err.Error() + ")"
		}
		out = append(out, o)
	}
	return out, nil
}
