package pki

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Default validity periods (HCERT §5.1: CSCA a few years, DSC shorter).
const (
	DefaultCSCAValidity = 4 * 365 * 24 * time.Hour
	DefaultDSCValidity  = 2 * 365 * 24 * time.Hour
)

// CSCAOptions describe a new country signing CA.
type CSCAOptions struct {
	Country    string        // ISO 3166-1 alpha-2
	CommonName string        // default "<CC> DCC CSCA"
	Validity   time.Duration // default DefaultCSCAValidity
	Now        time.Time     // default time.Now()
}

// DSCOptions describe a new document signer certificate.
type DSCOptions struct {
	Country    string        // must be the CSCA's
	CommonName string        // default "<CC> DCC DSC"
	Types      []Type        // empty: no extended key usage, the DSC signs every type
	Validity   time.Duration // default DefaultDSCValidity, never beyond the CSCA
	Now        time.Time
}

func checkCountry(cc string) error {
	if len(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z' {
		return fmt.Errorf("pki: country %q: want an ISO 3166-1 alpha-2 code such as ES", cc)
	}
	return nil
}

// serial is a random positive serial number of 128 bits (RFC 5280 §4.1.2.2
// allows up to 20 octets; CA/Browser Forum asks for 64 bits of entropy).
func serial() (*big.Int, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		return nil, fmt.Errorf("pki: serial number: %w", err)
	}
	b[0] |= 0x80 // exactly 128 bits, never zero
	return new(big.Int).SetBytes(b), nil
}

// subjectKeyID is RFC 5280 §4.2.1.2 method 1: SHA-1 of the public key bits.
func subjectKeyID(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	var spki struct {
		Algo pkix.AlgorithmIdentifier
		Key  asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		return nil, err
	}
	sum := sha1.Sum(spki.Key.Bytes)
	return sum[:], nil
}

// NewCSCA creates a self-signed country signing CA (HCERT §5.1.2): subject
// C=Country (checked to be two upper-case letters, the ISO 3166-1 alpha-2
// form; whether the code is assigned is not checked), CN=CommonName, a
// random 128-bit serial number, a subject key identifier computed as RFC
// 5280 §4.2.1.2 method 1, key usage keyCertSign and cRLSign (critical), and
// basic constraints CA with path length 0 (critical): it signs DSCs only.
// Certificates are signed with SHA-256 (ECDSA, or RSA PKCS#1 v1.5 for RSA
// keys); NotBefore is Now less a minute of clock skew.
func NewCSCA(key crypto.Signer, o CSCAOptions) (*x509.Certificate, error) {
	if err := checkCountry(o.Country); err != nil {
		return nil, err
	}
	if o.CommonName == "" {
		o.CommonName = o.Country + " DCC CSCA"
	}
	if o.Validity == 0 {
		o.Validity = DefaultCSCAValidity
	}
	if o.Validity < 0 {
		return nil, errors.New("pki: negative validity")
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	ski, err := subjectKeyID(key.Public())
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{Country: []string{o.Country}, CommonName: o.CommonName},
		NotBefore:             o.Now.Add(-time.Minute).UTC(),
		NotAfter:              o.Now.Add(o.Validity).UTC(),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		SubjectKeyId:          ski,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	return x509.ParseCertificate(der)
}

// NewDSC creates a document signer certificate for pub, signed by the CSCA
// (HCERT §5.1.1): subject C=Country (which must be the CSCA's) and
// CN=CommonName, authority key identifier = the CSCA's subject key
// identifier, its own subject key identifier, key usage digitalSignature
// (critical), basic constraints not a CA (critical), and when Types are
// given an extended key usage extension listing their OIDs (without Types
// there is no such extension and the DSC signs every type). Its NotAfter is
// clipped to the CSCA's, so a DSC never outlives the CA that vouches for
// it; a CSCA that is not valid at Now is refused.
func NewDSC(csca *x509.Certificate, cscaKey crypto.Signer, pub crypto.PublicKey, o DSCOptions) (*x509.Certificate, error) {
	var eku []asn1.ObjectIdentifier
	for _, t := range o.Types {
		oids, ok := ekuOIDs[t]
		if !ok {
			return nil, fmt.Errorf("pki: unknown certificate type %v", t)
		}
		eku = append(eku, oids[0])
	}
	if o.CommonName == "" {
		o.CommonName = o.Country + " DCC DSC"
	}
	return newLeaf(csca, cscaKey, pub, o, eku)
}

// OIDDocumentSigning is id-kp-documentSigning (RFC 9336), the extended key
// usage of the national trust-list signer. As the only purpose listed, it
// also keeps that certificate from ever signing a DCC (Appendix A.4: an
// extended key usage without the DCC OIDs allows no type).
var OIDDocumentSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}

