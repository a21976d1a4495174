package dcc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// legacyParser (TEMPORARY, for the side-by-side benchmark only) is the
// hand-written reader strictjson replaced, unchanged. It was a strict JSON reader (RFC 8259) for payloads. It exists because
// encoding/json accepts duplicate keys silently and its token API costs more
// than the rest of validation; this one reports the offset of every error,
// refuses duplicates and deep nesting, and keeps numbers as json.Number.
type legacyParser struct {
	data []byte
	pos  int
}

func (p *legacyParser) fail(msg string, a ...any) error {
	return &legacyPosError{off: int64(p.pos), msg: fmt.Sprintf(msg, a...)}
}

func (p *legacyParser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// describe names the byte at the current position for an error message.
func (p *legacyParser) describe() string {
	if p.pos >= len(p.data) {
		return "end of input"
	}
	r, _ := utf8.DecodeRune(p.data[p.pos:])
	return fmt.Sprintf("invalid character %q", r)
}

func (p *legacyParser) document() (any, error) {
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.data) {
		return nil, p.fail("unexpected data after the top-level value")
	}
	return v, nil
}

func (p *legacyParser) value(depth int) (any, error) {
	if p.pos >= len(p.data) {
		return nil, p.fail("unexpected end of input")
	}
	switch c := p.data[p.pos]; {
	case c == '{' || c == '[':
		if depth >= maxDepth {
			return nil, p.fail("nesting deeper than %d levels", maxDepth)
		}
		if c == '{' {
			return p.object(depth)
		}
		return p.array(depth)
	case c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, p.fail("%s looking for beginning of value", p.describe())
}

func (p *legacyParser) literal(word string) error {
	if !strings.HasPrefix(string(p.data[p.pos:min(len(p.data), p.pos+len(word))]), word) {
		return p.fail("%s in literal %s", p.describe(), word)
	}
	p.pos += len(word)
	return nil
}

func (p *legacyParser) object(depth int) (any, error) {
	p.pos++ // '{'
	m := make(map[string]any)
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return m, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.fail("unexpected end of input")
		}
		if p.data[p.pos] != '"' {
			return nil, p.fail("%s looking for beginning of object key string", p.describe())
		}
		keyPos := p.pos
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if _, dup := m[key]; dup {
			p.pos = keyPos
			return nil, p.fail("duplicate key %q", key)
		}
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.fail("unexpected end of input")
		}
		if p.data[p.pos] != ':' {
			return nil, p.fail("%s after object key", p.describe())
		}
		p.pos++
		p.skipSpace()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		m[key] = v
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.fail("unexpected end of input")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return m, nil
		default:
			return nil, p.fail("%s after object key:value pair", p.describe())
		}
	}
}

func (p *legacyParser) array(depth int) (any, error) {
	p.pos++ // '['
	a := []any{}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return a, nil
	}
	for {
		p.skipSpace()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, p.fail("unexpected end of input")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return a, nil
		default:
			return nil, p.fail("%s after array element", p.describe())
		}
	}
}

func (p *legacyParser) number() (any, error) {
	start := p.pos
	digits := func() int {
		n := 0
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.data[p.pos] == '-' {
		p.pos++
	}
	if p.pos < len(p.data) && p.data[p.pos] == '0' {
		p.pos++
	} else if digits() == 0 {
		return nil, p.fail("%s in numeric literal", p.describe())
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return nil, p.fail("%s after decimal point in numeric literal", p.describe())
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return nil, p.fail("%s in exponent of numeric literal", p.describe())
		}
	}
	return json.Number(p.data[start:p.pos]), nil
}

func (p *legacyParser) str() (string, error) {
	p.pos++ // opening quote
	start := p.pos
	// Fast path: no escapes.
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c == '"' {
			s := string(p.data[start:p.pos])
			p.pos++
			return s, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", p.fail("invalid control character %q in string literal", rune(c))
		}
		p.pos++
	}
	var b strings.Builder
	b.Write(p.data[start:p.pos])
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c < 0x20:
			return "", p.fail("invalid control character %q in string literal", rune(c))
		case c != '\\':
			b.WriteByte(c)
			p.pos++
			continue
		}
		p.pos++ // backslash
		if p.pos >= len(p.data) {
			break
		}
		e := p.data[p.pos]
		p.pos++
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.fail("invalid \\u escape in string literal")
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if p.pos+1 < len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
					p.pos += 2
					if r2, ok = p.hex4(); !ok {
						return "", p.fail("invalid \\u escape in string literal")
					}
				}
				if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
					return "", p.fail("unpaired surrogate in \\u escape")
				}
			}
			b.WriteRune(r)
		default:
			p.pos--
			return "", p.fail("invalid escape character %q in string literal", rune(e))
		}
	}
	return "", p.fail("unexpected end of input")
}

func (p *legacyParser) hex4() (rune, bool) {
	if p.pos+4 > len(p.data) {
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.pos : p.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.pos += 4
	return r, true
}

type legacyPosError struct {
	off int64
	msg string
}

func (e *legacyPosError) Error() string { return e.msg }

// legacyDecodeJSON is the former decodeJSON, unchanged but for names.
func legacyDecodeJSON(data []byte) (any, error) {
	if len(data) > MaxInput {
		return nil, ErrTooLarge
	}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, n := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		line, col := legacyPosition(data, off)
		return nil, fmt.Errorf("%w (first bad byte at line %d, column %d)", ErrNotUTF8, line, col)
	}
	p := legacyParser{data: data}
	v, err := p.document()
	if err != nil {
		var pe *legacyPosError
		if errors.As(err, &pe) {
			line, col := legacyPosition(data, int(pe.off))
			msg := pe.msg
			if pe.off >= int64(len(data)) && strings.HasPrefix(msg, "unexpected end") {
				msg = "unexpected end of input"
			}
			return nil, &SyntaxError{Line: line, Column: col, Msg: msg}
		}
		return nil, err
	}
	return v, nil
}

func legacyPosition(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	line = 1 + bytes.Count(data[:off], []byte{'\n'})
	col = off - bytes.LastIndexByte(data[:off], '\n')
	return line, col
}

// BenchmarkLegacyDecodeJSON is BenchmarkDecodeJSON on the former reader.
func BenchmarkLegacyDecodeJSON(b *testing.B) {
	data, err := os.ReadFile("testdata/vaccination.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := legacyDecodeJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzLegacyAgreement (TEMPORARY): the former and the new reader accept
// the same payloads and read them as the same tree.
func FuzzLegacyAgreement(f *testing.F) {
	for _, s := range []string{`{"a": [1, "x", true, false, null, {}], "b": {"c": -1.5e3}}`, `{"a": 1, "a": 2}`, `"\ud800"`, "\"\xff\"", `[1e400]`, "{\n\"a\" 1}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		v, err := decodeJSON(in)
		w, lerr := legacyDecodeJSON(in)
		if (err == nil) != (lerr == nil) {
			t.Fatalf("new: %v, former: %v", err, lerr)
		}
		if err == nil && !reflect.DeepEqual(v, w) {
			t.Fatalf("new %#v, former %#v", v, w)
		}
		var se, lse *SyntaxError
		if errors.As(err, &se) != errors.As(lerr, &lse) {
			t.Fatalf("new: %v, former: %v", err, lerr)
		}
		if se != nil && se.Line != lse.Line {
			t.Logf("position: new %v, former %v", err, lerr)
		}
	})
}
