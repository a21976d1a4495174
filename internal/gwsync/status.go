package gwsync

import (
	"context"
	"time"
)

// Status is what operators see of the synchronisation
// (GET /api/v1/gateway/status, the registry's web page, /metrics).
type Status struct {
	Country string `json:"country"`
	// Generation is the stored download's; Installed the one this process
	// uses, and InstalledAt when it was installed (absent: none yet).
	Generation  int64      `json:"generation"`
	Installed   int64      `json:"installed"`
	InstalledAt *time.Time `json:"installedAt,omitempty"`
	Kinds       []Kind     `json:"kinds"`
	Outbox      Outbox     `json:"outbox"`
	// Refused are the items of the installed download that failed a check.
	Refused []string `json:"refused"`
}

// Kind is the last outcome of one kind of exchange.
type Kind struct {
	Kind        string     `json:"kind"` // uploads, trustlist, valuesets, rules, revocations
	LastAttempt *time.Time `json:"lastAttempt,omitempty"`
	LastSuccess *time.Time `json:"lastSuccess,omitempty"`
	// LastError is the last attempt's failure; empty when it succeeded.
	LastError string `json:"lastError,omitempty"`
	// Count is what the last success counted: trust-list entries, value
	// sets, rules, revocation batches in use, or items uploaded.
	Count int `json:"count"`
}

// Outbox counts the uploads.
type Outbox struct {
	Pending int `json:"pending"` // waiting, of which Failing failed at least once
	Failing int `json:"failing"`
	Done    int `json:"done"`
}

// Status reads the status from the store (so that a synchronisation made
// by `dcc gateway sync` shows too).
func (s *Syncer) Status(ctx context.Context) (*Status, error) {
	st := s.cfg.Store
	out := &Status{Country: s.country, Kinds: []Kind{}, Refused: []string{}}
	var err error
	if out.Generation, err = st.GatewayGeneration(ctx); err != nil {
		return nil, err
	}
	if out.Outbox.Pending, out.Outbox.Failing, out.Outbox.Done, err = st.GatewayOutboxCounts(ctx); err != nil {
		return nil, err
	}
	kinds, err := st.GatewayStatuses(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range kinds {
		out.Kinds = append(out.Kinds, Kind{Kind: k.Kind, LastAttempt: timeOrNil(k.LastAttempt),
			LastSuccess: timeOrNil(k.LastSuccess), LastError: k.LastError, Count: k.Count})
	}
	s.mu.Lock()
	out.Installed, out.InstalledAt = s.applied, timeOrNil(s.appliedT)
	out.Refused = append(out.Refused, s.refused...)
	s.mu.Unlock()
	return out, nil
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
