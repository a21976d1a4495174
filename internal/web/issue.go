package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"dcc"
	"dcc/doses"
	"dcc/i18n"
	"dcc/internal/deployment"
	"dcc/internal/issuance"
)

// field is one input of a form.
type field struct {
	Name, Label, Hint, Value string
	Kind                     string // text, date, datetime, select
	Options                  []option
	Empty                    string // the label of a select's empty choice
	Required                 bool
	Errors                   []template.HTML
	Step                     string // of a datetime: "1" takes seconds too
}

// ID is the element id of the input: a CSS selector reads a dot as a
// class, so the dots of the name become dashes.
func (f field) ID() string { return "f-" + strings.ReplaceAll(f.Name, ".", "-") }

// issuePage is an issue form with what the user typed and what is wrong.
type issuePage struct {
	Type     string // vaccination, test, recovery
	Heading  string
	Action   string
	Holder   []field
	Entry    []field
	Doses    *dosesSection // vaccination only
	Filled   []kv          // what the issuing system fills in itself
	Problems []template.HTML
	IdemKey  string
}

type dosesSection struct {
	Rows           []doseRow
	Products       []option
	PriorInfection bool
	Errors         []template.HTML
	Preview        []previewRow
	Summary        string
}

type doseRow struct {
	N                     int // 1-based, for labels
	Date, MP              string
	DateErrors, MPErrors  []template.HTML
	DateLabel, ProductLbl string
}

type previewRow struct {
	Date, Product, DNSD, Kind string
}

type kv struct {
	Label, Value string
}

const (
	minDoseRows = 2
	maxDoseRows = 20
)

// formType reads the type of the path; the forms are named in full, as in
// the API's paths.
func formType(r *http.Request) (dcc.Type, bool) {
	name := r.PathValue("type")
	t, ok := deployment.ParseType(name)
	return t, ok && len(name) > 1
}

// allowIssue answers everything but an allowed form itself: a 404 where
// nothing is issued or the type is unknown, a 403 refusal where the
// principal may not issue the type.
func (u *UI) allowIssue(w http.ResponseWriter, r *http.Request, s *session) (dcc.Type, bool) {
	t, ok := formType(r)
	if !ok || u.c.Issuance == nil {
		u.notFound(w, r, s, msg.NoTypeHere)
		return "", false
	}
	if err := u.c.Deployment.CanIssue(s.principal, t); err != nil {
		u.refuseType(w, r, s, t, err)
		return "", false
	}
	return t, true
}

func (u *UI) refuseType(w http.ResponseWriter, r *http.Request, s *session, t dcc.Type, err error) {
	detail := i18n.Text{ES: err.Error(), EN: err.Error()}
	var fe *deployment.ForbiddenError
	if errors.As(err, &fe) {
		detail = fe.Text
	}
	u.errorPage(w, r, s, errorPage{Status: http.StatusForbidden,
		Heading: msg.MayNotIssue.With(deployment.TypeText(t)),
		Detail:  detail,
		Notes:   []i18n.Text{msg.NothingIssued}})
}

func (u *UI) issueForm(w http.ResponseWriter, r *http.Request, s *session) {
	t, ok := u.allowIssue(w, r, s)
	if !ok {
		return
	}
	f := &formInput{values: url.Values{}, idem: randomToken()}
	u.render(w, r, s, http.StatusOK, "issue", typeLabel(t), u.issueView(t, s.principal, f))
}

// formInput is a submitted form, read.
type formInput struct {
	values url.Values
	idem   string
	rows   []doseRow
	// problems by form key ("t.sc", "dose.3.date", "doses" for the dose
	// section); general lists every problem, labelled, for the summary.
	problems map[string][]i18n.Text
	general  []i18n.Text
	preview  []previewRow
	summary  string
}

func (f *formInput) get(key string) string { return strings.TrimSpace(f.values.Get(key)) }

