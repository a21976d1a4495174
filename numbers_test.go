package dcc_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"dcc"
)

// JSON Schema's "integer" is any number whose value is whole, so the schema
// accepts "dn": 2.0 and 2e0. Issuance writes integers: strict validation
// refuses the other spellings, naming the field; a verifier warns; the typed
// model holds the value, or says which field it cannot hold and why.
func TestNumberForms(t *testing.T) {
	v := newValidator(t)
	const none = -1 // FromTree refuses the value
	cases := []struct {
		lit     string
		want    string       // in the reason, both modes
		lenient dcc.Severity // of the finding in lenient mode
		typed   int          // the value FromTree gives, or none
	}{
		{"2.0", "must be written as an integer", dcc.Warning, 2},
		{"2e0", "must be written as an integer", dcc.Warning, 2},
		{"20e-1", "must be written as an integer", dcc.Warning, 2},
		{"2E+0", "must be written as an integer", dcc.Warning, 2},
		{"0.2e1", "must be written as an integer", dcc.Warning, 2},
		{"-0", "positive integer", dcc.Error, 0},
		{"2.5", "positive integer", dcc.Error, none},
		{"2.0000000000000000001", "positive integer", dcc.Error, none},
		{"1e400", "out of range", dcc.Error, none},
		{"1180591620717411303424", "out of range", dcc.Error, none}, // 2^70
		{"-1e400", "positive integer", dcc.Error, none},
		{"1e-400", "positive integer", dcc.Error, none},
	}
	for _, field := range []string{"dn", "sd"} {
		for _, c := range cases {
			tree := readTree(t, "testdata/vaccination.json")
			set(tree, "v.0."+field, json.Number(c.lit))
			path := "v[0]." + field
			for _, mode := range []dcc.Mode{dcc.Strict, dcc.Lenient} {
				rep := v.ValidateTree(tree, mode)
				want := dcc.Error
				if mode == dcc.Lenient {
					want = c.lenient
				}
				i := slices.IndexFunc(rep.Problems, func(p dcc.Problem) bool {
					return p.Path == path && strings.Contains(p.Reason, c.want)
				})
				if i < 0 {
					t.Errorf("%s %s (%s): want %q at %s, got %v", field, c.lit, mode, c.want, path, rep.Problems)
					continue
				}
				if got := rep.Problems[i].Severity; got != want {
					t.Errorf("%s %s (%s): severity %s, want %s", field, c.lit, mode, got, want)
				}
			}
			p, err := dcc.FromTree(tree)
			if c.typed == none {
				var ve *dcc.ValidationError
				if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Path != path {
					t.Errorf("%s %s: FromTree error %v, want a ValidationError at %s", field, c.lit, err, path)
				} else if !strings.Contains(ve.Problems[0].Reason, "integer") && !strings.Contains(ve.Problems[0].Reason, "range") {
					t.Errorf("%s %s: FromTree's reason %q names no rule", field, c.lit, ve.Problems[0].Reason)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s %s: FromTree: %v", field, c.lit, err)
				continue
			}
			got := p.V[0].DN
			if field == "sd" {
				got = p.V[0].SD
			}
			if got != c.typed {
				t.Errorf("%s %s: typed value %d, want %d", field, c.lit, got, c.typed)
			}
		}
	}
}

// Every value the typed model cannot hold is refused with the path of the
// field and what it must be.
func TestFromTreeNamesTheField(t *testing.T) {
	cases := []struct {
		json, path, want string
	}{
		{`[]`, "", "object"},
		{`{"ver": 1}`, "ver", "string"},
		{`{"dob": null}`, "dob", "string"},
		{`{"nam": []}`, "nam", "object"},
		{`{"nam": {"fn": 1}}`, "nam.fn", "string"},
		{`{"v": {}}`, "v", "array"},
		{`{"t": [1]}`, "t[0]", "object"},
		{`{"v": [{"dn": "2"}]}`, "v[0].dn", "integer"},
		{`{"v": [{}, {"sd": 1.5}]}`, "v[1].sd", "integer"},
		{`{"r": [{"fr": true}]}`, "r[0].fr", "string"},
	}
	for _, c := range cases {
		tree, err := dcc.DecodeJSON([]byte(c.json))
		if err != nil {
			t.Fatal(err)
		}
		_, err = dcc.FromTree(tree)
		var ve *dcc.ValidationError
		if !errors.As(err, &ve) || len(ve.Problems) != 1 {
			t.Errorf("%s: error %v, want a ValidationError with one problem", c.json, err)
			continue
		}
		if p := ve.Problems[0]; p.Path != c.path || !strings.Contains(p.Reason, c.want) || p.Severity != dcc.Error {
			t.Errorf("%s: got %q at %q, want %q at %q", c.json, p.Reason, p.Path, c.want, c.path)
		}
	}
}

// A foreign certificate may encode dn as a CBOR float: a verifier reads it,
// with a warning; issuance would never write it.
func TestCBORFloatDose(t *testing.T) {
	v := newValidator(t)
	tree := readTree(t, "testdata/vaccination.json")
	set(tree, "v.0.dn", json.Number("2.0")) // EncodeCBOR writes it as a float
	data, err := dcc.EncodeCBOR(tree)
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	if err := cbor.Unmarshal(data, &generic); err != nil {
		t.Fatal(err)
	}
	if dn, ok := generic["v"].([]any)[0].(map[any]any)["dn"].(float64); !ok || dn != 2 {
		t.Fatalf("dn is %T in CBOR, want the float 2.0", generic["v"].([]any)[0].(map[any]any)["dn"])
	}
	rep, err := v.ValidateCBOR(data, dcc.Lenient)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Valid() || !slices.Contains(paths(rep.Warnings()), "v[0].dn") {
		t.Errorf("lenient: want a valid payload with a warning at v[0].dn, got %v", rep.Problems)
	}
	if rep, _ := v.ValidateCBOR(data, dcc.Strict); !slices.Contains(paths(rep.Errors()), "v[0].dn") {
		t.Errorf("strict: want an error at v[0].dn, got %v", rep.Problems)
	}
	var p dcc.Payload
	if err := p.UnmarshalCBOR(data); err != nil || p.V[0].DN != 2 {
		t.Errorf("typed: %v, dn %d", err, p.V[0].DN)
	}
}
