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
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
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
	client := flag.String("client", "raw", "HTTP client: raw (pre-built requests on keep-alive connections, little CPU) or net/http")
	flag.Parse()
	if *client != "raw" && *client != "net/http" {
		fmt.Fprintln(os.Stderr, "loadtest: -client must be raw or net/http")
		os.Exit(2)
	}
	if err := run(*conns, *dur, *warm, *kind, *dsn, *client); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(conns int, dur, warm time.Duration, kind, dsn, client string) error {
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
	// The log (one access-log line per request) goes to a file, as it
	// would in service, not through a pipe this process would have to
	// drain; it explains a failed start.
	logPath := filepath.Join(dir, "serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()
	srv.Stderr = logFile
	if err := srv.Start(); err != nil {
		return err
	}
	defer srv.Process.Kill()
	base, err := waitBanner(out)
	if err != nil {
		b, _ := os.ReadFile(logPath)
		return fmt.Errorf("%w; its log:\n%s", err, b[:min(len(b), 64<<10)])
	}
	go io.Copy(io.Discard, out)

	token, body := creds.Labs[0].Token, testBody()
	if kind == "vaccination" {
		token, body = creds.Authorities[0].Token, vaccinationBody()
	}
	url := base + "/api/v1/certificates/" + kind
	send := rawSender(base, "/api/v1/certificates/"+kind, token, body)
	if client == "net/http" {
		send = netHTTPSender(url, token, body, conns)
	}

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
			do := send()
			for ctx.Err() == nil {
				t0 := time.Now()
				code, err := do(ctx)
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					continue
				}
				if !measuring.Load() {
					continue
				}
				if code != 201 {
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
	fmt.Printf("POST %s, %d keep-alive connections (client %s), %v after %v warm-up\n", strings.TrimPrefix(url, base), conns, client, dur, warm)
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

// A sender makes the request function of one connection; the function
// returns the response's status code.
type sender func() func(context.Context) (int, error)

func netHTTPSender(url, token string, body []byte, conns int) sender {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	return func() func(context.Context) (int, error) {
		return func(ctx context.Context) (int, error) {
			req, _ := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			res, err := client.Do(req)
			if err != nil {
				return 0, err
			}
			_, err = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			return res.StatusCode, err
		}
	}
}

// rawSender writes one pre-built HTTP/1.1 request per call on its own
// keep-alive connection and reads the response (Content-Length or chunked)
// with as little work as it can, so that the load generator leaves the
// cores to the server; a connection the server closes is opened again.
func rawSender(base, path, token string, body []byte) sender {
	host := strings.TrimPrefix(base, "http://")
	req := []byte("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + token +
		"\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + string(body))
	return func() func(context.Context) (int, error) {
		var conn net.Conn
		var br *bufio.Reader
		return func(ctx context.Context) (int, error) {
			if conn == nil {
				c, err := net.Dial("tcp", host)
				if err != nil {
					return 0, err
				}
				conn, br = c, bufio.NewReaderSize(c, 16<<10)
			}
			conn.SetDeadline(time.Now().Add(30 * time.Second))
			code, keep, err := roundTrip(conn, br, req)
			if err != nil || !keep {
				conn.Close()
				conn = nil
			}
			return code, err
		}
	}
}

func roundTrip(conn net.Conn, br *bufio.Reader, req []byte) (code int, keep bool, err error) {
	if _, err := conn.Write(req); err != nil {
		return 0, false, err
	}
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, false, fmt.Errorf("bad status line %q", line)
	}
	code, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, false, fmt.Errorf("bad status line %q", line)
	}
	length, chunked, keep := -1, false, true
	for {
		h, err := br.ReadSlice('\n')
		if err != nil {
			return 0, false, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, _ := bytes.Cut(h, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return 0, false, fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			keep = !bytes.EqualFold(value, []byte("close"))
		}
	}
	switch {
	case chunked:
		for {
			l, err := br.ReadSlice('\n')
			if err != nil {
				return 0, false, err
			}
			l, _, _ = bytes.Cut(bytes.TrimRight(l, "\r\n"), []byte(";"))
			n, err := strconv.ParseInt(string(l), 16, 64)
			if err != nil {
				return 0, false, fmt.Errorf("bad chunk size %q", l)
			}
			if _, err := br.Discard(int(n) + 2); err != nil { // the chunk and its CRLF
				return 0, false, err
			}
			if n == 0 {
				return code, keep, nil
			}
		}
	case length >= 0:
		_, err = br.Discard(length)
		return code, keep, err
	default:
		return code, false, errors.New("response without a length")
	}
}
