package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"dcc"
	"dcc/internal/delivery"
	"dcc/internal/deployment"
	"dcc/internal/issuance"
	"dcc/registry"
)

// Deliveries applies records delivered by authorities.
type Deliveries interface {
	ApplyBatch(ctx context.Context, rs []registry.Record, actor string) ([]registry.ApplyResult, error)
	RevocationsOf(ctx context.Context, authority string, since time.Time, after string, limit int) ([]registry.RevocationEntry, error)
}

// SearchResult is a page of the registry.
type SearchResult struct {
	Items []Certificate `json:"items"`
	Next  string        `json:"next,omitempty"` // cursor for the next page
}

func (s *Server) search(w http.ResponseWriter, r *http.Request, p deployment.Principal) {
	q := r.URL.Query()
	var probs []FieldProblem
	bad := func(field, reason string) { probs = append(probs, FieldProblem{Field: field, Reason: reason}) }
	query := registry.Query{Authority: q.Get("authority"), Lab: q.Get("lab"), After: q.Get("after")}
	if t := q.Get("type"); t != "" {
		if tt, ok := deployment.ParseType(t); ok {
			query.Type = string(tt)
		} else {
			bad("type", "want vaccination, test or recovery")
		}
	}
	query.IssuedFrom = parseTime(q.Get("issuedFrom"), "issuedFrom", bad)
	query.IssuedTo = parseTime(q.Get("issuedTo"), "issuedTo", bad)
	if v := q.Get("revoked"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad("revoked", "want true or false")
		}
		query.Revoked = &b
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			bad("limit", "want 1 to 1000")
		}
		query.Limit = n
	}
	if len(probs) > 0 {
		writeProblem(w, Problem{Type: probInvalid, Title: "The query is invalid", Status: http.StatusUnprocessableEntity, Errors: probs})
		return
	}
	s.searchAndWrite(w, r, p, query)
}

func parseTime(v, field string, bad func(string, string)) time.Time {
	if v == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t
	}
	bad(field, "want a date (YYYY-MM-DD) or an RFC 3339 time")
	return time.Time{}
}

// Stats is the registry's statistics.
type Stats struct {
	From  *time.Time `json:"from,omitempty"`
	To    *time.Time `json:"to,omitempty"`
	Items []Stat     `json:"items"`
}

// Stat counts one authority's certificates of one type.
type Stat struct {
	Authority string `json:"authority"`
	Type      string `json:"type"`
	Issued    int    `json:"issued"`
	Revoked   int    `json:"revoked"`
}

func (s *Server) stats(w http.ResponseWriter, r *http.Request, p deployment.Principal) {
	var probs []FieldProblem
	bad := func(field, reason string) { probs = append(probs, FieldProblem{Field: field, Reason: reason}) }
	from := parseTime(r.URL.Query().Get("from"), "from", bad)
	to := parseTime(r.URL.Query().Get("to"), "to", bad)
	if len(probs) > 0 {
		writeProblem(w, Problem{Type: probInvalid, Title: "The query is invalid", Status: http.StatusUnprocessableEntity, Errors: probs})
		return
	}
	st, err := s.Records.Stats(r.Context(), p, from, to)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := Stats{Items: []Stat{}}
	if !from.IsZero() {
		out.From = &from
	}
	if !to.IsZero() {
		out.To = &to
	}
	for _, x := range st {
		out.Items = append(out.Items, Stat{Authority: x.Authority, Type: typeName(x.Type), Issued: x.Issued, Revoked: x.Revoked})
	}
	writeJSON(w, http.StatusOK, out)
}

