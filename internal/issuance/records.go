package issuance

import (
	"context"
	"errors"
	"strings"
	"time"

	"dcc/i18n"
	"dcc/internal/deployment"
	"dcc/registry"
)

// RecordStore is the part of the registry store that reading and revoking
// use.
type RecordStore interface {
	GetAs(ctx context.Context, uvci, actor string, scope registry.Scope) (registry.Record, error)
	Revoke(ctx context.Context, uvci string, rv registry.Revocation, actor string) error
	Search(ctx context.Context, q registry.Query, actor string) ([]registry.Record, string, error)
	Stats(ctx context.Context, from, to time.Time, actor string) ([]registry.Stat, error)
}

// Records reads, searches and revokes certificates within what each
// principal may see. The national registry, which issues nothing, has only
// this part.
type Records struct {
	dep   *deployment.Deployment
	store RecordStore
	now   func() time.Time
}

// NewRecords builds Records; now nil means time.Now.
func NewRecords(dep *deployment.Deployment, store RecordStore, now func() time.Time) *Records {
	if now == nil {
		now = time.Now
	}
	return &Records{dep: dep, store: store, now: now}
}

// ConflictError is a request that contradicts the stored state. Reason is
// in English; Text in both languages, for people.
type ConflictError struct {
	Reason string
	Text   i18n.Text
}

func conflict(t i18n.Text) *ConflictError { return &ConflictError{Reason: t.EN, Text: t} }

func (e *ConflictError) Error() string { return "conflict: " + e.Reason }

// ErrNotFound is a certificate that does not exist or that the caller may
// not see: the two are not told apart.
var ErrNotFound = errors.New("no such certificate")

// mapErr turns store outcomes into the errors callers branch on.
func mapErr(err error) error {
	switch {
	case errors.Is(err, registry.ErrIdempotencyMismatch):
		return conflict(msg.KeyReused)
	case errors.Is(err, registry.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, registry.ErrAlreadyRevoked):
		return conflict(msg.RevokedAlready)
	}
	return err
}

func (r *Records) scope(p deployment.Principal) (registry.Scope, error) {
	sc, err := r.dep.Scope(p)
	if err != nil {
		return registry.Scope{}, err
	}
	return registry.Scope{Authority: sc.Authority, Lab: sc.Lab}, nil
}

// Get returns a certificate the principal may see, as issued and as
// recorded (with its revocation state).
func (r *Records) Get(ctx context.Context, p deployment.Principal, id string) (*Issued, *registry.Record, error) {
	scope, err := r.scope(p)
	if err != nil {
		return nil, nil, err
	}
	rec, err := r.store.GetAs(ctx, id, p.Actor(), scope)
	if err != nil {
		return nil, nil, mapErr(err)
	}
	return fromRecord(rec), &rec, nil
}

// Revoke revokes a certificate the principal may see.
func (r *Records) Revoke(ctx context.Context, p deployment.Principal, id, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return invalid("reason", msg.ReasonRequired)
	}
	if len(reason) > 500 {
		return invalid("reason", msg.LongerThan.With(500))
	}
	scope, err := r.scope(p)
	if err != nil {
		return err
	}
	return mapErr(r.store.Revoke(ctx, id, registry.Revocation{At: r.now(), Reason: reason, Scope: scope}, p.Actor()))
}

// Search lists certificates of the national registry (operators only).
func (r *Records) Search(ctx context.Context, p deployment.Principal, q registry.Query) ([]registry.Record, string, error) {
	if err := r.dep.CanSearch(p); err != nil {
		return nil, "", err
	}
	return r.store.Search(ctx, q, p.Actor())
}

// Stats counts certificates by authority and type (operators only).
func (r *Records) Stats(ctx context.Context, p deployment.Principal, from, to time.Time) ([]registry.Stat, error) {
	if err := r.dep.CanSearch(p); err != nil {
		return nil, err
	}
	return r.store.Stats(ctx, from, to, p.Actor())
}
