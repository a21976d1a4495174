package qr

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/bits"
)

// PNG renders the code, quiet zone included, at scale pixels per module (0
// means DefaultScale) as a 1-bit greyscale PNG.
func (c *Code) PNG(scale int) ([]byte, error) {
	var r Renderer
	return r.PNG(c, scale)
}

// Renderer writes PNGs. It holds no state: the writer draws the image
// straight from the module rows and allocates only the PNG it returns;
// callers keep one so that reusable state can return without an API
// change. The zero value is ready; it is safe for concurrent use.
type Renderer struct{}

// PNG is (*Code).PNG.
//
// The image is one fixed-Huffman deflate block: each module row is its
// first pixel row in literals and a back-reference that repeats it scale-1
// times (or scale times the previous one, when the module row is the
// same, as in the quiet zone). It needs no compressor state; the PNG is
// about twice the size that image/png's fastest level gives.
func (r *Renderer) PNG(c *Code, scale int) ([]byte, error) {
	if scale == 0 {
		scale = DefaultScale
	}
	side := c.size + 2*QuietZone
	if scale < 0 || scale > MaxPNGSide/side {
		return nil, fmt.Errorf("qr: PNG scale %d out of range: 1 to %d pixels per module for version %d (use SVG for large prints)", scale, MaxPNGSide/side, c.version)
	}
	w := side * scale
	stride := (w+7)/8 + 1 // the filter type byte (0, none), then the pixels

	// Upper bound of the size: 9 bits per literal, at most 31 per
	// back-reference of up to 258 bytes.
	refs := (scale*stride)/258 + 2
	out := make([]byte, 0, 8+25+12+2+side*(9*stride+31*refs)/8+8+4+12)
	out = append(out, "\x89PNG\r\n\x1a\n"...)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(w))
	ihdr[8] = 1 // bit depth; colour type 0 (grey), deflate, no interlace
	out = appendChunk(out, "IHDR", ihdr[:])

	at := len(out)
	out = append(out, 0, 0, 0, 0, 'I', 'D', 'A', 'T')
	out = append(out, 0x78, 0x01) // zlib, deflate with a 32 KB window, no dictionary
	z := bitWriter{out: out}
	z.put(0b011, 3) // the final block, fixed Huffman codes
	dist := distCode(stride)

	var buf [MaxPNGSide/8 + 1]byte
	row := buf[:stride]
	a, b := uint64(1), uint64(0) // Adler-32 of the pixel data
	var prev line
	for y := -QuietZone; y < c.size+QuietZone; y++ {
		var ml line
		if y >= 0 && y < c.size {
			ml = c.rows[y]
		}
		if y > -QuietZone && ml == prev {
			z.match(scale*stride, dist)
		} else {
			prev = ml
			row[0] = 0
			for i := 1; i < stride; i++ {
				row[i] = 0xff // light, and the padding bits of the last byte
			}
			px := row[1:]
			for wd, word := range ml {
				for word != 0 {
					// A run of dark modules: clear its pixels (0 is black).
					x0 := bits.TrailingZeros64(word)
					k := bits.TrailingZeros64(^(word >> x0))
					word &^= (1<<k - 1) << x0
					clearBits(px, (64*wd+x0+QuietZone)*scale, k*scale)
				}
			}
			for _, v := range row {
				z.literal(v)
			}
			z.match((scale-1)*stride, dist)
		}
		// Adler-32 of the row repeated scale times: a row adds s to A, and
		// to B its length times A before it plus t, the sum of its prefix
		// sums.
		var s, t uint64
		for _, v := range row {
			s += uint64(v)
			t += s
		}
		s, t = s%adlerMod, t%adlerMod
		for range scale {
			b = (b + uint64(stride)*a + t) % adlerMod
			a = (a + s) % adlerMod
		}
	}
	z.put(0, 7) // end of block
	out = z.flush()
	out = binary.BigEndian.AppendUint32(out, uint32(b<<16|a))
	binary.BigEndian.PutUint32(out[at:], uint32(len(out)-at-8))
	out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[at+4:]))
	return appendChunk(out, "IEND", nil), nil
}

const adlerMod = 65521

func appendChunk(out []byte, typ string, data []byte) []byte {
	out = binary.BigEndian.AppendUint32(out, uint32(len(data)))
	start := len(out)
	out = append(out, typ...)
	out = append(out, data...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
}

// clearBits clears n bits from bit i of p, most significant bit first.
func clearBits(p []byte, i, n int) {
	for n > 0 {
		off := i & 7
		k := min(8-off, n)
		p[i>>3] &^= byte(0xff>>off) &^ byte(0xff>>(off+k))
		i, n = i+k, n-k
	}
}

// bitWriter writes a deflate stream (RFC 1951), least significant bit
// first.
type bitWriter struct {
	out []byte
	acc uint64
	n   uint
}

// put writes the k ≤ 32 low bits of v.
func (z *bitWriter) put(v uint64, k uint) {
	z.acc |= v << z.n
	z.n += k
	if z.n >= 32 {
		z.out = binary.LittleEndian.AppendUint32(z.out, uint32(z.acc))
		z.acc >>= 32
		z.n -= 32
	}
}

func (z *bitWriter) flush() []byte {
	for ; z.n > 0; z.n -= min(8, z.n) {
		z.out = append(z.out, byte(z.acc))
		z.acc >>= 8
	}
	return z.out
}

// literal writes byte v in the fixed Huffman code (RFC 1951 §3.2.6),
// whose codes go most significant bit first.
func (z *bitWriter) literal(v byte) {
	if v < 144 {
		z.put(uint64(bits.Reverse8(0x30+v)), 8)
	} else {
		z.put(uint64(bits.Reverse16(0x190+uint16(v-144))>>7), 9)
	}
}

// Lengths and distances of back-references: base values and extra bits
// of each code (RFC 1951 §3.2.5).
var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
)

// dist is a distance's code, extra bits and their count, ready to write.
type dist struct {
	code, extra uint64
	n           uint
}

// distCode codes distance d (1 to 32768).
func distCode(d int) dist {
	c := len(distBase) - 1
	for int(distBase[c]) > d {
		c--
	}
	n := uint(0)
	if c >= 4 {
		n = uint(c/2 - 1)
	}
	return dist{code: uint64(bits.Reverse8(uint8(c)) >> 3), extra: uint64(d - int(distBase[c])), n: n}
}

// match writes back-references that repeat n ≥ 3 bytes (or none) from
// distance d before.
func (z *bitWriter) match(n int, d dist) {
	for n > 0 {
		l := min(n, 258)
		if n-l > 0 && n-l < 3 {
			l = n - 3 // leave at least the shortest reference
		}
		n -= l
		c := len(lengthBase) - 1
		for int(lengthBase[c]) > l {
			c--
		}
		if sym := 257 + c; sym < 280 {
			z.put(uint64(bits.Reverse8(uint8(sym-256))>>1), 7)
		} else {
			z.put(uint64(bits.Reverse8(uint8(0xc0+sym-280))), 8)
		}
		if e := lengthExtra[c]; e > 0 {
			z.put(uint64(l-int(lengthBase[c])), uint(e))
		}
		z.put(d.code, 5)
		if d.n > 0 {
			z.put(d.extra, d.n)
		}
	}
}
