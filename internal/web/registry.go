package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"dcc"
	"dcc/i18n"
	"dcc/internal/deployment"
	"dcc/internal/server"
	"dcc/registry"
)

type searchPage struct {
	Filters  []field
	Holder   []field // the search by holder, a form of its own (POST)
	Problems []template.HTML
	Rows     []searchRow
	Next     string // link to the next page, if any
	// HolderNext is the cursor of the next page of a search by holder,
	// posted again with the same surname and date of birth.
	HolderNext, HolderSurname, HolderDOB string
	Searched                             bool
}

// holderFields are the search by holder's inputs.
func holderFields(surname, dob string, errs map[string][]i18n.Text) []field {
	return []field{
		{Name: "surname", Label: label("surname"), Kind: "text", Value: surname, Required: true, Errors: bis(errs["surname"]),
			Hint: "Todos los apellidos, completos, como se escriben o normalizados / Every surname, in full, as written or standardised (GARCIA<LOPEZ)"},
		{Name: "dob", Label: label("dob"), Kind: "text", Value: dob, Required: true, Errors: bis(errs["dob"]),
			Hint: "Como en el certificado / As in the certificate: AAAA-MM-DD o DD/MM/AAAA, AAAA-MM, AAAA / YYYY-MM-DD or DD/MM/YYYY, YYYY-MM, YYYY"},
	}
}

type searchRow struct {
	UVCI, Path, Type, Authority, Lab, Issued, Event, Revoked string
}

// allowRegistry answers for everyone but registry operators.
func (u *UI) allowRegistry(w http.ResponseWriter, r *http.Request, s *session) bool {
	if err := u.c.Deployment.CanSearch(s.principal); err != nil {
		u.fail(w, r, s, err)
		return false
	}
	return true
}

// search lists the national registry with filters, a page at a time. With
// no filter it lists every certificate.
func (u *UI) search(w http.ResponseWriter, r *http.Request, s *session) {
	if !u.allowRegistry(w, r, s) {
		return
	}
	q := r.URL.Query()
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	pg := searchPage{}
	errs := map[string][]i18n.Text{}
	bad := func(key string, reason i18n.Text) {
		errs[key] = append(errs[key], reason)
		pg.Problems = append(pg.Problems, bi(labelled(key, reason)))
	}
	query := registry.Query{Authority: get("authority"), Lab: get("lab"), After: get("after"), Limit: u.c.PageSize}
	if t := get("type"); t != "" {
		if tt, ok := deployment.ParseType(t); ok {
			query.Type = string(tt)
		} else {
			bad("type", msg.BadType)
		}
	}
	from, ok := u.day(get("from"))
	if !ok {
		bad("from", msg.NotDay)
	}
	to, ok := u.day(get("to"))
	if !ok {
		bad("to", msg.NotDay)
	}
	query.IssuedFrom = from
	if !to.IsZero() {
		query.IssuedTo = to.AddDate(0, 0, 1) // the form's "to" day is included
	}
	switch get("revoked") {
	case "":
	case "true", "false":
		b := get("revoked") == "true"
		query.Revoked = &b
	default:
		bad("revoked", msg.YesNo)
	}

	pg.Holder = holderFields("", "", nil)
	pg.Filters = u.filters(get, errs)
	status := http.StatusOK
	if len(pg.Problems) > 0 {
		status = http.StatusUnprocessableEntity
	} else {
		recs, next, err := u.c.Records.Search(r.Context(), s.principal, query)
		if err != nil {
			u.fail(w, r, s, err)
			return
		}
		pg.Searched = true
		pg.Rows = u.rows(recs)
		if next != "" {
			nq := url.Values{}
			for _, k := range []string{"authority", "type", "lab", "from", "to", "revoked"} {
				if v := get(k); v != "" {
					nq.Set(k, v)
				}
			}
			nq.Set("after", next)
			pg.Next = "/registry?" + nq.Encode()
		}
	}
	u.render(w, r, s, status, "registry", "Registro nacional / National registry", pg)
}

// day reads a date input as the start of that day in the UI's location;
// "" is no bound.
func (u *UI) day(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, true
	}
	t, err := time.ParseInLocation(time.DateOnly, isoDate(v), u.c.Location)
	return t, err == nil
}

