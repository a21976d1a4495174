package rules

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"dcc/certlogic"
)

// Type is a rule's type.
type Type string

// Rule types: Acceptance rules are a country's conditions for entry,
// Invalidation rules a country's way to invalidate certificates it issued.
const (
	Acceptance   Type = "Acceptance"
	Invalidation Type = "Invalidation"
)

// CertificateType is the kind of certificate a rule applies to.
type CertificateType string

// Certificate types; General rules apply to every certificate.
const (
	General     CertificateType = "General"
	Vaccination CertificateType = "Vaccination"
	Test        CertificateType = "Test"
	Recovery    CertificateType = "Recovery"
)

// Engine is the only rule engine there is.
const Engine = "CERTLOGIC"

// SupportedEngineVersion is the CertLogic version package certlogic
// implements: a rule asking for a newer engine is not evaluated (its
// outcome is Open).
func SupportedEngineVersion() Version { return Version{Major: 1, Minor: 3, Patch: 3} }

// Description is a rule's description in one language.
type Description struct {
	Lang string // ISO 639-1, lower case
	Desc string
}

// Rule is a business rule as the EU DCC Gateway distributes it.
type Rule struct {
	Identifier      string // e.g. "VR-ES-0001"
	Type            Type
	Country         string // ISO 3166-1 alpha-2
	Region          string // "" for the whole country
	Version         Version
	SchemaVersion   Version // the DCC schema version the logic was written for
	Engine          string  // always "CERTLOGIC"
	EngineVersion   Version
	CertificateType CertificateType
	Description     []Description // one in "en" at least
	ValidFrom       time.Time
	ValidTo         time.Time
	AffectedFields  []string
	Logic           any    // the CertLogic expression, as certlogic.ParseJSON reads it
	File            string // where the rule was read from, if from a file

	expr *certlogic.Expr
}

// ValidAt tells whether t is within the rule's validity: ValidFrom ≤ t <
// ValidTo.
func (r *Rule) ValidAt(t time.Time) bool {
	return !t.Before(r.ValidFrom) && t.Before(r.ValidTo)
}

// Describe returns the description in lang, else in English.
func (r *Rule) Describe(lang string) string {
	en := ""
	for _, d := range r.Description {
		if d.Lang == lang {
			return d.Desc
		}
		if d.Lang == "en" {
			en = d.Desc
		}
	}
	return en
}

func (r *Rule) String() string {
	return r.Identifier + " " + r.Version.String()
}

// Problem is one thing wrong with a rule.
type Problem struct {
	Field string // "Identifier", "Description[1].lang", "Logic/if/0", ...
	Msg   string
}

func (p Problem) String() string { return p.Field + ": " + p.Msg }

// ParseError lists everything wrong with a rule.
type ParseError struct {
	File     string // "" when not read from a file
	Rule     string // the identifier, when readable
	Problems []Problem
}

func (e *ParseError) Error() string {
	where := "rules: "
	if e.File != "" {
		where += e.File + ": "
	}
	if e.Rule != "" {
		where += e.Rule + ": "
	}
	if len(e.Problems) == 1 {
		return where + e.Problems[0].String()
	}
	return fmt.Sprintf("%s%s (and %d more problems)", where, e.Problems[0], len(e.Problems)-1)
}

var (
	identifierRE = regexp.MustCompile(`^(GR|VR|TR|RR|IR)-([A-Z]{2})-[0-9]{4}$`)
	countryRE    = regexp.MustCompile(`^[A-Z]{2}$`)
	regionRE     = regexp.MustCompile(`^[A-Z0-9]{1,5}$`)
	langRE       = regexp.MustCompile(`^[a-z]{2}$`)
)

// prefixType is the certificate type each identifier prefix names; "IR"
// (invalidation) rules may be of any.
var prefixType = map[string]CertificateType{"GR": General, "VR": Vaccination, "TR": Test, "RR": Recovery}

// MaxRuleSize bounds a rule file, or a file holding an array of rules.
const MaxRuleSize = 1 << 20

// Parse reads one rule (a JSON object) strictly: every field of the
// gateway's format with its type, no other field, no duplicate key;
// Identifier "XR-CC-NNNN" whose prefix matches the type (GR General, VR
// Vaccination, TR Test, RR Recovery, IR an Invalidation rule) and whose CC
// is the Country; versions in semver; Engine CERTLOGIC; an English
// description; ValidFrom < ValidTo (RFC 3339); a Logic that passes the
// CertLogic validator. Every problem is reported, in a *ParseError.
func Parse(data []byte) (*Rule, error) {
	tree, err := certlogic.ParseJSON(data)
	if err != nil {
		return nil, &ParseError{Problems: []Problem{{Field: "(JSON)", Msg: err.Error()}}}
	}
	return FromTree(tree)
}

