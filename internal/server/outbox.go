package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"dcc/internal/delivery"
	"dcc/internal/deployment"
	"dcc/registry"
)

// Outbox is an authority's delivery queue to the national registry, as its
// staff see it.
type Outbox interface {
	OutboxPending(ctx context.Context) (int, error)
	OutboxParked(ctx context.Context) (int, error)
	Parked(ctx context.Context, limit int, after string) ([]registry.ParkedEntry, error)
	Unpark(ctx context.Context, uvcis []string, actor string) (int, error)
}

// OutboxView is the body of GET /api/v1/outbox.
type OutboxView struct {
	Pending  int             `json:"pending"`
	Parked   int             `json:"parked"`
	Registry *RegistryStatus `json:"registry,omitempty"`
	Items    []ParkedRecord  `json:"items"` // the parked records, by UVCI
	Next     string          `json:"next,omitempty"`
}

// RegistryStatus is what the delivery worker knows of the registry.
type RegistryStatus struct {
	Reachable    bool       `json:"reachable"`
	Since        *time.Time `json:"since,omitempty"`
	LastError    string     `json:"lastError,omitempty"`
	LastDelivery *time.Time `json:"lastDelivery,omitempty"`
}

// ParkedRecord is a record the registry refused, and why.
type ParkedRecord struct {
	UVCI     string    `json:"uvci"`
	Type     string    `json:"type"`
	ParkedAt time.Time `json:"parkedAt"`
	Attempts int       `json:"attempts"`
	Reason   string    `json:"reason"`
}

// outboxStaff lets in the staff of the authority whose outbox this is.
func (s *Server) outboxStaff(w http.ResponseWriter, p deployment.Principal) bool {
	if p.Role != deployment.RoleAuthority || p.Authority != s.OutboxAuthority {
		problem(w, http.StatusForbidden, probForbidden, "Not allowed",
			"The delivery queue is shown to the staff of the issuing authority it belongs to.")
		return false
	}
	return true
}

func (s *Server) outbox(w http.ResponseWriter, r *http.Request, p deployment.Principal) {
	if !s.outboxStaff(w, p) {
		return
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeProblem(w, Problem{Type: probInvalid, Title: "The query is invalid", Status: http.StatusUnprocessableEntity,
				Errors: []FieldProblem{{Field: "limit", Reason: "want 1 to 1000"}}})
			return
		}
		limit = n
	}
	v, err := OutboxStatus(r.Context(), s.Outbox, s.Delivery, limit, r.URL.Query().Get("after"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// OutboxStatus reads the queue for its staff (the API and the web UI).
func OutboxStatus(ctx context.Context, o Outbox, d interface{ Status() delivery.Status }, limit int, after string) (*OutboxView, error) {
	v := &OutboxView{Items: []ParkedRecord{}}
	var err error
	if v.Pending, err = o.OutboxPending(ctx); err != nil {
		return nil, err
	}
	if v.Parked, err = o.OutboxParked(ctx); err != nil {
		return nil, err
	}
	es, err := o.Parked(ctx, limit+1, after)
	if err != nil {
		return nil, err
	}
	if len(es) > limit {
		es, v.Next = es[:limit], es[limit-1].UVCI
	}
	for _, e := range es {
		v.Items = append(v.Items, ParkedRecord{UVCI: e.UVCI, Type: typeName(e.Type), ParkedAt: e.ParkedAt, Attempts: e.Attempts, Reason: e.Reason})
	}
	if d != nil {
		st := d.Status()
		v.Registry = &RegistryStatus{Reachable: st.Reachable, LastError: st.LastError}
		if !st.Since.IsZero() {
			v.Registry.Since = &st.Since
		}
		if !st.LastDelivery.IsZero() {
			v.Registry.LastDelivery = &st.LastDelivery
		}
	}
	return v, nil
}

// outboxRetryRequest is the body of POST /api/v1/outbox/retry.
type outboxRetryRequest struct {
	// UVCIs to put back; empty means every parked record.
	UVCIs []string `json:"uvcis,omitempty"`
}

// outboxRetry puts parked records back in the delivery queue once the
// cause is fixed (the registry's configuration, say).
func (s *Server) outboxRetry(w http.ResponseWriter, r *http.Request, p deployment.Principal) {
	if !s.outboxStaff(w, p) {
		return
	}
	body, ok := readJSON(w, r)
	if !ok {
		return
	}
	var req outboxRetryRequest
	if len(body) > 0 {
		if err := strictDecode(body, &req); err != nil {
			writeProblem(w, Problem{Type: probInvalid, Title: "The request is invalid", Status: http.StatusUnprocessableEntity,
				Errors: []FieldProblem{{Field: "", Reason: err.Error() + ` (want {"uvcis": [...]} or {} for every parked record)`}}})
			return
		}
	}
	if len(req.UVCIs) > 1000 {
		writeProblem(w, Problem{Type: probInvalid, Title: "The request is invalid", Status: http.StatusUnprocessableEntity,
			Errors: []FieldProblem{{Field: "uvcis", Reason: "at most 1000 per request; send {} to put back every parked record"}}})
		return
	}
	n, err := s.Outbox.Unpark(r.Context(), req.UVCIs, p.Actor())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if wk, ok := s.Delivery.(interface{ Wake() }); ok {
		wk.Wake()
	}
	writeJSON(w, http.StatusOK, map[string]int{"requeued": n})
}
