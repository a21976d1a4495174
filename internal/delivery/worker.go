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

	"dcc/keystore"
	"dcc/registry"
)

// Outbox is the part of an authority's store the worker uses.
type Outbox interface {
	Due(ctx context.Context, now time.Time, limit int) ([]registry.OutboxEntry, error)
	MarkDeliveredAll(ctx context.Context, uvcis []string, at time.Time) error
	MarkFailedAfter(ctx context.Context, uvci string, at time.Time, wait func(attempts int) time.Duration, reason string) (time.Time, error)
	Park(ctx context.Context, uvci string, at time.Time, reason string) error
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
	// Batch is the most records one request carries (default 100, at most
	// MaxBatch); BatchBytes the largest request body (default and at most
	// MaxBatchBytes). A batch ends at whichever comes first.
	Batch      int
	BatchBytes int
	// Revocations, when set, takes back each round the revocations of the
	// authority's certificates recorded in the registry, such as those its
	// operators make.
	Revocations Revocations
	// Backoff is the wait after the registry could not be reached (or
	// answered 5xx or 429) that many times in a row, and the retry schedule
	// of a record the registry did not answer for; nil means
	// registry.BackoffSchedule(time.Second, 5*time.Second): a registry
	// that comes back is found within seconds, and an outage costs a probe
	// every few seconds, not a write per record.
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

	smu    sync.Mutex
	budget int    // current body budget: BatchBytes, lowered by a 413
	status Status // for the operators
}

// Status is what the worker knows of the registry, for health checks.
type Status struct {
	// Reachable is false while the registry cannot be reached, or answers
	// 5xx or 429; Since is when that began, LastError what it was.
	Reachable bool
	Since     time.Time
	LastError string
	// LastDelivery is when the registry last confirmed a batch.
	LastDelivery time.Time
}

// UnavailableError means the registry could not take a batch now (not
// reachable, 5xx, 429, or refusing this authority's certificate): nothing
// about the records is wrong, they stay due, and the worker waits before
// it tries again.
type UnavailableError struct {
	Status int // the HTTP status, 0 when there was no answer
	Err    error
}

func (e *UnavailableError) Error() string { return e.Err.Error() }
func (e *UnavailableError) Unwrap() error { return e.Err }

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
	if c.BatchBytes > MaxBatchBytes {
		return nil, fmt.Errorf("delivery: batchBytes %d is more than the registry takes (%d)", c.BatchBytes, MaxBatchBytes)
	}
	if c.BatchBytes <= 0 {
		c.BatchBytes = MaxBatchBytes
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Backoff == nil {
		c.Backoff = registry.BackoffSchedule(time.Second, 5*time.Second)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.RegistryURL = strings.TrimRight(c.RegistryURL, "/")
	return &Worker{c: c, wake: make(chan struct{}, 1), budget: c.BatchBytes, status: Status{Reachable: true}}, nil
}

// Wake asks the worker to look at the outbox now (after an issuance),
// instead of at the next tick.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Status reports what the worker knows of the registry.
func (w *Worker) Status() Status {
	w.smu.Lock()
	defer w.smu.Unlock()
	return w.status
}

// Run delivers until ctx is done. While the registry is unavailable it
// waits with Backoff between attempts, and a Wake does not shorten that.
func (w *Worker) Run(ctx context.Context) {
	failures := 0
	for {
		var err error
		for {
			var n int
			n, err = w.Once(ctx)
			// A full round means more may be waiting.
			if err != nil || n < w.c.Batch || ctx.Err() != nil {
				break
			}
		}
		wait := w.c.Interval
		var ue *UnavailableError
		switch {
		case errors.As(err, &ue):
			failures++
			wait = w.c.Backoff(failures - 1)
			w.c.Log.Warn("the national registry is unavailable; records wait in the outbox", "err", err.Error(), "retry_in", wait.String())
		case err != nil:
			failures = 0
			w.c.Log.Error("delivery to the national registry failed", "err", err.Error())
		default:
			failures = 0
		}
		if failures == 0 {
			if n, err := w.PullRevocations(ctx); err != nil {
				w.c.Log.Warn("pulling revocations from the national registry failed; will retry", "err", err.Error())
			} else if n > 0 {
				w.c.Log.Info("revocations taken from the national registry", "count", n)
			}
		}
		t := time.NewTimer(wait)
		wake := w.wake
		if failures > 0 {
			wake = nil // an issuance does not hasten a probe of a registry that is down
		}
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-wake:
			t.Stop()
		}
	}
}

