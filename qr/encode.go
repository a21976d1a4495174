package qr

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"

	"rsc.io/qr/coding"
)

// QuietZone is the white border, in modules, that ISO/IEC 18004 requires.
const QuietZone = 4

// DefaultScale is the pixels per module when none is given.
const DefaultScale = 4

const alphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// Code is an encoded QR code.
type Code struct {
	size    int
	dark    []byte // size×size, 1 = dark module
	version int
}

// Encode renders text in alphanumeric mode at error correction level Q,
// in the smallest version that holds it, with the mask of lowest penalty.
func Encode(text string) (*Code, error) {
	if text == "" {
		return nil, fmt.Errorf("qr: nothing to encode")
	}
	for i, r := range text {
		if !strings.ContainsRune(alphanumeric, r) {
			return nil, fmt.Errorf("qr: character %q at position %d is not in the QR alphanumeric set (0-9, A-Z, space, $%%*+-./:)", r, i+1)
		}
	}
	enc := coding.Alpha(text)
	v := coding.MinVersion
	for ; ; v++ {
		if v > coding.MaxVersion {
			return nil, fmt.Errorf("qr: %d characters do not fit in a version 40 code at level Q", len(text))
		}
		if enc.Bits(coding.Version(v)) <= coding.Version(v).DataBytes(coding.Q)*8 {
			break
		}
	}
	// Lay the data out once (with mask 0) and derive the other seven masks
	// by flipping the data modules and rewriting the format bits: the same
	// symbols as eight separate encodings, for an eighth of the work.
	p, err := coding.NewPlan(coding.Version(v), coding.Q, 0)
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	c0, err := p.Encode(enc)
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	n := c0.Size
	var best []byte
	bestScore := -1
	for mask := range coding.Mask(8) {
		grid := withMask(p, c0, mask)
		if s := penalty(grid, n); bestScore < 0 || s < bestScore {
			best, bestScore = grid, s
		}
	}
	return &Code{size: n, dark: best, version: v}, nil
}

// withMask returns the modules of c0 (encoded with mask 0 by plan p) as
// they are under mask m.
func withMask(p *coding.Plan, c0 *coding.Code, m coding.Mask) []byte {
	n := c0.Size
	fb := formatBits(m)
	grid := make([]byte, n*n)
	for y, row := range p.Pixel {
		for x, pix := range row {
			dark := c0.Black(x, y)
			switch pix.Role() {
			case coding.Data, coding.Check, coding.Extra:
				if coding.Mask(0).Invert(y, x) != m.Invert(y, x) {
					dark = !dark
				}
			case coding.Format:
				dark = (fb>>pix.Offset())&1 == 1
			}
			if dark {
				grid[y*n+x] = 1
			}
		}
	}
	return grid
}

// formatBits is the 15-bit format information for level Q and mask m:
// BCH(15,5) over the level and mask bits, XOR 0x5412 (ISO/IEC 18004 §7.9).
func formatBits(m coding.Mask) uint32 {
	fb := uint32(coding.Q^1)<<13 | uint32(m)<<10
	rem := fb
	for i := 14; i >= 10; i-- {
		if rem&(1<<uint(i)) != 0 {
			rem ^= 0x537 << uint(i-10)
		}
	}
	return (fb | rem) ^ 0x5412
}

// Version is the QR version (1–40).
func (c *Code) Version() int { return c.version }

// Size is the number of modules per side, without the quiet zone.
func (c *Code) Size() int { return c.size }

// Black reports whether the module at (x, y) is dark.
func (c *Code) Black(x, y int) bool {
	return x >= 0 && y >= 0 && x < c.size && y < c.size && c.dark[y*c.size+x] == 1
}

// PNG renders the code, quiet zone included, scale pixels per module (0
// means DefaultScale), as a 1-bit grey PNG.
func (c *Code) PNG(scale int) ([]byte, error) {
	if scale <= 0 {
		scale = DefaultScale
	}
	n := (c.Size() + 2*QuietZone) * scale
	img := image.NewPaletted(image.Rect(0, 0, n, n), color.Palette{color.White, color.Black})
	for y := range c.Size() {
		for x := range c.Size() {
			if !c.Black(x, y) {
				continue
			}
			x0, y0 := (x+QuietZone)*scale, (y+QuietZone)*scale
			for dy := range scale {
				row := img.Pix[(y0+dy)*img.Stride+x0:]
				for dx := range scale {
					row[dx] = 1
				}
			}
		}
	}
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// SVG renders the code as one path, quiet zone included, scale user units
// per module (0 means DefaultScale).
func (c *Code) SVG(scale int) []byte {
	if scale <= 0 {
		scale = DefaultScale
	}
	n := c.Size() + 2*QuietZone
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n*scale, n*scale, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y := range c.Size() {
		for x := 0; x < c.Size(); {
			if !c.Black(x, y) {
				x++
				continue
			}
			run := 1
			for x+run < c.Size() && c.Black(x+run, y) {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+QuietZone, y+QuietZone, run, run)
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes()
}

// penalty scores a symbol by the four rules of ISO/IEC 18004 §8.8.2; the
// mask with the lowest score is used.
func penalty(rows []byte, n int) int {
	// Columns as rows, so that every rule scans a flat slice.
	cols := make([]byte, n*n)
	dark := 0
	for y := range n {
		for x := range n {
			if rows[y*n+x] == 1 {
				cols[x*n+y] = 1
				dark++
			}
		}
	}
	score := 0
	for _, g := range [][]byte{rows, cols} {
		for i := range n {
			line := g[i*n : (i+1)*n]
			// N1: runs of five or more same-coloured modules.
			run := 1
			for j := 1; j <= n; j++ {
				if j < n && line[j] == line[j-1] {
					run++
					continue
				}
				if run >= 5 {
					score += run - 2
				}
				run = 1
			}
			// N3: 1:1:3:1:1 finder-like patterns with four light modules
			// on one side (outside the symbol counts as light).
			var w uint // the last 11 modules, newest in bit 0
			for j := -4; j < n+4; j++ {
				w <<= 1
				if j >= 0 && j < n {
					w |= uint(line[j])
				}
				if j >= 6 {
					if w&0x7ff == 0b00001011101 || w&0x7ff == 0b10111010000 {
						score += 40
					}
				}
			}
		}
	}
	// N2: 2×2 blocks of one colour.
	for y := 0; y < n-1; y++ {
		r0, r1 := rows[y*n:], rows[(y+1)*n:]
		for x := 0; x < n-1; x++ {
			b := r0[x]
			if r0[x+1] == b && r1[x] == b && r1[x+1] == b {
				score += 3
			}
		}
	}
	// N4: proportion of dark modules away from 50 %.
	dev := dark*100/(n*n) - 50
	if dev < 0 {
		dev = -dev
	}
	score += dev / 5 * 10
	return score
}
