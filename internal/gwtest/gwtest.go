package gwtest

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/smallstep/pkcs7"

	"dcc/trustlist"
)

// Anchor is a gateway trust anchor: a self-signed certificate and its key.
type Anchor struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// NewAnchor makes a self-signed anchor certificate for key, valid from an
// hour before now for a year.
func NewAnchor(key crypto.Signer, now time.Time) (*Anchor, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "DCC Gateway Trust Anchor (test)", Country: []string{"EU"}},
		NotBefore:    now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Anchor{Cert: c, Key: key}, nil
}

// Sign returns the base64 CMS SignedData of content, with the content
// detached unless attached.
func (a *Anchor) Sign(content []byte, attached bool) (string, error) {
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return "", err
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSigner(a.Cert, a.Key, pkcs7.SignerInfoConfig{}); err != nil {
		return "", err
	}
	if !attached {
		sd.Detach()
	}
	der, err := sd.Finish()
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

// SignEntries sets the signature of every DSC and CSCA entry.
func (a *Anchor) SignEntries(es []trustlist.Entry) error {
	for i := range es {
		if es[i].CertificateType != trustlist.TypeDSC && es[i].CertificateType != trustlist.TypeCSCA {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(es[i].RawData)
		if err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
		if es[i].Signature, err = a.Sign(raw, false); err != nil {
			return err
		}
	}
	return nil
}

// List is the gateway trust-list JSON of certs, signed: a CA certificate
// is a CSCA entry, any other a DSC.
func (a *Anchor) List(certs []*x509.Certificate, at time.Time) ([]byte, error) {
	var es []trustlist.Entry
	for _, c := range certs {
		typ := trustlist.TypeDSC
		if c.IsCA {
			typ = trustlist.TypeCSCA
		}
		es = append(es, trustlist.EntryFor(c, typ, at))
	}
	if err := a.SignEntries(es); err != nil {
		return nil, err
	}
	return json.MarshalIndent(es, "", "  ")
}

// WriteFiles writes dir/cert.pem and dir/key.pem (PKCS #8, mode 0600).
func (a *Anchor) WriteFiles(dir string) error {
	pkcs8, err := x509.MarshalPKCS8PrivateKey(a.Key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.Cert.Raw}), 0o644)
}
