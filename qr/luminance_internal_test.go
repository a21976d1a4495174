package qr

import (
	"image"
	"image/color"
	"testing"
)

// The fast paths of luminance agree with the generic one (within the
// rounding of reading 16-bit samples by their high byte).
func TestLuminanceFastPaths(t *testing.T) {
	r := image.Rect(3, 5, 3+64, 5+32)
	imgs := map[string]interface {
		image.Image
		Set(x, y int, c color.Color)
	}{
		"gray16": image.NewGray16(r), "nrgba64": image.NewNRGBA64(r), "rgba64": image.NewRGBA64(r),
		"nrgba": image.NewNRGBA(r), "rgba": image.NewRGBA(r),
	}
	for name, m := range imgs {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				v := uint16(x*977 + y*3001)
				m.Set(x, y, color.NRGBA64{R: v, G: v * 3, B: v * 7, A: uint16(x*4099 + y*65)})
			}
		}
		got := luminance(m)
		for y := range r.Dy() {
			for x := range r.Dx() {
				want := int(grayOverWhite(m.At(r.Min.X+x, r.Min.Y+y)))
				if d := int(got.Pix[y*got.Stride+x]) - want; d < -2 || d > 2 {
					t.Fatalf("%s (%d,%d): %d, want %d", name, x, y, got.Pix[y*got.Stride+x], want)
				}
			}
		}
	}
}
