package certpdf

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"dcc"
	"dcc/i18n"
	"dcc/valueset"
)

// The labels are the field names of Annex V in its Spanish text and of the
// Annex to Regulation (EU) 2021/953 in English, shortened where they describe
// the content ("Producto de la vacuna contra la COVID-19").
const (
	titleES = "Certificado COVID Digital de la UE"
	titleEN = "EU Digital COVID Certificate"

	labelDisease = "Enfermedad o agente objetivo / Disease or agent targeted"
)

// field is one labelled value. what names it in errors ("nam.fn").
type field struct {
	what, label, value string
}

type section struct {
	title  string
	fields []field
}

// content is the document before layout.
type content struct {
	kind   string // the certificate type, as a heading
	holder section
	entry  section
	cert   section
	notes  []string // the back: one paragraph each
	card   card     // the single A6 page
}

// card is what the single A6 page shows: the holder and the entry's key
// facts under short labels. Everything else is in the QR code.
type card struct {
	name    string // "fn, gn", the parts the document can print
	std     string // "FNT<<GNT", as ICAO Doc 9303 joins them
	omitted bool   // a name is in a script the document cannot print
	dob     string
	heading string // the entry's kind: "Vacunación / Vaccination"
	facts   []field
	ci, is  string
	// authority is the issuing authority when it is not is: the one value
	// the QR code does not carry, so never shortened.
	authority string
}

// content builds the page's text from c, naming coded values from the value
// sets.
func (r *Renderer) content(c Certificate) (*content, error) {
	p := c.Payload
	out := &content{holder: section{title: "Titular / Holder"}}

	n := p.Nam
	// A name in a script the document cannot print (Arabic, CJK, …) is
	// left to the QR code, which carries it; the standardised forms always
	// print. Refusing the whole document would leave the holder without one.
	omitted := false
	for _, f := range []struct{ what, label, value string }{
		{"nam.fn", "Apellido(s) / Surname(s)", n.FN},
		{"nam.fnt", "Apellido(s) normalizado(s) / Standardised surname(s)", n.FNT},
		{"nam.gn", "Nombre(s) / Forename(s)", n.GN},
		{"nam.gnt", "Nombre(s) normalizado(s) / Standardised forename(s)", n.GNT},
	} {
		if !printableScript(f.value) {
			omitted = true
			continue
		}
		out.holder.add(f.what, f.label, f.value)
	}
	out.card.name = join(", ", printable(n.FN), printable(n.GN))
	out.card.std = join("<<", n.FNT, n.GNT)
	out.card.omitted = omitted
	if omitted {
		out.holder.add("nam", "Nota / Note", "El nombre en su escritura original figura en el código QR. / The name in its original script is in the QR code.")
	}
	dob := p.DOB
	if dob == "" {
		// Annex V: an empty dob means the date of birth is unknown.
		dob = "desconocida / unknown"
	}
	out.holder.add("dob", "Fecha de nacimiento / Date of birth", dob)
	out.card.dob = dob

	var is, ci string
	switch p.Type() {
	case dcc.Vaccination:
		if len(p.V) != 1 {
			return nil, entries("v", len(p.V))
		}
		v := p.V[0]
		out.kind = "Certificado de vacunación / Vaccination certificate"
		e := section{title: "Vacunación / Vaccination"}
		e.add("v[0].tg", labelDisease, r.name(valueset.DiseaseAgentTargeted, v.TG))
		e.add("v[0].vp", "Vacuna o profilaxis / Vaccine or prophylaxis", r.name(valueset.VaccineProphylaxis, v.VP))
		e.add("v[0].mp", "Producto de la vacuna / Vaccine product", r.name(valueset.VaccineProduct, v.MP))
		e.add("v[0].ma", "Titular de la autorización de comercialización o fabricante de la vacuna / Vaccine marketing authorisation holder or manufacturer",
			r.name(valueset.VaccineMAH, v.MA))
		e.add("v[0].dn", "Número en una serie de dosis / Number in a series of doses", strconv.Itoa(v.DN)+"/"+strconv.Itoa(v.SD))
		e.add("v[0].dt", "Fecha de la vacunación / Date of vaccination", v.DT)
		e.add("v[0].co", "Estado miembro o tercer país en que se administró la vacuna / Member State or third country in which the vaccine was administered", r.country(v.CO))
		out.entry, is, ci = e, v.IS, v.CI
		out.card.facts = short(
			field{"v[0].mp", "Vacuna / Vaccine", r.name(valueset.VaccineProduct, v.MP)},
			field{"v[0].dn", "Dosis / Dose", strconv.Itoa(v.DN) + "/" + strconv.Itoa(v.SD)},
			field{"v[0].dt", "Fecha / Date", v.DT},
			field{"v[0].co", "País / Country", r.country(v.CO)},
		)
	case dcc.Test:
		if len(p.T) != 1 {
			return nil, entries("t", len(p.T))
		}
		t := p.T[0]
		out.kind = "Certificado de prueba diagnóstica / Test certificate"
		e := section{title: "Prueba diagnóstica / Test"}
		e.add("t[0].tg", labelDisease, r.name(valueset.DiseaseAgentTargeted, t.TG))
		e.add("t[0].tt", "Tipo de prueba / Type of test", r.name(valueset.TestType, t.TT))
		e.add("t[0].nm", "Nombre de la prueba / Test name", t.NM)
		if t.MA != "" {
			e.add("t[0].ma", "Fabricante de la prueba / Test manufacturer", r.name(valueset.TestManf, t.MA))
		}
		e.add("t[0].sc", "Fecha y hora de recogida de la muestra / Date and time of the test sample collection", dateTime(t.SC))
		e.add("t[0].tr", "Resultado de la prueba / Result of the test", r.name(valueset.TestResult, t.TR))
		e.add("t[0].tc", "Centro o instalación de realización de pruebas / Testing centre or facility", t.TC)
		e.add("t[0].co", "Estado miembro o tercer país en que se realizó la prueba / Member State or third country in which the test was carried out", r.country(t.CO))
		out.entry, is, ci = e, t.IS, t.CI
		out.card.facts = short(
			field{"t[0].tt", "Tipo / Type", r.name(valueset.TestType, t.TT)},
			field{"t[0].tr", "Resultado / Result", r.name(valueset.TestResult, t.TR)},
			field{"t[0].sc", "Muestra / Sample", dateTime(t.SC)},
			field{"t[0].co", "País / Country", r.country(t.CO)},
			field{"t[0].tc", "Centro / Centre", t.TC},
		)
	case dcc.Recovery:
		if len(p.R) != 1 {
			return nil, entries("r", len(p.R))
		}
		rec := p.R[0]
		out.kind = "Certificado de recuperación / Certificate of recovery"
		e := section{title: "Recuperación / Recovery"}
		e.add("r[0].tg", labelDisease, r.name(valueset.DiseaseAgentTargeted, rec.TG))
		e.add("r[0].fr", "Fecha del primer resultado positivo de la prueba NAAT / Date of first positive NAAT test result", rec.FR)
		e.add("r[0].co", "Estado miembro o tercer país en que se realizó la prueba / Member State or third country in which the test was carried out", r.country(rec.CO))
		e.add("r[0].df", "Certificado válido desde / Certificate valid from", rec.DF)
		e.add("r[0].du", "Certificado válido hasta / Certificate valid until", rec.DU)
		out.entry, is, ci = e, rec.IS, rec.CI
		out.card.facts = short(
			field{"r[0].fr", "Primer positivo / First positive", rec.FR},
			field{"r[0].df", "Válido desde / Valid from", rec.DF},
			field{"r[0].du", "Válido hasta / Valid until", rec.DU},
			field{"r[0].co", "País / Country", r.country(rec.CO)},
		)
	default:
		return nil, fmt.Errorf("certpdf: the payload must hold exactly one of v, t or r (has v: %d, t: %d, r: %d)", len(p.V), len(p.T), len(p.R))
	}

	out.card.heading = out.entry.title
	out.card.ci, out.card.is = ci, is
	if c.Authority != is {
		out.card.authority = c.Authority
	}

	out.cert = section{title: "Certificado / Certificate"}
	out.cert.add("ci", "Identificador único del certificado / Unique certificate identifier", ci)
	out.cert.add("is", "Emisor del certificado / Certificate issuer", is)
	if c.Authority != is {
		out.cert.add("Authority", "Autoridad emisora / Issuing authority", c.Authority)
	}
	if !c.IssuedAt.IsZero() {
		out.cert.add("IssuedAt", "Emitido el / Issued on", utc(c.IssuedAt))
	}
	if !c.Expires.IsZero() {
		out.cert.add("Expires", "Caduca el / Expires on", utc(c.Expires))
	}

	issuer := is
	if c.Authority != "" && c.Authority != is {
		issuer = c.Authority + " (" + is + ")"
	}
	for _, t := range []i18n.Text{msg.NotTravel, msg.Evolving, msg.Rules, msg.Verify, msg.IssuedBy.With(issuer)} {
		out.notes = append(out.notes, t.ES, t.EN)
	}
	if c.Demo {
		out.notes = append(out.notes, msg.DemoNotice.ES, msg.DemoNotice.EN)
	}
	return out, nil
}

