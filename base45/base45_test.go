package base45_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"dcc/base45"
)

// RFC 9285 §4.3 and §4.4 examples.
var vectors = []struct{ plain, encoded string }{
	{"AB", "BB8"},
	{"Hello!!", "%69 VD92EX0"},
	{"base-45", "UJCLQE7W581"},
	{"ietf!", "QED8WEX0"},
	{"", ""},
	{"\x00", "00"},
	{"\xff\xff", "FGW"},
}

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		if got := base45.Encode([]byte(v.plain)); got != v.encoded {
			t.Errorf("Encode(%q) = %q, want %q", v.plain, got, v.encoded)
		}
		got, err := base45.Decode(v.encoded)
		if err != nil || string(got) != v.plain {
			t.Errorf("Decode(%q) = %q, %v; want %q", v.encoded, got, err, v.plain)
		}
		if n := base45.EncodedLen(len(v.plain)); n != len(v.encoded) {
			t.Errorf("EncodedLen(%d) = %d, want %d", len(v.plain), n, len(v.encoded))
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, c := range []struct {
		in     string
		offset int
		want   string
	}{
		{"A", 0, "single character"},
		{"BB8A", 3, "single character"},
		{"GGW", 0, "more than 65535"},   // 16 + 16*45 + 32*2025 = 65536
		{"ZZZ", 0, "more than 65535"},   // 35*(1+45+2025)
		{"BB8:Z", 3, "more than 255"},   // 44 + 35*45
		{"bb8", 0, "not in the Base45"}, // lower case
		{"BB#", 2, "not in the Base45"},
		{"BBéA", 2, "not in the Base45"},
	} {
		_, err := base45.Decode(c.in)
		var ce *base45.CorruptInputError
		if !errors.As(err, &ce) || ce.Offset != c.offset || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Decode(%q) = %v, want offset %d, %q", c.in, err, c.offset, c.want)
		}
	}
}

func ExampleEncode() {
	fmt.Println(base45.Encode([]byte("Hello!!")))
	// Output: %69 VD92EX0
}

func FuzzDecode(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.encoded)
	}
	f.Add("GGW")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := base45.Decode(s)
		if err != nil {
			return
		}
		// Base45 has one encoding per byte string.
		if again := base45.Encode(b); again != s {
			t.Fatalf("Decode(%q) = %x, which encodes as %q", s, b, again)
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("Hello!!"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := base45.Decode(base45.Encode(b))
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("round trip of %x: %x, %v", b, got, err)
		}
	})
}

func BenchmarkEncode(b *testing.B) {
	src := bytes.Repeat([]byte{0xd2, 0x84, 0x43, 0xa1}, 100)
	for b.Loop() {
		base45.Encode(src)
	}
}

func BenchmarkDecode(b *testing.B) {
	s := base45.Encode(bytes.Repeat([]byte{0xd2, 0x84, 0x43, 0xa1}, 100))
	for b.Loop() {
		if _, err := base45.Decode(s); err != nil {
			b.Fatal(err)
		}
	}
}
