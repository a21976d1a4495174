package translit

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// MaxLen is the maximum length of nam/fnt and nam/gnt (Annex V §3.2).
const MaxLen = 80

// ErrEmpty is returned for a name that is empty or contains nothing that
// transliterates to a letter (only separators, apostrophes, soft signs, …).
var ErrEmpty = errors.New("translit: name is empty or has no letters: enter at least one letter")

// UnsupportedError reports a letter (or mark) with no transliteration table
// here, for example a Han, Arabic or Hebrew character.
type UnsupportedError struct {
	Rune   rune
	Pos    int    // byte offset of Rune in the input
	Script string // Unicode script name, e.g. "Han"; "Unknown" if unassigned
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("translit: %U %q (%s) at byte %d has no ICAO 9303 transliteration here: "+
		"enter the name as it appears in the holder's travel document MRZ",
		e.Rune, e.Rune, e.Script, e.Pos)
}

// InvalidCharError reports a character that cannot be part of a name:
// a digit, punctuation other than separators and apostrophes, a symbol,
// a control character, or invalid UTF-8 (Rune is then utf8.RuneError; a
// U+FFFD replacement character in the input is reported the same way, as it
// signals a decoding error upstream).
type InvalidCharError struct {
	Rune rune
	Pos  int // byte offset of Rune in the input
}

func (e *InvalidCharError) Error() string {
	if e.Rune == utf8.RuneError {
		return fmt.Sprintf("translit: invalid UTF-8 at byte %d: names must be UTF-8 text", e.Pos)
	}
	hint := "a name may contain only letters, spaces, hyphens, commas, apostrophes and periods"
	if unicode.IsNumber(e.Rune) {
		hint = "names do not contain digits"
	}
	return fmt.Sprintf("translit: %U %q at byte %d is not allowed in a name: %s", e.Rune, e.Rune, e.Pos, hint)
}

// ICAO transliterates one name (family or given) into A–Z and '<' following
// ICAO Doc 9303 Part 3 (see the package documentation for the tables and
// the Greek policy). Name parts are joined by a single '<'.
//
// A result longer than MaxLen is cut to MaxLen, without a trailing '<',
// and truncated is true. Input already in machine-readable form is
// returned unchanged.
//
// Errors are ErrEmpty, *UnsupportedError or *InvalidCharError.
func ICAO(name string) (out string, truncated bool, err error) {
	var arr [2 * MaxLen]byte
	w := writer{buf: arr[:0]}
	for i := 0; i < len(name); {
		l := scan(name, i)
		i = l.end
		r := l.r
		switch {
		case l.invalid:
			return "", false, &InvalidCharError{Rune: utf8.RuneError, Pos: l.pos}
		case r < utf8.RuneSelf && isASCIILetter(r):
			w = w.latinASCII(l)
		case isSeparator(r):
			w.sep = true
		case isDropped(r) || isCombining(r):
			// Apostrophes and periods are not part of the MRZ form;
			// a combining mark with no base letter has nothing to modify.
		case !unicode.IsLetter(r) && !unicode.IsMark(r):
			// Digits, punctuation and symbols, whatever their script.
			return "", false, &InvalidCharError{Rune: r, Pos: l.pos}
		case unicode.Is(unicode.Latin, r):
			s, ok := latin(r)
			if !ok {
				return "", false, unsupported(r, l.pos)
			}
			w = w.str(s)
		case unicode.Is(unicode.Cyrillic, r):
			s, ok := cyrillic(r)
			if !ok {
				return "", false, unsupported(r, l.pos)
			}
			w = w.str(s)
		case unicode.Is(unicode.Greek, r):
			s, end, ok := greek(name, l)
			if !ok {
				return "", false, unsupported(r, l.pos)
			}
			w = w.str(s)
			i = end
		default:
			return "", false, unsupported(r, l.pos)
		}
	}
	b := w.buf
	if len(b) == 0 {
		return "", false, ErrEmpty
	}
	if len(b) > MaxLen {
		b = b[:MaxLen]
		for b[len(b)-1] == '<' {
			b = b[:len(b)-1]
		}
		truncated = true
	}
	return string(b), truncated, nil
}

