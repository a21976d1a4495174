package qr

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/bits"
	"slices"
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
// The image data is one deflate block (RFC 1951) written directly: each
// module row is its first pixel row in literals and a back-reference that
// repeats it scale-1 times (or scale times the previous pixel row, when
// the module row is the same as the one above, as in the quiet zone), in
// Huffman codes made for the image. A first pass over the rows counts the
// symbols; a second writes them. No compressor searches for matches: the
// image's structure gives them.
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
	var buf [MaxPNGSide/8 + 1]byte
	row := buf[:stride]
	moduleRow := func(y int) line {
		if y >= 0 && y < c.size {
			return c.rows[y]
		}
		return line{}
	}

	// Pass 1: the symbol counts, and the Adler-32 of the pixel data.
	var freq [286]int
	freq[256] = 1 // end of block
	a, b := uint64(1), uint64(0)
	for y := -QuietZone; y < c.size+QuietZone; y++ {
		ml := moduleRow(y)
		if y > -QuietZone && ml == moduleRow(y-1) {
			countMatch(&freq, scale*stride)
		} else {
			pixelRow(row, ml, scale)
			for _, v := range row {
				freq[v]++
			}
			countMatch(&freq, (scale-1)*stride)
		}
		// A row adds its sum s to A, and to B its length times A before
		// it plus t, the sum of its prefix sums.
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

	// The codes: literal/length, and distance, of which one is used (a
	// second of length 1 keeps the code complete, as decoders prefer).
	var litLen [286]uint8
	huffmanLengths(freq[:], 15, litLen[:])
	d := distCode(stride)
	var distLen [30]uint8
	distLen[d.sym] = 1
	distLen[max(1-d.sym, 0)] = 1 // code 0, or 1 when code 0 is the one
	nlit := 286
	for litLen[nlit-1] == 0 {
		nlit--
	}
	ndist := 30
	for distLen[ndist-1] == 0 {
		ndist--
	}
	header := codeLengths(litLen[:nlit], distLen[:ndist])
	var litCode [286]uint16
	var distCodes [30]uint16
	canonical(litLen[:], litCode[:])
	canonical(distLen[:], distCodes[:])

	// The exact size of the block, in bits.
	nbits := 3 + header.bits
	for s, f := range freq {
		nbits += f * int(litLen[s])
		if s > 256 {
			nbits += f * (int(lengthExtra[s-257]) + 1 + int(d.n))
		}
	}
	out := make([]byte, 0, 8+25+8+2+(nbits+7)/8+4+4+12)
	out = append(out, "\x89PNG\r\n\x1a\n"...)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(w))
	ihdr[8] = 1 // bit depth; colour type 0 (grey), deflate, no interlace
	out = appendChunk(out, "IHDR", ihdr[:])
	at := len(out)
	out = append(out, 0, 0, 0, 0, 'I', 'D', 'A', 'T')
	out = append(out, 0x78, 0x01) // zlib, deflate with a 32 KB window, no dictionary

	// Pass 2: the block.
	z := bitWriter{out: out, lit: litLen, code: litCode, dist: uint64(distCodes[d.sym]), distLen: uint(distLen[d.sym]), d: d}
	z.put(0b101, 3) // the final block, dynamic Huffman codes
	header.write(&z)
	for y := -QuietZone; y < c.size+QuietZone; y++ {
		ml := moduleRow(y)
		if y > -QuietZone && ml == moduleRow(y-1) {
			z.match(scale * stride)
			continue
		}
		pixelRow(row, ml, scale)
		for _, v := range row {
			z.symbol(int(v))
		}
		z.match((scale - 1) * stride)
	}
	z.symbol(256)
	out = z.flush()
	out = binary.BigEndian.AppendUint32(out, uint32(b<<16|a))
	binary.BigEndian.PutUint32(out[at:], uint32(len(out)-at-8))
	out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[at+4:]))
	return appendChunk(out, "IEND", nil), nil
}

