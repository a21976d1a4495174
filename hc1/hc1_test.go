package hc1_test

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dcc/base45"
	"dcc/hc1"
)

func TestRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 300, 2000, hc1.MaxInflated} {
		cose := bytes.Repeat([]byte{0xd2, 0x84, 0x4d, 0xa2}, n/4+1)[:n]
		s, err := hc1.Encode(cose)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(s, "HC1:") {
			t.Fatalf("no prefix: %.10s", s)
		}
		got, err := hc1.Decode(s)
		if err != nil || !bytes.Equal(got, cose) {
			t.Errorf("n=%d: round trip: %v", n, err)
		}
	}
}

func zlibOf(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func TestLayers(t *testing.T) {
	good := zlibOf(t, []byte("cose"))
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)-1] ^= 1 // Adler-32
	for _, c := range []struct {
		name, in string
		layer    hc1.Layer
		want     string
	}{
		{"other version", "HC2:" + base45.Encode(good), hc1.LayerPrefix, `starts with "HC2:"`},
		{"lower case", "hc1:" + base45.Encode(good), hc1.LayerPrefix, "want"},
		{"no prefix", base45.Encode(good), hc1.LayerPrefix, "want"},
		{"bad base45", "HC1:" + "bb8", hc1.LayerBase45, "not in the Base45 alphabet"},
		{"not compressed", "HC1:" + base45.Encode([]byte("cose")), hc1.LayerZlib, "not a zlib stream"},
		{"bad checksum", "HC1:" + base45.Encode(corrupt), hc1.LayerZlib, "corrupt"},
		{"truncated", "HC1:" + base45.Encode(good[:len(good)-3]), hc1.LayerZlib, "corrupt"},
		{"trailing data", "HC1:" + base45.Encode(append(bytes.Clone(good), 0)), hc1.LayerZlib, "after the end"},
	} {
		_, err := hc1.Decode(c.in)
		var le *hc1.LayerError
		if !errors.As(err, &le) || le.Layer != c.layer || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want layer %s and %q", c.name, err, c.layer, c.want)
		}
	}
}

// A zlib bomb fits in a QR code: 10 MiB of zeros compress to about 10 KiB,
// and much larger ratios fit in 2.8 KiB. Decoding must stop at the cap.
func TestZlibBomb(t *testing.T) {
	bomb := zlibOf(t, make([]byte, 10<<20))
	s := "HC1:" + base45.Encode(bomb)
	var err error
	allocs := testing.AllocsPerRun(1, func() { _, err = hc1.Decode(s) })
	if !errors.Is(err, hc1.ErrTooLarge) {
		t.Fatalf("bomb: %v", err)
	}
	if allocs > 200 {
		t.Errorf("bomb decoding made %v allocations", allocs)
	}
}

// The member-state vectors: PREFIX decodes to COSE, and the layers that
// must fail do.
func TestVectors(t *testing.T) {
	root := "../../shared/testdata/dgc-testdata"
	files, _ := filepath.Glob(root + "/*/2DCode/raw/*.json")
	if len(files) == 0 {
		t.Skipf("member-state test vectors not found under %s", root)
	}
	checked := 0
	for _, f := range files {
		data, _ := os.ReadFile(f)
		var v struct {
			COSE, COMPRESSED, BASE45, PREFIX string
			EXPECTEDRESULTS                  map[string]bool
		}
		if json.Unmarshal(data, &v) != nil || v.PREFIX == "" || v.COSE == "" {
			continue
		}
		want, _ := hex.DecodeString(v.COSE)
		got, err := hc1.Decode(v.PREFIX)
		ok := true
		for _, flag := range []string{"EXPECTEDUNPREFIX", "EXPECTEDB45DECODE", "EXPECTEDCOMPRESSION"} {
			if e, set := v.EXPECTEDRESULTS[flag]; set && !e {
				ok = false
			}
		}
		checked++
		if ok && (err != nil || !bytes.Equal(got, want)) {
			t.Errorf("%s: decode: %v (equal to COSE: %v)", f, err, bytes.Equal(got, want))
		}
		if !ok && err == nil && bytes.Equal(got, want) {
			t.Errorf("%s: expected a transport layer to fail", f)
		}
	}
	t.Logf("%d vectors checked", checked)
}

func FuzzDecode(f *testing.F) {
	s, _ := hc1.Encode([]byte("example cose"))
	f.Add(s)
	f.Add("HC1:" + base45.Encode(zlibOf(f, make([]byte, 1<<20))))
	f.Add("HC1:NCF")
	f.Fuzz(func(t *testing.T, s string) {
		out, err := hc1.Decode(s)
		if err == nil && len(out) > hc1.MaxInflated {
			t.Fatalf("decoded %d bytes", len(out))
		}
	})
}

func BenchmarkEncode(b *testing.B) {
	cose := bytes.Repeat([]byte("a DCC COSE message with some redundancy. "), 8)
	var enc hc1.Encoder
	for b.Loop() {
		if _, err := enc.Encode(cose); err != nil {
			b.Fatal(err)
		}
	}
}

// The Encoder and the one-off Encode give the same string.
func TestEncoderReuse(t *testing.T) {
	var enc hc1.Encoder
	for i := range 3 {
		cose := bytes.Repeat([]byte{byte(i)}, 100*(i+1))
		a, err1 := enc.Encode(cose)
		b, err2 := hc1.Encode(cose)
		if err1 != nil || err2 != nil || a != b {
			t.Fatalf("round %d: Encoder and Encode differ", i)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	s, _ := hc1.Encode(bytes.Repeat([]byte("a DCC COSE message with some redundancy. "), 8))
	for b.Loop() {
		if _, err := hc1.Decode(s); err != nil {
			b.Fatal(err)
		}
	}
}
