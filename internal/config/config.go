package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"dcc"
	"dcc/doses"
	"dcc/internal/deployment"
	"dcc/qr"
)

// Roles of a process.
const (
	RoleAll       = "all"       // every authority and the national registry in one process
	RoleAuthority = "authority" // one issuing authority with its own store and outbox
	RoleRegistry  = "registry"  // the national registry
)

// Config is the whole file.
type Config struct {
	// Country is the ISO 3166-1 alpha-2 code of the deployment ("ES").
	Country string `json:"country"`
	// Role of this process: "all" (default), "authority" or "registry".
	Role string `json:"role,omitempty"`
	// Authority is, for role "authority", the id of the authority this
	// process is.
	Authority string `json:"authority,omitempty"`
	// Demo marks a configuration generated as demo material.
	Demo bool `json:"demo,omitempty"`

	HTTP  HTTP  `json:"http"`
	Store Store `json:"store"`
	// CSCAFiles are the country's CSCA certificates (PEM), for checking the
	// DSCs at start-up.
	CSCAFiles   []string    `json:"cscaFiles,omitempty"`
	Authorities []Authority `json:"authorities"`
	Labs        []Lab       `json:"labs,omitempty"`
	Operators   []Operator  `json:"operators,omitempty"`
	Validity    Validity    `json:"validity"`
	Doses       Doses       `json:"doses"`
	// Delivery is, for role "authority", how records reach the registry.
	Delivery Delivery `json:"delivery"`
	// Registry is, for role "registry", whom it takes deliveries from.
	Registry Registry `json:"registry"`
	// TrustList, for roles all and registry, publishes the national trust
	// list at /api/v1/trustlist.
	TrustList TrustList `json:"trustList"`
	// Verifier configures the national verification service (roles all
	// and registry, with a trust list).
	Verifier Verifier `json:"verifier"`
	// Validation is how payloads are judged, on issuance and verification.
	Validation Validation `json:"validation"`
	// Gateway, for roles all and registry, synchronises with the EU DCC
	// Gateway; off unless its url is set.
	Gateway Gateway `json:"gateway"`

	dir string // the file's directory, for relative paths
}

// HTTP is the listener.
type HTTP struct {
	Addr string `json:"addr,omitempty"` // default 127.0.0.1:8080
	TLS  TLS    `json:"tls"`
	// MaxBodyBytes bounds request bodies (413 beyond); default 64 KiB.
	MaxBodyBytes int64 `json:"maxBodyBytes,omitempty"`
	// RatePerSecond and Burst limit each credential (429 beyond); defaults
	// 100 and 200.
	RatePerSecond float64 `json:"ratePerSecond,omitempty"`
	Burst         int     `json:"burst,omitempty"`
	// SessionTTL is how long a web sign-in lasts; default "8h".
	SessionTTL Duration `json:"sessionTTL,omitempty"`
	// TrustedProxies are the reverse proxies (IP addresses or CIDR
	// prefixes) whose X-Forwarded-For names the client: rate limits and
	// sign-in audits then see the client's address, not the proxy's. They
	// serve HTTPS to clients, so sign-in cookies are marked Secure. Empty:
	// X-Forwarded-For is ignored.
	TrustedProxies []string `json:"trustedProxies,omitempty"`
	// MetricsTokenFile holds the bearer token GET /metrics requires; without
	// it, /metrics answers clients on this host (loopback) only.
	MetricsTokenFile string `json:"metricsTokenFile,omitempty"`
}

