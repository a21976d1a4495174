package demo

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"dcc/internal/config"
	"dcc/keystore"
	"dcc/pki"
	"dcc/registry"
)

// Files in a data directory.
const (
	ConfigFile      = "dcc.json"
	CredentialsFile = "demo-credentials.json"
)

// Credentials are the demo principals and their tokens, as written to
// demo-credentials.json.
type Credentials struct {
	Authorities []AuthorityCredential `json:"authorities"`
	Labs        []LabCredential       `json:"labs"`
	Operators   []OperatorCredential  `json:"operators"`
}

// AuthorityCredential is an issuing authority's demo sign-in.
type AuthorityCredential struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Types []string `json:"types"`
	Token string   `json:"token"`
}

// LabCredential is a laboratory's demo sign-in.
type LabCredential struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Authority string `json:"authority"`
	Token     string `json:"token"`
}

// OperatorCredential is a registry operator's demo sign-in.
type OperatorCredential struct {
	ID    string `json:"id"`
	Token string `json:"token"`
}

// The demo country.
var (
	authorities = []config.Authority{
		{ID: "AN", Name: "Servicio Andaluz de Salud (demo)", UVCIPrefix: "AN", Types: []string{"v", "t", "r"}},
		{ID: "MD", Name: "Ministerio de Defensa (demo)", UVCIPrefix: "MD", Types: []string{"v", "t", "r"}},
		{ID: "MS", Name: "Ministerio de Sanidad (demo)", UVCIPrefix: "MS", Types: []string{"v", "r"}},
	}
	labs      = []config.Lab{{ID: "LAB-AN-1", Name: "Laboratorio Clínico Demo de Sevilla", Authority: "AN"}}
	operators = []config.Operator{{ID: "registro", Name: "Operador del registro nacional (demo)"}}
)

// Exists reports whether dir already holds a configuration.
func Exists(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ConfigFile))
	return err == nil
}

