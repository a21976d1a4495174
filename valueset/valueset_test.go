package valueset_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dcc/valueset"
)

// embeddedFiles lists the snapshot files with what the 2.12.0 release says
// about them (README table, valueSetId and valueSetDate in each file).
var embeddedFiles = []struct {
	file, name, id, date string
	values               int
}{
	{"country-2-codes.json", valueset.CountryCodes, "country-2-codes", "2019-11-01", 250},
	{"disease-agent-targeted.json", valueset.DiseaseAgentTargeted, "disease-agent-targeted", "2021-04-27", 1},
	{"test-manf-example.json", valueset.TestManf, "covid-19-lab-test-manufacturer-and-name", "2021-07-01", 88},
	{"test-result.json", valueset.TestResult, "covid-19-lab-result", "2021-04-27", 2},
	{"test-type.json", valueset.TestType, "covid-19-lab-test-type", "2021-04-27", 2},
	{"vaccine-mah-manf.json", valueset.VaccineMAH, "vaccines-covid-19-auth-holders", "2022-01-26", 31},
	{"vaccine-medicinal-product.json", valueset.VaccineProduct, "vaccines-covid-19-names", "2022-11-30", 39},
	{"vaccine-prophylaxis.json", valueset.VaccineProphylaxis, "sct-vaccines-covid-19", "2023-01-25", 9},
}

func readData(t testing.TB, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("data", file))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestNames(t *testing.T) {
	var want []string
	for _, f := range embeddedFiles {
		want = append(want, f.name)
	}
	if got := valueset.Names(); !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	for _, f := range embeddedFiles {
		for _, in := range []string{f.name, f.id} {
			name, id, ok := valueset.Canonical(in)
			if !ok || name != f.name || id != f.id {
				t.Errorf("Canonical(%q) = %q, %q, %v; want %q, %q", in, name, id, ok, f.name, f.id)
			}
		}
	}
	if _, _, ok := valueset.Canonical("vaccines-covid-19-encoding-instructions"); ok {
		t.Error("Canonical accepted the encoding instructions, which are not one of the eight sets")
	}
}

func TestEmbeddedSetsParse(t *testing.T) {
	s, err := valueset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range embeddedFiles {
		t.Run(f.name, func(t *testing.T) {
			set, err := valueset.Parse(readData(t, f.file))
			if err != nil {
				t.Fatal(err)
			}
			if set.Name != f.name || set.ID != f.id || set.Date != f.date || len(set.Values) != f.values {
				t.Errorf("Parse(%s) = {%q %q %q %d values}, want {%q %q %q %d values}",
					f.file, set.Name, set.ID, set.Date, len(set.Values), f.name, f.id, f.date, f.values)
			}
			for code, v := range set.Values {
				if v.Code != code {
					t.Errorf("entry %q has Code %q", code, v.Code)
				}
				if v.Lang != "en" || v.System == "" || v.Display == "" {
					t.Errorf("entry %q = %+v: want lang en, a system and a display", code, v)
				}
			}
			got, ok := s.Set(f.id)
			if !ok || got.Hash != set.Hash {
				t.Errorf("Embedded().Set(%q) differs from Parse of data/%s", f.id, f.file)
			}
		})
	}
}

