package qr_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"runtime"
	"strings"
	"testing"

	"dcc/qr"
)

// bigImages are a QR code drawn large in each pixel format the decoders
// return, and an image without a code (every attempt is made on it).
func bigImages(t testing.TB, w, h int) map[string][]byte {
	t.Helper()
	code, err := qr.Encode("HC1:" + string(bytes.Repeat([]byte("6BFOXN*TS0BI$ZD4N9"), 20)))
	if err != nil {
		t.Fatal(err)
	}
	small, err := new(qr.Renderer).PNG(code, 4)
	if err != nil {
		t.Fatal(err)
	}
	src, err := png.Decode(bytes.NewReader(small))
	if err != nil {
		t.Fatal(err)
	}
	sb := src.Bounds()
	// The code fills the middle half of the image.
	at := func(x, y int) color.Color {
		sx, sy := (x-w/4)*sb.Dx()/(w/2), (y-h/4)*sb.Dy()/(h/2)
		if sx < 0 || sy < 0 || sx >= sb.Dx() || sy >= sb.Dy() {
			return color.White
		}
		return src.At(sb.Min.X+sx, sb.Min.Y+sy)
	}
	fill := func(m interface{ Set(int, int, color.Color) }, blank bool) {
		for y := range h {
			for x := range w {
				if blank {
					m.Set(x, y, color.Gray{uint8(180 + (x*7+y*13)%60)})
				} else {
					m.Set(x, y, at(x, y))
				}
			}
		}
	}
	enc := func(m image.Image, asJPEG bool) []byte {
		var b bytes.Buffer
		var err error
		if asJPEG {
			err = jpeg.Encode(&b, m, &jpeg.Options{Quality: 85})
		} else {
			err = png.Encode(&b, m)
		}
		if err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	r := image.Rect(0, 0, w, h)
	nrgba, nrgba64, gray, blank, blankRGB := image.NewNRGBA(r), image.NewNRGBA64(r), image.NewGray(r), image.NewGray(r), image.NewNRGBA(r)
	fill(blankRGB, true)
	fill(nrgba, false)
	fill(nrgba64, false)
	fill(gray, false)
	fill(blank, true)
	return map[string][]byte{
		"png-nrgba": enc(nrgba, false), "png-nrgba64": enc(nrgba64, false), "png-gray": enc(gray, false),
		"jpeg": enc(nrgba, true), "png-gray-no-code": enc(blank, false), "png-nrgba-no-code": enc(blankRGB, false),
		"jpeg-no-code": enc(blankRGB, true),
	}
}

// DecodeBytes is at least what decoding allocates in all (so at least its
// peak), and not wildly more than the worst case (no code found): the
// verification service sizes its decoding budget by it.
func TestDecodeBytesCoversDecode(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 2-megapixel images")
	}
	// 800×800 is enlarged on a second try; 1500×1500 is not.
	for _, size := range []int{800, 1500} {
		w, h := size, size
		for name, data := range bigImages(t, w, h) {
			name = fmt.Sprintf("%s %d×%d", name, w, h)
			hd, err := qr.ReadHeader(data)
			if err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, derr := qr.Decode(data)
			runtime.ReadMemStats(&after)
			alloc := int64(after.TotalAlloc - before.TotalAlloc)
			est := hd.DecodeBytes()
			t.Logf("%s (%d bytes): read=%v, allocated %.2f B/px, estimate %.2f B/px", name, len(data), derr == nil,
				float64(alloc)/float64(w*h), float64(est)/float64(w*h))
			// A photo without a code is the worst case: every attempt.
			worst := strings.Contains(name, "no-code")
			if est < alloc || worst && est > 2*alloc {
				t.Errorf("%s: estimate %d bytes for %d allocated", name, est, alloc)
			}
			if (derr == nil) == worst {
				t.Errorf("%s: read = %v: %v", name, derr == nil, derr)
			}
		}
	}
}

// A progressive JPEG holds its coefficients whole while it decodes: 4
// bytes per sample more, which the estimate counts.
func TestDecodeBytesOfProgressiveJPEG(t *testing.T) {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewNRGBA(image.Rect(0, 0, 100, 100)), nil); err != nil {
		t.Fatal(err)
	}
	base := b.Bytes()
	sof := bytes.Index(base, []byte{0xff, 0xc0})
	if sof < 0 {
		t.Fatal("no baseline frame header")
	}
	prog := bytes.Clone(base)
	prog[sof+1] = 0xc2 // the same frame, progressive
	hb, err := qr.ReadHeader(base)
	if err != nil {
		t.Fatal(err)
	}
	hp, err := qr.ReadHeader(prog)
	if err != nil {
		t.Fatal(err)
	}
	if d := hp.DecodeBytes() - hb.DecodeBytes(); d != 100*100*4*3 {
		t.Errorf("a progressive JPEG is estimated %d bytes more, want %d", d, 100*100*4*3)
	}
}
