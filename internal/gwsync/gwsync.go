package gwsync

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"sync"
	"time"

	"dcc/gateway"
	"dcc/registry"
	"dcc/revocation"
)

// Gateway is what the synchronisation asks of the gateway; *gateway.Client
// is one.
type Gateway interface {
	Country() string
	TrustList(ctx context.Context, q gateway.Query) (*gateway.TrustList, error)
	ValueSets(ctx context.Context) ([]string, error)
	ValueSet(ctx context.Context, id string) ([]byte, error)
	Countries(ctx context.Context) ([]string, error)
	Rules(ctx context.Context, country string, upload []*x509.Certificate) (*gateway.Rules, error)
	RevocationList(ctx context.Context, from time.Time) iter.Seq2[gateway.BatchInfo, error]
	RevocationBatch(ctx context.Context, id string, upload []*x509.Certificate) (*revocation.Batch, error)
	UploadDSC(ctx context.Context, dsc *x509.Certificate) error
	DeleteDSC(ctx context.Context, dsc *x509.Certificate) error
	UploadRevocationBatch(ctx context.Context, b revocation.Batch) (string, error)
}

// Store is the registry's part: the outbox, the stored download and the
// status (*registry.Store).
type Store interface {
	GatewayEnqueue(ctx context.Context, ups []registry.GatewayUpload, revoked map[string]string, at time.Time) (int, error)
	GatewayDue(ctx context.Context, now time.Time, limit int) ([]registry.GatewayUpload, error)
	GatewayUploadsOf(ctx context.Context, kind string) ([]registry.GatewayUpload, error)
	GatewayClaim(ctx context.Context, key string, at, until time.Time) (claimed, inDoubt bool, err error)
	GatewayDone(ctx context.Context, key, result string, at time.Time) error
	GatewayFailed(ctx context.Context, key, reason string, next time.Time, unsent bool) error
	GatewayOutboxCounts(ctx context.Context) (pending, failing, done int, err error)
	GatewayRevocationsPending(ctx context.Context, at time.Time) ([]registry.Record, error)
	GatewaySave(ctx context.Context, d registry.GatewayDownload, at time.Time) (int64, error)
	GatewaySnapshot(ctx context.Context) (body []byte, gen int64, fetched time.Time, cursor string, err error)
	GatewayGeneration(ctx context.Context) (int64, error)
	GatewayBatches(ctx context.Context, at time.Time) ([]registry.GatewayBatch, error)
	GatewaySetStatus(ctx context.Context, kind string, at time.Time, n int, failure error) error
	GatewayStatuses(ctx context.Context) ([]registry.GatewayStatus, error)
}

// Installer puts a checked download into the running process. Prepare
// checks and builds everything and fails without changing anything; the
// commit it returns only swaps what Prepare built, and cannot fail.
type Installer interface {
	Prepare(d *Download) (commit func(), err error)
}

// Config of a Syncer.
type Config struct {
	Gateway Gateway
	Store   Store
	// Anchors are the gateway's trust anchors (DCCG_TA): a stored trust
	// list is checked against them again when it is loaded.
	Anchors []*x509.Certificate
	// DSCs are the country's own DSCs, uploaded once each; one that is no
	// longer among them is deleted from the gateway.
	DSCs []*x509.Certificate
	// Upload is false for a download-only client (no UPLOAD key).
	Upload bool
	// Installer installs downloads; nil: stored only (`dcc gateway sync`
	// with the server elsewhere).
	Installer Installer
	// Interval between full synchronisations in Run; default 1h.
	Interval time.Duration
	// Poll is how often Run looks for a synchronisation made by another
	// process; default 5s.
	Poll time.Duration
	// Backoff is the wait after the n-th failed upload of an item; default
	// registry.BackoffSchedule(30s, 1h).
	Backoff func(attempts int) time.Duration
	// Lease bounds one upload attempt (default 2m), after which another
	// process may take the item.
	Lease time.Duration
	Log   *slog.Logger
	Now   func() time.Time
}

// Syncer runs the synchronisation. It is safe for concurrent use; one
// synchronisation runs at a time.
type Syncer struct {
	cfg     Config
	country string
	run     sync.Mutex // one Sync at a time

	mu       sync.Mutex
	applied  int64     // generation installed
	appliedT time.Time // when
	refused  []string  // of the download installed
}

