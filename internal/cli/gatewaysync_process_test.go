package cli_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"dcc/gateway"
	"dcc/internal/config"
	"dcc/internal/demo"
	"dcc/internal/gatewayserver"
	"dcc/internal/softhsmtest"
	"dcc/keystore"
	"dcc/pki"
	"dcc/registry"
)

// The national synchronisation as separate processes over real mutual
// TLS: a gateway-compatible server (dcc gateway serve), the demo country
// ES (dcc serve) configured to synchronise with it, and dcc gateway sync
// run beside it. What ES issues and revokes reaches the gateway once; a
// gateway killed (SIGKILL) and restarted loses nothing and gets nothing
// twice. A second run keeps the country's AUTHENTICATION and UPLOAD keys
// in SoftHSM2: the TLS handshakes and the CMS signatures are the HSM's.
func TestGatewaySyncProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Run("file keys", func(t *testing.T) { gatewaySyncProcesses(t, false) })
	t.Run("SoftHSM2 keys", func(t *testing.T) { gatewaySyncProcesses(t, true) })
}

// hsmParty generates a key in the token and a self-signed certificate of
// country ES for it.
func hsmParty(t *testing.T, tok softhsmtest.Token, object, cn string, eku []x509.ExtKeyUsage, dir string) (uri, certFile string) {
	t.Helper()
	uri = tok.URI(object)
	key, err := keystore.Generate(uri, keystore.ES256)
	if err != nil {
		t.Fatal(err)
	}
	defer key.Close()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{Country: []string{"ES"}, CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: eku}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	certFile = filepath.Join(dir, object+".pem")
	if err := pki.WritePEM(certFile, cert); err != nil {
		t.Fatal(err)
	}
	return uri, certFile
}

