package dcc_test

import (
	"encoding/json"
	"os"
	"testing"

	"dcc"
)

// BenchmarkValidateStrictVaccination is issuance's check of one payload:
// decoding the JSON, the schema and every Annex V rule.
func BenchmarkValidateStrictVaccination(b *testing.B) {
	v := newValidator(b)
	data, err := os.ReadFile("testdata/vaccination.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		rep, err := v.ValidateJSON(data, dcc.Strict)
		if err != nil || !rep.Valid() {
			b.Fatal(err, rep.Problems)
		}
	}
}

// BenchmarkValidateStrictVaccinationPayload starts from the typed payload,
// as issuance does after building it.
func BenchmarkValidateStrictVaccinationPayload(b *testing.B) {
	v := newValidator(b)
	data, _ := os.ReadFile("testdata/vaccination.json")
	var p dcc.Payload
	if err := json.Unmarshal(data, &p); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if rep := v.Validate(&p, dcc.Strict); !rep.Valid() {
			b.Fatal(rep.Problems)
		}
	}
}

// BenchmarkDecodeJSON is the strict reading of a payload into the tree, the
// first step of ValidateJSON.
func BenchmarkDecodeJSON(b *testing.B) {
	data, err := os.ReadFile("testdata/vaccination.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dcc.DecodeJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}