// New checks cfg.
func New(cfg Config) (*Syncer, error) {
	if cfg.Gateway == nil || cfg.Store == nil {
		return nil, errors.New("gwsync: Gateway and Store are required")
	}
	if len(cfg.Anchors) == 0 {
		return nil, errors.New("gwsync: no trust anchor: the gateway's DCCG_TA certificate is required")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Hour
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 5 * time.Second
	}
	if cfg.Backoff == nil {
		cfg.Backoff = registry.BackoffSchedule(30*time.Second, time.Hour)
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Syncer{cfg: cfg, country: cfg.Gateway.Country()}, nil
}

// SetLog sets where Run and failed uploads are logged (before Run).
func (s *Syncer) SetLog(l *slog.Logger) {
	if l != nil {
		s.cfg.Log = l
	}
}

// Kinds of exchange in the status.
const (
	KindUploads     = "uploads"
	KindTrustList   = "trustlist"
	KindValueSets   = "valuesets"
	KindRules       = "rules"
	KindRevocations = "revocations"
)

// Report is what one Sync did.
type Report struct {
	Queued, Uploaded, UploadsFailed int
	// Generation is the stored download's (0 when the download failed).
	Generation                                      int64
	DSCs, CSCAs, ValueSets, Rules, Batches, Deleted int
	Refused                                         []string
	// UploadErr and DownloadErr say what failed; Sync returns them joined.
	UploadErr, DownloadErr error
}

// Sync uploads what is due, then downloads, stores and installs a complete
// new state; a failure of the download changes nothing.
func (s *Syncer) Sync(ctx context.Context) (*Report, error) {
	s.run.Lock()
	defer s.run.Unlock()
	rep := &Report{}
	if s.cfg.Upload {
		rep.UploadErr = s.upload(ctx, rep)
	}
	rep.DownloadErr = s.download(ctx, rep)
	return rep, errors.Join(rep.UploadErr, rep.DownloadErr)
}

// Upload runs only the upload pass (queue and send what is due).
func (s *Syncer) Upload(ctx context.Context) (*Report, error) {
	s.run.Lock()
	defer s.run.Unlock()
	rep := &Report{}
	if !s.cfg.Upload {
		return rep, errors.New("gwsync: no UPLOAD key configured (gateway.uploadKey, gateway.uploadCertFile): nothing can be uploaded")
	}
	rep.UploadErr = s.upload(ctx, rep)
	return rep, rep.UploadErr
}

// Load installs the stored download, if there is one and it is newer than
// what is installed.
func (s *Syncer) Load(ctx context.Context) error {
	gen, err := s.cfg.Store.GatewayGeneration(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	applied := s.applied
	s.mu.Unlock()
	if gen == 0 || gen <= applied || s.cfg.Installer == nil {
		return nil
	}
	d, err := s.loadStored(ctx)
	if err != nil {
		return err
	}
	commit, err := s.cfg.Installer.Prepare(d)
	if err != nil {
		return fmt.Errorf("gwsync: install stored download %d: %w", d.Generation, err)
	}
	commit()
	s.installed(d)
	return nil
}

func (s *Syncer) installed(d *Download) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applied, s.appliedT, s.refused = d.Generation, s.cfg.Now(), d.Refused
}

// Run loads the stored download, then synchronises at once and every
// Interval, and installs the synchronisations of other processes within
// Poll, until ctx ends. Failures are logged and in the status.
func (s *Syncer) Run(ctx context.Context) {
	if err := s.Load(ctx); err != nil {
		s.cfg.Log.Error("gateway: stored download not installed", "err", err)
	}
	next := s.cfg.Now()
	poll := time.NewTicker(s.cfg.Poll)
	defer poll.Stop()
	for {
		if !s.cfg.Now().Before(next) {
			rep, err := s.Sync(ctx)
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				s.cfg.Log.Warn("gateway: synchronisation failed", "err", err)
			} else {
				s.cfg.Log.Info("gateway: synchronised", "generation", rep.Generation, "uploaded", rep.Uploaded,
					"dscs", rep.DSCs, "valueSets", rep.ValueSets, "rules", rep.Rules, "batches", rep.Batches, "refused", len(rep.Refused))
			}
			next = s.cfg.Now().Add(s.cfg.Interval)
		}
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
			if err := s.Load(ctx); err != nil && ctx.Err() == nil {
				s.cfg.Log.Warn("gateway: stored download not installed", "err", err)
			}
			// A revocation or a retry due goes up within Poll, not at the
			// next full synchronisation.
			if s.cfg.Upload {
				if _, err := s.Upload(ctx); err != nil && ctx.Err() == nil {
					s.cfg.Log.Warn("gateway: upload failed", "err", err)
				}
			}
		}
	}
}
