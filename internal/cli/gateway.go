package cli

import (
	"bytes"
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"dcc/internal/app"
	"dcc/internal/config"
	"dcc/internal/gatewayserver"
	"dcc/internal/gwsync"
	"dcc/keystore"
	"dcc/pki"
)

// gatewaySync synchronises a national deployment with its gateway once,
// now: what is due goes up, and everything comes down, is checked, stored
// and (by a running dcc serve within seconds) installed, or nothing is.
func (e *env) gatewaySync(args []string) int {
	fs := e.flags("gateway sync")
	cfgPath := fs.String("config", "", "the national deployment's configuration `FILE` (role all or registry), with its gateway section")
	uploadOnly := fs.Bool("upload-only", false, "only queue and send what is due (DSCs, revocations); download nothing")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	rest, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(rest) > 0 {
		return e.usageError("gateway sync", "takes no arguments, only flags")
	}
	if *cfgPath == "" {
		return e.usageError("gateway sync", "--config is required: the national deployment's configuration file")
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc gateway sync: %v\n", err)
		return exitUsage
	}
	if !cfg.Gateway.Enabled() {
		fmt.Fprintf(e.stderr, "dcc gateway sync: %s has no gateway section (gateway.url, keys and certificates): see docs/operations.md, \"The EU DCC Gateway\"\n", *cfgPath)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.Open(ctx, cfg, nil)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc gateway sync: %v\n", err)
		return exitInvalid
	}
	defer a.Close()
	sync := a.Gateway.Sync
	if *uploadOnly {
		sync = a.Gateway.Upload
	}
	rep, err := sync(ctx)
	if *asJSON {
		out := struct {
			*gwsync.Report
			UploadError   string `json:"uploadError,omitempty"`
			DownloadError string `json:"downloadError,omitempty"`
		}{Report: rep}
		if rep.UploadErr != nil {
			out.UploadError = rep.UploadErr.Error()
		}
		if rep.DownloadErr != nil {
			out.DownloadError = rep.DownloadErr.Error()
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		fmt.Fprintln(e.stdout, string(b))
	} else {
		fmt.Fprintf(e.stdout, "uploads: %d queued, %d sent, %d failed\n", rep.Queued, rep.Uploaded, rep.UploadsFailed)
		if !*uploadOnly && rep.DownloadErr == nil {
			fmt.Fprintf(e.stdout, "download %d: %d DSCs and %d CSCAs of other countries, %d value sets, %d rules, %d revocation batches new or changed, %d deleted\n",
				rep.Generation, rep.DSCs, rep.CSCAs, rep.ValueSets, rep.Rules, rep.Batches, rep.Deleted)
		}
		for _, r := range rep.Refused {
			fmt.Fprintf(e.stdout, "refused: %s\n", r)
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc gateway sync: %v\n", err)
		return exitInvalid
	}
	return exitOK
}

func (e *env) gatewayOnboard(args []string) int {
	fs := e.flags("gateway onboard")
	country := fs.String("country", "", "the country `CC`, 2 upper-case letters")
	auth := fs.String("auth", "", "PEM `FILE` of the country's AUTHENTICATION (TLS client) certificate(s)")
	upload := fs.String("upload", "", "PEM `FILE` of the country's UPLOAD certificate(s)")
	csca := fs.String("csca", "", "PEM `FILE` of the country's CSCA certificate(s)")
	roles := fs.String("roles", "", "revocation `ROLES` of the AUTHENTICATION certificate(s), comma-separated: REVOCATION_LIST_READER, REVOCATION_UPLOADER, REVOCATION_DELETER")
	taKey := fs.String("ta-key", "", "key `URI` of the trust anchor (file: or pkcs11:)")
	taCert := fs.String("ta-cert", "", "PEM `FILE` of the trust anchor's certificate")
	db := fs.String("db", "", "the gateway's database `DSN`: sqlite:PATH or postgres://…")
	rest, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(rest) > 0 {
		return e.usageError("gateway onboard", "takes no arguments, only flags")
	}
	for _, f := range []struct{ name, v string }{{"country", *country}, {"ta-key", *taKey}, {"ta-cert", *taCert}, {"db", *db}} {
		if f.v == "" {
			return e.usageError("gateway onboard", "--%s is required", f.name)
		}
	}
	if *auth == "" && *upload == "" && *csca == "" {
		return e.usageError("gateway onboard", "want --auth, --upload and --csca for a new country, or any of them to add certificates to an onboarded one")
	}
	o := gatewayserver.Onboarding{Country: *country}
	if *roles != "" {
		o.Roles = strings.Split(*roles, ",")
	}
	for _, f := range []struct {
		flag, path string
		into       *[]*x509.Certificate
	}{{"auth", *auth, &o.Authentication}, {"upload", *upload, &o.Upload}, {"csca", *csca, &o.CSCA}} {
		if f.path == "" {
			continue
		}
		certs, err := pki.ReadCertificates(f.path)
		if err != nil {
			fmt.Fprintf(e.stderr, "dcc gateway onboard: --%s %s: %v\n", f.flag, f.path, err)
			return exitInvalid
		}
		*f.into = certs
	}
	ta, err := loadAnchor(*taCert, *taKey)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc gateway onboard: %v\n", err)
		return exitInvalid
	}
	defer ta.Key.(keystore.Signer).Close()
	ctx := context.Background()
	s, err := gatewayserver.Open(ctx, *db)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc gateway onboard: --db: %v\n", err)
		return exitUsage
	}
	defer s.Close()
	if err := gatewayserver.Onboard(ctx, s, ta, o, time.Now()); err != nil {
		fmt.Fprintf(e.stderr, "dcc gateway onboard: %v\n", err)
		return exitInvalid
	}
	fmt.Fprintf(e.stdout, "onboarded %s: %s, %s, %s", o.Country, plural(len(o.Authentication), "AUTHENTICATION certificate"),
		plural(len(o.Upload), "UPLOAD certificate"), plural(len(o.CSCA), "CSCA certificate"))
	if len(o.Roles) > 0 {
		fmt.Fprintf(e.stdout, "; roles %s", strings.Join(o.Roles, ", "))
	}
	fmt.Fprintln(e.stdout)
	return exitOK
}

