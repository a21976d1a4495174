package dcc

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"

	"dcc/i18n"
)

// SchemaVersion is the schema version written on issuance: the version that
// Annex V quotes and every verifier in the field knows. Versions 1.3.1–1.3.3
// changed only descriptions and the name rule, which the validator applies
// whatever the version says.
const SchemaVersion = "1.3.0"

// Type is the kind of certificate: which one of the groups v, t, r it holds.
type Type string

const (
	Vaccination Type = "v"
	Test        Type = "t"
	Recovery    Type = "r"
)

// Payload is the content of a DCC (schema 1.3.x): the holder and exactly one
// vaccination, test or recovery entry. Fields the schema does not define are
// kept in Extra so that decoding and encoding a foreign payload loses nothing;
// strict validation reports them.
type Payload struct {
	Ver string
	Nam Name
	DOB string
	V   []VaccinationEntry
	T   []TestEntry
	R   []RecoveryEntry

	Extra map[string]any
}

// Name is the holder's name (Annex V §3.2). An empty string means the field is
// absent: the schema forbids empty names anyway.
type Name struct {
	FN, FNT, GN, GNT string

	Extra map[string]any
}

// VaccinationEntry is one vaccination event (Annex V §4.1).
type VaccinationEntry struct {
	TG, VP, MP, MA string
	DN, SD         int
	DT             string
	CO, IS, CI     string

	Extra map[string]any
}

// TestEntry is one test result (Annex V §4.2). NM, MA and TC are optional
// depending on the test type; empty means absent.
type TestEntry struct {
	TG, TT, NM, MA string
	SC, TR, TC     string
	CO, IS, CI     string

	Extra map[string]any
}

// RecoveryEntry is one recovery statement (Annex V §4.3).
type RecoveryEntry struct {
	TG, FR, DF, DU string
	CO, IS, CI     string

	Extra map[string]any
}

// Type returns the certificate type, or "" if the payload does not hold
// exactly one group.
func (p *Payload) Type() Type {
	n := 0
	var t Type
	if len(p.V) > 0 {
		n, t = n+1, Vaccination
	}
	if len(p.T) > 0 {
		n, t = n+1, Test
	}
	if len(p.R) > 0 {
		n, t = n+1, Recovery
	}
	if n != 1 {
		return ""
	}
	return t
}

// CertificateID returns the UVCI of the (first) entry.
func (p *Payload) CertificateID() string {
	switch {
	case len(p.V) > 0:
		return p.V[0].CI
	case len(p.T) > 0:
		return p.T[0].CI
	case len(p.R) > 0:
		return p.R[0].CI
	}
	return ""
}

// EntryCountry returns the country of the (first) entry's event, co: the
// Member State or third country of the vaccination, test or recovery.
func (p *Payload) EntryCountry() string {
	switch {
	case len(p.V) > 0:
		return p.V[0].CO
	case len(p.T) > 0:
		return p.T[0].CO
	case len(p.R) > 0:
		return p.R[0].CO
	}
	return ""
}

// EventDate returns the date of the (first) entry's event: the vaccination
// date, the sample collection time, or the first positive test date.
func (p *Payload) EventDate() string {
	switch {
	case len(p.V) > 0:
		return p.V[0].DT
	case len(p.T) > 0:
		return p.T[0].SC
	case len(p.R) > 0:
		return p.R[0].FR
	}
	return ""
}

// field describes one known field of an object: its JSON name and where its
// value lives in the Go struct. One table per object keeps the JSON, CBOR and
// tree mappings from drifting apart.
type field struct {
	name string
	str  func(any) *string
	num  func(any) *int
}

func strField(name string, f func(any) *string) field { return field{name: name, str: f} }
func numField(name string, f func(any) *int) field    { return field{name: name, num: f} }

