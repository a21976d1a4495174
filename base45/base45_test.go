package base45_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dcc/base45"
)

// RFC 9285 §4.3 (encoding) and §4.4 (decoding) examples, and edges.
var vectors = []struct{ plain, encoded string }{
	{"AB", "BB8"},
	{"Hello!!", "%69 VD92EX0"},
	{"base-45", "UJCLQE7W581"},
	{"ietf!", "QED8WEX0"},
	{"", ""},
	{"\x00", "00"},
	{"\x00\x00", "000"},
	{"\xff", "U5"},
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
		if n := base45.DecodedLen(len(v.encoded)); n != len(v.plain) {
			t.Errorf("DecodedLen(%d) = %d, want %d", len(v.encoded), n, len(v.plain))
		}
	}
}

// Exhaustive over every group: exactly the 65536 triplets up to "FGW" and
// the 256 pairs up to "U5" decode, each to a different value.
func TestAllGroups(t *testing.T) {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
	for _, size := range []int{2, 3} {
		seen := make(map[string]bool)
		group := make([]byte, size)
		var walk func(i int)
		walk = func(i int) {
			if i == size {
				b, err := base45.Decode(string(group))
				if err != nil {
					return
				}
				if len(b) != size-1 || seen[string(b)] {
					t.Fatalf("Decode(%q) = %x: wrong length or a second encoding", group, b)
				}
				seen[string(b)] = true
				return
			}
			for j := range len(alphabet) {
				group[i] = alphabet[j]
				walk(i + 1)
			}
		}
		walk(0)
		if want := 1 << (8 * (size - 1)); len(seen) != want {
			t.Errorf("%d-character groups: %d decode, want %d", size, len(seen), want)
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
		{"BB8ABCD", 6, "single character"},
		{"GGW", 0, "more than 65535"},   // 16 + 16*45 + 32*2025 = 65536
		{"ZZZ", 0, "more than 65535"},   // 35*(1+45+2025)
		{":::", 0, "more than 65535"},   // the largest triplet
		{"BB8V5", 3, "more than 255"},   // 31 + 5*45 = 256
		{"BB8:Z", 3, "more than 255"},   // 44 + 35*45
		{"bb8", 0, "not in the Base45"}, // lower case: RFC 9285 has none
		{"BB#", 2, "not in the Base45"},
		{"BB8\n", 3, "single character"},    // length is checked first
		{"BB8\r\n", 3, "not in the Base45"}, // no line breaks
		{"BBéA", 2, "not in the Base45"},
		{"BB\x00", 2, "not in the Base45"},
		{"BB=", 2, "not in the Base45"}, // no padding
	} {
		got, err := base45.Decode(c.in)
		var ce *base45.CorruptInputError
		if !errors.As(err, &ce) || ce.Offset != c.offset || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Decode(%q) = %x, %v; want offset %d, %q", c.in, got, err, c.offset, c.want)
		}
		if got != nil {
			t.Errorf("Decode(%q) returned data with an error", c.in)
		}
	}
}

// The member-state vectors: BASE45 decodes to COMPRESSED exactly when
// EXPECTEDB45DECODE is not false.
func TestMemberStateVectors(t *testing.T) {
	root := filepath.FromSlash("../../shared/testdata/dgc-testdata")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("member-state test vectors not found at %s: %v", root, err)
	}
	checked, failing := 0, 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".json" || filepath.Base(filepath.Dir(path)) != "raw" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var v struct {
			BASE45, COMPRESSED string
			EXPECTEDRESULTS    struct{ EXPECTEDB45DECODE *bool }
		}
		if err := json.Unmarshal(data, &v); err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		if v.BASE45 == "" || v.COMPRESSED == "" {
			return nil
		}
		want, err := hex.DecodeString(v.COMPRESSED)
		if err != nil {
			t.Errorf("%s: COMPRESSED: %v", path, err)
			return nil
		}
		checked++
		got, err := base45.Decode(v.BASE45)
		if e := v.EXPECTEDRESULTS.EXPECTEDB45DECODE; e != nil && !*e {
			failing++
			if err == nil {
				t.Errorf("%s: Decode(BASE45) succeeded, EXPECTEDB45DECODE is false", path)
			}
			return nil
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: Decode(BASE45): %v (equal to COMPRESSED: %v)", path, err, bytes.Equal(got, want))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 || failing == 0 {
		t.Errorf("%d vectors checked, %d expected to fail: the test data is not what this test expects", checked, failing)
	}
	t.Logf("%d vectors checked, %d expected to fail", checked, failing)
}

func ExampleEncode() {
	fmt.Println(base45.Encode([]byte("Hello!!")))
	// Output: %69 VD92EX0
}

func ExampleDecode() {
	b, err := base45.Decode("QED8WEX0")
	fmt.Printf("%s %v\n", b, err)
	_, err = base45.Decode("QED8WEX")
	fmt.Println(err)
	// Output:
	// ietf! <nil>
	// base45: length 7 leaves a single character (length mod 3 must be 0 or 2) at offset 6
}

func FuzzDecode(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.encoded)
	}
	f.Add("GGW")
	f.Add("BB8:Z")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := base45.Decode(s)
		if err != nil {
			var ce *base45.CorruptInputError
			if b != nil || !errors.As(err, &ce) || ce.Offset < 0 || ce.Offset >= len(s) {
				t.Fatalf("Decode(%q) = %x, %v", s, b, err)
			}
			return
		}
		if len(b) != base45.DecodedLen(len(s)) {
			t.Fatalf("Decode(%q): %d bytes, DecodedLen says %d", s, len(b), base45.DecodedLen(len(s)))
		}
		// Base45 has one encoding per byte string.
		if again := base45.Encode(b); again != s {
			t.Fatalf("Decode(%q) = %x, which encodes as %q", s, b, again)
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	for _, v := range vectors {
		f.Add([]byte(v.plain))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := base45.Encode(b)
		if len(s) != base45.EncodedLen(len(b)) {
			t.Fatalf("Encode(%x): %d characters, EncodedLen says %d", b, len(s), base45.EncodedLen(len(b)))
		}
		got, err := base45.Decode(s)
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("round trip of %x: %x, %v", b, got, err)
		}
	})
}

// 400 bytes: about the size of a compressed DCC.
func benchInput() []byte {
	b := make([]byte, 400)
	for i := range b {
		b[i] = byte(i*131 + i>>3)
	}
	return b
}

func BenchmarkEncode(b *testing.B) {
	src := benchInput()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		base45.Encode(src)
	}
}

func BenchmarkDecode(b *testing.B) {
	s := base45.Encode(benchInput())
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := base45.Decode(s); err != nil {
			b.Fatal(err)
		}
	}
}