// Once delivers one round of due entries (at most Batch, in requests of at
// most the byte budget) and returns how many entries it settled: delivered,
// parked, or scheduled again. On an *UnavailableError the entries not sent
// stay due, untouched.
func (w *Worker) Once(ctx context.Context) (int, error) {
	due, err := w.c.Outbox.Due(ctx, w.c.Now(), w.c.Batch)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	enc := make([][]byte, len(due))
	for i, e := range due {
		if enc[i], err = json.Marshal(FromRegistry(e.Record)); err != nil {
			return 0, fmt.Errorf("delivery: encode record: %w", err)
		}
	}
	var r round
	for start := 0; start < len(due); {
		end := start + 1
		for size := batchOverhead + len(enc[start]); end < len(due) && size+1+len(enc[end]) <= w.budgetNow(); end++ {
			size += 1 + len(enc[end])
		}
		if err := w.deliver(ctx, due[start:end], enc[start:end], &r); err != nil {
			w.observe(r.delivered, r.failed)
			return r.settled(), err
		}
		start = end
	}
	w.observe(r.delivered, r.failed)
	return r.settled(), nil
}

// round counts what one Once did; failed includes the parked.
type round struct{ delivered, failed int }

func (r *round) settled() int { return r.delivered + r.failed }

// batchOverhead is the JSON around the records: {"records":[…]}.
const batchOverhead = len(`{"records":[]}`)

func (w *Worker) budgetNow() int {
	w.smu.Lock()
	defer w.smu.Unlock()
	return w.budget
}

// deliver sends entries (enc are their encoded records) in one request and
// settles each by the answer. A 413 lowers the byte budget and splits the
// batch; a refusal of the whole request splits it until the record at
// fault is alone, and parks that one.
func (w *Worker) deliver(ctx context.Context, entries []registry.OutboxEntry, enc [][]byte, r *round) error {
	body := make([]byte, 0, batchOverhead+len(enc)*(len(enc[0])+1))
	body = append(body, `{"records":[`...)
	for i, e := range enc {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, e...)
	}
	body = append(body, "]}"...)

	var resp Response
	status, detail, err := w.post(ctx, body, &resp)
	now := w.c.Now()
	switch {
	case err != nil:
		w.unavailable(now, err)
		return &UnavailableError{Status: status, Err: err}
	case status == http.StatusOK:
		w.available(now)
		return w.settle(ctx, entries, resp, now, r)
	case status == http.StatusRequestEntityTooLarge && len(entries) == 1:
		return w.park(ctx, entries[0], now, fmt.Sprintf("refused by the registry: one record of %d bytes is larger than it takes (413)", len(body)), r)
	case status == http.StatusRequestEntityTooLarge:
		w.smu.Lock()
		w.budget = max(min(w.budget, len(body))/2, 1)
		w.smu.Unlock()
		w.c.Log.Warn("the registry refused a batch as too large; sending smaller batches", "bytes", len(body), "budget", w.budgetNow())
	case len(entries) == 1:
		return w.park(ctx, entries[0], now, fmt.Sprintf("refused by the registry (%d): %s", status, detail), r)
	}
	// Split, and settle each half on its own.
	half := len(entries) / 2
	if err := w.deliver(ctx, entries[:half], enc[:half], r); err != nil {
		return err
	}
	return w.deliver(ctx, entries[half:], enc[half:], r)
}

// settle marks each entry of a confirmed batch by its result.
func (w *Worker) settle(ctx context.Context, entries []registry.OutboxEntry, resp Response, now time.Time, r *round) error {
	results := make(map[string]Result, len(resp.Results))
	for _, res := range resp.Results {
		results[res.UVCI] = res
	}
	var delivered []string
	for _, e := range entries {
		res, ok := results[e.Record.UVCI]
		switch {
		case ok && (res.Status == StatusStored || res.Status == StatusRevoked || res.Status == StatusUnchanged):
			delivered = append(delivered, e.Record.UVCI)
		case ok && res.Status == StatusRejected:
			if err := w.park(ctx, e, now, "refused by the registry: "+res.Error, r); err != nil {
				return err
			}
		default:
			// A registry that forgets a record is at fault, not the record.
			r.failed++
			if _, err := w.c.Outbox.MarkFailedAfter(ctx, e.Record.UVCI, now, w.c.Backoff, "no result from the registry"); err != nil {
				return err
			}
		}
	}
	if err := w.c.Outbox.MarkDeliveredAll(ctx, delivered, now); err != nil {
		return err
	}
	r.delivered += len(delivered)
	return nil
}

