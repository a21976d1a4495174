package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dcc/internal/config"
)

func write(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

const minimal = `{
  "country": "ES",
  "authorities": [{"id": "AN", "name": "Servicio Andaluz de Salud", "uvciPrefix": "AN", "types": ["v", "t", "r"],
                   "dscs": [{"key": "file:dsc/key.pem", "certFile": "dsc/cert.pem"}], "tokenFile": "secrets/an.token"}],
  "labs": [{"id": "LAB1", "name": "Laboratorio", "authority": "AN", "tokenFile": "secrets/lab.token"}]
}`

func TestDefaults(t *testing.T) {
	dir := t.TempDir()
	c, err := config.Load(write(t, dir, "dcc.json", minimal, 0o600))
	if err != nil {
		t.Fatal(err)
	}
	if c.Role != config.RoleAll || c.HTTP.Addr != "127.0.0.1:8080" || c.HTTP.MaxBodyBytes != 64<<10 ||
		c.HTTP.RatePerSecond != 100 || c.HTTP.Burst != 200 || time.Duration(c.HTTP.SessionTTL) != 8*time.Hour ||
		c.Store.DSN != "sqlite:dcc.db" || c.Store.PayloadKeyDir != "payload-keys" ||
		time.Duration(c.Validity.Test) != 72*time.Hour || time.Duration(c.Validity.Vaccination) != 365*24*time.Hour ||
		time.Duration(c.Delivery.RetryBase) != time.Second || time.Duration(c.Delivery.RetryMax) != 5*time.Second || c.Delivery.Batch != 100 {
		t.Errorf("defaults = %+v", c)
	}
	// Relative paths resolve against the file's directory.
	if dsn, _ := c.DSN(); dsn != "sqlite:"+filepath.Join(dir, "dcc.db") {
		t.Errorf("DSN = %s", dsn)
	}
	if p := c.DosePolicy(); p.DefaultCourse != 2 || p.CourseLength["EU/1/20/1525"] != 1 {
		t.Errorf("dose policy = %+v", p)
	}
}

func TestStrictDecoding(t *testing.T) {
	for _, tt := range []struct{ name, json, want string }{
		{"unknown field", `{"country": "ES", "athorities": []}`, `unknown field "athorities"`},
		{"duplicate key", `{"country": "ES", "country": "FR"}`, "duplicate"},
		{"trailing data", minimal + ` {}`, ""},
		{"wrong type", `{"country": 34}`, "country"},
		{"bad duration", `{"country": "ES", "validity": {"test": "3 days"}}`, `"3 days"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(write(t, t.TempDir(), "dcc.json", tt.json, 0o600))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// Every problem is reported at start-up at once, by its path.
func TestValidateNamesEveryPath(t *testing.T) {
	bad := `{
  "country": "Spain", "role": "authority",
  "http": {"addr": "0.0.0.0:8080", "maxBodyBytes": 10, "tls": {"certFile": "c.pem"}, "trustedProxies": ["10.0.0.0/8", "proxy.example"]},
  "store": {"dsn": "postgres://dcc:secret@db/dcc"},
  "authorities": [{"id": "AN", "name": "A", "uvciPrefix": "AN", "types": ["v", "x"]}],
  "labs": [{"id": "L", "name": "Lab", "authority": "XX"}],
  "validity": {"test": "10m"},
  "delivery": {"registryURL": "http://registry", "batch": 5000},
  "registry": {"authorities": ["ZZ"]}
}`
	_, err := config.Load(write(t, t.TempDir(), "dcc.json", bad, 0o600))
	if err == nil {
		t.Fatal("accepted")
	}
	if n := strings.Count(err.Error(), "Spain"); n != 1 {
		t.Errorf("the country problem is reported %d times", n)
	}
	for _, want := range []string{
		`country "Spain"`, "authority: required for role", "http.tls: set both", "http.maxBodyBytes",
		"store.dsn: holds a password", "authorities[0].types[1]", "validity.test",
		"delivery.registryURL: must be https", "delivery: certFile and keyFile", "delivery.batch",
		`labs[0].authority "XX"`, `http.trustedProxies[1]: "proxy.example"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestRoleRules(t *testing.T) {
	for _, tt := range []struct {
		edit func(*config.Config)
		want string
	}{
		{func(c *config.Config) { c.Authorities[0].DSCs = nil }, "authorities[0].dscs"},
		{func(c *config.Config) { c.Role = "registry" }, "http.tls.clientCAFile: required"},
		{func(c *config.Config) { c.Role, c.Authority = "authority", "MS" }, `authority: "MS" is not among authorities`},
		{func(c *config.Config) { c.Role = "standalone" }, `role: "standalone"`},
		{func(c *config.Config) { c.Authority = "AN" }, "authority: only for role"},
	} {
		c, err := config.Parse([]byte(minimal))
		if err != nil {
			t.Fatal(err)
		}
		tt.edit(c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("err = %v, want %q", err, tt.want)
		}
	}
}

func TestPlainHTTPOnlyOnLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{"127.0.0.1:8080": true, "localhost:80": true, "[::1]:8080": true, "0.0.0.0:8080": false, "10.0.0.5:80": false} {
		c, err := config.Parse([]byte(minimal))
		if err != nil {
			t.Fatal(err)
		}
		c.HTTP.Addr = addr
		if err := c.Validate(); (err == nil) != ok {
			t.Errorf("%s: %v", addr, err)
		}
	}
}

func TestSecrets(t *testing.T) {
	dir := t.TempDir()
	path := write(t, dir, "dcc.json", minimal, 0o600)
	tok := strings.Repeat("t", 40)
	write(t, dir, "secrets/an.token", tok+"\n", 0o600)
	write(t, dir, "secrets/lab.token", strings.Repeat("l", 40), 0o644)
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Deployment(); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Errorf("a token file readable by others was accepted: %v", err)
	}
	os.Chmod(filepath.Join(dir, "secrets/lab.token"), 0o600)
	d, err := c.Deployment()
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := d.Authenticate(tok); !ok || p.ID != "AN" {
		t.Errorf("token from the file (trimmed) not accepted: %+v", p)
	}
	// A PostgreSQL DSN with a password comes from a file.
	write(t, dir, "secrets/dsn", "postgres://dcc:secret@db:5432/dcc\n", 0o600)
	c.Store.DSN, c.Store.DSNFile = "", "secrets/dsn"
	if dsn, err := c.DSN(); err != nil || dsn != "postgres://dcc:secret@db:5432/dcc" {
		t.Errorf("DSN = %q, %v", dsn, err)
	}
}

func TestWriteRoundTrip(t *testing.T) {
	dir := t.TempDir()
	c, err := config.Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	c.Validity.Test = config.Duration(48 * time.Hour)
	path := filepath.Join(dir, "out.json")
	if err := config.Write(path, c); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	back, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if time.Duration(back.Validity.Test) != 48*time.Hour || back.Authorities[0].DSCs[0].Key != "file:dsc/key.pem" {
		t.Errorf("round trip: %+v", back)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), `"test": "2d"`) {
		t.Errorf("durations in days are written as days:\n%s", b)
	}
}

func TestProxies(t *testing.T) {
	h := config.HTTP{TrustedProxies: []string{"10.1.2.3", "192.168.0.0/16", "::1", "2001:db8::/32", "10.9.9.9/8"}}
	var got []string
	for _, p := range h.Proxies() {
		got = append(got, p.String())
	}
	want := []string{"10.1.2.3/32", "192.168.0.0/16", "::1/128", "2001:db8::/32", "10.0.0.0/8"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Proxies() = %v, want %v", got, want)
	}
}

// validation.clockSkew: how far ahead an event may lie; 5m by default,
// checked at start-up.
func TestClockSkew(t *testing.T) {
	c, err := config.Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if got := time.Duration(c.Validation.ClockSkew); got != 5*time.Minute {
		t.Errorf("default clock skew %s, want 5m", got)
	}
	for skew, want := range map[time.Duration]string{-time.Minute: "validation.clockSkew: must not be negative", 2 * time.Hour: "validation.clockSkew: at most 1h"} {
		c, err := config.Parse([]byte(minimal))
		if err != nil {
			t.Fatal(err)
		}
		c.Validation.ClockSkew = config.Duration(skew)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("clockSkew %s: err = %v, want %q", skew, err, want)
		}
	}
	c, err = config.Parse([]byte(strings.Replace(minimal, `"country": "ES",`, `"country": "ES", "validation": {"clockSkew": "30s"},`, 1)))
	if err != nil || time.Duration(c.Validation.ClockSkew) != 30*time.Second {
		t.Errorf("clockSkew 30s: %v %v", err, c)
	}
}