const adlerMod = 65521

// pixelRow draws module row ml into row: the filter type byte 0, then the
// pixels, 1 bit each, 0 for dark, most significant bit first.
func pixelRow(row []byte, ml line, scale int) {
	row[0] = 0
	px := row[1:]
	for i := range px {
		px[i] = 0xff // light, and the padding bits of the last byte
	}
	for wd, word := range ml {
		for word != 0 {
			// A run of dark modules.
			x0 := bits.TrailingZeros64(word)
			k := bits.TrailingZeros64(^(word >> x0))
			word &^= (1<<k - 1) << x0
			clearBits(px, (64*wd+x0+QuietZone)*scale, k*scale)
		}
	}
}

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

// Lengths and distances of back-references: base values and extra bits
// of each code (RFC 1951 §3.2.5).
var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
)

// dist is a distance's code, and its extra bits and their count.
type dist struct {
	sym   int
	extra uint64
	n     uint
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
	return dist{sym: c, extra: uint64(d - int(distBase[c])), n: n}
}

// matchLengths calls f with the lengths of the back-references that
// repeat n bytes: 258 at most each, and none shorter than 3.
func matchLengths(n int, f func(l int)) {
	for n > 0 {
		l := min(n, 258)
		if n-l > 0 && n-l < 3 {
			l = n - 3 // leave at least the shortest reference
		}
		n -= l
		f(l)
	}
}

// lengthSym is the code of back-reference length l, less 257.
func lengthSym(l int) int {
	c := len(lengthBase) - 1
	for int(lengthBase[c]) > l {
		c--
	}
	return c
}

func countMatch(freq *[286]int, n int) {
	matchLengths(n, func(l int) { freq[257+lengthSym(l)]++ })
}

// huffmanLengths sets lens to the code lengths, at most limit, of a
// Huffman code for the symbol frequencies freq; unused symbols get 0. At
// least two symbols get a code, so that the code is complete.
func huffmanLengths(freq []int, limit int, lens []uint8) {
	var syms []int
	var symBuf [286]int
	syms = symBuf[:0]
	for s, f := range freq {
		if f > 0 {
			syms = append(syms, s)
		}
	}
	for s := 0; len(syms) < 2; s++ {
		if freq[s] == 0 {
			syms = append(syms, s)
		}
	}
	var fBuf, parentBuf [2 * 286]int
	var depthBuf [2 * 286]uint8
	k := len(syms)
	fs, parent, depth := fBuf[:2*k-1], parentBuf[:2*k-1], depthBuf[:2*k-1]
	// Leaves in order of frequency, then internal nodes as they are made,
	// which come in order of frequency too: two queues.
	slices.SortStableFunc(syms, func(x, y int) int { return cmp.Compare(freq[x], freq[y]) })
	for scale := 0; ; scale++ { // frequencies halved scale times, to fit the limit
		for i, s := range syms {
			fs[i] = max(freq[s]>>scale, 1)
		}
		leaf, inner, next := 0, k, k
		smallest := func() int {
			if leaf < k && (inner == next || fs[leaf] <= fs[inner]) {
				leaf++
				return leaf - 1
			}
			inner++
			return inner - 1
		}
		for ; next < 2*k-1; next++ {
			x := smallest()
			y := smallest()
			fs[next] = fs[x] + fs[y]
			parent[x], parent[y] = next, next
		}
		depth[2*k-2] = 0
		longest := uint8(0)
		for i := 2*k - 3; i >= 0; i-- {
			depth[i] = depth[parent[i]] + 1
			longest = max(longest, depth[i])
		}
		if int(longest) <= limit {
			break
		}
	}
	clear(lens)
	for i, s := range syms {
		lens[s] = depth[i]
	}
}

