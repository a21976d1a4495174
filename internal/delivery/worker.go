package delivery

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"dcc/registry"
)

// Outbox is the part of an authority's store the worker uses.
type Outbox interface {
	Due(ctx context.Context, now time.Time, limit int) ([]registry.OutboxEntry, error)
	MarkDelivered(ctx context.Context, uvci string, at time.Time) error
	MarkFailedAfter(ctx context.Context, uvci string, at time.Time, wait func(attempts int) time.Duration, reason string) (time.Time, error)
}

// Revocations is the part of an authority's store that takes back the
// revocations recorded in the registry.
type Revocations interface {
	TakeRevocations(ctx context.Context, es []registry.RevocationEntry, actor string) (int, []string, error)
}

// PullActor is who the authority's audit log names for a revocation taken
// from the registry (the revocation itself keeps its author).
const PullActor = "national-registry"

// Config of a Worker.
type Config struct {
	Outbox      Outbox
	RegistryURL string       // https://host:port
	Client      *http.Client // with the authority's client certificate
	Interval    time.Duration
	Batch       int
	// Revocations, when set, takes back each round the revocations of the
	// authority's certificates recorded in the registry, such as those its
	// operators make.
	Revocations Revocations
	// Backoff is the retry schedule after failures; nil means
	// registry.Backoff (30 s doubling up to an hour, jittered).
	Backoff func(attempts int) time.Duration
	Log     *slog.Logger
	Now     func() time.Time
	// Observer, when set, counts deliveries and revocations taken (metrics).
	Observer Observer
}

// Observer hears what a Worker did.
type Observer interface {
	Delivered(delivered, failed int)
	RevocationsTaken(n int)
}

// Worker delivers the outbox to the national registry.
type Worker struct {
	c    Config
	wake chan struct{}

	mu   sync.Mutex // serialises PullRevocations
	seen time.Time  // the latest revocation time pulled
}

