package qr

import (
	"math/bits"

	"rsc.io/qr/gf256"
)

// blocksQ is, per version, the codewords of the symbol and their error
// correction blocks at level Q (ISO/IEC 18004 Table 9): total codewords,
// number of blocks, check codewords per block. TestBlocksQ checks it
// against rsc.io/qr.
var blocksQ = [41]struct{ total, blocks, check int }{
	{},
	{26, 1, 13}, {44, 1, 22}, {70, 2, 18}, {100, 2, 26}, {134, 4, 18},
	{172, 4, 24}, {196, 6, 18}, {242, 6, 22}, {292, 8, 20}, {346, 8, 24},
	{404, 8, 28}, {466, 10, 26}, {532, 12, 24}, {581, 16, 20}, {655, 12, 30},
	{733, 17, 24}, {815, 16, 28}, {901, 18, 28}, {991, 21, 26}, {1085, 20, 30},
	{1156, 23, 28}, {1258, 23, 30}, {1364, 25, 30}, {1474, 27, 30}, {1588, 29, 30},
	{1706, 34, 28}, {1828, 34, 30}, {1921, 35, 30}, {2051, 38, 30}, {2185, 40, 30},
	{2323, 43, 30}, {2465, 45, 30}, {2611, 48, 30}, {2761, 51, 30}, {2876, 53, 30},
	{3034, 56, 30}, {3196, 59, 30}, {3362, 62, 30}, {3532, 65, 30}, {3706, 68, 30},
}

// dataBytesQ is the data codewords of version v at level Q.
func dataBytesQ(v int) int {
	b := blocksQ[v]
	return b.total - b.blocks*b.check
}

// alphaBits is the length of the bit stream of n alphanumeric characters
// in version v: mode, character count, 11 bits per pair, 6 for an odd one.
func alphaBits(v, n int) int {
	return 4 + countBits(v) + 11*(n/2) + 6*(n%2)
}

func countBits(v int) int {
	switch {
	case v <= 9:
		return 9
	case v <= 26:
		return 11
	}
	return 13
}

// codewords is the final sequence of symbol codewords for text in version
// v: the data bit stream, padded, split into blocks, each followed by its
// Reed–Solomon check codewords, interleaved (ISO/IEC 18004 §7.4–7.6).
func codewords(v int, text string) []byte {
	bq := blocksQ[v]
	nd := dataBytesQ(v)
	buf := make([]byte, 0, 2*bq.total) // data and check, then interleaved
	var acc uint64                     // bits not yet written, the last nacc of them
	nacc := 0
	put := func(x uint64, k int) {
		acc = acc<<k | x
		nacc += k
		for nacc >= 8 {
			nacc -= 8
			buf = append(buf, byte(acc>>nacc))
		}
	}
	put(2, 4) // alphanumeric mode
	put(uint64(len(text)), countBits(v))
	i := 0
	for ; i+2 <= len(text); i += 2 {
		put(uint64(alphaIndex(text[i]))*45+uint64(alphaIndex(text[i+1])), 11)
	}
	if i < len(text) {
		put(uint64(alphaIndex(text[i])), 6)
	}
	// Terminator of up to four 0 bits, then 0s to the byte boundary.
	put(0, min(4, nd*8-alphaBits(v, len(text))))
	if nacc > 0 {
		put(0, 8-nacc)
	}
	for pad := byte(0xec); len(buf) < nd; pad ^= 0xec ^ 0x11 {
		buf = append(buf, pad)
	}

	// Blocks: the last nd%blocks of them have one data codeword more.
	short := nd / bq.blocks
	long := bq.blocks - nd%bq.blocks // index of the first long block
	buf = buf[:2*bq.total]
	check := buf[nd:bq.total]
	rs := gf256.NewRSEncoder(gf256.NewField(0x11d, 2), bq.check)
	for b, at := 0, 0; b < bq.blocks; b++ {
		n := short
		if b >= long {
			n++
		}
		rs.ECC(buf[at:at+n], check[b*bq.check:(b+1)*bq.check])
		at += n
	}
	out := buf[bq.total:]
	k := 0
	for i := range short + 1 {
		for b := range bq.blocks {
			if i < short || b >= long {
				start := b*short + max(0, b-long)
				out[k] = buf[start+i]
				k++
			}
		}
	}
	for i := range bq.check {
		for b := range bq.blocks {
			out[k] = check[b*bq.check+i]
			k++
		}
	}
	return out
}

