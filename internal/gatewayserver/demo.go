package gatewayserver

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"dcc/keystore"
	"dcc/pki"
)

// demoCountries are the countries of the demo gateway.
func demoCountries() []string { return []string{"ES", "FR"} }

// DemoCountry is one onboarded demo country: its certificates and keys,
// and the files they are written to under Dir.
type DemoCountry struct {
	Code                        string
	Dir                         string
	Auth, Upload, CSCA          *x509.Certificate
	AuthKey, UploadKey, CSCAKey crypto.Signer
}

// Demo is a demo gateway's material: the trust anchor, the server's TLS
// certificate, the database and the onboarded countries.
type Demo struct {
	Dir       string
	Anchor    Anchor
	DSN       string
	TLS       tls.Certificate
	Countries []DemoCountry
}

// Demo file names, relative to Demo.Dir (and a country's Dir).
const (
	DemoAnchorCert = "ta/cert.pem"
	DemoAnchorKey  = "ta/key.pem"
	DemoServerCert = "server/cert.pem"
	DemoServerKey  = "server/key.pem"
	DemoDB         = "gateway.db"
)

func demoPath(dir, name string) string { return filepath.Join(dir, filepath.FromSlash(name)) }

// OpenDemo opens the demo gateway in dir, creating it (DEMO MATERIAL:
// generated keys, two countries ES and FR onboarded with every revocation
// role) when dir holds none. fresh reports a creation.
func OpenDemo(ctx context.Context, dir string, now time.Time) (d *Demo, fresh bool, err error) {
	if _, err := os.Stat(demoPath(dir, DemoAnchorCert)); err == nil {
		d, err := loadDemo(dir)
		return d, false, err
	}
	d, err = createDemo(ctx, dir, now)
	return d, true, err
}

func createDemo(ctx context.Context, dir string, now time.Time) (*Demo, error) {
	d := &Demo{Dir: dir, DSN: "sqlite:" + demoPath(dir, DemoDB)}
	taKey, err := newKey()
	if err != nil {
		return nil, err
	}
	ta, err := selfSigned(taKey, pkix.Name{Country: []string{"EU"}, CommonName: "DCC Gateway Trust Anchor (demo)"}, now, true, nil)
	if err != nil {
		return nil, err
	}
	d.Anchor = Anchor{Cert: ta, Key: taKey}
	srvKey, err := newKey()
	if err != nil {
		return nil, err
	}
	srv, err := selfSigned(srvKey, pkix.Name{CommonName: "localhost"}, now, false, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth})
	if err != nil {
		return nil, err
	}
	d.TLS = tls.Certificate{Certificate: [][]byte{srv.Raw}, PrivateKey: srvKey, Leaf: srv}
	for _, f := range []struct {
		name string
		cert *x509.Certificate
		key  crypto.Signer
	}{{"ta", ta, taKey}, {"server", srv, srvKey}} {
		if err := writePair(filepath.Join(dir, f.name), f.cert, f.key); err != nil {
			return nil, err
		}
	}
	s, err := Open(ctx, d.DSN)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	for _, cc := range demoCountries() {
		c := DemoCountry{Code: cc, Dir: filepath.Join(dir, cc)}
		if c.CSCAKey, err = newKey(); err != nil {
			return nil, err
		}
		if c.CSCA, err = pki.NewCSCA(c.CSCAKey, pki.CSCAOptions{Country: cc, CommonName: cc + " DCC CSCA (demo)", Now: now}); err != nil {
			return nil, err
		}
		if c.AuthKey, err = newKey(); err != nil {
			return nil, err
		}
		if c.Auth, err = selfSigned(c.AuthKey, pkix.Name{Country: []string{cc}, CommonName: cc + " DCC Gateway TLS client (demo)"}, now, false,
			[]x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}); err != nil {
			return nil, err
		}
		if c.UploadKey, err = newKey(); err != nil {
			return nil, err
		}
		if c.Upload, err = selfSigned(c.UploadKey, pkix.Name{Country: []string{cc}, CommonName: cc + " DCC Gateway upload (demo)"}, now, false, nil); err != nil {
			return nil, err
		}
		for _, f := range []struct {
			name string
			cert *x509.Certificate
			key  crypto.Signer
		}{{"auth", c.Auth, c.AuthKey}, {"upload", c.Upload, c.UploadKey}, {"csca", c.CSCA, c.CSCAKey}} {
			if err := writePair(filepath.Join(c.Dir, f.name), f.cert, f.key); err != nil {
				return nil, err
			}
		}
		err := Onboard(ctx, s, d.Anchor, Onboarding{Country: cc, Authentication: []*x509.Certificate{c.Auth}, Upload: []*x509.Certificate{c.Upload},
			CSCA: []*x509.Certificate{c.CSCA}, Roles: []string{RoleListReader, RoleUploader, RoleDeleter}}, now)
		if err != nil {
			return nil, err
		}
		d.Countries = append(d.Countries, c)
	}
	return d, nil
}

