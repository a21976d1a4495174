package revocation

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// HashType says what a revocation entry hashes.
type HashType string

const (
	UCI            HashType = "UCI"
	CountryCodeUCI HashType = "COUNTRYCODEUCI"
	Signature      HashType = "SIGNATURE"
)

// Hash is the first 16 bytes of a SHA-256.
type Hash [16]byte

func sum(parts ...[]byte) Hash {
	// A UVCI with its country fits the buffer: no allocation per hash.
	var buf [128]byte
	b := buf[:0]
	for _, p := range parts {
		b = append(b, p...)
	}
	d := sha256.Sum256(b)
	return Hash(d[:16])
}

// Hashes of one certificate, as the three hash types compute them.
type Hashes struct {
	UCI, CountryCodeUCI, Signature Hash
	HasSignature                   bool
	// EntryCountryUCI is the COUNTRYCODEUCI hash with the entry's co in
	// place of the CWT iss, set by OfCertificate when the two differ: the
	// EU's Android verifier and hcert-dotnet hash co, the other reference
	// apps iss (gateway.md §C.2), so a list may hold either.
	EntryCountryUCI    Hash
	HasEntryCountryUCI bool
}

// Of computes the hashes of a certificate from its identifier, its issuing
// country (CWT iss) and its COSE signature (nil when unknown). An issuer
// revoking by COUNTRYCODEUCI hashes with iss, as the specification says.
func Of(uvci, country string, signature []byte) Hashes {
	h := Hashes{UCI: sum([]byte(uvci)), CountryCodeUCI: sum([]byte(country), []byte(uvci))}
	if len(signature) > 0 {
		h.Signature, h.HasSignature = SignatureHash(signature), true
	}
	return h
}

// OfCertificate is Of for a verifier: when the entry's country co differs
// from the issuing country iss, it also computes the COUNTRYCODEUCI hash
// with co, which Check then looks up as well. It costs one more look-up.
func OfCertificate(uvci, iss, co string, signature []byte) Hashes {
	h := Of(uvci, iss, signature)
	if co != "" && co != iss {
		h.EntryCountryUCI, h.HasEntryCountryUCI = sum([]byte(co), []byte(uvci)), true
	}
	return h
}

// SignatureHash hashes a COSE signature: for an ECDSA P-256 signature
// (64 bytes, r||s) only r, otherwise all of it.
func SignatureHash(sig []byte) Hash {
	if len(sig) == 64 {
		return sum(sig[:32])
	}
	return sum(sig)
}

func (h Hashes) of(t HashType) (Hash, bool) {
	switch t {
	case UCI:
		return h.UCI, true
	case CountryCodeUCI:
		return h.CountryCodeUCI, true
	case Signature:
		return h.Signature, h.HasSignature
	}
	return Hash{}, false
}

// UnknownKID is the kid of a batch whose certificates' DSC the revoking
// country does not know (gateway.md §C.4): its entries apply under any kid.
const UnknownKID = "UNKNOWN_KID"

// Batch is the gateway's revocation batch.
type Batch struct {
	Country  string    `json:"country"`
	Expires  time.Time `json:"expires"`
	KID      string    `json:"kid"` // base64 kid of the DSC; empty or UnknownKID: any
	HashType HashType  `json:"hashType"`
	Entries  []Entry   `json:"entries"`
}

// Entry is one revoked hash, base64.
type Entry struct {
	Hash string `json:"hash"`
}

// Document is a set of batches, as the registry publishes them.
type Document struct {
	Batches []Batch `json:"batches"`
}

// MaxSize bounds a revocation document.
const MaxSize = 64 << 20

