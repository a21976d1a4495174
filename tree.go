package dcc

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"sync"

	"github.com/fxamacker/cbor/v2"

	"dcc/internal/strictjson"
)

// MaxInput is the largest payload accepted, in bytes. A real DCC payload is
// well under 2 KiB; the cap keeps hostile input from costing memory.
const MaxInput = 1 << 20

// maxDepth bounds nesting: the schema needs 3 levels, unknown fields get some
// room, recursion does not get to exhaust the stack.
const maxDepth = 32

// ErrTooLarge is returned for inputs over MaxInput.
var ErrTooLarge = errors.New("input is larger than 1 MiB")

// ErrNotUTF8 is returned for inputs that are not valid UTF-8.
var ErrNotUTF8 = errors.New("input is not valid UTF-8")

// SyntaxError is a JSON input that cannot be decoded. Line and Column are
// 1-based and point at the offending byte.
type SyntaxError struct {
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// decodeJSON decodes a payload into the generic tree that validation works
// on: map[string]any, []any, string, bool, nil and json.Number. Unlike
// encoding/json it refuses duplicate object keys (two different readings of
// one certificate must not exist) and trailing data.
func decodeJSON(data []byte) (any, error) {
	if len(data) > MaxInput {
		return nil, ErrTooLarge
	}
	// The whole payload must be UTF-8, not only its strings: the error names
	// the first bad byte.
	if off := strictjson.InvalidUTF8(data); off >= 0 {
		line, col := strictjson.Position(data, off)
		return nil, fmt.Errorf("%w (first bad byte at line %d, column %d)", ErrNotUTF8, line, col)
	}
	v, err := strictjson.Parse(data, strictjson.Options{MaxBytes: MaxInput, MaxDepth: maxDepth})
	if err == nil {
		return v, nil
	}
	var se *strictjson.Error
	if errors.As(err, &se) {
		return nil, &SyntaxError{Line: se.Line, Column: se.Column, Msg: se.Msg}
	}
	return nil, err
}

// cborDecMode reads untrusted CBOR: bounded sizes and nesting, no duplicate
// keys, maps with text keys only where JSON follows. A mode is immutable and
// safe for concurrent use; it is built once, as building it costs about as
// much as decoding a payload.
var cborDecMode = sync.OnceValues(func() (cbor.DecMode, error) {
	return cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		MaxNestedLevels:  maxDepth,
		MaxArrayElements: 1024,
		MaxMapPairs:      1024,
		IndefLength:      cbor.IndefLengthAllowed,
		DefaultMapType:   nil,
		IntDec:           cbor.IntDecConvertNone,
		UTF8:             cbor.UTF8RejectInvalid,
		// Some issuers wrapped t/sc in tag 0 (RFC 3339 text); read it back
		// as the text it is.
		TimeTagToAny: cbor.TimeTagToRFC3339Nano,
	}.DecMode()
})

// cborEncMode writes deterministic CBOR (RFC 8949 §4.2.1 core deterministic
// encoding), so that one payload always has one encoding.
var cborEncMode = sync.OnceValues(func() (cbor.EncMode, error) {
	return cbor.CoreDetEncOptions().EncMode()
})

// decodeCBOR turns a CBOR payload into the same generic tree as decodeJSON:
// a payload of the common shape directly (commonCBOR), any other by the
// library.
func decodeCBOR(data []byte) (any, error) {
	if tree, ok := commonCBOR(data); ok {
		return tree, nil
	}
	return decodeCBORLibrary(data)
}

// decodeCBORLibrary is decodeCBOR by the CBOR library alone.
func decodeCBORLibrary(data []byte) (any, error) {
	if len(data) > MaxInput {
		return nil, ErrTooLarge
	}
	dm, err := cborDecMode()
	if err != nil {
		return nil, err
	}
	var raw any
	if err := dm.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("CBOR: %w", err)
	}
	return fromCBOR(raw, "")
}

func fromCBOR(v any, path string) (any, error) {
	switch x := v.(type) {
	case nil, bool, string:
		return x, nil
	case uint64:
		return json.Number(strconv.FormatUint(x, 10)), nil
	case int64:
		return json.Number(strconv.FormatInt(x, 10)), nil
	case big.Int:
		return json.Number(x.String()), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("CBOR: %s: %v is not a JSON number", orRoot(path), x)
		}
		// A float stays a float in the tree: 2.0, not 2, so that validation
		// sees that an integer field was not encoded as an integer.
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return json.Number(s), nil
	case float32:
		return fromCBOR(float64(x), path)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := fromCBOR(e, indexPath(path, i))
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("CBOR: %s: map key %v is not a text string", orRoot(path), k)
			}
			c, err := fromCBOR(e, fieldPath(path, ks))
			if err != nil {
				return nil, err
			}
			out[ks] = c
		}
		return out, nil
	}
	return nil, fmt.Errorf("CBOR: %s: %T has no JSON equivalent", orRoot(path), v)
}

// toCBOR converts the tree for encoding: numbers become integers when they
// are integers, so that "dn": 1 stays the CBOR integer 1.
func toCBOR(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i
		}
		f, _ := strconv.ParseFloat(string(x), 64)
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toCBOR(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = toCBOR(e)
		}
		return out
	}
	return v
}

func fieldPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func indexPath(parent string, i int) string {
	return parent + "[" + strconv.Itoa(i) + "]"
}

func orRoot(path string) string {
	if path == "" {
		return "(root)"
	}
	return path
}