func loadDemo(dir string) (*Demo, error) {
	d := &Demo{Dir: dir, DSN: "sqlite:" + demoPath(dir, DemoDB)}
	var err error
	if d.Anchor.Cert, d.Anchor.Key, err = readPair(filepath.Join(dir, "ta")); err != nil {
		return nil, err
	}
	if d.TLS, err = tls.LoadX509KeyPair(demoPath(dir, DemoServerCert), demoPath(dir, DemoServerKey)); err != nil {
		return nil, fmt.Errorf("demo gateway %s: %w", dir, err)
	}
	for _, cc := range demoCountries() {
		c := DemoCountry{Code: cc, Dir: filepath.Join(dir, cc)}
		if c.Auth, c.AuthKey, err = readPair(filepath.Join(c.Dir, "auth")); err != nil {
			return nil, err
		}
		if c.Upload, c.UploadKey, err = readPair(filepath.Join(c.Dir, "upload")); err != nil {
			return nil, err
		}
		if c.CSCA, c.CSCAKey, err = readPair(filepath.Join(c.Dir, "csca")); err != nil {
			return nil, err
		}
		d.Countries = append(d.Countries, c)
	}
	return d, nil
}

func newKey() (crypto.Signer, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }

// selfSigned makes a self-signed certificate valid from an hour before now
// for two years: the gateway whitelists AUTHENTICATION and UPLOAD
// certificates by thumbprint, so they need no issuer.
func selfSigned(key crypto.Signer, subject pkix.Name, now time.Time, ca bool, eku []x509.ExtKeyUsage) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: subject,
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(2, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: eku, BasicConstraintsValid: true, IsCA: ca,
	}
	if ca {
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	if subject.CommonName == "localhost" {
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// writePair writes base-cert.pem and base-key.pem (dir/cert.pem, dir/key.pem).
func writePair(dir string, cert *x509.Certificate, key crypto.Signer) error {
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o644)
}

func readPair(dir string) (*x509.Certificate, crypto.Signer, error) {
	certs, err := pki.ReadCertificates(filepath.Join(dir, "cert.pem"))
	if err != nil {
		return nil, nil, err
	}
	if len(certs) != 1 {
		return nil, nil, fmt.Errorf("%s: %d certificates, want 1", filepath.Join(dir, "cert.pem"), len(certs))
	}
	key, err := keystore.Open("file:" + filepath.Join(dir, "key.pem"))
	if err != nil {
		return nil, nil, err
	}
	return certs[0], key, nil
}

// ServerTLS is the TLS configuration of a gateway: the server's
// certificate, and a client certificate required but not chained: the
// gateway authenticates it by its thumbprint among the AUTHENTICATION rows
// (gateway.md §A.1), as its load balancer whitelists it.
func ServerTLS(cert tls.Certificate) *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}, ClientAuth: tls.RequireAnyClientCert}
}