// Create makes the demo country in dir (created if needed, mode 0700) at
// time now and returns its credentials. It refuses a directory that already
// holds a configuration.
func Create(dir string, now time.Time) (*Credentials, error) {
	if Exists(dir) {
		return nil, fmt.Errorf("demo: %s already holds %s", dir, ConfigFile)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	for _, sub := range []string{"pki", "secrets", config.DefaultPayloadKeyDir} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	cscaDir := filepath.Join(dir, "pki", "csca")
	if err := os.MkdirAll(cscaDir, 0o700); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	cscaKey, err := keystore.Generate("file:"+filepath.Join(cscaDir, "key.pem"), keystore.ES256)
	if err != nil {
		return nil, fmt.Errorf("demo: CSCA key: %w", err)
	}
	defer cscaKey.Close()
	csca, err := pki.NewCSCA(cscaKey, pki.CSCAOptions{Country: "ES", CommonName: "ES DCC CSCA (demo)", Now: now})
	if err != nil {
		return nil, fmt.Errorf("demo: CSCA: %w", err)
	}
	if err := pki.WritePEM(filepath.Join(cscaDir, "cert.pem"), csca); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}

	// The national trust-list signer, certified by the CSCA so that
	// verifiers holding the CSCA can check the published list.
	tlDir := filepath.Join("pki", "trustlist")
	if err := os.MkdirAll(filepath.Join(dir, tlDir), 0o700); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	tlKey, err := keystore.Generate("file:"+filepath.Join(dir, tlDir, "key.pem"), keystore.ES256)
	if err != nil {
		return nil, fmt.Errorf("demo: trust-list key: %w", err)
	}
	tlCert, err := pki.NewTrustListSigner(csca, cscaKey, tlKey.Public(), pki.DSCOptions{
		Country: "ES", CommonName: "ES DCC Trust List Signer (demo)", Now: now})
	tlKey.Close()
	if err != nil {
		return nil, fmt.Errorf("demo: trust-list signer: %w", err)
	}
	if err := pki.WritePEM(filepath.Join(dir, tlDir, "cert.pem"), tlCert); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}

	cfg := &config.Config{
		TrustList: config.TrustList{
			SignerKey:      "file:" + filepath.Join(tlDir, "key.pem"),
			SignerCertFile: filepath.Join(tlDir, "cert.pem"),
		},
		Country:   "ES",
		Demo:      true,
		HTTP:      config.HTTP{Addr: config.DefaultAddr},
		Store:     config.Store{DSN: "sqlite:dcc.db", PayloadKeyDir: config.DefaultPayloadKeyDir},
		CSCAFiles: []string{"pki/csca/cert.pem"},
		Labs:      labs,
		Operators: operators,
	}
	creds := &Credentials{}
	for _, a := range authorities {
		sub := filepath.Join("pki", "dsc-"+a.ID)
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		keyPath := filepath.Join(sub, "key.pem")
		key, err := keystore.Generate("file:"+filepath.Join(dir, keyPath), keystore.ES256)
		if err != nil {
			return nil, fmt.Errorf("demo: DSC key of %s: %w", a.ID, err)
		}
		var types []pki.Type
		for _, t := range a.Types {
			types = append(types, pki.Type(t[0]))
		}
		dsc, err := pki.NewDSC(csca, cscaKey, key.Public(), pki.DSCOptions{
			Country: "ES", CommonName: a.Name + " DSC", Types: types, Now: now,
		})
		key.Close()
		if err != nil {
			return nil, fmt.Errorf("demo: DSC of %s: %w", a.ID, err)
		}
		certPath := filepath.Join(sub, "cert.pem")
		if err := pki.WritePEM(filepath.Join(dir, certPath), dsc); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		tok, file, err := newToken(dir, "authority", a.ID)
		if err != nil {
			return nil, err
		}
		a.DSCs = []config.DSC{{Key: "file:" + keyPath, CertFile: certPath}}
		a.TokenFile = file
		cfg.Authorities = append(cfg.Authorities, a)
		creds.Authorities = append(creds.Authorities, AuthorityCredential{ID: a.ID, Name: a.Name, Types: a.Types, Token: tok})
	}
	for i, l := range cfg.Labs {
		tok, file, err := newToken(dir, "lab", l.ID)
		if err != nil {
			return nil, err
		}
		cfg.Labs[i].TokenFile = file
		creds.Labs = append(creds.Labs, LabCredential{ID: l.ID, Name: l.Name, Authority: l.Authority, Token: tok})
	}
	for i, o := range cfg.Operators {
		tok, file, err := newToken(dir, "operator", o.ID)
		if err != nil {
			return nil, err
		}
		cfg.Operators[i].TokenFile = file
		creds.Operators = append(creds.Operators, OperatorCredential{ID: o.ID, Token: tok})
	}
	if err := registry.GenerateKeyFile(filepath.Join(dir, config.DefaultPayloadKeyDir), "demo-1"); err != nil {
		return nil, fmt.Errorf("demo: payload key: %w", err)
	}
	b, err := json.MarshalIndent(creds, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, CredentialsFile), append(b, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	var ids []string
	for _, a := range cfg.Authorities {
		ids = append(ids, a.ID)
	}
	if err := writeTLS(dir, ids, now); err != nil {
		return nil, fmt.Errorf("demo: TLS: %w", err)
	}
	for i, a := range cfg.Authorities {
		if err := config.Write(filepath.Join(dir, AuthorityConfigFile(a.ID)), authorityConfig(cfg, i)); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	if err := config.Write(filepath.Join(dir, RegistryConfigFile), registryConfig(cfg)); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	// The all-in-one configuration goes last: its presence means the set-up
	// is complete.
	if err := config.Write(filepath.Join(dir, ConfigFile), cfg); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return creds, nil
}

// Configuration files of the demo's split deployment.
const (
	RegistryConfigFile = "registry.json"
	RegistryAddr       = "127.0.0.1:8443"
)

// AuthorityConfigFile is the configuration of one authority's own process.
func AuthorityConfigFile(id string) string { return "authority-" + id + ".json" }

// AuthorityAddr is where the demo authority with index i listens alone.
func AuthorityAddr(i int) string { return fmt.Sprintf("127.0.0.1:%d", 8081+i) }

// registryConfig is the national registry alone: TLS with client
// certificates for deliveries, its own database, operators' sign-ins.
func registryConfig(all *config.Config) *config.Config {
	c := *all
	c.Role = config.RoleRegistry
	c.HTTP = config.HTTP{Addr: RegistryAddr, TLS: config.TLS{CertFile: TLSServer, KeyFile: TLSServerKey, ClientCAFile: TLSCA}}
	c.Store = config.Store{DSN: "sqlite:registry.db", PayloadKeyDir: config.DefaultPayloadKeyDir}
	c.Authorities = nil
	for _, a := range all.Authorities {
		// The registry signs nothing: it keeps the DSC certificates (for the
		// trust list it publishes), not their keys.
		var dscs []config.DSC
		for _, d := range a.DSCs {
			dscs = append(dscs, config.DSC{CertFile: d.CertFile})
		}
		a.DSCs, a.TokenFile = dscs, ""
		c.Authorities = append(c.Authorities, a)
	}
	c.Labs = nil
	for _, l := range all.Labs {
		l.TokenFile = ""
		c.Labs = append(c.Labs, l)
	}
	return &c
}

// authorityConfig is authority i alone: its keys, its laboratories' and its
// own sign-ins, its own database with the outbox, and delivery to the
// registry over mutual TLS.
func authorityConfig(all *config.Config, i int) *config.Config {
	c := *all
	id := all.Authorities[i].ID
	c.Role, c.Authority = config.RoleAuthority, id
	c.HTTP = config.HTTP{Addr: AuthorityAddr(i)}
	c.Store = config.Store{DSN: "sqlite:authority-" + id + ".db", PayloadKeyDir: config.DefaultPayloadKeyDir}
	c.Operators = nil
	c.TrustList = config.TrustList{}
	c.Authorities = nil
	for j, a := range all.Authorities {
		if j != i {
			a.DSCs, a.TokenFile = nil, ""
		}
		c.Authorities = append(c.Authorities, a)
	}
	c.Labs = nil
	for _, l := range all.Labs {
		if l.Authority != id {
			l.TokenFile = ""
		}
		c.Labs = append(c.Labs, l)
	}
	cert, key := TLSClient(id)
	// A demo retries sooner than the production default (30s doubling up to
	// an hour), so that a registry restarted by hand catches up quickly.
	c.Delivery = config.Delivery{RegistryURL: "https://" + RegistryAddr, CAFile: TLSCA, CertFile: cert, KeyFile: key,
		Interval: config.Duration(time.Second), RetryBase: config.Duration(time.Second), RetryMax: config.Duration(10 * time.Second)}
	return &c
}

// newToken writes a new random token to secrets/<role>-<id>.token (0600)
// and returns it and its path relative to dir.
func newToken(dir, role, id string) (token, rel string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("demo: random token: %w", err)
	}
	token = "dcc-demo-" + role + "-" + base64.RawURLEncoding.EncodeToString(b)
	rel = filepath.Join("secrets", role+"-"+id+".token")
	if err := os.WriteFile(filepath.Join(dir, rel), []byte(token+"\n"), 0o600); err != nil {
		return "", "", fmt.Errorf("demo: %w", err)
	}
	return token, rel, nil
}

// ReadCredentials reads demo-credentials.json from dir.
func ReadCredentials(dir string) (*Credentials, error) {
	b, err := os.ReadFile(filepath.Join(dir, CredentialsFile))
	if err != nil {
		return nil, err
	}
	var c Credentials
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("demo: %s: %w", CredentialsFile, err)
	}
	if len(c.Authorities) == 0 {
		return nil, errors.New("demo: no authorities in " + CredentialsFile)
	}
	return &c, nil
}
