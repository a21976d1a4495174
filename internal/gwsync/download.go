package gwsync

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"dcc/cms"
	"dcc/gateway"
	"dcc/registry"
	"dcc/revocation"
	"dcc/rules"
	"dcc/trustlist"
	"dcc/valueset"
)

// Download is a checked download, ready to install.
type Download struct {
	Generation int64
	FetchedAt  time.Time
	// DSCs and CSCAs are the other countries' certificates that passed
	// every check (§A.4); the country's own come from its configuration.
	DSCs, CSCAs []*x509.Certificate
	// ValueSets are the sets the gateway distributes (the eight known).
	ValueSets []*valueset.Set
	// Rules are every country's business rules, each verified against its
	// country's UPLOAD certificates.
	Rules []*rules.Rule
	// Revocations are the other countries' batches, unexpired.
	Revocations []revocation.Batch
	// Refused says what failed a check and was left out, and why.
	Refused []string
}

// snapshot is how the trust list, value sets and rules are stored.
type snapshot struct {
	FetchedAt time.Time         `json:"fetchedAt"`
	TrustList []trustlist.Entry `json:"trustList"` // the entries that passed, as the gateway sent them
	ValueSets []json.RawMessage `json:"valueSets"`
	Rules     []json.RawMessage `json:"rules"` // the signed content of each rule
	Refused   []string          `json:"refused"`
}

// maxRefused bounds the refusals kept for the status.
const maxRefused = 200

func (d *Download) refuse(format string, a ...any) {
	if len(d.Refused) < maxRefused {
		d.Refused = append(d.Refused, fmt.Sprintf(format, a...))
	}
}

// certificates fills d's DSCs and CSCAs from a checked list, without the
// country's own.
func (d *Download) certificates(tl *gateway.TrustList, own string) {
	for _, e := range tl.Entries {
		if e.Country == own {
			continue
		}
		switch e.CertificateType {
		case trustlist.TypeDSC:
			d.DSCs = append(d.DSCs, e.Certificate)
		case trustlist.TypeCSCA:
			d.CSCAs = append(d.CSCAs, e.Certificate)
		}
	}
	for _, r := range tl.Refused {
		d.refuse("trust list: %s", r)
	}
}

