package valueset_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"dcc/i18n"
	"dcc/valueset"
)

func TestName(t *testing.T) {
	s, err := valueset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		set, code string
		want      i18n.Text
	}{
		{valueset.CountryCodes, "ES", i18n.Text{ES: "España", EN: "Spain"}},
		{valueset.CountryCodes, "DE", i18n.Text{ES: "Alemania", EN: "Germany"}},
		{valueset.CountryCodes, "CI", i18n.Text{ES: "Côte d’Ivoire", EN: "Côte d'Ivoire"}},
		{valueset.CountryCodes, "VG", i18n.Text{ES: "Islas Vírgenes Británicas", EN: "British Virgin Islands"}},
		{valueset.CountryCodes, "KR", i18n.Text{ES: "Corea del Sur", EN: "Republic of Korea"}},
		{valueset.CountryCodes, "XK", i18n.Text{ES: "Kosovo", EN: "Republic of Kosovo"}},
		{valueset.CountryCodes, "MK", i18n.Text{ES: "Macedonia del Norte", EN: "North Macedonia"}},
		{valueset.CountryCodes, "WHO", i18n.Text{ES: "Organización Mundial de la Salud (OMS)", EN: "World Health Organization"}},
		{"covid-19-lab-result", "260415000", i18n.Text{ES: "No detectado", EN: "Not detected"}},
		{valueset.TestType, "LP217198-3", i18n.Text{ES: "Inmunoensayo rápido", EN: "Rapid immunoassay"}},
		{valueset.VaccineProphylaxis, "1119349007", i18n.Text{ES: "Vacuna de ARNm contra el SARS-CoV-2", EN: "SARS-CoV-2 mRNA vaccine"}},
		{valueset.VaccineProduct, "EU/1/20/1528", i18n.Text{ES: "Comirnaty", EN: "Comirnaty"}},
		{valueset.VaccineProduct, "NVX-CoV2373", i18n.Text{ES: "NVX-CoV2373 (en desuso)", EN: "NVX-CoV2373 (deprecated)"}},
		{valueset.VaccineMAH, "ORG-100030215", i18n.Text{ES: "Biontech Manufacturing GmbH", EN: "Biontech Manufacturing GmbH"}},
		{valueset.CountryCodes, "QQ", i18n.Text{ES: "QQ", EN: "QQ"}},
		{"no-such-set", "ES", i18n.Text{ES: "ES", EN: "ES"}},
	} {
		if got := s.Name(c.set, c.code); got != c.want {
			t.Errorf("Name(%s, %s) = %+v, want %+v", c.set, c.code, got, c.want)
		}
	}
	if got := s.Display(valueset.CountryCodes, "CI"); got != "Côte d'Ivoire" {
		t.Errorf("Display(CI) = %q", got)
	}
	if got, _ := s.Country("LA"); got != "Lao People's Democratic Republic" {
		t.Errorf("Country(LA) = %q", got)
	}
}

// Every country of the embedded list has a Spanish name from CLDR (or an
// override), different from the code.
func TestCountryNamesFromCLDR(t *testing.T) {
	s, err := valueset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	set, _ := s.Set(valueset.CountryCodes)
	same := 0
	for code := range set.Values {
		n := s.Name(valueset.CountryCodes, code)
		if n.ES == "" || n.EN == "" || n.ES == code || n.EN == code {
			t.Errorf("%s: %+v", code, n)
		}
		if n.ES == n.EN {
			same++
		}
	}
	// Names the same in both (Chad, Kenya, …) are few; many would mean
	// CLDR was not consulted.
	if same > len(set.Values)/3 {
		t.Errorf("%d of %d countries have the same name in Spanish and English", same, len(set.Values))
	}
}

