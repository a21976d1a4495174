package server_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"dcc/internal/server"
	"dcc/verify"
)

// pngOf is a PNG of w×h grey pixels: small to send however large it is.
func pngOf(t testing.TB, w, h int) []byte {
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

// held lets a test hold the photos being decoded: each Image call
// announces itself on started and waits for release; texts pass.
type held struct {
	server.Verifier
	started chan struct{}
	release chan struct{}
}

func (h *held) Image(ctx context.Context, img []byte, o verify.Options) verify.Result {
	h.started <- struct{}{}
	<-h.release
	return h.Verifier.Image(ctx, img, o)
}

func holdImages(s *server.Config) *held {
	h := &held{Verifier: s.Verifier, started: make(chan struct{}, 100), release: make(chan struct{})}
	s.Verifier = h
	return h
}

// A photo over the pixel bound is refused by its header, however few bytes
// it is: 413 with what the limit is.
func TestVerifyImageOverThePixelBound(t *testing.T) {
	s := newStack(t, nil)
	img := pngOf(t, 6000, 6600) // 39.6 megapixels in a few kilobytes
	r := s.do("POST", "/api/v1/verify", "", img, "Content-Type: image/png")
	p := r.problem(t)
	if r.status != http.StatusRequestEntityTooLarge || !strings.Contains(p.Detail, "6000×6600") || !strings.Contains(p.Detail, "16000000") {
		t.Errorf("%d %+v", r.status, p)
	}
	// Just within the bound it is decoded (no code in it: INVALID).
	var res verify.Result
	r = s.do("POST", "/api/v1/verify", "", pngOf(t, 4000, 4000), "Content-Type: image/png")
	r.json(t, &res)
	if r.status != http.StatusOK || res.State != verify.Invalid || res.Checks[0].Name != "qr" {
		t.Errorf("16 megapixels: %d %+v", r.status, res)
	}
}

// When every decoding slot stays taken for the wait, a photo gets 429 with
// Retry-After, and is decoded once a slot is free; texts need no slot.
func TestVerifyImageWhenDecodersAreBusy(t *testing.T) {
	var h *held
	s := openStack(t, nil, func(c *server.Config) {
		h = holdImages(c)
		c.ImageDecodes, c.ImageWait = 2, 50*time.Millisecond
	})
	img := pngOf(t, 200, 200)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if r := s.do("POST", "/api/v1/verify", "", img, "Content-Type: image/png"); r.status != http.StatusOK {
				t.Errorf("a photo that got a slot: %d", r.status)
			}
		})
	}
	<-h.started
	<-h.started
	r := s.do("POST", "/api/v1/verify", "", img, "Content-Type: image/png")
	if p := r.problem(t); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "1" || !strings.Contains(p.Detail, "slot") {
		t.Errorf("a photo while both slots are busy: %d %s %+v", r.status, r.header.Get("Retry-After"), p)
	}
	if r := s.do("POST", "/api/v1/verify", "", map[string]string{"hc1": "HC1:x"}); r.status != http.StatusOK {
		t.Errorf("a text while the decoders are busy: %d", r.status)
	}
	close(h.release)
	wg.Wait()
	if r := s.do("POST", "/api/v1/verify", "", img, "Content-Type: image/png"); r.status != http.StatusOK {
		t.Errorf("a photo once the slots are free: %d", r.status)
	}
}

// The memory budget holds back a photo whose decoding would exceed it, even
// with slots free; smaller ones fit beside.
func TestVerifyImageMemoryBudget(t *testing.T) {
	var h *held
	s := openStack(t, nil, func(c *server.Config) {
		h = holdImages(c)
		// 32 MiB: one 3000×3000 grey photo (36 MB estimated) takes it all.
		c.ImageDecodes, c.ImageMemory, c.ImageWait = 8, 32<<20, 50*time.Millisecond
	})
	done := make(chan int)
	go func() {
		done <- s.do("POST", "/api/v1/verify", "", pngOf(t, 3000, 3000), "Content-Type: image/png").status
	}()
	<-h.started
	if r := s.do("POST", "/api/v1/verify", "", pngOf(t, 500, 500), "Content-Type: image/png"); r.status != http.StatusTooManyRequests {
		t.Errorf("a photo beside one that takes the whole budget: %d, want 429", r.status)
	}
	close(h.release)
	if st := <-done; st != http.StatusOK {
		t.Errorf("the large photo: %d", st)
	}
	if r := s.do("POST", "/api/v1/verify", "", pngOf(t, 500, 500), "Content-Type: image/png"); r.status != http.StatusOK {
		t.Errorf("the small photo afterwards: %d", r.status)
	}
}

// Image requests beyond the decoders' places are refused before their body
// is read, so that the bodies held are bounded too.
func TestVerifyImageAdmission(t *testing.T) {
	var h *held
	s := openStack(t, nil, func(c *server.Config) {
		h = holdImages(c)
		c.ImageDecodes, c.ImageWait = 1, time.Minute
	})
	img := pngOf(t, 100, 100)
	// One slot: five places, one decoding and four waiting.
	statuses := make(chan int, 5)
	for range 5 {
		go func() { statuses <- s.do("POST", "/api/v1/verify", "", img, "Content-Type: image/png").status }()
	}
	<-h.started
	for server.ImagesAdmitted(s.api) < 5 {
		time.Sleep(time.Millisecond)
	}
	r := s.do("POST", "/api/v1/verify", "", img, "Content-Type: image/png")
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("a sixth photo: %d, want 429", r.status)
	}
	close(h.release)
	for range 5 {
		if st := <-statuses; st != http.StatusOK {
			t.Errorf("an admitted photo: %d", st)
		}
	}
	if n := server.ImagesAdmitted(s.api); n != 0 {
		t.Errorf("%d places still taken", n)
	}
}
