package server

import (
	"context"
	"net/http"

	"dcc/internal/deployment"
	"dcc/internal/gwsync"
)

// GatewayStatus reports the synchronisation with the EU DCC Gateway
// (*gwsync.Syncer).
type GatewayStatus interface {
	Status(ctx context.Context) (*gwsync.Status, error)
}

// gatewayStatus shows registry operators how the exchange with the gateway
// stands: the last success and error of each kind, the upload backlog, and
// what the installed download refused.
func (s *Server) gatewayStatus(w http.ResponseWriter, r *http.Request, p deployment.Principal) {
	if p.Role != deployment.RoleOperator {
		problem(w, http.StatusForbidden, probForbidden, "Not allowed",
			"The synchronisation with the EU DCC Gateway is shown to the registry's operators.")
		return
	}
	st, err := s.Gateway.Status(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}
