package dcc_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"dcc"
)

// FuzzValidateJSON: no input makes validation panic; a payload that
// validates leniently decodes into the typed model, and one that the typed
// model refuses is refused naming the field; a payload that validates
// strictly survives a decode/encode round trip unchanged in meaning.
func FuzzValidateJSON(f *testing.F) {
	vaccination, err := os.ReadFile("testdata/vaccination.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range []string{"testdata/vaccination.json", "testdata/test-rat.json", "testdata/recovery.json"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"v":[{"dn":1e400}]}`))
	f.Add([]byte(`[[[[[[]]]]]]`))
	// Number forms the schema reads as integers, and some it does not.
	for _, lit := range []string{"2.0", "2e0", "20e-1", "-0", "1e400", "1180591620717411303424", "2.0000000000000000001", "1e-400"} {
		f.Add(bytes.Replace(vaccination, []byte(`"dn": 2`), []byte(`"dn": `+lit), 1))
		f.Add(bytes.Replace(vaccination, []byte(`"sd": 2`), []byte(`"sd": `+lit), 1))
	}
	v := newValidator(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := v.ValidateJSON(data, dcc.Lenient)
		if err != nil {
			return
		}
		tree, _ := dcc.DecodeJSON(data)
		if _, err := dcc.FromTree(tree); err != nil {
			var ve *dcc.ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 || ve.Problems[0].Reason == "" {
				t.Fatalf("the typed model refuses without naming the field: %v", err)
			}
			if rep.Valid() {
				t.Fatalf("valid in lenient mode but the typed model refuses it: %v", err)
			}
		}
		srep, _ := v.ValidateJSON(data, dcc.Strict)
		if srep.Valid() && !rep.Valid() {
			t.Fatalf("valid in strict mode but not in lenient: %v", rep.Problems)
		}
		if !srep.Valid() {
			return
		}
		var p dcc.Payload
		if err := json.Unmarshal(data, &p); err != nil {
			t.Fatalf("strictly valid payload does not decode: %v", err)
		}
		if r := v.Validate(&p, dcc.Strict); !r.Valid() {
			t.Fatalf("strictly valid payload invalid after decoding: %v", r.Problems)
		}
	})
}

// FuzzDates drives the date rules through dob, t/sc and r/fr.
func FuzzDates(f *testing.F) {
	for _, s := range []string{"1979-04-14", "1901-08", "1939", "", "2021-08-20T10:03:12Z", "2021-08-20T12:03:12+02", "2021-08-20T12:03:12+0200", "2021-08-20T12:03:12+02:00", "2021-02-29", "2021-08-20T12:03:12.123+02:00"} {
		f.Add(s)
	}
	v := newValidator(f)
	base := readTree(f, "testdata/test-rat.json")
	rec := readTree(f, "testdata/recovery.json")
	f.Fuzz(func(t *testing.T, s string) {
		tree := clone(base)
		set(tree, "dob", s)
		set(tree, "t.0.sc", s)
		rep := v.ValidateTree(tree, dcc.Strict)
		for _, p := range rep.Problems {
			// "%!" marks a formatting mistake, unless the input holds it.
			if p.Reason == "" || (strings.Contains(p.Reason, "%!") && !strings.Contains(s, "%!")) {
				t.Fatalf("bad message %q", p)
			}
		}
		r := clone(rec)
		set(r, "r.0.fr", s)
		v.ValidateTree(r, dcc.Lenient)
	})
}
