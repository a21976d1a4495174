package qr

import (
	"fmt"
	"strconv"
	"strings"
)

// QuietZone is the light border, in modules, that ISO/IEC 18004 requires
// around the symbol; PNG and SVG include it.
const QuietZone = 4

// DefaultScale is the pixels (PNG) or user units (SVG) per module when the
// scale given is 0.
const DefaultScale = 4

// MaxPNGSide bounds the side of a rendered PNG, in pixels, so that a large
// scale cannot exhaust memory.
const MaxPNGSide = 8192

// Alphabet is the QR alphanumeric character set (ISO/IEC 18004 §7.4.4),
// which is also the Base45 alphabet.
const Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// CharError reports a character that alphanumeric mode cannot encode.
type CharError struct {
	Char   rune // the offending character (utf8.RuneError for invalid UTF-8)
	Offset int  // its byte offset in the text, from 0
}

func (e *CharError) Error() string {
	return fmt.Sprintf("qr: character %q at offset %d is not in the QR alphanumeric set (0-9 A-Z space $%%*+-./:); HC1 strings are upper-case Base45", e.Char, e.Offset)
}

// Code is a QR code symbol: its module matrix without the quiet zone.
type Code struct {
	version int
	size    int
	rows    []line // bit x of rows[y] is module (x, y), 1 = dark
}

// Encode renders text in alphanumeric mode at error correction level Q
// (the level HCERT §4.2.2 recommends), in the smallest version that holds
// it, with the mask of lowest ISO/IEC 18004 §7.8.3 penalty.
func Encode(text string) (*Code, error) {
	if text == "" {
		return nil, fmt.Errorf("qr: empty text: nothing to encode")
	}
	for i, r := range text {
		if !strings.ContainsRune(Alphabet, r) {
			return nil, &CharError{Char: r, Offset: i}
		}
	}
	v := 1
	for alphaBits(v, len(text)) > dataBytesQ(v)*8 {
		if v == 40 {
			return nil, fmt.Errorf("qr: %d characters do not fit in a version 40 symbol at level Q (at most %d)", len(text), maxAlpha(v))
		}
		v++
	}
	n := 17 + 4*v
	// One allocation: the unmasked symbol, the candidate's rows and
	// columns, and the best rows so far (which the Code keeps).
	lines := make([]line, 6*n)
	s := newSymbol(v, codewords(v, text), lines[:3*n])
	rows, cols, best := lines[3*n:4*n:4*n], lines[4*n:5*n:5*n], lines[5*n:]
	bestScore := -1
	for m := range 8 {
		s.masked(m, rows, cols)
		// Ties keep the lower mask number, as zxing does.
		if p := penalty(rows, cols, n); bestScore < 0 || p < bestScore {
			rows, best, bestScore = best, rows, p
		}
	}
	return &Code{version: v, size: n, rows: best}, nil
}

// maxAlpha is the number of alphanumeric characters version v holds at
// level Q.
func maxAlpha(v int) int {
	bits := dataBytesQ(v)*8 - alphaBits(v, 0)
	return bits/11*2 + bits%11/6
}

// Version is the QR version, 1 to 40.
func (c *Code) Version() int { return c.version }

// Size is the number of modules per side, without the quiet zone.
func (c *Code) Size() int { return c.size }

// Black reports whether the module at column x, row y (from the top left,
// quiet zone excluded) is dark; coordinates outside the symbol are light.
func (c *Code) Black(x, y int) bool {
	return x >= 0 && y >= 0 && x < c.size && y < c.size && c.rows[y].has(x)
}

// SVG renders the code, quiet zone included, as a white square and one
// black path in a viewBox of one unit per module; width and height are
// scale units per module (0 means DefaultScale).
func (c *Code) SVG(scale int) []byte {
	if scale <= 0 {
		scale = DefaultScale
	}
	side := c.size + 2*QuietZone
	var b []byte
	b = fmt.Appendf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, side*scale, side*scale, side, side)
	b = fmt.Appendf(b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, side, side)
	for y := range c.size {
		row := c.rows[y]
		for x := 0; x < c.size; {
			if !row.has(x) {
				x++
				continue
			}
			run := 1
			for x+run < c.size && row.has(x+run) {
				run++
			}
			// One horizontal run of dark modules: a run×1 rectangle.
			b = append(b, 'M')
			b = strconv.AppendInt(b, int64(x+QuietZone), 10)
			b = append(b, ' ')
			b = strconv.AppendInt(b, int64(y+QuietZone), 10)
			b = append(b, 'h')
			b = strconv.AppendInt(b, int64(run), 10)
			b = append(b, "v1h-"...)
			b = strconv.AppendInt(b, int64(run), 10)
			b = append(b, 'z')
			x += run
		}
	}
	return append(b, `"/></svg>`...)
}
