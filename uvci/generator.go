package uvci

import (
	"crypto/rand"
	"fmt"
	"io"
	"time"
)

// Generator limits.
const (
	// MaxIssuerLength is the longest issuer prefix NewGenerator accepts.
	MaxIssuerLength = 20
	// MinUnique is the fewest random characters in a generated identifier:
	// 16 × log2(36) ≈ 82 bits, so collisions stay negligible at national
	// scale and identifiers cannot be guessed.
	MinUnique = 16
	// TimeChars is the length of the time part of an ordered identifier
	// (see [Generator.Ordered]): milliseconds since 1970 in base 36, which
	// nine characters hold until the year 5000.
	TimeChars = 9
	// MinOrderedRandom is the fewest random characters after the time
	// part: 10 × log2(36) ≈ 52 bits for the identifiers one issuer makes
	// in one millisecond.
	MinOrderedRandom = 10
)

// timeSymbols are the digits of the time part, in ASCII order so that
// identifiers sort as their times do.
const timeSymbols = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// uniqueSymbols is the alphabet of the unique part: A–Z and 0–9, no
// separators, so the unique part is one unambiguous segment.
const uniqueSymbols = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// Generator issues new identifiers of the form
// URN:UVCI:01:<CC>:<issuer prefix>/<unique part>#<check>.
//
// The unique part is sized so that the identifier without "URN:UVCI:" is 30
// characters (the top of Annex III's 27–30 aim), but never shorter than
// [MinUnique] characters; a long issuer prefix therefore makes the identifier
// longer than 30, which footnote 2 of Annex III §3 allows up to 72.
//
// A Generator is safe for concurrent use if its random source is (crypto/rand
// is).
type Generator struct {
	head   string // "URN:UVCI:01:<CC>:<issuer>/"
	unique int    // number of characters after head, before '#'
	random io.Reader
	now    func() time.Time // set by Ordered
}

// Ordered returns a Generator like g whose unique part begins with the
// time of issue, from now: [TimeChars] characters of milliseconds since
// 1970, then at least [MinOrderedRandom] random ones (the identifier keeps
// its length where that leaves enough, else it grows, within the 72 Annex
// III allows). Identifiers issued together then sort together, so that a
// registry's indexes on them grow at one end, in pages already in memory,
// instead of at a random place each; the time they tell is the one the
// certificate's "iat" claim tells anyway.
func (g *Generator) Ordered(now func() time.Time) *Generator {
	o := *g
	o.now = now
	o.unique = max(g.unique, TimeChars+MinOrderedRandom)
	return &o
}

// NewGenerator returns a Generator for country (ISO 3166-1 alpha-2, upper
// case) and issuer, a prefix of 1–20 characters A–Z, 0–9 and '/' chosen by
// the issuing authority (e.g. a region code). '/' may separate parts of the
// prefix, but may not start or end it or appear twice in a row. random is the
// source of randomness; nil means crypto/rand.
func NewGenerator(country, issuer string, random io.Reader) (*Generator, error) {
	if len(country) != 2 || !isLetters(country) {
		return nil, &Error{Err: ErrCountry, msg: fmt.Sprintf(
			"country code %q is not two upper-case letters (ISO 3166-1 alpha-2); issuance does not use reserved longer codes", country)}
	}
	if issuer == "" || len(issuer) > MaxIssuerLength {
		return nil, &Error{Err: ErrIssuer, msg: fmt.Sprintf(
			"issuer prefix %q must be 1–%d characters long, has %d", issuer, MaxIssuerLength, len(issuer))}
	}
	for i := 0; i < len(issuer); i++ {
		c := issuer[i]
		switch {
		case 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '/':
			// An empty segment would make "//" or ":/" in the identifier.
			if i == 0 || i == len(issuer)-1 || issuer[i-1] == '/' {
				return nil, &Error{Err: ErrIssuer, Pos: i + 1, msg: fmt.Sprintf(
					"issuer prefix %q: '/' at position %d must separate two non-empty parts", issuer, i+1)}
			}
		default:
			return nil, &Error{Err: ErrIssuer, Pos: i + 1, msg: fmt.Sprintf(
				"issuer prefix %q: %s at position %d is not allowed: only A–Z, 0–9 and '/'", issuer, describe(issuer[i:]), i+1)}
		}
	}

	// Without the prefix: "01:" + "CC:" + issuer + "/" + unique + "#c".
	fixed := len(Version) + 1 + len(country) + 1 + len(issuer) + 1 + 2
	unique := max(MaxRecommended-fixed, MinUnique)
	if fixed+unique > MaxLength { // unreachable with MaxIssuerLength, kept as a guard
		return nil, &Error{Err: ErrIssuer, msg: fmt.Sprintf(
			"issuer prefix %q is too long: identifiers would have %d characters, more than %d", issuer, fixed+unique, MaxLength)}
	}
	if random == nil {
		random = rand.Reader
	}
	return &Generator{
		head:   Prefix + Version + ":" + country + ":" + issuer + "/",
		unique: unique,
		random: random,
	}, nil
}

// New returns a new identifier in wire format, with prefix and check
// character. It fails only if the random source fails.
func (g *Generator) New() (string, error) {
	var buf [len(Prefix) + MaxLength]byte
	b := append(buf[:0], g.head...)
	need := g.unique
	if g.now != nil {
		b = appendTime(b, g.now())
		need -= TimeChars
	}

	// Rejection sampling: 252 = 7 × 36 is the largest multiple of 36 that
	// fits in a byte, so bytes below it map onto the 36 symbols without bias.
	const limit = 256 / len(uniqueSymbols) * len(uniqueSymbols)
	var rnd [MaxLength]byte
	for need > 0 {
		// A few extra bytes make a second read rare (4/256 rejected).
		r := rnd[:min(need+4, len(rnd))]
		if _, err := io.ReadFull(g.random, r); err != nil {
			return "", fmt.Errorf("uvci: reading randomness for a new identifier: %w", err)
		}
		for _, x := range r {
			if int(x) >= limit {
				continue
			}
			b = append(b, uniqueSymbols[int(x)%len(uniqueSymbols)])
			if need--; need == 0 {
				break
			}
		}
	}

	sum, _, _ := luhnSum(b, 0, 2)
	b = append(b, '#', checkFromSum(sum))
	return string(b), nil
}

// appendTime appends t's milliseconds since 1970 as TimeChars base-36
// digits, clamped to what they can hold.
func appendTime(b []byte, t time.Time) []byte {
	ms := max(t.UnixMilli(), 0)
	var d [TimeChars]byte
	for i := TimeChars - 1; i >= 0; i-- {
		d[i] = timeSymbols[ms%36]
		ms /= 36
	}
	if ms > 0 { // past the year 5000
		for i := range d {
			d[i] = 'Z'
		}
	}
	return append(b, d[:]...)
}
