package rules_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dcc/certlogic"
	"dcc/rules"
)

// validRule is a rule in the gateway's format; tests break it one field at
// a time.
const validRule = `{
  "Identifier": "VR-ES-0002",
  "Type": "Acceptance",
  "Country": "ES",
  "Version": "1.0.0",
  "SchemaVersion": "1.0.0",
  "Engine": "CERTLOGIC",
  "EngineVersion": "1.0.0",
  "CertificateType": "Vaccination",
  "Description": [{"lang": "en", "desc": "The vaccination course must be complete."}, {"lang": "es", "desc": "La pauta debe estar completa."}],
  "ValidFrom": "2021-07-01T00:00:00Z",
  "ValidTo": "2030-06-01T00:00:00Z",
  "AffectedFields": ["v.0", "v.0.dn", "v.0.sd"],
  "Logic": {"if": [{"var": "payload.v.0"}, {">=": [{"var": "payload.v.0.dn"}, {"var": "payload.v.0.sd"}]}, true]}
}`

// with returns validRule with a field replaced (value "" deletes it).
func with(t *testing.T, field, value string) []byte {
	t.Helper()
	tree, err := certlogic.ParseJSON([]byte(validRule))
	if err != nil {
		t.Fatal(err)
	}
	m := tree.(map[string]any)
	if value == "" {
		delete(m, field)
	} else {
		v, err := certlogic.ParseJSON([]byte(value))
		if err != nil {
			t.Fatalf("%s: %v", value, err)
		}
		m[field] = v
	}
	b, err := certlogic.MarshalJSON(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParse(t *testing.T) {
	r, err := rules.Parse([]byte(validRule))
	if err != nil {
		t.Fatal(err)
	}
	if r.Identifier != "VR-ES-0002" || r.Version != (rules.Version{Major: 1}) || r.CertificateType != rules.Vaccination ||
		r.Describe("es") != "La pauta debe estar completa." || r.Describe("fr") != "The vaccination course must be complete." ||
		!r.ValidAt(time.Date(2021, 7, 1, 0, 0, 0, 0, time.UTC)) || r.ValidAt(time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Parse = %+v", r)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct {
		field, value string
		want         string // "Field: message" of the first problem
	}{
		{"Extra", `1`, `Extra: unknown field`},
		{"Identifier", ``, `Identifier: missing`},
		{"Identifier", `"VR-ES-02"`, `Identifier: "VR-ES-02" is not of the form`},
		{"Identifier", `"VR-FR-0002"`, `Identifier: "VR-FR-0002" names country FR, but Country is ES`},
		{"Identifier", `"TR-ES-0002"`, `Identifier: prefix TR is for Test rules, but CertificateType is Vaccination`},
		{"Identifier", `"IR-ES-0002"`, `Identifier: prefix IR does not fit a rule of type Acceptance`},
		{"Identifier", `7`, `Identifier: must be a string, not a number`},
		{"Type", `"Rejection"`, `Type: "Rejection" is neither "Acceptance" nor "Invalidation"`},
		{"Country", `"es"`, `Country: "es" is not an ISO 3166-1 alpha-2 code`},
		{"Region", `""`, `Region: "" is not a region code`},
		{"Version", `"1.0"`, `Version: "1.0" is not a semantic version`},
		{"Version", `"01.0.0"`, `Version: "01.0.0" is not a semantic version`},
		{"SchemaVersion", `null`, `SchemaVersion: must be a string, not null`},
		{"Engine", `"JSONLOGIC"`, `Engine: "JSONLOGIC" is not "CERTLOGIC"`},
		{"CertificateType", `"Vaccine"`, `CertificateType: "Vaccine" is not one of General, Vaccination, Test, Recovery`},
		{"Description", `[]`, `Description: must be a non-empty array`},
		{"Description", `[{"lang": "es", "desc": "Completa."}]`, `Description: no description in English`},
		{"Description", `[{"lang": "EN", "desc": "x"}]`, `Description[0].lang: "EN" is not an ISO 639-1 code`},
		{"Description", `[{"lang": "en", "desc": ""}]`, `Description[0].desc: must be a non-empty string`},
		{"Description", `[{"lang": "en", "desc": "x", "note": 1}]`, `Description[0].note: unknown field`},
		{"ValidFrom", `"2021-07-01"`, `ValidFrom: "2021-07-01" is not an RFC 3339 date-time`},
		{"ValidTo", `"2021-07-01T00:00:00Z"`, `ValidTo: 2021-07-01T00:00:00Z is not after ValidFrom 2021-07-01T00:00:00Z`},
		{"ValidTo", `"2021-07-01T01:00:00+02:00"`, `ValidTo: 2021-07-01T01:00:00+02:00 is not after ValidFrom`},
		{"AffectedFields", `["v.0", 3]`, `AffectedFields[1]: must be a non-empty string`},
		{"Logic", ``, `Logic: missing`},
		{"Logic", `{"if": [{"var": "payload.v.0"}, {"plusTime": [{"var": "payload.v.0.dt"}, 14, "days"]}]}`,
			`Logic: an "if"-operation must have exactly 3 values/operands, but it has 2`},
		{"Logic", `{"and": [true, {"or": [true, false]}]}`, `Logic/and/1: unrecognised operator: "or"`},
	} {
		_, err := rules.Parse(with(t, tt.field, tt.value))
		var pe *rules.ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%s = %s: %v, want a *ParseError", tt.field, tt.value, err)
			continue
		}
		if got := pe.Problems[0].String(); !strings.HasPrefix(got, tt.want) {
			t.Errorf("%s = %s: %q, want %q", tt.field, tt.value, got, tt.want)
		}
	}

	// Everything at once, each named.
	_, err := rules.Parse([]byte(`{"Identifier": "X", "Type": 1, "Logic": {"var": 1}}`))
	var pe *rules.ParseError
	if !errors.As(err, &pe) || len(pe.Problems) < 12 {
		t.Fatalf("%v", err)
	}
	for _, f := range []string{"Identifier", "Type", "Country", "Version", "Description", "ValidFrom", "AffectedFields", "Logic"} {
		found := false
		for _, p := range pe.Problems {
			found = found || strings.HasPrefix(p.Field, f)
		}
		if !found {
			t.Errorf("no problem for %s in %v", f, pe.Problems)
		}
	}
	// Malformed JSON, duplicate keys included.
	if _, err := rules.Parse([]byte(`{"Logic": true, "Logic": false}`)); err == nil || !strings.Contains(err.Error(), "duplicate key") {
		t.Errorf("duplicate key: %v", err)
	}
}

func TestParseRules(t *testing.T) {
	list, err := rules.ParseRules([]byte("[" + validRule + "," + string(with(t, "Version", `"1.1.0"`)) + "]"))
	if err != nil || len(list) != 2 {
		t.Fatalf("ParseRules = %v, %v", list, err)
	}
	_, err = rules.ParseRules([]byte("[" + validRule + "," + string(with(t, "Engine", `"X"`)) + "]"))
	if err == nil || !strings.Contains(err.Error(), "[1].Engine") {
		t.Errorf("ParseRules of a bad second rule: %v", err)
	}
	if _, err := rules.NewSet(list[0], list[0]); err == nil || !strings.Contains(err.Error(), "VR-ES-0002 version 1.0.0 twice") {
		t.Errorf("NewSet with a duplicate: %v", err)
	}
}

func TestVersionOrder(t *testing.T) {
	// semver.org §11's example, in order.
	order := []string{"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
		"1.0.0-rc.1", "1.0.0", "1.0.1", "1.2.0", "1.10.0", "2.0.0"}
	for i := range order {
		for j := range order {
			a, err1 := rules.ParseVersion(order[i])
			b, err2 := rules.ParseVersion(order[j])
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := a.Compare(b); got != want {
				t.Errorf("%s vs %s = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
	for _, bad := range []string{"", "1", "1.0", "v1.0.0", "1.0.0.0", "1.02.0", "1.0.0-", "1.0.0-01", "1.0.0+", "1.0.x", "-1.0.0"} {
		if _, err := rules.ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) accepted", bad)
		}
	}
	if v, err := rules.ParseVersion("1.2.3-rc.1+build.5"); err != nil || v.String() != "1.2.3-rc.1+build.5" {
		t.Errorf("ParseVersion = %v, %v", v, err)
	}
}

// The example rules and their tests, as "dcc rules test" runs them.
func TestExampleRules(t *testing.T) {
	rep, err := rules.RunTests("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Failures {
		t.Error(f)
	}
	for _, p := range rep.Problems {
		t.Error(p)
	}
	if rep.Passed < 40 {
		t.Errorf("only %d tests passed", rep.Passed)
	}
}

func TestRunTestsFailures(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("VR-ES-0002/rule.json", validRule)
	write("VR-ES-0002/tests/wrong.json", `{"name": "2/2 said to fail", "payload": {"ver": "1.3.0", "v": [{"dn": 2, "sd": 2}]}, "external": {}, "expected": "fail"}`)
	write("VR-ES-0002/tests/open.json", `{"name": "no sd", "payload": {"ver": "1.3.0", "v": [{"dn": 2}]}, "external": {}, "expected": "open"}`)
	write("VR-ES-0002/tests/bad.json", `{"name": "x", "payload": {}, "external": {}, "expected": "maybe"}`)
	write("VR-ES-0009/rule.json", validRule) // the directory is not the rule's identifier
	write("VR-ES-0009/tests/t.json", `{"name": "t", "payload": {}, "external": {}, "expected": true}`)
	write("deep/er/GR-ES-0001/rule.json", strings.Replace(strings.Replace(validRule, "VR-ES-0002", "GR-ES-0001", 1), `"Vaccination"`, `"General"`, 1))
	rep, err := rules.RunTests(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Failures {
		got = append(got, strings.ReplaceAll(f.String(), dir+"/", ""))
	}
	want := []string{
		`VR-ES-0002/tests/bad.json: VR-ES-0002 "x": expected "maybe", got true`,
		`VR-ES-0002/tests/wrong.json: VR-ES-0002 "2/2 said to fail": expected fail, got pass`,
		`VR-ES-0009/tests/t.json: VR-ES-0009: rule.json cannot be used: the rule is VR-ES-0002, but its directory is VR-ES-0009`,
		`deep/er/GR-ES-0001/rule.json: GR-ES-0001: no tests (tests/*.json)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || rep.Passed != 1 || rep.Failed != 4 {
		t.Errorf("failures:\n%s\nwant:\n%s\n(%d passed, %d failed)", strings.Join(got, "\n"), strings.Join(want, "\n"), rep.Passed, rep.Failed)
	}
	if _, err := rules.RunTests(t.TempDir()); err == nil {
		t.Error("RunTests of an empty directory succeeded")
	}
}

func loadES(t testing.TB) *rules.Set {
	t.Helper()
	s, err := rules.Load("testdata/ES")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ids(rs []*rules.Rule) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.String())
	}
	return strings.Join(out, ", ")
}

func TestSelect(t *testing.T) {
	s := loadES(t)
	if n := len(s.Rules()); n != 11 {
		t.Fatalf("%d rules loaded, want 11 (the tests directories are not rules)", n)
	}
	jan := time.Date(2022, 1, 15, 0, 0, 0, 0, time.UTC)
	mar := time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		q    rules.Query
		want string
	}{
		// The latest version valid at the time: 1.1.0 only from February.
		{rules.Query{ArrivalCountry: "ES", IssuingCountry: "DE", Type: rules.Vaccination, At: jan},
			"GR-ES-0001 1.0.0, VR-ES-0001 1.0.0, VR-ES-0002 1.0.0, VR-ES-0003 1.0.0, VR-ES-0004 1.0.0"},
		{rules.Query{ArrivalCountry: "ES", IssuingCountry: "DE", Type: rules.Vaccination, At: mar},
			"GR-ES-0001 1.0.0, VR-ES-0001 1.0.0, VR-ES-0002 1.0.0, VR-ES-0003 1.0.0, VR-ES-0004 1.1.0"},
		// A region adds its own rules.
		{rules.Query{ArrivalCountry: "ES", Region: "AN", IssuingCountry: "DE", Type: rules.Vaccination, At: mar},
			"GR-ES-0001 1.0.0, VR-ES-0001 1.0.0, VR-ES-0002 1.0.0, VR-ES-0003 1.0.0, VR-ES-0004 1.1.0, VR-ES-0005 1.0.0"},
		// Invalidation rules are the issuing country's, whatever the
		// arrival country.
		{rules.Query{ArrivalCountry: "ES", IssuingCountry: "ES", Type: rules.Test, At: mar},
			"GR-ES-0001 1.0.0, IR-ES-0001 1.0.0, TR-ES-0001 1.0.0, TR-ES-0002 1.0.0"},
		{rules.Query{ArrivalCountry: "FR", IssuingCountry: "ES", Type: rules.Recovery, At: mar}, "IR-ES-0001 1.0.0"},
		// Before and after every rule's validity.
		{rules.Query{ArrivalCountry: "ES", IssuingCountry: "ES", Type: rules.Recovery, At: time.Date(2021, 6, 30, 23, 59, 59, 0, time.UTC)}, ""},
		{rules.Query{ArrivalCountry: "ES", IssuingCountry: "ES", Type: rules.Recovery, At: time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)}, ""},
	} {
		if got := ids(s.Select(tt.q)); got != tt.want {
			t.Errorf("Select(%+v):\n got %s\nwant %s", tt.q, got, tt.want)
		}
	}
}

func payload(t testing.TB, s string) any {
	t.Helper()
	v, err := certlogic.ParseJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const vaccination = `{"ver": "1.3.0", "nam": {"fnt": "GARCIA"}, "dob": "1978-05-21",
  "v": [{"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215", "dn": 2, "sd": 2,
         "dt": "2022-01-10", "co": "ES", "is": "Ministerio de Sanidad", "ci": "URN:UVCI:01:ES:MSND/7KQ2X9VW4HT8RM3F#G"}]}`

func external(at time.Time) rules.External {
	return rules.External{
		ValueSets:         map[string][]string{"vaccines-covid-19-names": {"EU/1/20/1528", "EU/1/20/1507"}},
		ValidationClock:   at,
		CountryCode:       "ES",
		IssuerCountryCode: "ES",
		Exp:               time.Date(2023, 1, 10, 0, 0, 0, 0, time.UTC),
		IAT:               time.Date(2022, 1, 10, 9, 0, 0, 0, time.UTC),
	}
}

func TestCheck(t *testing.T) {
	s := loadES(t)
	p := payload(t, vaccination)

	res, err := s.Check(p, external(time.Date(2022, 3, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))), "es")
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != rules.Pass || len(res.Rules) != 6 {
		t.Fatalf("Check = %+v", res)
	}
	if d := res.Rules[2].Description; d != "Solo se aceptan vacunas autorizadas en la UE." {
		t.Errorf("description in Spanish: %q", d)
	}

	// Ten days after the dose: VR-ES-0003 fails, so the certificate does.
	res, _ = s.Check(p, external(time.Date(2022, 1, 20, 0, 0, 0, 0, time.UTC)), "de")
	var lines []string
	for _, r := range res.Rules {
		lines = append(lines, r.String())
	}
	if res.Outcome != rules.Fail || !strings.Contains(strings.Join(lines, "\n"), "VR-ES-0003 1.0.0: fail (The certificate is valid from 14 days after the vaccination.)") {
		t.Errorf("Check ten days after:\n%s", strings.Join(lines, "\n"))
	}

	// Without value sets, VR-ES-0001 cannot decide: open, and so overall.
	x := external(time.Date(2022, 3, 1, 10, 0, 0, 0, time.UTC))
	x.ValueSets = nil
	res, _ = s.Check(p, x, "en")
	if res.Outcome != rules.Open {
		t.Errorf("Check without value sets: %s", res.Outcome)
	}
	for _, r := range res.Rules {
		if r.Rule.Identifier == "VR-ES-0001" && (r.Outcome != rules.Open || !errors.Is(r.Err, certlogic.ErrType)) {
			t.Errorf("VR-ES-0001 without value sets: %v", r)
		}
	}

	// Invalidation: a certificate under the withdrawn prefix fails wherever
	// it is checked, as long as Spain issued it.
	withdrawn := payload(t, strings.Replace(vaccination, "MSND/", "LABX/", 1))
	x.ValueSets = external(time.Time{}).ValueSets
	x.CountryCode = "FR"
	res, _ = s.Check(withdrawn, x, "en")
	if res.Outcome != rules.Fail || len(res.Rules) != 1 || res.Rules[0].Rule.Identifier != "IR-ES-0001" {
		t.Errorf("withdrawn prefix, checked in France: %+v", res)
	}
	x.IssuerCountryCode = "PT"
	if res, _ = s.Check(withdrawn, x, "en"); res.Outcome != rules.Pass || len(res.Rules) != 0 {
		t.Errorf("issued by Portugal: %+v", res)
	}

	for _, bad := range []struct {
		payload string
		x       rules.External
	}{
		{`{"ver": "1.3.0", "v": [], "t": []}`, x},
		{`{"ver": "1.3.0", "v": [{}], "t": [{}]}`, x},
		{vaccination, rules.External{CountryCode: "ES", IssuerCountryCode: "ES"}},
		{vaccination, rules.External{ValidationClock: time.Now(), IssuerCountryCode: "ES"}},
		{vaccination, rules.External{ValidationClock: time.Now(), CountryCode: "ES"}},
	} {
		if _, err := s.Check(payload(t, bad.payload), bad.x, "en"); err == nil {
			t.Errorf("Check(%s, %+v) succeeded", bad.payload, bad.x)
		}
	}
}

func TestEvaluateOpen(t *testing.T) {
	r, err := rules.Parse(with(t, "Logic", `{"var": "payload.v.0.dn"}`))
	if err != nil {
		t.Fatal(err)
	}
	data := rules.Data(payload(t, vaccination), external(time.Now()))
	if o, err := r.Evaluate(data); o != rules.Open || !errors.Is(err, rules.ErrNotBoolean) {
		t.Errorf("a number result: %s, %v", o, err)
	}
	newer, _ := rules.Parse(with(t, "EngineVersion", `"2.0.0"`))
	if o, err := newer.Evaluate(data); o != rules.Open || !errors.Is(err, rules.ErrVersion) {
		t.Errorf("engine 2.0.0: %s, %v", o, err)
	}
	for _, ver := range []string{`"2.0.0"`, `"0.9.0"`, `1`} {
		d := rules.Data(payload(t, strings.Replace(vaccination, `"1.3.0"`, ver, 1)), external(time.Now()))
		if o, err := newer.Evaluate(d); o != rules.Open || !errors.Is(err, rules.ErrVersion) {
			t.Errorf("payload ver %s: %s, %v", ver, o, err)
		}
	}
}

func TestExternalTree(t *testing.T) {
	x := external(time.Date(2022, 3, 1, 10, 0, 0, 0, time.FixedZone("", 3600)))
	x.Region = "AN"
	b, err := certlogic.MarshalJSON(x.Tree())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"countryCode":"ES","exp":"2023-01-10T00:00:00.000Z","iat":"2022-01-10T09:00:00.000Z","issuerCountryCode":"ES","region":"AN","validationClock":"2022-03-01T10:00:00.000+01:00","valueSets":{"vaccines-covid-19-names":["EU/1/20/1528","EU/1/20/1507"]}}`
	if string(b) != want {
		t.Errorf("Tree = %s\nwant %s", b, want)
	}
}

func ExampleSet_Check() {
	set, err := rules.Load("testdata/ES")
	if err != nil {
		fmt.Println(err)
		return
	}
	cert, _ := certlogic.ParseJSON([]byte(`{"ver": "1.3.0", "dob": "1978-05-21",
	  "v": [{"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215", "dn": 1, "sd": 2,
	         "dt": "2022-01-10", "co": "ES", "is": "Ministerio de Sanidad", "ci": "URN:UVCI:01:ES:MSND/7KQ2X9VW4HT8RM3F#G"}]}`))
	res, err := set.Check(cert, rules.External{
		ValueSets:         map[string][]string{"vaccines-covid-19-names": {"EU/1/20/1528"}},
		ValidationClock:   time.Date(2022, 3, 1, 10, 0, 0, 0, time.UTC),
		CountryCode:       "ES",
		IssuerCountryCode: "ES",
	}, "en")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res.Rules {
		fmt.Println(r)
	}
	fmt.Println("overall:", res.Outcome)
	// Output:
	// GR-ES-0001 1.0.0: pass (The certificate must hold exactly one of a vaccination, a test or a recovery.)
	// IR-ES-0001 1.0.0: pass (Certificates issued under the withdrawn issuer prefix LABX are invalid.)
	// VR-ES-0001 1.0.0: pass (Only vaccines authorised in the EU are accepted.)
	// VR-ES-0002 1.0.0: fail (The vaccination course must be complete.)
	// VR-ES-0003 1.0.0: pass (The certificate is valid from 14 days after the vaccination.)
	// VR-ES-0004 1.1.0: pass (A vaccination is accepted for 270 days.)
	// overall: fail
}

func ExampleParse() {
	_, err := rules.Parse([]byte(`{
	  "Identifier": "VR-ES-0009", "Type": "Acceptance", "Country": "ES", "Version": "1.0",
	  "SchemaVersion": "1.0.0", "Engine": "CERTLOGIC", "EngineVersion": "1.0.0", "CertificateType": "Vaccination",
	  "Description": [{"lang": "en", "desc": "Doses must be numbered."}],
	  "ValidFrom": "2022-01-01T00:00:00Z", "ValidTo": "2021-01-01T00:00:00Z", "AffectedFields": ["v.0.dn"],
	  "Logic": {"if": [{"var": "payload.v.0"}, {">": [{"var": "payload.v.0.dn"}, 0]}]}}`))
	var pe *rules.ParseError
	if errors.As(err, &pe) {
		for _, p := range pe.Problems {
			fmt.Println(p)
		}
	}
	// Output:
	// Version: "1.0" is not a semantic version (MAJOR.MINOR.PATCH): want three numbers
	// ValidTo: 2021-01-01T00:00:00Z is not after ValidFrom 2022-01-01T00:00:00Z
	// Logic: an "if"-operation must have exactly 3 values/operands, but it has 2
}

// TestExamplesCopy keeps the copy of testdata that the command's testscript
// carries (a testscript runs in a scratch directory and cannot reach the
// repository) equal to testdata, file for file, as JSON.
func TestExamplesCopy(t *testing.T) {
	const script = "../internal/cli/testdata/script/rules_examples.txtar"
	data, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	copied := map[string]string{}
	var name string
	for _, line := range strings.Split(string(data), "\n") {
		if n, ok := strings.CutPrefix(line, "-- "); ok && strings.HasSuffix(n, " --") {
			name = strings.TrimSuffix(n, " --")
			copied[name] = ""
			continue
		}
		if name != "" {
			copied[name] += line + "\n"
		}
	}
	err = filepath.WalkDir("testdata/ES", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel("testdata", path)
		orig, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		c, ok := copied[filepath.ToSlash(rel)]
		if !ok {
			t.Errorf("%s: not in %s", path, script)
			return nil
		}
		delete(copied, filepath.ToSlash(rel))
		a, err1 := certlogic.ParseJSON(orig)
		b, err2 := certlogic.ParseJSON([]byte(c))
		if err1 != nil || err2 != nil || !certlogic.Equal(a, b) {
			t.Errorf("%s differs from its copy in %s (%v, %v)", path, script, err1, err2)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for n := range copied {
		t.Errorf("%s: %s is not in testdata", script, n)
	}
}
