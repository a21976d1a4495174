package dcc

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"dcc/i18n"
	"dcc/valueset"
)

// Mode selects how deviations are judged.
type Mode int

const (
	// Strict is for issuance: every deviation from Annex V, the schema and
	// the value sets is an error, so that a wrong certificate is never signed.
	Strict Mode = iota
	// Lenient is for verification of certificates issued anywhere: structure
	// and dates are errors; value-set misses, identifier and naming habits and
	// older dose encodings are warnings that explain what is wrong. A rapid
	// antigen test device removed from the value set more than 72 hours
	// before the sample was taken is an error (Annex V, t/ma).
	Lenient
)

func (m Mode) String() string {
	if m == Lenient {
		return "lenient"
	}
	return "strict"
}

// Severity tells whether a problem makes the payload invalid.
type Severity int

const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Problem is one finding: the JSON path of the field ("" for the payload
// itself, "nam.fnt", "v[0].dn") and what rule it breaks. Reason is in
// English (logs, the API); Text is the same in Spanish and English, for
// people.
type Problem struct {
	Path     string
	Reason   string
	Severity Severity
	Text     i18n.Text
}

func (p Problem) String() string {
	path := p.Path
	if path == "" {
		path = "(root)"
	}
	if p.Severity == Warning {
		return path + ": warning: " + p.Reason
	}
	return path + ": " + p.Reason
}

// Report is the outcome of validating one payload: every problem found, in
// field order.
type Report struct {
	Schema   string // the schema version the payload was checked against
	Type     Type   // "" when the payload has no single group
	Problems []Problem
}

// Valid reports whether there is no error (warnings allowed).
func (r *Report) Valid() bool {
	return !slices.ContainsFunc(r.Problems, func(p Problem) bool { return p.Severity == Error })
}

// Errors returns the problems of severity Error.
func (r *Report) Errors() []Problem { return r.filter(Error) }

// Warnings returns the problems of severity Warning.
func (r *Report) Warnings() []Problem { return r.filter(Warning) }

func (r *Report) filter(s Severity) []Problem {
	var out []Problem
	for _, p := range r.Problems {
		if p.Severity == s {
			out = append(out, p)
		}
	}
	return out
}

// Err returns a *ValidationError holding every error, or nil when valid.
func (r *Report) Err() error {
	if errs := r.Errors(); len(errs) > 0 {
		return &ValidationError{Problems: errs}
	}
	return nil
}

// ValidationError is an invalid payload: all its errors at once.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	if len(parts) == 1 {
		return "invalid payload: " + parts[0]
	}
	return fmt.Sprintf("invalid payload, %d problems: %s", len(parts), strings.Join(parts, "; "))
}

// DefaultClockSkew is how far ahead of the validator's clock an event may
// lie before it counts as in the future: the clocks of a laboratory, the
// issuing system and a verifier never agree exactly.
const DefaultClockSkew = 5 * time.Minute

// MaxDose bounds dn and sd. Schemas up to 1.2.1 stated the range [1, 9];
// 1.3.0 dropped the maximum, but no vaccination schedule reaches ten doses,
// and verifiers built on the older schemas refuse more than nine.
const MaxDose = 9

// Validator checks payloads against the embedded schemas, the Annex V rules
// and a set of value sets. It is safe for concurrent use as long as the value
// set store is not updated concurrently.
type Validator struct {
	schemas *schemaSet
	vs      *valueset.Store
	now     func() time.Time
	skew    time.Duration
}

// NewValidator compiles the embedded schemas. vs is the value-set store to
// check codes against; nil means the embedded snapshot.
func NewValidator(vs *valueset.Store) (*Validator, error) {
	s, err := compileSchemas()
	if err != nil {
		return nil, fmt.Errorf("compiling embedded schemas: %w", err)
	}
	if vs == nil {
		if vs, err = valueset.Embedded(); err != nil {
			return nil, fmt.Errorf("loading embedded value sets: %w", err)
		}
	}
	return &Validator{schemas: s, vs: vs, now: time.Now, skew: DefaultClockSkew}, nil
}

// ClockSkew is how far ahead of the clock an event may lie (WithClock).
func (v *Validator) ClockSkew() time.Duration { return v.skew }

// WithClock returns a validator that judges whether an event lies in the
// future by now (nil: time.Now), allowing skew (negative: none): a sample
// time later than now+skew is in the future, and so is a date later than
// today anywhere on Earth. It shares the schemas and value sets of v.
func (v *Validator) WithClock(now func() time.Time, skew time.Duration) *Validator {
	w := *v
	w.now, w.skew = now, max(skew, 0)
	if w.now == nil {
		w.now = time.Now
	}
	return &w
}

