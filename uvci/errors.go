package uvci

import "errors"

// Sentinel errors: every error returned by this package is an [*Error] that
// wraps one of them, so callers branch with errors.Is.
var (
	// ErrCharacter: a character outside A–Z, 0–9, '/', ':' and '#' (lower
	// case counts in Strict mode).
	ErrCharacter = errors.New("uvci: character not allowed")
	// ErrSyntax: the structure is wrong (missing separators, empty national
	// part, '#' used other than once before a single check character).
	ErrSyntax = errors.New("uvci: malformed identifier")
	// ErrVersion: the version prefix is not "01".
	ErrVersion = errors.New("uvci: unsupported version")
	// ErrCountry: the country code is not two upper-case letters.
	ErrCountry = errors.New("uvci: invalid country code")
	// ErrLength: the identifier is longer than allowed.
	ErrLength = errors.New("uvci: identifier too long")
	// ErrCheckCharacter: the check character does not match.
	ErrCheckCharacter = errors.New("uvci: check character does not match")
	// ErrIssuer: the issuer prefix given to NewGenerator is not usable.
	ErrIssuer = errors.New("uvci: invalid issuer prefix")
)

// Error describes what is wrong with an identifier and where.
type Error struct {
	// Err is one of the sentinel errors of this package.
	Err error
	// Pos is the 1-based character position of the problem in the input,
	// 0 when it is not at one place.
	Pos int

	msg string
}

func (e *Error) Error() string { return "uvci: " + e.msg }

// Unwrap returns the sentinel, for errors.Is.
func (e *Error) Unwrap() error { return e.Err }
