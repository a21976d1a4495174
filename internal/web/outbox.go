package web

import (
	"net/http"
	"net/url"

	"dcc/internal/deployment"
	"dcc/internal/server"
)

// outboxPageSize is how many parked records the page lists.
const outboxPageSize = 100

// outboxStaff reports whether p may see this process's delivery queue:
// the staff of the authority whose own store it is (role authority).
func (u *UI) outboxStaff(p deployment.Principal) bool {
	api := u.c.API
	return api.Outbox != nil && p.Role == deployment.RoleAuthority && p.Authority == api.OutboxAuthority
}

// outboxPage shows the authority's staff what waits for the national
// registry, and the records it refused with the reasons.
func (u *UI) outboxPage(w http.ResponseWriter, r *http.Request, s *session) {
	if !u.outboxStaff(s.principal) {
		u.errorPage(w, r, s, errorPage{Status: http.StatusForbidden, Heading: msg.NotAllowed, Detail: msg.OutboxShown})
		return
	}
	v, err := server.OutboxStatus(r.Context(), u.c.API.Outbox, u.c.API.Delivery, outboxPageSize, r.URL.Query().Get("after"))
	if err != nil {
		u.fail(w, r, s, err)
		return
	}
	pg := outboxPage{Pending: v.Pending, Parked: v.Parked}
	if v.Next != "" {
		pg.Next = "/outbox?" + url.Values{"after": {v.Next}}.Encode()
	}
	if st := v.Registry; st != nil {
		pg.Registry = &registryState{Reachable: st.Reachable, LastError: st.LastError}
		if st.Since != nil {
			pg.Registry.Since = u.when(*st.Since)
		}
		if st.LastDelivery != nil {
			pg.Registry.LastDelivery = u.when(*st.LastDelivery)
		}
	}
	for _, it := range v.Items {
		pg.Items = append(pg.Items, parkedRow{UVCI: it.UVCI, Path: certificatePath(it.UVCI), Type: it.Type,
			ParkedAt: u.when(it.ParkedAt), Attempts: it.Attempts, Reason: it.Reason})
	}
	u.render(w, r, s, http.StatusOK, "outbox", "Entrega al registro nacional / Delivery to the national registry", pg)
}

type outboxPage struct {
	Pending, Parked int
	Registry        *registryState
	Items           []parkedRow
	Next            string
}

type registryState struct {
	Reachable                      bool
	Since, LastDelivery, LastError string
}

type parkedRow struct {
	UVCI, Path, Type, ParkedAt, Reason string
	Attempts                           int
}

// outboxRetry puts every parked record back in the queue.
func (u *UI) outboxRetry(w http.ResponseWriter, r *http.Request, s *session) {
	if !u.outboxStaff(s.principal) {
		u.errorPage(w, r, s, errorPage{Status: http.StatusForbidden, Heading: msg.NotAllowed, Detail: msg.OutboxManaged})
		return
	}
	if _, err := u.c.API.Outbox.Unpark(r.Context(), nil, s.principal.Actor()); err != nil {
		u.fail(w, r, s, err)
		return
	}
	if wk, ok := u.c.API.Delivery.(interface{ Wake() }); ok {
		wk.Wake()
	}
	http.Redirect(w, r, "/outbox", http.StatusSeeOther)
}

// outboxSummary is the home page's line on the queue, for its staff.
func (u *UI) outboxSummary(r *http.Request, p deployment.Principal) *server.OutboxView {
	if !u.outboxStaff(p) {
		return nil
	}
	v, err := server.OutboxStatus(r.Context(), u.c.API.Outbox, u.c.API.Delivery, 1, "")
	if err != nil {
		u.c.Log.Error("web: outbox summary", "err", err.Error())
		return nil
	}
	return v
}
