package valueset

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"dcc/i18n"
)

// Name returns the name of code in the named set in Spanish and English:
//
//   - country-2-codes: Spanish from CLDR (golang.org/x/text/language/display)
//     for every region CLDR knows, English the published name cleaned (see
//     Clean). English is not taken from CLDR because the CLDR data of x/text
//     writes menu forms ("Bosnia & Herzegovina", "St. Lucia", "Congo -
//     Kinshasa") where the EU list, the one the gateway and issuers use, has
//     the full name. A code CLDR does not know has the cleaned published
//     name in both languages.
//   - disease-agent-targeted, covid-19-lab-test-type, covid-19-lab-result
//     and sct-vaccines-covid-19: the reviewed table ClinicalNames; a code
//     published after it was written has the published name in both.
//   - products, manufacturers and test devices: the published name, the
//     same in both languages (they are names), with its " (deprecated)"
//     suffix translated.
//
// For the international organisations Country accepts, their Spanish and
// English names. An unknown set or code is the code itself.
func (s *Store) Name(set, code string) i18n.Text {
	h := s.get(set)
	var (
		t  i18n.Text
		ok bool
	)
	if h != nil {
		t, ok = h.names[code]
	}
	if ok {
		return t
	}
	if d, _ := lookupDescriptor(set); d.name == CountryCodes {
		if t, ok := organisations()[code]; ok {
			return t
		}
	}
	return i18n.Text{ES: code, EN: code}
}

// organisations are the codes Country accepts beyond country-2-codes.
func organisations() map[string]i18n.Text {
	return map[string]i18n.Text{
		"UNHCR": {ES: "Alto Comisionado de las Naciones Unidas para los Refugiados (ACNUR)", EN: "United Nations High Commissioner for Refugees"},
		"WHO":   {ES: "Organización Mundial de la Salud (OMS)", EN: "World Health Organization"},
	}
}

// ClinicalNames is the reviewed Spanish and English of the small clinical
// value sets, by canonical set name and code. The English is the published
// display (the tests check it still is); the Spanish follows the Spanish
// text of Annex V and the Spanish SNOMED CT and LOINC names.
func ClinicalNames() map[string]map[string]i18n.Text {
	return map[string]map[string]i18n.Text{
		DiseaseAgentTargeted: {
			"840539006": {ES: "COVID-19", EN: "COVID-19"},
		},
		TestType: {
			"LP6464-4":   {ES: "Amplificación de ácidos nucleicos con detección por sonda", EN: "Nucleic acid amplification with probe detection"},
			"LP217198-3": {ES: "Inmunoensayo rápido", EN: "Rapid immunoassay"},
		},
		TestResult: {
			"260415000": {ES: "No detectado", EN: "Not detected"},
			"260373001": {ES: "Detectado", EN: "Detected"},
		},
		VaccineProphylaxis: {
			"1119305005":     {ES: "Vacuna de antígeno del SARS-CoV-2", EN: "SARS-CoV-2 antigen vaccine"},
			"1119349007":     {ES: "Vacuna de ARNm contra el SARS-CoV-2", EN: "SARS-CoV-2 mRNA vaccine"},
			"J07BX03":        {ES: "Vacunas contra la COVID-19 (en desuso)", EN: "covid-19 vaccines (deprecated)"},
			"1162643001":     {ES: "Vacuna de antígeno de proteína S recombinante del SARS-CoV-2", EN: "SARS-CoV-2 recombinant spike protein antigen vaccine"},
			"1157024006":     {ES: "Vacuna de antígeno de SARS-CoV-2 entero inactivado", EN: "Inactivated whole SARS-CoV-2 antigen vaccine"},
			"29061000087103": {ES: "Vacuna contra la COVID-19 de vector vírico no replicativo", EN: "COVID-19 non-replicating viral vector vaccine"},
			"28531000087107": {ES: "Vacuna contra la COVID-19", EN: "COVID-19 vaccine"},
			"30141000087107": {ES: "Vacuna de antígeno de partículas similares a virus del SARS-CoV-2", EN: "SARS-CoV-2 virus-like particle antigen vaccine"},
			"1187593009":     {ES: "Vacuna de plásmido de ADN que codifica la proteína S del SARS-CoV-2", EN: "SARS-CoV-2 DNA plasmid encoding spike protein vaccine"},
		},
	}
}

