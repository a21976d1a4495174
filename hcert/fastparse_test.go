package hcert

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"
)

// sameAsGeneral fails t when parseCommon accepts msg but parseGeneral
// does not give the same Unverified; it reports whether parseCommon took it.
func sameAsGeneral(t testing.TB, dm cbor.DecMode, msg []byte) bool {
	t.Helper()
	// The message in the middle of a larger buffer, which its caller
	// overwrites afterwards (a decoder's reused output).
	buf := make([]byte, 5+len(msg)+9)
	copy(buf[5:], msg)
	fast, ok := parseCommon(dm, buf[5:5+len(msg)])
	for i := range buf {
		buf[i] = 0xee
	}
	if !ok {
		return false
	}
	slow, err := parseGeneral(dm, msg)
	if err != nil {
		t.Fatalf("%x: the common path accepts what the general one refuses: %v", msg, err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%x:\ncommon  %+v\ngeneral %+v", msg, fast, slow)
	}
	return true
}

// sameTypeAsGeneral fails t when payloadType and payloadTypeGeneral
// differ on p.
func sameTypeAsGeneral(t testing.TB, dm cbor.DecMode, p []byte) {
	t.Helper()
	t1, err1 := payloadType(p)
	t2, err2 := payloadTypeGeneral(dm, p)
	if t1 != t2 || (err1 == nil) != (err2 == nil) || err1 != nil && err1.Error() != err2.Error() {
		t.Fatalf("%x: payloadType %v, %v; general %v, %v", p, t1, err1, t2, err2)
	}
}

// raw CBOR pieces for messages of every shape.
func enc(t testing.TB, v any) []byte {
	t.Helper()
	b, err := cbor.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// testMessages are COSE_Sign1 messages of the common shape and of many
// others: headers and claims in other orders, other labels, other types,
// duplicates, non-shortest heads, indefinite lengths, tags.
func testMessages(t testing.TB) (common, other [][]byte) {
	kid := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	payload := enc(t, map[string]any{
		"ver": "1.3.0", "dob": "1979-04-14", "nam": map[string]any{"fn": "Martínez", "fnt": "MARTINEZ"},
		"v": []any{map[string]any{"tg": "840539006", "dn": 2, "sd": 2, "co": "ES", "ci": "URN:UVCI:01:ES:0123456789ABCDEF#X"}},
	})
	sig := make([]byte, 64)
	for i := range sig {
		sig[i] = byte(i * 7)
	}
	bstr := func(b []byte) []byte { return enc(t, b) }
	hc := func(p []byte) []byte { return cat([]byte{0xa1, 0x01}, p) }
	claimsOf := func(pairs ...[]byte) []byte { return cat(append([][]byte{{0xa0 + byte(len(pairs)/2)}}, pairs...)...) }
	iss, exp, iat, hcert := []byte{0x01}, []byte{0x04}, []byte{0x06}, []byte{0x39, 0x01, 0x03}
	es := enc(t, "ES")
	t1, t2 := enc(t, uint64(1_700_000_000)), enc(t, uint64(1_800_000_000))
	goodCWT := claimsOf(iss, es, exp, t2, iat, t1, hcert, hc(payload))
	prot := cat([]byte{0xa2, 0x01, 0x26, 0x04}, bstr(kid))
	msg := func(tag []byte, protected, unprotected, cwt, signature []byte) []byte {
		return cat(tag, []byte{0x84}, bstr(protected), unprotected, bstr(cwt), bstr(signature))
	}
	tag18 := []byte{0xd2}
	common = [][]byte{
		msg(tag18, prot, []byte{0xa0}, goodCWT, sig),
		msg(nil, prot, []byte{0xa0}, goodCWT, sig),
		msg(tag18, cat([]byte{0xa2, 0x04}, bstr(kid), []byte{0x01, 0x38, 0x24}), []byte{0xa0}, goodCWT, sig), // kid first, PS256
		msg(tag18, prot, []byte{0xa0}, claimsOf(hcert, hc(payload), iat, t1, exp, t2), sig),                  // no iss, other order
		msg(tag18, prot, []byte{0xa0}, claimsOf(iss, enc(t, "ÑU"), exp, t2, iat, enc(t, uint64(0)), hcert, hc(payload)), sig),
		msg(tag18, prot, []byte{0xa0}, goodCWT, sig[:1]),
	}
	other = [][]byte{
		msg([]byte{0xd8, 0x3d, 0xd2}, prot, []byte{0xa0}, goodCWT, sig),                        // CWT tag
		msg([]byte{0xd8, 0x12}, prot, []byte{0xa0}, goodCWT, sig),                              // tag 18, long form
		msg(tag18, prot, cat([]byte{0xa1, 0x04}, bstr(kid)), goodCWT, sig),                     // kid also unprotected
		msg(tag18, []byte{0xa1, 0x01, 0x26}, cat([]byte{0xa1, 0x04}, bstr(kid)), goodCWT, sig), // kid unprotected only
		msg(tag18, nil, []byte{0xa0}, goodCWT, sig),
		msg(tag18, cat([]byte{0xa3, 0x01, 0x26, 0x04}, bstr(kid), []byte{0x02, 0x81, 0x01}), []byte{0xa0}, goodCWT, sig),      // crit
		msg(tag18, cat([]byte{0xa2, 0x01, 0x26, 0x01}, []byte{0x26}), []byte{0xa0}, goodCWT, sig),                             // alg twice
		msg(tag18, cat([]byte{0xa2, 0x01, 0x18, 0x05, 0x04}, bstr(kid)), []byte{0xa0}, goodCWT, sig),                          // alg 5, long form
		msg(tag18, cat([]byte{0xa2, 0x01, 0x3a, 0x80, 0, 0, 0, 0x04}, bstr(kid)), []byte{0xa0}, goodCWT, sig),                 // alg out of int32
		msg(tag18, cat([]byte{0xa2, 0x01, 0x26, 0x04, 0x40}), []byte{0xa0}, goodCWT, sig),                                     // empty kid
		msg(tag18, cat([]byte{0xbf, 0x01, 0x26, 0x04}, bstr(kid), []byte{0xff}), []byte{0xa0}, goodCWT, sig),                  // indefinite map
		msg(tag18, cat(prot, []byte{0x00}), []byte{0xa0}, goodCWT, sig),                                                       // trailing byte
		msg(tag18, prot, []byte{0xa0}, claimsOf(iss, es, exp, t2, iat, t1, hcert, hc(payload), []byte{0x07}, bstr(kid)), sig), // cti
		msg(tag18, prot, []byte{0xa0}, claimsOf(iss, es, exp, t2, iat, t1, iat, t1, hcert, hc(payload)), sig),                 // iat twice
		msg(tag18, prot, []byte{0xa0}, claimsOf(iss, es, exp, enc(t, 1.8e9), iat, t1, hcert, hc(payload)), sig),               // float exp
		msg(tag18, prot, []byte{0xa0}, claimsOf(iss, es, exp, enc(t, int64(-1)), iat, t1, hcert, hc(payload)), sig),
		msg(tag18, prot, []byte{0xa0}, claimsOf(iss, es, exp, enc(t, uint64(253402300800)), iat, t1, hcert, hc(payload)), sig),
		msg(tag18, prot, []byte{0xa0}, claimsOf(iss, []byte{0x62, 0xff, 0xfe}, exp, t2, iat, t1, hcert, hc(payload)), sig), // iss not UTF-8
		msg(tag18, prot, []byte{0xa0}, claimsOf(iss, bstr([]byte("ES")), exp, t2, iat, t1, hcert, hc(payload)), sig),
		msg(tag18, prot, []byte{0xa0}, claimsOf(iss, es, exp, t2, iat, t1), sig), // no hcert
		msg(tag18, prot, []byte{0xa0}, claimsOf(iss, es, exp, t2, iat, t1, hcert, hc(enc(t, []any{1}))), sig),
		msg(tag18, prot, []byte{0xa0}, claimsOf(iss, es, exp, t2, iat, t1, hcert, hc(enc(t, map[int]any{1: "x"}))), sig),
		msg(tag18, prot, []byte{0xa0}, claimsOf(iss, es, exp, t2, iat, t1, hcert, cat([]byte{0xa2, 0x01}, payload, []byte{0x02, 0x01})), sig),
		msg(tag18, prot, []byte{0xa0}, claimsOf(iss, es, exp, t2, iat, t1, hcert, hc([]byte{0xa2, 0x61, 0x76, 0x01, 0x61, 0x76, 0x02})), sig), // "v" twice
		msg(tag18, prot, []byte{0xa0}, claimsOf(iss, es, exp, t2, iat, t1, hcert, hc([]byte{0xa1, 0x61, 0x76, 0xc1, 0x61, 0x78})), sig),       // tag 1 on text
		msg(tag18, prot, []byte{0xa0}, claimsOf(iss, es, exp, t2, iat, t1, hcert, hc([]byte{0xa1, 0x61, 0x76, 0xf8, 0x10})), sig),             // bad simple value
		msg(tag18, prot, []byte{0xa0}, claimsOf(iss, es, exp, t2, iat, t1, hcert, hc([]byte{0xa1, 0x62, 0xff, 0xfe, 0x01})), sig),             // key not UTF-8
		msg(tag18, prot, []byte{0xa0}, goodCWT, nil),
		cat(msg(tag18, prot, []byte{0xa0}, goodCWT, sig), []byte{0x00}),
		cat([]byte{0x85}, bstr(prot), []byte{0xa0}, bstr(goodCWT), bstr(sig), []byte{0x00}),
	}
	// Nesting: a payload value 20 arrays deep.
	deep := []byte{0xa1, 0x61, 0x78}
	for range 20 {
		deep = append(deep, 0x81)
	}
	deep = append(deep, 0x00)
	other = append(other, msg(tag18, prot, []byte{0xa0}, claimsOf(iss, es, exp, t2, iat, t1, hcert, hc(deep)), sig))
	return common, other
}

// TestParseCommonMatchesGeneral: the common path gives what the general
// one gives for every message it takes, takes the common shapes, and
// leaves the others — and every mutation of them it cannot read — to the
// general path.
func TestParseCommonMatchesGeneral(t *testing.T) {
	dm, err := decMode()
	if err != nil {
		t.Fatal(err)
	}
	common, other := testMessages(t)
	for i, m := range common {
		if !sameAsGeneral(t, dm, m) {
			t.Errorf("common message %d (%x) not taken by the common path", i, m)
		}
	}
	for _, m := range other {
		sameAsGeneral(t, dm, m)
	}
	payloads := [][]byte{
		enc(t, map[string]any{"ver": "1.3.0", "v": []any{map[string]any{"dn": 1}}}),
		enc(t, map[string]any{"ver": "1.3.0", "t": []any{map[string]any{"tt": "x"}}, "v": nil}),
		enc(t, map[string]any{"ver": "1.3.0", "r": []any{}, "v": []any{1}}),
		enc(t, map[string]any{"v": []any{1}, "t": []any{1}}),
		enc(t, map[string]any{"ver": "1.3.0"}),
		enc(t, map[any]any{"v": []any{1}, 1: 2}),
		[]byte{0xa2, 0x61, 0x76, 0x81, 0x01, 0x61, 0x76, 0x81, 0x01}, // "v" twice
		[]byte{0xa1, 0x61, 0x76, 0xc0, 0x61, 0x78},                   // a tag
		[]byte{0xa1, 0x41, 0x76, 0x81, 0x01},                         // a byte-string key
		[]byte{0xa1, 0x78, 0x01, 0x76, 0x81, 0x01},                   // a long-form key
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range payloads {
		sameTypeAsGeneral(t, dm, p)
		for n := range len(p) {
			sameTypeAsGeneral(t, dm, p[:n])
		}
		for range 300 {
			mut := append([]byte(nil), p...)
			mut[rng.IntN(len(mut))] = byte(rng.Uint32())
			sameTypeAsGeneral(t, dm, mut)
		}
	}
	taken, tried := 0, 0
	for _, m := range append(common, other...) {
		for n := range len(m) {
			sameAsGeneral(t, dm, m[:n])
		}
		for range 300 {
			mut := append([]byte(nil), m...)
			for range 1 + rng.IntN(3) {
				mut[rng.IntN(len(mut))] = byte(rng.Uint32())
			}
			tried++
			if sameAsGeneral(t, dm, mut) {
				taken++
			}
		}
	}
	t.Logf("%d of %d mutations taken by the common path, each as the general path reads it", taken, tried)
}

// FuzzParseCommon: on any input, the common path agrees with the general
// one wherever it answers.
func FuzzParseCommon(f *testing.F) {
	dm, err := decMode()
	if err != nil {
		f.Fatal(err)
	}
	common, other := testMessages(f)
	for _, m := range append(common, other...) {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		sameAsGeneral(t, dm, msg)
		sameTypeAsGeneral(t, dm, msg)
	})
}

// BenchmarkParse reads a common message both ways.
func BenchmarkParse(b *testing.B) {
	common, _ := testMessages(b)
	dm, err := decMode()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Parse(common[0]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("general", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parseGeneral(dm, common[0]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The Sig_structure written by hand is the library's deterministic
// encoding, for every length class of its byte strings.
func TestSigStructureMatchesLibrary(t *testing.T) {
	em, err := encMode()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, 23, 24, 255, 256, 65535, 65536, 70000} {
		prot, payload := make([]byte, n%300), make([]byte, n)
		for i := range payload {
			payload[i] = byte(i)
		}
		want, err := em.Marshal([]any{"Signature1", prot, []byte{}, payload})
		if err != nil {
			t.Fatal(err)
		}
		got, err := sigStructure(prot, payload)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("payload of %d bytes: %x…, want %x…", n, got[:min(len(got), 24)], want[:min(len(want), 24)])
		}
	}
}

// The member states' messages, and mutations of them, read the same on
// both paths; most of them take the common one.
func TestParseCommonMemberStates(t *testing.T) {
	const root = "../../shared/testdata/dgc-testdata"
	if _, err := os.Stat(root); err != nil {
		t.Skipf("member-state test vectors not found at %s", root)
	}
	dm, err := decMode()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var msgs, common int
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var v struct {
			COSE string `json:"COSE"`
		}
		if json.Unmarshal(data, &v) != nil || v.COSE == "" {
			return nil
		}
		m, err := hex.DecodeString(v.COSE)
		if err != nil {
			return nil
		}
		msgs++
		if sameAsGeneral(t, dm, m) {
			common++
		}
		for range 30 {
			mut := append([]byte(nil), m...)
			mut[rng.IntN(len(mut))] = byte(rng.Uint32())
			sameAsGeneral(t, dm, mut)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d member-state messages, %d read on the common path", msgs, common)
	if msgs < 100 || common < msgs/2 {
		t.Errorf("%d messages, %d on the common path", msgs, common)
	}
}

// encMode writes deterministic CBOR, as Sign's hand-written encoding does.
func encMode() (cbor.EncMode, error) { return cbor.CoreDetEncOptions().EncMode() }
