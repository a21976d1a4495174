package dcc_test

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"dcc"
	"dcc/valueset"
)

func newValidator(t testing.TB) *dcc.Validator {
	t.Helper()
	v, err := dcc.NewValidator(nil)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func readTree(t testing.TB, file string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(strings.NewReader(string(data)))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// set changes the value at a path like "v.0.dn"; a nil value deletes it.
func set(tree map[string]any, path string, value any) {
	parts := strings.Split(path, ".")
	var cur any = tree
	for _, p := range parts[:len(parts)-1] {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[p]
		case []any:
			cur = c[p[0]-'0']
		}
	}
	m := cur.(map[string]any)
	last := parts[len(parts)-1]
	if value == nil {
		delete(m, last)
	} else {
		m[last] = value
	}
}

func clone(m map[string]any) map[string]any {
	data, _ := json.Marshal(m)
	d := json.NewDecoder(strings.NewReader(string(data)))
	d.UseNumber()
	var out map[string]any
	d.Decode(&out)
	return out
}

func paths(ps []dcc.Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Path)
	}
	return out
}

func TestValidBaselines(t *testing.T) {
	v := newValidator(t)
	for _, f := range []string{"testdata/vaccination.json", "testdata/test-rat.json", "testdata/recovery.json"} {
		for _, mode := range []dcc.Mode{dcc.Strict, dcc.Lenient} {
			data, _ := os.ReadFile(f)
			rep, err := v.ValidateJSON(data, mode)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Problems) != 0 {
				t.Errorf("%s (%s): want no problems, got %v", f, mode, rep.Problems)
			}
		}
	}
}