// Proxies returns TrustedProxies as prefixes (an address is a /32 or /128);
// entries that do not parse were refused by Validate.
func (h HTTP) Proxies() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range h.TrustedProxies {
		if p, err := parseProxy(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

func parseProxy(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// TLS of the listener. Without CertFile the server speaks plain HTTP, which
// is refused on any address but loopback.
type TLS struct {
	CertFile string `json:"certFile,omitempty"`
	KeyFile  string `json:"keyFile,omitempty"`
	// ClientCAFile, for role "registry", verifies the client certificates of
	// issuing authorities delivering records (mutual TLS).
	ClientCAFile string `json:"clientCAFile,omitempty"`
}

// Store is the database.
type Store struct {
	// DSN is "sqlite:PATH" or "postgres://…"; default sqlite:dcc.db. A
	// password belongs in DSNFile (or PGPASSFILE), not here.
	DSN     string `json:"dsn,omitempty"`
	DSNFile string `json:"dsnFile,omitempty"`
	// PayloadKeyDir holds the AES-256 keys sealing payloads at rest
	// (<id>.key, mode 0600); default "payload-keys".
	PayloadKeyDir string `json:"payloadKeyDir,omitempty"`
}

// Authority is an issuing authority.
type Authority struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	UVCIPrefix string   `json:"uvciPrefix"`
	Types      []string `json:"types"` // "v", "t", "r"
	DSCs       []DSC    `json:"dscs,omitempty"`
	TokenFile  string   `json:"tokenFile,omitempty"`
}

// DSC is one document signer of an authority.
type DSC struct {
	Key      string `json:"key,omitempty"` // key URI: file:… or pkcs11:…; only where the authority issues
	CertFile string `json:"certFile"`      // PEM
}

// Lab is a laboratory.
type Lab struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Authority string `json:"authority"`
	TokenFile string `json:"tokenFile,omitempty"`
}

// Operator is a registry operator.
type Operator struct {
	ID        string `json:"id"`
	Name      string `json:"name,omitempty"`
	TokenFile string `json:"tokenFile,omitempty"`
}

// Validity of certificates by type; defaults 365d, 72h, 180d.
type Validity struct {
	Vaccination Duration `json:"vaccination,omitempty"`
	Test        Duration `json:"test,omitempty"`
	Recovery    Duration `json:"recovery,omitempty"`
}

// Doses is the national dose-numbering policy (Annex II §5).
type Doses struct {
	// CourseLength overrides the primary course length per product;
	// products not listed use DefaultCourse (default 2) — except the
	// single-dose products the embedded policy knows.
	CourseLength   map[string]int `json:"courseLength,omitempty"`
	DefaultCourse  int            `json:"defaultCourse,omitempty"`
	AutoAdditional *bool          `json:"autoAdditional,omitempty"`
}

// Delivery sends an authority's records to the national registry.
type Delivery struct {
	RegistryURL string `json:"registryURL,omitempty"` // https://registry.example:8443
	// CAFile verifies the registry's server certificate; CertFile and
	// KeyFile are this authority's client certificate (mutual TLS).
	CAFile   string   `json:"caFile,omitempty"`
	CertFile string   `json:"certFile,omitempty"`
	KeyFile  string   `json:"keyFile,omitempty"`
	Interval Duration `json:"interval,omitempty"` // how often the outbox is polled; default 2s
	Batch    int      `json:"batch,omitempty"`    // records per request; default 100
	// BatchBytes caps a request's body; default and most what the registry
	// takes (delivery.MaxBatchBytes, 4 MiB).
	BatchBytes int `json:"batchBytes,omitempty"`
	// RetryBase and RetryMax shape the wait after the registry could not be
	// reached: RetryBase doubling per failure up to RetryMax, jittered;
	// defaults 1s and 5s, so that a registry back from an outage gets the
	// backlog within seconds (a probe is one request, whatever the backlog).
	RetryBase Duration `json:"retryBase,omitempty"`
	RetryMax  Duration `json:"retryMax,omitempty"`
}

// Registry takes deliveries.
type Registry struct {
	// Authorities that may deliver: a client certificate whose common name
	// is the authority id, issued by http.tls.clientCAFile. When empty,
	// every authority of the file may deliver.
	Authorities []string `json:"authorities,omitempty"`
}

// TrustList is the publication of the national trust list: the DSCs of
// every authority of the file (their certFiles) and the CSCAs, plus the
// certificates of other countries imported, signed by the trust-list key.
type TrustList struct {
	SignerKey      string   `json:"signerKey,omitempty"`      // key URI
	SignerCertFile string   `json:"signerCertFile,omitempty"` // its certificate, chained to a CSCA
	ImportFiles    []string `json:"importFiles,omitempty"`    // PEM/DER files or directories, or gateway trust-list JSON
	// GatewayAnchorFiles are the EU DCC Gateway's trust anchor
	// certificates (PEM/DER): when set, every gateway trust-list JSON among
	// ImportFiles must carry their CMS signature on each entry.
	GatewayAnchorFiles []string `json:"gatewayAnchorFiles,omitempty"`
	Validity           Duration `json:"validity,omitempty"` // how long a copy may be used; default 48h
}

// Verifier is the national verification service.
type Verifier struct {
	// RulesFiles are business rules (files of one rule or an array, or
	// directories of them), as distributed by the EU DCC Gateway.
	RulesFiles []string `json:"rulesFiles,omitempty"`
	// The bounds on photos of QR codes (POST /api/v1/verify and the page
	// /verify), which anyone may send. MaxImageBytes and MaxImagePixels
	// per photo (413 beyond); defaults 10 MiB and 16,000,000.
	MaxImageBytes  int64 `json:"maxImageBytes,omitempty"`
	MaxImagePixels int64 `json:"maxImagePixels,omitempty"`
	// ImageDecodes is how many photos are decoded at once; 0 (the
	// default): one per core.
	ImageDecodes int `json:"imageDecodes,omitempty"`
	// ImageMemoryBytes bounds the memory of the photos being decoded
	// together, as estimated from their headers; default 256 MiB.
	ImageMemoryBytes int64 `json:"imageMemoryBytes,omitempty"`
	// ImageWait is how long a photo waits for its turn before 429; default
	// 2s.
	ImageWait Duration `json:"imageWait,omitempty"`
}

// Gateway is the national synchronisation with the EU DCC Gateway
// (docs/operations.md, "The EU DCC Gateway"): the authorities' DSCs and the
// registry's revocations go up, the other countries' DSCs, the value sets,
// the business rules and the revocations come down.
type Gateway struct {
	// URL is the gateway's base URL (https://…). Empty: no synchronisation.
	URL string `json:"url,omitempty"`
	// AuthKey and AuthCertFile are the country's AUTHENTICATION (NB_TLS)
	// key URI and certificate (PEM): the TLS client certificate.
	AuthKey      string `json:"authKey,omitempty"`
	AuthCertFile string `json:"authCertFile,omitempty"`
	// UploadKey and UploadCertFile are the UPLOAD (NB_UP) key URI and
	// certificate that sign every upload. Without them nothing is uploaded.
	UploadKey      string `json:"uploadKey,omitempty"`
	UploadCertFile string `json:"uploadCertFile,omitempty"`
	// ServerCAFile verifies the gateway's TLS server certificate; empty:
	// the system's roots.
	ServerCAFile string `json:"serverCAFile,omitempty"`
	// TrustAnchorFile is the gateway operator's trust-anchor certificate
	// (DCCG_TA), which vouches for every country's certificates.
	TrustAnchorFile string `json:"trustAnchorFile,omitempty"`
	// Interval is how often a full synchronisation runs; default 1h.
	Interval Duration `json:"interval,omitempty"`
	// Timeout bounds each request to the gateway; default 30s.
	Timeout Duration `json:"timeout,omitempty"`
	// RetryBase and RetryMax shape the wait before an upload is retried
	// after a failure: RetryBase doubling up to RetryMax, jittered;
	// defaults 30s and 1h.
	RetryBase Duration `json:"retryBase,omitempty"`
	RetryMax  Duration `json:"retryMax,omitempty"`
}

// Enabled reports whether the synchronisation is configured.
func (g Gateway) Enabled() bool { return g.URL != "" }

// Validation of payloads.
type Validation struct {
	// ClockSkew is how far ahead of this host's clock an event (a sample
	// time, a vaccination date) may lie before it is refused as in the
	// future; default 5m, at most 1h.
	ClockSkew Duration `json:"clockSkew,omitempty"`
}

// Duration is a time.Duration written as "72h", "90m" or "365d".
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) {
	td := time.Duration(d)
	if td%(24*time.Hour) == 0 && td != 0 {
		return json.Marshal(strconv.FormatInt(int64(td/(24*time.Hour)), 10) + "d")
	}
	return json.Marshal(td.String())
}

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New(`want a duration string such as "72h" or "365d"`)
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// ParseDuration reads Go durations and whole days ("365d").
func ParseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 36500 {
			return 0, fmt.Errorf("%q: want a number of days such as 365d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q: want a duration such as 72h or 365d", s)
	}
	return d, nil
}

