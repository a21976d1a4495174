package trustlist

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"dcc/pki"
)

// Entry is one certificate of the EU DCC Gateway's trust list, and of the
// national list's payload.
type Entry struct {
	KID             string `json:"kid"`             // base64 of the first 8 bytes of the thumbprint
	Timestamp       string `json:"timestamp"`       // RFC 3339
	Country         string `json:"country"`         // ISO 3166-1 alpha-2
	CertificateType string `json:"certificateType"` // DSC, CSCA (others are ignored)
	Thumbprint      string `json:"thumbprint"`      // hex SHA-256 of rawData
	Signature       string `json:"signature"`       // CMS signature of rawData: the gateway trust anchor's, or for a DSC its country's UPLOAD key's (ParseGatewaySigned)
	RawData         string `json:"rawData"`         // base64 DER
}

// Certificate types of the gateway.
const (
	TypeDSC    = "DSC"
	TypeCSCA   = "CSCA"
	TypeUpload = "UPLOAD" // signs the country's DSC entries; not a trust-list certificate itself
)

// MaxSize bounds a trust-list document.
const MaxSize = 32 << 20

// EntryError is an entry that is not what it says it is.
type EntryError struct {
	Index int
	KID   string
	Err   error
}

func (e *EntryError) Error() string {
	return fmt.Sprintf("trust list entry %d (kid %q): %v", e.Index, e.KID, e.Err)
}

func (e *EntryError) Unwrap() error { return e.Err }

// ParseGateway reads the gateway's trust-list JSON (an array of entries).
// Each DSC and CSCA entry must hold a certificate whose SHA-256 is the
// thumbprint, whose kid is the first 8 bytes of it, and whose subject
// country is the entry's; a mismatch fails the whole list (a list with a
// forged entry is not to be trusted in part). Entries of other types
// (UPLOAD, AUTHENTICATION) are skipped.
//
// The entries' signatures are not checked: the list is trusted as far as
// the channel it came by. ParseGatewaySigned checks them.
func ParseGateway(data []byte) (*List, error) {
	entries, err := decodeGateway(data)
	if err != nil {
		return nil, err
	}
	return fromEntries(entries)
}

func decodeGateway(data []byte) ([]Entry, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("trust list: larger than %d bytes", MaxSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var entries []Entry
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("trust list: not a gateway trust list (an array of {kid, timestamp, country, certificateType, thumbprint, signature, rawData}): %w", err)
	}
	if dec.More() {
		return nil, errors.New("trust list: data after the array")
	}
	return entries, nil
}

func fromEntries(entries []Entry) (*List, error) {
	l := New()
	for i, e := range entries {
		if e.CertificateType != TypeDSC && e.CertificateType != TypeCSCA {
			continue
		}
		c, err := e.certificate()
		if err != nil {
			return nil, &EntryError{Index: i, KID: e.KID, Err: err}
		}
		if e.CertificateType == TypeCSCA {
			l.AddCSCA(c)
		} else {
			l.AddDSC(c)
		}
	}
	return l, nil
}

func (e Entry) certificate() (*x509.Certificate, error) {
	raw, err := base64.StdEncoding.DecodeString(e.RawData)
	if err != nil {
		return nil, fmt.Errorf("rawData: not base64: %w", err)
	}
	c, err := x509.ParseCertificate(raw)
	if err != nil {
		return nil, fmt.Errorf("rawData: not a certificate: %w", err)
	}
	sum := sha256.Sum256(raw)
	if !strings.EqualFold(e.Thumbprint, hex.EncodeToString(sum[:])) {
		return nil, errors.New("thumbprint: not the SHA-256 of rawData")
	}
	if want := base64.StdEncoding.EncodeToString(sum[:8]); e.KID != want {
		return nil, fmt.Errorf("kid: %q is not the certificate's (%s)", e.KID, want)
	}
	if country(c) != e.Country {
		return nil, fmt.Errorf("country: %q, but the certificate's subject is of %q", e.Country, country(c))
	}
	if e.Timestamp != "" {
		if _, err := time.Parse(time.RFC3339, e.Timestamp); err != nil {
			return nil, fmt.Errorf("timestamp: %q is not RFC 3339", e.Timestamp)
		}
	}
	return c, nil
}

// EntryFor describes a certificate as a trust-list entry.
func EntryFor(c *x509.Certificate, certType string, at time.Time) Entry {
	sum := sha256.Sum256(c.Raw)
	return Entry{
		KID:             base64.StdEncoding.EncodeToString(pki.KID(c)),
		Timestamp:       at.UTC().Format(time.RFC3339),
		Country:         country(c),
		CertificateType: certType,
		Thumbprint:      hex.EncodeToString(sum[:]),
		RawData:         base64.StdEncoding.EncodeToString(c.Raw),
	}
}
