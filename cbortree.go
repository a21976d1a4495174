package dcc

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// A payload as issuers write it is a handful of definite-length maps with
// text keys, one array, text strings and small unsigned integers. The
// general CBOR library decodes that into map[any]any first, which
// fromCBOR then copies into the tree, with a path string per field; the
// two together cost a verification as much as its whole schema check.
// commonCBOR builds the tree directly for exactly these shapes and gives
// up on anything else, which decodeCBOR then hands to the library: tags,
// indefinite lengths, byte strings, floats, simple values other than
// false, true and null, non-text keys, duplicate keys, invalid UTF-8,
// nesting or lengths beyond the library's limits, trailing data, a
// truncated item. What it accepts, the library accepts and reads the same
// way (TestCommonCBORMatchesLibrary, FuzzCommonCBOR): giving up is never an
// answer of its own, so every error still comes from the library.

// commonMaxDepth is where commonCBOR gives up on nesting, well within the
// library's MaxNestedLevels (maxDepth): a payload needs 3 levels.
const commonMaxDepth = 16

// commonMaxLength is the library's MaxArrayElements and MaxMapPairs.
const commonMaxLength = 1024

// commonCBOR decodes data into the generic tree when it has the common
// shape; ok is false when the library must decide.
func commonCBOR(data []byte) (tree any, ok bool) {
	if len(data) == 0 || len(data) > MaxInput {
		return nil, false
	}
	// One string for the whole payload: every text string and key of the
	// tree is a slice of it, so that strings cost no allocation each. The
	// payload is small (a QR code holds under 4 KiB), and the tree and the
	// typed payload keep it alive together.
	d := commonDecoder{src: string(data)}
	v, ok := d.value(1)
	if !ok || d.off != len(d.src) {
		return nil, false
	}
	return v, true
}

type commonDecoder struct {
	src string
	off int
}

// head reads an item's initial byte and argument; ok is false for
// indefinite lengths, reserved encodings and truncation.
func (d *commonDecoder) head() (major byte, arg uint64, ok bool) {
	if d.off >= len(d.src) {
		return 0, 0, false
	}
	b := d.src[d.off]
	major, info := b>>5, b&0x1f
	d.off++
	var n int
	switch {
	case info < 24:
		return major, uint64(info), true
	case info == 24:
		n = 1
	case info == 25:
		n = 2
	case info == 26:
		n = 4
	case info == 27:
		n = 8
	default: // 28–30 reserved, 31 indefinite length or break
		return 0, 0, false
	}
	if len(d.src)-d.off < n {
		return 0, 0, false
	}
	for _, c := range []byte(d.src[d.off : d.off+n]) {
		arg = arg<<8 | uint64(c)
	}
	d.off += n
	return major, arg, true
}

// text reads a text string's content of length n.
func (d *commonDecoder) text(n uint64) (string, bool) {
	if n > uint64(len(d.src)-d.off) {
		return "", false
	}
	s := d.src[d.off : d.off+int(n)]
	if !utf8.ValidString(s) {
		return "", false
	}
	d.off += int(n)
	return s, true
}

func (d *commonDecoder) value(depth int) (any, bool) {
	if depth > commonMaxDepth {
		return nil, false
	}
	start := d.off
	major, arg, ok := d.head()
	if !ok {
		return nil, false
	}
	switch major {
	case 0: // unsigned integer
		return json.Number(strconv.FormatUint(arg, 10)), true
	case 1: // negative integer -1-arg; beyond int64 the library gives a big.Int
		if arg > 1<<63-1 {
			return nil, false
		}
		return json.Number(strconv.FormatInt(-1-int64(arg), 10)), true
	case 3:
		s, ok := d.text(arg)
		if !ok {
			return nil, false
		}
		return s, true
	case 4:
		// Every element takes at least a byte: a length beyond what is left
		// is truncated, and is not allocated for.
		if arg > commonMaxLength || arg > uint64(len(d.src)-d.off) {
			return nil, false
		}
		a := make([]any, arg)
		for i := range a {
			if a[i], ok = d.value(depth + 1); !ok {
				return nil, false
			}
		}
		return a, true
	case 5:
		if arg > commonMaxLength || 2*arg > uint64(len(d.src)-d.off) {
			return nil, false
		}
		m := make(map[string]any, arg)
		for range arg {
			km, kn, ok := d.head()
			if !ok || km != 3 {
				return nil, false
			}
			k, ok := d.text(kn)
			if !ok {
				return nil, false
			}
			v, ok := d.value(depth + 1)
			if !ok {
				return nil, false
			}
			m[k] = v
		}
		if len(m) != int(arg) { // a key twice
			return nil, false
		}
		return m, true
	case 7:
		// Only the one-byte false, true and null; floats, undefined and
		// other simple values go to the library.
		if d.off-start != 1 {
			return nil, false
		}
		switch arg {
		case 20:
			return false, true
		case 21:
			return true, true
		case 22:
			return nil, true
		}
	}
	// Byte strings (2), tags (6) and the rest of 7.
	return nil, false
}
