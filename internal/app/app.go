package app

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"dcc"
	"dcc/hc1"
	"dcc/internal/config"
	"dcc/internal/deployment"
	"dcc/internal/gwsync"
	"dcc/internal/issuance"
	"dcc/internal/metrics"
	"dcc/internal/signer"
	"dcc/keystore"
	"dcc/pki"
	"dcc/registry"
	"dcc/rules"
	"dcc/trustlist"
	"dcc/valueset"
	"dcc/verify"
)

// App holds the running parts of one process.
type App struct {
	Config     *config.Config
	Deployment *deployment.Deployment
	ValueSets  *valueset.Store
	Validator  *dcc.Validator
	Store      *registry.Store
	CSCAs      []*x509.Certificate
	// Records reads, searches and revokes within each principal's scope.
	Records *issuance.Records
	// TrustList publishes the national trust list where configured (roles
	// all and registry); Trust is what it lists, and Verification checks
	// certificates against it and the registry's revocations.
	TrustList    *trustlist.Publisher
	Trust        *trustlist.List
	Verification *Verification
	// Metrics counts what the process does, for GET /metrics.
	Metrics *metrics.Metrics
	// Signer and Issuance exist where certificates are issued (roles all and
	// authority).
	Signer   *signer.Signer
	Issuance *issuance.Service
	// Gateway synchronises with the EU DCC Gateway where configured (roles
	// all and registry); Run it, or Sync once.
	Gateway *gwsync.Syncer
	Now     func() time.Time

	baseTrust       *trustlist.List // the country's own and imported certificates
	configuredRules []*rules.Rule   // verifier.rulesFiles
	gatewayMu       sync.Mutex      // one installation at a time
	closers         []func() error
}

// Open builds the parts a configuration describes. now is the clock (nil:
// time.Now).
func Open(ctx context.Context, cfg *config.Config, now func() time.Time) (a *App, err error) {
	if now == nil {
		now = time.Now
	}
	built := &App{Config: cfg, Now: now, Metrics: metrics.New()}
	a = built
	// On failure release what was opened; the returns set a to nil first.
	defer func() {
		if err != nil {
			built.Close()
		}
	}()
	if a.Deployment, err = cfg.Deployment(); err != nil {
		return nil, err
	}
	if a.ValueSets, err = valueset.Embedded(); err != nil {
		return nil, err
	}
	if a.Validator, err = dcc.NewValidator(a.ValueSets); err != nil {
		return nil, err
	}
	a.Validator = a.Validator.WithClock(now, time.Duration(cfg.Validation.ClockSkew))
	for _, f := range cfg.CSCAFiles {
		certs, err := pki.ReadCertificates(cfg.Path(f))
		if err != nil {
			return nil, fmt.Errorf("cscaFiles: %w", err)
		}
		a.CSCAs = append(a.CSCAs, certs...)
	}
	keys, err := registry.LoadKeys(cfg.Path(cfg.Store.PayloadKeyDir))
	if err != nil {
		return nil, fmt.Errorf("store.payloadKeyDir: %w", err)
	}
	dsn, err := cfg.DSN()
	if err != nil {
		return nil, err
	}
	if a.Store, err = registry.Open(ctx, dsn, keys); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, a.Store.Close)

	if cfg.TrustList.SignerKey != "" {
		if a.TrustList, err = a.openTrustList(); err != nil {
			return nil, err
		}
		a.Verification = &Verification{
			base:     verify.Verifier{Trust: a.Trust, Validator: a.Validator, Decoder: new(hc1.Decoder), ValueSets: a.ValueSets},
			store:    a.Store,
			now:      now,
			country:  cfg.Country,
			observer: a.Metrics,
		}
		if len(cfg.Verifier.RulesFiles) > 0 {
			var paths []string
			for _, f := range cfg.Verifier.RulesFiles {
				paths = append(paths, cfg.Path(f))
			}
			set, err := rules.Load(paths...)
			if err != nil {
				return nil, fmt.Errorf("verifier.rulesFiles: %w", err)
			}
			a.configuredRules = set.Rules()
			br, err := verify.NewBusinessRules(set, a.ValueSets)
			if err != nil {
				return nil, err
			}
			a.Verification.SetRules(br)
		}
	}
	if cfg.Gateway.Enabled() {
		if err := a.openGateway(); err != nil {
			return nil, err
		}
	}
	if cfg.Role == config.RoleRegistry {
		a.Records = issuance.NewRecords(a.Deployment, a.Store, now)
		return a, nil
	}
	if a.Signer, err = a.openSigner(); err != nil {
		return nil, err
	}
	pol := cfg.DosePolicy()
	var issuers []string
	if cfg.Role == config.RoleAuthority {
		issuers = []string{cfg.Authority}
	}
	a.Issuance, err = issuance.New(issuance.Config{
		Deployment: a.Deployment,
		Validator:  a.Validator,
		Signer:     a.Signer,
		Store:      a.Store,
		Outbox:     cfg.Role == config.RoleAuthority,
		Issuers:    issuers,
		Observer:   a.Metrics,
		Validity: issuance.Validity{
			Vaccination: time.Duration(cfg.Validity.Vaccination),
			Test:        time.Duration(cfg.Validity.Test),
			Recovery:    time.Duration(cfg.Validity.Recovery),
		},
		Doses: &pol,
		Now:   now,
	})
	if err != nil {
		return nil, err
	}
	a.Records = a.Issuance.Records
	return a, nil
}

