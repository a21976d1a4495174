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
	"os"
	"strings"
	"time"

	"dcc/registry"
)

// Outbox is the part of an authority's store the worker uses.
type Outbox interface {
	Due(ctx context.Context, now time.Time, limit int) ([]registry.OutboxEntry, error)
	MarkDelivered(ctx context.Context, uvci string, at time.Time) error
	MarkFailedAfter(ctx context.Context, uvci string, at time.Time, wait func(attempts int) time.Duration, reason string) (time.Time, error)
}

// Config of a Worker.
type Config struct {
	Outbox      Outbox
	RegistryURL string       // https://host:port
	Client      *http.Client // with the authority's client certificate
	Interval    time.Duration
	Batch       int
	// Backoff is the retry schedule after failures; nil means
	// registry.Backoff (30 s doubling up to an hour, jittered).
	Backoff func(attempts int) time.Duration
	Log     *slog.Logger
	Now     func() time.Time
}

// Worker delivers the outbox to the national registry.
type Worker struct {
	c    Config
	wake chan struct{}
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
	var rejected int
	for _, e := range due {
		r, ok := results[e.Record.UVCI]
		switch {
		case ok && (r.Status == StatusStored || r.Status == StatusRevoked || r.Status == StatusUnchanged):
			err = w.c.Outbox.MarkDelivered(ctx, e.Record.UVCI, now)
		case ok:
			rejected++
			_, err = w.c.Outbox.MarkFailedAfter(ctx, e.Record.UVCI, now, w.c.Backoff, "rejected by the registry: "+r.Error)
		default:
			_, err = w.c.Outbox.MarkFailedAfter(ctx, e.Record.UVCI, now, w.c.Backoff, "no result from the registry")
		}
		if err != nil {
			return len(due), err
		}
	}
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
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.c.RegistryURL+Path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := w.c.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("registry unreachable: %w", err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("registry response: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("registry answered %s", res.Status)
	}
	var out Response
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("registry response: %w", err)
	}
	return &out, nil
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
