package trustlist

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"sync"
	"time"
)

// Publisher signs the national trust list and keeps the signed document
// until a quarter of its validity is left, so that every request is served
// the same bytes (and the same ETag) and the key is used rarely.
type Publisher struct {
	country  string
	certs    []Entry
	key      crypto.Signer
	chain    []*x509.Certificate
	validity time.Duration
	now      func() time.Time

	mu      sync.Mutex
	body    []byte
	etag    string
	expires time.Time
}

// NewPublisher publishes dscs and cscas of a country (its own and those it
// imported) signed by key as chain[0]; validity is how long a verifier may
// use one copy (at least an hour).
func NewPublisher(country string, dscs, cscas []*x509.Certificate, key crypto.Signer, chain []*x509.Certificate,
	validity time.Duration, now func() time.Time) (*Publisher, error) {
	if validity < time.Hour {
		return nil, errors.New("trust list: validity must be at least an hour")
	}
	if now == nil {
		now = time.Now
	}
	p := &Publisher{country: country, key: key, chain: chain, validity: validity, now: now}
	p.certs = entries(dscs, cscas, now())
	if _, err := p.Signed(); err != nil {
		return nil, err
	}
	return p, nil
}

func entries(dscs, cscas []*x509.Certificate, at time.Time) []Entry {
	var out []Entry
	for _, c := range cscas {
		out = append(out, EntryFor(c, TypeCSCA, c.NotBefore))
	}
	for _, c := range dscs {
		if at.After(c.NotAfter) {
			continue // expired DSCs verify nothing current
		}
		out = append(out, EntryFor(c, TypeDSC, c.NotBefore))
	}
	return out
}

// Prepare signs a list of new content (after a synchronisation with the
// gateway) without publishing it; commit publishes it at once, with its
// new ETag. On error nothing changes.
func (p *Publisher) Prepare(dscs, cscas []*x509.Certificate) (commit func(), err error) {
	now := p.now()
	certs := entries(dscs, cscas, now)
	doc := Document{Country: p.country, Issued: now.UTC().Truncate(time.Second), Certificates: certs}
	doc.Expires = doc.Issued.Add(p.validity)
	body, err := Sign(doc, p.key, p.chain)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.certs, p.body, p.etag, p.expires = certs, body, etag, doc.Expires
	}, nil
}

// Signed returns the current signed list and its entity tag.
func (p *Publisher) Signed() (Signed, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.body != nil && now.Before(p.expires.Add(-p.validity/4)) {
		return Signed{Body: p.body, ETag: p.etag, Expires: p.expires}, nil
	}
	doc := Document{Country: p.country, Issued: now.UTC().Truncate(time.Second), Certificates: p.certs}
	doc.Expires = doc.Issued.Add(p.validity)
	body, err := Sign(doc, p.key, p.chain)
	if err != nil {
		return Signed{}, err
	}
	sum := sha256.Sum256(body)
	p.body, p.etag, p.expires = body, `"`+hex.EncodeToString(sum[:16])+`"`, doc.Expires
	return Signed{Body: p.body, ETag: p.etag, Expires: p.expires}, nil
}

// Signed is a signed trust list ready to serve.
type Signed struct {
	Body    []byte
	ETag    string // quoted, for ETag / If-None-Match
	Expires time.Time
}