func (u *UI) issuePost(w http.ResponseWriter, r *http.Request, s *session) {
	t, ok := u.allowIssue(w, r, s)
	if !ok {
		return
	}
	f := u.readForm(t, r.PostForm)
	action := r.PostForm.Get("action")
	if t == dcc.Vaccination && action == "add" {
		if len(f.rows) < maxDoseRows {
			f.rows = append(f.rows, doseRow{})
		}
		u.render(w, r, s, http.StatusOK, "issue", typeLabel(t), u.issueView(t, s.principal, f))
		return
	}
	if t == dcc.Recovery && action == "calculate" {
		recoveryDates(f.values)
		u.render(w, r, s, http.StatusOK, "issue", typeLabel(t), u.issueView(t, s.principal, f))
		return
	}
	if t == dcc.Recovery {
		recoveryDates(f.values) // what the hints promise for empty dates
	}
	if t == dcc.Vaccination && action == "calculate" {
		u.calculate(f)
		u.render(w, r, s, http.StatusOK, "issue", typeLabel(t), u.issueView(t, s.principal, f))
		return
	}
	body, rowOf := u.requestBody(t, s.principal, f)
	is, err := u.c.Issuance.Issue(r.Context(), s.principal, issuance.Request{Type: t, Body: body, IdempotencyKey: f.idem})
	var ve *dcc.ValidationError
	var fe *deployment.ForbiddenError
	var ce *issuance.ConflictError
	switch {
	case err == nil:
		http.Redirect(w, r, certificatePath(is.UVCI)+"?issued=1", http.StatusSeeOther)
	case errors.As(err, &ve):
		for _, p := range ve.Problems {
			if p.Severity == dcc.Error {
				paths, reason := missing(p)
				for _, path := range paths {
					f.add(u.formKey(path, rowOf), path, reason)
				}
			}
		}
		u.render(w, r, s, http.StatusUnprocessableEntity, "issue", typeLabel(t), u.issueView(t, s.principal, f))
	case errors.As(err, &fe):
		u.refuseType(w, r, s, t, err)
	case errors.As(err, &ce):
		// The form was submitted before with other content (a page restored
		// from the browser's history): a fresh key issues anew.
		f.idem = randomToken()
		f.general = append(f.general, msg.FormUsed)
		u.render(w, r, s, http.StatusConflict, "issue", typeLabel(t), u.issueView(t, s.principal, f))
	default:
		u.fail(w, r, s, err)
	}
}

// readForm keeps what the user typed, to show it again.
func (u *UI) readForm(t dcc.Type, v url.Values) *formInput {
	f := &formInput{values: v, idem: v.Get("idem")}
	if len(f.idem) < 16 || len(f.idem) > 200 {
		f.idem = randomToken()
	}
	if t == dcc.Vaccination {
		dates, mps := v["dose.date"], v["dose.mp"]
		for i := 0; i < max(len(dates), len(mps)) && i < maxDoseRows; i++ {
			var row doseRow
			if i < len(dates) {
				row.Date = strings.TrimSpace(dates[i])
			}
			if i < len(mps) {
				row.MP = strings.TrimSpace(mps[i])
			}
			f.rows = append(f.rows, row)
		}
	}
	return f
}

// add records a problem at a form key and in the summary.
func (f *formInput) add(key, path string, reason i18n.Text) {
	if f.problems == nil {
		f.problems = map[string][]i18n.Text{}
	}
	if key != "" {
		f.problems[key] = append(f.problems[key], reason)
	}
	name := i18n.Text{ES: path, EN: path}
	switch {
	case key == "":
	case strings.HasPrefix(key, "dose."):
		parts := strings.Split(key, ".") // dose.N.date or dose.N.mp
		n, _ := strconv.Atoi(parts[1])
		what := msg.Date
		if parts[2] == "mp" {
			what = msg.Product
		}
		name = msg.DoseField.With(n, what)
	default:
		name = split(label(key))
	}
	if name.IsZero() {
		f.general = append(f.general, reason)
		return
	}
	f.general = append(f.general, msg.Labelled.With(name, reason))
}

var quoted = regexp.MustCompile(`'([A-Za-z]+)'`)