// loadAnchor reads the trust anchor's certificate and opens its key,
// which must be the certificate's.
func loadAnchor(certFile, keyURI string) (gatewayserver.Anchor, error) {
	certs, err := pki.ReadCertificates(certFile)
	if err != nil {
		return gatewayserver.Anchor{}, fmt.Errorf("trust anchor certificate %s: %w", certFile, err)
	}
	if len(certs) != 1 {
		return gatewayserver.Anchor{}, fmt.Errorf("trust anchor certificate %s: %d certificates, want 1", certFile, len(certs))
	}
	a := gatewayserver.Anchor{Cert: certs[0]}
	if keyURI == "" {
		return a, nil
	}
	key, err := keystore.Open(keyURI)
	if err != nil {
		return gatewayserver.Anchor{}, fmt.Errorf("trust anchor key %s: %w", keyURI, err)
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(certs[0].PublicKey) {
		key.Close()
		return gatewayserver.Anchor{}, fmt.Errorf("trust anchor key %s is not the key of %s", keyURI, certFile)
	}
	a.Key = key
	return a, nil
}

// gatewayConfig is the configuration file of dcc gateway serve. Paths are
// relative to the file's directory.
type gatewayConfig struct {
	Addr string `json:"addr"` // default 127.0.0.1:8090
	TLS  *struct {
		CertFile string `json:"certFile"`
		KeyFile  string `json:"keyFile"`
	} `json:"tls"` // may be left out only behind a trusted proxy
	TrustAnchor struct {
		CertFile string `json:"certFile"`
		KeyURI   string `json:"keyURI"` // optional: serving needs only the certificate
	} `json:"trustAnchor"`
	Database     string `json:"database"`
	TrustedProxy string `json:"trustedProxy"` // IP address whose X-SSL-Client-* headers are believed
	dir          string
}

func (c *gatewayConfig) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

func readGatewayConfig(file string) (*gatewayConfig, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	c := &gatewayConfig{dir: filepath.Dir(file)}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var problems []string
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8090"
	} else if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		problems = append(problems, fmt.Sprintf("addr: %q: want HOST:PORT", c.Addr))
	}
	if c.TLS == nil && c.TrustedProxy == "" {
		problems = append(problems, "tls: required unless trustedProxy names the TLS-terminating proxy")
	}
	if c.TLS != nil && (c.TLS.CertFile == "" || c.TLS.KeyFile == "") {
		problems = append(problems, "tls.certFile and tls.keyFile: both required")
	}
	if c.TrustAnchor.CertFile == "" {
		problems = append(problems, "trustAnchor.certFile: required")
	}
	if c.Database == "" {
		problems = append(problems, "database: required (sqlite:PATH or postgres://…)")
	} else if !strings.HasPrefix(c.Database, "sqlite:") && !strings.HasPrefix(c.Database, "postgres://") && !strings.HasPrefix(c.Database, "postgresql://") {
		problems = append(problems, fmt.Sprintf("database: %q: want sqlite:PATH or postgres://…", c.Database))
	}
	if c.TrustedProxy != "" && net.ParseIP(c.TrustedProxy) == nil {
		problems = append(problems, fmt.Sprintf("trustedProxy: %q: want an IP address", c.TrustedProxy))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s: %s", file, strings.Join(problems, "; "))
	}
	if strings.HasPrefix(c.Database, "sqlite:") {
		c.Database = "sqlite:" + c.path(strings.TrimPrefix(c.Database, "sqlite:"))
	}
	return c, nil
}

