package rules

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"dcc/certlogic"
)

// Outcome is what a rule says of a certificate, as the EU verifier apps
// report it.
type Outcome string

const (
	// Pass: the rule's logic evaluated to true.
	Pass Outcome = "pass"
	// Fail: it evaluated to false.
	Fail Outcome = "fail"
	// Open: the rule could not be decided: its evaluation failed, gave
	// something other than a boolean, or the rule was not written for this
	// engine or this certificate's schema version. The EU verifier apps
	// (their CertLogic engine, DefaultCertLogicEngine) report these cases
	// as OPEN, not as a failure of the certificate: the verifier decides.
	Open Outcome = "open"
)

// ErrNotBoolean: the logic gave a value that is neither true nor false. A
// rule is a predicate; CertLogic's truthiness is not applied to its
// result, as in the EU verifier apps.
var ErrNotBoolean = errors.New("rules: the logic did not evaluate to true or false")

// ErrVersion: the rule asks for a newer CertLogic than this engine, or was
// written for another schema version than the certificate's.
var ErrVersion = errors.New("rules: rule not applicable to this engine or schema version")

// External is what the verifier adds to the payload for the rules: the
// "external" object of the data they see.
type External struct {
	// ValueSets maps a value-set id (e.g. "vaccines-covid-19-names") to
	// its codes: external.valueSets.
	ValueSets map[string][]string
	// ValueSetTree, when set, is ValueSets already as the tree rules read
	// (see ValueSetTree), shared read-only by many evaluations; ValueSets
	// is then ignored.
	ValueSetTree map[string]any
	// ValidationClock is the time of the check: external.validationClock.
	// It also selects the rules valid then.
	ValidationClock time.Time
	// CountryCode is the country of arrival, whose Acceptance rules apply:
	// external.countryCode.
	CountryCode string
	// IssuerCountryCode is the certificate's issuing country, the CWT
	// "iss", whose Invalidation rules apply: external.issuerCountryCode.
	IssuerCountryCode string
	// Region is the region of arrival, if any: external.region.
	Region string
	// Exp and IAT are the certificate's CWT expiry and issuing times:
	// external.exp and external.iat.
	Exp, IAT time.Time
}

// Tree gives the "external" object: times as RFC 3339 strings (plusTime
// reads them), value sets as arrays of strings, Region only when set.
func (x External) Tree() map[string]any {
	vs := x.ValueSetTree
	if vs == nil {
		vs = ValueSetTree(x.ValueSets)
	}
	t := map[string]any{
		"valueSets":         vs,
		"validationClock":   rfc3339(x.ValidationClock),
		"countryCode":       x.CountryCode,
		"issuerCountryCode": x.IssuerCountryCode,
		"exp":               rfc3339(x.Exp),
		"iat":               rfc3339(x.IAT),
	}
	if x.Region != "" {
		t["region"] = x.Region
	}
	return t
}

// ValueSetTree turns value sets into the JSON tree rules read
// (external.valueSets): id → array of codes. A verifier checking many
// certificates builds it once and sets External.ValueSetTree.
func ValueSetTree(sets map[string][]string) map[string]any {
	vs := make(map[string]any, len(sets))
	for id, codes := range sets {
		arr := make([]any, len(codes))
		for i, c := range codes {
			arr[i] = c
		}
		vs[id] = arr
	}
	return vs
}

func rfc3339(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format("2006-01-02T15:04:05.000Z07:00")
}

// Data is the data context a rule is evaluated on: {"payload": payload,
// "external": x.Tree()}. The payload is a JSON tree as package dcc and
// certlogic.ParseJSON decode it.
func Data(payload any, x External) map[string]any {
	return map[string]any{"payload": payload, "external": x.Tree()}
}

// Evaluate applies the rule to a data context {"payload", "external"}: Pass
// when its logic gives true, Fail when false, Open otherwise, with the
// reason (an error wrapping ErrVersion, ErrNotBoolean, or the
// *certlogic.EvalError). As in the EU verifier apps, a rule is Open without
// being evaluated when it asks for a newer engine than
// SupportedEngineVersion, or when the payload's "ver" does not have the
// major version of the rule's SchemaVersion or is older than it.
func (r *Rule) Evaluate(data any) (Outcome, error) {
	ver, err := payloadVersion(data)
	return r.evaluate(data, ver, err)
}