// missing splits the schema's "missing properties 'sc', 'tr'" at "t[0]"
// and the rules' "missing required field dob" into a problem at each
// field, in words a form's user reads. A missing nam.fnt is the surname's
// problem: the system derives fnt from fn.
func missing(p dcc.Problem) (paths []string, why i18n.Text) {
	path, reason := p.Path, p.Reason
	var names []string
	if _, rest, ok := strings.Cut(reason, "missing required field "); ok {
		rest, _, _ = strings.Cut(rest, " (")
		names = strings.Split(rest, ", ")
	} else if strings.Contains(reason, "missing propert") {
		for _, m := range quoted.FindAllStringSubmatch(reason, -1) {
			names = append(names, m[1])
		}
	}
	if len(names) == 0 {
		return []string{path}, p.Text
	}
	for _, n := range names {
		p := n
		if path != "" {
			p = path + "." + n
		}
		if p == "nam.fnt" {
			p = "nam.fn"
		}
		paths = append(paths, p)
	}
	return paths, msg.Required
}

var dosePath = regexp.MustCompile(`^(?:history\.)?doses\[(\d+)\]\.(date|mp)$`)

// formKey maps a problem's payload path to the form's key: "t[0].sc" →
// "t.sc"; a dose of the history, by its index in the request, to its row.
// What the dose history fills in (dn, sd, dt, mp) and the history itself
// belong to the dose section. "" is the whole form.
func (u *UI) formKey(path string, rowOf []int) string {
	if m := dosePath.FindStringSubmatch(path); m != nil {
		i, _ := strconv.Atoi(m[1])
		if rowOf != nil {
			if i >= len(rowOf) {
				return "doses"
			}
			i = rowOf[i]
		}
		return "dose." + strconv.Itoa(i+1) + "." + m[2]
	}
	if path == "history" || strings.HasPrefix(path, "history.") {
		return "doses"
	}
	for _, g := range []string{"v", "t", "r"} {
		if rest, ok := strings.CutPrefix(path, g+"[0]."); ok {
			if g == "v" && slices.Contains([]string{"dn", "sd", "dt", "mp"}, rest) {
				return "doses"
			}
			return g + "." + rest
		}
	}
	switch path {
	case "nam.fn", "nam.gn", "nam.fnt", "nam.gnt", "dob":
		return path
	case "nam":
		return "nam.fn"
	}
	return ""
}

// history is the dose history of the form: the rows with anything in them.
// rowOf maps its doses to the rows.
func (f *formInput) history() (h doses.History, rowOf []int) {
	h.PriorInfection = f.values.Get("priorInfection") != ""
	h.Doses = []doses.Dose{}
	for i, row := range f.rows {
		if row.Date == "" && row.MP == "" {
			continue
		}
		h.Doses = append(h.Doses, doses.Dose{Date: row.Date, Product: row.MP})
		rowOf = append(rowOf, i)
	}
	return h, rowOf
}

// calculate numbers the doses (Annex II §5) for the preview; issuing
// numbers them again with the issuance service's policy.
func (u *UI) calculate(f *formInput) {
	h, rowOf := f.history()
	numbered, err := doses.Number(h, u.policy)
	if err != nil {
		var fe *doses.FieldError
		if errors.As(err, &fe) {
			f.add(u.formKey(fe.Field, rowOf), "history."+fe.Field, doses.Explain(fe.Err))
		} else {
			f.add("doses", "history", doses.Explain(err))
		}
		return
	}
	for _, n := range numbered {
		kind := map[doses.Kind]string{
			doses.Incomplete: "pauta primaria incompleta / primary course incomplete",
			doses.Complete:   "completa la pauta primaria / completes the primary course",
			doses.Additional: "dosis adicional / additional dose",
		}[n.Kind]
		if n.OnRequest {
			kind += "; certificado solo a petición / certificate on request only"
		}
		f.preview = append(f.preview, previewRow{
			Date: n.Date, Product: u.c.ValueSets.Display(setProduct, n.Product),
			DNSD: strconv.Itoa(n.DN) + "/" + strconv.Itoa(n.SD), Kind: kind,
		})
	}
	last := numbered[len(numbered)-1]
	f.summary = "El certificado será de la última dosis, " + last.Date + ": " + strconv.Itoa(last.DN) + "/" + strconv.Itoa(last.SD) +
		". / The certificate is for the last dose, " + last.Date + ": " + strconv.Itoa(last.DN) + "/" + strconv.Itoa(last.SD) + "."
}