// Parse reads one batch, an array of batches, or a {"batches": [...]}
// document, strictly.
func Parse(data []byte) ([]Batch, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("revocation: larger than %d bytes", MaxSize)
	}
	data = bytes.TrimSpace(data)
	strict := func(v any) error {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			return err
		}
		if dec.More() {
			return errors.New("data after the JSON value")
		}
		return nil
	}
	var out []Batch
	var err error
	switch {
	case len(data) > 0 && data[0] == '[':
		err = strict(&out)
	case bytes.Contains(data, []byte(`"batches"`)):
		var d Document
		err = strict(&d)
		out = d.Batches
	default:
		var b Batch
		err = strict(&b)
		out = []Batch{b}
	}
	if err != nil {
		return nil, fmt.Errorf("revocation: not a revocation batch, array of batches or {\"batches\": […]}: %w", err)
	}
	for i, b := range out {
		if err := b.check(); err != nil {
			return nil, fmt.Errorf("revocation: batch %d: %w", i, err)
		}
	}
	return out, nil
}

func (b Batch) check() error {
	switch b.HashType {
	case UCI, CountryCodeUCI, Signature:
	default:
		return fmt.Errorf("hashType %q: want UCI, COUNTRYCODEUCI or SIGNATURE", b.HashType)
	}
	if b.KID != "" && b.KID != UnknownKID {
		if k, err := base64.StdEncoding.DecodeString(b.KID); err != nil || len(k) != 8 {
			return fmt.Errorf("kid %q: want the base64 of 8 bytes", b.KID)
		}
	}
	if b.Expires.IsZero() {
		return errors.New("expires: missing")
	}
	for i, e := range b.Entries {
		if h, err := base64.StdEncoding.DecodeString(e.Hash); err != nil || len(h) != len(Hash{}) {
			return fmt.Errorf("entries[%d].hash %q: want the base64 of 16 bytes", i, e.Hash)
		}
	}
	return nil
}

// List is a set of revoked hashes.
type List struct {
	// m holds the entries of batches with an 8-byte kid (every DSC's) or
	// none, of the three hash types, under keys of fixed size: a look-up
	// hashes 26 bytes and allocates nothing. → the batch's country, for
	// the explanation, as an index in countries: a map without pointers,
	// which the garbage collector does not scan.
	m         map[key]uint32
	countries []string
	country   map[string]uint32 // index in countries
	// other holds the rest as given (a kid of another length, a hash type
	// of none of the three), so that such batches behave as they did.
	other map[otherKey]string
}

// countryIndex is the index of c in l.countries, added if new.
func (l *List) countryIndex(c string) uint32 {
	if i, ok := l.country[c]; ok {
		return i
	}
	i := uint32(len(l.countries))
	l.countries = append(l.countries, c)
	l.country[c] = i
	return i
}

type key struct {
	kid    [8]byte
	hasKID bool
	typ    uint8 // index in hashTypes
	hash   Hash
}

type otherKey struct {
	kid  string // base64
	typ  HashType
	hash Hash
}

// hashTypes in the order Check tries them.
var hashTypes = [...]HashType{Signature, UCI, CountryCodeUCI}

func typeIndex(t HashType) (uint8, bool) {
	for i, h := range hashTypes {
		if h == t {
			return uint8(i), true
		}
	}
	return 0, false
}

// NewList returns an empty list.
func NewList() *List {
	return &List{m: map[key]uint32{}, country: map[string]uint32{}, other: map[otherKey]string{}}
}

// Add takes the entries of batches not expired at time at and returns how
// many batches were taken.
func (l *List) Add(batches []Batch, at time.Time) int {
	n := 0
	for _, b := range batches {
		if !at.Before(b.Expires) {
			continue
		}
		n++
		kid := b.KID
		if kid == UnknownKID {
			kid = ""
		}
		k, fixed := key{}, false
		if t, ok := typeIndex(b.HashType); ok {
			k.typ = t
			raw, err := base64.StdEncoding.DecodeString(kid)
			// Only the canonical base64 of 8 bytes: Check encodes a kid so.
			if fixed = err == nil && (kid == "" || len(raw) == 8 && base64.StdEncoding.EncodeToString(raw) == kid); fixed && kid != "" {
				k.kid, k.hasKID = [8]byte(raw), true
			}
		}
		for _, e := range b.Entries {
			var h Hash
			raw, _ := base64.StdEncoding.DecodeString(e.Hash)
			copy(h[:], raw)
			if fixed {
				k.hash = h
				l.m[k] = l.countryIndex(b.Country)
			} else {
				l.other[otherKey{kid, b.HashType, h}] = b.Country
			}
		}
	}
	return n
}

