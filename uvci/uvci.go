package uvci

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Mode selects how strictly Parse applies Annex III §3.
type Mode int

const (
	// Strict is for issuance: upper case only, two-letter country codes.
	Strict Mode = iota
	// Lenient is for verification: lower case is tolerated with a warning
	// (and normalised to upper case), and so are country codes of three or
	// more letters, which Annex III §3 reserves for future use.
	Lenient
)

// Prefix is the optional URN prefix of an identifier.
const Prefix = "URN:UVCI:"

// Length limits, counted in characters.
const (
	// MinRecommended and MaxRecommended bound the length designers should
	// aim for, without Prefix and including "#<check>".
	MinRecommended = 27
	MaxRecommended = 30
	// MaxLength is the hard limit without Prefix, "#<check>" included:
	// Annex III §3 footnote 2 allows extra information up to 72 characters
	// in total. The 27–30 aim is not enforced when parsing: Annex V's own
	// example URN:UVCI:01:NL:187/37512422923 has 21.
	MaxLength = 72
	// MaxWireLength is the schema's maxLength for "ci" (1.3.x), prefix
	// included.
	MaxWireLength = 80
)

// Version is the only version prefix Annex III §3 defines.
const Version = "01"

// UVCI is a parsed identifier.
type UVCI struct {
	Prefixed bool   // the input carried "URN:UVCI:"
	Version  string // "01"
	Country  string // ISO 3166-1 alpha-2, e.g. "ES"
	National string // the part after "<CC>:" and before "#": issuer prefix, separators and unique part
	Check    byte   // check character, 0 when absent
}

// String returns the wire form, with Prefix if u.Prefixed and "#<check>" if
// u.Check is not 0.
func (u UVCI) String() string {
	var b strings.Builder
	b.Grow(len(Prefix) + len(u.Version) + len(u.Country) + len(u.National) + 4)
	if u.Prefixed {
		b.WriteString(Prefix)
	}
	b.WriteString(u.Version)
	b.WriteByte(':')
	b.WriteString(u.Country)
	b.WriteByte(':')
	b.WriteString(u.National)
	if u.Check != 0 {
		b.WriteByte('#')
		b.WriteByte(u.Check)
	}
	return b.String()
}

