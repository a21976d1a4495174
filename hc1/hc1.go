package hc1

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	kzlib "github.com/klauspost/compress/zlib"

	"dcc/base45"
)

// Prefix is the context identifier of HCERT version 1 (§4.2.2).
const Prefix = "HC1:"

// MaxInflated caps the decompressed size. A DCC COSE message is 300 to 2,000
// bytes (a few vaccinations, an RSA signature); 64 KiB is 32 times the
// largest, yet keeps a hostile code cheap: deflate expands up to
// ~1,030-fold, so the 2,862 bytes an HC1 string of MaxLen carries could
// otherwise inflate to nearly 3 MB.
const MaxInflated = 64 << 10

// MaxLen caps the length of an "HC1:" string: 4,296 characters, what a
// version 40 QR code holds in alphanumeric mode at error correction level L,
// the most any QR code can carry. HC1 strings exist only to be put in a QR
// code (§4.2), so a longer one did not come from a scan.
const MaxLen = 4296

// Layer names the transport layer that failed. (Not "Prefix", "Base45",
// "Zlib": the constant Prefix is the context identifier.)
type Layer int

const (
	LayerPrefix Layer = iota + 1 // the "HC1:" context identifier, or the length limit
	LayerBase45                  // the Base45 text
	LayerZlib                    // the zlib stream
)

func (l Layer) String() string {
	switch l {
	case LayerPrefix:
		return "prefix"
	case LayerBase45:
		return "base45"
	case LayerZlib:
		return "zlib"
	}
	return fmt.Sprintf("Layer(%d)", int(l))
}

// LayerError is a decoding failure in one layer.
type LayerError struct {
	Layer Layer
	Err   error
}

func (e *LayerError) Error() string { return fmt.Sprintf("hc1: %s layer: %v", e.Layer, e.Err) }
func (e *LayerError) Unwrap() error { return e.Err }

var (
	// ErrTooLarge is a zlib stream inflating past MaxInflated.
	ErrTooLarge = fmt.Errorf("decompressed data is larger than %d bytes: not a DCC (a zlib bomb?)", MaxInflated)
	// ErrTooLong is an HC1 string longer than MaxLen.
	ErrTooLong = fmt.Errorf("longer than %d characters, more than a QR code holds", MaxLen)
)

// Encode compresses cose at Level, encodes it with Base45 and adds the
// prefix. It fails if the result is longer than MaxLen. A one-off call; an
// Encoder reuses its compressor and is much cheaper per certificate.
func Encode(cose []byte) (string, error) {
	var e Encoder
	return e.Encode(cose)
}

// Encoder encodes many messages. A zlib compressor at a high level
// allocates over a megabyte of match-finding tables, far more than a DCC, so
// an Encoder keeps compressors for reuse, which cuts the time per message by
// about four fifths and the garbage to the result.
//
// The compressor is github.com/klauspost/compress at level 8, not the
// standard library's: on the member states' vectors (169 messages) its
// output is no larger than compress/zlib's at level 9 (64,609 bytes against
// 64,651; TestMemberStateVectors holds it to that) and it takes about half
// the time. Level 8 is level 9 but for 20 bytes on all 169 messages, and
// about a sixth faster (13 µs against 16 µs a message): the search is the
// same, fewer chains are followed; what is left is clearing the 640 KiB of
// hash tables on every Reset, which levels 7 to 9 must. Levels 1 to 6 need no
// clearing (5.5 µs at 6) but lose to compress/zlib's best (64,898 bytes at
// 6). Decoding stays with the standard library. The zero value is ready; it
// is safe for concurrent use and must not be copied after use.
// Level is the compression level of an Encoder (see Encoder).
const Level = 8

type Encoder struct {
	pool sync.Pool // of *compressor
}

type compressor struct {
	buf bytes.Buffer
	w   *kzlib.Writer
}

// Encode is the package-level Encode, reusing a compressor.
func (e *Encoder) Encode(cose []byte) (string, error) {
	c, _ := e.pool.Get().(*compressor)
	if c == nil {
		c = new(compressor)
		var err error
		if c.w, err = kzlib.NewWriterLevel(&c.buf, Level); err != nil {
			return "", fmt.Errorf("hc1: %w", err)
		}
	} else {
		c.buf.Reset()
		c.w.Reset(&c.buf)
	}
	if _, err := c.w.Write(cose); err != nil {
		return "", fmt.Errorf("hc1: compressing: %w", err)
	}
	if err := c.w.Close(); err != nil {
		return "", fmt.Errorf("hc1: compressing: %w", err)
	}
	defer e.pool.Put(c)
	if n := len(Prefix) + base45.EncodedLen(c.buf.Len()); n > MaxLen {
		return "", fmt.Errorf("hc1: a %d-byte COSE message compresses to %d characters: %w", len(cose), n, ErrTooLong)
	}
	return Prefix + base45.Encode(c.buf.Bytes()), nil
}

