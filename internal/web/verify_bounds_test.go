package web_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"sync"
	"testing"
	"time"

	"dcc/internal/server"
	"dcc/internal/web"
	"dcc/verify"
)

func greyPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	m := image.NewGray(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = 0xee
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A photo over the pixel bound is refused by its header and explained.
func TestVerifyPhotoOverThePixelBound(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)
	res := c.upload(map[string]string{"lang": "en"}, greyPNG(t, 6000, 6600)).want(t, http.StatusRequestEntityTooLarge)
	res.mustContain(t, "Photo too large", "The photo has 6000×6600 pixels; the limit is 16 megapixels.")
	if res.state() != "" {
		t.Error("a photo over the bound was verified")
	}
	frame := c.upload(nil, greyPNG(t, 6000, 6600), "Accept", "application/json").want(t, http.StatusRequestEntityTooLarge)
	if !bytes.Contains([]byte(frame.body), []byte("16 megapixels")) {
		t.Errorf("the script's answer: %s", frame.body)
	}
}

// heldVerifier holds the photos being decoded until released.
type heldVerifier struct {
	server.Verifier
	started, release chan struct{}
}

func (h *heldVerifier) Image(ctx context.Context, img []byte, o verify.Options) verify.Result {
	h.started <- struct{}{}
	<-h.release
	return h.Verifier.Image(ctx, img, o)
}

// The page shares the API's decoding slots: with them all taken for the
// wait, a photo gets 429 and Retry-After, and the page says why.
func TestVerifyPhotoWhenDecodersAreBusy(t *testing.T) {
	h := &heldVerifier{started: make(chan struct{}, 10), release: make(chan struct{})}
	s := openSystem(t, systemOptions{
		api: func(c *server.Config) { c.ImageDecodes, c.ImageWait = 1, 50*time.Millisecond },
		web: func(c *web.Config) { h.Verifier = c.Verifier; c.Verifier = h },
	})
	photo := greyPNG(t, 100, 100)
	var wg sync.WaitGroup
	wg.Go(func() {
		if r := s.client(t).upload(nil, photo); r.StatusCode != http.StatusUnprocessableEntity { // no code in it
			t.Errorf("the photo that got the slot: %d", r.StatusCode)
		}
	})
	<-h.started
	res := s.client(t).upload(map[string]string{"lang": "en"}, photo).want(t, http.StatusTooManyRequests)
	if res.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	res.mustContain(t, "Service busy", "Many photos are being read right now")
	close(h.release)
	wg.Wait()
}