// NewTrustListSigner creates the certificate of the key that signs the
// national trust list, issued by the CSCA so that verifiers who trust the
// CSCA can check the list: a DSC-like leaf (o.Types must be empty) whose
// extended key usage is document signing only.
func NewTrustListSigner(csca *x509.Certificate, cscaKey crypto.Signer, pub crypto.PublicKey, o DSCOptions) (*x509.Certificate, error) {
	if len(o.Types) > 0 {
		return nil, errors.New("pki: a trust-list signer signs no certificate type")
	}
	if o.CommonName == "" {
		o.CommonName = o.Country + " DCC Trust List Signer"
	}
	return newLeaf(csca, cscaKey, pub, o, []asn1.ObjectIdentifier{OIDDocumentSigning})
}

func newLeaf(csca *x509.Certificate, cscaKey crypto.Signer, pub crypto.PublicKey, o DSCOptions, eku []asn1.ObjectIdentifier) (*x509.Certificate, error) {
	if err := checkCountry(o.Country); err != nil {
		return nil, err
	}
	if !slices.Contains(csca.Subject.Country, o.Country) {
		return nil, fmt.Errorf("pki: DSC country %s differs from the CSCA's %v", o.Country, csca.Subject.Country)
	}
	if !csca.IsCA || len(csca.SubjectKeyId) == 0 {
		return nil, errors.New("pki: the issuer is not a CSCA (not a CA, or no subject key identifier)")
	}
	if k, ok := cscaKey.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !k.Equal(csca.PublicKey) {
		return nil, errors.New("pki: the CSCA key does not belong to the CSCA certificate")
	}
	if o.Validity == 0 {
		o.Validity = DefaultDSCValidity
	}
	if o.Validity < 0 {
		return nil, errors.New("pki: negative validity")
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	notBefore := o.Now.Add(-time.Minute).UTC()
	notAfter := o.Now.Add(o.Validity).UTC()
	if notAfter.After(csca.NotAfter) {
		notAfter = csca.NotAfter
	}
	if !notBefore.Before(notAfter) || notBefore.Before(csca.NotBefore.Add(-time.Minute)) {
		return nil, fmt.Errorf("pki: the CSCA is not valid at %s", o.Now.UTC().Format(time.RFC3339))
	}
	ski, err := subjectKeyID(pub)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{Country: []string{o.Country}, CommonName: o.CommonName},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  false,
		SubjectKeyId:          ski,
		AuthorityKeyId:        csca.SubjectKeyId,
		UnknownExtKeyUsage:    eku,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, csca, pub, cscaKey)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	return x509.ParseCertificate(der)
}

// ParseTypes reads a list such as "v,t,r" (or "vaccination,test").
func ParseTypes(s string) ([]Type, error) {
	var out []Type
	for _, f := range strings.Split(s, ",") {
		var t Type
		switch strings.TrimSpace(strings.ToLower(f)) {
		case "":
			continue
		case "v", "vaccination":
			t = Vaccination
		case "t", "test":
			t = Test
		case "r", "recovery":
			t = Recovery
		default:
			return nil, fmt.Errorf("pki: certificate type %q: want v, t or r", f)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// WritePEM writes a certificate as PEM, refusing to overwrite.
func WritePEM(path string, cert *x509.Certificate) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("pki: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}); err != nil {
		f.Close()
		return fmt.Errorf("pki: %w", err)
	}
	return f.Close()
}

// ReadCertificates reads every certificate of a PEM file (one or many), a
// DER file, or every .pem, .crt, .cer and .der file of a directory.
func ReadCertificates(path string) ([]*x509.Certificate, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	if !st.IsDir() {
		return readCertFile(path)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	var out []*x509.Certificate
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".pem", ".crt", ".cer", ".der":
		default:
			continue
		}
		if e.IsDir() {
			continue
		}
		certs, err := readCertFile(filepath.Join(path, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, certs...)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("pki: no certificate files (.pem, .crt, .cer, .der) in %s", path)
	}
	return out, nil
}

// MaxCertificateFile bounds each file ReadCertificates reads: a trust
// list of a few thousand certificates fits many times over.
const MaxCertificateFile = 16 << 20

func readCertFile(path string) ([]*x509.Certificate, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxCertificateFile+1))
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	if len(data) > MaxCertificateFile {
		return nil, fmt.Errorf("pki: %s is larger than %d bytes: not a certificate file", path, MaxCertificateFile)
	}
	certs, err := ParseCertificates(data)
	if err != nil {
		return nil, fmt.Errorf("pki: %s: %w", path, err)
	}
	return certs, nil
}

// ParseCertificates reads every CERTIFICATE block of PEM data (other
// blocks, such as a key kept beside the certificate, are skipped), or one
// DER certificate.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		c, err := x509.ParseCertificate(data)
		if err != nil {
			return nil, fmt.Errorf("neither PEM nor a DER certificate: %w", err)
		}
		return []*x509.Certificate{c}, nil
	}
	var out []*x509.Certificate
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(out)+1, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no CERTIFICATE block in PEM data")
	}
	return out, nil
}