// evaluate is Evaluate with the payload's version read already (once for
// all the rules a certificate meets).
func (r *Rule) evaluate(data any, ver Version, verErr error) (Outcome, error) {
	if r.EngineVersion.Compare(SupportedEngineVersion()) > 0 {
		return Open, fmt.Errorf("%w: engine version %s is newer than %s", ErrVersion, r.EngineVersion, SupportedEngineVersion())
	}
	if verErr != nil {
		return Open, verErr
	}
	var err error
	if ver.Major != r.SchemaVersion.Major || ver.Compare(r.SchemaVersion) < 0 {
		return Open, fmt.Errorf("%w: the certificate's schema version %s does not fit the rule's %s", ErrVersion, ver, r.SchemaVersion)
	}
	e := r.expr
	if e == nil { // a Rule built by hand, not by Parse
		if e, err = certlogic.Compile(r.Logic); err != nil {
			return Open, err
		}
	}
	v, err := e.Eval(data)
	if err != nil {
		return Open, err
	}
	switch v {
	case true:
		return Pass, nil
	case false:
		return Fail, nil
	}
	out, _ := certlogic.MarshalJSON(v)
	if len(out) > 60 {
		out = append(out[:57], "..."...)
	}
	return Open, fmt.Errorf("%w: it gave %s", ErrNotBoolean, out)
}

func payloadVersion(data any) (Version, error) {
	d, _ := data.(map[string]any)
	p, _ := d["payload"].(map[string]any)
	s, ok := p["ver"].(string)
	if !ok {
		return Version{}, fmt.Errorf("%w: the payload has no schema version (ver)", ErrVersion)
	}
	v, err := ParseVersion(s)
	if err != nil {
		return Version{}, fmt.Errorf("%w: payload ver: %v", ErrVersion, err)
	}
	return v, nil
}

// TypeOf tells a payload's certificate type: the one of v, t, r it holds,
// as a non-empty array.
func TypeOf(payload any) (CertificateType, error) {
	p, ok := payload.(map[string]any)
	if !ok {
		return "", errors.New("rules: the payload is not a JSON object")
	}
	var found []CertificateType
	for key, t := range map[string]CertificateType{"v": Vaccination, "t": Test, "r": Recovery} {
		if arr, ok := p[key].([]any); ok && len(arr) > 0 {
			found = append(found, t)
		}
	}
	if len(found) != 1 {
		return "", errors.New("rules: the payload must hold exactly one of v (vaccination), t (test), r (recovery)")
	}
	return found[0], nil
}

// RuleResult is one rule's outcome for a certificate.
type RuleResult struct {
	Rule        *Rule
	Outcome     Outcome
	Description string // in the requested language, else English
	Err         error  // why the outcome is Open; nil otherwise
}

func (r RuleResult) String() string {
	s := fmt.Sprintf("%s %s: %s (%s)", r.Rule.Identifier, r.Rule.Version, r.Outcome, r.Description)
	if r.Err != nil {
		s += ": " + strings.TrimPrefix(r.Err.Error(), "rules: ")
	}
	return s
}

// Result is the outcome of every rule that applies to a certificate.
type Result struct {
	// Outcome overall: Fail if a rule failed, else Open if a rule is open,
	// else Pass (also when no rule applies).
	Outcome Outcome
	Rules   []RuleResult
}

// Check selects the rules of s that apply to the certificate (Select, with
// the arrival country, region, issuing country and validation clock of x
// and the payload's type) and evaluates them on Data(payload, x). lang
// chooses the descriptions.
func (s *Set) Check(payload any, x External, lang string) (*Result, error) {
	typ, err := TypeOf(payload)
	if err != nil {
		return nil, err
	}
	switch {
	case x.ValidationClock.IsZero():
		return nil, errors.New("rules: no validation clock")
	case x.CountryCode == "":
		return nil, errors.New("rules: no country of arrival (CountryCode)")
	case x.IssuerCountryCode == "":
		return nil, errors.New("rules: no issuing country (IssuerCountryCode, the CWT iss): its Invalidation rules apply")
	}
	selected := s.Select(Query{ArrivalCountry: x.CountryCode, Region: x.Region, IssuingCountry: x.IssuerCountryCode, Type: typ, At: x.ValidationClock})
	data := Data(payload, x)
	ver, verErr := payloadVersion(data)
	res := &Result{Outcome: Pass, Rules: make([]RuleResult, 0, len(selected))}
	for _, r := range selected {
		o, err := r.evaluate(data, ver, verErr)
		res.Rules = append(res.Rules, RuleResult{Rule: r, Outcome: o, Description: r.Describe(lang), Err: err})
		switch {
		case o == Fail:
			res.Outcome = Fail
		case o == Open && res.Outcome == Pass:
			res.Outcome = Open
		}
	}
	return res, nil
}
