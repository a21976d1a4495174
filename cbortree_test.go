package dcc

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// cborPayloads are the CBOR payloads the tests know: the project's
// testdata (as EncodeCBOR writes them, and the golden file), and those of
// the member states' test vectors (their CBOR field and the payload inside
// their COSE), read in place; and, when the repository is there, the
// official schema examples encoded.
func cborPayloads(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	jsons, _ := filepath.Glob("testdata/*.json")
	official, _ := filepath.Glob(filepath.Join(schemaRepoDir, "examples/*/*.json"))
	valid, _ := filepath.Glob(filepath.Join(schemaRepoDir, "test/*/*.json"))
	for _, f := range append(append(jsons, official...), valid...) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tree, err := decodeJSON(data)
		if err != nil {
			continue
		}
		cb, err := EncodeCBOR(tree)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[f] = cb
	}
	if h, err := os.ReadFile("testdata/vaccination.cbor.hex"); err == nil {
		cb, err := hex.DecodeString(strings.TrimSpace(string(h)))
		if err != nil {
			t.Fatal(err)
		}
		out["testdata/vaccination.cbor.hex"] = cb
	}
	filepath.WalkDir(dgcTestdataDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		var vec struct{ CBOR, COSE string }
		if json.Unmarshal(data, &vec) != nil {
			return nil
		}
		if cb, err := hex.DecodeString(vec.CBOR); err == nil && len(cb) > 0 {
			out[path+" CBOR"] = cb
		}
		if cose, err := hex.DecodeString(vec.COSE); err == nil {
			if p := hcertOf(cose); p != nil {
				out[path+" COSE"] = p
			}
		}
		return nil
	})
	return out
}

const (
	dgcTestdataDir = "../shared/testdata/dgc-testdata"
	schemaRepoDir  = "../shared/specs/eu-dcc-schema"
)

// hcertOf is the hcert payload (CWT claim -260, key 1) of a COSE_Sign1,
// nil when there is none.
func hcertOf(cose []byte) []byte {
	var tag cbor.RawTag
	if cbor.Unmarshal(cose, &tag) == nil {
		cose = tag.Content
	}
	var msg []cbor.RawMessage
	if cbor.Unmarshal(cose, &msg) != nil || len(msg) != 4 {
		return nil
	}
	var cwtBytes []byte
	if cbor.Unmarshal(msg[2], &cwtBytes) != nil {
		return nil
	}
	var cwt map[int]cbor.RawMessage
	if cbor.Unmarshal(cwtBytes, &cwt) != nil {
		return nil
	}
	var hc map[int]cbor.RawMessage
	if cbor.Unmarshal(cwt[-260], &hc) != nil {
		return nil
	}
	return hc[1]
}