// Defaults.
const (
	DefaultAddr          = "127.0.0.1:8080"
	DefaultMaxBodyBytes  = 64 << 10
	DefaultRatePerSecond = 100
	DefaultBurst         = 200
	DefaultSessionTTL    = 8 * time.Hour
	DefaultDSN           = "sqlite:dcc.db"
	DefaultPayloadKeyDir = "payload-keys"
	DefaultDeliveryEvery = 2 * time.Second
	DefaultDeliveryBatch = 100
	MaxFileSize          = 1 << 20
	// The verifier's bounds on photos; the upper limits are the decoder's
	// own (qr.MaxImageBytes, qr.MaxImagePixels).
	DefaultMaxImageBytes    = 10 << 20
	DefaultMaxImagePixels   = 16_000_000
	DefaultImageMemoryBytes = 256 << 20
	DefaultImageWait        = 2 * time.Second
	DefaultGatewayInterval  = time.Hour
	DefaultGatewayTimeout   = 30 * time.Second
)

// Load reads, decodes strictly, defaults and validates a configuration
// file. The error lists every problem.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("config: %s: larger than 1 MiB", path)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c.dir = abs
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes a configuration strictly and applies the defaults; it does
// not validate (Load does).
func Parse(data []byte) (*Config, error) {
	// The project's strict JSON reader refuses duplicate keys, which
	// encoding/json silently merges.
	if _, err := dcc.DecodeJSON(data); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, err
	}
	c.applyDefaults()
	return &c, nil
}

