package dcc

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// schema13 is the official schema 1.3.x written out in Go: what the
// library checks for it, keyword by keyword, with the library's findings
// (same instance paths, same error kinds, hence the same words). The
// library spends most of a strict validation turning each number into a
// big.Rat and allocating a scope per $ref; this does neither on a valid
// payload. TestCompiledSchemaAgrees and FuzzCompiledSchema hold it to the
// library.
//
// What the schema leaves out, this leaves out too: formats ("date",
// "date-time") are annotations under draft 2020-12 as compiled, there is no
// additionalProperties, and "valueset-uri" is not a keyword. The Annex V
// rules check those things with their own messages.
type schema13 struct {
	set *schemaSet
	ver string
	// From 1.3.2 nam needs fnt or gnt (anyOf); before, fnt (required).
	fntOrGnt bool
}

// compiled13 names the schema files schema13 was written from, by SHA-256:
// a file that differs is left to the library.
var compiled13 = map[string]struct {
	sha256   string
	fntOrGnt bool
}{
	"1.3.0": {"e11d095ffddbe4165ab23960195abe09ec690be81596fa19291b6b02bd249ce5", false},
	"1.3.1": {"64b6703defad628423f72bcb7ad809a01528e789a3d1a5ce2209044d0019d897", false},
	"1.3.2": {"0723534406d9389f4dac3d90457ebdceb52c658c7e0db94b69bfc4dd4e742c2e", true},
	"1.3.3": {"3f5103800f6223120588650933e3f1b8042f562538841ab8857c878c0c693873", true},
}

// fieldRule is what one property's subschema asks of its value.
type fieldRule uint8

const (
	anyString fieldRule = iota // "type": "string" (value-set codes, dates)
	text80                     // string, maxLength 80 (issuer, UVCI, nm, tc, fn, gn)
	country                    // country_vt: string, pattern "[A-Z]{1,10}"
	dose                       // dose_posint: integer, minimum 1
	icao80                     // fnt, gnt: string, pattern "^[A-Z<]*$", maxLength 80
)

type field13 struct {
	name     string
	rule     fieldRule
	required bool
}

// The entries' properties in the order of their "required" lists, so that
// missing fields are named in the library's order.
var (
	vaccination13 = []field13{
		{"tg", anyString, true}, {"vp", anyString, true}, {"mp", anyString, true},
		{"ma", anyString, true}, {"dn", dose, true}, {"sd", dose, true},
		{"dt", anyString, true}, {"co", country, true}, {"is", text80, true},
		{"ci", text80, true},
	}
	test13 = []field13{
		{"tg", anyString, true}, {"tt", anyString, true}, {"nm", text80, false},
		{"ma", anyString, false}, {"sc", anyString, true}, {"tr", anyString, true},
		{"tc", text80, false}, {"co", country, true}, {"is", text80, true},
		{"ci", text80, true},
	}
	recovery13 = []field13{
		{"tg", anyString, true}, {"fr", anyString, true}, {"co", country, true},
		{"is", text80, true}, {"df", anyString, true}, {"du", anyString, true},
		{"ci", text80, true},
	}
	name13 = []field13{
		{"fn", text80, false}, {"fnt", icao80, false}, {"gn", text80, false}, {"gnt", icao80, false},
	}
)

// The schema's patterns as the library prints them.
const (
	verPattern     = `^\d+.\d+.\d+$`
	dobPattern     = `^((19|20)\d\d(-\d\d){0,2}){0,1}$`
	icaoPattern    = `^[A-Z<]*$`
	countryPattern = `[A-Z]{1,10}`
)

var (
	wantObject  = []string{"object"}
	wantString  = []string{"string"}
	wantArray   = []string{"array"}
	wantInteger = []string{"integer"}
	ratOne      = big.NewRat(1, 1)
)

// run13 is one validation: the instance location being checked, as the
// library's tokens, and the findings so far.
type run13 struct {
	s     *schema13
	loc   [3]string // the schema goes 3 levels deep: v, 0, dn
	depth int
	out   []Problem
}

func (s *schema13) check(tree any) []Problem {
	r := run13{s: s}
	r.root(tree)
	return r.out
}

func (r *run13) fail(k jsonschema.ErrorKind) {
	r.out = append(r.out, r.s.set.problem(r.s.ver, r.loc[:r.depth], k))
}

// typ is the library's typeOf: the JSON type of a tree value, "" for a Go
// value that is none (a NaN, a struct).
func typ(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ""
		}
		return "number"
	case float32:
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return ""
		}
		return "number"
	case json.Number, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return ""
}