// Parse checks s against Annex III §3 and returns the parsed identifier. In
// Lenient mode it also returns warnings, human-readable strings describing
// what was tolerated; in Strict mode warnings are always nil. Errors are
// [*Error] values wrapping one of the sentinels (ErrCharacter, ErrSyntax,
// ErrVersion, ErrCountry, ErrLength, ErrCheckCharacter). A mode other than
// Lenient counts as Strict.
func Parse(s string, mode Mode) (UVCI, []string, error) {
	if s == "" {
		return UVCI{}, nil, &Error{Err: ErrSyntax, msg: "empty identifier: Annex V requires exactly one non-empty \"ci\""}
	}
	var warnings []string

	// Characters first: every later check can then work on ASCII bytes, so
	// byte offsets are character positions.
	firstLower := 0
	pos := 0
	for i, r := range s {
		pos++ // runes, not bytes: positions are what a person counts
		switch {
		case 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '/', r == ':', r == '#':
		case 'a' <= r && r <= 'z':
			if mode != Lenient {
				return UVCI{}, nil, &Error{Err: ErrCharacter, Pos: pos, msg: fmt.Sprintf(
					"lower-case character %q at position %d is not allowed: Annex III §3 allows upper case only (A–Z)", r, pos)}
			}
			if firstLower == 0 {
				firstLower = pos
			}
		default:
			return UVCI{}, nil, &Error{Err: ErrCharacter, Pos: pos, msg: fmt.Sprintf(
				"%s at position %d is not allowed: only A–Z, 0–9, '/', ':' and '#'", describe(s[i:]), pos)}
		}
	}
	if firstLower != 0 {
		s = strings.ToUpper(s) // only ASCII is left
		warnings = append(warnings, fmt.Sprintf(
			"lower-case letters (first at position %d) normalised to upper case: Annex III §3 allows upper case only", firstLower))
	}

	if len(s) > MaxWireLength {
		return UVCI{}, nil, &Error{Err: ErrLength, Pos: MaxWireLength + 1, msg: fmt.Sprintf(
			"identifier is %d characters long: the schema allows at most %d for \"ci\"", len(s), MaxWireLength)}
	}

	var u UVCI
	body, off := s, 0 // off converts body offsets to input positions
	if strings.HasPrefix(s, Prefix) {
		u.Prefixed = true
		body, off = s[len(Prefix):], len(Prefix)
	}
	if len(body) > MaxLength {
		return UVCI{}, nil, &Error{Err: ErrLength, Pos: off + MaxLength + 1, msg: fmt.Sprintf(
			"identifier is %d characters long without %q: Annex III §3 allows at most %d (aim for %d–%d, plus extra information)",
			len(body), Prefix, MaxLength, MinRecommended, MaxRecommended)}
	}

	// '#' separates the single check character at the end, and nothing else.
	id := body
	if h := strings.IndexByte(body, '#'); h >= 0 {
		if n := strings.Count(body, "#"); n > 1 {
			second := h + 1 + strings.IndexByte(body[h+1:], '#')
			return UVCI{}, nil, &Error{Err: ErrSyntax, Pos: off + second + 1, msg: fmt.Sprintf(
				"'#' appears %d times (first at position %d, again at %d): it may appear only once, before the check character at the end",
				n, off+h+1, off+second+1)}
		}
		switch tail := body[h+1:]; len(tail) {
		case 0:
			return UVCI{}, nil, &Error{Err: ErrSyntax, Pos: off + h + 1, msg: fmt.Sprintf(
				"'#' at position %d is not followed by a check character", off+h+1)}
		case 1:
			u.Check = tail[0]
		default:
			return UVCI{}, nil, &Error{Err: ErrSyntax, Pos: off + h + 2, msg: fmt.Sprintf(
				"'#' at position %d must be followed by a single check character at the end, found %q", off+h+1, tail)}
		}
		id = body[:h]
	}

	ver, rest, ok := strings.Cut(id, ":")
	if !ok {
		return UVCI{}, nil, &Error{Err: ErrSyntax, Pos: off + 1, msg: fmt.Sprintf(
			"no ':' after the version: expected [%s]01:<country>:<national part>", Prefix)}
	}
	switch {
	case ver == Version:
	case len(ver) == 2 && isDigits(ver):
		return UVCI{}, nil, &Error{Err: ErrVersion, Pos: off + 1, msg: fmt.Sprintf(
			"version %q is not supported: Annex III §3 defines only %q", ver, Version)}
	default:
		return UVCI{}, nil, &Error{Err: ErrVersion, Pos: off + 1, msg: fmt.Sprintf(
			"version %q is not two digits: expected %q, optionally preceded by %q", ver, Version, Prefix)}
	}
	u.Version = Version

	cc, national, ok := strings.Cut(rest, ":")
	ccPos := off + len(ver) + 2
	if !ok {
		return UVCI{}, nil, &Error{Err: ErrSyntax, Pos: ccPos, msg: fmt.Sprintf(
			"no ':' after the country code %q: expected 01:<country>:<national part>", cc)}
	}
	switch {
	case len(cc) == 2 && isLetters(cc):
	case len(cc) >= 3 && isLetters(cc):
		if mode != Lenient {
			return UVCI{}, nil, &Error{Err: ErrCountry, Pos: ccPos, msg: fmt.Sprintf(
				"country code %q has more than two letters: Annex III §3 reserves such codes (e.g. UNHCR) for future use", cc)}
		}
		warnings = append(warnings, fmt.Sprintf(
			"country code %q has more than two letters: Annex III §3 reserves such codes for future use", cc))
	default:
		return UVCI{}, nil, &Error{Err: ErrCountry, Pos: ccPos, msg: fmt.Sprintf(
			"country code %q is not two upper-case letters (ISO 3166-1 alpha-2)", cc)}
	}
	u.Country = cc

	if national == "" {
		return UVCI{}, nil, &Error{Err: ErrSyntax, Pos: ccPos + len(cc) + 1, msg: fmt.Sprintf(
			"empty national part after %q", ver+":"+cc+":")}
	}
	u.National = national

	if u.Check != 0 {
		if err := verifyCheck(s[:len(s)-2], u.Prefixed, u.Check, len(s)); err != nil {
			return UVCI{}, nil, err
		}
	}
	return u, warnings, nil
}

// verifyCheck checks c against wire, the identifier before "#c". The check
// character is computed over the wire format including "URN:UVCI:"; but the
// prefix is optional on the wire, so an issuer that omits it may have computed
// the check character without it or with it. Accept either.
func verifyCheck(wire string, prefixed bool, c byte, pos int) error {
	sum, factor, _ := luhnSum(wire, 0, 2)
	got := checkFromSum(sum)
	if got == c {
		return nil
	}
	if prefixed {
		return &Error{Err: ErrCheckCharacter, Pos: pos, msg: fmt.Sprintf(
			"check character '%c' does not match, expected '%c'", c, got)}
	}
	sum, _, _ = luhnSum(Prefix, sum, factor)
	withPrefix := checkFromSum(sum)
	if withPrefix == c {
		return nil
	}
	return &Error{Err: ErrCheckCharacter, Pos: pos, msg: fmt.Sprintf(
		"check character '%c' does not match, expected '%c' (computed with %q prepended) or '%c' (computed over the input as given)",
		c, withPrefix, Prefix, got)}
}

// describe names the first character of s for an error message, telling an
// invalid UTF-8 byte apart from a real U+FFFD.
func describe(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && n <= 1 {
		return fmt.Sprintf("invalid UTF-8 byte 0x%02X", s[0])
	}
	return fmt.Sprintf("character %q", r)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return len(s) > 0
}
