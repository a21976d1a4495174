package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"dcc"
	"dcc/internal/certpdf"
	"dcc/internal/deployment"
	"dcc/internal/issuance"
	"dcc/internal/server"
	"dcc/registry"
)

// certificatePath is the UI's page of a certificate: the UVCI is one
// percent-encoded path segment, as in server.CertificatePath.
func certificatePath(uvci string) string {
	return "/certificates/" + url.PathEscape(uvci)
}

type certificatePage struct {
	UVCI      string
	Path      string // of the page; the QR image and the PDF are below it
	Type      string
	Holder    []kv
	Entry     []kv
	Record    []kv
	HC1       string
	Issued    bool // just issued
	Revoked   []kv // empty while valid
	CanRevoke bool
	Reason    string // typed in the revoke form
	Confirmed bool   // the revoke form's confirmation, ticked
	Problems  []template.HTML
}

// lookup opens a certificate by its UVCI typed in a form.
func (u *UI) lookup(w http.ResponseWriter, r *http.Request, s *session) {
	id := strings.TrimSpace(r.URL.Query().Get("uvci"))
	if id == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, certificatePath(id), http.StatusSeeOther)
}

func (u *UI) certificate(w http.ResponseWriter, r *http.Request, s *session) {
	is, rec, err := u.c.Records.Get(r.Context(), s.principal, r.PathValue("uvci"))
	if err != nil {
		u.fail(w, r, s, err)
		return
	}
	pg, err := u.certificateView(is, rec)
	if err != nil {
		u.fail(w, r, s, err)
		return
	}
	pg.Issued = r.URL.Query().Get("issued") != ""
	if pg.Issued && s.principal.Role == deployment.RoleLab {
		// A laboratory clerk has just handed it out: revoking is not the
		// next step, and a slip of the mouse would be final.
		pg.CanRevoke = false
	}
	u.render(w, r, s, http.StatusOK, "certificate", "Certificado / Certificate", pg)
}

func (u *UI) certificateView(is *issuance.Issued, rec *registry.Record) (*certificatePage, error) {
	var p dcc.Payload
	if err := p.UnmarshalJSON(is.Payload); err != nil {
		return nil, fmt.Errorf("web: stored payload: %w", err)
	}
	pg := &certificatePage{UVCI: is.UVCI, Path: certificatePath(is.UVCI), Type: typeLabel(is.Type), HC1: is.HC1}
	pg.Holder, pg.Entry = u.describe(&p)
	authority := is.Authority
	if a, ok := u.c.Deployment.Authority(is.Authority); ok {
		authority = a.Name + " (" + a.ID + ")"
	}
	pg.Record = []kv{
		{"Identificador (UVCI) / Unique certificate identifier", is.UVCI},
		{"Autoridad emisora / Issuing authority", authority},
	}
	if is.Lab != "" {
		lab := is.Lab
		if l, ok := u.c.Deployment.Lab(is.Lab); ok {
			lab = l.Name + " (" + l.ID + ")"
		}
		pg.Record = append(pg.Record, kv{"Laboratorio / Laboratory", lab})
	}
	pg.Record = append(pg.Record,
		kv{"Emitido el / Issued on", u.when(is.IssuedAt)},
		kv{"Caduca el / Expires on", u.when(is.Expires)})
	if is.Replaces != "" {
		pg.Record = append(pg.Record, kv{"Sustituye a / Replaces", is.Replaces})
	}
	if rec != nil && rec.RevokedAt != nil {
		pg.Revoked = []kv{
			{"Revocado el / Revoked on", u.when(*rec.RevokedAt)},
			{"Por / By", rec.RevokedBy},
			{"Motivo / Reason", rec.RevokeReason},
		}
		if rec.ReplacedBy != "" {
			pg.Revoked = append(pg.Revoked, kv{"Sustituido por / Replaced by", rec.ReplacedBy})
		}
	} else {
		pg.CanRevoke = true
	}
	return pg, nil
}

func (u *UI) when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(u.c.Location).Format("2006-01-02 15:04 MST")
}

// describe names the payload's fields and their coded values in people's
// words: the value sets' display names.
func (u *UI) describe(p *dcc.Payload) (holder, entry []kv) {
	add := func(list *[]kv, key, value string) {
		if value != "" {
			*list = append(*list, kv{label(key), value})
		}
	}
	vs := u.c.ValueSets
	add(&holder, "nam.fn", p.Nam.FN)
	add(&holder, "nam.gn", p.Nam.GN)
	add(&holder, "nam.fnt", p.Nam.FNT)
	add(&holder, "nam.gnt", p.Nam.GNT)
	dob := p.DOB
	if dob == "" {
		dob = "desconocida / unknown" // Annex V: an empty dob is an unknown date of birth
	}
	add(&holder, "dob", dob)
	country := u.countryName
	switch {
	case len(p.V) == 1:
		v := p.V[0]
		add(&entry, "v.tg", vs.Name(setDisease, v.TG).String())
		add(&entry, "v.vp", vs.Name(setProphylaxis, v.VP).String())
		add(&entry, "v.mp", vs.Name(setProduct, v.MP).String())
		add(&entry, "v.ma", vs.Name(setMAH, v.MA).String())
		entry = append(entry, kv{"Dosis / Doses (dn/sd)", strconv.Itoa(v.DN) + "/" + strconv.Itoa(v.SD)})
		add(&entry, "v.dt", v.DT)
		add(&entry, "v.co", country(v.CO))
		add(&entry, "v.is", v.IS)
	case len(p.T) == 1:
		t := p.T[0]
		add(&entry, "t.tg", vs.Name(setDisease, t.TG).String())
		add(&entry, "t.tt", vs.Name(setTestType, t.TT).String())
		add(&entry, "t.nm", t.NM)
		if t.MA != "" {
			add(&entry, "t.ma", vs.Name(setTestDevice, t.MA).String())
		}
		add(&entry, "t.sc", u.sampleShown(t.SC))
		add(&entry, "t.tr", vs.Name(setTestResult, t.TR).String())
		add(&entry, "t.tc", t.TC)
		add(&entry, "t.co", country(t.CO))
		add(&entry, "t.is", t.IS)
	case len(p.R) == 1:
		rc := p.R[0]
		add(&entry, "r.tg", vs.Name(setDisease, rc.TG).String())
		add(&entry, "r.fr", rc.FR)
		add(&entry, "r.df", rc.DF)
		add(&entry, "r.du", rc.DU)
		add(&entry, "r.co", country(rc.CO))
		add(&entry, "r.is", rc.IS)
	}
	return holder, entry
}

