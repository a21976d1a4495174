package conformance_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"dcc/internal/conformance"
)

// The upstream layout, and the ways such a file may be written, all read as
// the same rows.
func TestReadKnownIssues(t *testing.T) {
	want := []conformance.KnownIssue{
		{Test: "test_cose_schema", Country: "NL", Reason: "https://example.org/issues/107"},
		{Test: "test_cose_json", Country: "FR", TestSet: "test_pcr_ok", Reason: "https://example.org/issues/141"},
		{Test: "test_verification_check", Country: "ES", TestSet: "401", Reason: "https://example.org/issues/228"},
	}
	upstream := "test_name,country,test_set,reason\n" +
		"test_cose_schema,NL,,https://example.org/issues/107\n" +
		"test_cose_json,FR,test_pcr_ok,https://example.org/issues/141\n" +
		"test_verification_check,ES,401,https://example.org/issues/228\n"
	cases := map[string]string{
		"upstream":         upstream,
		"CRLF":             strings.ReplaceAll(upstream, "\n", "\r\n"),
		"CR":               strings.ReplaceAll(upstream, "\n", "\r"),
		"BOM":              "\ufeff" + upstream,
		"no final newline": strings.TrimSuffix(upstream, "\n"),
		"quoted": `"test_name","country","test_set","reason"` + "\n" +
			`"test_cose_schema","NL","","https://example.org/issues/107"` + "\n" +
			`"test_cose_json",FR,"test_pcr_ok","https://example.org/issues/141"` + "\n" +
			`test_verification_check,"ES","401",https://example.org/issues/228` + "\n",
		"blank lines, spaces and comments": "\n# known issues\ntest_name, country, test_set, reason\n\n" +
			"test_cose_schema , NL , , https://example.org/issues/107\n,,,\n" +
			"  test_cose_json,FR,test_pcr_ok,https://example.org/issues/141  \n\n\n" +
			"test_verification_check,ES,401,https://example.org/issues/228\n\n",
		"extra columns, other order, header spelt otherwise": "Country,Test Name,Status,Test-Set,Reason,Notes\n" +
			"NL,test_cose_schema,open,,https://example.org/issues/107,\n" +
			"FR,test_cose_json,open,test_pcr_ok,https://example.org/issues/141\n" +
			"ES,test_verification_check,,401,https://example.org/issues/228,x,y\n",
		"no header": "test_cose_schema,NL,,https://example.org/issues/107\n" +
			"test_cose_json,FR,test_pcr_ok,https://example.org/issues/141\n" +
			"test_verification_check,ES,401,https://example.org/issues/228\n",
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := conformance.ReadKnownIssues(strings.NewReader(text))
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if got[i].Line <= 0 {
					t.Errorf("row %d: line %d", i, got[i].Line)
				}
				got[i].Line = 0
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestReadKnownIssuesLineNumbers(t *testing.T) {
	got, err := conformance.ReadKnownIssues(strings.NewReader("test_name,country,test_set,reason\r\n\r\nt,BG,1,r\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Line != 3 {
		t.Fatalf("got %+v, want one row on line 3", got)
	}
}

func TestReadKnownIssuesBadHeader(t *testing.T) {
	_, err := conformance.ReadKnownIssues(strings.NewReader("test_name,test_set,reason\nt,1,r\n"))
	if err == nil || !strings.Contains(err.Error(), "line 1") || !strings.Contains(err.Error(), "no country column") {
		t.Fatalf("got %v, want an error naming line 1 and the missing country column", err)
	}
}

// The shared data's file, read as written: rows, not its header, each with
// a test, a country and a reason.
func TestReadKnownIssuesOfTestData(t *testing.T) {
	f, err := os.Open(filepath.Join(root, conformance.KnownIssuesFile))
	if err != nil {
		t.Skipf("member-state test vectors not found at %s: %v", root, err)
	}
	defer f.Close()
	issues, err := conformance.ReadKnownIssues(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(issues) == 0 {
		t.Fatal("no rows")
	}
	for _, k := range issues {
		if k.Test == "" || k.Country == "" || k.Reason == "" || strings.EqualFold(k.Country, "country") {
			t.Errorf("line %d: %+v: want a test, a country and a reason", k.Line, k)
		}
	}
}

// writeTree writes files (slash paths) under a new temporary root.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func run(t *testing.T, dir string) *conformance.Result {
	t.Helper()
	r, err := conformance.NewRunner()
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Run(dir)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A vector whose one flag fails, and one that passes.
const (
	failing = `{"BASE45": "bb8", "EXPECTEDRESULTS": {"EXPECTEDB45DECODE": true}}`
	passing = `{"BASE45": "bb8", "EXPECTEDRESULTS": {"EXPECTEDB45DECODE": false}}`
)

func contains(list []string, parts ...string) bool {
	for _, s := range list {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(s, p)
		}
		if all {
			return true
		}
	}
	return false
}

func TestKnownIssuesExcuseVectors(t *testing.T) {
	csv := "\ufefftest_name,country,test_set,reason,extra\r\n" +
		"test_b45decode,XX,1,https://example.org/issues/1,\r\n" +
		"\r\n" +
		`"test_b45decode","pt","1","https://example.org/issues/2, and more"` + "\r\n" +
		"test_b45decode,YY,,https://example.org/issues/3\r\n" +
		"test_b45decode,COMMON,CO2.json,https://example.org/issues/4\r\n" +
		"test_b45decode,QQ,9,https://example.org/issues/5\r\n" +
		"test_b45decode,XX,3,https://example.org/issues/6\r\n" +
		"test_b45decode,ZZ,1.3.0/5,https://example.org/issues/7\r\n"
	dir := writeTree(t, map[string]string{
		"tests/known_issues.csv":       csv,
		"XX/2DCode/raw/1.json":         failing, // excused by issue 1
		"XX/2DCode/raw/2.json":         failing, // not listed: fails
		"XX/2DCode/raw/3.json":         passing, // listed but passes
		"PT/1.0.0/2DCode/raw/1.json":   failing, // PT 1 names both versions
		"PT/1.3.0/2DCode/raw/1.json":   failing,
		"PT/1.3.0/2DCode/raw/2.json":   failing,
		"YY/2DCode/raw/a.json":         failing, // YY with no test set: every vector
		"YY/2DCode/raw/b.json":         failing,
		"common/2DCode/raw/CO2.json":   failing,
		"ZZ/1.0.0/2DCode/raw/5.json":   failing, // a test set with a path names one file
		"ZZ/1.3.0/2DCode/raw/5.json":   failing,
		"XX/2DCode/raw/notes.txt":      "not a vector",
		"XX/2DCode/png/1.json.unused":  "",
		"tests/known_issues.csv.orig":  "",
		"tests/something/2DCode/x.csv": "",
	})
	res := run(t, dir)

	wantCounts := map[string]conformance.Counts{
		"XX":     {Passed: 1, Failed: 1, Excused: 1},
		"PT":     {Failed: 1, Excused: 2},
		"YY":     {Excused: 2},
		"common": {Excused: 1},
		"ZZ":     {Failed: 1, Excused: 1},
	}
	if !reflect.DeepEqual(res.ByCountry, wantCounts) {
		t.Errorf("by country %+v, want %+v", res.ByCountry, wantCounts)
	}
	if want := (conformance.Counts{Passed: 1, Failed: 3, Excused: 7}); res.Counts != want {
		t.Errorf("totals %+v, want %+v", res.Counts, want)
	}
	var failed []string
	for _, f := range res.Failures {
		failed = append(failed, f.File)
	}
	if want := []string{"PT/1.3.0/2DCode/raw/2.json", "XX/2DCode/raw/2.json", "ZZ/1.0.0/2DCode/raw/5.json"}; !reflect.DeepEqual(failed, want) {
		t.Errorf("failed %v, want %v", failed, want)
	}
	name := filepath.Join(dir, "tests", "known_issues.csv")
	for _, want := range [][]string{
		{"XX/2DCode/raw/1.json: excused: upstream known issue", name + ":2", "test_b45decode", "https://example.org/issues/1", "fails EXPECTEDB45DECODE"},
		{"PT/1.0.0/2DCode/raw/1.json: excused", "https://example.org/issues/2, and more"},
		{"PT/1.3.0/2DCode/raw/1.json: excused", "https://example.org/issues/2, and more"},
		{"YY/2DCode/raw/b.json: excused", "https://example.org/issues/3"},
		{"common/2DCode/raw/CO2.json: excused", "https://example.org/issues/4"},
		{"ZZ/1.3.0/2DCode/raw/5.json: excused", "https://example.org/issues/7"},
	} {
		if !contains(res.Notes, want...) {
			t.Errorf("no note with %q in\n%s", want, strings.Join(res.Notes, "\n"))
		}
	}
	for _, want := range [][]string{
		{name + ":7", "test_b45decode QQ 9", "matches no vector"},
		{"XX/2DCode/raw/3.json", name + ":8", "https://example.org/issues/6", "passes every flag: counted as passed"},
	} {
		if !contains(res.Warnings, want...) {
			t.Errorf("no warning with %q in\n%s", want, strings.Join(res.Warnings, "\n"))
		}
	}
	if len(res.Warnings) != 2 {
		t.Errorf("%d warnings, want 2:\n%s", len(res.Warnings), strings.Join(res.Warnings, "\n"))
	}
}

// Without a known_issues.csv nothing is excused but the project's own list.
func TestNoKnownIssues(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"XX/2DCode/raw/1.json": failing,
		"XX/2DCode/Raw/2.json": passing, // the folder's case is not checked
	})
	res := run(t, dir)
	if want := (conformance.Counts{Passed: 1, Failed: 1}); res.Counts != want || res.ByCountry["XX"] != want {
		t.Errorf("got %+v by country %+v, want %+v", res.Counts, res.ByCountry, want)
	}
}

// A root that is one country's folder counts its vectors under its name.
func TestCountryFolderAsRoot(t *testing.T) {
	dir := writeTree(t, map[string]string{"XX/2DCode/raw/1.json": passing})
	for _, sub := range []string{"XX", "XX/2DCode", "XX/2DCode/raw"} {
		res := run(t, filepath.Join(dir, filepath.FromSlash(sub)))
		if want := map[string]conformance.Counts{"XX": {Passed: 1}}; !reflect.DeepEqual(res.ByCountry, want) {
			t.Errorf("%s: by country %+v, want %+v", sub, res.ByCountry, want)
		}
	}
}

func TestBadKnownIssuesFile(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"tests/known_issues.csv": "test,set,reason\nx,1,y\n",
		"XX/2DCode/raw/1.json":   passing,
	})
	r, err := conformance.NewRunner()
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Run(dir)
	if err == nil || !strings.Contains(err.Error(), "known_issues.csv") || !strings.Contains(err.Error(), "country") {
		t.Fatalf("got %v, want an error naming the file and the missing country column", err)
	}
}

