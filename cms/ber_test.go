package cms_test

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"dcc/cms"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNormalizeBER(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"DER stays", "30 03 02 01 05", "30 03 02 01 05"},
		{"indefinite SEQUENCE", "30 80 02 01 05 00 00", "30 03 02 01 05"},
		{"nested indefinite", "30 80 31 80 05 00 00 00 00 00", "30 04 31 02 05 00"},
		{"long-form short length", "04 81 02 ab cd", "04 02 ab cd"},
		{"length with a leading zero", "04 82 00 02 ab cd", "04 02 ab cd"},
		{"constructed OCTET STRING", "24 80 04 02 01 02 04 01 03 00 00", "04 03 01 02 03"},
		{"nested segments", "24 80 24 06 04 01 01 04 01 02 04 00 04 01 03 00 00", "04 03 01 02 03"},
		{"definite constructed OCTET STRING", "24 06 04 01 aa 04 01 bb", "04 02 aa bb"},
		{"empty constructed OCTET STRING", "24 80 00 00", "04 00"},
		{"constructed BIT STRING", "23 80 03 02 00 ff 03 02 04 f0 00 00", "03 03 04 ff f0"},
		{"constructed UTF8String", "2c 80 0c 01 61 0c 01 62 00 00", "0c 02 61 62"},
		{"explicit tag around a segmented string", "a0 80 24 80 04 01 61 00 00 00 00", "a0 03 04 01 61"},
		{"high tag number kept", "bf 81 00 80 05 00 00 00", "bf 81 00 02 05 00"},
		{"long length made minimal", "04 81 80 " + strings.Repeat("00 ", 128), "04 81 80 " + strings.Repeat("00 ", 128)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := cms.NormalizeBER(unhex(t, c.in))
			if err != nil {
				t.Fatal(err)
			}
			if want := unhex(t, c.want); !bytes.Equal(got, want) {
				t.Fatalf("got % x, want % x", got, want)
			}
			again, err := cms.NormalizeBER(got)
			if err != nil || !bytes.Equal(again, got) {
				t.Fatalf("DER output is not a fixed point: % x, %v", again, err)
			}
		})
	}
}

func TestNormalizeBERLongContent(t *testing.T) {
	// 300 bytes in 3 segments: a two-octet definite length comes out.
	in := []byte{0x24, 0x80}
	for range 3 {
		in = append(in, 0x04, 0x64)
		in = append(in, bytes.Repeat([]byte{7}, 100)...)
	}
	in = append(in, 0, 0)
	got, err := cms.NormalizeBER(in)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte{0x04, 0x82, 0x01, 0x2c}, bytes.Repeat([]byte{7}, 300)...)
	if !bytes.Equal(got, want) {
		t.Fatalf("got % x", got[:8])
	}
}

func TestNormalizeBERKeepsDER(t *testing.T) {
	der := mustSign(t, []byte("x"), validSigner(t, "P-256"), cms.SignOptions{})
	got, err := cms.NormalizeBER(der)
	if err != nil {
		t.Fatal(err)
	}
	if &got[0] != &der[0] || len(got) != len(der) {
		t.Error("DER input was copied or changed")
	}
}

func TestNormalizeBERRefuses(t *testing.T) {
	cases := []struct{ name, in, frag string }{
		{"unterminated", "30 80 02 01 05", "without end-of-contents"},
		{"terminator missing a byte", "30 80 02 01 05 00", "truncated"},
		{"definite length too long", "30 05 02 01 05", "truncated: length 5 but 3 byte(s) left"},
		{"indefinite primitive", "02 80 01 00 00", "indefinite length on a primitive"},
		{"reserved length", "04 ff 00", "reserved length octet"},
		{"five length octets", "04 85 00 00 00 00 01 00", "length in 5 octets"},
		{"trailing data", "05 00 05 00", "2 byte(s) after the end of the structure"},
		{"trailing after BER", "30 80 00 00 01", "1 byte(s) after the end"},
		{"EOC in a definite element", "30 02 00 00", "end-of-contents octets where an element is expected"},
		{"primitive SEQUENCE", "10 00", "primitive encoding of a SEQUENCE"},
		{"constructed INTEGER", "22 03 02 01 05", "constructed encoding of universal type 2"},
		{"segment of another type", "24 80 0c 01 61 00 00", "segment 1 of a constructed string of type 4 has type 12"},
		{"context segment", "24 80 80 01 61 00 00", "has type 0"},
		{"BIT STRING unused bits before the end", "23 80 03 02 04 f0 03 02 00 ff 00 00", "leaves bits unused but is not the last"},
		{"BIT STRING segment empty", "23 80 03 00 00 00", "BIT STRING segment 1 is malformed"},
		{"high tag form for a low tag", "1f 05 00", "written in the high tag number form"},
		{"high tag leading zero", "1f 80 21 00", "leading zero group"},
		{"header cut", "30", "truncated"},
		{"length cut", "04 82 01", "truncated: length octets"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := cms.NormalizeBER(unhex(t, c.in))
			wantReason(t, err, cms.ReasonMalformed, c.frag)
		})
	}
}

func TestNormalizeBERDepth(t *testing.T) {
	if _, err := cms.NormalizeBER(nest(cms.MaxDepth)); err != nil {
		t.Fatalf("nesting to MaxDepth: %v", err)
	}
	_, err := cms.NormalizeBER(nest(cms.MaxDepth + 1))
	wantReason(t, err, cms.ReasonMalformed, "nested deeper than 64", "BER at byte 130")
	if _, err := cms.NormalizeBER(manyNulls(cms.MaxElements - 1)); err != nil {
		t.Fatalf("MaxElements elements: %v", err)
	}
}
