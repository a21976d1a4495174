package signer

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"

	"dcc"
	"dcc/hcert"
	"dcc/pki"
)

// DSC is a document signer: its certificate and the key that signs as it.
type DSC struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// Signer signs certificates for issuing authorities. It is safe for
// concurrent use if the keys are (file keys and PKCS#11 sessions are).
type Signer struct {
	dscs map[string][]DSC // by authority
}

// New checks that every key belongs to its certificate and builds a Signer.
func New(dscs map[string][]DSC) (*Signer, error) {
	s := &Signer{dscs: map[string][]DSC{}}
	var errs []error
	for authority, list := range dscs {
		if len(list) == 0 {
			errs = append(errs, fmt.Errorf("authority %q has no DSC", authority))
		}
		for i, d := range list {
			if d.Cert == nil || d.Key == nil {
				errs = append(errs, fmt.Errorf("authority %q DSC %d: certificate or key missing", authority, i))
				continue
			}
			if !samePublicKey(d.Cert.PublicKey, d.Key.Public()) {
				errs = append(errs, fmt.Errorf("authority %q DSC %d (%s): the key is not the certificate's key", authority, i, d.Cert.Subject))
			}
		}
		s.dscs[authority] = slices.Clone(list)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("signer: %w", errors.Join(errs...))
	}
	return s, nil
}

func samePublicKey(a, b crypto.PublicKey) bool {
	da, err1 := x509.MarshalPKIXPublicKey(a)
	db, err2 := x509.MarshalPKIXPublicKey(b)
	return err1 == nil && err2 == nil && bytes.Equal(da, db)
}

// ErrNoDSC means the authority has no DSC that may sign the certificate.
var ErrNoDSC = errors.New("signer: no DSC of this authority may sign this certificate")

// Signed is a signed certificate.
type Signed struct {
	COSE   []byte
	DSC    *x509.Certificate
	KID    []byte
	Claims hcert.Claims // as signed: Expires may be earlier than asked
}

// Sign signs payload (CBOR) as a DSC of authority that allows type t and is
// valid at c.IssuedAt, preferring the one valid longest. The expiry is cut
// to the DSC's notAfter, which a certificate must not outlive (HCERT
// §3.3.6).
func (s *Signer) Sign(authority string, t dcc.Type, c hcert.Claims, payload []byte) (Signed, error) {
	d, err := s.choose(authority, t, c.IssuedAt)
	if err != nil {
		return Signed{}, err
	}
	if c.Expires.After(d.Cert.NotAfter) {
		c.Expires = d.Cert.NotAfter.Truncate(time.Second)
	}
	cose, err := hcert.Sign(d.Key, d.Cert, c, payload)
	if err != nil {
		return Signed{}, fmt.Errorf("signer: %w", err)
	}
	return Signed{COSE: cose, DSC: d.Cert, KID: pki.KID(d.Cert), Claims: c}, nil
}

func (s *Signer) choose(authority string, t dcc.Type, at time.Time) (DSC, error) {
	list, ok := s.dscs[authority]
	if !ok {
		return DSC{}, fmt.Errorf("%w: authority %q has no keys here", ErrNoDSC, authority)
	}
	var best DSC
	for _, d := range list {
		if !pki.Allows(d.Cert, pki.Type(t[0])) || at.Before(d.Cert.NotBefore) || !at.Before(d.Cert.NotAfter) {
			continue
		}
		if best.Cert == nil || d.Cert.NotAfter.After(best.Cert.NotAfter) {
			best = d
		}
	}
	if best.Cert == nil {
		return DSC{}, fmt.Errorf("%w: none of the %d DSCs of %q is valid on %s and allowed to sign %s certificates",
			ErrNoDSC, len(list), authority, at.UTC().Format(time.DateOnly), t)
	}
	return best, nil
}

// Certificates returns the DSCs of an authority (for publication in a trust
// list).
func (s *Signer) Certificates(authority string) []*x509.Certificate {
	var out []*x509.Certificate
	for _, d := range s.dscs[authority] {
		out = append(out, d.Cert)
	}
	return out
}

// CanSign reports whether the authority has a DSC for type t at time at.
func (s *Signer) CanSign(authority string, t dcc.Type, at time.Time) bool {
	_, err := s.choose(authority, t, at)
	return err == nil
}
