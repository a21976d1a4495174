package dcc

import (
	"os"
	"testing"
)

// libraryOnly is v with every schema checked by the JSON-schema library,
// as before the compiled 1.3.x schema: the side-by-side baseline.
func libraryOnly(v *Validator) *Validator {
	w := *v
	s := *v.schemas
	s.compiled = nil
	w.schemas = &s
	return &w
}

var benchPayloads = []struct{ name, file string }{
	{"vaccination", "testdata/vaccination.json"},
	{"test", "testdata/test-rat.json"},
	{"recovery", "testdata/recovery.json"},
}

func benchValidators(b *testing.B) []struct {
	name string
	v    *Validator
} {
	v, err := NewValidator(nil)
	if err != nil {
		b.Fatal(err)
	}
	return []struct {
		name string
		v    *Validator
	}{{"library", libraryOnly(v)}, {"compiled", v}}
}

// BenchmarkValidateStrict is issuance's check of one payload from JSON
// bytes (decoding, schema, every Annex V rule), with the schema checked by
// the library and by the compiled 1.3.x validator, on the same payloads.
func BenchmarkValidateStrict(b *testing.B) {
	vs := benchValidators(b)
	for _, p := range benchPayloads {
		data, err := os.ReadFile(p.file)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range vs {
			b.Run(p.name+"/"+e.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rep, err := e.v.ValidateJSON(data, Strict)
					if err != nil || !rep.Valid() {
						b.Fatal(err, rep.Problems)
					}
				}
			})
		}
	}
}

// BenchmarkValidateStrictParallel is the same on every core at once
// (-cpu 1,2), as bulk issuance validates.
func BenchmarkValidateStrictParallel(b *testing.B) {
	vs := benchValidators(b)
	for _, p := range benchPayloads {
		data, err := os.ReadFile(p.file)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range vs {
			b.Run(p.name+"/"+e.name, func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						rep, err := e.v.ValidateJSON(data, Strict)
						if err != nil || !rep.Valid() {
							b.Error(err, rep.Problems)
							return
						}
					}
				})
			})
		}
	}
}

// BenchmarkSchemaCheck is the schema step alone, on a decoded tree.
func BenchmarkSchemaCheck(b *testing.B) {
	vs := benchValidators(b)
	for _, p := range benchPayloads {
		data, err := os.ReadFile(p.file)
		if err != nil {
			b.Fatal(err)
		}
		tree, err := decodeJSON(data)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range vs {
			b.Run(p.name+"/"+e.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if rep := e.v.CheckSchema(tree); len(rep.Problems) > 0 {
						b.Fatal(rep.Problems)
					}
				}
			})
		}
	}
}
