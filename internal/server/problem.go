package server

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"golang.org/x/text/language"

	"dcc"
	"dcc/i18n"
	"dcc/internal/deployment"
	"dcc/internal/issuance"
)

// Problem is an RFC 9457 problem details object.
type Problem struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail,omitempty"`
	Errors []FieldProblem `json:"errors,omitempty"`
}

// FieldProblem is one field error: the JSON path of the field and the rule
// it breaks.
type FieldProblem struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Problem types, relative URIs documented in docs/api.md.
const (
	probInvalid      = "/problems/invalid-request"
	probUnauth       = "/problems/unauthenticated"
	probForbidden    = "/problems/forbidden"
	probNotFound     = "/problems/not-found"
	probConflict     = "/problems/conflict"
	probTooLarge     = "/problems/body-too-large"
	probRateLimited  = "/problems/rate-limited"
	probInternal     = "/problems/internal"
	probUnsupported  = "/problems/unsupported-media-type"
	probNotAvailable = "/problems/not-available"
	probRevoked      = "/problems/revoked"
)

func writeProblem(w http.ResponseWriter, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

func problem(w http.ResponseWriter, status int, typ, title, detail string) {
	writeProblem(w, Problem{Type: typ, Title: title, Status: status, Detail: detail})
}

// fail maps an error of the packages behind the edge to a problem. The
// message of an unexpected error is logged (it carries no personal data) and
// not shown.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ve *dcc.ValidationError
	var fe *deployment.ForbiddenError
	var ce *issuance.ConflictError
	var mbe *http.MaxBytesError
	lang := peopleLanguage(w, r)
	switch {
	case errors.As(err, &ve):
		p := Problem{Type: probInvalid, Title: "The request is invalid", Status: http.StatusUnprocessableEntity,
			Detail: msg.Invalid.In(lang)}
		for _, pr := range ve.Problems {
			if pr.Severity == dcc.Error {
				p.Errors = append(p.Errors, FieldProblem{Field: pr.Path, Reason: reasonIn(pr, lang)})
			}
		}
		writeProblem(w, p)
	case errors.As(err, &fe):
		problem(w, http.StatusForbidden, probForbidden, "Not allowed", textOr(fe.Text, fe.Reason).In(lang))
	case errors.Is(err, issuance.ErrNotFound):
		problem(w, http.StatusNotFound, probNotFound, "No such certificate", msg.NotFound.In(lang))
	case errors.As(err, &ce):
		problem(w, http.StatusConflict, probConflict, "Conflict", textOr(ce.Text, ce.Reason).In(lang))
	case errors.As(err, &mbe):
		problem(w, http.StatusRequestEntityTooLarge, probTooLarge, "Request body too large", "")
	default:
		s.log.Error("request failed", "route", r.Pattern, "err", err.Error())
		problem(w, http.StatusInternalServerError, probInternal, "Internal error", msg.Internal.In(lang))
	}
}

// peopleLanguage is the language of the texts meant for people in an
// answer ("detail" and the field reasons): Spanish when the request's
// Accept-Language prefers it to English, English otherwise, as before.
func peopleLanguage(w http.ResponseWriter, r *http.Request) string {
	lang := "en"
	if tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language")); err == nil {
		for _, t := range tags {
			if base, _ := t.Base(); base.String() == "es" {
				lang = "es"
				break
			} else if base.String() == "en" {
				break
			}
		}
	}
	w.Header().Set("Content-Language", lang)
	w.Header().Add("Vary", "Accept-Language")
	return lang
}

func reasonIn(p dcc.Problem, lang string) string {
	return textOr(p.Text, p.Reason).In(lang)
}

// textOr is t, or reason in both languages where an error carries no text
// (a technical reason, such as a JSON syntax error).
func textOr(t i18n.Text, reason string) i18n.Text {
	if t.IsZero() {
		return i18n.Text{ES: reason, EN: reason}
	}
	return t
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

var _ = slog.LevelInfo
