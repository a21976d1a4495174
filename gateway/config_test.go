package gateway_test

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dcc/gateway"
)

func TestNewConfigErrors(t *testing.T) {
	ta := newParty(t, certOpts{country: "EU", cn: "DCCG_TA", ca: true}, nil)
	de, fr := newCountry(t, "DE", 0), newCountry(t, "FR", 0)
	_, good, _ := testGateway(t, ta, de, fr)
	dir := t.TempDir()
	expiredTA := newParty(t, certOpts{country: "EU", cn: "old TA", ca: true, notBefore: time.Now().Add(-48 * time.Hour), expires: time.Now().Add(-24 * time.Hour)}, nil)
	noC := newParty(t, certOpts{cn: "no country", eku: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, nil)
	server := newParty(t, certOpts{country: "DE", cn: "server", eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, nil)
	empty := filepath.Join(dir, "empty.pem")
	os.WriteFile(empty, nil, 0o600)

	for _, tt := range []struct {
		name string
		edit func(c *gateway.Config)
		msg  string
	}{
		{"no URL", func(c *gateway.Config) { c.BaseURL = "" }, "Config.BaseURL: missing"},
		{"http", func(c *gateway.Config) { c.BaseURL = "http://gw.example" }, "Config.BaseURL"},
		{"no TA", func(c *gateway.Config) { c.TrustAnchor = "" }, "Config.TrustAnchor: missing"},
		{"empty TA file", func(c *gateway.Config) { c.TrustAnchor = empty }, "Config.TrustAnchor"},
		{"expired TA", func(c *gateway.Config) { c.TrustAnchor = writePEM(t, dir, "old-ta.pem", expiredTA.Cert) }, "not valid now"},
		{"no auth key", func(c *gateway.Config) { c.AuthKey = "" }, "Config.AuthKey: missing"},
		{"no auth at all", func(c *gateway.Config) { c.AuthKey, c.AuthCert = "", "" }, "Config.AuthKey and Config.AuthCert: missing"},
		{"no upload cert", func(c *gateway.Config) { c.UploadCert = "" }, "Config.UploadCert: missing"},
		{"auth key of another cert", func(c *gateway.Config) { c.AuthKey = c.UploadKey }, "Config.AuthKey is not the key of Config.AuthCert"},
		{"bad key URI", func(c *gateway.Config) { c.AuthKey = "vault:x" }, "Config.AuthKey"},
		{"auth cert without C", func(c *gateway.Config) {
			c.AuthKey, c.AuthCert = writeKey(t, dir, "noc.key", noC.Key), writePEM(t, dir, "noc.pem", noC.Cert)
		}, "no country"},
		{"auth cert for servers", func(c *gateway.Config) {
			c.AuthKey, c.AuthCert = writeKey(t, dir, "srv.key", server.Key), writePEM(t, dir, "srv.pem", server.Cert)
		}, "clientAuth"},
		{"upload of another country", func(c *gateway.Config) {
			c.UploadKey, c.UploadCert = writeKey(t, dir, "fr-up.key", fr.Up.Key), writePEM(t, dir, "fr-up.pem", fr.Up.Cert)
		}, `of country "FR"`},
		{"upload = auth", func(c *gateway.Config) { c.UploadKey, c.UploadCert = c.AuthKey, c.AuthCert }, "NB_UP must differ"},
		{"negative timeout", func(c *gateway.Config) { c.Timeout = -time.Second }, "Config.Timeout"},
		{"missing server CA", func(c *gateway.Config) { c.ServerCA = filepath.Join(dir, "none.pem") }, "Config.ServerCA"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.edit(&cfg)
			c, err := gateway.New(cfg)
			if err == nil {
				c.Close()
				t.Fatal("accepted")
			}
			if c != nil || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q lacks %q (client %v)", err, tt.msg, c)
			}
		})
	}
	c, err := gateway.New(good)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Error(err)
	}
}
