package gateway

import (
	"bytes"
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"dcc/keystore"
	"dcc/pki"
)

// DefaultTimeout bounds one request when Config.Timeout is zero.
const DefaultTimeout = 60 * time.Second

// MaxResponse bounds a response body: a full trust list of some 30,000
// entries is about 60 MB.
const MaxResponse = 128 << 20

// Config is what a Client needs. Files are PEM; keys are key URIs
// (package keystore: file:PATH or pkcs11:token=…;object=…?module-path=…&pin-source=file:…).
type Config struct {
	// BaseURL is the gateway's endpoint, e.g. https://dgcg.example.eu;
	// paths are appended to it (§A.1). Required, https.
	BaseURL string
	// AuthKey and AuthCert are the NB_TLS key and certificate, the TLS
	// client certificate (the gateway's AUTHENTICATION entry). Required.
	AuthKey, AuthCert string
	// UploadKey and UploadCert are the NB_UP key and certificate that sign
	// every upload. Optional: without them the client only downloads.
	UploadKey, UploadCert string
	// ServerCA holds the CA certificates the gateway's TLS server
	// certificate must chain to. Empty: the system's roots.
	ServerCA string
	// TrustAnchor holds the gateway operator's trust-anchor certificate
	// (DCCG_TA); more than one is allowed during a change of anchor. Required.
	TrustAnchor string
	// Timeout bounds each request; zero means DefaultTimeout.
	Timeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Client talks to one gateway as one country. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	http    *http.Client
	anchors []*x509.Certificate
	country string // the AUTHENTICATION certificate's subject C
	now     func() time.Time

	authKey  keystore.Signer
	upKey    keystore.Signer
	upCert   *x509.Certificate
	authCert *x509.Certificate
}

// New checks cfg and opens the keys. Every problem names the field. The
// caller closes the client, which closes the keys (HSM sessions).
func New(cfg Config) (*Client, error) {
	c := &Client{now: cfg.Now}
	if c.now == nil {
		c.now = time.Now
	}
	if err := c.init(cfg); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (c *Client) init(cfg Config) error {
	now := c.now()
	if cfg.BaseURL == "" {
		return errors.New("gateway: Config.BaseURL: missing (the gateway's https URL)")
	}
	var err error
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("gateway: Config.BaseURL %q: want an https URL without query, e.g. https://dgcg.example.eu", cfg.BaseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	c.base = u
	if cfg.Timeout < 0 {
		return fmt.Errorf("gateway: Config.Timeout %v: negative", cfg.Timeout)
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}

	if cfg.TrustAnchor == "" {
		return errors.New("gateway: Config.TrustAnchor: missing (the DCCG_TA certificate given at onboarding)")
	}
	c.anchors, err = readCerts("Config.TrustAnchor", cfg.TrustAnchor)
	if err != nil {
		return err
	}
	for _, a := range c.anchors {
		if now.Before(a.NotBefore) || now.After(a.NotAfter) {
			return fmt.Errorf("gateway: Config.TrustAnchor %s: %q is not valid now (%s to %s)", cfg.TrustAnchor, a.Subject, a.NotBefore.Format(time.RFC3339), a.NotAfter.Format(time.RFC3339))
		}
	}

	c.authKey, c.authCert, err = openPair("Config.AuthKey", cfg.AuthKey, "Config.AuthCert", cfg.AuthCert, now)
	if err != nil {
		return err
	}
	if c.authKey == nil {
		return errors.New("gateway: Config.AuthKey and Config.AuthCert: missing (the NB_TLS client key URI and certificate)")
	}
	if len(c.authCert.ExtKeyUsage) > 0 && !slices.Contains(c.authCert.ExtKeyUsage, x509.ExtKeyUsageClientAuth) && !slices.Contains(c.authCert.ExtKeyUsage, x509.ExtKeyUsageAny) {
		return fmt.Errorf("gateway: Config.AuthCert %s: its extended key usage lacks clientAuth (gateway.md §A.2)", cfg.AuthCert)
	}
	c.country = countryOf(c.authCert)
	if len(c.country) != 2 {
		return fmt.Errorf("gateway: Config.AuthCert %s: the subject has no country (C), which the gateway authenticates by (§A.1, code 0x401)", cfg.AuthCert)
	}
	c.upKey, c.upCert, err = openPair("Config.UploadKey", cfg.UploadKey, "Config.UploadCert", cfg.UploadCert, now)
	if err != nil {
		return err
	}
	if c.upCert != nil {
		if countryOf(c.upCert) != c.country {
			return fmt.Errorf("gateway: Config.UploadCert %s: of country %q, but Config.AuthCert is of %q", cfg.UploadCert, countryOf(c.upCert), c.country)
		}
		if bytes.Equal(c.upCert.Raw, c.authCert.Raw) {
			return errors.New("gateway: Config.UploadCert: the same certificate as Config.AuthCert; NB_UP must differ from NB_TLS (gateway.md §A.2)")
		}
	}

	tc := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{{Certificate: [][]byte{c.authCert.Raw}, PrivateKey: c.authKey, Leaf: c.authCert}},
	}
	if cfg.ServerCA != "" {
		cas, err := readCerts("Config.ServerCA", cfg.ServerCA)
		if err != nil {
			return err
		}
		tc.RootCAs = x509.NewCertPool()
		for _, ca := range cas {
			tc.RootCAs.AddCert(ca)
		}
	}
	c.http = &http.Client{
		Timeout: timeout,
		// No proxy (the issue says none is needed): nothing read from the
		// environment reroutes the country's authenticated channel.
		Transport: &http.Transport{TLSClientConfig: tc, ForceAttemptHTTP2: true, TLSHandshakeTimeout: timeout, MaxIdleConnsPerHost: 4},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return errors.New("the gateway answered with a redirect, which this client does not follow")
		},
	}
	return nil
}

