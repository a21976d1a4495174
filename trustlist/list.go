package trustlist

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
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
	dscs  map[string][]*x509.Certificate // by kid
	cscas []*x509.Certificate
	seen  map[[32]byte]bool

	mu   sync.Mutex
	sigs map[sigPair]error // CSCA signatures on DSCs, checked once
}

type sigPair struct{ dsc, ca *x509.Certificate }

// New returns an empty list.
func New() *List {
	return &List{dscs: map[string][]*x509.Certificate{}, seen: map[[32]byte]bool{}, sigs: map[sigPair]error{}}
}

// CheckChain is pki.CheckDSC against the list's CSCAs: the DSC was issued
// by a CSCA of country, both valid at time at. Each CSCA signature is
// verified once per DSC and remembered — it costs as much as verifying the
// DCC itself — while validity is checked every time.
func (l *List) CheckChain(dsc *x509.Certificate, country string, at time.Time) error {
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

// Add adds a certificate: a CA certificate as a CSCA, any other as a DSC
// under its kid. A certificate already present is ignored.
func (l *List) Add(c *x509.Certificate) {
	if c.IsCA {
		l.AddCSCA(c)
	} else {
		l.AddDSC(c)
	}
}

// AddDSC adds a document signer certificate under its kid.
func (l *List) AddDSC(c *x509.Certificate) {
	if l.dup(c) {
		return
	}
	k := string(pki.KID(c))
	l.dscs[k] = append(l.dscs[k], c)
}

// AddCSCA adds a country signing CA.
func (l *List) AddCSCA(c *x509.Certificate) {
	if l.dup(c) {
		return
	}
	l.cscas = append(l.cscas, c)
}

func (l *List) dup(c *x509.Certificate) bool {
	h := sha256.Sum256(c.Raw)
	if l.seen[h] {
		return true
	}
	l.seen[h] = true
	return false
}

// Merge adds every certificate of o.
func (l *List) Merge(o *List) {
	for _, c := range o.cscas {
		l.AddCSCA(c)
	}
	for _, c := range o.AllDSCs() {
		l.AddDSC(c)
	}
}

// DSCs returns every DSC with the kid (hcert.TrustList).
func (l *List) DSCs(kid []byte) []*x509.Certificate { return l.dscs[string(kid)] }

// CSCAs returns the country signing CAs.
func (l *List) CSCAs() []*x509.Certificate { return l.cscas }

// AllDSCs returns every DSC, ordered by country, then kid.
func (l *List) AllDSCs() []*x509.Certificate {
	var out []*x509.Certificate
	for _, cs := range l.dscs {
		out = append(out, cs...)
	}
	slices.SortFunc(out, func(a, b *x509.Certificate) int {
		if c := strings.Compare(country(a), country(b)); c != 0 {
			return c
		}
		return strings.Compare(string(pki.KID(a)), string(pki.KID(b)))
	})
	return out
}

// Len returns the numbers of DSCs and CSCAs.
func (l *List) Len() (dscs, cscas int) {
	for _, cs := range l.dscs {
		dscs += len(cs)
	}
	return dscs, len(l.cscas)
}

func country(c *x509.Certificate) string {
	if len(c.Subject.Country) > 0 {
		return c.Subject.Country[0]
	}
	return ""
}

// Load reads PEM or DER certificates from a file or a directory of them.
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
// JSON file (its content starts with '['), or PEM/DER certificates. With
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
