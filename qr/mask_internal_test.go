package qr

import (
	"strings"
	"testing"

	"rsc.io/qr/coding"
)

// Deriving the masks from one layout gives exactly the symbols that eight
// separate encodings give.
func TestWithMaskMatchesEncoding(t *testing.T) {
	for _, text := range []string{"HC1:ABC", strings.Repeat("HC1:NCFOXN%TSMAHN-H", 30)} {
		enc := coding.Alpha(text)
		v := coding.Version(1)
		for enc.Bits(v) > v.DataBytes(coding.Q)*8 {
			v++
		}
		p0, _ := coding.NewPlan(v, coding.Q, 0)
		c0, _ := p0.Encode(enc)
		for m := range coding.Mask(8) {
			pm, _ := coding.NewPlan(v, coding.Q, m)
			cm, _ := pm.Encode(enc)
			got := withMask(p0, c0, m)
			for y := range cm.Size {
				for x := range cm.Size {
					if (got[y*cm.Size+x] == 1) != cm.Black(x, y) {
						t.Fatalf("version %d mask %d: module (%d,%d) differs", v, m, x, y)
					}
				}
			}
		}
	}
}