// A known issue excuses the flags its upstream test judges, not the whole
// vector: another flag the vector gets wrong still fails. A test the runner
// does not know excuses every flag, and the note says so.
func TestKnownIssueExcusesItsFlagsOnly(t *testing.T) {
	csv := "test_name,country,test_set,reason\n" +
		"test_verification_check,XX,1,https://example.org/issues/1\n" +
		"test_b45decode,XX,2,https://example.org/issues/2\n" +
		"test_something_new,XX,3,https://example.org/issues/3\n"
	dir := writeTree(t, map[string]string{
		"tests/known_issues.csv": csv,
		"XX/2DCode/raw/1.json":   failing, // fails B45DECODE, listed for VERIFY: fails
		"XX/2DCode/raw/2.json":   failing, // listed for B45DECODE: excused
		"XX/2DCode/raw/3.json":   failing, // an unknown upstream test: excused whole
	})
	res := run(t, dir)
	if want := (conformance.Counts{Failed: 1, Excused: 2}); res.Counts != want {
		t.Errorf("totals %+v, want %+v", res.Counts, want)
	}
	if len(res.Failures) != 1 || res.Failures[0].File != "XX/2DCode/raw/1.json" || res.Failures[0].Flag != "EXPECTEDB45DECODE" {
		t.Errorf("failures %+v, want XX/2DCode/raw/1.json EXPECTEDB45DECODE", res.Failures)
	}
	if !contains(res.Notes, "XX/2DCode/raw/3.json: excused", "does not know: every flag", "https://example.org/issues/3") {
		t.Errorf("no note of the unknown test in\n%s", strings.Join(res.Notes, "\n"))
	}
}
