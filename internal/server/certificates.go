package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"dcc"
	"dcc/i18n"
	"dcc/internal/certpdf"
	"dcc/internal/deployment"
	"dcc/internal/issuance"
	"dcc/qr"
	"dcc/registry"
)

// Certificate is the API's view of a certificate.
type Certificate struct {
	UVCI       string          `json:"uvci"`
	Type       string          `json:"type"`
	Authority  string          `json:"authority"`
	Lab        string          `json:"lab,omitempty"`
	KID        string          `json:"kid"`
	IssuedAt   time.Time       `json:"issuedAt"`
	ExpiresAt  time.Time       `json:"expiresAt"`
	EventDate  string          `json:"eventDate,omitempty"`
	HC1        string          `json:"hc1,omitempty"`
	QR         *QRLinks        `json:"qr,omitempty"`
	PDF        string          `json:"pdf,omitempty"`
	Payload    json.RawMessage `json:"payload,omitempty"`
	Warnings   []FieldProblem  `json:"warnings,omitempty"`
	Replaces   string          `json:"replaces,omitempty"`
	Revocation *Revocation     `json:"revocation,omitempty"`
}

// QRLinks are the URLs of the certificate's QR code.
type QRLinks struct {
	PNG string `json:"png"`
	SVG string `json:"svg"`
}

// Revocation is a certificate's revocation state.
type Revocation struct {
	At         time.Time `json:"at"`
	By         string    `json:"by"`
	Reason     string    `json:"reason"`
	ReplacedBy string    `json:"replacedBy,omitempty"`
}

// CertificatePath is the API path of a certificate: the UVCI is one
// percent-encoded path segment ('/' → %2F, '#' → %23).
func CertificatePath(uvci string) string {
	return "/api/v1/certificates/" + url.PathEscape(uvci)
}

func typeName(t string) string { return deployment.TypeName(dcc.Type(t)) }

func view(is *issuance.Issued, rec *registry.Record) Certificate {
	base := CertificatePath(is.UVCI)
	c := Certificate{
		UVCI: is.UVCI, Type: typeName(string(is.Type)), Authority: is.Authority, Lab: is.Lab, KID: is.KID,
		IssuedAt: is.IssuedAt, ExpiresAt: is.Expires, HC1: is.HC1, Payload: is.Payload, Replaces: is.Replaces,
	}
	if is.HC1 != "" {
		c.QR = &QRLinks{PNG: base + "/qr.png", SVG: base + "/qr.svg"}
		c.PDF = base + "/pdf"
	}
	for _, w := range is.Warnings {
		c.Warnings = append(c.Warnings, FieldProblem{Field: w.Path, Reason: w.Reason})
	}
	if rec != nil {
		c.EventDate = rec.EventDate
		if rec.RevokedAt != nil {
			c.Revocation = &Revocation{At: *rec.RevokedAt, By: rec.RevokedBy, Reason: rec.RevokeReason, ReplacedBy: rec.ReplacedBy}
		}
	}
	return c
}

// readJSON reads a JSON request body, enforcing the media type: a body
// must say that it is JSON (application/json or a +json type). Only a
// request without a body (a re-issue keeping everything) declares nothing.
func readJSON(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.ContentLength != 0 || r.Header.Get("Content-Type") != "" {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			problem(w, http.StatusUnsupportedMediaType, probUnsupported, "Unsupported media type",
				"Send the body as application/json, with the header 'Content-Type: application/json'.")
			return nil, false
		}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			problem(w, http.StatusRequestEntityTooLarge, probTooLarge, "Request body too large",
				fmt.Sprintf("The limit is %d bytes.", mbe.Limit))
			return nil, false
		}
		problem(w, http.StatusBadRequest, probInvalid, "Body not readable", "")
		return nil, false
	}
	return body, true
}

func (s *Server) issue(t dcc.Type) authedHandler {
	return func(w http.ResponseWriter, r *http.Request, p deployment.Principal) {
		body, ok := readJSON(w, r)
		if !ok {
			return
		}
		is, err := s.Issuance.Issue(r.Context(), p, issuance.Request{Type: t, Body: body, IdempotencyKey: r.Header.Get("Idempotency-Key")})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.created(w, is)
	}
}

func (s *Server) created(w http.ResponseWriter, is *issuance.Issued) {
	w.Header().Set("Location", CertificatePath(is.UVCI))
	if is.Replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(w, http.StatusCreated, view(is, nil))
}