// is checks a value's type as the library does first of all: a value of
// no JSON type, or of the wrong one, ends the checks of that value.
func (r *run13) is(v any, want string) bool {
	t := typ(v)
	switch {
	case t == "":
		r.fail(&kind.InvalidJsonValue{Value: v})
		return false
	case t == want:
		return true
	}
	var w []string
	switch want {
	case "object":
		w = wantObject
	case "string":
		w = wantString
	case "array":
		w = wantArray
	}
	r.fail(&kind.Type{Got: t, Want: w})
	return false
}

func (r *run13) push(tok string) { r.loc[r.depth] = tok; r.depth++ }
func (r *run13) pop()            { r.depth-- }

func (r *run13) root(tree any) {
	if !r.is(tree, "object") {
		return
	}
	obj := tree.(map[string]any)
	if v, ok := obj["ver"]; ok {
		r.push("ver")
		if r.is(v, "string") && !matchVer(v.(string)) {
			r.fail(&kind.Pattern{Got: v.(string), Want: verPattern})
		}
		r.pop()
	}
	if v, ok := obj["nam"]; ok {
		r.push("nam")
		r.name(v)
		r.pop()
	}
	if v, ok := obj["dob"]; ok {
		r.push("dob")
		if r.is(v, "string") && !matchDob(v.(string)) {
			r.fail(&kind.Pattern{Got: v.(string), Want: dobPattern})
		}
		r.pop()
	}
	groups := [3]struct {
		name   string
		fields []field13
	}{{"v", vaccination13}, {"t", test13}, {"r", recovery13}}
	for _, g := range groups {
		if v, ok := obj[g.name]; ok {
			r.push(g.name)
			r.group(v, g.fields)
			r.pop()
		}
	}
	r.oneGroup(obj)
}

// oneGroup is the root's oneOf: ver, nam, dob and one of v, t, r.
func (r *run13) oneGroup(obj map[string]any) {
	_, hasVer := obj["ver"]
	_, hasNam := obj["nam"]
	_, hasDob := obj["dob"]
	common := hasVer && hasNam && hasDob
	var has [3]bool
	matched := -1
	for i, g := range [3]string{"v", "t", "r"} {
		_, has[i] = obj[g]
		if !common || !has[i] {
			continue
		}
		if matched >= 0 {
			r.fail(&kind.OneOf{Subschemas: []int{matched, i}})
			return
		}
		matched = i
	}
	if matched >= 0 {
		return
	}
	// None matched: the library reports each alternative's missing fields.
	for i, g := range [3]string{"v", "t", "r"} {
		var missing []string
		for _, f := range [3]struct {
			name string
			ok   bool
		}{{"ver", hasVer}, {"nam", hasNam}, {"dob", hasDob}} {
			if !f.ok {
				missing = append(missing, f.name)
			}
		}
		if !has[i] {
			missing = append(missing, g)
		}
		r.fail(&kind.Required{Missing: missing})
	}
}

func (r *run13) name(v any) {
	if !r.is(v, "object") {
		return
	}
	obj := v.(map[string]any)
	_, hasFnt := obj["fnt"]
	if !r.s.fntOrGnt && !hasFnt {
		r.fail(&kind.Required{Missing: []string{"fnt"}})
	}
	r.fields(obj, name13)
	if _, hasGnt := obj["gnt"]; r.s.fntOrGnt && !hasFnt && !hasGnt {
		r.fail(&kind.Required{Missing: []string{"fnt"}})
		r.fail(&kind.Required{Missing: []string{"gnt"}})
	}
}

func (r *run13) group(v any, fields []field13) {
	if !r.is(v, "array") {
		return
	}
	arr := v.([]any)
	if len(arr) < 1 {
		r.fail(&kind.MinItems{Got: len(arr), Want: 1})
	}
	if len(arr) > 1 {
		r.fail(&kind.MaxItems{Got: len(arr), Want: 1})
	}
	for i, e := range arr {
		r.push(strconv.Itoa(i))
		if r.is(e, "object") {
			r.entry(e.(map[string]any), fields)
		}
		r.pop()
	}
}

func (r *run13) entry(obj map[string]any, fields []field13) {
	at := len(r.out)
	var missing []string
	for _, f := range fields {
		if _, ok := obj[f.name]; !ok && f.required {
			missing = append(missing, f.name)
		}
	}
	r.fields(obj, fields)
	if missing != nil {
		// Where the library puts it: before the properties' findings.
		r.fail(&kind.Required{Missing: missing})
		p := r.out[len(r.out)-1]
		copy(r.out[at+1:], r.out[at:len(r.out)-1])
		r.out[at] = p
	}
}