// NewWorker builds a Worker; Interval defaults to 2s and Batch to 100.
func NewWorker(c Config) (*Worker, error) {
	if c.Outbox == nil || c.Client == nil || c.RegistryURL == "" {
		return nil, errors.New("delivery: Outbox, Client and RegistryURL are required")
	}
	if c.Interval <= 0 {
		c.Interval = 2 * time.Second
	}
	if c.Batch <= 0 || c.Batch > MaxBatch {
		c.Batch = 100
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Backoff == nil {
		c.Backoff = registry.Backoff
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.RegistryURL = strings.TrimRight(c.RegistryURL, "/")
	return &Worker{c: c, wake: make(chan struct{}, 1)}, nil
}

// Wake asks the worker to look at the outbox now (after an issuance),
// instead of at the next tick.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx is done.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.c.Interval)
	defer t.Stop()
	for {
		for {
			n, err := w.Once(ctx)
			if err != nil {
				w.c.Log.Warn("delivery to the national registry failed; will retry", "err", err.Error())
			}
			// A full batch means more may be waiting.
			if err != nil || n < w.c.Batch || ctx.Err() != nil {
				break
			}
		}
		if n, err := w.PullRevocations(ctx); err != nil {
			w.c.Log.Warn("pulling revocations from the national registry failed; will retry", "err", err.Error())
		} else if n > 0 {
			w.c.Log.Info("revocations taken from the national registry", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// Once delivers one batch of due entries and returns how many were sent.
// Entries the registry did not confirm are scheduled for a retry.
func (w *Worker) Once(ctx context.Context) (int, error) {
	due, err := w.c.Outbox.Due(ctx, w.c.Now(), w.c.Batch)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	batch := Batch{Records: make([]Record, len(due))}
	for i, e := range due {
		batch.Records[i] = FromRegistry(e.Record)
	}
	resp, err := w.send(ctx, batch)
	now := w.c.Now()
	if err != nil {
		w.observe(0, len(due))
		for _, e := range due {
			if _, merr := w.c.Outbox.MarkFailedAfter(ctx, e.Record.UVCI, now, w.c.Backoff, err.Error()); merr != nil {
				return len(due), errors.Join(err, merr)
			}
		}
		return len(due), err
	}
	results := map[string]Result{}
	for _, r := range resp.Results {
		results[r.UVCI] = r
	}
	var rejected, missing int
	for _, e := range due {
		r, ok := results[e.Record.UVCI]
		switch {
		case ok && (r.Status == StatusStored || r.Status == StatusRevoked || r.Status == StatusUnchanged):
			err = w.c.Outbox.MarkDelivered(ctx, e.Record.UVCI, now)
		case ok:
			rejected++
			_, err = w.c.Outbox.MarkFailedAfter(ctx, e.Record.UVCI, now, w.c.Backoff, "rejected by the registry: "+r.Error)
		default:
			missing++
			_, err = w.c.Outbox.MarkFailedAfter(ctx, e.Record.UVCI, now, w.c.Backoff, "no result from the registry")
		}
		if err != nil {
			return len(due), err
		}
	}
	w.observe(len(due)-rejected-missing, rejected+missing)
	if rejected > 0 {
		return len(due), fmt.Errorf("the registry rejected %d of %d records (see the outbox's last_error)", rejected, len(due))
	}
	return len(due), nil
}

func (w *Worker) send(ctx context.Context, b Batch) (*Response, error) {
	body, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	var out Response
	if err := w.call(ctx, http.MethodPost, Path, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (w *Worker) observe(delivered, failed int) {
	if w.c.Observer != nil {
		w.c.Observer.Delivered(delivered, failed)
	}
}

// call makes one request to the registry and decodes its JSON answer.
func (w *Worker) call(ctx context.Context, method, pathQuery string, body []byte, out any) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, w.c.RegistryURL+pathQuery, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := w.c.Client.Do(req)
	if err != nil {
		return fmt.Errorf("registry unreachable: %w", err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("registry response: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("registry answered %s", res.Status)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("registry response: %w", err)
	}
	return nil
}

// pullOverlap is how far before the latest revocation seen each pull
// starts again, so that a revocation committed late (a transaction that
// began before another but finished after it) is not skipped. Taking a
// revocation twice changes nothing.
const pullOverlap = 5 * time.Minute

// PullRevocations takes into the authority's store the revocations of its
// certificates recorded in the registry since the last pull (all of them
// on the first), such as those the registry's operators make, and returns
// how many certificates it revoked. Without Config.Revocations it does
// nothing.
func (w *Worker) PullRevocations(ctx context.Context) (int, error) {
	if w.c.Revocations == nil {
		return 0, nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var since time.Time
	if !w.seen.IsZero() {
		since = w.seen.Add(-pullOverlap)
	}
	after, latest, taken := "", w.seen, 0
	for {
		q := url.Values{"since": {strconv.FormatInt(max(since.Unix(), 0), 10)}, "after": {after}}
		var page Revoked
		if err := w.call(ctx, http.MethodGet, RevokedPath+"?"+q.Encode(), nil, &page); err != nil {
			return taken, fmt.Errorf("revocations from the registry: %w", err)
		}
		es := make([]registry.RevocationEntry, len(page.Revocations))
		for i, r := range page.Revocations {
			es[i] = registry.RevocationEntry{UVCI: r.UVCI, At: time.Unix(r.At, 0).UTC(), By: r.By, Reason: r.Reason, ReplacedBy: r.ReplacedBy}
			if es[i].At.After(latest) {
				latest = es[i].At
			}
		}
		n, unknown, err := w.c.Revocations.TakeRevocations(ctx, es, PullActor)
		if err != nil {
			return taken, err
		}
		taken += n
		if w.c.Observer != nil && n > 0 {
			w.c.Observer.RevocationsTaken(n)
		}
		if len(unknown) > 0 {
			// Counted, not listed: the log stays free of identifiers.
			w.c.Log.Warn("the registry holds revoked certificates of this authority that its own store does not", "count", len(unknown))
		}
		if !page.More || len(es) == 0 {
			break
		}
		last := es[len(es)-1]
		since, after = last.At, last.UVCI
	}
	w.seen = latest
	return taken, nil
}

// Client builds the HTTPS client of an authority: the registry's server
// certificate is verified against caFile (the system roots when empty), and
// the authority presents certFile/keyFile.
func Client(caFile, certFile, keyFile string) (*http.Client, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("delivery: CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("delivery: %s holds no PEM certificate", caFile)
		}
		cfg.RootCAs = pool
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("delivery: client certificate: %w", err)
	}
	cfg.Certificates = []tls.Certificate{cert}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, MaxIdleConnsPerHost: 2}, Timeout: time.Minute}, nil
}
