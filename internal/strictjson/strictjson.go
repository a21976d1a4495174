package strictjson

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// The kinds of [Error], for errors.Is.
var (
	ErrSyntax        = errors.New("JSON syntax error")
	ErrUnexpectedEnd = errors.New("unexpected end of input")
	ErrDuplicateName = errors.New("duplicate object member name")
	ErrTooDeep       = errors.New("nesting too deep")
	ErrInvalidUTF8   = errors.New("invalid UTF-8")
	ErrTrailingData  = errors.New("data after the top-level value")
	// ErrTooLarge is returned, wrapped but not as an *Error (a size has no
	// position), for an input over Options.MaxBytes.
	ErrTooLarge = errors.New("JSON input too large")
)

// Error is an input that is not one strict JSON value.
type Error struct {
	Offset int64 // of the offending byte, len(input) for a premature end
	// Line and Column are 1-based; Column counts bytes from the start of
	// the line, as Go's own tools do.
	Line, Column int
	Err          error  // one of the Err values above
	Msg          string // what is wrong, e.g. `duplicate key "ver"`
	Name         string // the repeated name, for ErrDuplicateName
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Options bound what a Decoder accepts.
type Options struct {
	MaxBytes int // the largest input; 0 for no limit
	MaxDepth int // the deepest nesting of objects and arrays; at least 1
	// ReplaceLoneSurrogates reads a \u escape of half a surrogate pair as
	// U+FFFD, as JavaScript's JSON.parse followed by UTF-8 encoding does,
	// instead of refusing it. Invalid UTF-8 in the input is refused either
	// way.
	ReplaceLoneSurrogates bool
}

// Kind is the kind of a Token; the values are those of jsontext.Kind.
type Kind byte

// The kinds of tokens.
const (
	Null        Kind = 'n'
	False       Kind = 'f'
	True        Kind = 't'
	String      Kind = '"'
	Number      Kind = '0'
	ObjectStart Kind = '{'
	ObjectEnd   Kind = '}'
	ArrayStart  Kind = '['
	ArrayEnd    Kind = ']'
)

// Token is one JSON token. Text is the unescaped value of a String (an
// object member name is a String) and the literal as written of a Number;
// it is empty otherwise.
type Token struct {
	Kind Kind
	Text string
}

// Decoder reads the tokens of one JSON value from a byte slice.
type Decoder struct {
	data     []byte
	dec      jsontext.Decoder
	buf      bytes.Buffer
	maxDepth int
	// bad is the offset of the first byte that is not UTF-8, or -1. The
	// whole input is checked up front (a fast scan) so that the error is
	// the same whether jsontext would refuse or replace the byte.
	bad int64
	// prev is where the previous token ended.
	prev int64
}

// NewDecoder returns a Decoder over data, which must not change while the
// Decoder is in use.
func NewDecoder(data []byte, o Options) (*Decoder, error) {
	return newDecoder(data, o, false)
}

// newDecoder is NewDecoder; ownNames leaves duplicate names to the caller
// (Parse finds them in the map it fills, which costs less than jsontext's
// own set of names per object).
func newDecoder(data []byte, o Options, ownNames bool) (*Decoder, error) {
	if o.MaxBytes > 0 && len(data) > o.MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes, more than the limit of %d", ErrTooLarge, len(data), o.MaxBytes)
	}
	if o.MaxDepth < 1 {
		return nil, fmt.Errorf("strictjson: MaxDepth %d, want at least 1", o.MaxDepth)
	}
	d := &Decoder{data: data, maxDepth: o.MaxDepth, bad: InvalidUTF8(data)}
	// A *bytes.Buffer is read in place, without a copy. Duplicate names are
	// refused by default; AllowInvalidUTF8 only lets lone surrogates through
	// (as U+FFFD), since bad bytes are caught through d.bad.
	d.buf = *bytes.NewBuffer(data)
	d.dec.Reset(&d.buf,
		jsontext.AllowDuplicateNames(ownNames),
		jsontext.AllowInvalidUTF8(o.ReplaceLoneSurrogates))
	return d, nil
}

// ReadToken reads the next token. Errors are *Error; after one, the
// Decoder has nothing more to give.
func (d *Decoder) ReadToken() (Token, error) {
	d.prev = d.dec.InputOffset()
	tok, err := d.dec.ReadToken()
	if err != nil {
		return Token{}, d.wrap(err)
	}
	switch k := Kind(tok.Kind()); k {
	case String:
		end := d.dec.InputOffset()
		if d.bad >= 0 && d.bad < end {
			return Token{}, d.invalidUTF8()
		}
		return Token{Kind: String, Text: d.text(tok, end)}, nil
	case Number:
		return Token{Kind: Number, Text: tok.String()}, nil
	case ObjectStart, ArrayStart:
		if d.dec.StackDepth() > d.maxDepth {
			return Token{}, d.fail(d.dec.InputOffset()-1, ErrTooDeep, fmt.Sprintf("nesting deeper than %d levels", d.maxDepth))
		}
		return Token{Kind: k}, nil
	default:
		return Token{Kind: k}, nil
	}
}