func (r *run13) fields(obj map[string]any, fields []field13) {
	for _, f := range fields {
		v, ok := obj[f.name]
		if !ok {
			continue
		}
		r.push(f.name)
		r.value(v, f.rule)
		r.pop()
	}
}

func (r *run13) value(v any, rule fieldRule) {
	if rule == dose {
		r.dose(v)
		return
	}
	if !r.is(v, "string") {
		return
	}
	s := v.(string)
	switch rule {
	case text80:
		r.maxLength(s)
	case icao80:
		r.maxLength(s)
		if !matchICAO(s) {
			r.fail(&kind.Pattern{Got: s, Want: icaoPattern})
		}
	case country:
		if !matchCountry(s) {
			r.fail(&kind.Pattern{Got: s, Want: countryPattern})
		}
	}
}

func (r *run13) maxLength(s string) {
	if len(s) <= 80 { // bytes bound runes
		return
	}
	if n := utf8.RuneCountInString(s); n > 80 {
		r.fail(&kind.MaxLength{Got: n, Want: 80})
	}
}

// dose is dose_posint: an integer, at least 1. Integers written plainly are
// judged on their digits; any other form (2.0, 1e3, a Go float) as the
// library judges it, through a big.Rat of its text.
func (r *run13) dose(v any) {
	t := typ(v)
	switch t {
	case "":
		r.fail(&kind.InvalidJsonValue{Value: v})
		return
	case "number":
	default:
		r.fail(&kind.Type{Got: t, Want: wantInteger})
		return
	}
	if n, ok := v.(json.Number); ok {
		if below, plain := plainBelowOne(string(n)); plain {
			if below {
				r.fail(&kind.Minimum{Got: libraryRat(v), Want: ratOne})
			}
			return
		}
	}
	rat := libraryRat(v)
	if rat == nil || !rat.IsInt() {
		r.fail(&kind.Type{Got: "number", Want: wantInteger})
		return
	}
	if rat.Cmp(ratOne) < 0 {
		r.fail(&kind.Minimum{Got: rat, Want: ratOne})
	}
}

// libraryRat reads a number as the library does; nil when it cannot.
func libraryRat(v any) *big.Rat {
	rat, ok := new(big.Rat).SetString(fmt.Sprint(v))
	if !ok {
		return nil
	}
	return rat
}

// plainBelowOne reports for an integer written as an optional '-' and up to
// 18 digits whether it is below 1; plain is false for any other text.
func plainBelowOne(s string) (below, plain bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 18 {
		return false, false
	}
	zero := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false, false
		}
		if c != '0' {
			zero = false
		}
	}
	return zero || neg, true
}

// matchVer is `^\d+.\d+.\d+$` as Go's regexp reads it: three runs of ASCII
// digits, each pair apart by one character that is not a newline (a digit
// too), the runes of invalid UTF-8 counting one per byte.
func matchVer(s string) bool {
	// Count the runes and note where the (at most two) non-digits stand.
	n, k, odd := 0, 0, [2]int{}
	for _, c := range s {
		if c < '0' || c > '9' {
			if c == '\n' || k == 2 {
				return false
			}
			odd[k] = n
			k++
		}
		n++
	}
	switch k {
	case 0: // d+ X d+ X d+ with digits as separators
		return n >= 5
	case 1: // the non-digit is the first separator or the second
		p := odd[0]
		return (p >= 1 && p <= n-4) || (p >= 3 && p <= n-2)
	default:
		p, q := odd[0], odd[1]
		return p >= 1 && q >= p+2 && q <= n-2
	}
}

// matchDob is `^((19|20)\d\d(-\d\d){0,2}){0,1}$`: "", YYYY, YYYY-MM or
// YYYY-MM-DD with a year 19xx or 20xx, no more checked.
func matchDob(s string) bool {
	switch len(s) {
	case 0:
		return true
	case 4, 7, 10:
	default:
		return false
	}
	if !(s[0] == '1' && s[1] == '9' || s[0] == '2' && s[1] == '0') || !isDigit(s[2]) || !isDigit(s[3]) {
		return false
	}
	for i := 4; i < len(s); i += 3 {
		if s[i] != '-' || !isDigit(s[i+1]) || !isDigit(s[i+2]) {
			return false
		}
	}
	return true
}

// matchICAO is `^[A-Z<]*$`.
func matchICAO(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'A' || c > 'Z') && c != '<' {
			return false
		}
	}
	return true
}

// matchCountry is `[A-Z]{1,10}`, unanchored: some upper-case ASCII letter.
// An ASCII byte is never part of a longer UTF-8 sequence, so bytes will do.
func matchCountry(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