// The gateway section is off unless its url is set; set, it is complete,
// https, with a trust anchor, beside a published trust list, and has
// defaults.
func TestGateway(t *testing.T) {
	full := func(c *config.Config) {
		c.TrustList.SignerKey, c.TrustList.SignerCertFile = "file:tl/key.pem", "tl/cert.pem"
		c.Gateway = config.Gateway{URL: "https://dgcg.example.eu", AuthKey: "file:gw/auth.key", AuthCertFile: "gw/auth.pem",
			UploadKey: "file:gw/up.key", UploadCertFile: "gw/up.pem", TrustAnchorFile: "gw/ta.pem",
			Interval: config.Duration(time.Hour), Timeout: config.Duration(30 * time.Second),
			RetryBase: config.Duration(30 * time.Second), RetryMax: config.Duration(time.Hour)}
	}
	c, err := config.Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if c.Gateway.Enabled() {
		t.Fatal("gateway enabled without a url")
	}
	full(c)
	if err := c.Validate(); err != nil {
		t.Fatalf("a complete gateway section: %v", err)
	}
	for _, tt := range []struct {
		edit func(*config.Config)
		want string
	}{
		{func(c *config.Config) { c.Gateway.URL = "" }, "gateway.url: required"},
		{func(c *config.Config) { c.Gateway.URL = "http://dgcg.example.eu" }, "gateway.url: \"http://dgcg.example.eu\": must be https://"},
		{func(c *config.Config) { c.Gateway.TrustAnchorFile = "" }, "gateway.trustAnchorFile: required"},
		{func(c *config.Config) { c.Gateway.AuthKey = "" }, "authKey and authCertFile"},
		{func(c *config.Config) { c.Gateway.UploadCertFile = "" }, "set both uploadKey and uploadCertFile"},
		{func(c *config.Config) { c.TrustList = config.TrustList{} }, "gateway: the downloaded certificates are published"},
		{func(c *config.Config) { c.Gateway.Interval = config.Duration(time.Second) }, "gateway.interval: at least 1m"},
		{func(c *config.Config) { c.Role, c.Authority = "authority", "AN" }, "gateway: the national backend"},
	} {
		c, err := config.Parse([]byte(minimal))
		if err != nil {
			t.Fatal(err)
		}
		full(c)
		tt.edit(c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("err = %v, want %q", err, tt.want)
		}
	}
	// Defaults apply when the section is given in the file.
	c, err = config.Parse([]byte(strings.Replace(minimal, `"country": "ES",`,
		`"country": "ES", "gateway": {"url": "https://dgcg.example.eu"},`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if g := c.Gateway; time.Duration(g.Interval) != time.Hour || time.Duration(g.Timeout) != 30*time.Second ||
		time.Duration(g.RetryBase) != 30*time.Second || time.Duration(g.RetryMax) != time.Hour {
		t.Errorf("defaults: %+v", g)
	}
}
