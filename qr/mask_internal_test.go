package qr

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/encoder"
	"rsc.io/qr/coding"
)

// Deriving the masks from one layout gives exactly the symbols that eight
// separate rsc.io/qr encodings give, in small and large versions.
func TestWithMaskMatchesEncoding(t *testing.T) {
	for _, text := range []string{"HC1:ABC", strings.Repeat("HC1:NCFOXN%TSMAHN-H", 30), strings.Repeat("6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O3", 60)} {
		enc := coding.Alpha(text)
		v := coding.Version(1)
		for enc.Bits(v) > v.DataBytes(coding.Q)*8 {
			v++
		}
		for from := range coding.Mask(8) {
			pf, _ := coding.NewPlan(v, coding.Q, from)
			cf, _ := pf.Encode(enc)
			l := newLayout(pf, cf)
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
		if got, want := penalty(g, make([]line, n), make([]line, n), n), zxingPenalty(g, n); got != want {
			t.Errorf("%s (%d×%d): penalty %d, zxing %d", name, n, n, got, want)
		}
	}
	// And on real symbols, under every mask.
	for _, text := range []string{"HC1:ABC", strings.Repeat("HC1:NCFOXN%TSMAHN-H", 30)} {
		enc := coding.Alpha(text)
		v := coding.Version(1)
		for enc.Bits(v) > v.DataBytes(coding.Q)*8 {
			v++
		}
		p, _ := coding.NewPlan(v, coding.Q, 0)
		c, _ := p.Encode(enc)
		l := newLayout(p, c)
		g := make([]byte, l.n*l.n)
		for m := range coding.Mask(8) {
			l.withMask(m, g)
			if got, want := penalty(g, make([]line, l.n), make([]line, l.n), l.n), zxingPenalty(g, l.n); got != want {
				t.Errorf("version %d mask %d: penalty %d, zxing %d", v, m, got, want)
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

func TestMaxAlpha(t *testing.T) {
	// ISO/IEC 18004 Table 7, alphanumeric capacity at level Q.
	for v, want := range map[coding.Version]int{1: 16, 2: 29, 10: 221, 19: 644, 40: 2420} {
		if got := maxAlpha(v); got != want {
			t.Errorf("version %d: %d characters, want %d", v, got, want)
		}
	}
}