// text is the value of the string token tok that ends at end. A string
// without escapes is its own value: copying it directly saves jsontext's
// second scan of it (Token.String does not know what ReadToken found).
func (d *Decoder) text(tok jsontext.Token, end int64) string {
	start := d.tokenStart()
	if raw := d.data[start+1 : end-1]; bytes.IndexByte(raw, '\\') < 0 {
		return string(raw)
	}
	return tok.String()
}

// More reports whether the object or array being read has another member
// or element. When the input is broken it reports true, and the next
// ReadToken returns the error.
func (d *Decoder) More() bool {
	k := d.dec.PeekKind()
	return k != '}' && k != ']'
}

// End checks that only white space follows the top-level value, which must
// have been read completely.
func (d *Decoder) End() error {
	off := d.dec.InputOffset()
	for off < int64(len(d.data)) {
		switch d.data[off] {
		case ' ', '\t', '\n', '\r':
			off++
			continue
		}
		return d.fail(off, ErrTrailingData, "unexpected data after the top-level value")
	}
	return nil
}

// wrap turns a jsontext error into an *Error with a position and a message
// in the project's words.
func (d *Decoder) wrap(err error) error {
	if err == io.EOF { // no value at all
		return d.fail(int64(len(d.data)), ErrUnexpectedEnd, "unexpected end of input")
	}
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) {
		return d.fail(d.prev, ErrSyntax, err.Error())
	}
	off := se.ByteOffset
	start := d.tokenStart()
	// A bad byte at or before the point of the error, in the string being
	// read, is the first thing wrong. (A duplicate name is reported at its
	// start, before the rest of it.)
	reached := off
	if se.Err == jsontext.ErrDuplicateName {
		reached = stringEnd(d.data, start)
	}
	if d.bad >= 0 && start <= d.bad && d.bad <= reached && start < int64(len(d.data)) && d.data[start] == '"' {
		return d.invalidUTF8()
	}
	switch {
	case errors.Is(se.Err, io.ErrUnexpectedEOF):
		return d.fail(int64(len(d.data)), ErrUnexpectedEnd, "unexpected end of input")
	case se.Err == jsontext.ErrDuplicateName:
		return d.duplicate(se.JSONPointer.LastToken())
	case se.Err == jsontext.ErrNonStringName:
		return d.fail(off, ErrSyntax, describe(d.data, off)+" looking for beginning of object key string")
	case off < int64(len(d.data)) && d.data[off] == '\\':
		// jsontext points at the backslash; what is wrong is what follows.
		msg := se.Err.Error()
		if esc := d.data[off:min(off+6, int64(len(d.data)))]; isSurrogateEscape(esc) {
			msg = fmt.Sprintf("unpaired surrogate in \\u escape %s", esc)
		}
		return d.fail(off+1, ErrSyntax, msg)
	}
	return d.fail(off, ErrSyntax, se.Err.Error())
}

// duplicate reports the name just read as a repeated one.
func (d *Decoder) duplicate(name string) *Error {
	e := d.fail(d.tokenStart(), ErrDuplicateName, fmt.Sprintf("duplicate key %q", name))
	e.Name = name
	return e
}

func (d *Decoder) invalidUTF8() *Error {
	return d.fail(d.tokenStart(), ErrInvalidUTF8, "invalid UTF-8 in a string")
}

// tokenStart is the offset of the token being read: after the previous
// token, white space and one ',' or ':'.
func (d *Decoder) tokenStart() int64 {
	off, sep := d.prev, false
	for off < int64(len(d.data)) {
		switch c := d.data[off]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		case (c == ',' || c == ':') && !sep:
			sep = true
		default:
			return off
		}
		off++
	}
	return off
}

func (d *Decoder) fail(off int64, kind error, msg string) *Error {
	line, col := Position(d.data, off)
	return &Error{Offset: off, Line: line, Column: col, Err: kind, Msg: msg}
}

// Position gives the 1-based line and column (in bytes) of offset off.
func Position(data []byte, off int64) (line, column int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	column = len(before) - bytes.LastIndexByte(before, '\n')
	return line, column
}

// InvalidUTF8 is the offset of the first byte of data that is not part of
// a valid UTF-8 sequence, or -1 when data is valid UTF-8.
func InvalidUTF8(data []byte) int64 {
	if utf8.Valid(data) {
		return -1
	}
	off := 0
	for off < len(data) {
		r, n := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		off += n
	}
	return int64(off)
}

// stringEnd is the offset just past the string starting at start (its
// closing quote), or len(data) when it has none.
func stringEnd(data []byte, start int64) int64 {
	for i := start + 1; i < int64(len(data)); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return int64(len(data))
}

// isSurrogateEscape reports whether esc is a \u escape of half a UTF-16
// surrogate pair (U+D800 to U+DFFF).
func isSurrogateEscape(esc []byte) bool {
	if len(esc) != 6 || esc[1] != 'u' {
		return false
	}
	r, err := strconv.ParseUint(string(esc[2:]), 16, 16)
	return err == nil && utf16.IsSurrogate(rune(r))
}

// describe names the character at off for a message.
func describe(data []byte, off int64) string {
	if off >= int64(len(data)) {
		return "end of input"
	}
	r, _ := utf8.DecodeRune(data[off:])
	return fmt.Sprintf("invalid character %q", r)
}
