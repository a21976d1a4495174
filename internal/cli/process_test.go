package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dcc/internal/app"
	"dcc/internal/config"
	"dcc/internal/demo"
	"dcc/registry"
)

// proc is a dcc process: this test binary run as the dcc command.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	url    string // the address it serves, from its banner
	stderr *bytes.Buffer
	done   chan struct{}
}

func start(t *testing.T, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "DCC_TEST_AS_DCC=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, cmd: cmd, stderr: &bytes.Buffer{}, done: make(chan struct{})}
	cmd.Stderr = &lockedWriter{w: p.stderr}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.stop(syscall.SIGKILL) })
	banner := regexp.MustCompile(` on (https?://\S+)$`)
	found := make(chan string, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := banner.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		_ = cmd.Wait()
	}()
	select {
	case p.url = <-found:
	case <-p.done:
		t.Fatalf("dcc %s exited: %s", strings.Join(args, " "), p.stderr)
	case <-time.After(60 * time.Second):
		t.Fatalf("dcc %s did not start: %s", strings.Join(args, " "), p.stderr)
	}
	return p
}

func (p *proc) stop(sig syscall.Signal) {
	if p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// client speaks to the demo's servers: plain HTTP, or HTTPS verified
// against the demo TLS CA.
func client(t *testing.T, dir string) *http.Client {
	pem, err := os.ReadFile(filepath.Join(dir, demo.TLSCA))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func call(t *testing.T, c *http.Client, method, u, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func testBody() string {
	return fmt.Sprintf(`{"nam": {"fn": "Фёдоров", "gn": "Пётр"}, "dob": "1964-01-01",
		"t": [{"tt": "LP6464-4", "sc": %q, "tr": "260415000"}]}`, time.Now().UTC().Add(-time.Hour).Format(time.RFC3339))
}

func certURL(base, uvci string) string { return base + "/api/v1/certificates/" + url.PathEscape(uvci) }

// waitFor polls until ok returns true.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The national registry and an issuing authority as separate processes:
// records flow through the outbox over mutual TLS, a registry outage does
// not block issuance, nothing is lost when it comes back, and revocations
// flow both ways.
func TestSplitDeploymentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	reg := start(t, "serve", "--data", dir, "--role", "registry", "--addr", "127.0.0.1:0")
	if !strings.HasPrefix(reg.url, "https://") {
		t.Fatalf("registry serves %s, want HTTPS", reg.url)
	}
	creds, err := demo.ReadCredentials(dir)
	if err != nil {
		t.Fatal(err)
	}
	lab, op := creds.Labs[0].Token, creds.Operators[0].Token
	auth := start(t, "serve", "--data", dir, "--role", "authority", "--authority", "AN", "--addr", "127.0.0.1:0", "--registry", reg.url)
	c := client(t, dir)

	code, is := call(t, c, "POST", auth.url+"/api/v1/certificates/test", lab, testBody())
	if code != 201 {
		t.Fatalf("issue at the authority: %d %v (%s)", code, is, auth.stderr)
	}
	first := is["uvci"].(string)
	waitFor(t, "the first record in the registry", func() bool {
		code, _ := call(t, c, "GET", certURL(reg.url, first), op, "")
		return code == 200
	})
	// The registry's operator is not a principal of the authority process,
	// and the authority has no registry search.
	if code, _ := call(t, c, "GET", certURL(auth.url, first), op, ""); code != 401 {
		t.Errorf("operator at the authority: %d", code)
	}

	// Registry down: issuance goes on.
	reg.stop(syscall.SIGTERM)
	var later []string
	for range 3 {
		code, is := call(t, c, "POST", auth.url+"/api/v1/certificates/test", lab, testBody())
		if code != 201 {
			t.Fatalf("issue while the registry is down: %d %v", code, is)
		}
		later = append(later, is["uvci"].(string))
	}
	// Registry back on the same address: the outbox catches up.
	reg = start(t, "serve", "--data", dir, "--role", "registry", "--addr", strings.TrimPrefix(reg.url, "https://"))
	for _, u := range later {
		waitFor(t, "a record issued during the outage", func() bool {
			code, _ := call(t, c, "GET", certURL(reg.url, u), op, "")
			return code == 200
		})
	}
	code, got := call(t, c, "GET", certURL(reg.url, later[0]), op, "")
	if code != 200 || got["lab"] != "LAB-AN-1" || !strings.HasPrefix(fmt.Sprint(got["hc1"]), "HC1:") {
		t.Errorf("registry record: %d %v", code, got)
	}
	// A revocation at the authority reaches the registry too.
	if code, _ := call(t, c, "POST", certURL(auth.url, first)+"/revoke", lab, `{"reason": "wrong person"}`); code != 200 {
		t.Fatalf("revoke at the authority: %d", code)
	}
	waitFor(t, "the revocation in the registry", func() bool {
		_, got := call(t, c, "GET", certURL(reg.url, first), op, "")
		return got["revocation"] != nil
	})
	// And one made by the registry's operator reaches the authority's store.
	if code, _ := call(t, c, "POST", certURL(reg.url, later[1])+"/revoke", op, `{"reason": "fraudulent"}`); code != 200 {
		t.Fatalf("revoke at the registry: %d", code)
	}
	waitFor(t, "the operator's revocation at the authority", func() bool {
		_, got := call(t, c, "GET", certURL(auth.url, later[1]), lab, "")
		return got["revocation"] != nil
	})
	res, err := c.Get(auth.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Role          string
		OutboxPending *int
	}
	json.NewDecoder(res.Body).Decode(&h)
	res.Body.Close()
	if h.Role != "authority" || h.OutboxPending == nil || *h.OutboxPending != 0 {
		t.Errorf("authority health after delivery: %+v", h)
	}
	// The operators' view of the same, for Prometheus.
	res, err = c.Get(auth.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{"dcc_outbox_pending 0", `dcc_certificates_issued_total{authority="AN",type="t"} 4`,
		`dcc_registry_deliveries_total{result="delivered"}`, "dcc_registry_revocations_taken_total 1"} {
		if !strings.Contains(string(m), want) {
			t.Errorf("authority metrics lack %q", want)
		}
	}
	auth.stop(syscall.SIGTERM)
	reg.stop(syscall.SIGTERM)
	for _, p := range []*proc{auth, reg} {
		if strings.Contains(p.stderr.String(), "Фёдоров") || strings.Contains(p.stderr.String(), lab) {
			t.Errorf("personal data or a token in the log:\n%s", p.stderr)
		}
	}
}

// The all-in-one mode as a process, with `dcc issue` writing to the same
// data directory meanwhile.
func TestAllInOneProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	srv := start(t, "serve", "--data", dir, "--addr", "127.0.0.1:0")
	if !strings.HasPrefix(srv.url, "http://127.0.0.1:") {
		t.Fatalf("serves %s", srv.url)
	}
	creds, _ := demo.ReadCredentials(dir)
	c := client(t, dir)
	code, is := call(t, c, "POST", srv.url+"/api/v1/certificates/test", creds.Labs[0].Token, testBody())
	if code != 201 {
		t.Fatalf("issue: %d %v", code, is)
	}
	batch := filepath.Join(dir, "batch.jsonl")
	line, _ := json.Marshal(map[string]any{"type": "test", "payload": json.RawMessage(
		strings.Replace(testBody(), `"tr": "260415000"`, `"tr": "260415000", "tc": "Hospital Militar"`, 1))})
	os.WriteFile(batch, append(append(line, '\n'), line...), 0o600)
	out := filepath.Join(dir, "results.jsonl")
	cmd := exec.Command(os.Args[0], "issue", "--data", dir, "--authority", "MD", "--batch", batch, "--out", out)
	cmd.Env = append(os.Environ(), "DCC_TEST_AS_DCC=1")
	if msg, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(msg), "2 issued, 0 failed") {
		t.Fatalf("dcc issue: %v\n%s", err, msg)
	}
	res, _ := os.ReadFile(out)
	var r struct{ UVCI string }
	json.Unmarshal(bytes.SplitN(res, []byte("\n"), 2)[0], &r)
	md := creds.Authorities[1]
	if code, got := call(t, c, "GET", certURL(srv.url, r.UVCI), md.Token, ""); code != 200 || got["authority"] != "MD" {
		t.Errorf("the server does not see what dcc issue stored: %d %v", code, got)
	}
	// The web UI answers on the same address.
	res2, err := c.Get(srv.url + "/")
	if err != nil || res2.StatusCode != 200 {
		t.Errorf("web UI: %v %v", err, res2)
	}
	srv.stop(syscall.SIGTERM)
	// A second start reuses the demo and does not print credentials again.
	srv = start(t, "serve", "--data", dir, "--addr", "127.0.0.1:0")
	srv.stop(syscall.SIGTERM)
}

// A crash (SIGKILL) in the middle of a bulk issuance leaves every stored
// certificate with its audit entry and its outbox entry: transactions are
// all or nothing.
func TestCrashLeavesNoHalfWrittenRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	if _, err := demo.Create(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	line, _ := json.Marshal(map[string]any{"type": "test", "payload": json.RawMessage(
		strings.Replace(testBody(), `"tr": "260415000"`, `"tr": "260415000", "tc": "Centro de Salud"`, 1))})
	for range 20000 {
		buf.Write(line)
		buf.WriteByte('\n')
	}
	batch := filepath.Join(dir, "batch.jsonl")
	os.WriteFile(batch, buf.Bytes(), 0o600)
	cfgPath := filepath.Join(dir, demo.AuthorityConfigFile("AN"))
	cmd := exec.Command(os.Args[0], "issue", "--config", cfgPath, "--authority", "AN", "--batch", batch, "--out", filepath.Join(dir, "out.jsonl"))
	cmd.Env = append(os.Environ(), "DCC_TEST_AS_DCC=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once it has stored something, mid-way: results are written
	// only after their chunk is committed (the WAL's size is no sign, since
	// a large transaction spills uncommitted pages into it).
	waitFor(t, "the first stored batch", func() bool {
		st, err := os.Stat(filepath.Join(dir, "out.jsonl"))
		return err == nil && st.Size() > 0
	})
	cmd.Process.Kill()
	cmd.Wait()

	certs := len(storeRecords(t, cfgPath))
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	pending, _ := a.Store.OutboxPending(context.Background())
	es, _ := a.Store.AuditByActor(context.Background(), "authority:AN")
	issued := 0
	for _, e := range es {
		if e.Action == registry.ActionIssue {
			issued++
		}
	}
	t.Logf("killed after storing %d certificates", certs)
	if certs == 0 || certs >= 20000 {
		t.Fatalf("%d certificates stored: the kill did not land mid-way", certs)
	}
	if certs != pending || certs != issued {
		t.Errorf("%d certificates, %d outbox entries, %d issue audit entries: want all equal", certs, pending, issued)
	}
}

// A verifier against what `dcc serve` publishes: the signed national trust
// list and the registry's revocations, fetched by URL.
func TestVerifyAgainstPublishedLists(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	srv := start(t, "serve", "--data", dir, "--addr", "127.0.0.1:0")
	creds, _ := demo.ReadCredentials(dir)
	c := client(t, dir)
	var hc1s, uvcis []string
	for range 2 {
		code, is := call(t, c, "POST", srv.url+"/api/v1/certificates/test", creds.Labs[0].Token, testBody())
		if code != 201 {
			t.Fatalf("issue: %d %v", code, is)
		}
		hc1s, uvcis = append(hc1s, is["hc1"].(string)), append(uvcis, is["uvci"].(string))
	}
	if code, _ := call(t, c, "POST", certURL(srv.url, uvcis[1])+"/revoke", creds.Labs[0].Token, `{"reason": "wrong person"}`); code != 200 {
		t.Fatalf("revoke: %d", code)
	}
	cache := t.TempDir()
	dccVerify := func(hc1 string, extra ...string) (string, int) {
		args := append([]string{"verify", "--trustlist", srv.url + "/api/v1/trustlist",
			"--trustlist-anchor", filepath.Join(dir, "pki/csca/cert.pem"),
			"--revocations", srv.url + "/api/v1/revocations", "--cache", cache}, extra...)
		cmd := exec.Command(os.Args[0], append(args, hc1)...)
		cmd.Env = append(os.Environ(), "DCC_TEST_AS_DCC=1")
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return string(out), code
	}
	out, code := dccVerify(hc1s[0], "--lang", "es")
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "VALID") || !strings.Contains(out, "revocation: pass") ||
		!strings.Contains(out, "holder: Фёдоров, Пётр") {
		t.Errorf("valid certificate:\n%s", out)
	}
	out, code = dccVerify(hc1s[1], "--lang", "es")
	if code != 1 || !strings.Contains(out, "revocation: FAIL") || !strings.Contains(out, "El certificado ha sido revocado") ||
		!strings.HasSuffix(strings.TrimSpace(out), "INVALID") {
		t.Errorf("revoked certificate:\n%s", out)
	}
	// The server gone, the cached copies (by ETag) still serve.
	srv.stop(syscall.SIGTERM)
	if out, code := dccVerify(hc1s[0]); code != 0 {
		t.Errorf("offline with a cache:\n%s", out)
	}
	// Another anchor: the list is refused, nothing is verified.
	other := t.TempDir()
	demo.Create(other, time.Now())
	cmd := exec.Command(os.Args[0], "verify", "--trustlist", srv.url+"/api/v1/trustlist", "--cache", cache,
		"--trustlist-anchor", filepath.Join(other, "pki/csca/cert.pem"), hc1s[0])
	cmd.Env = append(os.Environ(), "DCC_TEST_AS_DCC=1")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "trust list not accepted") {
		t.Errorf("foreign anchor:\n%s", out)
	}
}