// reissueRequest is the body of a re-issue.
type reissueRequest struct {
	Reason  string          `json:"reason"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func (s *Server) reissue(w http.ResponseWriter, r *http.Request, p deployment.Principal) {
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	var req reissueRequest
	if len(bytes.TrimSpace(body)) > 0 {
		if err := strictDecode(body, &req); err != nil {
			s.fail(w, r, &dcc.ValidationError{Problems: []dcc.Problem{{Path: "", Reason: err.Error()}}})
			return
		}
	}
	is, err := s.Issuance.Reissue(r.Context(), p, r.PathValue("uvci"),
		issuance.Request{Body: req.Payload, IdempotencyKey: r.Header.Get("Idempotency-Key")}, req.Reason)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.created(w, is)
}

func strictDecode(body []byte, v any) error {
	if _, err := dcc.DecodeJSON(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, p deployment.Principal) {
	is, rec, err := s.Records.Get(r.Context(), p, r.PathValue("uvci"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, view(is, rec))
}

type revokeRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) revoke(w http.ResponseWriter, r *http.Request, p deployment.Principal) {
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	var req revokeRequest
	if err := strictDecode(body, &req); err != nil {
		s.fail(w, r, &dcc.ValidationError{Problems: []dcc.Problem{{Path: "", Reason: err.Error()}}})
		return
	}
	id := r.PathValue("uvci")
	if err := s.Records.Revoke(r.Context(), p, id, req.Reason); err != nil {
		s.fail(w, r, err)
		return
	}
	s.get(w, r, p)
}

// certificateFor returns a certificate with its HC1 string, for rendering.
// A revoked certificate is refused (410): its QR code and PDF must not
// circulate again.
func (s *Server) certificateFor(w http.ResponseWriter, r *http.Request, p deployment.Principal) (*issuance.Issued, bool) {
	is, rec, err := s.Records.Get(r.Context(), p, r.PathValue("uvci"))
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	if rec != nil && rec.RevokedAt != nil {
		problem(w, http.StatusGone, probRevoked, "The certificate is revoked", RevokedText().String())
		return nil, false
	}
	if is.HC1 == "" {
		problem(w, http.StatusNotFound, probNotAvailable, "No signed certificate stored",
			"This record came without its signed form; the issuing authority can re-issue it.")
		return nil, false
	}
	return is, true
}

// RevokedText explains why a revoked certificate's QR code and PDF are not
// served; the web interface shows it too.
func RevokedText() i18n.Text { return revokedText }

var revokedText = i18n.Text{
	ES: "Este certificado está revocado: su código QR y su PDF ya no se entregan, porque un certificado revocado no debe volver a circular. Consulte el certificado para ver el motivo; si se ha sustituido, descargue el nuevo.",
	EN: "This certificate is revoked: its QR code and PDF are no longer served, because a revoked certificate must not circulate again. Open the certificate to see why; if it was replaced, download the new one.",
}

// qr serves the QR code of a certificate as PNG or SVG.
func (s *Server) qr(format string) authedHandler {
	contentType := map[string]string{"png": "image/png", "svg": "image/svg+xml"}[format]
	return func(w http.ResponseWriter, r *http.Request, p deployment.Principal) {
		is, ok := s.certificateFor(w, r, p)
		if !ok {
			return
		}
		b, err := RenderQR(&s.qrPNG, is.HC1, format)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeFile(w, contentType, "", b)
	}
}

// RenderQR draws an HC1 string as a QR code (level Q) in PNG or SVG.
func RenderQR(rd *qr.Renderer, hc1, format string) ([]byte, error) {
	code, err := qr.Encode(hc1)
	if err != nil {
		return nil, err
	}
	if format == "svg" {
		return code.SVG(qr.DefaultScale), nil
	}
	return rd.PNG(code, 6)
}

func (s *Server) pdf(w http.ResponseWriter, r *http.Request, p deployment.Principal) {
	layout, err := certpdf.ParseLayout(r.URL.Query().Get("layout"))
	if err != nil {
		writeProblem(w, Problem{Type: probInvalid, Title: "The request is invalid", Status: http.StatusUnprocessableEntity,
			Errors: []FieldProblem{{Field: "layout", Reason: "want a4 (the A4 sheet that folds into an A6 leaflet, the default) or a6 (a single A6 page)"}}})
		return
	}
	is, ok := s.certificateFor(w, r, p)
	if !ok {
		return
	}
	b, err := s.RenderPDF(is, layout, s.Demo)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeFile(w, "application/pdf", "certificado-covid-"+string(is.Type)+".pdf", b)
}

// RenderPDF renders the holder's document of an issued certificate in
// layout, marked as demo material when demo is set.
func (s *Server) RenderPDF(is *issuance.Issued, layout certpdf.Layout, demo bool) ([]byte, error) {
	if s.PDF == nil {
		return nil, errors.New("server: no PDF renderer configured")
	}
	var payload dcc.Payload
	if err := payload.UnmarshalJSON(is.Payload); err != nil {
		return nil, fmt.Errorf("server: stored payload: %w", err)
	}
	name := is.Authority
	if a, ok := s.Deployment.Authority(is.Authority); ok {
		name = a.Name
	}
	var buf bytes.Buffer
	err := s.PDF.Render(&buf, certpdf.Certificate{
		HC1: is.HC1, Payload: &payload, IssuedAt: is.IssuedAt, Expires: is.Expires, Authority: name,
		Layout: layout, Demo: demo,
	})
	return buf.Bytes(), err
}

func writeFile(w http.ResponseWriter, contentType, filename string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	if filename != "" {
		w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
