package qr

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/encoder"
	"rsc.io/qr/coding"
)

// The reference: the symbols and penalties as the encoder computed them
// before it worked on bit lines. rsc.io/qr lays the data out under mask 0;
// refLayout undoes that mask and derives the eight candidates, and
// refPenalty scores a byte-per-module grid.

// refLayout is a symbol with its mask undone: the modules and which of
// them a mask or the format information changes.
type refLayout struct {
	n      int
	raw    []byte // n×n modules with no mask applied
	masked []bool // data, check and remainder modules
	format []int8 // format information bit index, or -1
}

// newRefLayout encodes text with rsc.io/qr in the smallest version at
// level Q, and undoes its mask.
func newRefLayout(t testing.TB, text string) (*refLayout, coding.Version) {
	t.Helper()
	enc := coding.Alpha(text)
	v := coding.Version(coding.MinVersion)
	for enc.Bits(v) > v.DataBytes(coding.Q)*8 {
		v++
	}
	p, err := coding.NewPlan(v, coding.Q, 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.Encode(enc)
	if err != nil {
		t.Fatal(err)
	}
	return refLayoutOf(p, c), v
}

func refLayoutOf(p *coding.Plan, c *coding.Code) *refLayout {
	n := c.Size
	l := &refLayout{n: n, raw: make([]byte, n*n), masked: make([]bool, n*n), format: make([]int8, n*n)}
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
func (l *refLayout) withMask(m coding.Mask, grid []byte) {
	fb := formatBits(int(m))
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

// refPenalty is the penalty of a grid (n×n, row-major, 1 = dark) by the
// four rules of ISO/IEC 18004 §7.8.3.1, as the encoder scored it before.
func refPenalty(grid []byte, n int) int {
	rows, cols := make([]line, n), make([]line, n)
	for y := range n {
		for x, b := range grid[y*n : (y+1)*n] {
			if b == 1 {
				rows[y][x>>6] |= 1 << (x & 63)
				cols[x][y>>6] |= 1 << (y & 63)
			}
		}
	}
	var valid line
	for i := range n - 1 {
		valid[i>>6] |= 1 << (i & 63)
	}
	score, dark := 0, 0
	for _, set := range [2][]line{rows[:n], cols[:n]} {
		for _, b := range set {
			eq := b.xor(b.shr(1)).not().and(valid)
			u := eq.and(eq.shr(1)).and(eq.shr(2)).and(eq.shr(3))
			score += u.count() + 2*u.andNot(u.shl(1)).count()
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
		r0, r1 := rows[y], rows[y+1]
		h0 := r0.xor(r0.shr(1)).not()
		h1 := r1.xor(r1.shr(1)).not()
		score += 3 * r0.xor(r1).not().and(h0).and(h1).and(valid).count()
	}
	total := n * n
	d := 20*dark - 10*total
	if d < 0 {
		d = -d
	}
	return score + d/total*10
}

// randomText is an alphanumeric string of n characters, "HC1:" first
// when it fits.
func randomText(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = Alphabet[r.IntN(len(Alphabet))]
	}
	if n >= 4 {
		copy(b, "HC1:")
	}
	return string(b)
}

// lengthsPerVersion gives, for every version, k text lengths that need it:
// the smallest, the largest and random ones between.
func lengthsPerVersion(r *rand.Rand, k int) [][]int {
	out := make([][]int, 41)
	for v := 1; v <= 40; v++ {
		lo, hi := 1, maxAlpha(v)
		if v > 1 {
			lo = maxAlpha(v-1) + 1
		}
		out[v] = []int{lo, hi}
		for len(out[v]) < k {
			out[v] = append(out[v], lo+r.IntN(hi-lo+1))
		}
	}
	return out
}

// gridOf is the symbol in rows as a byte-per-module grid.
func gridOf(rows []line, n int) []byte {
	g := make([]byte, n*n)
	for y := range n {
		for x := range n {
			if rows[y].has(x) {
				g[y*n+x] = 1
			}
		}
	}
	return g
}

// linesOf returns the rows and columns of a byte-per-module grid.
func linesOf(grid []byte, n int) (rows, cols []line) {
	rows, cols = make([]line, n), make([]line, n)
	for y := range n {
		for x := range n {
			if grid[y*n+x] == 1 {
				rows[y].set(x)
				cols[x].set(y)
			}
		}
	}
	return rows, cols
}

// masked gives the candidate symbols of text under every mask.
func candidates(text string) (n int, rows, cols [8][]line) {
	v := 1
	for alphaBits(v, len(text)) > dataBytesQ(v)*8 {
		v++
	}
	n = 17 + 4*v
	s := newSymbol(v, codewords(v, text), make([]line, 3*n))
	for m := range 8 {
		rows[m], cols[m] = make([]line, n), make([]line, n)
		s.masked(m, rows[m], cols[m])
	}
	return n, rows, cols
}

// Every version, every mask: the symbol laid out on bit lines is module for
// module the one rsc.io/qr encodes with that mask, and its columns are its
// rows transposed.
func TestSymbolMatchesRSC(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for v, lengths := range lengthsPerVersion(r, 2) {
		for _, k := range lengths {
			text := randomText(r, k)
			n, rows, cols := candidates(text)
			if n != 17+4*v {
				t.Fatalf("%d characters: %d modules per side, want version %d", k, n, v)
			}
			for m := range coding.Mask(8) {
				p, err := coding.NewPlan(coding.Version(v), coding.Q, m)
				if err != nil {
					t.Fatal(err)
				}
				c, err := p.Encode(coding.Alpha(text))
				if err != nil {
					t.Fatal(err)
				}
				for y := range n {
					for x := range n {
						if rows[m][y].has(x) != c.Black(x, y) || cols[m][x].has(y) != c.Black(x, y) {
							t.Fatalf("version %d, %d characters, mask %d: module (%d,%d) differs from rsc.io/qr", v, k, m, x, y)
						}
					}
				}
			}
		}
	}
}

// On random payloads of every version, the penalty of every candidate is
// the reference's, and Encode keeps the candidate the reference would:
// the lowest penalty, the lower mask number on a tie.
func TestPenaltyMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	ties := 0
	for v, lengths := range lengthsPerVersion(r, 6) {
		for _, k := range lengths {
			text := randomText(r, k)
			n, rows, cols := candidates(text)
			ref, _ := newRefLayout(t, text)
			g := make([]byte, n*n)
			best, bestScore, tied := 0, -1, false
			for m := range 8 {
				ref.withMask(coding.Mask(m), g)
				want := refPenalty(g, n)
				if got := penalty(rows[m], cols[m], n); got != want {
					t.Fatalf("version %d, %d characters, mask %d: penalty %d, reference %d", v, k, m, got, want)
				}
				if bestScore < 0 || want < bestScore {
					best, bestScore, tied = m, want, false
				} else if want == bestScore {
					tied = true
				}
			}
			if tied {
				ties++
			}
			c, err := Encode(text)
			if err != nil {
				t.Fatal(err)
			}
			ref.withMask(coding.Mask(best), g)
			for y := range n {
				for x := range n {
					if c.Black(x, y) != (g[y*n+x] == 1) {
						t.Fatalf("version %d, %d characters: Encode's symbol is not the reference's choice, mask %d (module (%d,%d))", v, k, best, x, y)
					}
				}
			}
		}
	}
	t.Logf("%d payloads with two masks or more at the lowest penalty", ties)
}

// The reference layout gives exactly the symbols that eight separate
// rsc.io/qr encodings give, in small and large versions.
func TestRefLayoutMatchesEncoding(t *testing.T) {
	for _, text := range []string{"HC1:ABC", strings.Repeat("HC1:NCFOXN%TSMAHN-H", 30), strings.Repeat("6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O3", 60)} {
		enc := coding.Alpha(text)
		v := coding.Version(1)
		for enc.Bits(v) > v.DataBytes(coding.Q)*8 {
			v++
		}
		for from := range coding.Mask(8) {
			pf, _ := coding.NewPlan(v, coding.Q, from)
			cf, _ := pf.Encode(enc)
			l := refLayoutOf(pf, cf)
			got := make([]byte, l.n*l.n)
			for m := range coding.Mask(8) {
				pm, _ := coding.NewPlan(v, coding.Q, m)
				cm, _ := pm.Encode(enc)
				l.withMask(m, got)
				for y := range cm.Size {
					for x := range cm.Size {
						if (got[y*cm.Size+x] == 1) != cm.Black(x, y) {
							t.Fatalf("version %d, mask %d derived from mask %d: module (%d,%d) differs", v, m, from, x, y)
						}
					}
				}
			}
		}
	}
}

// zxingPenalty is the mask penalty as zxing computes it: an independent
// implementation of the same four rules.
func zxingPenalty(grid []byte, n int) int {
	bm := encoder.NewByteMatrix(n, n)
	for y := range n {
		for x := range n {
			bm.Set(x, y, int8(grid[y*n+x]))
		}
	}
	return encoder.MaskUtil_applyMaskPenaltyRule1(bm) + encoder.MaskUtil_applyMaskPenaltyRule2(bm) +
		encoder.MaskUtil_applyMaskPenaltyRule3(bm) + encoder.MaskUtil_applyMaskPenaltyRule4(bm)
}

// The reference and the bit-line scorer agree with zxing on random grids,
// finder-like rows and real symbols.
func TestPenaltyMatchesZxing(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	grids := map[string][]byte{
		"all light":    make([]byte, 21*21),
		"finder row":   append([]byte{0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1}, make([]byte, 25*24)...),
		"finder edges": append([]byte{1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1}, make([]byte, 18*17)...),
	}
	for _, n := range []int{21, 25, 57, 93, 177} {
		for _, density := range []int{2, 5, 8} { // tenths dark
			g := make([]byte, n*n)
			for i := range g {
				if r.IntN(10) < density {
					g[i] = 1
				}
			}
			grids[strings.Repeat("r", density)+string(rune('0'+n%10))] = g
		}
	}
	for name, g := range grids {
		n := isqrt(len(g))
		want := zxingPenalty(g, n)
		if got := refPenalty(g, n); got != want {
			t.Errorf("%s (%d×%d): reference penalty %d, zxing %d", name, n, n, got, want)
		}
		rows, cols := linesOf(g, n)
		if got := penalty(rows, cols, n); got != want {
			t.Errorf("%s (%d×%d): penalty %d, zxing %d", name, n, n, got, want)
		}
	}
	for _, text := range []string{"HC1:ABC", strings.Repeat("HC1:NCFOXN%TSMAHN-H", 30)} {
		n, rows, cols := candidates(text)
		for m := range 8 {
			if got, want := penalty(rows[m], cols[m], n), zxingPenalty(gridOf(rows[m], n), n); got != want {
				t.Errorf("%d modules, mask %d: penalty %d, zxing %d", n, m, got, want)
			}
		}
	}
}

func isqrt(x int) int {
	n := 0
	for (n+1)*(n+1) <= x {
		n++
	}
	return n
}

// The level Q block table is rsc.io/qr's (ISO/IEC 18004 Table 9).
func TestBlocksQ(t *testing.T) {
	for v := 1; v <= 40; v++ {
		p, err := coding.NewPlan(coding.Version(v), coding.Q, 0)
		if err != nil {
			t.Fatal(err)
		}
		b := blocksQ[v]
		if p.DataBytes != dataBytesQ(v) || p.Blocks != b.blocks || p.CheckBytes != b.blocks*b.check || p.DataBytes+p.CheckBytes != b.total {
			t.Errorf("version %d: table %+v; rsc.io/qr %d data, %d blocks, %d check codewords", v, b, p.DataBytes, p.Blocks, p.CheckBytes)
		}
		if got, want := alphaBits(v, 101), coding.Alpha(strings.Repeat("A", 101)).Bits(coding.Version(v)); got != want {
			t.Errorf("version %d: 101 characters take %d bits, rsc.io/qr %d", v, got, want)
		}
	}
}

func TestMaxAlpha(t *testing.T) {
	// ISO/IEC 18004 Table 7, alphanumeric capacity at level Q.
	for v, want := range map[int]int{1: 16, 2: 29, 10: 221, 19: 644, 40: 2420} {
		if got := maxAlpha(v); got != want {
			t.Errorf("version %d: %d characters, want %d", v, got, want)
		}
	}
}

func TestAlphaIndex(t *testing.T) {
	for i := range len(Alphabet) {
		if got := alphaIndex(Alphabet[i]); int(got) != i {
			t.Errorf("alphaIndex(%q) = %d, want %d", Alphabet[i], got, i)
		}
	}
}