var dmy = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})$`)

// isoDate reads the Spanish way of writing a date, DD/MM/YYYY, as
// YYYY-MM-DD; anything else is returned as it is.
func isoDate(v string) string {
	m := dmy.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return v
	}
	d, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	return fmt.Sprintf("%s-%02d-%02d", m[3], mo, d)
}

type statsPage struct {
	Filters  []field
	Problems []template.HTML
	Rows     []statRow
	Total    statRow
}

type statRow struct {
	Authority, Type string
	Issued, Revoked int
}

func (u *UI) stats(w http.ResponseWriter, r *http.Request, s *session) {
	if !u.allowRegistry(w, r, s) {
		return
	}
	q := r.URL.Query()
	pg := statsPage{}
	errs := map[string][]i18n.Text{}
	from, ok := u.day(strings.TrimSpace(q.Get("from")))
	if !ok {
		errs["from"] = []i18n.Text{msg.NotDay}
	}
	to, ok := u.day(strings.TrimSpace(q.Get("to")))
	if !ok {
		errs["to"] = []i18n.Text{msg.NotDay}
	}
	for _, k := range []string{"from", "to"} {
		pg.Filters = append(pg.Filters, field{Name: k, Label: label(k), Kind: "date", Value: strings.TrimSpace(q.Get(k)), Errors: bis(errs[k])})
		for _, e := range errs[k] {
			pg.Problems = append(pg.Problems, bi(labelled(k, e)))
		}
	}
	if len(pg.Problems) > 0 {
		u.render(w, r, s, http.StatusUnprocessableEntity, "stats", "Estadísticas / Statistics", pg)
		return
	}
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1)
	}
	st, err := u.c.Records.Stats(r.Context(), s.principal, from, to)
	if err != nil {
		u.fail(w, r, s, err)
		return
	}
	pg.Total = statRow{Authority: "Total"}
	for _, x := range st {
		name := x.Authority
		if a, ok := u.c.Deployment.Authority(x.Authority); ok {
			name = a.Name + " (" + a.ID + ")"
		}
		pg.Rows = append(pg.Rows, statRow{Authority: name, Type: typeLabel(dcc.Type(x.Type)), Issued: x.Issued, Revoked: x.Revoked})
		pg.Total.Issued += x.Issued
		pg.Total.Revoked += x.Revoked
	}
	u.render(w, r, s, http.StatusOK, "stats", "Estadísticas / Statistics", pg)
}

// home is the start page: the forms the principal may use.
func (u *UI) home(w http.ResponseWriter, r *http.Request, s *session) {
	u.render(w, r, s, http.StatusOK, "home", "Inicio / Home", struct {
		Actor, Role string
		Outbox      *server.OutboxView // the delivery queue, for the authority's staff
	}{
		Actor: s.principal.Actor(), Role: roleLabel(s.principal.Role), Outbox: u.outboxSummary(r, s.principal),
	})
}

func roleLabel(r deployment.Role) string {
	switch r {
	case deployment.RoleAuthority:
		return "Autoridad emisora / Issuing authority"
	case deployment.RoleLab:
		return "Laboratorio / Laboratory"
	case deployment.RoleOperator:
		return "Operador del registro nacional / National registry operator"
	}
	return string(r)
}

// searchHolder finds one person's certificates. It is a POST, so that the
// name and the date of birth stay out of URLs, browser history and proxy
// logs; the next page is posted again the same way.
func (u *UI) searchHolder(w http.ResponseWriter, r *http.Request, s *session) {
	if !u.allowRegistry(w, r, s) {
		return
	}
	surname, dob := strings.TrimSpace(r.PostForm.Get("surname")), strings.TrimSpace(r.PostForm.Get("dob"))
	dob = isoDate(dob)
	errs := map[string][]i18n.Text{}
	pg := searchPage{}
	if surname == "" {
		errs["surname"] = append(errs["surname"], msg.Required)
	}
	if !registry.HolderDOB(dob) {
		errs["dob"] = append(errs["dob"], msg.HolderDOB)
	}
	for _, k := range []string{"surname", "dob"} {
		for _, e := range errs[k] {
			pg.Problems = append(pg.Problems, bi(labelled(k, e)))
		}
	}
	pg.Holder = holderFields(surname, dob, errs)
	pg.Filters = u.filters(func(string) string { return "" }, nil)
	status := http.StatusOK
	if len(pg.Problems) > 0 {
		status = http.StatusUnprocessableEntity
	} else {
		query := registry.Query{HolderName: surname, HolderDOB: dob, After: r.PostForm.Get("after"), Limit: u.c.PageSize}
		recs, next, err := u.c.Records.Search(r.Context(), s.principal, query)
		if err != nil {
			u.fail(w, r, s, err)
			return
		}
		pg.Searched = true
		pg.Rows = u.rows(recs)
		if next != "" {
			pg.HolderNext, pg.HolderSurname, pg.HolderDOB = next, surname, dob
		}
	}
	u.render(w, r, s, status, "registry", "Registro nacional / National registry", pg)
}

// filters are the search form's inputs, with what was asked and its errors.
func (u *UI) filters(get func(string) string, errs map[string][]i18n.Text) []field {
	var authorities []option
	for _, a := range u.c.Deployment.Authorities() {
		authorities = append(authorities, option{Value: a.ID, Label: a.Name + " (" + a.ID + ")"})
	}
	var types []option
	for _, t := range []dcc.Type{dcc.Vaccination, dcc.Test, dcc.Recovery} {
		types = append(types, option{Value: deployment.TypeName(t), Label: typeLabel(t)})
	}
	f := func(key, kind, empty string, opts []option) field {
		return field{Name: key, Label: label(key), Kind: kind, Value: get(key), Empty: empty, Options: opts, Errors: bis(errs[key])}
	}
	return []field{
		f("authority", "select", "(todas / all)", authorities),
		f("type", "select", "(todos / all)", types),
		f("lab", "text", "", nil),
		f("from", "date", "", nil),
		f("to", "date", "", nil),
		f("revoked", "select", "(todos / all)", []option{{"true", "Revocados / Revoked"}, {"false", "Válidos / Not revoked"}}),
	}
}

// rows are search results as the table shows them.
func (u *UI) rows(recs []registry.Record) []searchRow {
	var out []searchRow
	for _, rec := range recs {
		row := searchRow{
			UVCI: rec.UVCI, Path: certificatePath(rec.UVCI), Type: typeLabel(dcc.Type(rec.Type)),
			Authority: rec.Authority, Lab: rec.Lab, Issued: u.when(rec.IssuedAt), Event: u.eventDate(rec.EventDate),
		}
		if rec.RevokedAt != nil {
			row.Revoked = u.when(*rec.RevokedAt)
		}
		out = append(out, row)
	}
	return out
}

// eventDate shows a record's event date as the other dates are shown: a
// test's sample time in the UI's zone, a date as it is.
func (u *UI) eventDate(s string) string {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return u.when(t)
	}
	return s
}
