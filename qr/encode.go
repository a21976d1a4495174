package qr

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/bits"
	"strconv"
	"strings"
	"sync"

	"rsc.io/qr/coding"
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
	dark    []byte // size×size, row-major, 1 = dark module
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
	enc := coding.Alpha(text)
	v := coding.Version(coding.MinVersion)
	for enc.Bits(v) > v.DataBytes(coding.Q)*8 {
		if v == coding.MaxVersion {
			return nil, fmt.Errorf("qr: %d characters do not fit in a version 40 symbol at level Q (at most %d)", len(text), maxAlpha(v))
		}
		v++
	}

	// rsc.io/qr lays data out under one fixed mask. Lay it out once with
	// mask 0, undo that mask, and derive all eight candidates by XOR over
	// the masked region: the same symbols as eight encodings, for a
	// fraction of the work (mask_internal_test.go checks the equivalence).
	p, err := coding.NewPlan(v, coding.Q, 0)
	if err != nil {
		return nil, fmt.Errorf("qr: version %d plan: %w", v, err)
	}
	c0, err := p.Encode(enc)
	if err != nil {
		return nil, fmt.Errorf("qr: encoding %d characters in version %d: %w", len(text), v, err)
	}
	l := newLayout(p, c0)
	n := l.n
	grid, best := make([]byte, n*n), make([]byte, n*n)
	rows, cols := make([]line, n), make([]line, n)
	bestScore := -1
	for m := range coding.Mask(8) {
		l.withMask(m, grid)
		// Ties keep the lower mask number, as zxing does.
		if s := penalty(grid, rows, cols, n); bestScore < 0 || s < bestScore {
			grid, best, bestScore = best, grid, s
		}
	}
	return &Code{version: int(v), size: n, dark: best}, nil
}

// layout is a symbol with its mask undone: the modules and which of them
// a mask or the format information changes.
type layout struct {
	n      int
	raw    []byte // n×n modules with no mask applied
	masked []bool // data, check and remainder modules
	format []int8 // format information bit index, or -1
}

// newLayout undoes the mask of c, encoded by plan p.
func newLayout(p *coding.Plan, c *coding.Code) *layout {
	n := c.Size
	l := &layout{n: n, raw: make([]byte, n*n), masked: make([]bool, n*n), format: make([]int8, n*n)}
	for y, row := range p.Pixel {
		for x, pix := range row {
			i := y*n + x
			l.format[i] = -1
			dark := c.Black(x, y)
			switch pix.Role() {
			case coding.Data, coding.Check, coding.Extra:
				l.masked[i] = true
				dark = dark != p.Mask.Invert(y, x)
			case coding.Format:
				l.format[i] = int8(pix.Offset())
			}
			if dark {
				l.raw[i] = 1
			}
		}
	}
	return l
}

// withMask writes into grid the symbol as it is under mask m.
func (l *layout) withMask(m coding.Mask, grid []byte) {
	fb := formatBits(m)
	for y := range l.n {
		for x := range l.n {
			i := y*l.n + x
			b := l.raw[i]
			switch {
			case l.masked[i]:
				if m.Invert(y, x) {
					b ^= 1
				}
			case l.format[i] >= 0:
				b = byte(fb>>uint(l.format[i])) & 1
			}
			grid[i] = b
		}
	}
}

// maxAlpha is the number of alphanumeric characters version v holds at
// level Q.
func maxAlpha(v coding.Version) int {
	bits := v.DataBytes(coding.Q)*8 - coding.Alpha("").Bits(v)
	return bits/11*2 + bits%11/6
}

// formatBits is the 15-bit format information for level Q and mask m:
// BCH(15,5) over the level and mask bits, XOR 0x5412 (ISO/IEC 18004 §7.9).
func formatBits(m coding.Mask) uint32 {
	fb := uint32(coding.Q^1)<<13 | uint32(m)<<10 // level Q is 0b11
	rem := fb
	for i := 14; i >= 10; i-- {
		if rem&(1<<uint(i)) != 0 {
			rem ^= 0x537 << uint(i-10)
		}
	}
	return (fb | rem) ^ 0x5412
}

// Version is the QR version, 1 to 40.
func (c *Code) Version() int { return c.version }

// Size is the number of modules per side, without the quiet zone.
func (c *Code) Size() int { return c.size }

// Black reports whether the module at column x, row y (from the top left,
// quiet zone excluded) is dark; coordinates outside the symbol are light.
func (c *Code) Black(x, y int) bool {
	return x >= 0 && y >= 0 && x < c.size && y < c.size && c.dark[y*c.size+x] == 1
}

// PNG renders the code, quiet zone included, at scale pixels per module (0
// means DefaultScale) as a 1-bit PNG.
func (c *Code) PNG(scale int) ([]byte, error) {
	var r Renderer
	return r.PNG(c, scale)
}

// Renderer writes PNGs reusing its compressor state: image/png otherwise
// allocates about 0.8 MB per image, several times the work of drawing it.
// The zero value is ready; it is safe for concurrent use.
type Renderer struct {
	pool pngPool
}

type pngPool struct{ p sync.Pool }

func (p *pngPool) Get() *png.EncoderBuffer {
	b, _ := p.p.Get().(*png.EncoderBuffer)
	return b
}

func (p *pngPool) Put(b *png.EncoderBuffer) { p.p.Put(b) }