// Len is the number of revoked hashes.
func (l *List) Len() int { return len(l.m) + len(l.other) }

// Match is why a certificate is revoked.
type Match struct {
	HashType HashType
	Country  string // of the batch
	// EntryCountry: the COUNTRYCODEUCI hash matched with the entry's co,
	// not with the CWT iss.
	EntryCountry bool
}

// Check looks a certificate up by every hash type, in the batches of its
// DSC's kid and in batches without a kid (or with UNKNOWN_KID).
func (l *List) Check(kid []byte, h Hashes) (Match, bool) {
	look := func(t uint8, v Hash) (string, bool) {
		if len(kid) == 8 {
			if c, hit := l.m[key{kid: [8]byte(kid), hasKID: true, typ: t, hash: v}]; hit {
				return l.countries[c], true
			}
		} else if len(l.other) > 0 {
			if c, hit := l.other[otherKey{base64.StdEncoding.EncodeToString(kid), hashTypes[t], v}]; hit {
				return c, true
			}
		}
		if c, hit := l.m[key{typ: t, hash: v}]; hit {
			return l.countries[c], true
		}
		return "", false
	}
	for i, t := range hashTypes {
		v, ok := h.of(t)
		if !ok {
			continue
		}
		if c, hit := look(uint8(i), v); hit {
			return Match{HashType: t, Country: c}, true
		}
	}
	if h.HasEntryCountryUCI {
		if c, hit := look(2, h.EntryCountryUCI); hit { // hashTypes[2] is CountryCodeUCI
			return Match{HashType: CountryCodeUCI, Country: c, EntryCountry: true}, true
		}
	}
	return Match{}, false
}

// EntryOf encodes a hash for a batch.
func EntryOf(h Hash) Entry { return Entry{Hash: base64.StdEncoding.EncodeToString(h[:])} }

// Revoked is one revoked certificate of the issuing country, as its
// registry publishes or uploads it.
type Revoked struct {
	UVCI      string
	KID       string // base64 kid of its DSC
	Signature []byte // its COSE signature; nil when unknown
	Expires   time.Time
}

// Batches groups a country's revoked certificates as the gateway wants
// them: per DSC kid, one batch of UCI hashes, one of COUNTRYCODEUCI hashes
// (with the country as the CWT iss) and, for the certificates whose
// signature is known, one of SIGNATURE hashes (gateway.md §C.1) — so that a
// verifier that reads only one hash type finds each of them. A batch holds
// at most limit entries (0: no limit) and expires when the last of its
// certificates does. The order is that of revs (kids in order of first
// appearance), so equal input gives equal batches.
func Batches(country string, revs []Revoked, limit int) []Batch {
	type key struct {
		kid string
		typ HashType
	}
	open := map[key]int{} // index in out of the batch being filled
	var out []Batch
	add := func(kid string, typ HashType, h Hash, exp time.Time) {
		k := key{kid, typ}
		i, ok := open[k]
		if !ok || (limit > 0 && len(out[i].Entries) >= limit) {
			out = append(out, Batch{Country: country, KID: kid, HashType: typ})
			i = len(out) - 1
			open[k] = i
		}
		b := &out[i]
		b.Entries = append(b.Entries, EntryOf(h))
		if exp.After(b.Expires) {
			b.Expires = exp
		}
	}
	for _, r := range revs {
		h := Of(r.UVCI, country, r.Signature)
		add(r.KID, UCI, h.UCI, r.Expires)
		add(r.KID, CountryCodeUCI, h.CountryCodeUCI, r.Expires)
		if h.HasSignature {
			add(r.KID, Signature, h.Signature, r.Expires)
		}
	}
	return out
}