// entryKeys are the entry fields a form sends, by type, in payload order.
var entryKeys = map[dcc.Type][]string{
	dcc.Vaccination: {"vp", "ma", "co"},
	dcc.Test:        {"tt", "nm", "ma", "sc", "tr", "tc", "co"},
	dcc.Recovery:    {"fr", "df", "du", "co"},
}

// requestBody is the issuance request in the official field names. An empty
// field is left out, so that validation says it is required rather than
// empty; what the issuing system fills in is never sent.
func (u *UI) requestBody(t dcc.Type, p deployment.Principal, f *formInput) ([]byte, []int) {
	nam := map[string]any{}
	for _, k := range []string{"fn", "gn", "fnt", "gnt"} {
		if v := f.get("nam." + k); v != "" {
			if k == "fnt" || k == "gnt" {
				v = strings.ToUpper(v) // the ICAO form is upper case; typing it so is no part of the data
			}
			nam[k] = v
		}
	}
	body := map[string]any{"nam": nam}
	if v := f.get("dob"); v != "" {
		body["dob"] = v
	}
	entry := map[string]any{}
	g := string(t)
	for _, k := range entryKeys[t] {
		v := f.get(g + "." + k)
		if v == "" || (k == "tc" && p.Role == deployment.RoleLab) {
			continue
		}
		if t == dcc.Test && k == "sc" {
			v = u.sampleTime(v)
		}
		entry[k] = v
	}
	body[g] = []any{entry}
	var rowOf []int
	if t == dcc.Vaccination {
		var h doses.History
		h, rowOf = f.history()
		body["history"] = h
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(body) // maps of strings and a History always encode
	return buf.Bytes(), rowOf
}

// sampleTime turns a datetime-local value ("2021-05-01T10:30") into RFC
// 3339 with the offset of the UI's location, as Annex V §4.2 wants t/sc.
// Anything else is passed on for validation to name.
func (u *UI) sampleTime(v string) string {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if tm, err := time.ParseInLocation(layout, v, u.c.Location); err == nil {
			return tm.Format(time.RFC3339)
		}
	}
	return v
}

