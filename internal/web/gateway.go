package web

import (
	"context"
	"net/http"
	"time"

	"dcc/internal/gwsync"
)

// GatewayStatus reports the synchronisation with the EU DCC Gateway
// (*gwsync.Syncer).
type GatewayStatus interface {
	Status(ctx context.Context) (*gwsync.Status, error)
}

type gatewayPage struct {
	Country               string
	Generation, Installed int64
	InstalledAt           string
	Kinds                 []gatewayKind
	Outbox                gwsync.Outbox
	Refused               []string
}

type gatewayKind struct {
	Label, LastSuccess, LastAttempt, LastError string
	Count                                      int
}

var gatewayKindLabels = map[string]string{
	gwsync.KindUploads:     "Envíos (DSC, revocaciones) / Uploads (DSCs, revocations)",
	gwsync.KindTrustList:   "Lista de confianza / Trust list",
	gwsync.KindValueSets:   "Conjuntos de valores / Value sets",
	gwsync.KindRules:       "Reglas / Business rules",
	gwsync.KindRevocations: "Revocaciones de otros países / Other countries' revocations",
}

// gateway shows registry operators how the exchange with the gateway
// stands, as GET /api/v1/gateway/status does.
func (u *UI) gateway(w http.ResponseWriter, r *http.Request, s *session) {
	if !u.allowRegistry(w, r, s) {
		return
	}
	st, err := u.c.Gateway.Status(r.Context())
	if err != nil {
		u.fail(w, r, s, err)
		return
	}
	when := func(t *time.Time) string {
		if t == nil {
			return "—"
		}
		return u.when(*t)
	}
	pg := gatewayPage{Country: st.Country, Generation: st.Generation, Installed: st.Installed, Outbox: st.Outbox, Refused: st.Refused}
	if st.InstalledAt != nil {
		pg.InstalledAt = when(st.InstalledAt)
	}
	for _, k := range st.Kinds {
		label := gatewayKindLabels[k.Kind]
		if label == "" {
			label = k.Kind
		}
		pg.Kinds = append(pg.Kinds, gatewayKind{Label: label, LastSuccess: when(k.LastSuccess), LastAttempt: when(k.LastAttempt),
			LastError: k.LastError, Count: k.Count})
	}
	u.render(w, r, s, http.StatusOK, "gateway", "Pasarela de la UE / EU DCC Gateway", pg)
}