// canonical sets codes to the canonical Huffman code of lens (RFC 1951
// §3.2.2), bit-reversed, since deflate writes codes most significant bit
// first into a stream written least significant bit first.
func canonical(lens []uint8, codes []uint16) {
	var count, next [16]uint16
	for _, l := range lens {
		count[l]++
	}
	count[0] = 0
	code := uint16(0)
	for l := 1; l < 16; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	for s, l := range lens {
		if l > 0 {
			codes[s] = bits.Reverse16(next[l]) >> (16 - l)
			next[l]++
		}
	}
}

// clOrder is the order in which the code length code's lengths are sent.
var clOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// dynHeader is the header of a dynamic Huffman block: the code lengths of
// the two codes, run-length coded, in the code length code.
type dynHeader struct {
	nlit, ndist, nclen int
	ops                [286 + 30]uint16 // symbol | extra<<8
	nops               int
	clLen              [19]uint8
	clCode             [19]uint16
	bits               int
}

func codeLengths(lit, dst []uint8) (h dynHeader) {
	h = dynHeader{nlit: len(lit), ndist: len(dst)}
	var all [286 + 30]uint8
	seq := append(append(all[:0], lit...), dst...)
	var freq [19]int
	op := func(sym, extra int) {
		h.ops[h.nops] = uint16(sym | extra<<8)
		h.nops++
		freq[sym]++
	}
	for i := 0; i < len(seq); {
		l := seq[i]
		run := 1
		for i+run < len(seq) && seq[i+run] == l {
			run++
		}
		i += run
		switch {
		case l == 0:
			for run >= 11 {
				n := min(run, 138)
				op(18, n-11)
				run -= n
			}
			if run >= 3 {
				op(17, run-3)
				run = 0
			}
		default:
			op(int(l), 0)
			run--
			for run >= 3 {
				n := min(run, 6)
				op(16, n-3)
				run -= n
			}
		}
		for ; run > 0; run-- {
			op(int(l), 0)
		}
	}
	huffmanLengths(freq[:], 7, h.clLen[:])
	canonical(h.clLen[:], h.clCode[:])
	h.nclen = 19
	for h.nclen > 4 && h.clLen[clOrder[h.nclen-1]] == 0 {
		h.nclen--
	}
	h.bits = 5 + 5 + 4 + 3*h.nclen
	for s, f := range freq {
		h.bits += f * int(h.clLen[s])
	}
	h.bits += 2*freq[16] + 3*freq[17] + 7*freq[18]
	return h
}

func (h *dynHeader) write(z *bitWriter) {
	z.put(uint64(h.nlit-257), 5)
	z.put(uint64(h.ndist-1), 5)
	z.put(uint64(h.nclen-4), 4)
	for _, s := range clOrder[:h.nclen] {
		z.put(uint64(h.clLen[s]), 3)
	}
	for _, op := range h.ops[:h.nops] {
		sym, extra := int(op&0xff), uint64(op>>8)
		z.put(uint64(h.clCode[sym]), uint(h.clLen[sym]))
		switch sym {
		case 16:
			z.put(extra, 2)
		case 17:
			z.put(extra, 3)
		case 18:
			z.put(extra, 7)
		}
	}
}

// bitWriter writes a deflate stream, least significant bit first, in the
// block's codes.
type bitWriter struct {
	out     []byte
	acc     uint64
	n       uint
	lit     [286]uint8
	code    [286]uint16
	dist    uint64 // the code of the one distance
	distLen uint
	d       dist
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

func (z *bitWriter) symbol(s int) { z.put(uint64(z.code[s]), uint(z.lit[s])) }

// match writes back-references that repeat n bytes (none if n is 0) from
// the block's one distance.
func (z *bitWriter) match(n int) {
	matchLengths(n, func(l int) {
		c := lengthSym(l)
		z.symbol(257 + c)
		if e := lengthExtra[c]; e > 0 {
			z.put(uint64(l-int(lengthBase[c])), uint(e))
		}
		z.put(z.dist, z.distLen)
		if z.d.n > 0 {
			z.put(z.d.extra, z.d.n)
		}
	})
}
