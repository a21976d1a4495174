package strictjson_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"dcc/internal/strictjson"
)

// FuzzParse holds the reader to encoding/json: what it accepts,
// encoding/json accepts and reads as the same tree; what it refuses and
// encoding/json accepts is refused for one of the rules encoding/json does
// not have. Every error has a position that Position agrees with.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"a": [1, "x", true, false, null, {}], "b": {"c": -1.5e3}}`,
		`{"a": 1, "a": 2}`, `{"a": 1, "\u0061": 2}`, `"\ud800"`, `"\ud83d\ude00"`,
		"\"\xff\"", `[1e400, -0, 1E-400]`, "[[[[[[[[[[]]]]]]]]]]", `1 2`, ``, `{"a":`,
	} {
		f.Add([]byte(s))
	}
	o := strictjson.Options{MaxDepth: 8}
	f.Fuzz(func(t *testing.T, in []byte) {
		v, err := strictjson.Parse(in, o)
		if err != nil {
			var se *strictjson.Error
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > int64(len(in)) || se.Msg == "" {
				t.Fatalf("error %v is not an *Error with a position in the input", err)
			}
			if l, c := strictjson.Position(in, se.Offset); l != se.Line || c != se.Column {
				t.Fatalf("%v: offset %d is at %d:%d", err, se.Offset, l, c)
			}
			if json.Valid(in) {
				switch {
				case errors.Is(err, strictjson.ErrDuplicateName), errors.Is(err, strictjson.ErrTooDeep),
					errors.Is(err, strictjson.ErrInvalidUTF8), strings.Contains(se.Msg, "surrogate"):
				default:
					t.Fatalf("encoding/json accepts what is refused with %v: %q", err, in)
				}
			}
			return
		}
		dec := json.NewDecoder(bytes.NewReader(in))
		dec.UseNumber()
		var w any
		if err := dec.Decode(&w); err != nil || !json.Valid(in) {
			t.Fatalf("accepted what encoding/json refuses (%v): %q", err, in)
		}
		if !reflect.DeepEqual(v, w) {
			t.Fatalf("read %#v, encoding/json %#v", v, w)
		}
	})
}
