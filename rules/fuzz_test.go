package rules_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"dcc/rules"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(validRule))
	f.Add([]byte("[" + validRule + "]"))
	f.Add([]byte(`{"Identifier": "IR-ES-0001", "Type": "Invalidation", "Logic": {"!": [true]}}`))
	files, _ := filepath.Glob("testdata/ES/*/rule*.json")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := rules.ParseRules(data)
		if err != nil {
			var pe *rules.ParseError
			if !errors.As(err, &pe) || len(pe.Problems) == 0 {
				t.Fatalf("error %v is not a *ParseError with problems", err)
			}
			for _, p := range pe.Problems {
				if p.Field == "" || p.Msg == "" {
					t.Fatalf("problem without field or message: %+v", p)
				}
			}
			return
		}
		for _, r := range list {
			// What parses is consistent.
			if !r.ValidFrom.Before(r.ValidTo) || r.Engine != rules.Engine || r.Describe("xx") == "" || len(r.AffectedFields) == 0 {
				t.Fatalf("accepted an inconsistent rule: %+v", r)
			}
			if _, err := rules.ParseVersion(r.Version.String()); err != nil {
				t.Fatalf("version %s does not reparse: %v", r.Version, err)
			}
			// Evaluating it on anything never panics.
			r.Evaluate(map[string]any{"payload": map[string]any{"ver": "1.3.0"}, "external": nil})
		}
	})
}

func FuzzParseVersion(f *testing.F) {
	for _, s := range []string{"1.0.0", "1.2.3-rc.1+b.5", "0.0.0-0", "1.0.0-alpha.beta.01", "999999999.0.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := rules.ParseVersion(s)
		if err != nil {
			return
		}
		if v.String() != s {
			t.Fatalf("ParseVersion(%q).String() = %q", s, v)
		}
		if v.Compare(v) != 0 {
			t.Fatalf("%s is not equal to itself", v)
		}
	})
}