// deliver takes records from an issuing authority, identified by the common
// name of its verified TLS client certificate. Each record is checked
// (delivery.Record.Accept: an authority delivers only what it may issue,
// under its own identifiers); the accepted ones are applied in one
// transaction. A refused record is answered as rejected with the reason and
// never stops the others; a failure of the store itself is a 503 for the
// whole batch, which the authority sends again.
func (s *Server) deliver(w http.ResponseWriter, r *http.Request) {
	authority, ok := s.deliveringAuthority(w, r)
	if !ok {
		return
	}
	actor := string(deployment.RoleAuthority) + ":" + authority
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	var batch delivery.Batch
	if err := json.Unmarshal(body, &batch); err != nil {
		problem(w, http.StatusBadRequest, probInvalid, "Not a delivery batch", err.Error())
		return
	}
	if len(batch.Records) > delivery.MaxBatch {
		problem(w, http.StatusRequestEntityTooLarge, probTooLarge, "Too many records",
			"At most "+strconv.Itoa(delivery.MaxBatch)+" records per request.")
		return
	}
	resp := delivery.Response{Results: make([]delivery.Result, len(batch.Records))}
	var accepted []registry.Record
	var at []int
	for i, rec := range batch.Records {
		resp.Results[i].UVCI = rec.UVCI
		rr, err := rec.Accept(s.Deployment, authority)
		if err != nil {
			resp.Results[i].Status, resp.Results[i].Error = delivery.StatusRejected, err.Error()
			continue
		}
		accepted, at = append(accepted, rr), append(at, i)
	}
	if len(accepted) > 0 {
		applied, err := s.Registry.ApplyBatch(r.Context(), accepted, actor)
		if err != nil {
			s.log.Error("delivery not stored", "authority", authority, "err", err.Error())
			w.Header().Set("Retry-After", "5")
			problem(w, http.StatusServiceUnavailable, probNotAvailable, "Not stored",
				"The registry could not store the batch; nothing of it was written. Send it again.")
			return
		}
		for k, a := range applied {
			res := &resp.Results[at[k]]
			switch {
			case errors.Is(a.Err, registry.ErrConflict):
				res.Status, res.Error = delivery.StatusRejected, "uvci: the registry holds another payload under this UVCI"
			case a.Err != nil:
				res.Status, res.Error = delivery.StatusRejected, "record: "+strings.TrimPrefix(a.Err.Error(), "registry: ")
			default:
				res.Status = map[registry.Applied]string{
					registry.AppliedNew: delivery.StatusStored, registry.AppliedRevoked: delivery.StatusRevoked,
					registry.AppliedUnchanged: delivery.StatusUnchanged,
				}[a.Applied]
			}
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// deliveringAuthority is the authority named by the common name of the
// request's verified TLS client certificate, if it may deliver here; else
// it writes the problem.
func (s *Server) deliveringAuthority(w http.ResponseWriter, r *http.Request) (string, bool) {
	if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 {
		problem(w, http.StatusUnauthorized, probUnauth, "Client certificate required",
			"Issuing authorities are served over mutual TLS with the authority's client certificate.")
		return "", false
	}
	authority := r.TLS.VerifiedChains[0][0].Subject.CommonName
	if _, ok := s.Deployment.Authority(authority); !ok ||
		(len(s.DeliveryAuthorities) > 0 && !slices.Contains(s.DeliveryAuthorities, authority)) {
		problem(w, http.StatusForbidden, probForbidden, "Not allowed",
			"The client certificate does not name an authority that may deliver here.")
		return "", false
	}
	SetActor(w, string(deployment.RoleAuthority)+":"+authority)
	return authority, true
}

// revokedOf gives an issuing authority the revocations of its certificates
// recorded in the registry (those its operators made, and those the
// authority delivered), a page at a time, so that its own store learns of
// them.
func (s *Server) revokedOf(w http.ResponseWriter, r *http.Request) {
	authority, ok := s.deliveringAuthority(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	var since int64
	if v := q.Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			problem(w, http.StatusBadRequest, probInvalid, "Bad since", "since: want Unix seconds, a non-negative integer.")
			return
		}
		since = n
	}
	es, err := s.Registry.RevocationsOf(r.Context(), authority, time.Unix(since, 0), q.Get("after"), delivery.RevokedPage+1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := delivery.Revoked{Revocations: make([]delivery.RevokedRecord, 0, len(es))}
	if len(es) > delivery.RevokedPage {
		es, out.More = es[:delivery.RevokedPage], true
	}
	for _, e := range es {
		out.Revocations = append(out.Revocations, delivery.RevokedRecord{UVCI: e.UVCI, Revocation: delivery.Revocation{
			At: e.At.Unix(), By: e.By, Reason: e.Reason, ReplacedBy: e.ReplacedBy,
		}})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) searchAndWrite(w http.ResponseWriter, r *http.Request, p deployment.Principal, query registry.Query) {
	recs, next, err := s.Records.Search(r.Context(), p, query)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := SearchResult{Items: []Certificate{}, Next: next}
	for i := range recs {
		rec := &recs[i]
		out.Items = append(out.Items, view(&issuance.Issued{
			UVCI: rec.UVCI, Type: dcc.Type(rec.Type), Authority: rec.Authority, Lab: rec.Lab, KID: rec.KID,
			IssuedAt: rec.IssuedAt, Expires: rec.Expires, Replaces: rec.Replaces,
		}, rec))
	}
	writeJSON(w, http.StatusOK, out)
}

// HolderSearch is the body of a search by holder. It is a POST, not query
// parameters, so that a name and a date of birth never sit in a URL (and in
// the logs of whatever proxy is on the way).
type HolderSearch struct {
	Surname string `json:"surname"` // as written (fn) or standardised (fnt)
	DOB     string `json:"dob"`     // as in the certificate: YYYY-MM-DD, YYYY-MM or YYYY
	Limit   int    `json:"limit,omitempty"`
	After   string `json:"after,omitempty"`
}

// searchHolder finds one person's certificates (operators only).
func (s *Server) searchHolder(w http.ResponseWriter, r *http.Request, p deployment.Principal) {
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	var req HolderSearch
	if err := strictDecode(body, &req); err != nil {
		s.fail(w, r, &dcc.ValidationError{Problems: []dcc.Problem{{Path: "", Reason: err.Error()}}})
		return
	}
	var probs []FieldProblem
	bad := func(field, reason string) { probs = append(probs, FieldProblem{Field: field, Reason: reason}) }
	if strings.TrimSpace(req.Surname) == "" {
		bad("surname", "required: the holder's surname, as written or standardised (e.g. MUSTERFRAU<GOESSINGER)")
	}
	if !registry.HolderDOB(req.DOB) {
		bad("dob", "required: the date of birth as in the certificate, YYYY-MM-DD, YYYY-MM or YYYY")
	}
	if req.Limit < 0 || req.Limit > 1000 {
		bad("limit", "want 1 to 1000")
	}
	if len(probs) > 0 {
		writeProblem(w, Problem{Type: probInvalid, Title: "The query is invalid", Status: http.StatusUnprocessableEntity, Errors: probs})
		return
	}
	s.searchAndWrite(w, r, p, registry.Query{HolderName: req.Surname, HolderDOB: req.DOB, Limit: req.Limit, After: req.After})
}