// Each case changes one field of a valid payload and names the problem
// expected: its path, a fragment of its reason, and its severity in lenient
// mode (strict mode always reports an error).
func TestRules(t *testing.T) {
	v := newValidator(t)
	const (
		E = dcc.Error
		W = dcc.Warning
	)
	n := func(s string) json.Number { return json.Number(s) }
	cases := []struct {
		base, field string
		value       any
		path, want  string
		lenient     dcc.Severity
	}{
		// names, Annex V §3.2
		{"vaccination", "nam.fnt", "MUSTERFRAU<GÖSSINGER", "nam.fnt", "only A–Z and '<'", E},
		{"vaccination", "nam.fnt", "musterfrau", "nam.fnt", "only A–Z and '<'", E},
		{"vaccination", "nam.gnt", strings.Repeat("A", 81), "nam.gnt", "at most 80", E},
		{"vaccination", "nam.gnt", nil, "nam.gnt", "required when nam.gn is present", W},
		{"vaccination", "nam.fn", nil, "nam.fn", "required when nam.fnt is present", W},
		{"vaccination", "nam.gn", "", "nam.gn", "must not be empty", W},
		{"vaccination", "nam.fnt", "<MUSTERFRAU", "nam.fnt", "neither begins nor ends", W},
		// date of birth
		{"vaccination", "dob", "1899-12-31", "dob", "outside 1900-01-01", E},
		{"vaccination", "dob", "2100", "dob", "outside 1900-01-01", E},
		{"vaccination", "dob", "1979-02-30", "dob", "not a date", E},
		{"vaccination", "dob", "1979-4-14", "dob", "not a date", E},
		{"vaccination", "dob", "1979-04-14T00:00:00", "dob", "not a date", E},
		// vaccination, Annex V §4.1 and Annex II
		{"vaccination", "v.0.dn", n("0"), "v[0].dn", "positive integer", E},
		{"vaccination", "v.0.sd", n("1.5"), "v[0].sd", "", E},
		{"vaccination", "v.0.dn", n("3"), "v[0].dn", "greater than the total", W},
		{"vaccination", "v.0.dt", "2021-03-28T10:00:00Z", "v[0].dt", "full date", E},
		{"vaccination", "v.0.dt", "2021-03", "v[0].dt", "full date", E},
		{"vaccination", "v.0.tg", "840539007", "v[0].tg", "disease-agent-targeted", W},
		{"vaccination", "v.0.mp", "EU/1/99/9999", "v[0].mp", "not in value set vaccine-medicinal-product", W},
		{"vaccination", "v.0.ma", "ORG-100031184", "v[0].ma", "marketing authorisation holder is ORG-100030215", W},
		{"vaccination", "v.0.vp", "1157024006", "v[0].vp", "does not match product", W},
		{"vaccination", "v.0.co", "XX", "v[0].co", "country-2-codes", W},
		{"vaccination", "v.0.is", strings.Repeat("é", 81), "v[0].is", "at most 80", E},
		{"vaccination", "v.0.is", " ", "v[0].is", "must not be empty", W},
		{"vaccination", "v.0.ci", "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#C", "v[0].ci", "not a valid UVCI", W},
		{"vaccination", "v.0.ci", "URN:UVCI:02:AT:10807843F94AEE0EE5093FBC254BD813", "v[0].ci", "not a valid UVCI", W},
		{"vaccination", "v.0.extra", "x", "v[0].extra", "unknown field", W},
		{"vaccination", "nam.xx", "x", "nam.xx", "unknown field", W},
		{"vaccination", "foo", "x", "foo", "unknown field", W},
		{"vaccination", "ver", "2.0.0", "ver", "not supported", E},
		{"vaccination", "ver", "1.3", "ver", "not a schema version", E},
		{"vaccination", "dob", nil, "", "missing required field dob", E},
		{"vaccination", "v", []any{}, "v", "exactly one entry", E},
		// tests, Annex V §4.2
		{"test-rat", "t.0.sc", "2021-06-01T10:00:00", "t[0].sc", "not a sample time", E},
		{"test-rat", "t.0.sc", "2021-06-01 10:00:00Z", "t[0].sc", "not a sample time", E},
		{"test-rat", "t.0.sc", "2021-06-01T10:00:00+2", "t[0].sc", "not a sample time", E},
		{"test-rat", "t.0.sc", "2021-06-01T10:00:00.000Z", "t[0].sc", "fractional seconds", W},
		{"test-rat", "t.0.ma", nil, "t[0].ma", "required for a rapid antigen test", E},
		{"test-rat", "t.0.nm", "Some test", "t[0].nm", "must not be used for a rapid antigen test", W},
		{"test-rat", "t.0.ma", "999999", "t[0].ma", "not in value set test-manf", W},
		{"test-rat", "t.0.tc", "", "t[0].tc", "must not be empty", W},
		{"test-rat", "t.0.tc", strings.Repeat("x", 81), "t[0].tc", "at most 80", E},
		{"test-rat", "t.0.tt", "LP1234-5", "t[0].tt", "not in value set test-type", W},
		{"test-rat", "t.0.tr", "123", "t[0].tr", "not in value set test-result", W},
		// recovery, Annex V §4.3
		{"recovery", "r.0.df", "2021-05-28", "r[0].df", "earlier than fr + 11 days", W},
		{"recovery", "r.0.du", "2021-11-15", "r[0].du", "later than fr + 180 days", W},
		{"recovery", "r.0.du", "2021-05-20", "r[0].du", "earlier than df", E},
		{"recovery", "r.0.fr", "18.05.2021", "r[0].fr", "full date", E},
	}
	for _, c := range cases {
		base := readTree(t, "testdata/"+c.base+".json")
		tree := clone(base)
		set(tree, c.field, c.value)
		for _, mode := range []dcc.Mode{dcc.Strict, dcc.Lenient} {
			rep := v.ValidateTree(tree, mode)
			want := dcc.Error
			if mode == dcc.Lenient {
				want = c.lenient
			}
			// What the interface shows: both languages, the English the reason.
			for _, p := range rep.Problems {
				if p.Text.ES == "" || p.Text.ES == p.Text.EN || p.Text.EN != p.Reason {
					t.Errorf("%s=%v (%s): %s: text %+v is not the reason %q in Spanish and English", c.field, c.value, mode, p.Path, p.Text, p.Reason)
				}
			}
			i := slices.IndexFunc(rep.Problems, func(p dcc.Problem) bool {
				return p.Path == c.path && strings.Contains(p.Reason, c.want)
			})
			if i < 0 {
				t.Errorf("%s=%v (%s): want problem %q at %q, got %v", c.field, c.value, mode, c.want, c.path, rep.Problems)
				continue
			}
			if got := rep.Problems[i].Severity; got != want {
				t.Errorf("%s=%v (%s): severity %s, want %s (%v)", c.field, c.value, mode, got, want, rep.Problems[i])
			}
			if want == dcc.Warning && !rep.Valid() {
				t.Errorf("%s=%v (%s): a warning alone must leave the payload valid: %v", c.field, c.value, mode, rep.Problems)
			}
		}
	}
}