// name is the display name of a coded value: the one place that asks the
// value sets, so that the lookup (a Spanish name, say) changes here alone.
func (r *Renderer) name(set, code string) string {
	return r.vs.Name(set, code).String()
}

// printableScript reports whether s is in the scripts the document prints
// (layout's glyphs check refuses the others).
func printableScript(s string) bool {
	for _, c := range s {
		if !unicode.IsSpace(c) && !unicode.In(c, unicode.Latin, unicode.Greek, unicode.Cyrillic, unicode.Common, unicode.Inherited) {
			return false
		}
	}
	return true
}

// add appends a field unless its value is empty: optional fields that are
// absent are left out rather than printed blank.
func (s *section) add(what, label, value string) {
	if value != "" {
		s.fields = append(s.fields, field{what: what, label: label, value: value})
	}
}

// short is the facts of the A6 page that have a value.
func short(fields ...field) []field {
	var s section
	for _, f := range fields {
		s.add(f.what, f.label, f.value)
	}
	return s.fields
}

// printable is s if the document can print it, else empty (left to the QR
// code, as content says).
func printable(s string) string {
	if printableScript(s) {
		return s
	}
	return ""
}

// join joins the non-empty parts with sep.
func join(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func entries(group string, n int) error {
	return fmt.Errorf("certpdf: the payload has %d %s entries; a certificate holds exactly one", n, group)
}

// country names a v/co, t/co or r/co code, including the international
// organisations that valueset accepts besides the country value set.
func (r *Renderer) country(code string) string {
	if _, ok := r.vs.Country(code); ok {
		return r.vs.Name(valueset.CountryCodes, code).String()
	}
	return code
}

func utc(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04") + " UTC"
}

// dateTime shows t/sc to the minute with its UTC offset. Forms it cannot read
// (Lenient validation accepts a few) are shown as they are.
func dateTime(s string) string {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05Z07"} {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if _, off := t.Zone(); off == 0 {
			return t.Format("2006-01-02 15:04") + " UTC"
		}
		return t.Format("2006-01-02 15:04 UTC-07:00")
	}
	return s
}