func gatewaySyncProcesses(t *testing.T, hsm bool) {
	ctx := context.Background()
	gwDir, dir := t.TempDir(), t.TempDir()
	gw := start(t, "gateway", "serve", "--data", gwDir, "--addr", "127.0.0.1:0")
	gwDemo, _, err := gatewayserver.OpenDemo(ctx, gwDir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Create(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), "DCC_TEST_AS_DCC=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("dcc %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	// The gateway's operator adds the demo country's CSCA to ES.
	run("gateway", "onboard", "--country", "ES", "--csca", filepath.Join(dir, "pki", "csca", "cert.pem"),
		"--ta-key", "file:"+filepath.Join(gwDir, gatewayserver.DemoAnchorKey), "--ta-cert", filepath.Join(gwDir, gatewayserver.DemoAnchorCert),
		"--db", "sqlite:"+filepath.Join(gwDir, gatewayserver.DemoDB))

	es, fr := gwDemo.Countries[0], gwDemo.Countries[1]
	authKey, authCert := "file:"+filepath.Join(es.Dir, "auth", "key.pem"), filepath.Join(es.Dir, "auth", "cert.pem")
	upKey, upCert := "file:"+filepath.Join(es.Dir, "upload", "key.pem"), filepath.Join(es.Dir, "upload", "cert.pem")
	if hsm {
		tok := softhsmtest.New(t, "ES")
		authKey, authCert = hsmParty(t, tok, "nb-tls", "ES NB_TLS (HSM)", []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, dir)
		upKey, upCert = hsmParty(t, tok, "nb-up", "ES NB_UP (HSM)", nil, dir)
		run("gateway", "onboard", "--country", "ES", "--auth", authCert, "--upload", upCert,
			"--roles", "REVOCATION_LIST_READER,REVOCATION_UPLOADER,REVOCATION_DELETER",
			"--ta-key", "file:"+filepath.Join(gwDir, gatewayserver.DemoAnchorKey), "--ta-cert", filepath.Join(gwDir, gatewayserver.DemoAnchorCert),
			"--db", "sqlite:"+filepath.Join(gwDir, gatewayserver.DemoDB))
	}
	cfgPath := filepath.Join(dir, demo.ConfigFile)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Gateway = config.Gateway{
		URL:     gw.url,
		AuthKey: authKey, AuthCertFile: authCert, UploadKey: upKey, UploadCertFile: upCert,
		ServerCAFile: filepath.Join(gwDir, gatewayserver.DemoServerCert), TrustAnchorFile: filepath.Join(gwDir, gatewayserver.DemoAnchorCert),
		Interval: config.Duration(time.Hour), Timeout: config.Duration(5 * time.Second),
		RetryBase: config.Duration(time.Second), RetryMax: config.Duration(2 * time.Second),
	}
	if err := config.Write(cfgPath, cfg); err != nil {
		t.Fatal(err)
	}
	srv := start(t, "serve", "--config", cfgPath, "--addr", "127.0.0.1:0")
	creds, _ := demo.ReadCredentials(dir)
	c := client(t, dir)
	t.Cleanup(func() {
		if t.Failed() {
			_, st := call(t, c, "GET", srv.url+"/api/v1/gateway/status", creds.Operators[0].Token, "")
			t.Logf("gateway status: %v\ndcc serve:\n%s\ndcc gateway serve:\n%s", st, srv.stderr, gw.stderr)
		}
	})

	// France's view of the gateway, in this test.
	frClient, err := gateway.New(gateway.Config{BaseURL: gw.url,
		AuthKey: "file:" + filepath.Join(fr.Dir, "auth", "key.pem"), AuthCert: filepath.Join(fr.Dir, "auth", "cert.pem"),
		ServerCA: filepath.Join(gwDir, gatewayserver.DemoServerCert), TrustAnchor: filepath.Join(gwDir, gatewayserver.DemoAnchorCert)})
	if err != nil {
		t.Fatal(err)
	}
	defer frClient.Close()
	esBatches := func() int {
		n := 0
		for info, err := range frClient.RevocationList(ctx, time.Time{}) {
			if err != nil {
				return -1
			}
			if info.Country == "ES" && !info.Deleted {
				n++
			}
		}
		return n
	}
	// issueRevoke issues two certificates and revokes the second.
	issueRevoke := func() (valid, revoked string) {
		t.Helper()
		var hc1s []string
		var uvci string
		for range 2 {
			code, is := call(t, c, "POST", srv.url+"/api/v1/certificates/test", creds.Labs[0].Token, testBody())
			if code != 201 {
				t.Fatalf("issue: %d %v", code, is)
			}
			uvci, _ = is["uvci"].(string)
			h, _ := is["hc1"].(string)
			hc1s = append(hc1s, h)
		}
		if code, got := call(t, c, "POST", certURL(srv.url, uvci)+"/revoke", creds.Operators[0].Token, `{"reason": "issued in error"}`); code != 200 {
			t.Fatalf("revoke %s: %d %v", uvci, code, got)
		}
		return hc1s[0], hc1s[1]
	}

	// The server uploads the authorities' DSCs at once, and a revocation
	// within its poll: one batch per hash type (UCI, COUNTRYCODEUCI,
	// SIGNATURE).
	validHC1, revokedHC1 := issueRevoke()
	waitFor(t, "ES's revocation batches on the gateway", func() bool { return esBatches() == 3 })
	tl, err := frClient.TrustList(ctx, gateway.Query{Type: "DSC", Country: "ES"})
	if err != nil {
		t.Fatal(err)
	}
	if len(tl.Entries) != len(cfg.Authorities) || len(tl.Refused) != 0 {
		t.Errorf("ES DSCs on the gateway: %d (refused %v), want %d", len(tl.Entries), tl.Refused, len(cfg.Authorities))
	}

	// An operator's dcc gateway sync beside the running server: nothing is
	// uploaded again, and the download is stored and installed.
	out := run("gateway", "sync", "--config", cfgPath)
	if !strings.Contains(out, "uploads: 0 queued, 0 sent, 0 failed") || !strings.Contains(out, "download ") {
		t.Errorf("dcc gateway sync:\n%s", out)
	}
	if n := esBatches(); n != 3 {
		t.Errorf("%d ES batches after dcc gateway sync, want 3", n)
	}
	waitFor(t, "the status of the download", func() bool {
		code, st := call(t, c, "GET", srv.url+"/api/v1/gateway/status", creds.Operators[0].Token, "")
		return code == 200 && st["installed"] != nil && st["installed"].(float64) >= 2
	})
	// The same in /metrics (this host may scrape without a token).
	if res, err := c.Get(srv.url + "/metrics"); err != nil {
		t.Error(err)
	} else {
		m, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !regexp.MustCompile(`dcc_gateway_last_success_timestamp_seconds\{kind="trustlist"\} [1-9]`).Match(m) ||
			!strings.Contains(string(m), `dcc_gateway_failing{kind="uploads"} 0`) {
			t.Errorf("/metrics lacks the gateway's status")
		}
	}
	if code, _ := call(t, c, "GET", srv.url+"/api/v1/gateway/status", creds.Labs[0].Token, ""); code != 403 {
		t.Errorf("a lab reads the gateway status: %d", code)
	}

	if hsm {
		srv.stop(syscall.SIGTERM)
		return // the outage is the file-key run's
	}
	// The gateway dies (SIGKILL); a revocation made meanwhile waits in the
	// outbox and reaches the restarted gateway once.
	gw.stop(syscall.SIGKILL)
	_, _ = issueRevoke()
	waitFor(t, "the status to show the failed upload", func() bool {
		code, st := call(t, c, "GET", srv.url+"/api/v1/gateway/status", creds.Operators[0].Token, "")
		ob, _ := st["outbox"].(map[string]any)
		return code == 200 && ob != nil && ob["failing"].(float64) > 0
	})
	u, _ := url.Parse(gw.url)
	start(t, "gateway", "serve", "--data", gwDir, "--addr", u.Host)
	waitFor(t, "the second revocation on the restarted gateway", func() bool { return esBatches() == 6 })
	time.Sleep(3 * time.Second) // more polls: nothing more may arrive
	if n := esBatches(); n != 6 {
		t.Errorf("%d ES batches, want 6: an upload went twice", n)
	}
	srv.stop(syscall.SIGTERM)

	// France, a second national deployment, synchronises with the gateway;
	// its verifiers (dcc verify against France's published trust list and
	// revocations) and its verification service accept Spain's valid
	// certificate and report Spain's revoked one as revoked.
	frDir := t.TempDir()
	frCfg := franceDeployment(t, frDir, fr, gwDir, gw.url)
	out = run("gateway", "sync", "--config", frCfg)
	if !strings.Contains(out, "download 1:") {
		t.Errorf("France's dcc gateway sync:\n%s", out)
	}
	b := start(t, "serve", "--config", frCfg, "--addr", "127.0.0.1:0")
	dccVerify := func(hc1 string) (string, int) {
		cmd := exec.Command(os.Args[0], "verify", "--trustlist", b.url+"/api/v1/trustlist",
			"--trustlist-anchor", filepath.Join(frDir, "csca.pem"), "--revocations", b.url+"/api/v1/revocations", "--cache", "", hc1)
		cmd.Env = append(os.Environ(), "DCC_TEST_AS_DCC=1")
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return string(out), code
	}
	if out, code := dccVerify(validHC1); code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "VALID") {
		t.Errorf("France's dcc verify of Spain's valid certificate (exit %d):\n%s", code, out)
	}
	if out, code := dccVerify(revokedHC1); code != 1 || !strings.Contains(out, "revocation: FAIL") {
		t.Errorf("France's dcc verify of Spain's revoked certificate (exit %d):\n%s", code, out)
	}
	for hc1, want := range map[string]string{validHC1: "VALID", revokedHC1: "INVALID"} {
		body, _ := json.Marshal(map[string]string{"hc1": hc1})
		code, res := call(t, http.DefaultClient, "POST", b.url+"/api/v1/verify", "", string(body))
		if code != 200 || res["state"] != want {
			t.Errorf("France's /api/v1/verify: %d %v, want %s", code, res["state"], want)
		}
	}
	b.stop(syscall.SIGTERM)
}