// The reviewed table covers every code of the clinical sets of the
// snapshot, with the published English; a code published later falls back
// to its English in both.
func TestClinicalNamesCoverTheSets(t *testing.T) {
	s, err := valueset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	table := valueset.ClinicalNames()
	for _, e := range i18n.Lint(table) {
		t.Error(e)
	}
	for set, names := range table {
		vs, ok := s.Set(set)
		if !ok {
			t.Fatalf("no set %s", set)
		}
		for code, v := range vs.Values {
			n, ok := names[code]
			if !ok {
				t.Errorf("%s %s (%q) has no Spanish name in ClinicalNames", set, code, v.Display)
				continue
			}
			if n.EN != v.Display {
				t.Errorf("%s %s: the table's English %q is not the published %q", set, code, n.EN, v.Display)
			}
		}
		for code := range names {
			if _, ok := vs.Values[code]; !ok {
				t.Errorf("%s %s: in the table, not in the set", set, code)
			}
		}
	}

	// A later version with a new code.
	set, _ := s.Set(valueset.TestResult)
	set.Date = "2030-01-01"
	set.Values["999999999"] = valueset.Value{Display: "Indeterminate", Lang: "en", Active: true, System: "http://snomed.info/sct", Version: "x"}
	if _, err := s.Update(set, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := s.Name(valueset.TestResult, "999999999"); got != (i18n.Text{ES: "Indeterminate", EN: "Indeterminate"}) {
		t.Errorf("new code: %+v", got)
	}
	if got := s.Name(valueset.TestResult, "260373001"); got.ES != "Detectado" {
		t.Errorf("after Update: %+v", got)
	}
}

// The cleaning on the real embedded files: no display people read keeps an
// export artefact.
func TestCleanEmbeddedDisplays(t *testing.T) {
	s, err := valueset.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	raw := map[string]string{}
	data, err := os.ReadFile("data/country-2-codes.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Values map[string]struct{ Display string } `json:"valueSetValues"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	for code, v := range doc.Values {
		raw[code] = v.Display
	}
	// The artefacts are in the data, unchanged.
	for code, want := range map[string]string{"CI": "Côte d''Ivoire", "VI": "Virgin Islands,", "VG": "Virgin Islands, British"} {
		if raw[code] != want {
			t.Errorf("data: %s is %q, want %q (the test's premise)", code, raw[code], want)
		}
	}
	want := map[string]string{
		"CI": "Côte d'Ivoire",
		"KP": "Democratic People's Republic of Korea",
		"LA": "Lao People's Democratic Republic",
		"VI": "Virgin Islands",
		"VG": "British Virgin Islands",
		"BO": "Plurinational State of Bolivia",
		"CD": "The Democratic Republic of the Congo",
		"FM": "Federated States of Micronesia",
		"TW": "Taiwan, Province of China",
		"BQ": "Bonaire, Sint Eustatius and Saba",
		"SH": "Saint Helena, Ascension and Tristan da Cunha",
		"FK": "Falkland Islands (Malvinas)",
		"ES": "Spain",
	}
	for code, w := range want {
		if got := s.Display(valueset.CountryCodes, code); got != w {
			t.Errorf("Display(%s) = %q, want %q", code, got, w)
		}
	}
	for _, name := range valueset.Names() {
		set, _ := s.Set(name)
		for code := range set.Values {
			for _, d := range []string{s.Display(name, code), s.Name(name, code).ES, s.Name(name, code).EN} {
				if strings.Contains(d, "''") || strings.HasSuffix(d, ",") || strings.Contains(d, "  ") || strings.TrimSpace(d) != d ||
					strings.HasSuffix(d, " of") || strings.HasSuffix(d, " of the") {
					t.Errorf("%s %s: %q keeps an artefact", name, code, d)
				}
			}
		}
	}
	// A device's doubled blank.
	if got := s.Display(valueset.TestManf, "1490"); strings.Contains(got, "  ") || !strings.Contains(got, "Kit(Swab) (Influenza") {
		t.Errorf("device 1490: %q", got)
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"Korea, Republic of":                          "Republic of Korea",
		"Virgin Islands, U.S.":                        "U.S. Virgin Islands",
		"Congo, the Democratic Republic of the":       "The Democratic Republic of the Congo",
		"Côte d''Ivoire":                              "Côte d'Ivoire",
		"  Spain ,":                                   "Spain",
		"Taiwan, Province of China":                   "Taiwan, Province of China",
		"National Vaccine and Serum Institute, China": "National Vaccine and Serum Institute, China",
		"": "",
	} {
		if got := valueset.Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}
