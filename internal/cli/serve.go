package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"dcc/internal/app"
	"dcc/internal/certpdf"
	"dcc/internal/config"
	"dcc/internal/delivery"
	"dcc/internal/demo"
	"dcc/internal/server"
	"dcc/internal/web"
	"dcc/keystore"
	"dcc/registry"
)

// serve runs the issuing system. With no arguments it creates (first run)
// or reuses the demo country in ./dcc-data and serves everything on
// 127.0.0.1:8080; --role picks one part of the demo's split deployment;
// --config runs a configured deployment.
func (e *env) serve(args []string) int {
	fs := e.flags("serve")
	data := fs.String("data", "dcc-data", "`DIR` of the embedded demo deployment, created on the first run")
	cfgPath := fs.String("config", "", "configuration `FILE` of a deployment (see docs/operations.md)")
	role := fs.String("role", "", "`ROLE`: all (default), authority or registry")
	authority := fs.String("authority", "", "with --role authority on demo data: which authority `ID` (AN, MD, MS; default AN)")
	addr := fs.String("addr", "", "listen address `HOST:PORT`, overriding the configuration (default 127.0.0.1:8080)")
	registryURL := fs.String("registry", "", "with --role authority: the national registry's `URL`, overriding the configuration")
	logFormat := fs.String("log", "text", "log `FORMAT`: text or json")
	rest, err := e.parse(fs, args)
	if err != nil {
		return parseExit(err)
	}
	if len(rest) > 0 {
		return e.usageError("serve", "takes no arguments, only flags")
	}
	log := e.logger(*logFormat)
	cfg, fresh, err := e.serveConfig(*data, *cfgPath, *role, *authority)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc serve: %v\n", err)
		return exitUsage
	}
	if *addr != "" || *registryURL != "" {
		if *addr != "" {
			cfg.HTTP.Addr = *addr
		}
		if *registryURL != "" {
			cfg.Delivery.RegistryURL = *registryURL
		}
		if err := cfg.Validate(); err != nil {
			fmt.Fprintf(e.stderr, "dcc serve: %v\n", err)
			return exitUsage
		}
	}
	if gc := tuneGC(os.Getenv, cfg.Verifier.ImageMemoryBytes); gc != "" {
		log.Info("garbage collector", "settings", gc)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := e.run(ctx, cfg, fresh, *data, log); err != nil {
		fmt.Fprintf(e.stderr, "dcc serve: %v\n", err)
		return exitInvalid
	}
	return exitOK
}

func (e *env) logger(format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, nil))
	}
	return slog.New(slog.NewTextHandler(e.stderr, nil))
}

// gcPercent is the collector's target for a server whose operator did not
// set GOGC. Issuance keeps a small live heap (tens of MB) and allocates
// per request, so the default 100 collects several hundred times a second
// under load; 300 measured 5-15 % more requests per second for about 20 MB
// more (docs/benchmarks.md).
const gcPercent = 300

// gcHeadroom is the memory, over the photos' decoding budget, that the
// heap may take before the collector works harder whatever gcPercent says:
// the soft limit keeps the image bound of issue 9 while photos are decoded.
const gcHeadroom = 128 << 20

// tuneGC sets the collector's target and soft memory limit where the
// environment leaves them to the program, and says what it set.
func tuneGC(getenv func(string) string, imageBytes int64) string {
	var set []string
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
		set = append(set, fmt.Sprintf("GOGC=%d", gcPercent))
	}
	if getenv("GOMEMLIMIT") == "" {
		limit := imageBytes + gcHeadroom
		debug.SetMemoryLimit(limit)
		set = append(set, fmt.Sprintf("GOMEMLIMIT=%dMiB", limit>>20))
	}
	return strings.Join(set, " ")
}

// serveConfig finds the configuration: a file given, or the demo's in the
// data directory (created on first run; fresh reports that).
func (e *env) serveConfig(data, path, role, authority string) (cfg *config.Config, fresh bool, err error) {
	if path != "" {
		cfg, err := config.Load(path)
		if err != nil {
			return nil, false, err
		}
		if role != "" && role != cfg.Role {
			return nil, false, fmt.Errorf("--role %s contradicts role %q of %s", role, cfg.Role, path)
		}
		return cfg, false, nil
	}
	switch role {
	case "", config.RoleAll, config.RoleRegistry, config.RoleAuthority:
	default:
		return nil, false, fmt.Errorf("--role %q: want all, authority or registry", role)
	}
	if !demo.Exists(data) {
		// Every role of the demo shares one PKI: the first run creates it all.
		if _, err := demo.Create(data, time.Now()); err != nil {
			return nil, false, err
		}
		fresh = true
	}
	file := demo.ConfigFile
	switch role {
	case "", config.RoleAll:
	case config.RoleRegistry:
		file = demo.RegistryConfigFile
	case config.RoleAuthority:
		if authority == "" {
			authority = "AN"
		}
		file = demo.AuthorityConfigFile(authority)
		if _, err := os.Stat(filepath.Join(data, file)); err != nil {
			return nil, false, fmt.Errorf("--authority %s: the demo has no such authority (AN, MD, MS)", authority)
		}
	}
	cfg, err = config.Load(filepath.Join(data, file))
	return cfg, fresh, err
}