func TestTestTypeRules(t *testing.T) {
	v := newValidator(t)
	naat := readTree(t, "testdata/test-rat.json")
	set(naat, "t.0.tt", "LP6464-4")
	set(naat, "t.0.nm", "ELITechGroup, SARS-CoV-2 ELITe MGB® Kit")
	rep := v.ValidateTree(naat, dcc.Strict)
	if got := paths(rep.Errors()); !slices.Equal(got, []string{"t[0].ma"}) {
		t.Errorf("NAAT with ma: errors at %v, want [t[0].ma]: %v", got, rep.Problems)
	}
	set(naat, "t.0.ma", nil)
	set(naat, "t.0.tc", nil)
	rep = v.ValidateTree(naat, dcc.Lenient)
	if got := paths(rep.Errors()); !slices.Equal(got, []string{"t[0].tc"}) {
		t.Errorf("NAAT without tc: errors at %v, want [t[0].tc]: %v", got, rep.Problems)
	}
	set(naat, "t.0.tc", "Lab")
	set(naat, "t.0.nm", nil)
	if rep = v.ValidateTree(naat, dcc.Strict); !rep.Valid() || len(rep.Problems) != 0 {
		t.Errorf("NAAT without nm must be valid: %v", rep.Problems)
	}
}

// Schemas before 1.3.0 left t/ma optional: a verifier only warns.
func TestRATDeviceOptionalBefore13(t *testing.T) {
	v := newValidator(t)
	rat := readTree(t, "testdata/test-rat.json")
	set(rat, "t.0.ma", nil)
	set(rat, "ver", "1.2.1")
	if rep := v.ValidateTree(rat, dcc.Lenient); !rep.Valid() || !slices.Contains(paths(rep.Warnings()), "t[0].ma") {
		t.Errorf("RAT without ma under 1.2.1 (lenient): want a warning at t[0].ma: %v", rep.Problems)
	}
	set(rat, "ver", "1.3.0")
	if rep := v.ValidateTree(rat, dcc.Lenient); !slices.Contains(paths(rep.Errors()), "t[0].ma") {
		t.Errorf("RAT without ma under 1.3.0 (lenient): want an error at t[0].ma: %v", rep.Problems)
	}
}

func TestAllProblemsAtOnce(t *testing.T) {
	v := newValidator(t)
	tree := readTree(t, "testdata/vaccination.json")
	set(tree, "dob", "1800")
	set(tree, "nam.fnt", "müller")
	set(tree, "v.0.dn", json.Number("0"))
	set(tree, "v.0.dt", "yesterday")
	set(tree, "v.0.co", "ZZ")
	rep := v.ValidateTree(tree, dcc.Strict)
	want := []string{"nam.fnt", "dob", "v[0].co", "v[0].dn", "v[0].dt"}
	if got := paths(rep.Errors()); !slices.Equal(got, want) {
		t.Errorf("errors at %v, want %v:\n%v", got, want, rep.Problems)
	}
	var ve *dcc.ValidationError
	if err := rep.Err(); !errors.As(err, &ve) || len(ve.Problems) != len(want) {
		t.Errorf("Err() = %v, want a ValidationError with %d problems", err, len(want))
	}
}

