package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // phone photos and scans
	_ "image/png"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Limits on images to decode. A phone photo is a few megabytes and
// megapixels; anything far larger is refused before it is decompressed.
const (
	MaxImageBytes  = 20 << 20
	MaxImagePixels = 40_000_000
)

// maxUpscale bounds the pixels of an enlarged copy DecodeImage tries.
const maxUpscale = 4_000_000

// ErrNotFound means that no QR code could be read in an image that was
// otherwise valid.
var ErrNotFound = errors.New("qr: no readable QR code in the image")

// Decode reads the text of the QR code in a PNG or JPEG image, such as a
// phone photo, a scan or a rendering by Code.PNG.
func Decode(data []byte) (string, error) {
	if len(data) > MaxImageBytes {
		return "", fmt.Errorf("qr: image of %d bytes is larger than the limit of %d bytes", len(data), MaxImageBytes)
	}
	hd, err := ReadHeader(data)
	if err != nil {
		return "", err
	}
	if err := checkSize(hd.Width, hd.Height); err != nil {
		return "", err
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("qr: decoding %s image: %w", hd.Format, err)
	}
	return DecodeImage(img)
}

// Header is what an image's header tells before it is decoded: enough to
// refuse it, or to know what decoding it will cost.
type Header struct {
	Format        string // "png" or "jpeg"
	Width, Height int
	model         color.Model
	progressive   bool // a progressive JPEG: its coefficients are held whole
}

// ReadHeader reads the format and size of a PNG or JPEG image without
// decoding its pixels.
func ReadHeader(data []byte) (Header, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Header{}, fmt.Errorf("qr: not a PNG or JPEG image: %w", err)
	}
	if format != "png" && format != "jpeg" {
		return Header{}, fmt.Errorf("qr: %s image: only PNG and JPEG are read", format)
	}
	return Header{Format: format, Width: cfg.Width, Height: cfg.Height, model: cfg.ColorModel,
		progressive: format == "jpeg" && progressiveJPEG(data)}, nil
}

// progressiveJPEG tells whether the first frame header of a JPEG is
// progressive, walking its segments as image/jpeg does; what it cannot
// tell counts as progressive, the costlier.
func progressiveJPEG(b []byte) bool {
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xff {
			return true
		}
		switch m := b[i+1]; {
		case m == 0xff: // fill byte
			i++
			continue
		case m == 0x01 || m >= 0xd0 && m <= 0xd8: // markers without a length
			i += 2
			continue
		case m == 0xc2 || m == 0xc6 || m == 0xca || m == 0xce:
			return true
		case m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc:
			return false // another frame header: sequential
		}
		i += 2 + (int(b[i+2])<<8 | int(b[i+3]))
	}
	return true
}

// Pixels is the image's pixel count.
func (h Header) Pixels() int64 { return int64(h.Width) * int64(h.Height) }

// DecodeBytes estimates the memory Decode holds at its peak for the image:
// the decoded pixels, their grey copy, the detector's bit matrices and the
// rescaled copies (TestDecodeBytesCoversDecode measures it).
func (h Header) DecodeBytes() int64 {
	var decoded, components int64 // bytes per pixel of the decoded image
	switch h.model {
	case color.GrayModel:
		decoded, components = 1, 1
	case color.Gray16Model:
		decoded = 2
	case color.YCbCrModel:
		decoded, components = 3, 3 // 4:4:4 at most; 4:2:0 takes 1.5
	case color.CMYKModel:
		decoded, components = 4, 4
	case color.RGBAModel, color.NRGBAModel:
		decoded = 4
	case color.RGBA64Model, color.NRGBA64Model:
		decoded = 8
	default:
		if _, ok := h.model.(color.Palette); ok {
			decoded = 1
		} else {
			decoded = 8
		}
	}
	// The grey copy (1), zxing's luminance and bit matrices and the
	// rescaled copies (up to 2.4 together, when no code is found).
	n := h.Pixels() * (decoded + 3)
	if h.progressive {
		// image/jpeg keeps a progressive image's DCT coefficients, an
		// int32 per sample of each component, until the last scan.
		n += h.Pixels() * 4 * max(components, 1)
	}
	if 4*h.Pixels() <= maxUpscale {
		n += 6 * h.Pixels() // the copy at twice the size, and its bit matrix
	}
	return n
}

func checkSize(w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("qr: empty image (%d×%d pixels)", w, h)
	}
	if w > MaxImagePixels/h {
		return fmt.Errorf("qr: image of %d×%d pixels is larger than the limit of %d megapixels; scale it down", w, h, MaxImagePixels/1_000_000)
	}
	return nil
}

// DecodeImage reads the text of the QR code in img: first with zxing's
// normal detector, then trying harder, then in pure-barcode mode (a clean,
// unrotated rendering such as a screenshot), then on rescaled copies, which
// rescue renderings whose non-integer module size misleads the detector.
func DecodeImage(img image.Image) (text string, err error) {
	b := img.Bounds()
	if err := checkSize(b.Dx(), b.Dy()); err != nil {
		return "", err
	}
	defer func() {
		// zxing is a large third-party parser fed untrusted images; a
		// panic in it is a failure to read, not a crash.
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("%w (decoder failure: %v)", ErrNotFound, r)
		}
	}()
	gray := luminance(img)
	text, err = decodeGray(gray, []map[gozxing.DecodeHintType]any{
		nil,
		{gozxing.DecodeHintType_TRY_HARDER: true},
		{gozxing.DecodeHintType_PURE_BARCODE: true},
	})
	if err == nil {
		return text, nil
	}
	first := err
	w, h := gray.Rect.Dx(), gray.Rect.Dy()
	for _, s := range []struct{ num, den int }{{1, 2}, {2, 1}, {3, 4}} {
		sw, sh := w*s.num/s.den, h*s.num/s.den
		if min(sw, sh) < 21 || s.num > s.den && sw*sh > maxUpscale {
			continue // too small to hold a symbol, or a needlessly large upscale
		}
		if text, err := decodeGray(resize(gray, sw, sh), []map[gozxing.DecodeHintType]any{nil}); err == nil {
			return text, nil
		}
	}
	return "", fmt.Errorf("%w: %v", ErrNotFound, first)
}