// writer accumulates the output, emitting a pending separator only between
// two non-empty parts so that separators collapse and never lead or trail.
type writer struct {
	buf []byte
	sep bool
}

// str appends s; value receivers keep the buffer on the caller's stack.
func (w writer) str(s string) writer {
	if s == "" {
		return w // e.g. Ь: it must not flush a pending separator
	}
	if w.sep && len(w.buf) > 0 {
		w.buf = append(w.buf, '<')
	}
	w.sep = false
	w.buf = append(w.buf, s...)
	return w
}

func (w writer) latinASCII(l seq) writer {
	u := l.r &^ 0x20 // ASCII upper case
	switch {
	case l.diaeresis && u == 'A':
		return w.str("AE") // A + U+0308 is Ä, which Table A writes AE
	case l.diaeresis && u == 'O':
		return w.str("OE")
	case l.diaeresis && u == 'U':
		return w.str("UE")
	case l.ring && u == 'A':
		return w.str("AA") // A + U+030A is Å
	default:
		return w.str(asciiUpper[u-'A' : u-'A'+1])
	}
}

const asciiUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

func isASCIILetter(r rune) bool {
	return 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z'
}

func isCombining(r rune) bool { return 0x300 <= r && r <= 0x36F }

// isSeparator reports characters that separate name parts ('<' included so
// that machine-readable input passes through unchanged).
func isSeparator(r rune) bool {
	switch r {
	case ' ', '-', ',', '<':
		return true
	}
	return unicode.IsSpace(r) || r >= utf8.RuneSelf && unicode.Is(unicode.Dash, r)
}

// isDropped reports apostrophes and their look-alikes, periods and invisible
// formatting characters, none of which appear in the MRZ form.
func isDropped(r rune) bool {
	switch r {
	case '\'', '`', '.',
		'\u00B4',           // ´ acute accent, often typed for an apostrophe
		'\u00B7',           // · middle dot, Catalan l·l
		'\u02BB',           // ʻ turned comma (okina)
		'\u02BC',           // ʼ modifier letter apostrophe
		'\u2018', '\u2019', // ‘ ’
		'\u2032',                     // ′ prime
		'\u00AD',                     // soft hyphen: a line-break hint, not a hyphen
		'\u200B', '\u200C', '\u200D', // zero-width space, non-joiner, joiner
		'\u2060', '\uFEFF': // word joiner, BOM
		return true
	}
	return false
}

func unsupported(r rune, pos int) error {
	return &UnsupportedError{Rune: r, Pos: pos, Script: scriptOf(r)}
}

func scriptOf(r rune) string {
	// Scripts are disjoint, so map order does not matter.
	for name, table := range unicode.Scripts {
		if unicode.Is(table, r) {
			return name
		}
	}
	return "Unknown"
}

// seq is a base character with the combining marks (U+0300–U+036F) that
// follow it: the unit that NFC would compose into one letter.
type seq struct {
	r        rune
	pos, end int // byte range of base and marks
	invalid  bool

	diaeresis bool // U+0308 directly after the base (Ä, Ö, Ü)
	ring      bool // U+030A directly after the base (Å)
	acute     bool // acute/tonos anywhere in the marks (Greek accent)
	dialytika bool // diaeresis anywhere in the marks (Greek Ϊ, Ϋ)
}

func scan(s string, i int) seq {
	r, n := utf8.DecodeRuneInString(s[i:])
	q := seq{r: r, pos: i, end: i + n}
	if r == utf8.RuneError {
		q.invalid = true
		return q
	}
	first := true
	for q.end < len(s) {
		m, n := utf8.DecodeRuneInString(s[q.end:])
		if !isCombining(m) {
			break
		}
		switch m {
		case 0x308:
			q.dialytika = true
			q.diaeresis = q.diaeresis || first
		case 0x30A:
			q.ring = q.ring || first
		case 0x301, 0x341:
			q.acute = true
		case 0x344: // combining Greek dialytika tonos
			q.acute, q.dialytika = true, true
		}
		first = false
		q.end += n
	}
	return q
}
