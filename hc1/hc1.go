package hc1

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"dcc/base45"
)

// Prefix is the context identifier of HCERT version 1.
const Prefix = "HC1:"

// MaxInflated caps the decompressed size. A real DCC COSE message is 300 to
// 2,000 bytes and the largest QR code holds 4,296 alphanumeric characters
// (about 2.8 KiB of zlib data), which can inflate to megabytes of zeros: the
// cap keeps a hostile code from costing more than this much memory.
const MaxInflated = 64 << 10

// Layer names the transport layer that failed.
type Layer int

const (
	LayerPrefix Layer = iota + 1
	LayerBase45
	LayerZlib
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

func (e *LayerError) Error() string { return fmt.Sprintf("hc1: %s: %v", e.Layer, e.Err) }
func (e *LayerError) Unwrap() error { return e.Err }

// ErrTooLarge is a zlib stream inflating past MaxInflated.
var ErrTooLarge = fmt.Errorf("decompressed data is larger than %d bytes: not a DCC", MaxInflated)

// Encode compresses cose at the best compression level, encodes it with
// Base45 and adds the prefix. A one-off call; an Encoder reuses its
// compressor and is much cheaper per certificate.
func Encode(cose []byte) (string, error) {
	var e Encoder
	return e.Encode(cose)
}

// Encoder encodes many messages: setting up a zlib compressor at the best
// level costs far more than compressing a DCC, so it keeps compressors for
// reuse. The zero value is ready; it is safe for concurrent use.
type Encoder struct {
	pool sync.Pool
}

// Encode is the package-level Encode, reusing a compressor.
func (e *Encoder) Encode(cose []byte) (string, error) {
	var b bytes.Buffer
	w, _ := e.pool.Get().(*zlib.Writer)
	if w == nil {
		var err error
		if w, err = zlib.NewWriterLevel(&b, zlib.BestCompression); err != nil {
			return "", err
		}
	} else {
		w.Reset(&b)
	}
	defer e.pool.Put(w)
	if _, err := w.Write(cose); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return Prefix + base45.Encode(b.Bytes()), nil
}

// Decode returns the COSE message of an "HC1:" string. The prefix must be
// exactly "HC1:" (other HCERT versions are not supported); the data must be
// a complete zlib stream with a correct checksum and nothing after it.
func Decode(s string) ([]byte, error) {
	rest, ok := strings.CutPrefix(s, Prefix)
	if !ok {
		got := s
		if i := strings.IndexByte(s, ':'); i >= 0 && i < 8 {
			got = s[:i+1]
		} else if len(got) > 8 {
			got = got[:8] + "…"
		}
		return nil, &LayerError{LayerPrefix, fmt.Errorf("want %q, the string starts with %q", Prefix, got)}
	}
	compressed, err := base45.Decode(rest)
	if err != nil {
		return nil, &LayerError{LayerBase45, err}
	}
	cose, err := Inflate(compressed)
	if err != nil {
		return nil, &LayerError{LayerZlib, err}
	}
	return cose, nil
}

// Inflate decompresses a zlib stream of at most MaxInflated bytes.
func Inflate(compressed []byte) ([]byte, error) {
	br := bytes.NewReader(compressed)
	zr, err := zlib.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("not a zlib stream: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, MaxInflated+1))
	if err != nil {
		return nil, fmt.Errorf("corrupt zlib stream: %w", err)
	}
	if len(out) > MaxInflated {
		return nil, ErrTooLarge
	}
	// Reading to EOF makes the reader check the Adler-32; make sure of it.
	if err := zr.Close(); err != nil {
		return nil, fmt.Errorf("corrupt zlib stream: %w", err)
	}
	if br.Len() > 0 {
		return nil, errors.New("data after the end of the zlib stream")
	}
	return out, nil
}
