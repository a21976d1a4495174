package gatewayserver

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"dcc/cms"
)

// Thumbprint is the lowercase hex SHA-256 of a certificate's DER
// (gateway.md §A.4).
func Thumbprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return hex.EncodeToString(sum[:])
}

// Onboarding is what the operator onboards for one country (gateway.md
// §A.2): its TLS client certificate(s) with their revocation roles, its
// UPLOAD and CSCA certificates.
type Onboarding struct {
	Country        string
	Authentication []*x509.Certificate
	Upload         []*x509.Certificate
	CSCA           []*x509.Certificate
	Roles          []string // of the AUTHENTICATION rows
}

// Anchor is the gateway operator's trust anchor (DCCG_TA): it signs every
// trusted-party row.
type Anchor struct {
	Cert *x509.Certificate
	Key  crypto.Signer // nil for a server that only verifies
}

// Onboard checks o and inserts one row per certificate, each signed by the
// anchor with a detached CMS over the certificate's DER (gateway.md §B.1).
// Nothing is inserted if a check fails.
func Onboard(ctx context.Context, s *Store, ta Anchor, o Onboarding, now time.Time) error {
	if ta.Key == nil || ta.Cert == nil {
		return errors.New("onboard: the trust anchor's certificate and key are needed to sign the rows")
	}
	if !validCountry(o.Country) {
		return fmt.Errorf("onboard: country %q: want 2 upper-case letters", o.Country)
	}
	for _, r := range o.Roles {
		if r != RoleListReader && r != RoleUploader && r != RoleDeleter {
			return fmt.Errorf("onboard: role %q: want %s, %s or %s", r, RoleListReader, RoleUploader, RoleDeleter)
		}
	}
	existing, err := s.TrustedParties(ctx, "", o.Country, time.Time{})
	if err != nil {
		return fmt.Errorf("onboard: %w", err)
	}
	seen := map[string]string{}
	for _, p := range existing {
		seen[p.Thumbprint] = p.Type
	}
	// A new country brings all three roles; an onboarded one may add
	// certificates of any role, such as a new UPLOAD certificate before
	// the old one expires (a key rotation).
	switch {
	case len(existing) == 0 && (len(o.Authentication) == 0 || len(o.Upload) == 0 || len(o.CSCA) == 0):
		return errors.New("onboard: a country needs at least one AUTHENTICATION, one UPLOAD and one CSCA certificate")
	case len(o.Authentication)+len(o.Upload)+len(o.CSCA) == 0:
		return errors.New("onboard: no certificate to add")
	}
	var rows []TrustedParty
	add := func(typ string, certs []*x509.Certificate) error {
		for _, c := range certs {
			tp := Thumbprint(c)
			// The UPLOAD certificate must differ from the country's others
			// (certificate governance §2.4).
			if other, dup := seen[tp]; dup {
				if other == typ {
					return fmt.Errorf("onboard: %s certificate %s of %s: %w", typ, tp, o.Country, ErrExists)
				}
				return fmt.Errorf("onboard: %s certificate %s is also the %s certificate: each role needs its own", typ, tp, other)
			}
			seen[tp] = typ
			if typ == TypeCSCA && !c.IsCA {
				return fmt.Errorf("onboard: CSCA certificate %s: not a CA (basic constraints)", tp)
			}
			sig, err := cms.Sign(c.Raw, ta.Key, ta.Cert, cms.SignOptions{Detached: true, AlgorithmProtection: true, Now: func() time.Time { return now }})
			if err != nil {
				return fmt.Errorf("onboard: sign %s certificate %s with the trust anchor: %w", typ, tp, err)
			}
			row := TrustedParty{Type: typ, Thumbprint: tp, Country: o.Country, RawData: base64.StdEncoding.EncodeToString(c.Raw),
				Signature: cms.EncodeBase64(sig), CreatedAt: now}
			if typ == TypeAuthentication {
				row.Roles = slices.Clone(o.Roles)
			}
			rows = append(rows, row)
		}
		return nil
	}
	for _, g := range []struct {
		typ   string
		certs []*x509.Certificate
	}{{TypeAuthentication, o.Authentication}, {TypeUpload, o.Upload}, {TypeCSCA, o.CSCA}} {
		if err := add(g.typ, g.certs); err != nil {
			return err
		}
	}
	return s.addTrustedParties(ctx, rows)
}

// VerifyRow checks a row's signature against the trust anchor (gateway.md
// §A.4, validateCertificateIntegrity) and returns its certificate.
func VerifyRow(ta *x509.Certificate, p TrustedParty) (*x509.Certificate, error) {
	der, err := base64.StdEncoding.DecodeString(p.RawData)
	if err != nil {
		return nil, fmt.Errorf("rawData: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("rawData: %w", err)
	}
	if Thumbprint(cert) != p.Thumbprint {
		return nil, errors.New("thumbprint is not the SHA-256 of rawData")
	}
	sd, err := cms.ParseBase64(p.Signature)
	if err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	if len(sd.SignerInfos) != 1 {
		return nil, fmt.Errorf("signature: %d signers, want 1", len(sd.SignerInfos))
	}
	if err := sd.SignerInfos[0].Verify(ta, der); err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	return cert, nil
}
