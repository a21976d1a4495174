package pki

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Certificate types a DSC may be restricted to (HCERT spec §5.1.1).
type Type byte

const (
	Test        Type = 't'
	Vaccination Type = 'v'
	Recovery    Type = 'r'
)

func (t Type) String() string {
	switch t {
	case Test:
		return "test"
	case Vaccination:
		return "vaccination"
	case Recovery:
		return "recovery"
	}
	return fmt.Sprintf("Type(%q)", byte(t))
}

// The extended key usage OIDs of the HCERT spec, and the spelling with an
// extra ".0" arc that some member states' DSCs carry and verifiers accept.
var (
	oidEKU = asn1.ObjectIdentifier{2, 5, 29, 37}

	ekuOIDs = map[Type][]asn1.ObjectIdentifier{
		Test:        {{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 1}, {1, 3, 6, 1, 4, 1, 0, 1847, 2021, 1, 1}},
		Vaccination: {{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 2}, {1, 3, 6, 1, 4, 1, 0, 1847, 2021, 1, 2}},
		Recovery:    {{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 3}, {1, 3, 6, 1, 4, 1, 0, 1847, 2021, 1, 3}},
	}
)

// OID returns the extended key usage OID (spec spelling) for t.
func OID(t Type) asn1.ObjectIdentifier { return slices.Clone(ekuOIDs[t][0]) }

// KID is the key identifier of a DSC: the first 8 bytes of the SHA-256 of
// its DER encoding (HCERT spec §3.3.1).
func KID(cert *x509.Certificate) []byte {
	sum := sha256.Sum256(cert.Raw)
	return sum[:8]
}

// Allows reports whether cert may sign certificates of type t: a DSC without
// the extended key usage extension signs every type; one with the extension
// signs only the types whose OIDs it lists (none if it lists other purposes
// but none of these; an empty extension restricts nothing).
func Allows(cert *x509.Certificate, t Type) bool {
	hasEKU := slices.ContainsFunc(cert.Extensions, func(e pkix.Extension) bool { return e.Id.Equal(oidEKU) })
	// An extension listing no purpose at all restricts nothing (the
	// member states' vector common/CO15 expects such a DSC to sign any type).
	if !hasEKU || len(cert.ExtKeyUsage)+len(cert.UnknownExtKeyUsage) == 0 {
		return true
	}
	for _, oid := range cert.UnknownExtKeyUsage {
		for _, want := range ekuOIDs[t] {
			if oid.Equal(want) {
				return true
			}
		}
	}
	return false
}

// ErrNoCSCA means no CSCA of the country issued the DSC.
var ErrNoCSCA = errors.New("no CSCA of the country issued this DSC")

// CheckDSC checks that dsc was issued by one of cscas of country at time at:
// the CSCA's subject key identifier equals the DSC's authority key
// identifier (or, lacking those, the names match), the CSCA's country is
// country, its signature on the DSC verifies, and both are valid at at.
func CheckDSC(dsc *x509.Certificate, cscas []*x509.Certificate, country string, at time.Time) error {
	return CheckDSCWith(dsc, cscas, country, at, func(dsc, ca *x509.Certificate) error { return dsc.CheckSignatureFrom(ca) })
}

// CheckDSCWith is CheckDSC with the CSCA's signature on the DSC checked by
// checkSig, so that a verifier checking many certificates of one DSC can
// remember the answer (the signature does not change; validity does).
func CheckDSCWith(dsc *x509.Certificate, cscas []*x509.Certificate, country string, at time.Time,
	checkSig func(dsc, ca *x509.Certificate) error) error {
	if err := validAt(dsc, at); err != nil {
		return fmt.Errorf("DSC: %w", err)
	}
	var reasons []string
	for _, ca := range cscas {
		if !slices.Contains(ca.Subject.Country, country) {
			continue
		}
		if len(dsc.AuthorityKeyId) > 0 && len(ca.SubjectKeyId) > 0 {
			if !bytes.Equal(dsc.AuthorityKeyId, ca.SubjectKeyId) {
				continue
			}
		} else if !bytes.Equal(dsc.RawIssuer, ca.RawSubject) {
			continue
		}
		if err := checkSig(dsc, ca); err != nil {
			reasons = append(reasons, fmt.Sprintf("CSCA %q: signature: %v", ca.Subject.CommonName, err))
			continue
		}
		if err := validAt(ca, at); err != nil {
			reasons = append(reasons, fmt.Sprintf("CSCA %q: %v", ca.Subject.CommonName, err))
			continue
		}
		return nil
	}
	if len(reasons) > 0 {
		return fmt.Errorf("%w (%s): %s", ErrNoCSCA, country, reasons[0])
	}
	return fmt.Errorf("%w (%s): no CSCA with a matching key identifier", ErrNoCSCA, country)
}

func validAt(c *x509.Certificate, at time.Time) error {
	if at.Before(c.NotBefore) {
		return fmt.Errorf("not valid before %s", c.NotBefore.UTC().Format(time.RFC3339))
	}
	if at.After(c.NotAfter) {
		return fmt.Errorf("expired at %s", c.NotAfter.UTC().Format(time.RFC3339))
	}
	return nil
}