// alphaIndex is the value of an alphanumeric character (Encode has
// checked it is one).
func alphaIndex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'A' && c <= 'Z':
		return c - 'A' + 10
	}
	switch c {
	case ' ':
		return 36
	case '$':
		return 37
	case '%':
		return 38
	case '*':
		return 39
	case '+':
		return 40
	case '-':
		return 41
	case '.':
		return 42
	case '/':
		return 43
	}
	return 44 // ':'
}

// symbol is a symbol before masking, as bit lines both ways, so that each
// of the eight masked candidates takes a few word operations per line.
type symbol struct {
	n    int
	raw  []line // rows, no mask applied; format modules light
	rawT []line // the same by columns: rawT[x] bit y is module (x, y)
	data []line // the modules a mask changes; symmetric, so also by columns
}

// newSymbol lays out the codewords cw in a version v symbol: function
// patterns, then the data in the two-column zigzag of ISO/IEC 18004 §7.7.3.
// lines must hold 3×(17+4v) lines.
func newSymbol(v int, cw []byte, lines []line) *symbol {
	n := 17 + 4*v
	s := &symbol{n: n, raw: lines[:n:n], rawT: lines[n : 2*n : 2*n], data: lines[2*n : 3*n : 3*n]}
	clear(lines[:3*n])
	fn := s.data // function modules, until turned into the data modules
	dark := func(x, y int) {
		s.raw[y].set(x)
		s.rawT[x].set(y)
	}
	rect := func(x0, y0, w, h int) {
		for y := max(y0, 0); y < min(y0+h, n); y++ {
			for x := max(x0, 0); x < min(x0+w, n); x++ {
				fn[y].set(x)
			}
		}
	}
	// Finder patterns with their separators, and the format areas.
	for _, c := range [3][2]int{{0, 0}, {n - 7, 0}, {0, n - 7}} {
		rect(c[0]-1, c[1]-1, 9, 9)
		for d := range 7 {
			for e := range 7 {
				if d == 0 || d == 6 || e == 0 || e == 6 || d >= 2 && d <= 4 && e >= 2 && e <= 4 {
					dark(c[0]+d, c[1]+e)
				}
			}
		}
	}
	rect(0, 8, 9, 1)
	rect(8, 0, 1, 9)
	rect(n-8, 8, 8, 1)
	rect(8, n-8, 1, 8)
	dark(8, n-8) // the dark module
	// Timing patterns.
	rect(8, 6, n-16, 1)
	rect(6, 8, 1, n-16)
	for i := 8; i < n-8; i += 2 {
		dark(i, 6)
		dark(6, i)
	}
	// Alignment patterns, centred on every pair of the positions but where
	// a finder pattern is.
	if v > 1 {
		na := v/7 + 2
		step := 26
		if v != 32 {
			step = (v*4 + na*2 + 1) / (na*2 - 2) * 2
		}
		var pos [7]int
		pos[0] = 6
		for i, p := na-1, n-7; i >= 1; i, p = i-1, p-step {
			pos[i] = p
		}
		for i := range na {
			for j := range na {
				if i == 0 && j == 0 || i == 0 && j == na-1 || i == na-1 && j == 0 {
					continue
				}
				cx, cy := pos[i], pos[j]
				rect(cx-2, cy-2, 5, 5)
				for d := -2; d <= 2; d++ {
					for e := -2; e <= 2; e++ {
						if max(d, -d, e, -e) != 1 {
							dark(cx+d, cy+e)
						}
					}
				}
			}
		}
	}
	// Version information, BCH(18,6) (ISO/IEC 18004 §7.10), two copies.
	if v >= 7 {
		rem := uint32(v) << 12
		for i := 17; i >= 12; i-- {
			if rem&(1<<i) != 0 {
				rem ^= 0x1f25 << (i - 12)
			}
		}
		vb := uint32(v)<<12 | rem
		rect(n-11, 0, 3, 6)
		rect(0, n-11, 6, 3)
		for i := range 18 {
			if vb>>i&1 == 1 {
				a, b := i/3, n-11+i%3
				dark(b, a)
				dark(a, b)
			}
		}
	}

	// The data, from the bottom right, up and down two columns at a time,
	// right module first, skipping the vertical timing pattern.
	i, nbits := 0, 8*len(cw)
	for right := n - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5
		}
		up := (right+1)&2 == 0
		for k := range n {
			y := k
			if up {
				y = n - 1 - k
			}
			for x := right; x >= right-1; x-- {
				if fn[y].has(x) {
					continue
				}
				// The remainder bits after the codewords are 0.
				if i < nbits && cw[i>>3]>>(7-i&7)&1 == 1 {
					dark(x, y)
				}
				i++
			}
		}
	}
	all := ones(n)
	for y := range n {
		s.data[y] = fn[y].not().and(all)
	}
	return s
}

