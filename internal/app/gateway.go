package app

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"
	"time"

	"dcc/gateway"
	"dcc/internal/gwsync"
	"dcc/pki"
	"dcc/registry"
	"dcc/rules"
	"dcc/trustlist"
	"dcc/valueset"
	"dcc/verify"
)

// openGateway prepares the synchronisation with the EU DCC Gateway: the
// client with the country's keys, and the syncer that installs what it
// downloads into this process.
func (a *App) openGateway() error {
	cfg := a.Config
	g := cfg.Gateway
	gc := gateway.Config{
		BaseURL: g.URL, AuthKey: resolveKeyURI(cfg, g.AuthKey), AuthCert: cfg.Path(g.AuthCertFile),
		ServerCA: cfg.Path(g.ServerCAFile), TrustAnchor: cfg.Path(g.TrustAnchorFile),
		Timeout: time.Duration(g.Timeout), Now: a.Now,
	}
	if g.UploadKey != "" {
		gc.UploadKey, gc.UploadCert = resolveKeyURI(cfg, g.UploadKey), cfg.Path(g.UploadCertFile)
	}
	client, err := gateway.New(gc)
	if err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	a.closers = append(a.closers, client.Close)
	if client.Country() != cfg.Country {
		return fmt.Errorf("gateway.authCertFile: the AUTHENTICATION certificate is of %q, the deployment of %q", client.Country(), cfg.Country)
	}
	var dscs []*x509.Certificate
	for i, au := range cfg.Authorities {
		for j, d := range au.DSCs {
			certs, err := pki.ReadCertificates(cfg.Path(d.CertFile))
			if err != nil {
				return fmt.Errorf("authorities[%d].dscs[%d].certFile: %w", i, j, err)
			}
			dscs = append(dscs, certs[0])
		}
	}
	a.Gateway, err = gwsync.New(gwsync.Config{
		Gateway: client, Store: a.Store, Anchors: client.TrustAnchors(), DSCs: dscs, Upload: g.UploadKey != "",
		Installer: a, Interval: time.Duration(g.Interval),
		Backoff: registry.BackoffSchedule(time.Duration(g.RetryBase), time.Duration(g.RetryMax)),
		Now:     a.Now,
	})
	if err != nil {
		return err
	}
	a.gatewayMetrics()
	return nil
}

// Prepare implements gwsync.Installer: the national trust list with the
// other countries' certificates, signed; the business rules configured and
// downloaded, with the new value sets; and, on commit, the new value-set
// versions (their history and the RAT grace period), the trust list, rules
// and revocations of the verification service, at once.
func (a *App) Prepare(d *gwsync.Download) (func(), error) {
	if a.TrustList == nil || a.Verification == nil {
		return nil, errors.New("no national trust list is published (trustList)")
	}
	l := trustlist.New()
	l.Merge(a.baseTrust)
	for _, c := range d.CSCAs {
		l.AddCSCA(c)
	}
	for _, c := range d.DSCs {
		l.AddDSC(c)
	}
	publish, err := a.TrustList.Prepare(l.AllDSCs(), l.CSCAs())
	if err != nil {
		return nil, fmt.Errorf("national trust list: %w", err)
	}
	// The rules see the new value sets; a scratch store holds them until
	// commit updates the one the process uses.
	scratch, err := valueset.Embedded()
	if err != nil {
		return nil, err
	}
	for _, s := range d.ValueSets {
		if _, err := scratch.Update(s, d.FetchedAt); err != nil {
			return nil, fmt.Errorf("value set %s: %w", s.ID, err)
		}
	}
	var br verify.Rules
	if all := a.rulesWith(d.Rules); len(all) > 0 {
		set, err := rules.NewSet(all...)
		if err != nil {
			return nil, err
		}
		if br, err = verify.NewBusinessRules(set, scratch); err != nil {
			return nil, err
		}
	}
	return func() {
		a.gatewayMu.Lock()
		defer a.gatewayMu.Unlock()
		for _, s := range d.ValueSets {
			// An older download than the versions held (ErrOutOfOrder)
			// leaves them.
			_, _ = a.ValueSets.Update(s, d.FetchedAt)
		}
		publish()
		a.Verification.install(l, br, d.Revocations)
	}, nil
}

// rulesWith returns the configured rules and the downloaded ones; a
// configured rule wins over a downloaded one of the same id and version.
func (a *App) rulesWith(downloaded []*rules.Rule) []*rules.Rule {
	all := append([]*rules.Rule(nil), a.configuredRules...)
	have := map[string]bool{}
	for _, r := range all {
		have[r.Identifier+" "+r.Version.String()] = true
	}
	for _, r := range downloaded {
		if k := r.Identifier + " " + r.Version.String(); !have[k] {
			have[k] = true
			all = append(all, r)
		}
	}
	return all
}

// gatewayMetrics exposes the synchronisation's status in /metrics, read
// from the store at most every 5 seconds.
func (a *App) gatewayMetrics() {
	var mu sync.Mutex
	var cached *gwsync.Status
	var read time.Time
	status := func() *gwsync.Status {
		mu.Lock()
		defer mu.Unlock()
		if cached == nil || time.Since(read) > 5*time.Second {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if st, err := a.Gateway.Status(ctx); err == nil {
				cached, read = st, time.Now()
			}
		}
		return cached
	}
	for _, kind := range []string{gwsync.KindUploads, gwsync.KindTrustList, gwsync.KindValueSets, gwsync.KindRules, gwsync.KindRevocations} {
		find := func() *gwsync.Kind {
			st := status()
			if st == nil {
				return nil
			}
			for i := range st.Kinds {
				if st.Kinds[i].Kind == kind {
					return &st.Kinds[i]
				}
			}
			return nil
		}
		a.Metrics.LabeledGauge("dcc_gateway_last_success_timestamp_seconds", "When each kind of exchange with the EU DCC Gateway last succeeded (Unix time; 0: never).",
			"kind", kind, func() float64 {
				if k := find(); k != nil && k.LastSuccess != nil {
					return float64(k.LastSuccess.Unix())
				}
				return 0
			})
		a.Metrics.LabeledGauge("dcc_gateway_failing", "1 while the last attempt of each kind of exchange with the EU DCC Gateway failed.",
			"kind", kind, func() float64 {
				if k := find(); k != nil && k.LastError != "" {
					return 1
				}
				return 0
			})
		a.Metrics.LabeledGauge("dcc_gateway_count", "What the last successful exchange of each kind counted (entries, sets, rules, batches, uploads done).",
			"kind", kind, func() float64 {
				if k := find(); k != nil {
					return float64(k.Count)
				}
				return 0
			})
	}
	a.Metrics.Gauge("dcc_gateway_outbox_pending", "Uploads to the EU DCC Gateway not yet done.", func() float64 {
		if st := status(); st != nil {
			return float64(st.Outbox.Pending)
		}
		return -1
	})
	a.Metrics.Gauge("dcc_gateway_generation", "The download from the EU DCC Gateway this process uses.", func() float64 {
		if st := status(); st != nil {
			return float64(st.Installed)
		}
		return -1
	})
}
