package certlogic

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"

	"dcc/internal/strictjson"
)

// MaxJSONDepth bounds the nesting of the JSON ParseJSON reads.
const MaxJSONDepth = 256

// SyntaxError is malformed JSON, with the place it was found (1-based).
type SyntaxError struct {
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("certlogic: JSON: line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// ParseJSON reads one JSON value (RFC 8259) into the tree this package
// evaluates: numbers as json.Number, every array with an identity of its own
// (see Eval on ===). It is strict where lenience would let two verifiers read
// one rule differently: duplicate keys are refused (JSON.parse keeps the
// last, other parsers the first), as are invalid UTF-8, nesting deeper than
// MaxJSONDepth and anything after the value. A \u escape of half a
// surrogate pair reads as U+FFFD, as in JSON.parse. Columns count
// characters.
func ParseJSON(data []byte) (any, error) {
	v, err := strictjson.Parse(data, strictjson.Options{MaxDepth: MaxJSONDepth, ReplaceLoneSurrogates: true})
	if err == nil {
		return v, nil
	}
	var se *strictjson.Error
	if !errors.As(err, &se) {
		return nil, err
	}
	msg := se.Msg
	if errors.Is(err, strictjson.ErrTrailingData) {
		msg = "unexpected data after the JSON value"
	}
	// strictjson counts bytes; the characters before the offset on its line
	// are the column here.
	lineStart := bytes.LastIndexByte(data[:se.Offset], '\n') + 1
	col := 1 + utf8.RuneCount(data[lineStart:se.Offset])
	return nil, &SyntaxError{Line: se.Line, Column: col, Msg: msg}
}

// MaxResultJSON bounds what MarshalJSON writes.
const MaxResultJSON = 16 << 20

// MarshalJSON encodes a result of Eval as JSON.stringify would (numbers as
// JavaScript prints them, a non-finite number as null, a date-time as its
// ISO string), object keys sorted. Results may share structure (a reduce
// can build an array of itself twice at each step, doubling its JSON), so
// output over MaxResultJSON bytes or nesting deeper than MaxJSONDepth is
// refused with ErrLimit rather than written.
func MarshalJSON(v any) ([]byte, error) {
	var e jsonEncoder
	if err := e.value(v, 0); err != nil {
		return nil, err
	}
	return e.buf, nil
}

type jsonEncoder struct{ buf []byte }

func (e *jsonEncoder) value(v any, depth int) error {
	if len(e.buf) > MaxResultJSON {
		return fmt.Errorf("%w: the result's JSON is larger than %d bytes", ErrLimit, MaxResultJSON)
	}
	if depth > MaxJSONDepth {
		return fmt.Errorf("%w: the result nests deeper than %d levels", ErrLimit, MaxJSONDepth)
	}
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case bool:
		e.buf = strconv.AppendBool(e.buf, x)
	case string:
		e.buf = appendJSONString(e.buf, x)
	case *DateTime:
		e.buf = appendJSONString(e.buf, x.String())
	case []any:
		e.buf = append(e.buf, '[')
		for i, item := range x {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			if err := e.value(item, depth+1); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, ']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		e.buf = append(e.buf, '{')
		for i, k := range keys {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.buf = appendJSONString(e.buf, k)
			e.buf = append(e.buf, ':')
			if err := e.value(x[k], depth+1); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, '}')
	default:
		f, ok := number(v)
		if !ok {
			return fmt.Errorf("certlogic: %T is not a JSON value", v)
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			e.buf = append(e.buf, "null"...)
		} else {
			e.buf = append(e.buf, jsNumber(f)...)
		}
	}
	return nil
}

// appendJSONString quotes s as JSON.stringify does: only '"', '\\' and
// control characters are escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			b = append(b, c)
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+n]...)
			}
			i += n
			continue
		}
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		case '\b':
			b = append(b, `\b`...)
		case '\f':
			b = append(b, `\f`...)
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
	}
	return append(b, '"')
}
