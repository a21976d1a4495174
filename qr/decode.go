package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // photos of certificates
	_ "image/png"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Limits on images to decode: a phone photo is a few megabytes; anything
// far larger is refused before it is decompressed.
const (
	MaxImageBytes  = 20 << 20
	MaxImagePixels = 40_000_000
)

// ErrNotFound means no QR code could be read in the image.
var ErrNotFound = errors.New("qr: no readable QR code in the image")

// Decode reads the text of a QR code in a PNG or JPEG image.
func Decode(data []byte) (string, error) {
	if len(data) > MaxImageBytes {
		return "", fmt.Errorf("qr: image of %d bytes is larger than %d", len(data), MaxImageBytes)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("qr: not a PNG or JPEG image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxImagePixels {
		return "", fmt.Errorf("qr: %s image of %d×%d pixels is too large", format, cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("qr: %s image: %w", format, err)
	}
	return DecodeImage(img)
}

// DecodeImage reads the text of a QR code in img: the normal detector
// first, then harder, then the pure-barcode mode for clean renderings that
// the detector misses.
func DecodeImage(img image.Image) (text string, err error) {
	defer func() {
		// The decoder is third-party code fed untrusted images.
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("%w (decoder failure: %v)", ErrNotFound, r)
		}
	}()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", fmt.Errorf("qr: %w", err)
	}
	reader := qrcode.NewQRCodeReader()
	attempts := []map[gozxing.DecodeHintType]any{
		nil,
		{gozxing.DecodeHintType_TRY_HARDER: true},
		{gozxing.DecodeHintType_PURE_BARCODE: true},
	}
	var last error
	for _, hints := range attempts {
		res, err := reader.Decode(bmp, hints)
		if err == nil {
			return res.GetText(), nil
		}
		last = err
	}
	return "", fmt.Errorf("%w: %v", ErrNotFound, last)
}
