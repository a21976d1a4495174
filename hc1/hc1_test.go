package hc1_test

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	kzlib "github.com/klauspost/compress/zlib"

	"dcc/base45"
	"dcc/hc1"
)

// coseLike is a ~300-byte message shaped like a DCC COSE_Sign1: a short
// protected header, CBOR text that compresses well, and a 64-byte ES256
// signature that does not compress at all.
func coseLike() []byte {
	m, _ := hex.DecodeString("d2844da204481c1443b375a45d070126a0590133a4041a6092dd20061a60903a2001624154390103a101a4")
	m = append(m, "av\x81\xaabdn\x01bmamORG-100030215bvpj1119349007bdtj2021-06-01bcobATbcix0URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#Bbmplbisn"+
		"Ministry of Health, Austriabsd\x02btgi840539006cnam\xa4cfntmMUSTERFRAU<GOESSINGERbfnmMusterfrau-Gößingercgntf"+
		"GABRIELEbgnfGabrielecverc1.3.0cdobj1998-02-26X@"...)
	sig := make([]byte, 64)
	rand.NewChaCha8([32]byte{1}).Read(sig)
	return append(m, sig...)
}

func zlibOf(tb testing.TB, data []byte) []byte {
	tb.Helper()
	var b bytes.Buffer
	w, err := zlib.NewWriterLevel(&b, zlib.BestCompression)
	if err != nil {
		tb.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	inputs := [][]byte{nil, {0xd2}, coseLike()}
	for _, n := range []int{2000, hc1.MaxInflated} {
		inputs = append(inputs, bytes.Repeat([]byte{0xd2, 0x84, 0x4d, 0xa2}, n/4+1)[:n])
	}
	var enc hc1.Encoder
	for _, cose := range inputs {
		s, err := hc1.Encode(cose)
		if err != nil {
			t.Fatalf("Encode of %d bytes: %v", len(cose), err)
		}
		if !strings.HasPrefix(s, "HC1:") || len(s) > hc1.MaxLen {
			t.Fatalf("Encode of %d bytes: %d characters starting %.10q", len(cose), len(s), s)
		}
		if s2, err := enc.Encode(cose); err != nil || s2 != s {
			t.Errorf("Encoder.Encode of %d bytes differs from Encode: %v", len(cose), err)
		}
		got, err := hc1.Decode(s)
		if err != nil || !bytes.Equal(got, cose) {
			t.Errorf("round trip of %d bytes: %d bytes, %v", len(cose), len(got), err)
		}
	}
}

// The compressor the Encoder keeps is reset properly between messages,
// including after one that was too long, and under concurrent use.
func TestEncoderReuse(t *testing.T) {
	var enc hc1.Encoder
	big := make([]byte, 4000)
	rand.NewChaCha8([32]byte{2}).Read(big)
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 20 {
				if i%5 == 0 {
					if _, err := enc.Encode(big); !errors.Is(err, hc1.ErrTooLong) {
						t.Errorf("incompressible 4000 bytes: %v, want ErrTooLong", err)
					}
					continue
				}
				cose := bytes.Repeat([]byte{byte(g), byte(i)}, 50*i)
				s, err := enc.Encode(cose)
				if err != nil {
					t.Error(err)
					return
				}
				if got, err := hc1.Decode(s); err != nil || !bytes.Equal(got, cose) {
					t.Errorf("goroutine %d, message %d: round trip: %v", g, i, err)
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}

func TestEncodeTooLong(t *testing.T) {
	cose := make([]byte, 3000) // a QR code carries at most 2,862 bytes
	rand.NewChaCha8([32]byte{3}).Read(cose)
	s, err := hc1.Encode(cose)
	if !errors.Is(err, hc1.ErrTooLong) || s != "" {
		t.Errorf("Encode of 3000 random bytes = %.10q…, %v; want ErrTooLong", s, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	good := zlibOf(t, coseLike())
	checksum := bytes.Clone(good)
	checksum[len(checksum)-1] ^= 1
	deflated := bytes.Clone(good)
	deflated[len(deflated)/2] ^= 0x55
	dict := func() []byte {
		var b bytes.Buffer
		w, _ := zlib.NewWriterLevelDict(&b, zlib.BestCompression, []byte("dictionary"))
		w.Write(coseLike())
		w.Close()
		return b.Bytes()
	}()
	b45 := func(b []byte) string { return "HC1:" + base45.Encode(b) }
	for _, c := range []struct {
		name, in string
		layer    hc1.Layer
		want     string
	}{
		{"other version", "HC2:" + base45.Encode(good), hc1.LayerPrefix, `"HC2:" is an HCERT version this decoder does not support`},
		{"last version", "HCZ:" + base45.Encode(good), hc1.LayerPrefix, "does not support"},
		{"other context", "HL0:" + base45.Encode(good), hc1.LayerPrefix, `"HL0:" is not "HC1:"`},
		{"HC0", "HC0:" + base45.Encode(good), hc1.LayerPrefix, `"HC0:" is not "HC1:"`},
		{"lower case", "hc1:" + base45.Encode(good), hc1.LayerPrefix, `"hc1:" is not "HC1:"`},
		{"no colon", "HC1" + base45.Encode(good), hc1.LayerPrefix, "no context identifier"},
		{"leading space", " HC1:" + base45.Encode(good), hc1.LayerPrefix, `starts with " HC1:`},
		{"no prefix", base45.Encode(good), hc1.LayerPrefix, "no context identifier"},
		{"empty", "", hc1.LayerPrefix, "no context identifier"},
		{"too long", "HC1:" + strings.Repeat("0", hc1.MaxLen-3), hc1.LayerPrefix, "longer than 4296 characters"},
		{"lower case base45", "HC1:" + strings.ToLower(base45.Encode(good)), hc1.LayerBase45, "not in the Base45 alphabet"},
		{"trailing newline", b45(good) + "\n", hc1.LayerBase45, "base45"},
		{"dangling character", b45(good[:len(good)&^1]) + "0", hc1.LayerBase45, "single character"},
		{"only prefix", "HC1:", hc1.LayerZlib, "no data"},
		{"not compressed", b45(coseLike()), hc1.LayerZlib, "not a zlib stream"},
		{"preset dictionary", b45(dict), hc1.LayerZlib, "not a zlib stream"},
		{"bad checksum", b45(checksum), hc1.LayerZlib, "checksum"},
		{"corrupt deflate", b45(deflated), hc1.LayerZlib, "corrupt"},
		{"truncated", b45(good[:len(good)-3]), hc1.LayerZlib, "unexpected EOF"},
		{"trailing byte", b45(append(bytes.Clone(good), 0)), hc1.LayerZlib, "1 bytes after the end"},
		{"two streams", b45(append(bytes.Clone(good), good...)), hc1.LayerZlib, "after the end"},
		{"over the cap", b45(zlibOf(t, make([]byte, hc1.MaxInflated+1))), hc1.LayerZlib, "larger than 65536 bytes"},
	} {
		got, err := hc1.Decode(c.in)
		var le *hc1.LayerError
		if !errors.As(err, &le) || le.Layer != c.layer || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want layer %s and %q", c.name, err, c.layer, c.want)
		}
		if got != nil {
			t.Errorf("%s: data returned with an error", c.name)
		}
	}
}

func TestLayerString(t *testing.T) {
	for l, want := range map[hc1.Layer]string{hc1.LayerPrefix: "prefix", hc1.LayerBase45: "base45", hc1.LayerZlib: "zlib", 0: "Layer(0)"} {
		if l.String() != want {
			t.Errorf("Layer %d: %q, want %q", int(l), l.String(), want)
		}
	}
}

// A zlib bomb must stop at the cap, quickly and in bounded memory: 10 MiB
// of zeros compress to 10 KiB (too long for a QR code, so Inflate directly),
// 2.5 MiB to 2.5 KiB, which an HC1 string in a QR code carries.
func TestZlibBomb(t *testing.T) {
	big := zlibOf(t, make([]byte, 10<<20))
	qr := "HC1:" + base45.Encode(zlibOf(t, make([]byte, 5<<19)))
	if len(qr) > hc1.MaxLen {
		t.Fatalf("the QR-sized bomb is %d characters", len(qr))
	}
	for _, c := range []struct {
		name   string
		decode func() ([]byte, error)
	}{
		{"Inflate, 10 MiB", func() ([]byte, error) { return hc1.Inflate(big) }},
		{"Decode, 2.5 MiB", func() ([]byte, error) { return hc1.Decode(qr) }},
	} {
		const runs = 10
		var err error
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for range runs {
			_, err = c.decode()
		}
		runtime.ReadMemStats(&after)
		if !errors.Is(err, hc1.ErrTooLarge) {
			t.Fatalf("%s: %v, want ErrTooLarge", c.name, err)
		}
		// The window, Huffman tables and the output buffer: a few hundred
		// KiB, against megabytes if the stream were inflated in full.
		perRun := (after.TotalAlloc - before.TotalAlloc) / runs
		if perRun > 512<<10 {
			t.Errorf("%s: %d bytes allocated per decode", c.name, perRun)
		}
		t.Logf("%s: %d bytes allocated per decode", c.name, perRun)
	}
}

// The member-state vectors. PREFIX decodes to COSE unless one of
// EXPECTEDUNPREFIX, EXPECTEDB45DECODE or EXPECTEDCOMPRESSION is false, and
// then fails in that layer; COMPRESSED inflates to COSE unless
// EXPECTEDCOMPRESSION is false.
func TestMemberStateVectors(t *testing.T) {
	root := filepath.FromSlash("../../shared/testdata/dgc-testdata")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("member-state test vectors not found at %s: %v", root, err)
	}
	decoded, refused, inflated := 0, 0, 0
	ours, theirs := 0, 0 // total HC1 length re-encoded, and with compress/zlib at level 9
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".json" || filepath.Base(filepath.Dir(path)) != "raw" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var v struct {
			PREFIX, COMPRESSED, COSE string
			EXPECTEDRESULTS          map[string]any
		}
		if err := json.Unmarshal(data, &v); err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		cose, err := hex.DecodeString(v.COSE)
		if err != nil {
			t.Errorf("%s: COSE: %v", path, err)
			return nil
		}
		// The first layer whose flag is false must be the one that fails.
		var fail hc1.Layer
		for _, f := range []struct {
			flag  string
			layer hc1.Layer
		}{{"EXPECTEDUNPREFIX", hc1.LayerPrefix}, {"EXPECTEDB45DECODE", hc1.LayerBase45}, {"EXPECTEDCOMPRESSION", hc1.LayerZlib}} {
			if v.EXPECTEDRESULTS[f.flag] == false {
				fail = f.layer
				break
			}
		}
		if v.PREFIX != "" {
			got, err := hc1.Decode(v.PREFIX)
			var le *hc1.LayerError
			switch {
			case fail != 0 && (!errors.As(err, &le) || le.Layer != fail):
				t.Errorf("%s: Decode(PREFIX) = %v, want a %s error", path, err, fail)
			case fail != 0:
				refused++
			case err != nil:
				t.Errorf("%s: Decode(PREFIX): %v", path, err)
			case v.COSE != "" && !bytes.Equal(got, cose):
				t.Errorf("%s: Decode(PREFIX) differs from COSE", path)
			default:
				decoded++
				// Re-encoded, it must decode to the same message, and the
				// compressor must not lose to the standard library's best.
				again, err := hc1.Encode(got)
				if err != nil {
					t.Errorf("%s: Encode: %v", path, err)
					break
				}
				if back, err := hc1.Decode(again); err != nil || !bytes.Equal(back, got) {
					t.Errorf("%s: Decode(Encode(COSE)): %v (equal: %v)", path, err, bytes.Equal(back, got))
				}
				ours += len(again)
				theirs += len(hc1.Prefix) + base45.EncodedLen(len(stdDeflate(got)))
			}
		}
		if v.COMPRESSED != "" && v.COSE != "" {
			compressed, err := hex.DecodeString(v.COMPRESSED)
			if err != nil {
				t.Errorf("%s: COMPRESSED: %v", path, err)
				return nil
			}
			got, err := hc1.Inflate(compressed)
			if v.EXPECTEDRESULTS["EXPECTEDCOMPRESSION"] == false {
				if err == nil {
					t.Errorf("%s: Inflate(COMPRESSED) succeeded, EXPECTEDCOMPRESSION is false", path)
				}
			} else if err != nil || !bytes.Equal(got, cose) {
				t.Errorf("%s: Inflate(COMPRESSED): %v (equal to COSE: %v)", path, err, bytes.Equal(got, cose))
			}
			inflated++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// common/ has H1–H3, B1, Z1 and Z2 failing and well over 100 that decode.
	if decoded < 100 || refused < 6 {
		t.Errorf("%d PREFIX decoded, %d refused: the test data is not what this test expects", decoded, refused)
	}
	t.Logf("PREFIX: %d decoded, %d refused as expected; COMPRESSED: %d inflated", decoded, refused, inflated)
	t.Logf("re-encoded: %d characters in all; %d with compress/zlib at level 9", ours, theirs)
	if ours > theirs {
		t.Errorf("re-encoded, the vectors take %d characters, more than the %d of compress/zlib at level 9", ours, theirs)
	}
}

// stdDeflate is the standard library's zlib at its best level, the yardstick.
func stdDeflate(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func ExampleDecode() {
	cose, err := hc1.Decode("HC1:NCFUSP8:5945Q$9AMPGUA 4VI-EYM0U50TBWP3TO1")
	fmt.Printf("%q %v\n", cose, err)

	_, err = hc1.Decode("HC2:NCFUSP8:5945Q$9AMPGUA 4VI-EYM0U50TBWP3TO1")
	var le *hc1.LayerError
	if errors.As(err, &le) {
		fmt.Println(le.Layer, "layer:", err)
	}
	// Output:
	// "not really COSE" <nil>
	// prefix layer: hc1: prefix layer: context identifier "HC2:" is an HCERT version this decoder does not support (want "HC1:")
}

func FuzzDecode(f *testing.F) {
	s, _ := hc1.Encode(coseLike())
	f.Add(s)
	f.Add("HC1:" + base45.Encode(zlibOf(f, make([]byte, 1<<20))))
	f.Add("HC1:" + base45.Encode(zlibOf(f, []byte("x"))))
	f.Add("HC1:NCF")
	f.Add("HC2:")
	f.Fuzz(func(t *testing.T, s string) {
		out, err := hc1.Decode(s)
		if err != nil {
			var le *hc1.LayerError
			if out != nil || !errors.As(err, &le) {
				t.Fatalf("Decode(%.40q) = %d bytes, %v", s, len(out), err)
			}
			return
		}
		if len(out) > hc1.MaxInflated || !strings.HasPrefix(s, hc1.Prefix) {
			t.Fatalf("Decode(%.40q) = %d bytes", s, len(out))
		}
	})
}

func BenchmarkEncode(b *testing.B) {
	cose := coseLike()
	b.Run("func", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := hc1.Encode(cose); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Encoder", func(b *testing.B) {
		var enc hc1.Encoder
		b.ReportAllocs()
		for b.Loop() {
			if _, err := enc.Encode(cose); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDeflate compares the compressor the Encoder uses, at its level
// and at the best, with the standard library's at the best, all reused as
// an Encoder does.
func BenchmarkDeflate(b *testing.B) {
	cose := coseLike()
	std, _ := zlib.NewWriterLevel(nil, zlib.BestCompression)
	kp, _ := kzlib.NewWriterLevel(nil, kzlib.BestCompression)
	kp8, _ := kzlib.NewWriterLevel(nil, hc1.Level)
	for _, bm := range []struct {
		name string
		w    interface {
			Reset(io.Writer)
			Write([]byte) (int, error)
			Close() error
		}
	}{{"compress-zlib", std}, {"klauspost-zlib", kp}, {"klauspost-zlib-8", kp8}} {
		b.Run(bm.name, func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				bm.w.Reset(&buf)
				bm.w.Write(cose)
				if err := bm.w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes")
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	s, err := hc1.Encode(coseLike())
	if err != nil {
		b.Fatal(err)
	}
	var d hc1.Decoder
	for _, bm := range []struct {
		name   string
		decode func(string) ([]byte, error)
	}{{"func", hc1.Decode}, {"Decoder", d.Decode}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bm.decode(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A Decoder's decompressors are reused across good and bad input alike.
func TestDecoderReuse(t *testing.T) {
	var d hc1.Decoder
	good, err := hc1.Encode([]byte("a COSE message, or anything else"))
	if err != nil {
		t.Fatal(err)
	}
	bad := good[:len(good)-3] + "AAA"
	for i := range 20 {
		s := good
		if i%3 == 1 {
			s = bad
		}
		got, err := d.Decode(s)
		switch {
		case s == bad && err == nil:
			t.Fatalf("round %d: corrupt stream decoded", i)
		case s == good && (err != nil || string(got) != "a COSE message, or anything else"):
			t.Fatalf("round %d: %q, %v", i, got, err)
		}
	}
}