// countryOverrides are the Spanish names where the CLDR data of x/text is
// out of date or names something else than the list: North Macedonia since
// the Prespa agreement of 2019, and the list's State of Palestine, which
// CLDR calls "Territorios Palestinos". The English of MK is overridden for
// the same reason: the list still has the name of before 2019.
func countryOverrides() map[string]i18n.Text {
	return map[string]i18n.Text{
		"MK": {ES: "Macedonia del Norte", EN: "North Macedonia"},
		"PS": {ES: "Palestina", EN: "State of Palestine"},
	}
}

// namesOf computes the names of every code of set, once, when the set is
// installed.
func namesOf(set *Set) map[string]i18n.Text {
	out := make(map[string]i18n.Text, len(set.Values))
	clinical := ClinicalNames()[set.Name]
	overrides := countryOverrides()
	var regions display.Namer
	if set.Name == CountryCodes {
		regions = display.Spanish.Regions()
	}
	for code, v := range set.Values {
		en := Clean(v.Display)
		if en == "" {
			en = code
		}
		switch {
		case clinical != nil:
			t, ok := clinical[code]
			if !ok {
				t = i18n.Text{ES: en, EN: en}
			}
			out[code] = t
		case set.Name == CountryCodes:
			if t, ok := overrides[code]; ok {
				out[code] = t
				continue
			}
			es := en
			if n := cldrRegion(regions, code); n != "" {
				es = n
			}
			out[code] = i18n.Text{ES: es, EN: en}
		default:
			es := en
			if base, ok := strings.CutSuffix(en, deprecatedSuffix); ok {
				es = base + " (en desuso)"
			}
			out[code] = i18n.Text{ES: es, EN: en}
		}
	}
	return out
}

// cldrRegion is CLDR's name of an ISO 3166-1 alpha-2 code, "" if CLDR does
// not know it as that region (a code it would canonicalise to another, or
// one it has no name for).
func cldrRegion(n display.Namer, code string) string {
	r, err := language.ParseRegion(code)
	if err != nil || r.String() != code {
		return ""
	}
	name := n.Name(r)
	if name == code {
		return ""
	}
	return name
}

// Clean removes the artefacts of the published displays, which come from
// SQL and CSV exports of ISO 3166 and device registers: a doubled
// apostrophe ("Côte d”Ivoire"), a trailing comma ("Virgin Islands,"),
// runs of blanks, and ISO's inverted order ("Virgin Islands, British",
// "Korea, Republic of", "Congo, the Democratic Republic of the"). A name
// whose part after the comma is not such a qualifier ("Taiwan, Province of
// China", "Bonaire, Sint Eustatius and Saba") is kept as it is.
func Clean(s string) string {
	s = strings.ReplaceAll(s, "''", "'")
	s = strings.Join(strings.Fields(s), " ")
	s = strings.TrimRight(s, ", ")
	head, tail, ok := strings.Cut(s, ", ")
	if !ok || strings.Contains(tail, ",") {
		return s
	}
	switch {
	case strings.HasSuffix(tail, " of") || strings.HasSuffix(tail, " of the"):
		// "Korea, Republic of" → "Republic of Korea"
	case adjective(tail):
		// "Virgin Islands, British" → "British Virgin Islands"
	default:
		return s
	}
	out := tail + " " + head
	r, n := utf8.DecodeRuneInString(out)
	return string(unicode.ToUpper(r)) + out[n:]
}

// adjective: the one-word qualifiers ISO 3166 puts after a comma are
// nationalities ("British", "U.S.", "French part" is in brackets), unlike
// a place name after a comma ("…, China").
func adjective(w string) bool {
	switch w {
	case "British", "U.S.", "US", "American", "French", "Dutch":
		return true
	}
	return false
}