// Decode returns the COSE message of an "HC1:" string; a failure is a
// *LayerError naming the layer. Decoding is strict: the prefix must be
// exactly "HC1:" (other HCERT versions are not supported), nothing is
// trimmed (a space is a Base45 character), and the data must be one complete
// zlib stream with a correct checksum and nothing after it. Data that is not
// compressed is refused, as §4.2.1 says the CWT SHALL be compressed and the
// member-state vector common/Z2 ("Not compressed") must fail.
func Decode(s string) ([]byte, error) {
	return new(Decoder).Decode(s)
}

// Decoder decodes many strings. A zlib decompressor allocates a 32 KiB
// window, which costs more than inflating a DCC, so a Decoder keeps
// decompressors for reuse. The zero value is ready; it is safe for
// concurrent use and must not be copied after use.
type Decoder struct {
	pool sync.Pool // of *decompressor
}

type decompressor struct {
	src bytes.Reader
	zr  io.ReadCloser // a zlib reader, which is a zlib.Resetter
}

// Decode is the package-level Decode, reusing a decompressor.
func (d *Decoder) Decode(s string) ([]byte, error) {
	if len(s) > MaxLen {
		return nil, &LayerError{LayerPrefix, fmt.Errorf("%d characters: %w", len(s), ErrTooLong)}
	}
	rest, ok := strings.CutPrefix(s, Prefix)
	if !ok {
		return nil, &LayerError{LayerPrefix, prefixError(s)}
	}
	compressed, err := base45.Decode(rest)
	if err != nil {
		return nil, &LayerError{LayerBase45, err}
	}
	cose, err := d.Inflate(compressed)
	if err != nil {
		return nil, &LayerError{LayerZlib, err}
	}
	return cose, nil
}

// prefixError explains a string that does not start with Prefix.
func prefixError(s string) error {
	head, _, found := strings.Cut(s, ":")
	switch {
	case !found || len(head) > 3:
		if len(s) > 8 {
			s = s[:8] + "…"
		}
		return fmt.Errorf("no context identifier: want %q, the string starts with %q", Prefix, s)
	case len(head) == 3 && head[:2] == "HC" && (head[2] >= '2' && head[2] <= '9' || head[2] >= 'A' && head[2] <= 'Z'):
		// §4.2.2: later versions are HC2: … HC9:, HCA: … HCZ:.
		return fmt.Errorf("context identifier %q is an HCERT version this decoder does not support (want %q)", head+":", Prefix)
	}
	return fmt.Errorf("context identifier %q is not %q", head+":", Prefix)
}

// Inflate decompresses a single zlib stream (RFC 1950) of at most
// MaxInflated bytes, checking its Adler-32 and refusing data after it. It
// reads at most MaxInflated+1 bytes from the decompressor, so a bomb costs
// little time and memory.
func Inflate(compressed []byte) ([]byte, error) {
	return new(Decoder).Inflate(compressed)
}

// Inflate is the package-level Inflate, reusing a decompressor.
func (d *Decoder) Inflate(compressed []byte) ([]byte, error) {
	if len(compressed) == 0 {
		return nil, errors.New("no data: want a zlib stream")
	}
	// A bytes.Reader is a flate.Reader, so the decompressor reads from it
	// byte by byte without buffering ahead: what it leaves is exactly the
	// data after the stream.
	dc, _ := d.pool.Get().(*decompressor)
	if dc == nil {
		dc = new(decompressor)
	}
	dc.src.Reset(compressed)
	var err error
	if dc.zr == nil {
		dc.zr, err = zlib.NewReader(&dc.src)
	} else {
		err = dc.zr.(zlib.Resetter).Reset(&dc.src, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("not a zlib stream (is the data compressed?): %w", err)
	}
	defer d.pool.Put(dc)
	// A DCC compresses about 2:1: start the output at four times the input.
	out := bytes.NewBuffer(make([]byte, 0, min(4*len(compressed), MaxInflated)+1))
	if _, err := out.ReadFrom(io.LimitReader(dc.zr, MaxInflated+1)); err != nil {
		return nil, fmt.Errorf("corrupt zlib stream: %w", err)
	}
	if out.Len() > MaxInflated {
		return nil, ErrTooLarge
	}
	// ReadFrom stopped at io.EOF, which the zlib reader returns only after
	// the Adler-32 matched; Close reports any error the decompressor kept.
	if err := dc.zr.Close(); err != nil {
		return nil, fmt.Errorf("corrupt zlib stream: %w", err)
	}
	if dc.src.Len() > 0 {
		return nil, fmt.Errorf("%d bytes after the end of the zlib stream", dc.src.Len())
	}
	return out.Bytes(), nil
}