// ParseRules reads a rule or a JSON array of rules.
func ParseRules(data []byte) ([]*Rule, error) {
	tree, err := certlogic.ParseJSON(data)
	if err != nil {
		return nil, &ParseError{Problems: []Problem{{Field: "(JSON)", Msg: err.Error()}}}
	}
	list, ok := tree.([]any)
	if !ok {
		r, err := FromTree(tree)
		if err != nil {
			return nil, err
		}
		return []*Rule{r}, nil
	}
	rules := make([]*Rule, 0, len(list))
	for i, item := range list {
		r, err := FromTree(item)
		if err != nil {
			if pe, ok := err.(*ParseError); ok {
				for j := range pe.Problems {
					pe.Problems[j].Field = fmt.Sprintf("[%d].%s", i, pe.Problems[j].Field)
				}
			}
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// FromTree is Parse for a rule already decoded by certlogic.ParseJSON.
func FromTree(tree any) (*Rule, error) {
	r, problems := parseLenient(tree)
	if len(problems) > 0 {
		return nil, &ParseError{Rule: r.Identifier, Problems: problems}
	}
	return r, nil
}

// parseLenient reads what it can of a rule and lists every problem, for
// the rule tests, which run a rule's Logic whatever else is wrong with it.
// The rule's Logic is compiled only when it passed the validator.
func parseLenient(tree any) (*Rule, []Problem) {
	p := &ruleParser{}
	r := p.rule(tree)
	return r, p.problems
}

type ruleParser struct {
	problems []Problem
}

func (p *ruleParser) add(field, format string, a ...any) {
	p.problems = append(p.problems, Problem{Field: field, Msg: fmt.Sprintf(format, a...)})
}

var fields = []string{"Identifier", "Type", "Country", "Region", "Version", "SchemaVersion", "Engine", "EngineVersion",
	"CertificateType", "Description", "ValidFrom", "ValidTo", "AffectedFields", "Logic"}

func (p *ruleParser) rule(tree any) *Rule {
	r := &Rule{}
	obj, ok := tree.(map[string]any)
	if !ok {
		p.add("(rule)", "not a JSON object")
		return r
	}
	var unknown []string
	for k := range obj {
		known := false
		for _, f := range fields {
			known = known || k == f
		}
		if !known {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		name := k
		if !plainName(k) {
			name = strconv.Quote(k)
		}
		p.add(name, "unknown field (the fields are %s)", strings.Join(fields, ", "))
	}

	str := func(field string, required bool) string {
		v, ok := obj[field]
		if !ok {
			if required {
				p.add(field, "missing")
			}
			return ""
		}
		s, ok := v.(string)
		if !ok {
			p.add(field, "must be a string, not %s", kind(v))
		}
		return s
	}
	version := func(field string) Version {
		s := str(field, true)
		if s == "" {
			return Version{}
		}
		v, err := ParseVersion(s)
		if err != nil {
			p.add(field, "%v", err)
		}
		return v
	}
	date := func(field string) time.Time {
		s := str(field, true)
		if s == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			p.add(field, "%q is not an RFC 3339 date-time (e.g. 2021-07-01T00:00:00Z)", s)
		}
		return t
	}

	r.Identifier = str("Identifier", true)
	r.Type = Type(str("Type", true))
	r.Country = str("Country", true)
	r.Region = str("Region", false)
	r.Version = version("Version")
	r.SchemaVersion = version("SchemaVersion")
	r.Engine = str("Engine", true)
	r.EngineVersion = version("EngineVersion")
	r.CertificateType = CertificateType(str("CertificateType", true))
	r.ValidFrom = date("ValidFrom")
	r.ValidTo = date("ValidTo")

	if r.Type != "" && r.Type != Acceptance && r.Type != Invalidation {
		p.add("Type", "%q is neither %q nor %q", r.Type, Acceptance, Invalidation)
	}
	if r.Country != "" && !countryRE.MatchString(r.Country) {
		p.add("Country", "%q is not an ISO 3166-1 alpha-2 code", r.Country)
	}
	if _, present := obj["Region"]; present && !regionRE.MatchString(r.Region) {
		p.add("Region", "%q is not a region code (1 to 5 upper-case letters or digits)", r.Region)
	}
	if r.Engine != "" && r.Engine != Engine {
		p.add("Engine", "%q is not %q, the only engine there is", r.Engine, Engine)
	}
	switch r.CertificateType {
	case "", General, Vaccination, Test, Recovery:
	default:
		p.add("CertificateType", "%q is not one of General, Vaccination, Test, Recovery", r.CertificateType)
	}
	if r.Identifier != "" {
		m := identifierRE.FindStringSubmatch(r.Identifier)
		switch {
		case m == nil:
			p.add("Identifier", "%q is not of the form GR|VR|TR|RR|IR-CC-NNNN", r.Identifier)
		default:
			if r.Country != "" && m[2] != r.Country {
				p.add("Identifier", "%q names country %s, but Country is %s", r.Identifier, m[2], r.Country)
			}
			if (m[1] == "IR") != (r.Type == Invalidation) && r.Type != "" {
				p.add("Identifier", "prefix %s does not fit a rule of type %s (IR is for Invalidation rules)", m[1], r.Type)
			}
			if want, ok := prefixType[m[1]]; ok && r.CertificateType != "" && r.CertificateType != want {
				p.add("Identifier", "prefix %s is for %s rules, but CertificateType is %s", m[1], want, r.CertificateType)
			}
		}
	}
	if !r.ValidFrom.IsZero() && !r.ValidTo.IsZero() && !r.ValidFrom.Before(r.ValidTo) {
		p.add("ValidTo", "%s is not after ValidFrom %s", r.ValidTo.Format(time.RFC3339), r.ValidFrom.Format(time.RFC3339))
	}
	r.Description = p.descriptions(obj)
	r.AffectedFields = p.affectedFields(obj)

	logic, ok := obj["Logic"]
	if !ok {
		p.add("Logic", "missing")
		return r
	}
	r.Logic = logic
	e, err := certlogic.Compile(logic)
	if inv, ok := err.(*certlogic.InvalidError); ok {
		for _, prob := range inv.Problems {
			p.add("Logic"+prob.Path, "%s", prob.Message)
		}
	} else if err != nil {
		p.add("Logic", "%v", err)
	}
	r.expr = e
	return r
}

func (p *ruleParser) descriptions(obj map[string]any) []Description {
	v, ok := obj["Description"]
	if !ok {
		p.add("Description", "missing")
		return nil
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		p.add("Description", "must be a non-empty array of {\"lang\", \"desc\"}")
		return nil
	}
	var out []Description
	seen := map[string]bool{}
	for i, item := range list {
		field := fmt.Sprintf("Description[%d]", i)
		o, ok := item.(map[string]any)
		if !ok {
			p.add(field, "must be an object {\"lang\", \"desc\"}, not %s", kind(item))
			continue
		}
		for k := range o {
			if k != "lang" && k != "desc" {
				name := k
				if !plainName(k) {
					name = strconv.Quote(k)
				}
				p.add(field+"."+name, "unknown field (the fields are lang, desc)")
			}
		}
		lang, ok1 := o["lang"].(string)
		desc, ok2 := o["desc"].(string)
		switch {
		case !ok1:
			p.add(field+".lang", "must be a string")
		case !langRE.MatchString(lang):
			p.add(field+".lang", "%q is not an ISO 639-1 code in lower case", lang)
		case seen[lang]:
			p.add(field+".lang", "%q is described twice", lang)
		}
		seen[lang] = true
		if !ok2 || strings.TrimSpace(desc) == "" {
			p.add(field+".desc", "must be a non-empty string")
		}
		out = append(out, Description{Lang: lang, Desc: desc})
	}
	if !seen["en"] {
		p.add("Description", "no description in English (lang \"en\"), the fallback language")
	}
	return out
}

func (p *ruleParser) affectedFields(obj map[string]any) []string {
	v, ok := obj["AffectedFields"]
	if !ok {
		p.add("AffectedFields", "missing")
		return nil
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		p.add("AffectedFields", "must be a non-empty array of field paths")
		return nil
	}
	out := make([]string, 0, len(list))
	for i, item := range list {
		s, ok := item.(string)
		if !ok || s == "" {
			p.add("AffectedFields["+strconv.Itoa(i)+"]", "must be a non-empty string")
			continue
		}
		out = append(out, s)
	}
	return out
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// plainName tells whether a key can name a field unquoted in a message.
func plainName(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