var (
	nameFields = []field{
		strField("fn", func(o any) *string { return &o.(*Name).FN }),
		strField("fnt", func(o any) *string { return &o.(*Name).FNT }),
		strField("gn", func(o any) *string { return &o.(*Name).GN }),
		strField("gnt", func(o any) *string { return &o.(*Name).GNT }),
	}
	vaccinationFields = []field{
		strField("tg", func(o any) *string { return &o.(*VaccinationEntry).TG }),
		strField("vp", func(o any) *string { return &o.(*VaccinationEntry).VP }),
		strField("mp", func(o any) *string { return &o.(*VaccinationEntry).MP }),
		strField("ma", func(o any) *string { return &o.(*VaccinationEntry).MA }),
		numField("dn", func(o any) *int { return &o.(*VaccinationEntry).DN }),
		numField("sd", func(o any) *int { return &o.(*VaccinationEntry).SD }),
		strField("dt", func(o any) *string { return &o.(*VaccinationEntry).DT }),
		strField("co", func(o any) *string { return &o.(*VaccinationEntry).CO }),
		strField("is", func(o any) *string { return &o.(*VaccinationEntry).IS }),
		strField("ci", func(o any) *string { return &o.(*VaccinationEntry).CI }),
	}
	testFields = []field{
		strField("tg", func(o any) *string { return &o.(*TestEntry).TG }),
		strField("tt", func(o any) *string { return &o.(*TestEntry).TT }),
		strField("nm", func(o any) *string { return &o.(*TestEntry).NM }),
		strField("ma", func(o any) *string { return &o.(*TestEntry).MA }),
		strField("sc", func(o any) *string { return &o.(*TestEntry).SC }),
		strField("tr", func(o any) *string { return &o.(*TestEntry).TR }),
		strField("tc", func(o any) *string { return &o.(*TestEntry).TC }),
		strField("co", func(o any) *string { return &o.(*TestEntry).CO }),
		strField("is", func(o any) *string { return &o.(*TestEntry).IS }),
		strField("ci", func(o any) *string { return &o.(*TestEntry).CI }),
	}
	recoveryFields = []field{
		strField("tg", func(o any) *string { return &o.(*RecoveryEntry).TG }),
		strField("fr", func(o any) *string { return &o.(*RecoveryEntry).FR }),
		strField("df", func(o any) *string { return &o.(*RecoveryEntry).DF }),
		strField("du", func(o any) *string { return &o.(*RecoveryEntry).DU }),
		strField("co", func(o any) *string { return &o.(*RecoveryEntry).CO }),
		strField("is", func(o any) *string { return &o.(*RecoveryEntry).IS }),
		strField("ci", func(o any) *string { return &o.(*RecoveryEntry).CI }),
	}
)

// objectToTree writes the known fields in table order; zero values are
// absent, as in the schema.
func objectToTree(obj any, fields []field, extra map[string]any) map[string]any {
	m := make(map[string]any, len(fields)+len(extra))
	for k, v := range extra {
		m[k] = v
	}
	for _, f := range fields {
		switch {
		case f.str != nil:
			if s := *f.str(obj); s != "" {
				m[f.name] = s
			}
		case f.num != nil:
			if n := *f.num(obj); n != 0 {
				m[f.name] = json.Number(strconv.Itoa(n))
			}
		}
	}
	return m
}

// objectFromTree fills obj from m. A field of the wrong type is an error
// naming the field: the typed model cannot hold it. A whole number written
// 2.0 or 2e0 is held as 2; validation of the tree tells issuance to refuse
// it.
func objectFromTree(m map[string]any, path string, obj any, fields []field) (map[string]any, error) {
	var extra map[string]any
	for k, v := range m {
		i := slices.IndexFunc(fields, func(f field) bool { return f.name == k })
		if i < 0 {
			if extra == nil {
				extra = make(map[string]any)
			}
			extra[k] = v
			continue
		}
		f := fields[i]
		switch {
		case f.str != nil:
			s, ok := v.(string)
			if !ok {
				return nil, fieldError(fieldPath(path, k), msg.MustString)
			}
			*f.str(obj) = s
		case f.num != nil:
			w, isNum := readWhole(v)
			switch {
			case !isNum:
				return nil, fieldError(fieldPath(path, k), msg.MustInteger)
			case !w.integral:
				return nil, fieldError(fieldPath(path, k), msg.IntegerGot.With(v))
			case !w.fits || w.n > math.MaxInt || w.n < math.MinInt:
				return nil, fieldError(fieldPath(path, k), msg.IntegerRange.With(v))
			}
			*f.num(obj) = int(w.n)
		}
	}
	return extra, nil
}

// fieldError is the one problem that stops a tree from becoming a Payload.
func fieldError(path string, reason i18n.Text) error {
	return &ValidationError{Problems: []Problem{{Path: path, Reason: reason.EN, Text: reason, Severity: Error}}}
}

// Tree returns the payload as the generic JSON tree that validation reads.
func (p *Payload) Tree() map[string]any {
	m := make(map[string]any, 5+len(p.Extra))
	for k, v := range p.Extra {
		m[k] = v
	}
	if p.Ver != "" {
		m["ver"] = p.Ver
	}
	m["nam"] = objectToTree(&p.Nam, nameFields, p.Nam.Extra)
	m["dob"] = p.DOB
	if p.V != nil {
		a := make([]any, len(p.V))
		for i := range p.V {
			a[i] = objectToTree(&p.V[i], vaccinationFields, p.V[i].Extra)
		}
		m["v"] = a
	}
	if p.T != nil {
		a := make([]any, len(p.T))
		for i := range p.T {
			a[i] = objectToTree(&p.T[i], testFields, p.T[i].Extra)
		}
		m["t"] = a
	}
	if p.R != nil {
		a := make([]any, len(p.R))
		for i := range p.R {
			a[i] = objectToTree(&p.R[i], recoveryFields, p.R[i].Extra)
		}
		m["r"] = a
	}
	return m
}