func (e *env) run(ctx context.Context, cfg *config.Config, fresh bool, data string, log *slog.Logger) error {
	a, err := app.Open(ctx, cfg, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	pdf, err := certpdf.New(a.ValueSets)
	if err != nil {
		return err
	}
	metricsToken, err := cfg.MetricsToken()
	if err != nil {
		return err
	}
	sc := server.Config{
		Deployment: a.Deployment, Issuance: a.Issuance, Records: a.Records, PDF: pdf, Demo: cfg.Demo,
		MaxBodyBytes: cfg.HTTP.MaxBodyBytes, RatePerSecond: cfg.HTTP.RatePerSecond, Burst: cfg.HTTP.Burst, Log: log,
		Role: cfg.Role, Audit: a.Store, TrustedProxies: cfg.HTTP.Proxies(),
		Metrics: a.Metrics, MetricsToken: metricsToken,
		MaxImageBytes: cfg.Verifier.MaxImageBytes, MaxImagePixels: cfg.Verifier.MaxImagePixels,
		ImageDecodes: cfg.Verifier.ImageDecodes, ImageMemory: cfg.Verifier.ImageMemoryBytes,
		ImageWait: time.Duration(cfg.Verifier.ImageWait),
	}
	if cfg.Role == config.RoleAuthority {
		sc.Outbox = a.Store
		a.Metrics.Gauge("dcc_outbox_pending", "Records not yet confirmed by the national registry.", func() float64 {
			n, err := a.Store.OutboxPending(context.Background()) // -1: could not be read
			if err != nil {
				return -1
			}
			return float64(n)
		})
		a.Metrics.Gauge("dcc_outbox_parked", "Records the national registry refused, waiting for an operator (GET /api/v1/outbox).", func() float64 {
			n, err := a.Store.OutboxParked(context.Background())
			if err != nil {
				return -1
			}
			return float64(n)
		})
	} else {
		sc.Revoked = a.Store
	}
	if a.TrustList != nil {
		sc.TrustList = a.TrustList
	}
	if a.Verification != nil {
		sc.Verifier = a.Verification
	}
	if a.Gateway != nil {
		sc.Gateway = a.Gateway
		sc.OtherRevocations = a.Verification.OtherRevocations
	}
	if cfg.Role == config.RoleRegistry {
		sc.Registry = a.Store
		sc.DeliveryAuthorities = cfg.Registry.Authorities
	}
	var worker *delivery.Worker
	if cfg.Role == config.RoleAuthority {
		client, err := delivery.Client(cfg.Path(cfg.Delivery.CAFile), cfg.Path(cfg.Delivery.CertFile), cfg.Path(cfg.Delivery.KeyFile))
		if err != nil {
			return err
		}
		worker, err = delivery.NewWorker(delivery.Config{
			Outbox: a.Store, Revocations: a.Store, RegistryURL: cfg.Delivery.RegistryURL, Client: client, Observer: a.Metrics,
			Interval: time.Duration(cfg.Delivery.Interval), Batch: cfg.Delivery.Batch, BatchBytes: cfg.Delivery.BatchBytes, Log: log,
			Backoff: registry.BackoffSchedule(time.Duration(cfg.Delivery.RetryBase), time.Duration(cfg.Delivery.RetryMax)),
		})
		if err != nil {
			return err
		}
		sc.Delivery, sc.OutboxAuthority = worker, cfg.Authority
		a.Metrics.Gauge("dcc_registry_reachable", "1 while the national registry takes deliveries, 0 while it cannot be reached.", func() float64 {
			if worker.Status().Reachable {
				return 1
			}
			return 0
		})
	}
	api := server.New(sc)
	mux := http.NewServeMux()
	api.Routes(mux)
	pol := cfg.DosePolicy()
	ui, err := web.New(web.Config{
		DosePolicy: &pol,
		API:        api, Deployment: a.Deployment, Issuance: a.Issuance, Records: a.Records, ValueSets: a.ValueSets,
		Store: a.Store, SessionTTL: time.Duration(cfg.HTTP.SessionTTL), SecureCookies: cfg.HTTP.TLS.CertFile != "" || len(cfg.HTTP.TrustedProxies) > 0,
		Demo: cfg.Demo, Log: log, Verifier: sc.Verifier, // nil unless a.Verification is set
		Gateway: gatewayStatus(a),
	})
	if err != nil {
		return err
	}
	ui.Routes(mux)

	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           api.Wrap(mux),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if cfg.HTTP.TLS.CertFile != "" {
		tc, err := serverTLS(cfg)
		if err != nil {
			ln.Close()
			return err
		}
		srv.TLSConfig = tc
		ln = tls.NewListener(ln, tc)
		scheme = "https"
	}

	if worker != nil {
		go worker.Run(ctx)
	}
	if a.Gateway != nil {
		a.Gateway.SetLog(log)
		// The last download stored is in use before the first request.
		if err := a.Gateway.Load(ctx); err != nil {
			log.Error("gateway: stored download not installed", "err", err)
		}
		go a.Gateway.Run(ctx)
	}

	url := scheme + "://" + ln.Addr().String()
	e.banner(cfg, url, fresh, data)
	if a.Verification != nil {
		fmt.Fprintf(e.stdout, "Verifier: %s/verify · national trust list: %s/api/v1/trustlist · revocations: %s/api/v1/revocations\n", url, url, url)
	}
	log.Info("serving", "role", cfg.Role, "addr", ln.Addr().String(), "tls", scheme == "https")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	go api.FlushAuditEvery(ctx)
	// Failed sign-ins counted and not yet audited are written before the
	// store closes.
	defer api.FlushAudit(context.Background())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// gatewayStatus is the syncer, or a nil interface when there is none.
func gatewayStatus(a *app.App) web.GatewayStatus {
	if a.Gateway == nil {
		return nil
	}
	return a.Gateway
}

func serverTLS(cfg *config.Config) (*tls.Config, error) {
	if err := keystore.CheckPrivate(cfg.Path(cfg.HTTP.TLS.KeyFile)); err != nil {
		return nil, fmt.Errorf("http.tls.keyFile: %w", err)
	}
	cert, err := tls.LoadX509KeyPair(cfg.Path(cfg.HTTP.TLS.CertFile), cfg.Path(cfg.HTTP.TLS.KeyFile))
	if err != nil {
		return nil, fmt.Errorf("http.tls: %w", err)
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if f := cfg.HTTP.TLS.ClientCAFile; f != "" {
		pem, err := os.ReadFile(cfg.Path(f))
		if err != nil {
			return nil, fmt.Errorf("http.tls.clientCAFile: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("http.tls.clientCAFile: no PEM certificate in %s", f)
		}
		// Operators use bearer tokens; authorities delivering records present
		// certificates, which the delivery endpoint requires.
		tc.ClientCAs, tc.ClientAuth = pool, tls.VerifyClientCertIfGiven
	}
	return tc, nil
}

// banner tells a newcomer where the system is and, on the demo's first run
// only, the demo credentials.
func (e *env) banner(cfg *config.Config, url string, fresh bool, data string) {
	w := e.stdout
	fmt.Fprintf(w, "dcc serve: %s on %s\n", roleTitle(cfg), url)
	if !cfg.Demo {
		return
	}
	fmt.Fprintf(w, "Demo deployment in %s (DEMO MATERIAL: keys, certificates and tokens are for trying the system only).\n", data)
	if !fresh {
		fmt.Fprintf(w, "Demo credentials: %s\n", filepath.Join(data, demo.CredentialsFile))
		return
	}
	creds, err := demo.ReadCredentials(data)
	if err != nil {
		fmt.Fprintf(e.stderr, "dcc serve: %v\n", err)
		return
	}
	fmt.Fprintf(w, "\nDEMO credentials (shown once; also in %s, mode 0600):\n", filepath.Join(data, demo.CredentialsFile))
	for _, a := range creds.Authorities {
		fmt.Fprintf(w, "  authority %-4s %-36s types %-6s token %s\n", a.ID, a.Name, strings.Join(a.Types, ","), a.Token)
	}
	for _, l := range creds.Labs {
		fmt.Fprintf(w, "  lab       %-9s %-31s of %-3s      token %s\n", l.ID, l.Name, l.Authority, l.Token)
	}
	for _, o := range creds.Operators {
		fmt.Fprintf(w, "  operator  %-36s              token %s\n", o.ID, o.Token)
	}
	fmt.Fprintln(w)
}

func roleTitle(cfg *config.Config) string {
	switch cfg.Role {
	case config.RoleAuthority:
		return "issuing authority " + cfg.Authority
	case config.RoleRegistry:
		return "national registry"
	}
	return "issuing system and national registry"
}
