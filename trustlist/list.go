package trustlist

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"dcc/pki"
)

// List is a set of DSCs and CSCAs. The zero value is not usable; use New.
// A List is safe for concurrent reads once built.
type List struct {
	signers map[string][]*x509.Certificate // by kid: the DSCs and the self-signers
	cscas   []*x509.Certificate
	roles   map[[32]byte]role // by the certificate's SHA-256
	// sums are the SHA-256 of the certificates added, by pointer: a
	// verification asks the role of the DSC it found here, and hashing
	// its DER each time costs more than the rest of CheckChain.
	sums map[*x509.Certificate][32]byte

	mu   sync.Mutex
	sigs map[sigPair]error // CSCA signatures on DSCs, checked once
}

// role is what a certificate is in the list; one may be several.
type role uint8

const (
	asDSC  role = 1 << iota // a document signer (AddDSC)
	asCSCA                  // a country signing CA (AddCSCA)
	// asSelfSigner: a CA certificate given in a trust file, tried as a
	// signer too (Add), not listed as a DSC (AllDSCs).
	asSelfSigner
)

type sigPair struct{ dsc, ca *x509.Certificate }

// New returns an empty list.
func New() *List {
	return &List{signers: map[string][]*x509.Certificate{}, roles: map[[32]byte]role{}, sums: map[*x509.Certificate][32]byte{}, sigs: map[sigPair]error{}}
}

// CheckChain is pki.CheckDSC against the list's CSCAs: the DSC was issued
// by a CSCA of country, both valid at time at. Each CSCA signature is
// verified once per DSC and remembered — it costs as much as verifying the
// DCC itself — while validity is checked every time.
//
// A signer that is itself one of the list's CSCAs of country (a CA
// certificate of a trust file, or a certificate a typed list names both
// DSC and CSCA) is its own trust anchor: it was given as one, so it needs
// no CSCA above it, only to be valid at time at.
func (l *List) CheckChain(dsc *x509.Certificate, country string, at time.Time) error {
	if l.roles[l.sum(dsc)]&asCSCA != 0 && slices.Contains(dsc.Subject.Country, country) {
		switch {
		case at.Before(dsc.NotBefore):
			return fmt.Errorf("DSC: a CSCA of %s given as a trust anchor, not valid before %s", country, dsc.NotBefore.UTC().Format(time.RFC3339))
		case at.After(dsc.NotAfter):
			return fmt.Errorf("DSC: a CSCA of %s given as a trust anchor, expired at %s", country, dsc.NotAfter.UTC().Format(time.RFC3339))
		}
		return nil
	}
	return pki.CheckDSCWith(dsc, l.cscas, country, at, func(dsc, ca *x509.Certificate) error {
		k := sigPair{dsc, ca}
		l.mu.Lock()
		err, done := l.sigs[k]
		l.mu.Unlock()
		if done {
			return err
		}
		err = dsc.CheckSignatureFrom(ca)
		l.mu.Lock()
		l.sigs[k] = err
		l.mu.Unlock()
		return err
	})
}

// IsCSCA reports whether c is one of the list's CSCAs.
func (l *List) IsCSCA(c *x509.Certificate) bool {
	return l.roles[l.sum(c)]&asCSCA != 0
}

// sum is the SHA-256 of c's DER, remembered for the certificates added.
func (l *List) sum(c *x509.Certificate) [32]byte {
	if h, ok := l.sums[c]; ok {
		return h
	}
	return sha256.Sum256(c.Raw)
}

// remember is sum for a certificate being added.
func (l *List) remember(c *x509.Certificate) [32]byte {
	h := sha256.Sum256(c.Raw)
	l.sums[c] = h
	return h
}

// Add adds a certificate read from a trust file: any other than a CA
// certificate as a DSC under its kid; a CA certificate as a CSCA, and also
// as a signer under its own kid (a self-signer), because other
// implementations sign DCCs with self-signed certificates that carry
// CA:TRUE (what `openssl req -x509` makes). A self-signer is tried as the
// signer of a DCC (DSCs) and, being a CSCA, is its own trust anchor in
// CheckChain; it is not listed among AllDSCs, so a list published from
// this one names it a CSCA only. A certificate already present in a role
// is ignored.
func (l *List) Add(c *x509.Certificate) {
	if c.IsCA {
		l.AddCSCA(c)
		l.addSigner(c, asSelfSigner)
	} else {
		l.AddDSC(c)
	}
}

