package strictjson_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"dcc/internal/strictjson"
)

var opts = strictjson.Options{MaxDepth: 32}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct {
		in        string
		kind      error
		want      string
		line, col int
	}{
		{"", strictjson.ErrUnexpectedEnd, "unexpected end of input", 1, 1},
		{" \n ", strictjson.ErrUnexpectedEnd, "unexpected end of input", 2, 2},
		{"{\"ver\": \"1.3.0\"", strictjson.ErrUnexpectedEnd, "unexpected end of input", 1, 16},
		{"[1, 2", strictjson.ErrUnexpectedEnd, "unexpected end of input", 1, 6},
		{"tru", strictjson.ErrUnexpectedEnd, "unexpected end of input", 1, 4},
		{"-", strictjson.ErrUnexpectedEnd, "unexpected end of input", 1, 2},
		{`"abc`, strictjson.ErrUnexpectedEnd, "unexpected end of input", 1, 5},
		{"{\n  \"ver\": \"1.3.0\",\n  \"dob\" \"x\"\n}", strictjson.ErrSyntax, `invalid character '"' after object name`, 3, 9},
		{`{"a": 01}`, strictjson.ErrSyntax, "invalid character '1'", 1, 8},
		{`[1,]`, strictjson.ErrSyntax, "invalid character ','", 1, 3},
		{`{1:2}`, strictjson.ErrSyntax, "invalid character '1' looking for beginning of object key string", 1, 2},
		{`trux`, strictjson.ErrSyntax, "invalid character 'x' in literal true", 1, 4},
		{"\ufeff{}", strictjson.ErrSyntax, "invalid character", 1, 1},
		{`[1.x]`, strictjson.ErrSyntax, "invalid character 'x'", 1, 4},
		{"\"a\x01\"", strictjson.ErrSyntax, `invalid character '\x01' in string`, 1, 3},
		// Escapes: the position is that of the letter after the backslash.
		{`"\x"`, strictjson.ErrSyntax, "invalid escape sequence", 1, 3},
		{`["\u12"]`, strictjson.ErrSyntax, "invalid escape sequence", 1, 4},
		{`"\ud800"`, strictjson.ErrSyntax, `unpaired surrogate in \u escape \ud800`, 1, 3},
		{`"\ude00\ud83d"`, strictjson.ErrSyntax, `unpaired surrogate in \u escape \ude00`, 1, 3},
		{`"\ud83d\u00e9"`, strictjson.ErrSyntax, `unpaired surrogate in \u escape \ud83d`, 1, 3},
		{`"\ud83d\u12"`, strictjson.ErrSyntax, "", 1, 3},
		// Duplicates, after unescaping, at the second name.
		{"{\"ver\": \"1.3.0\",\n \"ver\": \"1.3.0\"}", strictjson.ErrDuplicateName, `duplicate key "ver"`, 2, 2},
		{`{"a":1,"\u0061":2}`, strictjson.ErrDuplicateName, `duplicate key "a"`, 1, 8},
		{`[{"a":{"b":1,"b":2}}]`, strictjson.ErrDuplicateName, `duplicate key "b"`, 1, 14},
		// UTF-8: at the string holding the bad byte, whatever else follows.
		{"\"\xff\"", strictjson.ErrInvalidUTF8, "invalid UTF-8 in a string", 1, 1},
		{"[1, \"ab\xffc\"]", strictjson.ErrInvalidUTF8, "invalid UTF-8 in a string", 1, 5},
		{"{\"a\":1,\"a\xff\":2}", strictjson.ErrInvalidUTF8, "invalid UTF-8 in a string", 1, 8},
		{"\"\xff", strictjson.ErrInvalidUTF8, "invalid UTF-8 in a string", 1, 1},
		{"[1, \xff]", strictjson.ErrSyntax, "invalid character", 1, 5},
		// One value only.
		{"{} {}", strictjson.ErrTrailingData, "unexpected data after the top-level value", 1, 4},
		{"1 2", strictjson.ErrTrailingData, "unexpected data after the top-level value", 1, 3},
		{"[]\n\n x", strictjson.ErrTrailingData, "unexpected data after the top-level value", 3, 2},
		{"1 \xff", strictjson.ErrTrailingData, "unexpected data after the top-level value", 1, 3},
		// Nesting: 32 levels pass, the 33rd opening bracket is refused.
		{strings.Repeat("[", 33) + strings.Repeat("]", 33), strictjson.ErrTooDeep, "nesting deeper than 32 levels", 1, 33},
		{strings.Repeat(`{"a":`, 33) + "1" + strings.Repeat("}", 33), strictjson.ErrTooDeep, "nesting deeper than 32 levels", 1, 161},
	} {
		_, err := strictjson.Parse([]byte(tt.in), opts)
		var se *strictjson.Error
		if !errors.As(err, &se) {
			t.Errorf("Parse(%.30q) = %v, want an *Error", tt.in, err)
			continue
		}
		if !errors.Is(err, tt.kind) || !strings.Contains(se.Msg, tt.want) || se.Line != tt.line || se.Column != tt.col {
			t.Errorf("Parse(%.30q) = %v (%v), want %q at %d:%d (%v)", tt.in, err, se.Err, tt.want, tt.line, tt.col, tt.kind)
		}
		if l, c := strictjson.Position([]byte(tt.in), se.Offset); l != se.Line || c != se.Column {
			t.Errorf("Parse(%.30q): offset %d is at %d:%d, the error says %d:%d", tt.in, se.Offset, l, c, se.Line, se.Column)
		}
		if tt.kind == strictjson.ErrDuplicateName && se.Name == "" {
			t.Errorf("Parse(%.30q): no Name in %v", tt.in, err)
		}
	}
}

