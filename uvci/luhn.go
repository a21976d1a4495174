package uvci

import "fmt"

// Alphabet lists the Luhn mod N code points in order: 'A' is 0, ':' is 37.
const Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:"

// codePoint returns the position of c in Alphabet, or -1. A switch rather than
// a lookup table: no package-level state.
func codePoint(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case '0' <= c && c <= '9':
		return 26 + int(c-'0')
	case c == '/':
		return 36
	case c == ':':
		return 37
	}
	return -1
}

// luhnSum continues a Luhn mod N sum leftwards over s: the caller passes the
// running sum and the factor for the rightmost byte of s (2 to start with, as
// the check character itself would take factor 1). It returns the position of
// the first byte outside Alphabet, or -1.
func luhnSum[T string | []byte](s T, sum, factor int) (int, int, int) {
	const n = len(Alphabet)
	for i := len(s) - 1; i >= 0; i-- {
		cp := codePoint(s[i])
		if cp < 0 {
			return sum, factor, i
		}
		addend := factor * cp
		sum += addend/n + addend%n
		factor = 3 - factor // alternate 2, 1, 2, …
	}
	return sum, factor, -1
}

func checkFromSum(sum int) byte {
	const n = len(Alphabet)
	return Alphabet[(n-sum%n)%n]
}

// CheckCharacter computes the Luhn mod N check character over s, which must
// be the identifier in wire format before the '#', normally including
// "URN:UVCI:". Every character of s must be in Alphabet.
func CheckCharacter(s string) (byte, error) {
	if s == "" {
		return 0, &Error{Err: ErrSyntax, msg: "check character of an empty string"}
	}
	sum, _, bad := luhnSum(s, 0, 2)
	if bad >= 0 {
		// Report the leftmost offender: everything before it is ASCII, so
		// it starts a rune and its byte offset is its character position.
		bad = 0
		for codePoint(s[bad]) >= 0 {
			bad++
		}
		pos := bad + 1
		return 0, &Error{Err: ErrCharacter, Pos: pos, msg: fmt.Sprintf(
			"%s at position %d is not in the check character alphabet %q", describe(s[bad:]), pos, Alphabet)}
	}
	return checkFromSum(sum), nil
}