// openSigner opens the DSC keys of the authorities that issue in this
// process and checks each DSC.
func (a *App) openSigner() (*signer.Signer, error) {
	cfg := a.Config
	at := a.Now()
	dscs := map[string][]signer.DSC{}
	var errs []error
	for i, au := range cfg.Authorities {
		if cfg.Role == config.RoleAuthority && au.ID != cfg.Authority {
			continue
		}
		for j, d := range au.DSCs {
			where := fmt.Sprintf("authorities[%d].dscs[%d]", i, j)
			certs, err := pki.ReadCertificates(cfg.Path(d.CertFile))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s.certFile: %w", where, err))
				continue
			}
			cert := certs[0]
			if len(a.CSCAs) > 0 {
				if err := pki.CheckDSC(cert, a.CSCAs, cfg.Country, at); err != nil {
					errs = append(errs, fmt.Errorf("%s.certFile: not a valid DSC of a CSCA of %s: %w", where, cfg.Country, err))
					continue
				}
			}
			key, err := keystore.Open(resolveKeyURI(cfg, d.Key))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s.key: %w", where, err))
				continue
			}
			a.closers = append(a.closers, key.Close)
			dscs[au.ID] = append(dscs[au.ID], signer.DSC{Cert: cert, Key: key})
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	s, err := signer.New(dscs)
	if err != nil {
		return nil, err
	}
	for i, au := range cfg.Authorities {
		if _, ok := dscs[au.ID]; !ok {
			continue
		}
		for _, t := range au.Types {
			if !s.CanSign(au.ID, dcc.Type(t), at) {
				errs = append(errs, fmt.Errorf("authorities[%d] %q issues %s certificates but none of its DSCs is valid now and allowed to sign them (extended key usage)",
					i, au.ID, deployment.TypeName(dcc.Type(t))))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

// openTrustList prepares the publication of the national trust list: every
// authority's DSC certificates, the CSCAs, and the imported certificates of
// other countries, signed by the trust-list key.
func (a *App) openTrustList() (*trustlist.Publisher, error) {
	cfg := a.Config
	l := trustlist.New()
	for _, c := range a.CSCAs {
		l.AddCSCA(c)
	}
	for i, au := range cfg.Authorities {
		for j, d := range au.DSCs {
			certs, err := pki.ReadCertificates(cfg.Path(d.CertFile))
			if err != nil {
				return nil, fmt.Errorf("authorities[%d].dscs[%d].certFile: %w", i, j, err)
			}
			l.AddDSC(certs[0])
		}
	}
	var gatewayAnchors []*x509.Certificate
	for i, f := range cfg.TrustList.GatewayAnchorFiles {
		certs, err := pki.ReadCertificates(cfg.Path(f))
		if err != nil {
			return nil, fmt.Errorf("trustList.gatewayAnchorFiles[%d]: %w", i, err)
		}
		gatewayAnchors = append(gatewayAnchors, certs...)
	}
	for i, f := range cfg.TrustList.ImportFiles {
		imported, err := trustlist.Read(cfg.Path(f), gatewayAnchors)
		if err != nil {
			return nil, fmt.Errorf("trustList.importFiles[%d]: %w", i, err)
		}
		l.Merge(imported)
	}
	chain, err := pki.ReadCertificates(cfg.Path(cfg.TrustList.SignerCertFile))
	if err != nil {
		return nil, fmt.Errorf("trustList.signerCertFile: %w", err)
	}
	key, err := keystore.Open(resolveKeyURI(cfg, cfg.TrustList.SignerKey))
	if err != nil {
		return nil, fmt.Errorf("trustList.signerKey: %w", err)
	}
	a.closers = append(a.closers, key.Close)
	if len(a.CSCAs) > 0 {
		if _, err := chain[0].Verify(x509.VerifyOptions{Roots: pool(a.CSCAs), CurrentTime: a.Now(),
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			return nil, fmt.Errorf("trustList.signerCertFile: does not chain to a CSCA of cscaFiles, so verifiers could not check the list: %w", err)
		}
	}
	a.Trust, a.baseTrust = l, l
	p, err := trustlist.NewPublisher(cfg.Country, l.AllDSCs(), l.CSCAs(), key, chain, time.Duration(cfg.TrustList.Validity), a.Now)
	if err != nil {
		return nil, fmt.Errorf("trustList: %w", err)
	}
	return p, nil
}

func pool(certs []*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// resolveKeyURI makes the paths of a file: key URI relative to the
// configuration file's directory.
func resolveKeyURI(cfg *config.Config, uri string) string {
	rest, ok := strings.CutPrefix(uri, "file:")
	if !ok {
		return uri
	}
	path, query, hasQuery := strings.Cut(rest, "?")
	out := "file:" + cfg.Path(path)
	if !hasQuery {
		return out
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return uri // keystore reports the malformed URI
	}
	if pf := q.Get("passphrase-file"); pf != "" && !filepath.IsAbs(pf) {
		query = strings.Replace(query, "passphrase-file="+pf, "passphrase-file="+cfg.Path(pf), 1)
	}
	return out + "?" + query
}

// Close releases keys and the store.
func (a *App) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}