// TestEmbeddedUnchanged checks the embedded files against the official
// snapshot, when the specs are at hand.
func TestEmbeddedUnchanged(t *testing.T) {
	const specs = "/work/shared/specs/eu-dcc-valuesets"
	if _, err := os.Stat(specs); err != nil {
		t.Skip("official snapshot not available:", err)
	}
	files := []string{"LICENSE", "vaccine-encoding-instructions.json"}
	for _, f := range embeddedFiles {
		files = append(files, f.file)
	}
	for _, file := range files {
		want, err := os.ReadFile(filepath.Join(specs, file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(readData(t, file), want) {
			t.Errorf("data/%s differs from %s/%s", file, specs, file)
		}
	}
}

// canonicalHash is an independent oracle for Set.Hash: encoding/json sorts
// map keys and writes no whitespace.
func canonicalHash(t *testing.T, data []byte) string {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	return hex.EncodeToString(sum[:])
}

func TestHash(t *testing.T) {
	for _, f := range embeddedFiles {
		t.Run(f.name, func(t *testing.T) {
			orig := readData(t, f.file)
			set, err := valueset.Parse(orig)
			if err != nil {
				t.Fatal(err)
			}
			if want := canonicalHash(t, orig); set.Hash != want {
				t.Errorf("Hash = %s, want %s (sorted keys, no whitespace)", set.Hash, want)
			}

			// Reformatted: compact, re-indented, keys re-ordered (sorted).
			var compact, indented bytes.Buffer
			if err := json.Compact(&compact, orig); err != nil {
				t.Fatal(err)
			}
			if err := json.Indent(&indented, orig, "\t", "\t\t"); err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(orig, &doc); err != nil {
				t.Fatal(err)
			}
			reordered, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			for name, data := range map[string][]byte{"compact": compact.Bytes(), "indented": indented.Bytes(), "reordered": reordered} {
				other, err := valueset.Parse(data)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if other.Hash != set.Hash {
					t.Errorf("%s: Hash changed with formatting: %s != %s", name, other.Hash, set.Hash)
				}
			}

			// Changed content.
			values := doc["valueSetValues"].(map[string]any)
			var first string
			for code := range values {
				if first == "" || code < first {
					first = code
				}
			}
			changes := map[string]func(d map[string]any){
				"date":    func(d map[string]any) { d["valueSetDate"] = "2030-01-01" },
				"active":  func(d map[string]any) { e := entry(d, first); e["active"] = !e["active"].(bool) },
				"display": func(d map[string]any) { e := entry(d, first); e["display"] = e["display"].(string) + " " },
				"version": func(d map[string]any) { e := entry(d, first); e["version"] = "x" },
				"added": func(d map[string]any) {
					d["valueSetValues"].(map[string]any)["new-code"] = map[string]any{
						"display": "x", "lang": "en", "active": true, "system": "s", "version": ""}
				},
			}
			if len(values) > 1 {
				changes["removed"] = func(d map[string]any) { delete(d["valueSetValues"].(map[string]any), first) }
			}
			for name, change := range changes {
				var d map[string]any
				_ = json.Unmarshal(orig, &d)
				change(d)
				data, _ := json.Marshal(d)
				other, err := valueset.Parse(data)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if other.Hash == set.Hash {
					t.Errorf("%s: Hash did not change with the content", name)
				}
			}
		})
	}
}

func entry(d map[string]any, code string) map[string]any {
	return d["valueSetValues"].(map[string]any)[code].(map[string]any)
}

// doc builds a test-result document around the given values member.
func doc(id, date, values string) string {
	return `{"valueSetId":"` + id + `","valueSetDate":"` + date + `","valueSetValues":` + values + `}`
}

const goodEntry = `{"display":"Not detected","lang":"en","active":true,"system":"http://snomed.info/sct","version":"v"}`

func TestParseErrors(t *testing.T) {
	good := doc("covid-19-lab-result", "2021-04-27", `{"260415000":`+goodEntry+`}`)
	if _, err := valueset.Parse([]byte(good)); err != nil {
		t.Fatalf("base document rejected: %v", err)
	}
	withEntry := func(e string) string {
		return doc("covid-19-lab-result", "2021-04-27", `{"260415000":`+e+`}`)
	}
	huge := good + strings.Repeat(" ", valueset.MaxSize)
	tests := []struct {
		name, in, wantErr string
		unknownSet        bool
	}{
		{"empty", "", "end of document", false},
		{"null", "null", "want an object, got null", false},
		{"array", "[]", "want an object, got an array", false},
		{"truncated", good[:len(good)-5], "", false},
		{"not UTF-8", doc("covid-19-lab-result", "2021-04-27", "{\"2604\xff15000\":"+goodEntry+"}"), "UTF-8", false},
		{"too large", huge, "limit", false},
		{"unknown valueSetId", doc("covid-19-lab-resultz", "2021-04-27", `{"a":`+goodEntry+`}`), `"covid-19-lab-resultz"`, true},
		{"encoding instructions", string(readData(t, "vaccine-encoding-instructions.json")), "ParseEncodings", true},
		{"empty valueSetId", doc("", "2021-04-27", `{"a":`+goodEntry+`}`), `valueSetId ""`, true},
		{"missing valueSetId", `{"valueSetDate":"2021-04-27","valueSetValues":{"a":` + goodEntry + `}}`, "missing field valueSetId", false},
		{"missing valueSetDate", `{"valueSetId":"covid-19-lab-result","valueSetValues":{"a":` + goodEntry + `}}`, "missing field valueSetDate", false},
		{"missing valueSetValues", `{"valueSetId":"covid-19-lab-result","valueSetDate":"2021-04-27"}`, "missing field valueSetValues", false},
		{"numeric valueSetId", `{"valueSetId":1}`, "valueSetId: want a string, got a number", false},
		{"date not a date", doc("covid-19-lab-result", "2021-13-01", `{"a":`+goodEntry+`}`), "valueSetDate", false},
		{"date in another format", doc("covid-19-lab-result", "27.04.2021", `{"a":`+goodEntry+`}`), "YYYY-MM-DD", false},
		{"values array", doc("covid-19-lab-result", "2021-04-27", `[]`), "valueSetValues: want an object", false},
		{"values empty", doc("covid-19-lab-result", "2021-04-27", `{}`), "empty", false},
		{"empty code", doc("covid-19-lab-result", "2021-04-27", `{"":`+goodEntry+`}`), "empty code", false},
		{"entry not object", withEntry(`"x"`), "want an object, got a string", false},
		{"missing display", withEntry(`{"lang":"en","active":true,"system":"s","version":"v"}`), "missing field display", false},
		{"missing lang", withEntry(`{"display":"d","active":true,"system":"s","version":"v"}`), "missing field lang", false},
		{"missing active", withEntry(`{"display":"d","lang":"en","system":"s","version":"v"}`), "missing field active", false},
		{"missing system", withEntry(`{"display":"d","lang":"en","active":true,"version":"v"}`), "missing field system", false},
		{"missing version", withEntry(`{"display":"d","lang":"en","active":true,"system":"s"}`), "missing field version", false},
		{"active as string", withEntry(`{"display":"d","lang":"en","active":"true","system":"s","version":"v"}`), "active: want a boolean, got a string", false},
		{"display as number", withEntry(`{"display":1,"lang":"en","active":true,"system":"s","version":"v"}`), "display: want a string, got a number", false},
		{"version null", withEntry(`{"display":"d","lang":"en","active":true,"system":"s","version":null}`), "version: want a string, got null", false},
		{"unknown entry field", withEntry(`{"display":"d","lang":"en","active":true,"system":"s","version":"v","x":1}`), `unknown field "x"`, false},
		{"unknown top-level field", `{"valueSetId":"covid-19-lab-result","extra":1}`, `unknown field "extra"`, false},
		{"duplicate code", doc("covid-19-lab-result", "2021-04-27", `{"a":`+goodEntry+`,"a":`+goodEntry+`}`), `duplicate key "a"`, false},
		{"duplicate entry field", withEntry(`{"display":"d","display":"e","lang":"en","active":true,"system":"s","version":"v"}`), `duplicate key "display"`, false},
		{"duplicate valueSetId", `{"valueSetId":"covid-19-lab-result","valueSetId":"country-2-codes"}`, "duplicate key", false},
		{"trailing data", good + ` {}`, "trailing data", false},
		{"trailing garbage", good + `x`, "trailing data", false},
		// Positions, and what encoding/json let through as U+FFFD.
		{"not UTF-8, where", "{\"valueSetId\":\n\"covid-19-lab-result\xff\"}", "not valid UTF-8 (first bad byte at line 2, column 21)", false},
		{"syntax, where", "{\"valueSetId\":\n \"covid-19-lab-result\" \"valueSetDate\"}", `document: malformed JSON: line 2, column 24: invalid character '"' after object value`, false},
		{"trailing, where", good + "\n {}", "line 2, column 2: trailing data", false},
		{"lone surrogate", withEntry(`{"display":"Not detected \udc00","lang":"en","active":true,"system":"s","version":"v"}`), "unpaired surrogate", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := valueset.Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", set)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
			if got := errors.Is(err, valueset.ErrUnknownSet); got != tt.unknownSet {
				t.Errorf("errors.Is(%q, ErrUnknownSet) = %v, want %v", err, got, tt.unknownSet)
			}
		})
	}
}

// BenchmarkParse reads the largest official set and a typical one, as
// loading a directory or a gateway download does.
func BenchmarkParse(b *testing.B) {
	for _, file := range []string{"country-2-codes.json", "vaccine-medicinal-product.json"} {
		data := readData(b, file)
		b.Run(file, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := valueset.Parse(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