// masked writes into rows and cols the symbol under mask m, format
// information included.
func (s *symbol) masked(m int, rows, cols []line) {
	n := s.n
	// A mask's pattern repeats every 12 rows and every 6 columns (every 6
	// rows and 12 columns too); rowPat[r] is its row r, colPat[c] its
	// column c.
	var rowPat [12]line
	var colPat [6]line
	for r := range 12 {
		var p uint64
		for x := range 6 {
			if invert(m, r, x) {
				p |= 1 << x
			}
		}
		// Word w starts at column 64w, which is 0, 4, 2 modulo 6.
		for w, ph := range [3]uint{0, 4, 2} {
			rowPat[r][w] = ((p>>ph | p<<(6-ph)) & 0x3f) * 0x1041041041041041
		}
	}
	for c := range 6 {
		var p uint64
		for y := range 12 {
			if invert(m, y, c) {
				p |= 1 << y
			}
		}
		for w, ph := range [3]uint{0, 4, 8} { // 64w modulo 12
			colPat[c][w] = ((p>>ph | p<<(12-ph)) & 0xfff) * 0x1001001001001001
		}
	}
	for y := range n {
		rows[y] = s.raw[y].xor(rowPat[y%12].and(s.data[y]))
	}
	for x := range n {
		cols[x] = s.rawT[x].xor(colPat[x%6].and(s.data[x]))
	}
	fb := formatBits(m)
	for i := range 15 {
		if fb>>i&1 == 0 {
			continue
		}
		var x, y int
		switch {
		case i < 6:
			x, y = 8, i
		case i < 8:
			x, y = 8, i+1
		case i == 8:
			x, y = 7, 8
		default:
			x, y = 14-i, 8
		}
		rows[y].set(x)
		cols[x].set(y)
		if i < 8 {
			x, y = n-1-i, 8
		} else {
			x, y = 8, n-15+i
		}
		rows[y].set(x)
		cols[x].set(y)
	}
}

// invert tells whether mask m changes the module in row i, column j
// (ISO/IEC 18004 Table 10).
func invert(m, i, j int) bool {
	switch m {
	case 0:
		return (i+j)%2 == 0
	case 1:
		return i%2 == 0
	case 2:
		return j%3 == 0
	case 3:
		return (i+j)%3 == 0
	case 4:
		return (i/2+j/3)%2 == 0
	case 5:
		return i*j%2+i*j%3 == 0
	case 6:
		return (i*j%2+i*j%3)%2 == 0
	}
	return (i*j%3+(i+j)%2)%2 == 0
}

// formatBits is the 15-bit format information for level Q and mask m:
// BCH(15,5) over the level and mask bits, XOR 0x5412 (ISO/IEC 18004 §7.9).
func formatBits(m int) uint32 {
	fb := uint32(0b11)<<13 | uint32(m)<<10 // level Q is 0b11
	rem := fb
	for i := 14; i >= 10; i-- {
		if rem&(1<<uint(i)) != 0 {
			rem ^= 0x537 << uint(i-10)
		}
	}
	return (fb | rem) ^ 0x5412
}

