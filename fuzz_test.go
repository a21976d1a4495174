package dcc_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"dcc"
)

// FuzzValidateJSON: no input makes validation panic, and a payload that
// validates strictly survives a decode/encode round trip unchanged in
// meaning.
func FuzzValidateJSON(f *testing.F) {
	for _, file := range []string{"testdata/vaccination.json", "testdata/test-rat.json", "testdata/recovery.json"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"v":[{"dn":1e400}]}`))
	f.Add([]byte(`[[[[[[]]]]]]`))
	v := newValidator(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := v.ValidateJSON(data, dcc.Lenient)
		if err != nil {
			return
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
			if p.Reason == "" || strings.Contains(p.Reason, "%!") {
				t.Fatalf("bad message %q", p)
			}
		}
		r := clone(rec)
		set(r, "r.0.fr", s)
		v.ValidateTree(r, dcc.Lenient)
	})
}