// issueView builds the form: fields, values typed, problems.
func (u *UI) issueView(t dcc.Type, p deployment.Principal, f *formInput) issuePage {
	name := deployment.TypeName(t)
	pg := issuePage{
		Type: name, Heading: "Emitir certificado: " + typeLabel(t) + " / Issue a certificate",
		Action: "/issue/" + name, IdemKey: f.idem, Problems: bis(f.general),
	}
	fl := func(key, kind string, required bool, hint string) field {
		return field{Name: key, Label: label(key), Kind: kind, Required: required, Hint: hint,
			Value: f.get(key), Errors: bis(f.problems[key])}
	}
	sel := func(key string, required bool, empty string, opts []option) field {
		x := fl(key, "select", required, "")
		x.Options, x.Empty = opts, empty
		return x
	}
	country := u.c.Deployment.Country()
	co := func(key string) field {
		x := sel(key, true, "", u.options(setCountry, false))
		if x.Value == "" {
			x.Value = country
		}
		return x
	}
	pg.Holder = []field{
		fl("nam.fn", "text", true, ""),
		fl("nam.gn", "text", false, ""),
		fl("nam.fnt", "text", false, "Opcional: se obtiene de los apellidos (ICAO 9303). / Optional: derived from the surname (ICAO 9303)."),
		fl("nam.gnt", "text", false, "Opcional: se obtiene del nombre (ICAO 9303). / Optional: derived from the forename (ICAO 9303)."),
		fl("dob", "text", true, "AAAA-MM-DD (o AAAA-MM, AAAA) / YYYY-MM-DD (or YYYY-MM, YYYY)"),
	}
	auth, _ := u.c.Deployment.Authority(p.Authority)
	pg.Filled = append(pg.Filled, kv{label(string(t) + ".is"), auth.Name})
	switch t {
	case dcc.Vaccination:
		auto := "(automático según el producto / automatic from the product)"
		pg.Entry = []field{
			sel("v.vp", false, auto, u.options(setProphylaxis, false)),
			sel("v.ma", false, auto, u.options(setMAH, false)),
			co("v.co"),
		}
		ds := &dosesSection{
			Products: u.options(setProduct, true), PriorInfection: f.values.Get("priorInfection") != "",
			Errors: bis(f.problems["doses"]), Preview: f.preview, Summary: f.summary,
		}
		rows := f.rows
		for len(rows) < minDoseRows {
			rows = append(rows, doseRow{})
		}
		for i, row := range rows {
			n := strconv.Itoa(i + 1)
			row.N = i + 1
			row.DateErrors = bis(f.problems["dose."+n+".date"])
			row.MPErrors = bis(f.problems["dose."+n+".mp"])
			row.DateLabel = "Fecha de la dosis " + n + " / Date of dose " + n
			row.ProductLbl = "Producto de la dosis " + n + " / Product of dose " + n
			ds.Rows = append(ds.Rows, row)
		}
		pg.Doses = ds
	case dcc.Test:
		pg.Entry = []field{
			sel("t.tt", true, "—", u.options(setTestType, false)),
			fl("t.nm", "text", false, "Solo NAAT (PCR), opcional. / NAAT (PCR) only, optional."),
			sel("t.ma", false, "— (NAAT)", u.options(setTestDevice, true)),
			fl("t.sc", "datetime", true, u.sampleHint(f.get("t.sc")).String()),
			sel("t.tr", true, "—", u.options(setTestResult, false)),
		}
		if p.Role == deployment.RoleLab {
			lab, _ := u.c.Deployment.Lab(p.ID)
			pg.Filled = append(pg.Filled, kv{label("t.tc"), lab.Name})
		} else {
			pg.Entry = append(pg.Entry, fl("t.tc", "text", false, "Obligatorio para NAAT. / Required for NAAT."))
		}
		pg.Entry = append(pg.Entry, co("t.co"))
	case dcc.Recovery:
		pg.Entry = []field{
			fl("r.fr", "date", true, "Con «Calcular» se proponen las fechas de validez. / «Calculate» proposes the validity dates."),
			fl("r.df", "date", true, "Al menos 11 días después del primer positivo; vacío: primer positivo + 11 días. / At least 11 days after the first positive result; empty: first positive + 11 days."),
			fl("r.du", "date", true, "Como mucho 180 días después del primer positivo; vacío: primer positivo + 180 días. / At most 180 days after the first positive result; empty: first positive + 180 days."),
			co("r.co"),
		}
	}
	return pg
}

// recoveryDates fills in an empty valid-from and valid-until from the first
// positive result, with the limits of Annex V §4.3: 11 and 180 days after.
func recoveryDates(v url.Values) {
	fr, err := time.Parse(time.DateOnly, strings.TrimSpace(v.Get("r.fr")))
	if err != nil {
		return
	}
	if strings.TrimSpace(v.Get("r.df")) == "" {
		v.Set("r.df", fr.AddDate(0, 0, 11).Format(time.DateOnly))
	}
	if strings.TrimSpace(v.Get("r.du")) == "" {
		v.Set("r.du", fr.AddDate(0, 0, 180).Format(time.DateOnly))
	}
}

// sampleHint says in which zone the sample time is read and, once one is
// entered, the time that will be certified.
func (u *UI) sampleHint(v string) i18n.Text {
	zone := u.c.Location.String()
	at := time.Now().In(u.c.Location)
	if sc := u.sampleTime(v); sc != v {
		t, _ := time.Parse(time.RFC3339, sc)
		return msg.SampleAs.With(zone, sc, t.UTC().Format("15:04"))
	}
	return msg.SampleZone.With(zone, at.Format("-07:00"))
}