func TestParse(t *testing.T) {
	in := `{"s": "\ud83d\ude00 \u00e9\n\"", "n": [-1.5e3, 1e400, 2.0000000000000000001, -0, 10], "a": [], "t": true, "f": false, "z": null, "o": {}}`
	got, err := strictjson.Parse([]byte(in), opts)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"s": "😀 é\n\"",
		"n": []any{json.Number("-1.5e3"), json.Number("1e400"), json.Number("2.0000000000000000001"), json.Number("-0"), json.Number("10")},
		"a": []any{}, "t": true, "f": false, "z": nil, "o": map[string]any{},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse = %#v\nwant %#v", got, want)
	}
	// Empty arrays have storage of their own: two of them are two arrays.
	got, _ = strictjson.Parse([]byte(`[[], []]`), opts)
	a := got.([]any)
	x, y := a[0].([]any), a[1].([]any)
	if cap(x) == 0 || &x[:1][0] == &y[:1][0] {
		t.Error("empty arrays share storage")
	}
	// 32 levels are allowed.
	deep := strings.Repeat("[", 32) + strings.Repeat("]", 32)
	if _, err := strictjson.Parse([]byte(deep), opts); err != nil {
		t.Errorf("32 levels: %v", err)
	}
}

func TestLoneSurrogates(t *testing.T) {
	o := strictjson.Options{MaxDepth: 8, ReplaceLoneSurrogates: true}
	got, err := strictjson.Parse([]byte(`["\ud800", "a\udc00b", "\ud800\u0041", "\ud83d\ude00", {"\ud800": 1}]`), o)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"\uFFFD", "a\uFFFDb", "\uFFFDA", "😀", map[string]any{"\uFFFD": json.Number("1")}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse = %#q, want %#q", got, want)
	}
	// Invalid bytes are still refused, at their string, including in a
	// name that reads the same as an earlier one once replaced.
	for in, col := range map[string]int{
		"\"\xff\"":                   1,
		"[\"\\ud800\", \"\xff\"]":    12,
		"{\"\\ufffd\":1,\"\xff\":2}": 13,
		"{\"a\":\"x\xffy\\q\"}":      6,
	} {
		_, err := strictjson.Parse([]byte(in), o)
		var se *strictjson.Error
		if !errors.As(err, &se) || !errors.Is(err, strictjson.ErrInvalidUTF8) || se.Column != col {
			t.Errorf("Parse(%q) = %v, want invalid UTF-8 at column %d", in, err, col)
		}
	}
}

func TestLimits(t *testing.T) {
	o := strictjson.Options{MaxBytes: 10, MaxDepth: 2}
	if _, err := strictjson.Parse([]byte(`"0123456789"`), o); !errors.Is(err, strictjson.ErrTooLarge) {
		t.Errorf("over MaxBytes: %v", err)
	}
	if _, err := strictjson.Parse([]byte(`"01234567"`), o); err != nil {
		t.Errorf("at MaxBytes: %v", err)
	}
	if _, err := strictjson.Parse([]byte(`[[[]]]`), o); !errors.Is(err, strictjson.ErrTooDeep) {
		t.Errorf("over MaxDepth: %v", err)
	}
	if _, err := strictjson.Parse([]byte(`1`), strictjson.Options{}); err == nil {
		t.Error("MaxDepth 0 accepted")
	}
}

// The Decoder, as a caller decoding into its own type uses it.
func TestDecoder(t *testing.T) {
	d, err := strictjson.NewDecoder([]byte(` {"a": [1, "x", true, false, null], "b": {}} `), opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	more := []bool{}
	for {
		tok, err := d.ReadToken()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(tok.Kind)+tok.Text)
		if tok.Kind == strictjson.ArrayStart || tok.Kind == strictjson.ObjectStart {
			more = append(more, d.More())
		}
		if len(got) == 12 {
			break
		}
	}
	want := []string{"{", `"a`, "[", "01", `"x`, "t", "f", "n", "]", `"b`, "{", "}"}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(more, []bool{true, true, false}) {
		t.Errorf("tokens %q, More %v", got, more)
	}
	if d.More() {
		t.Error("More before the last '}'")
	}
	if tok, err := d.ReadToken(); err != nil || tok.Kind != strictjson.ObjectEnd {
		t.Fatalf("last token %v, %v", tok, err)
	}
	if err := d.End(); err != nil {
		t.Errorf("End: %v", err)
	}
	// More says true on broken input, and ReadToken gives the error.
	d, _ = strictjson.NewDecoder([]byte(`[1`), opts)
	d.ReadToken()
	d.ReadToken()
	if !d.More() {
		t.Error("More is false at a premature end")
	}
	if _, err := d.ReadToken(); !errors.Is(err, strictjson.ErrUnexpectedEnd) {
		t.Errorf("premature end: %v", err)
	}
}
