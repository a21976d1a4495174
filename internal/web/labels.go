package web

import (
	"cmp"
	"slices"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"dcc"
	"dcc/internal/deployment"
	"dcc/valueset"
)

// typeLabel is a certificate type's name in Spanish and English.
func typeLabel(t dcc.Type) string {
	switch t {
	case dcc.Vaccination:
		return "Vacunación / Vaccination"
	case dcc.Test:
		return "Prueba diagnóstica / Test"
	case dcc.Recovery:
		return "Recuperación / Recovery"
	}
	return string(t)
}

// typeLinks are the issue forms p may open here.
func (u *UI) typeLinks(p deployment.Principal) []typeLink {
	if u.c.Issuance == nil {
		return nil
	}
	var out []typeLink
	for _, t := range u.c.Deployment.Types(p) {
		out = append(out, typeLink{Path: "/issue/" + deployment.TypeName(t), Label: typeLabel(t)})
	}
	return out
}

// labels name the fields of the forms and of the certificate page, by the
// key a form uses ("t.sc" for the payload's t[0].sc). They follow the
// Spanish text of Annex V and the English of the Annex to Regulation (EU)
// 2021/953, shortened as the printed certificate (certpdf) shortens them.
var labels = map[string]string{
	"nam.fn":    "Apellidos / Surname(s)",
	"nam.gn":    "Nombre / Forename(s)",
	"nam.fnt":   "Apellidos normalizados / Standardised surname(s)",
	"nam.gnt":   "Nombre normalizado / Standardised forename(s)",
	"dob":       "Fecha de nacimiento / Date of birth",
	"surname":   "Apellido(s) del titular / Holder's surname(s)",
	"doses":     "Dosis / Doses",
	"v.tg":      "Enfermedad / Disease or agent targeted",
	"v.vp":      "Vacuna o profilaxis / Vaccine or prophylaxis",
	"v.mp":      "Producto de la vacuna / Vaccine product",
	"v.ma":      "Titular de la autorización o fabricante / Marketing authorisation holder or manufacturer",
	"v.dn":      "Número de dosis / Dose number",
	"v.sd":      "Total de dosis de la serie / Total doses in the series",
	"v.dt":      "Fecha de la vacunación / Date of vaccination",
	"v.co":      "País de vacunación / Country of vaccination",
	"v.is":      "Emisor / Certificate issuer",
	"t.tg":      "Enfermedad / Disease or agent targeted",
	"t.tt":      "Tipo de prueba / Type of test",
	"t.nm":      "Nombre de la prueba (NAAT) / Test name (NAAT)",
	"t.ma":      "Prueba rápida de antígenos / Rapid antigen test device",
	"t.sc":      "Fecha y hora de la toma de muestra / Date and time of sample collection",
	"t.tr":      "Resultado / Test result",
	"t.tc":      "Centro de pruebas / Testing centre or facility",
	"t.co":      "País de la prueba / Country of the test",
	"t.is":      "Emisor / Certificate issuer",
	"r.tg":      "Enfermedad / Disease or agent targeted",
	"r.fr":      "Fecha del primer resultado positivo / Date of first positive test result",
	"r.df":      "Válido desde / Valid from",
	"r.du":      "Válido hasta / Valid until",
	"r.co":      "País de la prueba / Country of the test",
	"r.is":      "Emisor / Certificate issuer",
	"reason":    "Motivo / Reason",
	"authority": "Autoridad / Authority",
	"type":      "Tipo / Type",
	"lab":       "Laboratorio (id) / Laboratory (id)",
	"from":      "Emitidos desde / Issued from",
	"to":        "Emitidos hasta (incluido) / Issued until (inclusive)",
	"revoked":   "Revocación / Revocation",
	"confirm":   "Confirmación / Confirmation",
}

func label(key string) string {
	if l, ok := labels[key]; ok {
		return l
	}
	return key
}

type option struct {
	Value, Label string
}

// options are the active codes of a value set, for issuance, by their names
// in Spanish and English; withCode appends the code where the code is what
// people check (product and device codes).
func (u *UI) options(set string, withCode bool) []option {
	s, ok := u.c.ValueSets.Set(set)
	if !ok {
		return nil
	}
	out := make([]option, 0, len(s.Values))
	for code, v := range s.Values {
		if !v.Active {
			continue
		}
		l := u.c.ValueSets.Name(set, code).String() // "España / Spain"; a product's name once
		if withCode && l != code {
			l += " (" + code + ")"
		}
		out = append(out, option{Value: code, Label: l})
	}
	// In Spanish order: "Ñ" after "N", "Á" with "A".
	col := collate.New(language.Spanish, collate.Loose)
	slices.SortFunc(out, func(a, b option) int {
		return cmp.Or(col.CompareString(a.Label, b.Label), cmp.Compare(a.Value, b.Value))
	})
	return out
}

// The value sets of the forms, by the gateway's names.
const (
	setProduct     = "vaccine-medicinal-product"
	setMAH         = "vaccine-mah-manf"
	setProphylaxis = "vaccine-prophylaxis"
	setTestType    = "covid-19-lab-test-type"
	setTestResult  = "covid-19-lab-result"
	setTestDevice  = "covid-19-lab-test-manufacturer-and-name"
	setCountry     = valueset.CountryCodes
	setDisease     = valueset.DiseaseAgentTargeted
)