func TestSchemaSelection(t *testing.T) {
	v := newValidator(t)
	tree := readTree(t, "testdata/vaccination.json")
	for ver, want := range map[string]string{"1.3.0": "1.3.0", "1.3.3": "1.3.3", "1.3.9": "1.3.3", "1.2.1": "1.2.1", "1.0.0": "1.0.0"} {
		set(tree, "ver", ver)
		rep := v.ValidateTree(tree, dcc.Lenient)
		if rep.Schema != want {
			t.Errorf("ver %s: schema %s, want %s", ver, rep.Schema, want)
		}
	}
	// Schema 1.3.0 requires fnt; 1.3.3 accepts gnt alone (Annex V §3.2).
	set(tree, "nam", map[string]any{"gn": "Charles", "gnt": "CHARLES"})
	set(tree, "ver", "1.3.3")
	if rep := v.ValidateTree(tree, dcc.Strict); !rep.Valid() {
		t.Errorf("1.3.3 with only a given name: %v", rep.Problems)
	}
	set(tree, "ver", "1.3.0")
	if rep := v.ValidateTree(tree, dcc.Strict); rep.Valid() {
		t.Errorf("1.3.0 with only a given name must fail the schema")
	}
	// Issuance writes 1.3.x only.
	set(tree, "ver", "1.2.1")
	if rep := v.ValidateTree(tree, dcc.Strict); !slices.Contains(paths(rep.Errors()), "ver") {
		t.Errorf("strict validation must refuse ver 1.2.1: %v", rep.Problems)
	}
}

func TestPrepareForIssuance(t *testing.T) {
	p := &dcc.Payload{T: []dcc.TestEntry{{TC: strings.Repeat("Ö", 90)}}}
	w := dcc.PrepareForIssuance(p)
	if len(w) != 1 || w[0].Path != "t[0].tc" || w[0].Severity != dcc.Warning {
		t.Fatalf("warnings %v", w)
	}
	if got := len([]rune(p.T[0].TC)); got != 80 {
		t.Errorf("tc has %d characters after truncation, want 80", got)
	}
	if w := dcc.PrepareForIssuance(p); len(w) != 0 {
		t.Errorf("second call changed something: %v", w)
	}
}

func TestCheckSchemaOnly(t *testing.T) {
	v := newValidator(t)
	tree := readTree(t, "testdata/vaccination.json")
	set(tree, "v.0.co", "XX")      // a value-set miss: not the schema's business
	set(tree, "dob", "1979-02-30") // matches the schema's pattern
	if rep := v.CheckSchema(tree); len(rep.Problems) != 0 {
		t.Errorf("schema-only check reported %v", rep.Problems)
	}
	set(tree, "v.0.dn", json.Number("0"))
	if rep := v.CheckSchema(tree); !slices.Equal(paths(rep.Errors()), []string{"v[0].dn"}) {
		t.Errorf("schema-only check: %v", rep.Problems)
	}
}

// Annex V t/ma: a device removed from the value set is accepted for 72 hours
// after its removal (judged at the sample time); issuance never uses it.
func TestRATGracePeriod(t *testing.T) {
	vs, err := valueset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	set1, _ := vs.Set(valueset.TestManf)
	next := &valueset.Set{Name: set1.Name, ID: set1.ID, Date: "2021-07-02", Values: map[string]valueset.Value{}}
	for code, val := range set1.Values {
		if code != "1232" {
			next.Values[code] = val
		}
	}
	removed := time.Date(2021, 7, 2, 12, 0, 0, 0, time.UTC)
	if _, err := vs.Update(next, removed); err != nil {
		t.Fatal(err)
	}
	v, err := dcc.NewValidator(vs)
	if err != nil {
		t.Fatal(err)
	}
	tree := readTree(t, "testdata/test-rat.json") // device 1232
	for _, c := range []struct {
		sc      string
		lenient dcc.Severity
		want    string
	}{
		{"2021-07-01T10:00:00Z", dcc.Warning, "after the sample was taken"},
		{"2021-07-05T11:59:00Z", dcc.Warning, "less than 72 hours"},
		{"2021-07-05T12:01:00Z", dcc.Error, "more than 72 hours"},
	} {
		set(tree, "t.0.sc", c.sc)
		rep := v.ValidateTree(tree, dcc.Lenient)
		i := slices.IndexFunc(rep.Problems, func(p dcc.Problem) bool { return p.Path == "t[0].ma" })
		if i < 0 || rep.Problems[i].Severity != c.lenient || !strings.Contains(rep.Problems[i].Reason, c.want) {
			t.Errorf("sc %s (lenient): want %s %q, got %v", c.sc, c.lenient, c.want, rep.Problems)
		}
		if rep := v.ValidateTree(tree, dcc.Strict); !slices.Contains(paths(rep.Errors()), "t[0].ma") {
			t.Errorf("sc %s (strict): a removed device must be refused: %v", c.sc, rep.Problems)
		}
	}
}
