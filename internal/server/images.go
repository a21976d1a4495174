package server

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"dcc/qr"
	"dcc/verify"
)

// Defaults of the bounds on verifying photos (POST /api/v1/verify and the
// /verify page), which anyone may send: decoding one costs the server
// several bytes per pixel, sending one costs next to nothing.
const (
	DefaultMaxImageBytes  = 10 << 20
	DefaultMaxImagePixels = 16_000_000 // a 12-megapixel phone photo passes
	DefaultImageMemory    = 256 << 20
	DefaultImageWait      = 2 * time.Second
	// imageQueue: image requests admitted per decoding slot (one decoding,
	// the others reading their body or waiting), so that the bodies held
	// are bounded too.
	imageQueue = 5
)

// ErrImageBusy means that no decoding slot came free within the wait: the
// client should retry later (429).
var ErrImageBusy = errors.New("server: every image decoding slot is busy")

// ImageTooLargeError is an image over the pixel bound (413).
type ImageTooLargeError struct {
	Width, Height int
	MaxPixels     int64
}

func (e *ImageTooLargeError) Error() string {
	return fmt.Sprintf("the image has %d×%d pixels, over the limit of %d; a photo of the code at a lower resolution, or cropped to it, is enough",
		e.Width, e.Height, e.MaxPixels)
}

// AdmitImage takes one of the places for image requests before a body is
// read: false when they are all taken (answer 429 without reading). The
// caller calls done when the request is over.
func (s *Server) AdmitImage() (done func(), ok bool) {
	return s.images.admit()
}

// VerifyImage verifies the QR code in a photo with v within the decoding
// bounds: *ImageTooLargeError past the pixel bound, ErrImageBusy when no
// decoding slot or memory came free within the wait, the context's error
// when the client left. An image the decoder does not read is verified at once (as
// INVALID): that costs nothing.
func (s *Server) VerifyImage(ctx context.Context, v Verifier, img []byte, o verify.Options) (verify.Result, error) {
	hd, err := qr.ReadHeader(img)
	if err != nil {
		return v.Image(ctx, img, o), nil
	}
	if hd.Pixels() > s.MaxImagePixels {
		return verify.Result{}, &ImageTooLargeError{Width: hd.Width, Height: hd.Height, MaxPixels: s.MaxImagePixels}
	}
	// The body is held while the image decodes: it counts too.
	cost := hd.DecodeBytes() + int64(len(img))
	if err := s.images.acquire(ctx, cost, s.ImageWait); err != nil {
		return verify.Result{}, err
	}
	defer s.images.release(cost)
	return v.Image(ctx, img, o), nil
}

// imageGate bounds image decoding: at most slots at once, together at most
// budget bytes (as qr.Header.DecodeBytes estimates them), served in order
// of arrival; and at most admitted image requests in the process.
type imageGate struct {
	mu       sync.Mutex
	slots    int
	budget   int64
	used     int
	usedB    int64
	waiters  list.List // *imageWaiter, oldest first
	admitted int
	maxAdmit int
}

type imageWaiter struct {
	n     int64
	ready chan struct{} // closed when granted
}

func newImageGate(slots int, budget int64) *imageGate {
	return &imageGate{slots: slots, budget: budget, maxAdmit: imageQueue * slots}
}

func (g *imageGate) admit() (func(), bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.admitted >= g.maxAdmit {
		return nil, false
	}
	g.admitted++
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			g.admitted--
			g.mu.Unlock()
		})
	}, true
}

func (g *imageGate) fits(n int64) bool { return g.used < g.slots && g.usedB+n <= g.budget }

// acquire waits up to wait for a slot and n bytes of the budget. An image
// costing more than the whole budget runs alone.
func (g *imageGate) acquire(ctx context.Context, n int64, wait time.Duration) error {
	n = min(n, g.budget)
	g.mu.Lock()
	if g.waiters.Len() == 0 && g.fits(n) {
		g.used++
		g.usedB += n
		g.mu.Unlock()
		return nil
	}
	w := &imageWaiter{n: n, ready: make(chan struct{})}
	e := g.waiters.PushBack(w)
	g.mu.Unlock()

	t := time.NewTimer(wait)
	defer t.Stop()
	var err error
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-t.C:
		err = ErrImageBusy
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-w.ready: // granted meanwhile: take it
		return nil
	default:
	}
	front := g.waiters.Front() == e
	g.waiters.Remove(e)
	if front {
		g.grant() // a large image at the front may have held up smaller ones
	}
	return err
}

// release gives back what acquire(n) took.
func (g *imageGate) release(n int64) {
	n = min(n, g.budget)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.used--
	g.usedB -= n
	g.grant()
}

// grant serves the waiters in order while the front one fits.
func (g *imageGate) grant() {
	for {
		e := g.waiters.Front()
		if e == nil {
			return
		}
		w := e.Value.(*imageWaiter)
		if !g.fits(w.n) {
			return
		}
		g.used++
		g.usedB += w.n
		g.waiters.Remove(e)
		close(w.ready)
	}
}
