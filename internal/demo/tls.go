package demo

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// TLS files of the demo's split deployment, under pki/tls: a CA that issues
// the registry's server certificate (localhost, 127.0.0.1) and one client
// certificate per authority (common name = authority id) for mutual TLS.
const (
	TLSDir       = "pki/tls"
	TLSCA        = "pki/tls/ca.pem"
	TLSServer    = "pki/tls/server.pem"
	TLSServerKey = "pki/tls/server-key.pem"
)

// TLSClient returns the certificate and key files of an authority's client
// certificate.
func TLSClient(authority string) (cert, key string) {
	return "pki/tls/client-" + authority + ".pem", "pki/tls/client-" + authority + "-key.pem"
}

func writeTLS(dir string, authorities []string, now time.Time) error {
	if err := os.MkdirAll(filepath.Join(dir, TLSDir), 0o700); err != nil {
		return err
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	caTmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "dcc demo TLS CA (demo)", Country: []string{"ES"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(5, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	ca, err := issue(caTmpl, nil, caKey, caKey)
	if err != nil {
		return err
	}
	if err := writeCert(filepath.Join(dir, TLSCA), ca); err != nil {
		return err
	}
	server := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "localhost"},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    now.AddDate(2, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if err := issueTo(dir, server, ca, caKey, TLSServer, TLSServerKey); err != nil {
		return err
	}
	for _, a := range authorities {
		client := &x509.Certificate{
			Subject:     pkix.Name{CommonName: a, Organization: []string{"dcc demo"}},
			NotBefore:   now.Add(-time.Hour),
			NotAfter:    now.AddDate(2, 0, 0),
			KeyUsage:    x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}
		cert, key := TLSClient(a)
		if err := issueTo(dir, client, ca, caKey, cert, key); err != nil {
			return err
		}
	}
	return nil
}

func issueTo(dir string, tmpl, ca *x509.Certificate, caKey crypto.Signer, certFile, keyFile string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	cert, err := issue(tmpl, ca, key, caKey)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, keyFile), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return err
	}
	return writeCert(filepath.Join(dir, certFile), cert)
}

func issue(tmpl, parent *x509.Certificate, key *ecdsa.PrivateKey, signer crypto.Signer) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("demo: TLS certificate %s: %w", tmpl.Subject.CommonName, err)
	}
	return x509.ParseCertificate(der)
}

func writeCert(path string, c *x509.Certificate) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}), 0o644)
}
