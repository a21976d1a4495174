package server

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"dcc"
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
	switch {
	case errors.As(err, &ve):
		p := Problem{Type: probInvalid, Title: "The request is invalid", Status: http.StatusUnprocessableEntity,
			Detail: "Every field error is listed; nothing was signed or stored."}
		for _, pr := range ve.Problems {
			if pr.Severity == dcc.Error {
				p.Errors = append(p.Errors, FieldProblem{Field: pr.Path, Reason: pr.Reason})
			}
		}
		writeProblem(w, p)
	case errors.As(err, &fe):
		problem(w, http.StatusForbidden, probForbidden, "Not allowed", fe.Reason)
	case errors.Is(err, issuance.ErrNotFound):
		problem(w, http.StatusNotFound, probNotFound, "No such certificate",
			"No certificate with this UVCI exists that these credentials may see.")
	case errors.As(err, &ce):
		problem(w, http.StatusConflict, probConflict, "Conflict", ce.Reason)
	case errors.As(err, &mbe):
		problem(w, http.StatusRequestEntityTooLarge, probTooLarge, "Request body too large", "")
	default:
		s.log.Error("request failed", "route", r.Pattern, "err", err.Error())
		problem(w, http.StatusInternalServerError, probInternal, "Internal error",
			"The request could not be completed; nothing was issued. The error is logged.")
	}
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
