package fetch

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Fetcher reads files and URLs.
type Fetcher struct {
	Client   *http.Client
	CacheDir string // "" disables the cache
	MaxSize  int64
}

// New returns a Fetcher trusting the system roots plus, when caFile is
// given, the certificates in it (a deployment's own CA).
func New(cacheDir, caFile string) (*Fetcher, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("fetch: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("fetch: no PEM certificate in %s", caFile)
		}
		tc.RootCAs = pool
	}
	return &Fetcher{
		Client:   &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: tc}},
		CacheDir: cacheDir,
		MaxSize:  64 << 20,
	}, nil
}

// IsURL reports whether s names a URL rather than a file.
func IsURL(s string) bool { return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") }

// Get reads a file, or fetches a URL (plain http only for loopback), using
// and refreshing the cache.
func (f *Fetcher) Get(ctx context.Context, src string) ([]byte, error) {
	if !IsURL(src) {
		return f.readFile(src)
	}
	if strings.HasPrefix(src, "http://") && !loopback(src) {
		return nil, fmt.Errorf("fetch: %s: use https (plain http only on this machine's loopback)", src)
	}
	body, etag := f.cached(src)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	res, err := f.Client.Do(req)
	if err != nil {
		if body != nil {
			return body, nil // offline: the last copy
		}
		return nil, fmt.Errorf("fetch: %w", err)
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotModified && body != nil:
		return body, nil
	case res.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("fetch: %s: %s", src, res.Status)
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, f.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("fetch: %s: %w", src, err)
	}
	if int64(len(data)) > f.MaxSize {
		return nil, fmt.Errorf("fetch: %s: larger than %d bytes", src, f.MaxSize)
	}
	f.store(src, data, res.Header.Get("ETag"))
	return data, nil
}

func (f *Fetcher) readFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > f.MaxSize {
		return nil, fmt.Errorf("fetch: %s: larger than %d bytes", path, f.MaxSize)
	}
	return os.ReadFile(path)
}

func loopback(u string) bool {
	rest := strings.TrimPrefix(u, "http://")
	host, _, _ := strings.Cut(rest, "/")
	return strings.HasPrefix(host, "127.") || strings.HasPrefix(host, "localhost") || strings.HasPrefix(host, "[::1]")
}

func (f *Fetcher) paths(src string) (body, etag string) {
	sum := sha256.Sum256([]byte(src))
	base := filepath.Join(f.CacheDir, hex.EncodeToString(sum[:12]))
	return base + ".body", base + ".etag"
}

func (f *Fetcher) cached(src string) ([]byte, string) {
	if f.CacheDir == "" {
		return nil, ""
	}
	bp, ep := f.paths(src)
	body, err1 := os.ReadFile(bp)
	etag, err2 := os.ReadFile(ep)
	if err1 != nil || err2 != nil {
		return nil, ""
	}
	return body, string(etag)
}

func (f *Fetcher) store(src string, body []byte, etag string) {
	if f.CacheDir == "" || etag == "" {
		return
	}
	if err := os.MkdirAll(f.CacheDir, 0o700); err != nil {
		return
	}
	bp, ep := f.paths(src)
	// The body first: an etag without its body is never used.
	if errors.Join(os.WriteFile(bp, body, 0o600), os.WriteFile(ep, []byte(etag), 0o600)) != nil {
		os.Remove(ep)
	}
}
