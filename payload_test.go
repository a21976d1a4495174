package dcc_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"dcc"
)

func TestDecodeErrors(t *testing.T) {
	v := newValidator(t)
	cases := []struct {
		name, in  string
		line, col int
		want      string
	}{
		{"syntax", "{\n  \"ver\": \"1.3.0\",\n  \"dob\" \"x\"\n}", 3, 9, "invalid character"},
		{"truncated", "{\"ver\": \"1.3.0\"", 1, 16, "unexpected end of input"},
		{"duplicate key", "{\"ver\": \"1.3.0\",\n \"ver\": \"1.3.0\"}", 2, 2, `duplicate key "ver"`},
		{"trailing data", "{} {}", 1, 4, "unexpected data after the top-level value"},
		{"too deep", strings.Repeat("[", 40) + strings.Repeat("]", 40), 1, 33, "nesting deeper than 32"},
	}
	for _, c := range cases {
		_, err := v.ValidateJSON([]byte(c.in), dcc.Strict)
		var se *dcc.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s: want a SyntaxError, got %v", c.name, err)
			continue
		}
		if se.Line != c.line || se.Column != c.col || !strings.Contains(se.Msg, c.want) {
			t.Errorf("%s: got %v, want line %d, column %d, %q", c.name, se, c.line, c.col, c.want)
		}
	}
	if _, err := v.ValidateJSON([]byte("{\"fn\": \"M\xfcller\"}"), dcc.Strict); !errors.Is(err, dcc.ErrNotUTF8) {
		t.Errorf("non-UTF-8: got %v", err)
	}
	big := append([]byte(`{"x": "`), bytes.Repeat([]byte("a"), dcc.MaxInput)...)
	if _, err := v.ValidateJSON(big, dcc.Strict); !errors.Is(err, dcc.ErrTooLarge) {
		t.Errorf("oversized: got %v", err)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	data, err := os.ReadFile("testdata/vaccination.json")
	if err != nil {
		t.Fatal(err)
	}
	var p dcc.Payload
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	if p.Type() != dcc.Vaccination || p.V[0].DN != 2 || p.Nam.FNT != "MUSTERFRAU<GOESSINGER<MUELLER" {
		t.Fatalf("decoded %+v", p)
	}
	out, err := p.MarshalJSON() // json.Marshal would re-escape '<' as \u003c
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), `{"ver":"1.3.0","nam":{"fn":"Musterfrau-Gößinger Müller","fnt":"MUSTERFRAU<GOESSINGER<MUELLER"`) {
		t.Errorf("field order or escaping changed: %s", out)
	}
	var back dcc.Payload
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	again, _ := back.MarshalJSON()
	if !bytes.Equal(out, again) {
		t.Errorf("round trip differs:\n%s\n%s", out, again)
	}
}

func TestUnknownFieldsPreserved(t *testing.T) {
	in := `{"ver":"1.3.0","nam":{"fnt":"X","zz":[1,2]},"dob":"","v":[{"dn":1,"sd":1,"new":{"a":true}}],"top":null}`
	var p dcc.Payload
	if err := json.Unmarshal([]byte(in), &p); err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Extra["top"]; !ok || p.Nam.Extra["zz"] == nil || p.V[0].Extra["new"] == nil {
		t.Fatalf("extras lost: %+v", p)
	}
	for _, enc := range []string{"json", "cbor"} {
		var q dcc.Payload
		switch enc {
		case "json":
			b, _ := json.Marshal(&p)
			if err := json.Unmarshal(b, &q); err != nil {
				t.Fatal(err)
			}
		case "cbor":
			b, err := p.MarshalCBOR()
			if err != nil {
				t.Fatal(err)
			}
			if err := q.UnmarshalCBOR(b); err != nil {
				t.Fatal(err)
			}
		}
		if _, ok := q.Extra["top"]; !ok || q.Nam.Extra["zz"] == nil || q.V[0].Extra["new"] == nil {
			t.Errorf("%s: extras lost: %+v", enc, q)
		}
	}
}

func TestCBORIntegersStayIntegers(t *testing.T) {
	data, _ := os.ReadFile("testdata/vaccination.json")
	var p dcc.Payload
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	b, err := p.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	if err := cbor.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	entry := generic["v"].([]any)[0].(map[any]any)
	if dn, ok := entry["dn"].(uint64); !ok || dn != 2 {
		t.Errorf("dn is %T %v in CBOR, want the unsigned integer 2", entry["dn"], entry["dn"])
	}
	// Deterministic: the same payload always encodes the same way.
	b2, _ := p.MarshalCBOR()
	if !bytes.Equal(b, b2) {
		t.Error("CBOR encoding is not deterministic")
	}
	var q dcc.Payload
	if err := q.UnmarshalCBOR(b); err != nil {
		t.Fatal(err)
	}
	v := newValidator(t)
	if rep := v.Validate(&q, dcc.Strict); !rep.Valid() {
		t.Errorf("CBOR round trip no longer valid: %v", rep.Problems)
	}
	rep, err := v.ValidateCBOR(b, dcc.Strict)
	if err != nil || !rep.Valid() {
		t.Errorf("ValidateCBOR: %v %v", err, rep)
	}
}

func TestCBORHostile(t *testing.T) {
	v := newValidator(t)
	for name, in := range map[string][]byte{
		"not a map":      {0x01},
		"int key":        {0xa1, 0x01, 0x01},
		"duplicate keys": {0xa2, 0x61, 'a', 0x01, 0x61, 'a', 0x02},
		"truncated":      {0xa1, 0x61},
		"NaN":            {0xa1, 0x61, 'a', 0xf9, 0x7e, 0x00},
	} {
		rep, err := v.ValidateCBOR(in, dcc.Lenient)
		if err == nil && rep.Valid() {
			t.Errorf("%s: accepted", name)
		}
	}
}

var update = flag.Bool("update", false, "rewrite golden files")

// The CBOR of a fixed payload is fixed: deterministic encoding (RFC 8949
// §4.2.1), integers as integers. Run with -update after a deliberate change.
func TestCBORGolden(t *testing.T) {
	data, _ := os.ReadFile("testdata/vaccination.json")
	var p dcc.Payload
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	got, err := p.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/vaccination.cbor.hex"
	if *update {
		os.WriteFile(golden, []byte(hex.EncodeToString(got)+"\n"), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(got) != strings.TrimSpace(string(want)) {
		t.Errorf("CBOR changed:\n got %x\nwant %s", got, want)
	}
}