// AddDSC adds a document signer certificate under its kid.
func (l *List) AddDSC(c *x509.Certificate) { l.addSigner(c, asDSC) }

func (l *List) addSigner(c *x509.Certificate, r role) {
	h := l.remember(c)
	had := l.roles[h]
	if had&r != 0 {
		return
	}
	l.roles[h] = had | r
	if had&(asDSC|asSelfSigner) == 0 {
		k := string(pki.KID(c))
		l.signers[k] = append(l.signers[k], c)
	}
}

// AddCSCA adds a country signing CA.
func (l *List) AddCSCA(c *x509.Certificate) {
	h := l.remember(c)
	had := l.roles[h]
	if had&asCSCA != 0 {
		return
	}
	l.roles[h] = had | asCSCA
	l.cscas = append(l.cscas, c)
}

// Merge adds every certificate of o, in the roles it has there.
func (l *List) Merge(o *List) {
	for _, c := range o.cscas {
		l.AddCSCA(c)
	}
	for _, cs := range o.signers {
		for _, c := range cs {
			r := o.roles[o.sum(c)]
			if r&asDSC != 0 {
				l.addSigner(c, asDSC)
			}
			if r&asSelfSigner != 0 {
				l.addSigner(c, asSelfSigner)
			}
		}
	}
}

// DSCs returns every certificate that may have signed a DCC with the kid
// (hcert.TrustList): the DSCs and the self-signers (Add) with that kid.
func (l *List) DSCs(kid []byte) []*x509.Certificate { return l.signers[string(kid)] }

// CSCAs returns the country signing CAs.
func (l *List) CSCAs() []*x509.Certificate { return l.cscas }

// AllDSCs returns every DSC, ordered by country, then kid. The
// self-signers, CSCAs tried as signers, are not among them.
func (l *List) AllDSCs() []*x509.Certificate {
	var out []*x509.Certificate
	for _, cs := range l.signers {
		for _, c := range cs {
			if l.roles[l.sum(c)]&asDSC != 0 {
				out = append(out, c)
			}
		}
	}
	slices.SortFunc(out, func(a, b *x509.Certificate) int {
		if c := strings.Compare(country(a), country(b)); c != 0 {
			return c
		}
		return strings.Compare(string(pki.KID(a)), string(pki.KID(b)))
	})
	return out
}

// Len returns the numbers of DSCs (AllDSCs) and CSCAs.
func (l *List) Len() (dscs, cscas int) {
	for r := range maps.Values(l.roles) {
		if r&asDSC != 0 {
			dscs++
		}
	}
	return dscs, len(l.cscas)
}

func country(c *x509.Certificate) string {
	if len(c.Subject.Country) > 0 {
		return c.Subject.Country[0]
	}
	return ""
}

// Load reads PEM or DER certificates from a file or a directory of them,
// each filed by Add: a CA certificate is a CSCA and a self-signer.
func Load(path string) (*List, error) {
	certs, err := pki.ReadCertificates(path)
	if err != nil {
		return nil, err
	}
	l := New()
	for _, c := range certs {
		l.Add(c)
	}
	return l, nil
}

// Read reads a trust list from a file or directory: a gateway trust-list
// JSON file (its content starts with '['), whose entries keep the types
// they are given, or PEM/DER certificates (Load). With
// gatewayAnchors, a gateway list's entries must carry their signatures by
// one of them (ParseGatewaySigned); without, they are not checked.
func Read(path string, gatewayAnchors []*x509.Certificate) (*List, error) {
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '[' {
			if len(gatewayAnchors) > 0 {
				return ParseGatewaySigned(data, gatewayAnchors)
			}
			return ParseGateway(data)
		}
	}
	return Load(path)
}