// FromTree builds a payload from a generic tree (as read from JSON or CBOR).
// It fails only where the typed model cannot hold a value, with a
// *ValidationError naming the field; it does not validate. Every tree that
// lenient validation accepts can be held.
func FromTree(tree any) (*Payload, error) {
	m, ok := tree.(map[string]any)
	if !ok {
		return nil, fieldError("", msg.NotObject)
	}
	p := &Payload{}
	for k, v := range m {
		var err error
		switch k {
		case "ver", "dob":
			s, ok := v.(string)
			if !ok {
				return nil, fieldError(k, msg.MustString)
			}
			if k == "ver" {
				p.Ver = s
			} else {
				p.DOB = s
			}
		case "nam":
			o, ok := v.(map[string]any)
			if !ok {
				return nil, fieldError("nam", msg.MustObject)
			}
			p.Nam.Extra, err = objectFromTree(o, "nam", &p.Nam, nameFields)
		case "v":
			p.V, err = entriesFromTree(v, "v", vaccinationFields, func(e *VaccinationEntry) *map[string]any { return &e.Extra })
		case "t":
			p.T, err = entriesFromTree(v, "t", testFields, func(e *TestEntry) *map[string]any { return &e.Extra })
		case "r":
			p.R, err = entriesFromTree(v, "r", recoveryFields, func(e *RecoveryEntry) *map[string]any { return &e.Extra })
		default:
			if p.Extra == nil {
				p.Extra = make(map[string]any)
			}
			p.Extra[k] = v
		}
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}

func entriesFromTree[E any](v any, path string, fields []field, extra func(*E) *map[string]any) ([]E, error) {
	a, ok := v.([]any)
	if !ok {
		return nil, fieldError(path, msg.MustArray)
	}
	out := make([]E, len(a))
	for i, e := range a {
		o, ok := e.(map[string]any)
		if !ok {
			return nil, fieldError(indexPath(path, i), msg.MustObjectEntry)
		}
		x, err := objectFromTree(o, indexPath(path, i), &out[i], fields)
		if err != nil {
			return nil, err
		}
		*extra(&out[i]) = x
	}
	return out, nil
}

// UnmarshalJSON decodes a payload strictly: malformed JSON, duplicate keys,
// non-UTF-8 and inputs over MaxInput are errors. It does not validate.
func (p *Payload) UnmarshalJSON(data []byte) error {
	tree, err := decodeJSON(data)
	if err != nil {
		return err
	}
	q, err := FromTree(tree)
	if err != nil {
		return err
	}
	*p = *q
	return nil
}

// MarshalJSON writes the payload with the schema's fields in the order of
// Annex V, followed by any unknown fields kept from decoding.
func (p *Payload) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	w := orderedWriter{b: &b}
	w.object(p.Tree(), []string{"ver", "nam", "dob", "v", "t", "r"}, 0)
	if w.err != nil {
		return nil, w.err
	}
	return b.Bytes(), nil
}

// UnmarshalCBOR decodes a payload from CBOR (the hcert claim's content).
func (p *Payload) UnmarshalCBOR(data []byte) error {
	tree, err := decodeCBOR(data)
	if err != nil {
		return err
	}
	q, err := FromTree(tree)
	if err != nil {
		return err
	}
	*p = *q
	return nil
}

// MarshalCBOR encodes the payload as deterministic CBOR with integers kept
// as integers.
func (p *Payload) MarshalCBOR() ([]byte, error) {
	em, err := cborEncMode()
	if err != nil {
		return nil, err
	}
	return em.Marshal(toCBOR(p.Tree()))
}

// orderedWriter writes a tree as JSON with a chosen key order, so that a
// payload reads as Annex V presents it.
type orderedWriter struct {
	b   *bytes.Buffer
	err error
}

var fieldOrder = map[string][]string{
	"nam": {"fn", "fnt", "gn", "gnt"},
	"v":   {"tg", "vp", "mp", "ma", "dn", "sd", "dt", "co", "is", "ci"},
	"t":   {"tg", "tt", "nm", "ma", "sc", "tr", "tc", "co", "is", "ci"},
	"r":   {"tg", "fr", "df", "du", "co", "is", "ci"},
}

func (w *orderedWriter) object(m map[string]any, order []string, depth int) {
	w.b.WriteByte('{')
	keys := make([]string, 0, len(m))
	for _, k := range order {
		if _, ok := m[k]; ok {
			keys = append(keys, k)
		}
	}
	var rest []string
	for k := range m {
		if !slices.Contains(order, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	keys = append(keys, rest...)
	for i, k := range keys {
		if i > 0 {
			w.b.WriteByte(',')
		}
		w.value(k)
		w.b.WriteByte(':')
		var sub []string
		if depth == 0 {
			sub = fieldOrder[k]
		}
		w.child(m[k], sub, depth+1)
	}
	w.b.WriteByte('}')
}

func (w *orderedWriter) child(v any, order []string, depth int) {
	switch x := v.(type) {
	case map[string]any:
		w.object(x, order, depth)
	case []any:
		w.b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				w.b.WriteByte(',')
			}
			w.child(e, order, depth)
		}
		w.b.WriteByte(']')
	default:
		w.value(v)
	}
}

func (w *orderedWriter) value(v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep "SMITH<JONES" readable
	if err := enc.Encode(v); err != nil && w.err == nil {
		w.err = err
	}
	w.b.Write(bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}))
}