// Close closes the keys.
func (c *Client) Close() error {
	var errs []error
	for _, k := range []keystore.Signer{c.authKey, c.upKey} {
		if k != nil {
			errs = append(errs, k.Close())
		}
	}
	if c.http != nil {
		c.http.CloseIdleConnections()
	}
	return errors.Join(errs...)
}

// Country is the country the client authenticates as.
func (c *Client) Country() string { return c.country }

// TrustAnchors are the configured DCCG_TA certificates.
func (c *Client) TrustAnchors() []*x509.Certificate { return slices.Clone(c.anchors) }

func openPair(keyField, keyURI, certField, certFile string, now time.Time) (keystore.Signer, *x509.Certificate, error) {
	switch {
	case keyURI == "" && certFile == "":
		return nil, nil, nil
	case keyURI == "":
		return nil, nil, fmt.Errorf("gateway: %s: missing, though %s is set", keyField, certField)
	case certFile == "":
		return nil, nil, fmt.Errorf("gateway: %s: missing, though %s is set", certField, keyField)
	}
	certs, err := readCerts(certField, certFile)
	if err != nil {
		return nil, nil, err
	}
	if len(certs) != 1 {
		return nil, nil, fmt.Errorf("gateway: %s %s: %d certificates, want 1", certField, certFile, len(certs))
	}
	cert := certs[0]
	if now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return nil, nil, fmt.Errorf("gateway: %s %s: not valid now (%s to %s)", certField, certFile, cert.NotBefore.Format(time.RFC3339), cert.NotAfter.Format(time.RFC3339))
	}
	key, err := keystore.Open(keyURI)
	if err != nil {
		return nil, nil, fmt.Errorf("gateway: %s: %w", keyField, err)
	}
	if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(cert.PublicKey) {
		key.Close()
		return nil, nil, fmt.Errorf("gateway: %s is not the key of %s %s", keyField, certField, certFile)
	}
	return key, cert, nil
}

func readCerts(field, path string) ([]*x509.Certificate, error) {
	certs, err := pki.ReadCertificates(path)
	if err != nil {
		return nil, fmt.Errorf("gateway: %s: %w", field, err)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("gateway: %s %s: no certificate", field, path)
	}
	return certs, nil
}

func countryOf(c *x509.Certificate) string {
	if len(c.Subject.Country) == 1 {
		return c.Subject.Country[0]
	}
	return ""
}

// request is one exchange: the response body of a status in ok, or an error.
type request struct {
	method, path string
	header       http.Header
	body         []byte
	ok           []int
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (c *Client) do(ctx context.Context, r request) (*response, error) {
	u := *c.base
	u.Path += r.path
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("gateway: %s %s: %w", r.method, r.path, err)
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("gateway: %s %s: %w", r.method, r.path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, MaxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("gateway: %s %s: reading the response: %w", r.method, r.path, err)
	}
	if len(data) > MaxResponse {
		return nil, fmt.Errorf("gateway: %s %s: response larger than %d bytes", r.method, r.path, MaxResponse)
	}
	if !slices.Contains(r.ok, res.StatusCode) {
		return nil, problemFrom(r.method, r.path, res.StatusCode, data)
	}
	return &response{status: res.StatusCode, header: res.Header, body: data}, nil
}

// since formats an If-Modified-Since as the gateway binds it (§A.6):
// ISO-8601, UTC, with full precision so that nothing of the same second is
// lost or fetched again.
func since(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