func (c *Config) applyDefaults() {
	if c.Role == "" {
		c.Role = RoleAll
	}
	h := &c.HTTP
	if h.Addr == "" {
		h.Addr = DefaultAddr
	}
	if h.MaxBodyBytes == 0 {
		h.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if h.RatePerSecond == 0 {
		h.RatePerSecond = DefaultRatePerSecond
	}
	if h.Burst == 0 {
		h.Burst = DefaultBurst
	}
	if h.SessionTTL == 0 {
		h.SessionTTL = Duration(DefaultSessionTTL)
	}
	if c.Store.DSN == "" && c.Store.DSNFile == "" {
		c.Store.DSN = DefaultDSN
	}
	if c.Store.PayloadKeyDir == "" {
		c.Store.PayloadKeyDir = DefaultPayloadKeyDir
	}
	v := &c.Validity
	if v.Vaccination == 0 {
		v.Vaccination = Duration(365 * 24 * time.Hour)
	}
	if v.Test == 0 {
		v.Test = Duration(72 * time.Hour)
	}
	if v.Recovery == 0 {
		v.Recovery = Duration(180 * 24 * time.Hour)
	}
	if c.Delivery.Interval == 0 {
		c.Delivery.Interval = Duration(DefaultDeliveryEvery)
	}
	if c.Delivery.Batch == 0 {
		c.Delivery.Batch = DefaultDeliveryBatch
	}
	if c.TrustList.Validity == 0 {
		c.TrustList.Validity = Duration(48 * time.Hour)
	}
	if c.Delivery.RetryBase == 0 {
		c.Delivery.RetryBase = Duration(time.Second)
	}
	if c.Validation.ClockSkew == 0 {
		c.Validation.ClockSkew = Duration(dcc.DefaultClockSkew)
	}
	if c.Delivery.RetryMax == 0 {
		c.Delivery.RetryMax = Duration(5 * time.Second)
	}
	if g := &c.Gateway; g.Enabled() {
		if g.Interval == 0 {
			g.Interval = Duration(DefaultGatewayInterval)
		}
		if g.Timeout == 0 {
			g.Timeout = Duration(DefaultGatewayTimeout)
		}
		if g.RetryBase == 0 {
			g.RetryBase = Duration(30 * time.Second)
		}
		if g.RetryMax == 0 {
			g.RetryMax = Duration(time.Hour)
		}
	}
	vf := &c.Verifier
	if vf.MaxImageBytes == 0 {
		vf.MaxImageBytes = DefaultMaxImageBytes
	}
	if vf.MaxImagePixels == 0 {
		vf.MaxImagePixels = DefaultMaxImagePixels
	}
	if vf.ImageMemoryBytes == 0 {
		vf.ImageMemoryBytes = DefaultImageMemoryBytes
	}
	if vf.ImageWait == 0 {
		vf.ImageWait = Duration(DefaultImageWait)
	}
}

// SetDir sets the directory relative paths are resolved against (Load sets
// it to the file's).
func (c *Config) SetDir(dir string) { c.dir = dir }

// Path resolves a path of the file.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

// Validate checks the whole configuration and reports every problem with
// its path.
func (c *Config) Validate() error {
	var errs []error
	bad := func(path, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, a...)))
	}
	switch c.Role {
	case RoleAll, RoleRegistry:
		if c.Authority != "" {
			bad("authority", "only for role %q", RoleAuthority)
		}
	case RoleAuthority:
		if c.Authority == "" {
			bad("authority", "required for role %q: the id of the authority this process is", RoleAuthority)
		}
	default:
		bad("role", "%q: want %q, %q or %q", c.Role, RoleAll, RoleAuthority, RoleRegistry)
	}
	host, _, err := net.SplitHostPort(c.HTTP.Addr)
	if err != nil {
		bad("http.addr", "%q: want host:port, e.g. 127.0.0.1:8080", c.HTTP.Addr)
	} else if c.HTTP.TLS.CertFile == "" && !isLoopback(host) {
		bad("http.addr", "%q is not a loopback address: set http.tls.certFile and keyFile (credentials and personal data must not cross a network in clear)", c.HTTP.Addr)
	}
	if (c.HTTP.TLS.CertFile == "") != (c.HTTP.TLS.KeyFile == "") {
		bad("http.tls", "set both certFile and keyFile, or neither")
	}
	if c.HTTP.TLS.ClientCAFile != "" && c.HTTP.TLS.CertFile == "" {
		bad("http.tls.clientCAFile", "needs TLS: set certFile and keyFile")
	}
	if c.HTTP.MaxBodyBytes < 1024 || c.HTTP.MaxBodyBytes > 16<<20 {
		bad("http.maxBodyBytes", "%d: want 1024 to 16777216", c.HTTP.MaxBodyBytes)
	}
	if c.HTTP.RatePerSecond < 0 || c.HTTP.Burst < 1 {
		bad("http", "ratePerSecond must be positive and burst at least 1")
	}
	for i, s := range c.HTTP.TrustedProxies {
		if _, err := parseProxy(s); err != nil {
			bad(fmt.Sprintf("http.trustedProxies[%d]", i), "%q: want an IP address or a CIDR prefix, e.g. 10.0.0.0/8", s)
		}
	}
	if time.Duration(c.HTTP.SessionTTL) < time.Minute {
		bad("http.sessionTTL", "at least 1m")
	}
	if c.Store.DSN != "" && c.Store.DSNFile != "" {
		bad("store", "set dsn or dsnFile, not both")
	}
	if c.Store.DSN != "" && !strings.HasPrefix(c.Store.DSN, "sqlite:") && !strings.HasPrefix(c.Store.DSN, "postgres://") && !strings.HasPrefix(c.Store.DSN, "postgresql://") {
		bad("store.dsn", "want sqlite:PATH or postgres://…")
	}
	if strings.Contains(c.Store.DSN, "password=") || hasURLPassword(c.Store.DSN) {
		bad("store.dsn", "holds a password: put the DSN in a file named by store.dsnFile (mode 0600), or use PGPASSFILE")
	}
	ids := map[string]bool{}
	for i, a := range c.Authorities {
		p := fmt.Sprintf("authorities[%d]", i)
		ids[a.ID] = true
		for j, t := range a.Types {
			if _, ok := deployment.ParseType(t); !ok {
				bad(fmt.Sprintf("%s.types[%d]", p, j), "%q: want v, t or r", t)
			}
		}
		signs := c.Role == RoleAll || (c.Role == RoleAuthority && a.ID == c.Authority)
		if signs && len(a.DSCs) == 0 {
			bad(p+".dscs", "authority %q issues here but has no DSC: add {\"key\": URI, \"certFile\": PEM}", a.ID)
		}
		for j, d := range a.DSCs {
			if d.CertFile == "" || (signs && d.Key == "") {
				bad(fmt.Sprintf("%s.dscs[%d]", p, j), "certFile is required, and key where the authority issues")
			}
		}
	}
	if c.Role == RoleAuthority && c.Authority != "" && !ids[c.Authority] {
		bad("authority", "%q is not among authorities", c.Authority)
	}
	if len(c.Authorities) == 0 {
		bad("authorities", "at least one issuing authority is required")
	}
	for _, v := range []struct {
		path string
		d    Duration
	}{{"validity.vaccination", c.Validity.Vaccination}, {"validity.test", c.Validity.Test}, {"validity.recovery", c.Validity.Recovery}} {
		if time.Duration(v.d) < time.Hour {
			bad(v.path, "at least 1h")
		}
	}
	if c.Role == RoleAuthority {
		d := c.Delivery
		switch {
		case d.RegistryURL == "":
			bad("delivery.registryURL", "required for role %q: where the national registry takes records", RoleAuthority)
		case !strings.HasPrefix(d.RegistryURL, "https://"):
			bad("delivery.registryURL", "must be https:// (records carry personal data)")
		}
		if d.CertFile == "" || d.KeyFile == "" {
			bad("delivery", "certFile and keyFile (this authority's client certificate) are required for mutual TLS")
		}
	}
	if time.Duration(c.Delivery.Interval) < 100*time.Millisecond {
		bad("delivery.interval", "at least 100ms")
	}
	if time.Duration(c.Delivery.RetryBase) < 100*time.Millisecond || c.Delivery.RetryMax < c.Delivery.RetryBase {
		bad("delivery", "retryBase must be at least 100ms and retryMax at least retryBase")
	}
	if c.Delivery.Batch < 1 || c.Delivery.Batch > 1000 {
		bad("delivery.batch", "%d: want 1 to 1000", c.Delivery.Batch)
	}
	// The upper bound is the registry's (delivery.MaxBatchBytes), checked
	// where the worker is built.
	if c.Delivery.BatchBytes < 0 {
		bad("delivery.batchBytes", "%d: want a positive number of bytes, or 0 for the registry's limit", c.Delivery.BatchBytes)
	}
	if c.Role == RoleRegistry {
		if c.HTTP.TLS.ClientCAFile == "" {
			bad("http.tls.clientCAFile", "required for role %q: it verifies the authorities delivering records", RoleRegistry)
		}
		for i, id := range c.Registry.Authorities {
			if !ids[id] {
				bad(fmt.Sprintf("registry.authorities[%d]", i), "%q is not among authorities", id)
			}
		}
	}
	if tl := c.TrustList; tl.SignerKey != "" || tl.SignerCertFile != "" || len(tl.ImportFiles) > 0 || len(tl.GatewayAnchorFiles) > 0 {
		if tl.SignerKey == "" || tl.SignerCertFile == "" {
			bad("trustList", "signerKey and signerCertFile are both required to publish the trust list")
		}
		if c.Role == RoleAuthority {
			bad("trustList", "the national trust list is published by roles %q and %q, not by an authority", RoleAll, RoleRegistry)
		}
		if time.Duration(tl.Validity) < time.Hour {
			bad("trustList.validity", "at least 1h")
		}
	}
	if len(c.Verifier.RulesFiles) > 0 && c.TrustList.SignerKey == "" {
		bad("verifier.rulesFiles", "the verification service runs with the published trust list: configure trustList too")
	}
	{
		vf := c.Verifier
		if vf.MaxImageBytes < 64<<10 || vf.MaxImageBytes > qr.MaxImageBytes {
			bad("verifier.maxImageBytes", "%d: want 65536 to %d", vf.MaxImageBytes, qr.MaxImageBytes)
		}
		if vf.MaxImagePixels < 1_000_000 || vf.MaxImagePixels > qr.MaxImagePixels {
			bad("verifier.maxImagePixels", "%d: want 1000000 to %d", vf.MaxImagePixels, qr.MaxImagePixels)
		}
		if vf.ImageDecodes < 0 || vf.ImageDecodes > 1024 {
			bad("verifier.imageDecodes", "%d: want 1 to 1024, or 0 for one per core", vf.ImageDecodes)
		}
		if vf.ImageMemoryBytes < 32<<20 {
			bad("verifier.imageMemoryBytes", "%d: want at least 33554432 (32 MiB)", vf.ImageMemoryBytes)
		}
		if w := time.Duration(vf.ImageWait); w < 10*time.Millisecond || w > time.Minute {
			bad("verifier.imageWait", "%s: want 10ms to 1m", w)
		}
	}
	if g := c.Gateway; g.Enabled() || g.AuthKey != "" || g.AuthCertFile != "" || g.UploadKey != "" || g.TrustAnchorFile != "" {
		switch {
		case g.URL == "":
			bad("gateway.url", "required with the other gateway settings: the gateway's base URL, https://…")
		case !strings.HasPrefix(g.URL, "https://"):
			bad("gateway.url", "%q: must be https:// (the gateway takes mutual TLS only)", g.URL)
		}
		if c.Role == RoleAuthority {
			bad("gateway", "the national backend (roles %q and %q) synchronises with the gateway, not an authority", RoleAll, RoleRegistry)
		}
		if c.TrustList.SignerKey == "" {
			bad("gateway", "the downloaded certificates are published in the national trust list: configure trustList too")
		}
		if g.AuthKey == "" || g.AuthCertFile == "" {
			bad("gateway", "authKey and authCertFile (the AUTHENTICATION certificate, TLS client) are required")
		}
		if (g.UploadKey == "") != (g.UploadCertFile == "") {
			bad("gateway", "set both uploadKey and uploadCertFile, or neither (download only)")
		}
		if g.TrustAnchorFile == "" {
			bad("gateway.trustAnchorFile", "required: the gateway operator's trust anchor (DCCG_TA) vouches for every downloaded certificate")
		}
		if time.Duration(g.Interval) < time.Minute {
			bad("gateway.interval", "at least 1m")
		}
		if d := time.Duration(g.Timeout); d < time.Second || d > 10*time.Minute {
			bad("gateway.timeout", "%s: want 1s to 10m", d)
		}
		if time.Duration(g.RetryBase) < time.Second || g.RetryMax < g.RetryBase {
			bad("gateway", "retryBase must be at least 1s and retryMax at least retryBase")
		}
	}
	if c.Doses.DefaultCourse < 0 {
		bad("doses.defaultCourse", "must be positive")
	}
	switch skew := time.Duration(c.Validation.ClockSkew); {
	case skew < 0:
		bad("validation.clockSkew", "must not be negative")
	case skew > time.Hour:
		bad("validation.clockSkew", "at most 1h: an event further ahead of the clock is in the future")
	}
	if err := c.DosePolicy().Validate(); err != nil {
		bad("doses", "%v", err)
	}
	// The model's own rules (ids, prefixes, labs under regions that issue
	// tests) are checked by Deployment with the same paths.
	if _, err := c.deployment(nil); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func hasURLPassword(dsn string) bool {
	rest, ok := strings.CutPrefix(dsn, "postgres://")
	if !ok {
		rest, ok = strings.CutPrefix(dsn, "postgresql://")
	}
	if !ok {
		return false
	}
	userinfo, _, found := strings.Cut(rest, "@")
	return found && strings.Contains(userinfo, ":")
}