// sampleShown shows t/sc in the UI's location, and as stored when it is
// not an RFC 3339 time.
func (u *UI) sampleShown(sc string) string {
	if t, err := time.Parse(time.RFC3339, sc); err == nil {
		return u.when(t)
	}
	return sc
}

// signed returns a certificate with its HC1 string, or answers the request:
// a revoked certificate's QR code and PDF are refused (410 Gone), as the
// API refuses them, since a revoked certificate must not circulate again.
func (u *UI) signed(w http.ResponseWriter, r *http.Request, s *session) (*issuance.Issued, bool) {
	is, rec, err := u.c.Records.Get(r.Context(), s.principal, r.PathValue("uvci"))
	if err != nil {
		u.fail(w, r, s, err)
		return nil, false
	}
	if rec != nil && rec.RevokedAt != nil {
		u.errorPage(w, r, s, errorPage{Status: http.StatusGone,
			Heading: msg.Revoked, Detail: server.RevokedText(),
			Back: certificatePath(is.UVCI)})
		return nil, false
	}
	if is.HC1 == "" {
		u.notFound(w, r, s, msg.NoHC1)
		return nil, false
	}
	return is, true
}

func (u *UI) qrPNG(w http.ResponseWriter, r *http.Request, s *session) {
	is, ok := u.signed(w, r, s)
	if !ok {
		return
	}
	b, err := server.RenderQR(&u.qr, is.HC1, "png")
	if err != nil {
		u.fail(w, r, s, err)
		return
	}
	writeFile(w, "image/png", "", b)
}

// pdf serves the holder's document: ?layout=a6 for a single A6 page instead
// of the A4 sheet that folds into an A6 leaflet; marked as demo material in a demo.
func (u *UI) pdf(w http.ResponseWriter, r *http.Request, s *session) {
	layout, err := certpdf.ParseLayout(r.URL.Query().Get("layout"))
	if err != nil {
		u.errorPage(w, r, s, errorPage{Status: http.StatusBadRequest, Heading: msg.UnknownLayout, Detail: msg.Layouts,
			Back: certificatePath(r.PathValue("uvci"))})
		return
	}
	is, ok := u.signed(w, r, s)
	if !ok {
		return
	}
	b, err := u.c.API.RenderPDF(is, layout, u.c.Demo)
	if err != nil {
		u.fail(w, r, s, err)
		return
	}
	name := "certificado-covid-" + deployment.TypeName(is.Type)
	if layout == certpdf.A6 {
		name += "-a6"
	}
	writeFile(w, "application/pdf", name+".pdf", b)
}

// writeFile sends a rendering of a certificate: personal data, not cached.
func writeFile(w http.ResponseWriter, contentType, filename string, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	if filename != "" {
		h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func (u *UI) revoke(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("uvci")
	reason := r.PostForm.Get("reason")
	confirmed := r.PostForm.Get("confirm") == "yes"
	var err error
	if confirmed {
		err = u.c.Records.Revoke(r.Context(), s.principal, id, reason)
	} else {
		// Revocation is final: the form asks for the box to be ticked, and
		// nothing is revoked without it.
		err = &dcc.ValidationError{Problems: []dcc.Problem{{Path: "confirm", Reason: msg.Confirm.EN, Text: msg.Confirm}}}
		if strings.TrimSpace(reason) == "" {
			ve := err.(*dcc.ValidationError)
			ve.Problems = append(ve.Problems, dcc.Problem{Path: "reason", Reason: msg.ReasonRequired.EN, Text: msg.ReasonRequired})
		}
	}
	if err == nil {
		http.Redirect(w, r, certificatePath(id), http.StatusSeeOther)
		return
	}
	var ve *dcc.ValidationError
	var ce *issuance.ConflictError
	status := http.StatusUnprocessableEntity
	var problems []template.HTML
	switch {
	case errors.As(err, &ve):
		for _, p := range ve.Problems {
			problems = append(problems, bi(labelled(p.Path, p.Text)))
		}
	case errors.As(err, &ce):
		status = http.StatusConflict
		problems = append(problems, bi(ce.Text))
	default:
		u.fail(w, r, s, err)
		return
	}
	is, rec, err := u.c.Records.Get(r.Context(), s.principal, id)
	if err != nil {
		u.fail(w, r, s, err)
		return
	}
	pg, err := u.certificateView(is, rec)
	if err != nil {
		u.fail(w, r, s, err)
		return
	}
	pg.Reason, pg.Problems, pg.Confirmed = reason, problems, confirmed
	u.render(w, r, s, status, "certificate", "Certificado / Certificate", pg)
}
