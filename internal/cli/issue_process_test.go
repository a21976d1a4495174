package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"dcc/internal/app"
	"dcc/internal/config"
)

// dccCommand is the dcc command as a process: this test binary, or, under
// the race detector (5 to 10 times slower), dcc built without it, so that
// a hundred thousand certificates stay within the suite's time.
func dccCommand(t *testing.T) (path string, env []string) {
	if !raceEnabled {
		return os.Args[0], append(os.Environ(), "DCC_TEST_AS_DCC=1")
	}
	path = filepath.Join(t.TempDir(), "dcc")
	var flags []string
	for _, f := range strings.Fields(os.Getenv("GOFLAGS")) {
		if f != "-race" {
			flags = append(flags, f)
		}
	}
	build := exec.Command("go", "build", "-o", path, "dcc/cmd/dcc")
	build.Env = append(os.Environ(), "GOFLAGS="+strings.Join(flags, " "))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build dcc: %v\n%s", err, out)
	}
	return path, os.Environ()
}

// resultLines counts the complete lines of a results file as it grows.
type resultLines struct {
	path string
	off  int64
	n    int
}

func (r *resultLines) count(t *testing.T) int {
	f, err := os.Open(r.path)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() < r.off {
		r.off, r.n = 0, 0 // cut by a rerun
	}
	if _, err := f.Seek(r.off, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(f)
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		r.n += bytes.Count(data[:i+1], []byte{'\n'})
		r.off += int64(i + 1)
	}
	return r.n
}

// A bulk issuance of 100,000 lines killed (SIGKILL) three times, at random
// points, and run again to completion: every line is issued exactly once
// and has exactly one result, the certificate stored.
func TestBatchKilledThreeTimes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	const n = 100_000
	e := newIssueEnv(t)
	lines := batchLines(n, false)
	// Identical lines are each issued: every thousandth line repeats the one before.
	ls := bytes.SplitAfter(lines, []byte("\n"))
	for i := 999; i < n; i += 1000 {
		ls[i] = ls[i-1]
	}
	batch := e.file("batch.jsonl", bytes.Join(ls, nil))
	out := filepath.Join(e.dir, "results.jsonl")
	bin, env := dccCommand(t)
	args := []string{"issue", "--config", e.cfg, "--authority", "AN", "--batch", batch, "--out", out, "--resume"}

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	targets := []int{n/20 + rng.IntN(n*9/10), n/20 + rng.IntN(n*9/10), n/20 + rng.IntN(n*9/10)}
	slices.Sort(targets)
	t.Logf("seed %d: kills after about %v results", seed, targets)
	started := time.Now()
	seen := &resultLines{path: out}
	for k, target := range targets {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		// At least one chunk stored by this run, then the random point.
		target = max(target, seen.count(t)+1)
		for seen.count(t) < target {
			select {
			case err := <-exited:
				t.Fatalf("run %d ended before it was killed (%v): %s", k+1, err, stderr.String())
			case <-time.After(20 * time.Millisecond):
			}
		}
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		_ = cmd.Process.Kill()
		<-exited
		t.Logf("run %d killed with %d results written, at %v", k+1, seen.count(t), time.Since(started).Round(time.Millisecond))
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	msg, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(msg), "0 failed") {
		t.Fatalf("run to completion: %v\n%s", err, msg)
	}
	t.Logf("completed at %v: %s", time.Since(started).Round(time.Millisecond), bytes.TrimSpace(msg))

	// One result per line, in order, each a certificate, no UVCI twice.
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	res := readResults(t, data)
	if len(res) != n {
		t.Fatalf("%d results for %d lines", len(res), n)
	}
	uvcis := make(map[string]bool, n)
	for i, r := range res {
		if r.Line != i+1 || r.UVCI == "" || !strings.HasPrefix(r.HC1, "HC1:") || r.Errors != nil {
			t.Fatalf("result %d: %+v", i+1, r)
		}
		uvcis[r.UVCI] = true
	}
	if len(uvcis) != n {
		t.Errorf("%d distinct UVCIs in %d results", len(uvcis), n)
	}

	t.Logf("results checked at %v", time.Since(started).Round(time.Millisecond))

	// The store: exactly those certificates, each with its outbox and
	// audit entry (counted in SQL: the store's API would decode every row).
	cfg, err := config.Load(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	dsn, err := cfg.DSN()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+strings.TrimPrefix(dsn, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stored, pending, issued int
	for q, dest := range map[string]*int{
		`SELECT count(*) FROM certificates`:                 &stored,
		`SELECT count(*) FROM outbox`:                       &pending,
		`SELECT count(*) FROM audit WHERE action = 'issue'`: &issued,
	} {
		if err := db.QueryRow(q).Scan(dest); err != nil {
			t.Fatal(err)
		}
	}
	if stored != n || pending != n || issued != n {
		t.Errorf("%d certificates, %d outbox entries, %d issue audit entries for %d lines", stored, pending, issued, n)
	}
	rows, err := db.Query(`SELECT uvci FROM certificates`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			t.Fatal(err)
		}
		if !uvcis[u] {
			t.Errorf("stored %s has no result", u)
		}
	}
	rows.Close()
	// A few results read back one by one.
	a, err := app.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		r := res[rng.IntN(n)]
		got, err := a.Store.Get(context.Background(), r.UVCI, "test")
		if err != nil || got.HC1 != r.HC1 {
			t.Errorf("line %d: stored %q, %v; result %q", r.Line, got.HC1, err, r.HC1)
		}
	}
	a.Close()
	t.Logf("store checked at %v", time.Since(started).Round(time.Millisecond))

	// Run again to standard output: every line reported with the stored
	// certificate, nothing issued.
	cmd = exec.Command(bin, args[:len(args)-3]...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || !strings.Contains(stderr.String(), "0 issued, 0 failed") {
		t.Fatalf("run once more: %v\n%s", err, stderr.String())
	}
	// The same lines, each marked as replayed. Lines that a killed run
	// committed before it could write their results were already reported
	// as replayed by the run after it, and keep the mark once.
	var want []byte
	for _, l := range bytes.SplitAfter(data, []byte("\n")) {
		if !bytes.HasSuffix(l, []byte(`,"replayed":true}`+"\n")) {
			l = bytes.Replace(l, []byte("}\n"), []byte(`,"replayed":true}`+"\n"), 1)
		}
		want = append(want, l...)
	}
	if !bytes.Equal(stdout.Bytes(), want) {
		got := bytes.SplitAfter(stdout.Bytes(), []byte("\n"))
		for i, l := range bytes.SplitAfter(want, []byte("\n")) {
			if i >= len(got) || !bytes.Equal(got[i], l) {
				t.Fatalf("run once more, result %d: %.200s; want %.200s", i+1, got[min(i, len(got)-1)], l)
			}
		}
		t.Fatalf("run once more: %d results, want %d", len(got), n)
	}
	t.Logf("done at %v", time.Since(started).Round(time.Millisecond))
}