// Types returns an authority's types.
func (a Authority) types() []dcc.Type {
	var out []dcc.Type
	for _, t := range a.Types {
		if d, ok := deployment.ParseType(t); ok {
			out = append(out, d)
		}
	}
	return out
}

// Deployment builds the model with the credentials read from the token
// files. Principals without a token file cannot sign in.
func (c *Config) Deployment() (*deployment.Deployment, error) {
	var creds []deployment.Credential
	read := func(role deployment.Role, id, file string) error {
		if file == "" {
			return nil
		}
		tok, err := ReadSecret(c.Path(file))
		if err != nil {
			return fmt.Errorf("token of %s %q: %w", role, id, err)
		}
		creds = append(creds, deployment.Credential{Role: role, ID: id, Token: tok})
		return nil
	}
	var errs []error
	for _, a := range c.Authorities {
		errs = append(errs, read(deployment.RoleAuthority, a.ID, a.TokenFile))
	}
	for _, l := range c.Labs {
		errs = append(errs, read(deployment.RoleLab, l.ID, l.TokenFile))
	}
	for _, o := range c.Operators {
		errs = append(errs, read(deployment.RoleOperator, o.ID, o.TokenFile))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return c.deployment(creds)
}

func (c *Config) deployment(creds []deployment.Credential) (*deployment.Deployment, error) {
	var auths []deployment.Authority
	for _, a := range c.Authorities {
		auths = append(auths, deployment.Authority{ID: a.ID, Name: a.Name, UVCIPrefix: a.UVCIPrefix, Types: a.types()})
	}
	var labs []deployment.Lab
	for _, l := range c.Labs {
		labs = append(labs, deployment.Lab{ID: l.ID, Name: l.Name, Authority: l.Authority})
	}
	var ops []deployment.Operator
	for _, o := range c.Operators {
		ops = append(ops, deployment.Operator{ID: o.ID, Name: o.Name})
	}
	return deployment.New(c.Country, auths, labs, ops, creds)
}

// ReadSecret reads a secret file: it must not be readable by group or
// others, and its content is trimmed of surrounding whitespace.
func ReadSecret(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%s is readable by others (mode %v): chmod 600 it", path, st.Mode().Perm())
	}
	if st.Size() > 64<<10 {
		return "", fmt.Errorf("%s is larger than 64 KiB: not a secret file", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return s, nil
}

// MetricsToken returns the token of http.metricsTokenFile, or "" without one.
func (c *Config) MetricsToken() (string, error) {
	if c.HTTP.MetricsTokenFile == "" {
		return "", nil
	}
	tok, err := ReadSecret(c.Path(c.HTTP.MetricsTokenFile))
	if err != nil {
		return "", fmt.Errorf("config: http.metricsTokenFile: %w", err)
	}
	return tok, nil
}

// DSN returns the database DSN, read from DSNFile when set; a relative
// sqlite path is resolved against the file's directory.
func (c *Config) DSN() (string, error) {
	dsn := c.Store.DSN
	if c.Store.DSNFile != "" {
		s, err := ReadSecret(c.Path(c.Store.DSNFile))
		if err != nil {
			return "", fmt.Errorf("config: store.dsnFile: %w", err)
		}
		dsn = s
	}
	if p, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		dsn = "sqlite:" + c.Path(p)
	}
	return dsn, nil
}

// Write writes a configuration file (mode 0600), as the demo set-up does.
func Write(path string, c *Config) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

// DosePolicy is the dose-numbering policy: the embedded default with the
// file's overrides.
func (c *Config) DosePolicy() doses.Policy {
	p := doses.DefaultPolicy()
	if len(c.Doses.CourseLength) > 0 {
		m := maps.Clone(p.CourseLength)
		if m == nil {
			m = map[string]int{}
		}
		maps.Copy(m, c.Doses.CourseLength)
		p.CourseLength = m
	}
	if c.Doses.DefaultCourse > 0 {
		p.DefaultCourse = c.Doses.DefaultCourse
	}
	if c.Doses.AutoAdditional != nil {
		p.AutoAdditional = *c.Doses.AutoAdditional
	}
	return p
}