func decodeGray(g *image.Gray, attempts []map[gozxing.DecodeHintType]any) (string, error) {
	src, err := gozxing.NewPlanarYUVLuminanceSource(g.Pix, g.Stride, g.Rect.Dy(), 0, 0, g.Rect.Dx(), g.Rect.Dy(), false)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	reader := qrcode.NewQRCodeReader()
	var last error
	for _, hints := range attempts {
		res, err := reader.Decode(bmp, hints)
		if err == nil {
			return res.GetText(), nil
		}
		last = err
	}
	return "", last
}

// luminance converts img to grey, composited over white so that
// transparent pixels read as light, with fast paths for the types that the
// PNG and JPEG decoders return.
func luminance(img image.Image) *image.Gray {
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	switch m := img.(type) {
	case *image.Gray:
		for y := range b.Dy() {
			copy(g.Pix[y*g.Stride:], m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:b.Dx()])
		}
	case *image.YCbCr:
		for y := range b.Dy() {
			copy(g.Pix[y*g.Stride:], m.Y[m.YOffset(b.Min.X, b.Min.Y+y):][:b.Dx()])
		}
	case *image.Paletted:
		var lut [256]uint8
		for i, c := range m.Palette {
			lut[i] = grayOverWhite(c)
		}
		for y := range b.Dy() {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:b.Dx()]
			for x, p := range row {
				g.Pix[y*g.Stride+x] = lut[p]
			}
		}
	case *image.RGBA:
		for y := range b.Dy() {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:4*b.Dx()]
			for x := range b.Dx() {
				p := row[4*x : 4*x+4]
				w := 255 - uint32(p[3]) // premultiplied: add the white behind
				g.Pix[y*g.Stride+x] = lum8(uint32(p[0])+w, uint32(p[1])+w, uint32(p[2])+w)
			}
		}
	case *image.NRGBA:
		for y := range b.Dy() {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:4*b.Dx()]
			for x := range b.Dx() {
				p := row[4*x : 4*x+4]
				a, w := uint32(p[3]), 255-uint32(p[3])
				g.Pix[y*g.Stride+x] = lum8(uint32(p[0])*a/255+w, uint32(p[1])*a/255+w, uint32(p[2])*a/255+w)
			}
		}
	case *image.Gray16:
		for y := range b.Dy() {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:2*b.Dx()]
			for x := range b.Dx() {
				g.Pix[y*g.Stride+x] = row[2*x] // the high byte
			}
		}
	case *image.NRGBA64:
		// The generic path below would allocate for every pixel; 16-bit
		// PNGs are read through the high bytes, as 8-bit NRGBA.
		for y := range b.Dy() {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:8*b.Dx()]
			for x := range b.Dx() {
				p := row[8*x : 8*x+8]
				a, w := uint32(p[6]), 255-uint32(p[6])
				g.Pix[y*g.Stride+x] = lum8(uint32(p[0])*a/255+w, uint32(p[2])*a/255+w, uint32(p[4])*a/255+w)
			}
		}
	case *image.RGBA64:
		for y := range b.Dy() {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):][:8*b.Dx()]
			for x := range b.Dx() {
				p := row[8*x : 8*x+8]
				w := 255 - uint32(p[6])
				g.Pix[y*g.Stride+x] = lum8(uint32(p[0])+w, uint32(p[2])+w, uint32(p[4])+w)
			}
		}
	default:
		for y := range b.Dy() {
			for x := range b.Dx() {
				g.Pix[y*g.Stride+x] = grayOverWhite(img.At(b.Min.X+x, b.Min.Y+y))
			}
		}
	}
	return g
}

// lum8 is the ITU-R BT.601 luma of 8-bit R, G, B, as in color.GrayModel.
func lum8(r, g, b uint32) uint8 {
	return uint8((19595*r + 38470*g + 7471*b + 1<<15) >> 16)
}

func grayOverWhite(c color.Color) uint8 {
	r, g, b, a := c.RGBA()
	w := 0xffff - a
	return uint8((19595*(r+w) + 38470*(g+w) + 7471*(b+w) + 1<<15) >> 24)
}

// resize scales g to w×h by bilinear interpolation (averaging a 2×2
// neighbourhood is enough for the factors DecodeImage uses).
func resize(g *image.Gray, w, h int) *image.Gray {
	sw, sh := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		// Source coordinates in 1/256 pixel, pixel centres aligned.
		fy := max(0, ((2*y+1)*sh*256/(2*h))-128)
		y0, ay := fy>>8, fy&0xff
		y1 := min(y0+1, sh-1)
		for x := range w {
			fx := max(0, ((2*x+1)*sw*256/(2*w))-128)
			x0, ax := fx>>8, fx&0xff
			x1 := min(x0+1, sw-1)
			p00, p10 := int(g.Pix[y0*g.Stride+x0]), int(g.Pix[y0*g.Stride+x1])
			p01, p11 := int(g.Pix[y1*g.Stride+x0]), int(g.Pix[y1*g.Stride+x1])
			top := p00*(256-ax) + p10*ax
			bot := p01*(256-ax) + p11*ax
			out.Pix[y*out.Stride+x] = uint8((top*(256-ay) + bot*ay + 1<<15) >> 16)
		}
	}
	return out
}
