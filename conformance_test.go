package dcc_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"dcc"
)

const schemaRepo = "../shared/specs/eu-dcc-schema"

// strictDeviations lists the official examples and valid test cases that
// strict (issuance) validation deliberately refuses: file → the exact error
// paths. docs/conformance.md gives the reason for each; the test keeps this
// list exact, so any change in behaviour shows up here.
var strictDeviations = map[string][]string{
	// RAT device "532" is not in the test-manf value set of the snapshot.
	"examples/test/simple-rat.json":  {"t[0].ma"},
	"test/valid/T-rat-dates3.json":   {"t[0].ma"},
	"test/valid/T-rat-min-data.json": {"t[0].ma"},
	// Identifiers with '/' or '#' as delimiters are not UVCIs (Annex III §3).
	"test/valid/R-dates1.json":     {"r[0].ci"},
	"test/valid/R-dates2.json":     {"r[0].ci"},
	"test/valid/V-dates1.json":     {"v[0].ci"},
	"test/valid/V-dates2.json":     {"v[0].ci"},
	"test/valid/T-rat-dates1.json": {"t[0].ci", "t[0].ma"},
	"test/valid/T-rat-dates2.json": {"t[0].ci", "t[0].ma"},
	// vp is not one of the codes the encoding instructions list for Jcovden.
	"examples/vaccination/standard_case_1-of-1-janssen.json": {"v[0].vp"},
	"test/valid/V-min-data.json":                             {"v[0].vp"},
	// du is later than fr + 180 days (Annex V §4.3).
	"test/valid/R-min-data.json": {"r[0].du"},
	// A name without its transliteration (Annex V §3.2).
	"test/valid/V-only-fnt.json": {"nam.gnt"},
	"test/valid/V-only-gnt.json": {"nam.fnt"},
}

func officialFiles(t *testing.T) (valid, invalid []string) {
	t.Helper()
	if _, err := os.Stat(schemaRepo); err != nil {
		t.Skipf("official schema repository not found at %s: %v", schemaRepo, err)
	}
	for _, pattern := range []string{"examples/*/*.json", "test/valid/*.json"} {
		m, _ := filepath.Glob(filepath.Join(schemaRepo, pattern))
		valid = append(valid, m...)
	}
	invalid, _ = filepath.Glob(filepath.Join(schemaRepo, "test/invalid/*.json"))
	if len(valid) < 30 || len(invalid) < 6 {
		t.Fatalf("found %d valid and %d invalid official files: the repository looks incomplete", len(valid), len(invalid))
	}
	return valid, invalid
}

// TestOfficialValid: every official example and valid test case passes
// lenient validation without errors, and strict validation except for the
// documented deviations.
func TestOfficialValid(t *testing.T) {
	v := newValidator(t)
	valid, _ := officialFiles(t)
	deviating := 0
	for _, f := range valid {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := v.ValidateJSON(data, dcc.Lenient)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !rep.Valid() {
			t.Errorf("%s: lenient: %v", f, rep.Errors())
		}
		rel, _ := filepath.Rel(schemaRepo, f)
		rel = filepath.ToSlash(rel)
		rep, _ = v.ValidateJSON(data, dcc.Strict)
		got := paths(rep.Errors())
		slices.Sort(got)
		want := slices.Clone(strictDeviations[rel])
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: strict errors at %v, want %v (docs/conformance.md): %v", rel, got, want, rep.Errors())
		}
		if len(want) > 0 {
			deviating++
		}
	}
	if deviating != len(strictDeviations) {
		t.Errorf("%d listed deviations were seen, %d are listed: remove files that no longer exist", deviating, len(strictDeviations))
	}
}

// TestOfficialInvalid: every official invalid test case fails in both modes,
// for the reason its name gives.
func TestOfficialInvalid(t *testing.T) {
	v := newValidator(t)
	_, invalid := officialFiles(t)
	want := map[string]string{
		"empty.json":           "v",
		"invalid_dob.json":     "dob",
		"invalid_dob2.json":    "dob",
		"invalid_vac.json":     "v[0].dn",
		"missing_dob.json":     "",
		"missing_fnt_gnt.json": "nam",
	}
	for _, f := range invalid {
		data, _ := os.ReadFile(f)
		for _, mode := range []dcc.Mode{dcc.Strict, dcc.Lenient} {
			rep, err := v.ValidateJSON(data, mode)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			path, known := want[filepath.Base(f)]
			if !known {
				t.Errorf("%s: new invalid case: add it to this test", f)
				continue
			}
			if !slices.Contains(paths(rep.Errors()), path) {
				t.Errorf("%s (%s): want an error at %q, got %v", filepath.Base(f), mode, path, rep.Problems)
			}
		}
	}
}