func (e *env) gatewayServe(args []string) int {
	fs := e.flags("gateway serve")
	cfgPath := fs.String("config", "", "configuration `FILE` (JSON: addr, tls, trustAnchor, database, trustedProxy)")
	data := fs.String("data", "dcc-gateway-data", "without --config: the demo gateway's `DIR`, created on first run")
	addr := fs.String("addr", "", "listen address `HOST:PORT`, overriding the configuration (default 127.0.0.1:8090)")
	rest, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(rest) > 0 {
		return e.usageError("gateway serve", "takes no arguments, only flags")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(e.stderr, nil))

	var (
		dsn, proxy string
		anchor     *x509.Certificate
		tc         *tls.Config
		demo       *gatewayserver.Demo
		fresh      bool
		listen     = "127.0.0.1:8090"
	)
	if *cfgPath != "" {
		c, err := readGatewayConfig(*cfgPath)
		if err != nil {
			fmt.Fprintf(e.stderr, "dcc gateway serve: %v\n", err)
			return exitUsage
		}
		a, err := loadAnchor(c.path(c.TrustAnchor.CertFile), c.TrustAnchor.KeyURI)
		if err != nil {
			fmt.Fprintf(e.stderr, "dcc gateway serve: trustAnchor: %v\n", err)
			return exitUsage
		}
		if a.Key != nil {
			a.Key.(keystore.Signer).Close()
		}
		if c.TLS != nil {
			if err := keystore.CheckPrivate(c.path(c.TLS.KeyFile)); err != nil {
				fmt.Fprintf(e.stderr, "dcc gateway serve: tls.keyFile: %v\n", err)
				return exitUsage
			}
			pair, err := tls.LoadX509KeyPair(c.path(c.TLS.CertFile), c.path(c.TLS.KeyFile))
			if err != nil {
				fmt.Fprintf(e.stderr, "dcc gateway serve: tls: %v\n", err)
				return exitUsage
			}
			tc = gatewayserver.ServerTLS(pair)
		}
		dsn, proxy, anchor, listen = c.Database, c.TrustedProxy, a.Cert, c.Addr
	} else {
		demo, fresh, err = gatewayserver.OpenDemo(ctx, *data, time.Now())
		if err != nil {
			fmt.Fprintf(e.stderr, "dcc gateway serve: demo gateway in %s: %v\n", *data, err)
			return exitUsage
		}
		dsn, anchor, tc = demo.DSN, demo.Anchor.Cert, gatewayserver.ServerTLS(demo.TLS)
	}
	if *addr != "" {
		listen = *addr
	}
	store, err := gatewayserver.Open(ctx, dsn)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc gateway serve: database: %v\n", err)
		return exitUsage
	}
	defer store.Close()
	h, err := gatewayserver.NewHandler(gatewayserver.Config{Store: store, Anchor: anchor, TrustedProxy: proxy, Log: log})
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc gateway serve: %v\n", err)
		return exitUsage
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc gateway serve: addr: %v\n", err)
		return exitUsage
	}
	srv := &http.Server{Handler: h, TLSConfig: tc, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	scheme := "https"
	if tc == nil {
		scheme = "http"
	}
	url := scheme + "://" + ln.Addr().String()
	fmt.Fprintf(e.stdout, "dcc gateway serve: gateway on %s\n", url)
	if demo != nil {
		e.gatewayBanner(demo, url, fresh)
	}
	// The reference gateway's daily clean-up (expired batches, purge after
	// 14 days), here hourly and at start.
	go func() {
		tick := time.NewTicker(time.Hour)
		defer tick.Stop()
		for {
			if exp, purged, err := store.CleanUp(ctx, time.Now()); err != nil {
				log.Error("gateway clean-up", "err", err)
			} else if exp+purged > 0 {
				log.Info("gateway clean-up", "expiredBatches", exp, "purged", purged)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	errc := make(chan error, 1)
	go func() {
		if tc != nil {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(e.stderr, "dcc gateway serve: %v\n", err)
			return exitInvalid
		}
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	return exitOK
}

// gatewayBanner tells a newcomer where the demo gateway's material is and
// how to call it, as the issuing demo's banner does.
func (e *env) gatewayBanner(d *gatewayserver.Demo, url string, fresh bool) {
	w := e.stdout
	p := func(parts ...string) string { return filepath.Join(append([]string{d.Dir}, parts...)...) }
	state := "reused"
	if fresh {
		state = "created"
	}
	fmt.Fprintf(w, "Demo gateway in %s, %s (DEMO MATERIAL: keys and certificates are for trying the gateway only).\n", d.Dir, state)
	fmt.Fprintf(w, "  trust anchor   %s (key %s)\n", p("ta", "cert.pem"), p("ta", "key.pem"))
	fmt.Fprintf(w, "  server TLS     %s\n", p("server", "cert.pem"))
	for _, c := range d.Countries {
		fmt.Fprintf(w, "  country %s     AUTHENTICATION %s, UPLOAD %s, CSCA %s (keys: key.pem beside each; roles: all revocation roles)\n",
			c.Code, p(c.Code, "auth", "cert.pem"), p(c.Code, "upload", "cert.pem"), p(c.Code, "csca", "cert.pem"))
	}
	es := d.Countries[0].Code
	fmt.Fprintf(w, "Try:\n  curl --cacert %s --cert %s --key %s %s/trustList\n\n",
		p("server", "cert.pem"), p(es, "auth", "cert.pem"), p(es, "auth", "key.pem"), url)
}