// penalty scores a symbol by the four rules of ISO/IEC 18004 §7.8.3.1,
// given as its n rows and n columns. Lines are bit sets, and the rules are
// word operations on shifted copies of a line's words, so that they take a
// few instructions per 64 modules rather than a branch per module: the
// score runs eight times per Encode.
func penalty(rows, cols []line, n int) int {
	w := (n + 63) >> 6    // words per line
	starts := ones(n - 4) // where a 5-module window fits
	score := 0
	for _, set := range [2][]line{rows[:n], cols[:n]} {
		for i := range set {
			score += linePenalty(&set[i], w, &starts)
		}
	}
	// N2: 3 for each 2×2 block of one colour (overlapping blocks count,
	// which is the standard's (m-1)×(n-1) for an m×n block).
	pairs := ones(n - 1) // where a module has a right-hand neighbour
	dark := 0
	for y := range n {
		r0 := &rows[y]
		dark += r0.count()
		if y == n-1 {
			break
		}
		r1 := &rows[y+1]
		for i := range w {
			// Same colour as below, at i and i+1, and as at i+1 in the row.
			same, next := ^(r0[i] ^ r1[i]), ^uint64(0)
			h := r0[i] >> 1
			if i < 2 {
				next = ^(r0[i+1] ^ r1[i+1])
				h |= r0[i+1] << 63
			}
			score += 3 * bits.OnesCount64(same&(same>>1|next<<63)&^(r0[i]^h)&pairs[i])
		}
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

// linePenalty is the N1 and N3 penalty of one row or column of w words;
// starts holds the modules where a 5-module window fits.
func linePenalty(b *line, w int, starts *line) int {
	score := 0
	var prev, prevRuns uint64 // the word before, and its window starts
	for i := range w {
		cur, next := b[i], uint64(0)
		if i < 2 {
			next = b[i+1]
		}
		// sk: module j+k at bit j.
		s1, s2 := cur>>1|next<<63, cur>>2|next<<62
		s3, s4 := cur>>3|next<<61, cur>>4|next<<60
		// N1: a run of k ≥ 5 same-coloured modules scores k-2, which is
		// the number of uniform 5-module windows in it, plus 2 for the
		// first.
		runs := ^(cur ^ s1) &^ (s1 ^ s2) &^ (s2 ^ s3) &^ (s3 ^ s4) & starts[i]
		score += bits.OnesCount64(runs) + 2*bits.OnesCount64(runs&^(runs<<1|prevRuns>>63))
		prevRuns = runs
		// N3: 40 for dark-light-dark×3-light-dark (1:1:3:1:1) with four
		// light modules before or after (outside the symbol is light);
		// once even when both sides are light, as zxing does.
		s5, s6 := cur>>5|next<<59, cur>>6|next<<58
		if core := cur &^ s1 & s2 & s3 & s4 &^ s5 & s6; core != 0 {
			after := cur>>7 | next<<57 | cur>>8 | next<<56 | cur>>9 | next<<55 | cur>>10 | next<<54
			before := cur<<1 | prev>>63 | cur<<2 | prev>>62 | cur<<3 | prev>>61 | cur<<4 | prev>>60
			score += 40 * bits.OnesCount64(core&^(after&before))
		}
		prev = cur
	}
	return score
}

// line is one row or column of modules, bit i for module i; bits beyond
// the symbol are 0, that is light.
type line [3]uint64 // 177 modules at most

// ones is the line of modules 0 to k-1.
func ones(k int) line {
	var b line
	for w := range b {
		switch {
		case k >= 64*(w+1):
			b[w] = ^uint64(0)
		case k > 64*w:
			b[w] = 1<<(k-64*w) - 1
		}
	}
	return b
}

func (b *line) set(i int)     { b[i>>6] |= 1 << (i & 63) }
func (b line) has(i int) bool { return b[i>>6]>>(i&63)&1 == 1 }

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
