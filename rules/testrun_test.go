package rules_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dcc/certlogic"
	"dcc/rules"
)

// stage writes files (name → content) under a new directory, as a member
// state stages rules: SET/RULE-ID/rule.json, SET/RULE-ID/tests/*.json.
func stage(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// report runs the tests of dir and gives every failure and problem as a
// line, the directory left out.
func report(t *testing.T, opt rules.TestOptions, dir string) (*rules.TestReport, []string) {
	t.Helper()
	rep, err := opt.Run(dir)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, f := range rep.Failures {
		lines = append(lines, strings.ReplaceAll(f.String(), dir+string(filepath.Separator), ""))
	}
	for _, p := range rep.Problems {
		lines = append(lines, strings.ReplaceAll(p.String(), dir+string(filepath.Separator), ""))
	}
	return rep, lines
}

func checkLines(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A rule whose Logic gives a value other than a boolean, so that tests can
// expect anything: the doses as an array, or "none" without a vaccination.
const valueRule = `{"Identifier": "VR-XX-0001", "Type": "Acceptance", "Country": "XX", "Version": "1.0.0", "SchemaVersion": "1.3.0",
  "Engine": "CERTLOGIC", "EngineVersion": "9.0.0", "CertificateType": "Vaccination",
  "Description": [{"lang": "en", "desc": "The doses, as an array of two numbers."}],
  "ValidFrom": "2021-06-01T00:00:00Z", "ValidTo": "2030-06-01T00:00:00Z", "AffectedFields": ["v.0", "v.0.dn", "v.0.sd"],
  "Logic": {"if": [{"var": "payload.v.0"}, [{"var": "payload.v.0.dn"}, {"var": "payload.v.0.sd"}], "none"]}}`

// The community format: name optional, payload and expected any value,
// compared by deep equality with the Logic's result, message printed; no
// engine or schema-version gating (the rule asks for CertLogic 9.0.0 and
// schema 1.3.0; no payload has a ver).
func TestRunTestsCommunityFormat(t *testing.T) {
	dir := stage(t, map[string]string{
		"XX/VR-XX-0001/rule.json": valueRule,
		// Pass: deep equality, numbers by value.
		"XX/VR-XX-0001/tests/doses.json":   `{"payload": {"v": [{"dn": 1, "sd": 2}]}, "external": {}, "expected": [1, 2.0]}`,
		"XX/VR-XX-0001/tests/none.json":    `{"name": "no vaccination", "payload": {}, "external": {}, "expected": "none"}`,
		"XX/VR-XX-0001/tests/scalar.json":  `{"payload": "not an object", "expected": "none"}`,
		"XX/VR-XX-0001/tests/objects.json": `{"payload": {"v": [{"dn": {"a": [1]}, "sd": null}]}, "expected": [{"a": [1.0]}, null]}`,
		// Fail: the name is the file name when the test has none.
		"XX/VR-XX-0001/tests/unnamed.json": `{"payload": {"v": [{"dn": 1, "sd": 2}]}, "external": {}, "expected": [2, 2]}`,
		// Fail, with the test's message.
		"XX/VR-XX-0001/tests/message.json": `{"name": "one of two", "payload": {"v": [{"dn": 1, "sd": 2}]}, "expected": {"dn": 1},
		  "message": "the doses come as an object"}`,
		// A file may hold an array of tests; the second has no name.
		"XX/VR-XX-0001/tests/several.json": `[{"name": "first", "payload": {}, "expected": "none"}, {"payload": {}, "expected": true}]`,
		// The project's outcome word: a non-boolean result is open, and so is
		// a rule for a newer engine.
		"XX/VR-XX-0001/tests/outcome.json": `{"name": "as a verifier sees it", "payload": {"ver": "1.3.0", "v": [{"dn": 1, "sd": 2}]}, "expected": "open"}`,
		// Unreadable tests.
		"XX/VR-XX-0001/tests/no-payload.json":  `{"name": "x", "expected": true}`,
		"XX/VR-XX-0001/tests/no-expected.json": `{"name": "x", "payload": {}}`,
		"XX/VR-XX-0001/tests/bad-name.json":    `{"name": 7, "payload": {}, "expected": true}`,
	})
	rep, lines := report(t, rules.TestOptions{}, dir)
	checkLines(t, lines, []string{
		`XX/VR-XX-0001/tests/bad-name.json: VR-XX-0001: "name" must be a string, not a number`,
		`XX/VR-XX-0001/tests/message.json: VR-XX-0001 "one of two": expected {"dn":1}, got [1,2] (message: the doses come as an object)`,
		`XX/VR-XX-0001/tests/no-expected.json: VR-XX-0001: "expected" is missing`,
		`XX/VR-XX-0001/tests/no-payload.json: VR-XX-0001: "payload" is missing`,
		`XX/VR-XX-0001/tests/several.json: VR-XX-0001 "several.json[1]": expected true, got "none"`,
		`XX/VR-XX-0001/tests/unnamed.json: VR-XX-0001 "unnamed.json": expected [2,2], got [1,2]`,
	})
	if rep.Passed != 6 || rep.Failed != 6 {
		t.Errorf("%d passed, %d failed, want 6 and 6", rep.Passed, rep.Failed)
	}
}

// An evaluation error fails a test that expects a value; the project's
// "open" expects it. "pass" and "fail" are the verifier's outcomes, with
// its schema-version gating; true and false are the Logic's values,
// without.
func TestRunTestsErrorsAndOutcomes(t *testing.T) {
	dir := stage(t, map[string]string{
		"ES/VR-ES-0002/rule.json":             string(with(t, "SchemaVersion", `"1.3.0"`)),
		"ES/VR-ES-0002/tests/error.json":      `{"name": "no sd", "payload": {"v": [{"dn": 2}]}, "expected": false}`,
		"ES/VR-ES-0002/tests/open.json":       `{"name": "no sd, open", "payload": {"ver": "1.3.0", "v": [{"dn": 2}]}, "expected": "open"}`,
		"ES/VR-ES-0002/tests/value.json":      `{"name": "old schema, value", "payload": {"ver": "1.0.0", "v": [{"dn": 2, "sd": 2}]}, "expected": true}`,
		"ES/VR-ES-0002/tests/gated.json":      `{"name": "old schema, outcome", "payload": {"ver": "1.0.0", "v": [{"dn": 2, "sd": 2}]}, "expected": "open"}`,
		"ES/VR-ES-0002/tests/not-gated.json":  `{"name": "old schema, pass", "payload": {"ver": "1.0.0", "v": [{"dn": 2, "sd": 2}]}, "expected": "pass"}`,
		"ES/VR-ES-0002/tests/pass-false.json": `{"name": "incomplete", "payload": {"ver": "1.3.0", "v": [{"dn": 1, "sd": 2}]}, "expected": "pass"}`,
	})
	rep, lines := report(t, rules.TestOptions{}, dir)
	checkLines(t, lines, []string{
		`ES/VR-ES-0002/tests/error.json: VR-ES-0002 "no sd": expected false, got an error: certlogic: /if/1: all operands of a comparison operation must be of integer type: null is not`,
		`ES/VR-ES-0002/tests/not-gated.json: VR-ES-0002 "old schema, pass": expected pass, got open: rules: rule not applicable to this engine or schema version: the certificate's schema version 1.0.0 does not fit the rule's 1.3.0`,
		`ES/VR-ES-0002/tests/pass-false.json: VR-ES-0002 "incomplete": expected pass, got fail`,
	})
	if rep.Passed != 3 || rep.Failed != 3 {
		t.Errorf("%d passed, %d failed, want 3 and 3", rep.Passed, rep.Failed)
	}
}

// A test whose validation clock the rule is not valid at fails as such,
// whatever the Logic gives: ValidFrom ≤ clock < ValidTo, compared as
// instants; the test's own validationClock counts when external has none.
func TestRunTestsValidationClock(t *testing.T) {
	test := func(name, clock string) string {
		return `{"name": "` + name + `", "payload": {"v": [{"dn": 2, "sd": 2}]}, "external": {"validationClock": "` + clock + `"}, "expected": true}`
	}
	dir := stage(t, map[string]string{
		"ES/VR-ES-0002/rule.json":             validRule, // valid from 2021-07-01T00:00:00Z to 2030-06-01T00:00:00Z
		"ES/VR-ES-0002/tests/first.json":      test("the first instant", "2021-07-01T02:00:00+02:00"),
		"ES/VR-ES-0002/tests/last.json":       test("the last second", "2030-05-31T23:59:59Z"),
		"ES/VR-ES-0002/tests/before.json":     test("the day before", "2021-06-30T12:00:00Z"),
		"ES/VR-ES-0002/tests/after.json":      test("at ValidTo", "2030-06-01T00:00:00+00:00"),
		"ES/VR-ES-0002/tests/unreadable.json": test("not a date-time", "soon"),
		"ES/VR-ES-0002/tests/own.json": `{"name": "the test's clock", "payload": {"v": [{"dn": 1, "sd": 2}]}, "validationClock": "2020-01-01T00:00:00Z",
		  "expected": true, "message": "one dose of two"}`,
	})
	rep, lines := report(t, rules.TestOptions{}, dir)
	checkLines(t, lines, []string{
		`ES/VR-ES-0002/tests/after.json: VR-ES-0002 "at ValidTo": validationClock 2030-06-01T00:00:00Z is outside the rule's validity (ValidFrom 2021-07-01T00:00:00Z, ValidTo 2030-06-01T00:00:00Z): no verifier applies the rule then`,
		`ES/VR-ES-0002/tests/before.json: VR-ES-0002 "the day before": validationClock 2021-06-30T12:00:00Z is outside the rule's validity (ValidFrom 2021-07-01T00:00:00Z, ValidTo 2030-06-01T00:00:00Z): no verifier applies the rule then`,
		`ES/VR-ES-0002/tests/own.json: VR-ES-0002 "the test's clock": validationClock 2020-01-01T00:00:00Z is outside the rule's validity (ValidFrom 2021-07-01T00:00:00Z, ValidTo 2030-06-01T00:00:00Z): no verifier applies the rule then; expected true, got false (message: one dose of two)`,
	})
	if rep.Passed != 3 || rep.Failed != 3 {
		t.Errorf("%d passed, %d failed, want 3 and 3", rep.Passed, rep.Failed)
	}
	for _, f := range rep.Failures {
		if f.Outside == nil || !f.Outside.ValidFrom.Equal(time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("%s: Outside = %+v", f.File, f.Outside)
		}
	}
}

// ruleWith is a variant of validRule in a staged directory named after its
// identifier, with one passing test.
func ruleWith(t *testing.T, edits ...[2]string) map[string]string {
	t.Helper()
	tree, err := certlogic.ParseJSON([]byte(validRule))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		v, err := certlogic.ParseJSON([]byte(e[1]))
		if err != nil {
			t.Fatalf("%s: %v", e[1], err)
		}
		tree.(map[string]any)[e[0]] = v
	}
	rule, err := certlogic.MarshalJSON(tree)
	if err != nil {
		t.Fatal(err)
	}
	id := "VR-ES-0002"
	for _, e := range edits {
		if e[0] == "Identifier" {
			id = strings.Trim(e[1], `"`)
		}
	}
	return map[string]string{
		"ES/" + id + "/rule.json":       string(rule),
		"ES/" + id + "/tests/dose.json": `{"name": "complete", "payload": {"v": [{"dn": 2, "sd": 2}]}, "external": {}, "expected": true}`,
	}
}

// Each problem the gateway or the community tooling would find is reported
// for its rule, and the rule's tests still run and pass.
func TestRunTestsRuleProblems(t *testing.T) {
	for _, tt := range []struct {
		edits [][2]string
		want  []string
	}{
		{nil, nil},
		// The gateway's constraints.
		{[][2]string{{"ValidFrom", `"2030-06-01T00:00:00Z"`}}, []string{
			`ValidTo: 2030-06-01T00:00:00Z is not after ValidFrom 2030-06-01T00:00:00Z`}},
		{[][2]string{{"ValidTo", `"2021-07-03T23:59:59Z"`}}, []string{
			`ValidTo: the rule is valid for 71h59m59s: the gateway wants at least 72h`}},
		{[][2]string{{"ValidTo", `"2021-07-04T00:00:00Z"`}}, nil},
		{[][2]string{{"Identifier", `"TR-ES-0002"`}}, []string{
			`Identifier: prefix TR is for Test rules, but CertificateType is Vaccination`}},
		{[][2]string{{"Identifier", `"VR-FR-0002"`}}, []string{
			`Identifier: "VR-FR-0002" names country FR, but Country is ES`}},
		{[][2]string{{"Identifier", `"IR-ES-0002"`}}, []string{
			`Identifier: prefix IR does not fit a rule of type Acceptance (IR is for Invalidation rules)`}},
		// The gateway's schema.
		{[][2]string{{"Description", `[{"lang": "en", "desc": "Complete course."}]`}}, []string{
			`Description[0].desc: 16 characters: the gateway's schema wants at least 20`}},
		{[][2]string{{"Version", `"1.0.1-rc.1"`}}, []string{
			`Version: "1.0.1-rc.1": the gateway's schema allows MAJOR.MINOR.PATCH only`}},
		{[][2]string{{"AffectedFields", `["v.0", "v.0.dn", "v.0.sd", "v.0.dn"]`}}, []string{
			`AffectedFields[3]: "v.0.dn" is AffectedFields[1] already: the gateway's schema wants unique items`}},
		{[][2]string{{"AffectedFields", `["v"]`}, {"Logic", `true`}}, []string{
			`Logic: a boolean: the gateway's schema wants a JSON object (an operation)`,
			`AffectedFields[0]: "v": Logic reads no payload.v (nor a field inside it)`}},
		// The grant-all rule of the gateway's notes.
		{[][2]string{{"AffectedFields", `["v"]`}, {"Logic", `{"if": [true, true, {"var": "payload.v"}]}`}}, nil},
		// AffectedFields against the fields Logic reads, both ways; a field
		// listed may be the parent of one read.
		{[][2]string{{"AffectedFields", `["v.0", "v.0.dn"]`}}, []string{
			`Logic/if/1/>=/1: reads payload.v.0.sd, which AffectedFields does not list`}},
		{[][2]string{{"AffectedFields", `["v.0", "v.0.dn", "v.0.sd", "v.0.mp"]`}}, []string{
			`AffectedFields[3]: "v.0.mp": Logic reads no payload.v.0.mp (nor a field inside it)`}},
		{[][2]string{{"AffectedFields", `["v", "v.0", "v.0.dn", "v.0.sd"]`}}, nil},
		// Parse's own checks are problems too, not reasons to skip the tests.
		{[][2]string{{"Description", `[{"lang": "es", "desc": "La pauta debe estar completa."}]`}}, []string{
			`Description: no description in English (lang "en"), the fallback language`}},
		{[][2]string{{"Region", `"andalucia"`}}, []string{
			`Region: "andalucia" is not a region code (1 to 5 upper-case letters or digits)`}},
	} {
		files := ruleWith(t, tt.edits...)
		dir := stage(t, files)
		rep, lines := report(t, rules.TestOptions{}, dir)
		var want []string
		for _, w := range tt.want {
			for name := range files {
				if strings.HasSuffix(name, "rule.json") {
					id := filepath.Base(filepath.Dir(name))
					want = append(want, filepath.FromSlash(name)+": "+id+": rule problem: "+w)
				}
			}
		}
		if rep.Passed != 1 || rep.Failed != 0 {
			t.Errorf("%v: %d passed, %d failed, want the test to pass", tt.edits, rep.Passed, rep.Failed)
		}
		checkLines(t, lines, want)
	}
}

// What keeps a rule's Logic from being evaluated fails each of its tests;
// anything else is a problem of the rule, and its tests run.
func TestRunTestsUnusableRule(t *testing.T) {
	dir := stage(t, map[string]string{
		"ES/VR-ES-0002/rule.json":      string(with(t, "Logic", `{"if": [{"var": "payload.v.0"}, true]}`)),
		"ES/VR-ES-0002/tests/a.json":   `{"payload": {}, "expected": true}`,
		"ES/VR-ES-0002/tests/b.json":   `{"payload": {}, "expected": false}`,
		"ES/VR-ES-0003/rule.json":      `[` + validRule + `]`,
		"ES/VR-ES-0003/tests/a.json":   `{"payload": {}, "expected": true}`,
		"ES/VR-ES-0004/rule.json":      `{"Identifier": "VR-ES-0004", "Logic": {"var": "payload.v"}, "Logic": true}`,
		"ES/VR-ES-0004/tests/a.json":   `{"payload": {}, "expected": true}`,
		"ES/VR-ES-0005/rule.json":      strings.Replace(string(with(t, "Engine", `"JSONLOGIC"`)), "VR-ES-0002", "VR-ES-0005", 1),
		"ES/VR-ES-0005/tests/a.json":   `{"payload": {}, "expected": true}`,
		"ES/VR-ES-0006/rule.json":      `{"Identifier": "VR-ES-0006", "Logic": {"var": "payload.v"}}`,
		"ES/VR-ES-0006/tests/one.json": `{"payload": {}, "expected": null}`,
	})
	rep, lines := report(t, rules.TestOptions{}, dir)
	const invalid = `rule.json cannot be used: Logic: an "if"-operation must have exactly 3 values/operands, but it has 2`
	checkLines(t, lines[:min(5, len(lines))], []string{
		`ES/VR-ES-0002/tests/a.json: VR-ES-0002: ` + invalid,
		`ES/VR-ES-0002/tests/b.json: VR-ES-0002: ` + invalid,
		`ES/VR-ES-0003/tests/a.json: VR-ES-0003: rule.json cannot be used: holds an array of 1 rules, want one rule (a JSON object)`,
		`ES/VR-ES-0004/tests/a.json: VR-ES-0004: rule.json cannot be used: certlogic: JSON: line 1, column 61: duplicate key "Logic"`,
		`ES/VR-ES-0005/tests/a.json: VR-ES-0005: rule.json cannot be used: Engine: "JSONLOGIC" is not "CERTLOGIC", the only engine there is`,
	})
	if rep.Passed != 1 || rep.Failed != 5 {
		t.Errorf("%d passed, %d failed, want 1 and 5", rep.Passed, rep.Failed)
	}
	missing := map[string]bool{}
	for _, p := range rep.Problems {
		if p.Rule != "VR-ES-0006" || p.Upload {
			t.Errorf("problem of another rule: %s", p)
		}
		if p.Msg == "missing" {
			missing[p.Field] = true
		}
	}
	for _, f := range []string{"Type", "Country", "Version", "SchemaVersion", "Engine", "EngineVersion", "CertificateType", "Description", "ValidFrom", "ValidTo", "AffectedFields"} {
		if !missing[f] {
			t.Errorf("no problem %q missing in %v", f, rep.Problems)
		}
	}
}

// The gateway's checks of an upload apply only when asked, with the time
// of the upload and the rules published before.
func TestRunTestsUpload(t *testing.T) {
	at := time.Date(2021, 6, 20, 12, 0, 0, 0, time.UTC) // validRule is valid from 2021-07-01
	published, err := rules.Parse(with(t, "ValidFrom", `"2021-07-02T00:00:00Z"`))
	if err != nil {
		t.Fatal(err)
	}
	set, err := rules.NewSet(published)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		edits [][2]string
		up    *rules.Upload
		want  []string
	}{
		{nil, nil, nil},
		{nil, &rules.Upload{At: at}, nil},
		{nil, &rules.Upload{At: at.Add(-4 * 24 * time.Hour)}, []string{
			`ValidFrom: 2021-07-01T00:00:00Z is more than 2 weeks after the upload at 2021-06-16T12:00:00Z`}},
		{nil, &rules.Upload{At: at.Add(9*24*time.Hour + time.Hour)}, []string{
			`ValidFrom: 2021-07-01T00:00:00Z is less than 48h after the upload at 2021-06-29T13:00:00Z (Acceptance rules)`}},
		{[][2]string{{"Identifier", `"IR-ES-0002"`}, {"Type", `"Invalidation"`}}, &rules.Upload{At: at.Add(9*24*time.Hour + time.Hour)}, nil},
		{[][2]string{{"Identifier", `"IR-ES-0002"`}, {"Type", `"Invalidation"`}}, &rules.Upload{At: time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC)}, []string{
			`ValidFrom: 2021-07-01T00:00:00Z is not after the upload at 2021-07-01T00:00:00Z (Invalidation rules)`}},
		{nil, &rules.Upload{At: at, Published: set}, []string{
			`Version: 1.0.0 is not above 1.0.0, the latest published version`,
			`ValidFrom: 2021-07-01T00:00:00Z is before 2021-07-02T00:00:00Z, the ValidFrom of the published version 1.0.0`}},
		{[][2]string{{"Version", `"1.1.0"`}, {"ValidFrom", `"2021-07-02T00:00:00Z"`}}, &rules.Upload{At: at, Published: set}, nil},
	} {
		files := ruleWith(t, tt.edits...)
		dir := stage(t, files)
		rep, lines := report(t, rules.TestOptions{Upload: tt.up}, dir)
		var want []string
		for _, w := range tt.want {
			for name := range files {
				if strings.HasSuffix(name, "rule.json") {
					id := filepath.Base(filepath.Dir(name))
					want = append(want, filepath.FromSlash(name)+": "+id+": upload problem: "+w)
				}
			}
		}
		if rep.Passed != 1 || rep.Failed != 0 {
			t.Errorf("%v: %d passed, %d failed", tt.edits, rep.Passed, rep.Failed)
		}
		checkLines(t, lines, want)
	}
}