func (w *Worker) park(ctx context.Context, e registry.OutboxEntry, now time.Time, reason string, r *round) error {
	r.failed++
	// Identifiers, not personal data: the UVCI is what an operator looks up.
	w.c.Log.Warn("a record was refused by the national registry and is parked", "uvci", e.Record.UVCI, "reason", reason)
	return w.c.Outbox.Park(ctx, e.Record.UVCI, now, reason)
}

func (w *Worker) available(now time.Time) {
	w.smu.Lock()
	defer w.smu.Unlock()
	w.status = Status{Reachable: true, Since: now, LastDelivery: now}
}

func (w *Worker) unavailable(now time.Time, err error) {
	w.smu.Lock()
	defer w.smu.Unlock()
	if w.status.Reachable {
		w.status.Reachable, w.status.Since = false, now
	}
	w.status.LastError = err.Error()
}

func (w *Worker) observe(delivered, failed int) {
	if w.c.Observer != nil && delivered+failed > 0 {
		w.c.Observer.Delivered(delivered, failed)
	}
}

// post sends a delivery batch. It returns the HTTP status and, for a
// refusal, the problem's detail; err is set when the registry is not
// available (no answer, 5xx, 429, or a refusal of this authority itself:
// 401, 403, 404, 405), none of which is the records' fault.
func (w *Worker) post(ctx context.Context, body []byte, out *Response) (int, string, error) {
	status, data, err := w.do(ctx, http.MethodPost, Path, body)
	if err != nil {
		return 0, "", err
	}
	switch {
	case status == http.StatusOK:
		if err := json.Unmarshal(data, out); err != nil {
			return status, "", fmt.Errorf("registry response: %w", err)
		}
		return status, "", nil
	case status >= 500, status == http.StatusTooManyRequests, status == http.StatusRequestTimeout:
		return status, "", fmt.Errorf("registry answered %d %s", status, http.StatusText(status))
	case status == http.StatusUnauthorized, status == http.StatusForbidden, status == http.StatusNotFound, status == http.StatusMethodNotAllowed:
		return status, "", fmt.Errorf("registry refuses this authority's deliveries: %d %s %s (check delivery.registryURL and the client certificate)",
			status, http.StatusText(status), problemDetail(data))
	}
	return status, problemDetail(data), nil
}

// problemDetail is the title and detail of a problem answer, cut short.
func problemDetail(data []byte) string {
	var p struct{ Title, Detail string }
	if json.Unmarshal(data, &p) != nil || p.Title == "" {
		return ""
	}
	s := p.Title
	if p.Detail != "" {
		s += ": " + p.Detail
	}
	if len(s) > 150 {
		s = s[:150]
	}
	return s
}

// do makes one request to the registry and returns its status and body.
func (w *Worker) do(ctx context.Context, method, pathQuery string, body []byte) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, w.c.RegistryURL+pathQuery, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := w.c.Client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("registry unreachable: %w", err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if err != nil {
		return 0, nil, fmt.Errorf("registry response: %w", err)
	}
	return res.StatusCode, data, nil
}

// call makes one request to the registry and decodes its JSON answer.
func (w *Worker) call(ctx context.Context, method, pathQuery string, body []byte, out any) error {
	status, data, err := w.do(ctx, method, pathQuery, body)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("registry answered %d %s", status, http.StatusText(status))
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
	if err := keystore.CheckPrivate(keyFile); err != nil {
		return nil, fmt.Errorf("delivery: client key: %w", err)
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("delivery: client certificate: %w", err)
	}
	cfg.Certificates = []tls.Certificate{cert}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, MaxIdleConnsPerHost: 2}, Timeout: time.Minute}, nil
}