// franceDeployment writes the configuration of a small national backend
// of France (one authority, the national trust list, the gateway section
// with France's demo gateway material) and returns its path.
func franceDeployment(t *testing.T, dir string, fr gatewayserver.DemoCountry, gwDir, gwURL string) string {
	t.Helper()
	now := time.Now() // the demo gateway's CSCA is as young as the test
	pair := func(name string, issue func(pub crypto.PublicKey) (*x509.Certificate, error)) {
		key, err := keystore.Generate("file:"+filepath.Join(dir, name+".key"), keystore.ES256)
		if err != nil {
			t.Fatal(err)
		}
		defer key.Close()
		cert, err := issue(key.Public())
		if err != nil {
			t.Fatal(err)
		}
		if err := pki.WritePEM(filepath.Join(dir, name+".pem"), cert); err != nil {
			t.Fatal(err)
		}
	}
	pair("tl", func(pub crypto.PublicKey) (*x509.Certificate, error) {
		return pki.NewTrustListSigner(fr.CSCA, fr.CSCAKey, pub, pki.DSCOptions{Country: "FR", Now: now})
	})
	pair("dsc", func(pub crypto.PublicKey) (*x509.Certificate, error) {
		return pki.NewDSC(fr.CSCA, fr.CSCAKey, pub, pki.DSCOptions{Country: "FR", Now: now})
	})
	if err := pki.WritePEM(filepath.Join(dir, "csca.pem"), fr.CSCA); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "payload-keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := registry.GenerateKeyFile(filepath.Join(dir, "payload-keys"), "fr-1"); err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{
		Country:   "FR",
		HTTP:      config.HTTP{Addr: "127.0.0.1:0"},
		Store:     config.Store{DSN: "sqlite:" + filepath.Join(dir, "fr.db"), PayloadKeyDir: filepath.Join(dir, "payload-keys")},
		CSCAFiles: []string{filepath.Join(dir, "csca.pem")},
		Authorities: []config.Authority{{ID: "IDF", Name: "ARS Ile-de-France", UVCIPrefix: "IDF", Types: []string{"v"},
			DSCs: []config.DSC{{Key: "file:" + filepath.Join(dir, "dsc.key"), CertFile: filepath.Join(dir, "dsc.pem")}}}},
		TrustList: config.TrustList{SignerKey: "file:" + filepath.Join(dir, "tl.key"), SignerCertFile: filepath.Join(dir, "tl.pem")},
		Gateway: config.Gateway{URL: gwURL,
			AuthKey: "file:" + filepath.Join(fr.Dir, "auth", "key.pem"), AuthCertFile: filepath.Join(fr.Dir, "auth", "cert.pem"),
			UploadKey: "file:" + filepath.Join(fr.Dir, "upload", "key.pem"), UploadCertFile: filepath.Join(fr.Dir, "upload", "cert.pem"),
			ServerCAFile: filepath.Join(gwDir, gatewayserver.DemoServerCert), TrustAnchorFile: filepath.Join(gwDir, gatewayserver.DemoAnchorCert)},
	}
	path := filepath.Join(dir, "fr.json")
	if err := config.Write(path, cfg); err != nil {
		t.Fatal(err)
	}
	return path
}
