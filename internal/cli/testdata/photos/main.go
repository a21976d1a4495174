// Command photos writes the large photos of TestImageDecodingBoundsMemory
// into the directory given: built without the race detector, which would
// take minutes to draw and encode them.
package main

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"dcc/qr"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: photos DIR")
		os.Exit(2)
	}
	photos, err := largePhotos()
	if err == nil {
		for name, b := range photos {
			if err = os.WriteFile(filepath.Join(os.Args[1], name), b, 0o600); err != nil {
				break
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "photos:", err)
		os.Exit(1)
	}
}

// largePhotos are 4000×4000 photos (16 megapixels, the default bound) of a
// QR code, in 8-bit and 16-bit PNG and in JPEG, one without a code (every
// attempt of the decoder is made on it), and a 6000×6600 one (39.6
// megapixels, refused by its header).
func largePhotos() (map[string][]byte, error) {
	code, err := qr.Encode("HC1:" + strings.Repeat("6BFOXN*TS0BI$ZD4N9", 20))
	if err != nil {
		return nil, err
	}
	const w, h = 4000, 4000
	// The code fills the middle half; 1 is dark.
	modules := code.Size() + 8 // with the quiet zone
	dark := func(x, y int) bool {
		mx, my := (x-w/4)*modules/(w/2)-4, (y-h/4)*modules/(h/2)-4
		return code.Black(mx, my)
	}
	r := image.Rect(0, 0, w, h)
	rgba, rgba64, blank := image.NewNRGBA(r), image.NewNRGBA64(r), image.NewNRGBA(r)
	for y := range h {
		for x := range w {
			v := uint8(0xf0)
			if dark(x, y) {
				v = 0x20
			}
			i := rgba.PixOffset(x, y)
			rgba.Pix[i], rgba.Pix[i+1], rgba.Pix[i+2], rgba.Pix[i+3] = v, v, v, 0xff
			j := rgba64.PixOffset(x, y)
			for k := range 3 {
				rgba64.Pix[j+2*k], rgba64.Pix[j+2*k+1] = v, v
			}
			rgba64.Pix[j+6], rgba64.Pix[j+7] = 0xff, 0xff
			b := uint8(180 + (x*7+y*13)%60)
			blank.Pix[i], blank.Pix[i+1], blank.Pix[i+2], blank.Pix[i+3] = b, b, b, 0xff
		}
	}
	var errs []error
	enc := func(m image.Image, asJPEG bool) []byte {
		var b bytes.Buffer
		var err error
		if asJPEG {
			err = jpeg.Encode(&b, m, &jpeg.Options{Quality: 80})
		} else {
			err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, m)
		}
		errs = append(errs, err)
		return b.Bytes()
	}
	huge := image.NewGray(image.Rect(0, 0, 6000, 6600))
	for i := range huge.Pix {
		huge.Pix[i] = 0xee
	}
	out := map[string][]byte{
		"png-code": enc(rgba, false), "png16-code": enc(rgba64, false), "jpeg-code": enc(rgba, true),
		"png-no-code": enc(blank, false), "png-40mp": enc(huge, false),
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
