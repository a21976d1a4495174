// Command loadtest measures `dcc serve` under HTTP load on loopback
// (docs/benchmarks.md): it builds dcc, creates a demo deployment with the
// per-credential rate limit lifted, starts `dcc serve`, drives it with
// keep-alive clients issuing test certificates for a while, and prints the
// throughput, the latency percentiles, and the server's peak memory.
//
//	go run ./internal/cmd/loadtest -c 32 -d 20s
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"dcc/internal/config"
	"dcc/internal/demo"
)

func main() {
	conns := flag.Int("c", 32, "concurrent keep-alive connections")
	dur := flag.Duration("d", 20*time.Second, "duration of the measurement")
	warm := flag.Duration("warmup", 3*time.Second, "warm-up before measuring")
	kind := flag.String("type", "test", "certificate type to issue: test or vaccination")
	dsn := flag.String("dsn", "", "store DSN (default SQLite in the temporary data directory)")
	flag.Parse()
	if err := run(*conns, *dur, *warm, *kind, *dsn); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(conns int, dur, warm time.Duration, kind, dsn string) error {
	dir, err := os.MkdirTemp("", "dcc-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "dcc")
	build := exec.Command("go", "build", "-o", bin, "./cmd/dcc")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build (run from the repository root): %w", err)
	}
	data := filepath.Join(dir, "data")
	creds, err := demo.Create(data, time.Now())
	if err != nil {
		return err
	}
	cfgPath := filepath.Join(data, demo.ConfigFile)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return err
	}
	// The load comes from few credentials: lift their rate limit.
	cfg.HTTP.RatePerSecond, cfg.HTTP.Burst = 1e9, 1e9
	if dsn != "" {
		cfg.Store.DSN = dsn
	}
	if err := config.Write(cfgPath, cfg); err != nil {
		return err
	}
	srv := exec.Command(bin, "serve", "--data", data, "--addr", "127.0.0.1:0", "--log", "json")
	out, err := srv.StdoutPipe()
	if err != nil {
		return err
	}
	// The log is kept until the server serves, to explain a failed start;
	// after that it is one access-log line per request, dropped.
	startLog := &untilServing{}
	srv.Stderr = startLog
	if err := srv.Start(); err != nil {
		return err
	}
	defer srv.Process.Kill()
	base, err := waitBanner(out)
	if err != nil {
		return fmt.Errorf("%w; its log:\n%s", err, startLog.String())
	}
	startLog.serving.Store(true)
	go io.Copy(io.Discard, out)

	token, body := creds.Labs[0].Token, testBody()
	if kind == "vaccination" {
		token, body = creds.Authorities[0].Token, vaccinationBody()
	}
	url := base + "/api/v1/certificates/" + kind
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	var measuring atomic.Bool
	var errs, non201 atomic.Int64
	lat := make([][]time.Duration, conns)
	ctx, cancel := context.WithTimeout(context.Background(), warm+dur)
	defer cancel()
	var wg sync.WaitGroup
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if !measuring.Load() {
					continue
				}
				if res.StatusCode != 201 {
					non201.Add(1)
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		}()
	}
	time.Sleep(warm)
	measuring.Store(true)
	start := time.Now()
	selfCPU0, srvCPU0 := selfCPU(), procCPU(srv.Process.Pid)
	wg.Wait()
	elapsed := time.Since(start)
	selfCPU1, srvCPU1 := selfCPU(), procCPU(srv.Process.Pid)
	hwm := peakRSS(srv.Process.Pid)

	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(float64(len(all))*p))]
	}
	fmt.Printf("machine: %d CPUs, %s; server and load generator share them\n", runtime.NumCPU(), runtime.Version())
	fmt.Printf("POST %s, %d keep-alive connections, %v after %v warm-up\n", strings.TrimPrefix(url, base), conns, dur, warm)
	fmt.Printf("requests: %d in %.1fs = %.0f/s (non-201: %d, errors: %d)\n",
		len(all), elapsed.Seconds(), float64(len(all))/elapsed.Seconds(), non201.Load(), errs.Load())
	fmt.Printf("latency: p50 %v  p90 %v  p99 %v  max %v\n",
		pct(0.50).Round(100*time.Microsecond), pct(0.90).Round(100*time.Microsecond),
		pct(0.99).Round(100*time.Microsecond), pct(1).Round(100*time.Microsecond))
	fmt.Printf("server peak memory (VmHWM): %s\n", hwm)
	fmt.Printf("CPU while measuring: server %.2f cores, load generator %.2f cores (of %d)\n",
		(srvCPU1-srvCPU0).Seconds()/elapsed.Seconds(), (selfCPU1-selfCPU0).Seconds()/elapsed.Seconds(), runtime.NumCPU())
	return nil
}

// untilServing keeps what is written to it until serving is set.
type untilServing struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	serving atomic.Bool
}

func (u *untilServing) Write(p []byte) (int, error) {
	if !u.serving.Load() {
		u.mu.Lock()
		if u.buf.Len() < 64<<10 {
			u.buf.Write(p)
		}
		u.mu.Unlock()
	}
	return len(p), nil
}

func (u *untilServing) String() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.buf.String()
}

func waitBanner(r io.Reader) (string, error) {
	re := regexp.MustCompile(` on (https?://\S+)$`)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			return m[1], nil
		}
	}
	return "", fmt.Errorf("dcc serve exited before serving")
}

func peakRSS(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:"))
		}
	}
	return "unknown"
}

func testBody() []byte {
	b, _ := json.Marshal(map[string]any{
		"nam": map[string]string{"fn": "Musterfrau-Gößinger", "gn": "Gabriele"}, "dob": "1998-02-26",
		"t": []map[string]string{{"tt": "LP6464-4", "sc": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339), "tr": "260415000"}},
	})
	return b
}

func vaccinationBody() []byte {
	b, _ := json.Marshal(map[string]any{
		"nam": map[string]string{"fn": "Фёдоров", "gn": "Пётр"}, "dob": "1964-01-01",
		"v": []map[string]any{{"vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215", "dn": 2, "sd": 2,
			"dt": time.Now().UTC().AddDate(0, 0, -20).Format(time.DateOnly)}},
	})
	return b
}

// selfCPU is the CPU time (user and system) this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU is the CPU time (user and system) process pid has used, from
// /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces: count from its ')'.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * 10 * time.Millisecond
}