// ValueSets returns the store the validator checks codes against.
func (v *Validator) ValueSets() *valueset.Store { return v.vs }

// ValidateJSON decodes and validates a JSON payload. The error is non-nil
// only when the input cannot be decoded at all (a *SyntaxError with line and
// column, ErrNotUTF8, ErrTooLarge); validation findings are in the report.
func (v *Validator) ValidateJSON(data []byte, mode Mode) (*Report, error) {
	tree, err := decodeJSON(data)
	if err != nil {
		return nil, err
	}
	return v.ValidateTree(tree, mode), nil
}

// ValidateCBOR decodes and validates a CBOR payload (the content of the
// hcert claim).
func (v *Validator) ValidateCBOR(data []byte, mode Mode) (*Report, error) {
	return v.ValidateCBORAt(data, mode, v.now())
}

// ValidateCBORAt is ValidateCBOR at the time at instead of the validator's
// clock: a verification's clock.
func (v *Validator) ValidateCBORAt(data []byte, mode Mode, at time.Time) (*Report, error) {
	tree, err := decodeCBOR(data)
	if err != nil {
		return nil, err
	}
	return v.ValidateTreeAt(tree, mode, at), nil
}

// Validate checks a typed payload.
func (v *Validator) Validate(p *Payload, mode Mode) *Report {
	return v.ValidateTree(p.Tree(), mode)
}

// ValidateTree checks a generic JSON tree (map[string]any, []any, string,
// bool, nil, json.Number).
func (v *Validator) ValidateTree(tree any, mode Mode) *Report {
	return v.ValidateTreeAt(tree, mode, v.now())
}

// ValidateTreeAt is ValidateTree at the time at instead of the validator's
// clock; the skew still applies.
func (v *Validator) ValidateTreeAt(tree any, mode Mode, at time.Time) *Report {
	c := &checker{mode: mode, schemas: v.schemas, vs: v.vs, now: at, skew: v.skew}
	ver, isString := asObject(tree)["ver"].(string)
	sch, used, reason := v.schemas.pick(ver)
	if !reason.IsZero() && isString {
		c.structure("ver", reason)
	}
	c.payload(tree)
	rep := &Report{Schema: used, Type: c.typ}
	// Where a rule already explained a field, the schema's generic message
	// for the same field adds nothing.
	for _, p := range v.schemas.check(sch, used, tree) {
		if !c.hasError(p.Path) {
			c.problems = append(c.problems, p)
		}
	}
	rep.Problems = c.sorted()
	return rep
}

// CheckSchema checks a generic tree against the official schema its "ver"
// selects, and nothing else: no Annex V rule, no value set, no format
// assertion. It is how the member states' own test harness judges
// EXPECTEDSCHEMAVALIDATION; issuance and verification use ValidateTree.
func (v *Validator) CheckSchema(tree any) *Report {
	ver, isString := asObject(tree)["ver"].(string)
	sch, used, reason := v.schemas.pick(ver)
	rep := &Report{Schema: used}
	if !reason.IsZero() && isString {
		rep.Problems = append(rep.Problems, Problem{Path: "ver", Reason: reason.EN, Text: reason, Severity: Error})
	}
	rep.Problems = append(rep.Problems, v.schemas.check(sch, used, tree)...)
	return rep
}

// DecodeJSON and DecodeCBOR read a payload into the generic tree that
// ValidateTree and CheckSchema take, with the same limits as ValidateJSON
// and ValidateCBOR.
func DecodeJSON(data []byte) (any, error) { return decodeJSON(data) }

// EncodeCBOR writes a generic tree as deterministic CBOR, integers as
// integers. Unlike (*Payload).MarshalCBOR it keeps every field as given,
// empty strings included.
func EncodeCBOR(tree any) ([]byte, error) {
	em, err := cborEncMode()
	if err != nil {
		return nil, err
	}
	return em.Marshal(toCBOR(tree))
}

// DecodeCBOR: see DecodeJSON.
func DecodeCBOR(data []byte) (any, error) { return decodeCBOR(data) }

// PrepareForIssuance applies the corrections Annex V prescribes instead of
// refusing: a test centre name over 80 characters is truncated ("any extra
// characters shall be truncated"). It returns a warning for each change.
func PrepareForIssuance(p *Payload) []Problem {
	var out []Problem
	for i := range p.T {
		if r := []rune(p.T[i].TC); len(r) > maxText {
			p.T[i].TC = strings.TrimSpace(string(r[:maxText]))
			t := msg.Truncated.With(len(r), maxText)
			out = append(out, Problem{Path: fmt.Sprintf("t[%d].tc", i), Reason: t.EN, Text: t, Severity: Warning})
		}
	}
	return out
}

func asObject(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