// transport tells a failure to reach the gateway or an error answer (the
// synchronisation stops, nothing is applied) from a check that failed on
// one item (the item is refused, the rest goes on).
func transport(err error) bool {
	var pe *gateway.ProblemError
	var ue *url.Error
	return errors.As(err, &pe) || errors.As(err, &ue) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// download fetches and checks everything, then stores and installs it.
func (s *Syncer) download(ctx context.Context, rep *Report) error {
	now := s.cfg.Now()
	st := s.cfg.Store
	gw := s.cfg.Gateway
	failed := func(kind string, err error) error {
		_ = st.GatewaySetStatus(ctx, kind, now, 0, err)
		return fmt.Errorf("gwsync: %s: %w (nothing of this synchronisation was applied)", kind, err)
	}
	d := &Download{FetchedAt: now}
	snap := snapshot{FetchedAt: now}

	tl, err := gw.TrustList(ctx, gateway.Query{})
	if err != nil {
		return failed(KindTrustList, err)
	}
	for _, e := range tl.Entries {
		snap.TrustList = append(snap.TrustList, e.Entry)
	}
	d.certificates(tl, s.country)

	ids, err := gw.ValueSets(ctx)
	if err != nil {
		return failed(KindValueSets, err)
	}
	known := valueset.Names()
	for _, id := range ids {
		data, err := gw.ValueSet(ctx, id)
		if err != nil {
			return failed(KindValueSets, err)
		}
		set, err := valueset.Parse(data)
		if err != nil {
			d.refuse("value set %s: %v", id, err)
			continue
		}
		if !slices.Contains(known, set.Name) {
			continue // a set this system does not use
		}
		d.ValueSets = append(d.ValueSets, set)
		snap.ValueSets = append(snap.ValueSets, data)
	}

	countries, err := gw.Countries(ctx)
	if err != nil {
		return failed(KindRules, err)
	}
	for _, c := range countries {
		// Non-nil, so that the client does not download the list again;
		// a country without an UPLOAD certificate has no valid rule.
		upload := append([]*x509.Certificate{}, tl.Certificates(trustlist.TypeUpload, c)...)
		rs, err := gw.Rules(ctx, c, upload)
		if err != nil {
			return failed(KindRules, err)
		}
		for _, r := range rs.Refused {
			d.refuse("rule %s %s of %s: %s", r.ID, r.Version, c, r.Reason)
		}
		for _, r := range rs.Rules {
			sd, err := cms.ParseBase64(r.CMS)
			if err != nil { // checked by the client already
				d.refuse("rule %s of %s: %v", r.Identifier, c, err)
				continue
			}
			d.Rules = append(d.Rules, r.Rule)
			snap.Rules = append(snap.Rules, sd.Content)
		}
	}

	save, err := s.revocations(ctx, tl, d)
	if err != nil {
		return failed(KindRevocations, err)
	}
	snap.Refused = d.Refused
	if save.Body, err = json.Marshal(snap); err != nil {
		return failed(KindTrustList, err)
	}

	var commit func()
	if s.cfg.Installer != nil {
		if commit, err = s.cfg.Installer.Prepare(d); err != nil {
			return failed(KindTrustList, fmt.Errorf("install: %w", err))
		}
	}
	gen, err := st.GatewaySave(ctx, save, now)
	if err != nil {
		return failed(KindTrustList, err)
	}
	d.Generation = gen
	if commit != nil {
		commit()
		s.installed(d)
	}
	rep.Generation, rep.DSCs, rep.CSCAs, rep.ValueSets, rep.Rules = gen, len(d.DSCs), len(d.CSCAs), len(d.ValueSets), len(d.Rules)
	rep.Batches, rep.Deleted, rep.Refused = len(save.Batches), len(save.Deleted), d.Refused
	for kind, n := range map[string]int{KindTrustList: len(tl.Entries), KindValueSets: len(d.ValueSets),
		KindRules: len(d.Rules), KindRevocations: len(d.Revocations)} {
		_ = st.GatewaySetStatus(ctx, kind, now, n, nil)
	}
	return nil
}

// revocations pages the revocation list from the stored cursor, fetches
// and checks each new batch of another country, and fills d.Revocations
// with the stored batches as they will be after saving.
func (s *Syncer) revocations(ctx context.Context, tl *gateway.TrustList, d *Download) (registry.GatewayDownload, error) {
	st := s.cfg.Store
	var save registry.GatewayDownload
	_, _, _, cursorText, err := st.GatewaySnapshot(ctx)
	if err != nil {
		return save, err
	}
	var cursor time.Time
	if cursorText != "" {
		if cursor, err = time.Parse(time.RFC3339Nano, cursorText); err != nil {
			return save, fmt.Errorf("stored cursor %q: %w", cursorText, err)
		}
	}
	next := cursor
	fresh := map[string]revocation.Batch{}
	gone := map[string]bool{}
	for info, err := range s.cfg.Gateway.RevocationList(ctx, cursor) {
		if err != nil {
			return save, err
		}
		if info.Date.After(next) {
			next = info.Date
		}
		if info.Country == s.country {
			continue // the registry's own revocations are its own
		}
		if info.Deleted {
			gone[info.BatchID] = true
			delete(fresh, info.BatchID)
			continue
		}
		upload := append([]*x509.Certificate{}, tl.Certificates(trustlist.TypeUpload, info.Country)...)
		b, err := s.cfg.Gateway.RevocationBatch(ctx, info.BatchID, upload)
		switch {
		case errors.Is(err, gateway.ErrGone), errors.Is(err, gateway.ErrNotFound):
			gone[info.BatchID] = true
			delete(fresh, info.BatchID)
			continue
		case err != nil && transport(err):
			return save, err
		case err != nil:
			d.refuse("revocation batch %s of %s: %v", info.BatchID, info.Country, err)
			continue
		case b.Country != info.Country:
			d.refuse("revocation batch %s: listed for %s, holds a batch of %s", info.BatchID, info.Country, b.Country)
			continue
		}
		delete(gone, info.BatchID)
		fresh[info.BatchID] = *b
	}
	if !next.IsZero() {
		save.Cursor = next.UTC().Format(time.RFC3339Nano)
	}
	for id := range gone {
		save.Deleted = append(save.Deleted, id)
	}
	slices.Sort(save.Deleted)
	for id, b := range fresh {
		body, err := json.Marshal(b)
		if err != nil {
			return save, err
		}
		save.Batches = append(save.Batches, registry.GatewayBatch{ID: id, Country: b.Country, Expires: b.Expires, Body: body})
	}
	slices.SortFunc(save.Batches, func(a, b registry.GatewayBatch) int { return strings.Compare(a.ID, b.ID) })

	stored, err := st.GatewayBatches(ctx, d.FetchedAt)
	if err != nil {
		return save, err
	}
	for _, sb := range stored {
		if gone[sb.ID] {
			continue
		}
		if _, ok := fresh[sb.ID]; ok {
			continue
		}
		bs, err := revocation.Parse(sb.Body)
		if err != nil || len(bs) != 1 {
			return save, fmt.Errorf("stored batch %s: %v", sb.ID, err)
		}
		d.Revocations = append(d.Revocations, bs[0])
	}
	for _, b := range save.Batches {
		if b.Expires.After(d.FetchedAt) {
			d.Revocations = append(d.Revocations, fresh[b.ID])
		}
	}
	return save, nil
}

// loadStored rebuilds the stored download, checking the trust list
// against the anchors again (certificates may have expired since).
func (s *Syncer) loadStored(ctx context.Context) (*Download, error) {
	st := s.cfg.Store
	body, gen, fetched, _, err := st.GatewaySnapshot(ctx)
	if err != nil {
		return nil, err
	}
	var snap snapshot
	if err := json.Unmarshal(body, &snap); err != nil {
		return nil, fmt.Errorf("gwsync: stored download %d: %w", gen, err)
	}
	now := s.cfg.Now()
	d := &Download{Generation: gen, FetchedAt: fetched}
	d.certificates(gateway.CheckTrustList(snap.TrustList, s.cfg.Anchors, now), s.country)
	for _, data := range snap.ValueSets {
		set, err := valueset.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("gwsync: stored download %d: value set: %w", gen, err)
		}
		d.ValueSets = append(d.ValueSets, set)
	}
	for _, data := range snap.Rules {
		r, err := rules.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("gwsync: stored download %d: %w", gen, err)
		}
		d.Rules = append(d.Rules, r)
	}
	for _, r := range snap.Refused {
		d.refuse("%s", r)
	}
	batches, err := st.GatewayBatches(ctx, now)
	if err != nil {
		return nil, err
	}
	for _, sb := range batches {
		bs, err := revocation.Parse(sb.Body)
		if err != nil || len(bs) != 1 {
			return nil, fmt.Errorf("gwsync: stored batch %s: %v", sb.ID, err)
		}
		d.Revocations = append(d.Revocations, bs[0])
	}
	return d, nil
}
