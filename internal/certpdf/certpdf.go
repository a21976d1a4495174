package certpdf

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/signintech/gopdf"

	"dcc"
	"dcc/hc1"
	"dcc/qr"
	"dcc/valueset"
)

// DejaVu Sans 2.37 from Debian's fonts-dejavu-core, unchanged; the licence
// is fonts/LICENSE.
//
//go:embed fonts/DejaVuSans.ttf fonts/DejaVuSans-Bold.ttf
var fontFiles embed.FS

// Font families as registered with gopdf.
const (
	regular = "DejaVuSans"
	bold    = "DejaVuSans-Bold"
)

var (
	// ErrNoPayload means the Certificate has no payload to print.
	ErrNoPayload = errors.New("certpdf: no payload")
	// ErrTooLong means the content does not fit on its panel of the
	// document: only values far beyond the schema's lengths do that (on
	// the A6 page, only an issuing authority far too long).
	ErrTooLong = errors.New("certpdf: the certificate does not fit on the document")
)

// Certificate is what the printed document shows.
type Certificate struct {
	HC1       string       // the "HC1:" string; rendered as the QR code
	Payload   *dcc.Payload // the signed payload (package dcc at the module root)
	IssuedAt  time.Time    // CWT iat (zero: not shown)
	Expires   time.Time    // CWT exp (zero: not shown)
	Authority string       // display name of the issuing authority (optional)

	// Layout is the form of the document: the folding A4 leaflet (the zero
	// value) or a single A6 page.
	Layout Layout
	// Demo marks demo material: a "DEMO — no válido / not valid" band on
	// every panel of the leaflet, at the top of the A6 page, clear of the
	// QR code.
	Demo bool
}

// Renderer draws certificates. It is built once, parsing the embedded fonts,
// and is safe for concurrent use.
type Renderer struct {
	vs    *valueset.Store
	fonts *gopdf.FontContainer
}

// New returns a Renderer that names coded values from vs (nil: the embedded
// value sets, valueset.Embedded).
func New(vs *valueset.Store) (*Renderer, error) {
	if vs == nil {
		var err error
		if vs, err = valueset.Embedded(); err != nil {
			return nil, fmt.Errorf("certpdf: %w", err)
		}
	}
	fonts := new(gopdf.FontContainer)
	for _, f := range []struct{ family, file string }{
		{regular, "fonts/DejaVuSans.ttf"},
		{bold, "fonts/DejaVuSans-Bold.ttf"},
	} {
		data, err := fontFiles.ReadFile(f.file)
		if err != nil {
			return nil, fmt.Errorf("certpdf: %w", err)
		}
		if err := fonts.AddTTFFontData(f.family, data); err != nil {
			return nil, fmt.Errorf("certpdf: parsing %s: %w", f.file, err)
		}
	}
	return &Renderer{vs: vs, fonts: fonts}, nil
}

// Render writes c as a PDF in c.Layout to w. It refuses a certificate
// without a payload or an HC1 string that a QR code cannot carry, a text
// the embedded font cannot print, and content too long for the page; then w
// receives nothing. It does not check that the HC1 string carries the
// payload: both come from the signer.
func (r *Renderer) Render(w io.Writer, c Certificate) error {
	if c.Payload == nil {
		return ErrNoPayload
	}
	if c.HC1 == "" {
		return errors.New("certpdf: empty HC1 string")
	}
	if !strings.HasPrefix(c.HC1, hc1.Prefix) {
		return fmt.Errorf("certpdf: the HC1 string does not start with %q", hc1.Prefix)
	}
	if c.Layout != Leaflet && c.Layout != A6 {
		return fmt.Errorf("certpdf: unknown layout %d", c.Layout)
	}
	code, err := qr.Encode(c.HC1)
	if err != nil {
		return fmt.Errorf("certpdf: the HC1 string cannot be encoded as a QR code: %w", err)
	}
	content, err := r.content(c)
	if err != nil {
		return err
	}
	pdf, err := r.draw(content, code, c.Layout, c.Demo)
	if err != nil {
		return err
	}
	// gopdf ignores the errors of the writer it compiles to: compile in
	// memory, then write. w also never receives half a document.
	var buf bytes.Buffer
	if _, err := pdf.WriteTo(&buf); err != nil {
		return fmt.Errorf("certpdf: compiling the PDF: %w", err)
	}
	if _, err := buf.WriteTo(w); err != nil {
		return fmt.Errorf("certpdf: writing the PDF: %w", err)
	}
	return nil
}