// sameAsLibrary fails t when decodeCBOR and the library alone disagree on
// data, in tree or error, or when commonCBOR accepts what the library
// refuses. It reports whether commonCBOR decoded data itself.
func sameAsLibrary(t *testing.T, name string, data []byte) bool {
	t.Helper()
	want, wantErr := decodeCBORLibrary(data)
	fast, ok := commonCBOR(data)
	if ok {
		if wantErr != nil {
			t.Fatalf("%s: the common decoder accepts what the library refuses (%v): %#v", name, wantErr, fast)
		}
		if !reflect.DeepEqual(fast, want) {
			t.Fatalf("%s: the common decoder gives\n%#v\nthe library\n%#v", name, fast, want)
		}
	}
	got, err := decodeCBOR(data)
	if (err == nil) != (wantErr == nil) || (err != nil && !libraryError(data, err.Error())) {
		t.Fatalf("%s: error %v, the library's %v", name, err, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: decodeCBOR gives\n%#v\nthe library\n%#v", name, got, want)
	}
	return ok
}

// libraryError reports whether the library path gives the error msg for
// data. Of a map with several keys that are not text, the one it names
// depends on Go's map order: the library is asked again until it names
// the same key, or it clearly never does.
func libraryError(data []byte, msg string) bool {
	for range 10_000 {
		if _, err := decodeCBORLibrary(data); err != nil && err.Error() == msg {
			return true
		}
	}
	return false
}

// cborEdgeCases are encodings commonCBOR must leave to the library, or read
// as the library does, each beside a payload.
var cborEdgeCases = map[string]string{
	"empty":                "",
	"trailing byte":        "a0 00",
	"truncated map":        "a2 61 61 01",
	"truncated text":       "a1 61 61 63 61 62",
	"indefinite map":       "bf 61 61 01 ff",
	"indefinite array":     "a1 61 76 9f 01 ff",
	"indefinite text":      "a1 61 61 7f 61 62 ff",
	"break alone":          "ff",
	"tag 0 text":           "a1 62 73 63 c0 74 32 30 32 31 2d 30 35 2d 32 34 54 31 30 3a 33 30 3a 31 35 5a",
	"tag 1":                "a1 61 61 c1 1a 60 00 00 00",
	"self-described":       "d9 d9 f7 a0",
	"byte string":          "a1 61 61 42 01 02",
	"byte key":             "a1 41 61 01",
	"int key":              "a1 01 01",
	"duplicate key":        "a2 61 61 01 61 61 02",
	"duplicate key spaced": "a3 61 61 01 61 62 02 61 61 01",
	"invalid utf-8 value":  "a1 61 61 61 ff",
	"invalid utf-8 key":    "a1 61 c3 01",
	"float16 2.0":          "a1 62 64 6e f9 40 00",
	"float32 2.5":          "a1 62 64 6e fa 40 20 00 00",
	"float64 NaN":          "a1 62 64 6e fb 7f f8 00 00 00 00 00 00",
	"undefined":            "a1 61 61 f7",
	"simple 16":            "a1 61 61 f0",
	"simple 24 form":       "a1 61 61 f8 20",
	"simple 24 of true":    "a1 61 61 f8 15",
	"false true null":      "a3 61 61 f4 61 62 f5 61 63 f6",
	"non-minimal int":      "a1 62 64 6e 18 01",
	"non-minimal length":   "b8 01 78 01 61 19 00 01",
	"max uint64":           "a1 61 61 1b ff ff ff ff ff ff ff ff",
	"min int64":            "a1 61 61 3b 7f ff ff ff ff ff ff ff",
	"below int64":          "a1 61 61 3b 80 00 00 00 00 00 00 00",
	"negative":             "a1 61 61 20",
	"reserved info":        "a1 61 61 1c",
	"top-level array":      "82 01 61 61",
	"top-level text":       "61 61",
	"top-level int":        "01",
	"array too long":       "99 04 01 01",
	"map too long":         "b9 04 01 01",
	"length past the end":  "9b ff ff ff ff ff ff ff ff",
	"text past the end":    "7b 7f ff ff ff ff ff ff ff",
	"deep arrays":          strings.Repeat("81 ", 40) + "01",
	"nested 16":            strings.Repeat("81 ", 15) + "01",
	"nested 17":            strings.Repeat("81 ", 16) + "01",
}

// TestCommonCBORMatchesLibrary: on every payload the tests know, and on
// encodings off the common path, decodeCBOR gives what the library gives,
// errors included, and the common decoder reads the payloads itself.
func TestCommonCBORMatchesLibrary(t *testing.T) {
	payloads := cborPayloads(t)
	common := 0
	for name, data := range payloads {
		if sameAsLibrary(t, name, data) {
			common++
		}
		// Every prefix: truncated payloads are the library's to refuse.
		for i := range len(data) {
			sameAsLibrary(t, name+" truncated", data[:i])
		}
	}
	if common < len(payloads)/2 {
		t.Errorf("the common decoder read %d of %d payloads", common, len(payloads))
	}
	t.Logf("%d payloads, %d read by the common decoder", len(payloads), common)
	for name, h := range cborEdgeCases {
		data, err := hex.DecodeString(strings.ReplaceAll(h, " ", ""))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sameAsLibrary(t, name, data)
	}
	big := bytes.Repeat([]byte{0x60}, MaxInput) // over MaxInput with the head
	sameAsLibrary(t, "too large", append([]byte{0x9a, 0x00, 0x10, 0x00, 0x00}, big...))
}

// FuzzCommonCBOR: for any input the common decoder either leaves it to the
// library or gives exactly the library's tree, and decodeCBOR gives the
// library's tree and error.
func FuzzCommonCBOR(f *testing.F) {
	for _, data := range cborPayloads(f) {
		f.Add(data)
	}
	for _, h := range cborEdgeCases {
		data, _ := hex.DecodeString(strings.ReplaceAll(h, " ", ""))
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsLibrary(t, "input", data)
	})
}

// BenchmarkDecodeCBOR: the payload of testdata/vaccination.json decoded by
// decodeCBOR (the common decoder) and by the library alone.
func BenchmarkDecodeCBOR(b *testing.B) {
	data, err := os.ReadFile("testdata/vaccination.json")
	if err != nil {
		b.Fatal(err)
	}
	tree, err := decodeJSON(data)
	if err != nil {
		b.Fatal(err)
	}
	cb, err := EncodeCBOR(tree)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		f    func([]byte) (any, error)
	}{{"common", decodeCBOR}, {"library", decodeCBORLibrary}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.f(cb); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
