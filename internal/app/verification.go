package app

import (
	"context"
	"sync"
	"time"

	"dcc/registry"
	"dcc/revocation"
	"dcc/trustlist"
	"dcc/verify"
)

// revocationTTL is how long the verification service uses one reading of
// the registry's revocations: a revocation takes effect within it.
const revocationTTL = 30 * time.Second

// Verification is the national backend's verifier: the published trust
// list, the registry's own revocations (re-read at most every 30 s) and
// those of other countries downloaded from the gateway, and the business
// rules configured and downloaded. A synchronisation with the gateway
// replaces the trust list, rules and downloaded revocations together.
type Verification struct {
	base  verify.Verifier
	store interface {
		Revoked(ctx context.Context, at time.Time) ([]registry.Record, error)
	}
	now      func() time.Time
	country  string
	observer interface{ Verified(state string) } // metrics; may be nil

	mu       sync.Mutex
	revs     *revocation.List
	revRead  time.Time
	external []revocation.Batch // downloaded from the gateway
}

// Text verifies an HC1 string.
func (v *Verification) Text(ctx context.Context, text string, o verify.Options) verify.Result {
	ver := v.current(ctx)
	return v.observed(ver.Text(ctx, text, o))
}

// Image verifies the QR code in a photo.
func (v *Verification) Image(ctx context.Context, img []byte, o verify.Options) verify.Result {
	ver := v.current(ctx)
	return v.observed(ver.Image(ctx, img, o))
}

func (v *Verification) observed(r verify.Result) verify.Result {
	if v.observer != nil {
		v.observer.Verified(string(r.State))
	}
	return r
}

// SetRules installs the business rules.
func (v *Verification) SetRules(r verify.Rules) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.base.Rules = r
}

// RuleCountries are the countries of arrival whose rules are loaded
// (known false: rules that do not say).
func (v *Verification) RuleCountries() (countries []string, known bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.base.RuleCountries()
}

// install replaces the trust list, the rules (when not nil) and the
// downloaded revocations at once; the registry's own revocations are read
// again with them.
func (v *Verification) install(trust *trustlist.List, r verify.Rules, external []revocation.Batch) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.base.Trust = trust
	if r != nil {
		v.base.Rules = r
	}
	v.external, v.revRead = external, time.Time{} // read again at the next verification
}

func (v *Verification) current(ctx context.Context) verify.Verifier {
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.now()
	if v.revs == nil || now.Sub(v.revRead) > revocationTTL {
		if l, err := v.read(ctx, now); err == nil {
			v.revs, v.revRead = l, now
		}
	}
	ver := v.base
	ver.Revocations = v.revs
	return ver
}

// read turns the registry's revoked certificates into a revocation list,
// keyed as verifiers elsewhere key them (the UCI under the DSC's kid).
func (v *Verification) read(ctx context.Context, now time.Time) (*revocation.List, error) {
	recs, err := v.store.Revoked(ctx, now)
	if err != nil {
		return nil, err
	}
	var batches []revocation.Batch
	for _, r := range recs {
		batches = append(batches, revocation.Batch{
			Country: v.country, KID: r.KID, HashType: revocation.UCI, Expires: r.Expires,
			Entries: []revocation.Entry{revocation.EntryOf(revocation.Of(r.UVCI, "", nil).UCI)},
		})
	}
	l := revocation.NewList()
	l.Add(batches, now)
	l.Add(v.external, now)
	return l, nil
}

// OtherRevocations returns the revocation batches downloaded from the
// gateway (other countries'), for publication with the registry's own.
func (v *Verification) OtherRevocations() []revocation.Batch {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.external
}