func ExampleAffectedFields() {
	logic := map[string]any{"if": []any{
		map[string]any{"var": "payload.v.0"},
		map[string]any{"in": []any{map[string]any{"var": "payload.v.0.mp"}, map[string]any{"var": "external.valueSets.vaccines-covid-19-names"}}},
		map[string]any{"reduce": []any{map[string]any{"var": "payload.t"}, map[string]any{"var": "current.tt"}, false}},
	}}
	for _, f := range rules.AffectedFields(logic) {
		fmt.Printf("%s at Logic%s\n", f.Field, f.Pointer)
	}
	// Output:
	// v.0 at Logic/if/0
	// v.0.mp at Logic/if/1/in/0
	// t at Logic/if/2/reduce/0
}

func ExampleLint() {
	r, err := rules.Parse([]byte(`{"Identifier": "TR-XX-0001", "Type": "Acceptance", "Country": "XX", "Version": "1.0.0-rc.1",
	  "SchemaVersion": "1.0.0", "Engine": "CERTLOGIC", "EngineVersion": "1.0.0", "CertificateType": "Test",
	  "Description": [{"lang": "en", "desc": "PCR tests only."}],
	  "ValidFrom": "2021-07-01T00:00:00Z", "ValidTo": "2021-07-02T00:00:00Z", "AffectedFields": ["t.0", "t.0.tr"],
	  "Logic": {"if": [{"var": "payload.t.0"}, {"===": [{"var": "payload.t.0.tt"}, "LP6464-4"]}, true]}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range rules.Lint(r) {
		fmt.Println(p)
	}
	// Output:
	// Version: "1.0.0-rc.1": the gateway's schema allows MAJOR.MINOR.PATCH only
	// Description[0].desc: 15 characters: the gateway's schema wants at least 20
	// ValidTo: the rule is valid for 24h0m0s: the gateway wants at least 72h
	// Logic/if/1/===/0: reads payload.t.0.tt, which AffectedFields does not list
	// AffectedFields[1]: "t.0.tr": Logic reads no payload.t.0.tr (nor a field inside it)
}