// PNG is (*Code).PNG with reused compressor state.
func (r *Renderer) PNG(c *Code, scale int) ([]byte, error) {
	if scale == 0 {
		scale = DefaultScale
	}
	side := c.size + 2*QuietZone
	if scale < 0 || scale > MaxPNGSide/side {
		return nil, fmt.Errorf("qr: PNG scale %d out of range: 1 to %d pixels per module for version %d (use SVG for large prints)", scale, MaxPNGSide/side, c.version)
	}
	n := side * scale
	img := image.NewPaletted(image.Rect(0, 0, n, n), color.Palette{color.Gray{Y: 0xff}, color.Gray{}})
	for y := range c.size {
		y0 := (y + QuietZone) * scale
		row := img.Pix[y0*img.Stride : (y0+1)*img.Stride]
		for x, d := range c.dark[y*c.size : (y+1)*c.size] {
			if d == 1 {
				x0 := (x + QuietZone) * scale
				for i := x0; i < x0+scale; i++ {
					row[i] = 1
				}
			}
		}
		// The other scale-1 pixel rows of this module row are copies.
		for dy := 1; dy < scale; dy++ {
			copy(img.Pix[(y0+dy)*img.Stride:], row)
		}
	}
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &r.pool}
	if err := enc.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("qr: writing PNG: %w", err)
	}
	return b.Bytes(), nil
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
		row := c.dark[y*c.size : (y+1)*c.size]
		for x := 0; x < c.size; {
			if row[x] == 0 {
				x++
				continue
			}
			run := 1
			for x+run < c.size && row[x+run] == 1 {
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

// penalty scores a symbol (n×n, row-major, 1 = dark) by the four rules of
// ISO/IEC 18004 §7.8.3.1. rows and cols are scratch space of n lines each.
// Lines are bit sets, so that each rule is a few word operations per line
// rather than a branch per module: the score runs eight times per Encode.
func penalty(grid []byte, rows, cols []line, n int) int {
	clear(rows)
	clear(cols)
	for y := range n {
		for x, b := range grid[y*n : (y+1)*n] {
			if b == 1 {
				rows[y][x>>6] |= 1 << (x & 63)
				cols[x][y>>6] |= 1 << (y & 63)
			}
		}
	}
	var valid line // modules 0..n-2: those that have a right-hand neighbour
	for i := range n - 1 {
		valid[i>>6] |= 1 << (i & 63)
	}
	score, dark := 0, 0
	for _, set := range [2][]line{rows[:n], cols[:n]} {
		for _, b := range set {
			// N1: a run of k ≥ 5 same-coloured modules scores k-2, which
			// is the number of uniform 5-module windows in it, plus 2.
			eq := b.xor(b.shr(1)).not().and(valid) // module i == module i+1
			u := eq.and(eq.shr(1)).and(eq.shr(2)).and(eq.shr(3))
			score += u.count() + 2*u.andNot(u.shl(1)).count()
			// N3: 40 for dark-light-dark×3-light-dark (1:1:3:1:1) with
			// four light modules before or after (outside the symbol is
			// light); once even when both sides are light, as zxing does.
			core := b.andNot(b.shr(1)).and(b.shr(2)).and(b.shr(3)).and(b.shr(4)).andNot(b.shr(5)).and(b.shr(6))
			before := b.shl(1).or(b.shl(2)).or(b.shl(3)).or(b.shl(4)).not()
			after := b.shr(7).or(b.shr(8)).or(b.shr(9)).or(b.shr(10)).not()
			score += 40 * core.and(before.or(after)).count()
		}
	}
	for y := range n {
		dark += rows[y].count()
		if y == n-1 {
			break
		}
		// N2: 3 for each 2×2 block of one colour (overlapping blocks
		// count, which is the standard's (m-1)×(n-1) for an m×n block).
		r0, r1 := rows[y], rows[y+1]
		h0 := r0.xor(r0.shr(1)).not()
		h1 := r1.xor(r1.shr(1)).not()
		score += 3 * r0.xor(r1).not().and(h0).and(h1).and(valid).count()
	}
	// N4: 10 for each full 5 % by which the dark proportion departs from
	// 50 %, in integers: |dark/total - 1/2| / (1/20).
	total := n * n
	d := 20*dark - 10*total
	if d < 0 {
		d = -d
	}
	return score + d/total*10
}

// line is one row or column of modules, bit i for module i; bits beyond
// the symbol are 0, that is light.
type line [3]uint64 // 177 modules at most

// shr moves module i+k to i (0 < k < 64).
func (b line) shr(k uint) line {
	return line{b[0]>>k | b[1]<<(64-k), b[1]>>k | b[2]<<(64-k), b[2] >> k}
}

// shl moves module i-k to i (0 < k < 64).
func (b line) shl(k uint) line {
	return line{b[0] << k, b[1]<<k | b[0]>>(64-k), b[2]<<k | b[1]>>(64-k)}
}

func (b line) and(c line) line    { return line{b[0] & c[0], b[1] & c[1], b[2] & c[2]} }
func (b line) andNot(c line) line { return line{b[0] &^ c[0], b[1] &^ c[1], b[2] &^ c[2]} }
func (b line) or(c line) line     { return line{b[0] | c[0], b[1] | c[1], b[2] | c[2]} }
func (b line) xor(c line) line    { return line{b[0] ^ c[0], b[1] ^ c[1], b[2] ^ c[2]} }
func (b line) not() line          { return line{^b[0], ^b[1], ^b[2]} }

func (b line) count() int {
	return bits.OnesCount64(b[0]) + bits.OnesCount64(b[1]) + bits.OnesCount64(b[2])
}
