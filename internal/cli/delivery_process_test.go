package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"dcc/internal/app"
	"dcc/internal/config"
	"dcc/internal/demo"
	"dcc/registry"
)

// A split deployment under load, with the national registry killed
// (SIGKILL) twice and restarted: issuance never stops, and afterwards the
// registry holds exactly the authority's records — the same UVCIs with the
// same payload hashes, none lost, none extra — soon after the last restart.
func TestDeliveryUnderLoadSurvivesRegistryKills(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes and issues 5,000 certificates")
	}
	const total = 5000
	dir := t.TempDir()
	creds, err := demo.Create(dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	authCfg := filepath.Join(dir, demo.AuthorityConfigFile("AN"))
	cfg, err := config.Load(authCfg)
	if err != nil {
		t.Fatal(err)
	}
	// Full speed from one laboratory's credential: lift its rate limit.
	cfg.HTTP.RatePerSecond, cfg.HTTP.Burst = 1e9, 1e9
	if err := config.Write(authCfg, cfg); err != nil {
		t.Fatal(err)
	}
	reg := start(t, "serve", "--data", dir, "--role", "registry", "--addr", "127.0.0.1:0")
	regAddr := strings.TrimPrefix(reg.url, "https://")
	auth := start(t, "serve", "--data", dir, "--role", "authority", "--authority", "AN", "--addr", "127.0.0.1:0", "--registry", reg.url)

	c := client(t, dir)
	c.Timeout = time.Minute // this test counts records, it does not time requests
	c.Transport.(*http.Transport).MaxIdleConnsPerHost = 16
	var issued atomic.Int64
	var mu sync.Mutex
	var uvcis []string
	var failures []string
	var wg sync.WaitGroup
	next := atomic.Int64{}
	body := testBody()
	for range 16 {
		wg.Go(func() {
			for next.Add(1) <= total {
				req, _ := http.NewRequest("POST", auth.url+"/api/v1/certificates/test", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+creds.Labs[0].Token)
				req.Header.Set("Content-Type", "application/json")
				res, err := c.Do(req)
				if err != nil {
					mu.Lock()
					failures = append(failures, err.Error())
					mu.Unlock()
					continue
				}
				var out struct{ UVCI string }
				data, _ := io.ReadAll(res.Body)
				res.Body.Close()
				json.Unmarshal(data, &out)
				mu.Lock()
				if res.StatusCode == 201 && out.UVCI != "" {
					uvcis = append(uvcis, out.UVCI)
				} else {
					failures = append(failures, res.Status+" "+string(data))
				}
				mu.Unlock()
				issued.Add(1)
			}
		})
	}
	kill := func(after int64) {
		// Progress, not speed, is what counts: under -race on a busy
		// machine the load may take minutes; only a stall fails.
		waitProgress(t, "issuance to progress", &issued, after)
		reg.stop(syscall.SIGKILL)
		t.Logf("registry killed after %d certificates", issued.Load())
	}
	// First outage in the middle of the load, for a few seconds.
	kill(total / 4)
	time.Sleep(3 * time.Second)
	reg = start(t, "serve", "--data", dir, "--role", "registry", "--addr", regAddr)
	// Second outage until the load is over: the whole backlog waits.
	kill(total * 3 / 5)
	wg.Wait()
	time.Sleep(2 * time.Second)
	if len(failures) > 0 {
		t.Fatalf("%d issuance requests failed while the registry was down, e.g. %s", len(failures), failures[0])
	}
	backlog := pending(t, c, auth.url)
	restarted := time.Now()
	reg = start(t, "serve", "--data", dir, "--role", "registry", "--addr", regAddr)
	ready := time.Since(restarted)
	deadline := time.Now().Add(2 * time.Minute)
	for pending(t, c, auth.url) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the outbox did not drain: %d pending; authority log:\n%s", pending(t, c, auth.url), tail(auth.stderr.String()))
		}
		time.Sleep(50 * time.Millisecond)
	}
	drained := time.Since(restarted)
	t.Logf("backlog of %d records drained %.1fs after the restart (registry serving after %.1fs)", backlog, drained.Seconds(), ready.Seconds())
	auth.stop(syscall.SIGTERM)
	reg.stop(syscall.SIGTERM)

	authority := storeRecords(t, filepath.Join(dir, demo.AuthorityConfigFile("AN")))
	national := storeRecords(t, filepath.Join(dir, demo.RegistryConfigFile))
	if len(uvcis) != total || len(authority) != total {
		t.Fatalf("%d certificates issued (201), %d in the authority's store; want %d", len(uvcis), len(authority), total)
	}
	for _, u := range uvcis {
		if _, ok := authority[u]; !ok {
			t.Fatalf("issued %s is not in the authority's store", u)
		}
	}
	lost, extra, changed := 0, 0, 0
	for u, h := range authority {
		switch g, ok := national[u]; {
		case !ok:
			lost++
		case g != h:
			changed++
		}
	}
	for u := range national {
		if _, ok := authority[u]; !ok {
			extra++
		}
	}
	if lost+extra+changed > 0 || len(national) != total {
		t.Errorf("registry holds %d records: %d lost, %d extra, %d with another payload hash", len(national), lost, extra, changed)
	}
}

// pending reads the authority's outbox backlog from /healthz; a record
// parked (refused) fails the test, since none should be.
func pending(t *testing.T, c *http.Client, base string) int {
	t.Helper()
	res, err := c.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var h struct{ OutboxPending, OutboxParked *int }
	if err := json.NewDecoder(res.Body).Decode(&h); err != nil || h.OutboxPending == nil || h.OutboxParked == nil {
		t.Fatalf("authority /healthz: %v %+v", err, h)
	}
	if *h.OutboxParked != 0 {
		t.Fatalf("%d records parked: the registry refused records of a sound authority", *h.OutboxParked)
	}
	return *h.OutboxPending
}

// storeRecords opens a process's store (stopped) and returns its records'
// payload hashes by UVCI.
func storeRecords(t *testing.T, cfgPath string) map[string][32]byte {
	t.Helper()
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	out := map[string][32]byte{}
	after := ""
	for {
		rs, next, err := a.Store.Search(context.Background(), registry.Query{Limit: 1000, After: after}, "test")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			out[r.UVCI] = r.PayloadHash
		}
		if after = next; next == "" {
			return out
		}
	}
}

func tail(s string) string {
	if i := bytes.LastIndexByte([]byte(s[:max(0, len(s)-4000)]), '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// waitProgress waits until n reaches target, failing only when it stops
// growing for 30 seconds.
func waitProgress(t *testing.T, what string, n *atomic.Int64, target int64) {
	t.Helper()
	last, since := n.Load(), time.Now()
	for {
		v := n.Load()
		if v >= target {
			return
		}
		if v != last {
			last, since = v, time.Now()
		}
		if time.Since(since) > 30*time.Second {
			t.Fatalf("timed out waiting for %s: stuck at %d of %d for 30 s", what, v, target)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
