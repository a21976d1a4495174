package base45

import (
	"fmt"
	"strings"
)

// alphabet is RFC 9285 §4: value 0–44 → character.
const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// CorruptInputError reports where and why an input is not Base45.
type CorruptInputError struct {
	Offset int // byte offset in the input
	Reason string
}

func (e *CorruptInputError) Error() string {
	return fmt.Sprintf("base45: %s at offset %d", e.Reason, e.Offset)
}

// EncodedLen is the length of the encoding of n bytes.
func EncodedLen(n int) int { return n/2*3 + n%2*2 }

// DecodedLen is the length of the decoding of n characters. A length with
// n%3 == 1 is not valid Base45; the dangling character is not counted.
func DecodedLen(n int) int { return n/3*2 + n%3/2 }

// Encode returns the Base45 encoding of src: each pair of bytes as three
// characters, a trailing single byte as two (RFC 9285 §4).
func Encode(src []byte) string {
	var b strings.Builder
	b.Grow(EncodedLen(len(src)))
	for i := 0; i+1 < len(src); i += 2 {
		n := int(src[i])<<8 | int(src[i+1])
		b.WriteByte(alphabet[n%45])
		b.WriteByte(alphabet[n/45%45])
		b.WriteByte(alphabet[n/(45*45)])
	}
	if len(src)%2 == 1 {
		n := int(src[len(src)-1])
		b.WriteByte(alphabet[n%45])
		b.WriteByte(alphabet[n/45])
	}
	return b.String()
}

// value is the inverse of alphabet, or -1. A switch rather than a lookup
// table: a package-level table would be a mutable global, and the switch is
// fast enough (see BenchmarkDecode).
func value(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	switch c {
	case ' ':
		return 36
	case '$':
		return 37
	case '%':
		return 38
	case '*':
		return 39
	case '+':
		return 40
	case '-':
		return 41
	case '.':
		return 42
	case '/':
		return 43
	case ':':
		return 44
	}
	return -1
}

// Decode returns the bytes s encodes. It refuses characters outside the
// alphabet (lower case included: RFC 9285 has none), a length that leaves a
// single character, triplets above 0xFFFF and trailing pairs above 0xFF.
func Decode(s string) ([]byte, error) {
	if len(s)%3 == 1 {
		return nil, &CorruptInputError{Offset: len(s) - 1, Reason: fmt.Sprintf("length %d leaves a single character (length mod 3 must be 0 or 2)", len(s))}
	}
	out := make([]byte, 0, DecodedLen(len(s)))
	for i := 0; i < len(s); i += 3 {
		chunk := min(3, len(s)-i)
		n, mul := 0, 1
		for j := range chunk {
			v := value(s[i+j])
			if v < 0 {
				return nil, &CorruptInputError{Offset: i + j, Reason: fmt.Sprintf("character %q is not in the Base45 alphabet", s[i+j])}
			}
			n += v * mul
			mul *= 45
		}
		if chunk == 3 {
			if n > 0xFFFF {
				return nil, &CorruptInputError{Offset: i, Reason: fmt.Sprintf("triplet %q encodes %d, more than 65535", s[i:i+3], n)}
			}
			out = append(out, byte(n>>8), byte(n))
		} else {
			if n > 0xFF {
				return nil, &CorruptInputError{Offset: i, Reason: fmt.Sprintf("final pair %q encodes %d, more than 255", s[i:i+2], n)}
			}
			out = append(out, byte(n))
		}
	}
	return out, nil
}
