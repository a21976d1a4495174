package certpdf

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/signintech/gopdf"

	"dcc/qr"
)

// Page geometry, in millimetres (the document's unit).
const (
	pageW, pageH = 210.0, 297.0
	margin       = 15.0
	contentW     = pageW - 2*margin
	gap          = 5.0       // between the holder's column and the QR code, and around rules
	ptMM         = 25.4 / 72 // one typographic point
	lineSpacing  = 1.25      // line height / font size
	ascent       = 0.93      // DejaVu Sans's ascender / font size: the first baseline below the top
	shrinkStep   = 0.5       // points
	footerSize   = 7.5       // points
	footerH      = footerSize * ptMM * lineSpacing

	// HCERT §4.2.2 recommends a QR code with a diagonal of 35–60 mm. The
	// code with its quiet zone aims at 50 mm, and both it and the symbol
	// alone stay within 37–58 mm: a margin for printers that scale the page
	// a little.
	qrTarget, qrMin, qrMax = 50.0, 37.0, 58.0
	qrMaxSide              = qrMax / math.Sqrt2
	// printerDot is 1/300 inch. Modules of a whole number of dots print as
	// the same whole number of dots each on 300 and 600 dpi printers, wherever
	// the page falls on the printer's grid: §4.2.2 asks that "each symbol
	// (dot) of the QR code" be "exactly square" on low-resolution printers.
	printerDot = 25.4 / 300
)

// rgb is a colour as 0xRRGGBB.
type rgb uint32

const (
	black rgb = 0x000000
	grey  rgb = 0x555555
	blue  rgb = 0x003399 // the EU flag's blue
)

func (c rgb) split() (r, g, b uint8) { return uint8(c >> 16), uint8(c >> 8), uint8(c) }

// style is how a piece of text is set. Text wider than its column first
// shrinks, down to minSize, then wraps.
type style struct {
	family        string
	size, minSize float64 // points
	color         rgb
}

// page is the state of the page being laid out.
type page struct {
	pdf    *gopdf.GoPdf
	y      float64 // top of the next line
	bottom float64 // text must end above this
}

// draw lays out c and the QR code on one A4 page.
func (r *Renderer) draw(c *content, code *qr.Code) (*gopdf.GoPdf, error) {
	var (
		title    = style{family: bold, size: 18, minSize: 12, color: blue}
		subtitle = style{family: regular, size: 13, minSize: 10, color: blue}
		kind     = style{family: bold, size: 13, minSize: 10, color: black}
		heading  = style{family: bold, size: 11, minSize: 11, color: blue}
		label    = style{family: regular, size: 7.5, minSize: 7.5, color: grey}
		name     = style{family: bold, size: 13, minSize: 9, color: black}
		value    = style{family: regular, size: 11, minSize: 11, color: black}
		footer   = style{family: regular, size: footerSize, minSize: footerSize, color: grey}
	)

	pdf := new(gopdf.GoPdf)
	pdf.Start(gopdf.Config{PageSize: gopdf.Rect{W: pageW, H: pageH}, Unit: gopdf.UnitMM})
	pdf.SetInfo(gopdf.PdfInfo{Title: titleEN, Subject: c.kind})
	for _, family := range []string{regular, bold} {
		if err := pdf.AddTTFFontFromFontContainer(family, r.fonts); err != nil {
			return nil, fmt.Errorf("certpdf: font %s: %w", family, err)
		}
	}
	pdf.AddPage()
	// Content stops a gap above the footer.
	p := &page{pdf: pdf, y: margin, bottom: pageH - margin - footerH - gap}

	if err := p.text("title", titleES, margin, contentW, title); err != nil {
		return nil, err
	}
	if err := p.text("title", titleEN, margin, contentW, subtitle); err != nil {
		return nil, err
	}
	p.y += 2
	if err := p.text("type", c.kind, margin, contentW, kind); err != nil {
		return nil, err
	}
	p.rule()

	// The QR code at the top right, beside the holder.
	m := moduleSize(code.Size())
	qrSide := float64(code.Size()+2*qr.QuietZone) * m
	qrTop := snap(p.y)
	p.qr(code, m, snap(pageW-margin-qrSide), qrTop)
	holderW := contentW - qrMaxSide - gap
	if err := p.section(c.holder, holderW, heading, label, name); err != nil {
		return nil, err
	}
	p.y = max(p.y, qrTop+qrSide)
	p.rule()
	if err := p.section(c.entry, contentW, heading, label, value); err != nil {
		return nil, err
	}
	p.rule()
	if err := p.section(c.cert, contentW, heading, label, value); err != nil {
		return nil, err
	}

	p.y, p.bottom = pageH-margin-footerH, pageH-margin
	if err := p.text("notice", notice, margin, contentW, footer); err != nil {
		return nil, err
	}
	return pdf, nil
}

// section draws a heading and the fields below it, each label above its
// value, in a column of width w from the left margin.
func (p *page) section(s section, w float64, heading, label, value style) error {
	if err := p.text(s.title, s.title, margin, w, heading); err != nil {
		return err
	}
	p.y += 1
	for _, f := range s.fields {
		if err := p.text(f.what, f.label, margin, w, label); err != nil {
			return err
		}
		if err := p.text(f.what, f.value, margin, w, value); err != nil {
			return err
		}
		p.y += 1.5
	}
	return nil
}

// rule draws a thin line across the page with space around it.
func (p *page) rule() {
	p.y += gap / 2
	p.pdf.SetStrokeColor(blue.split())
	p.pdf.SetLineWidth(0.3)
	p.pdf.Line(margin, p.y, pageW-margin, p.y)
	p.y += gap / 2
}

// moduleSize returns the side of a module of a symbol n modules wide: a
// whole number of printer dots, nearest to the target and within the bounds
// (possible for every QR version).
func moduleSize(n int) float64 {
	diagonal := func(modules, dots int) float64 {
		return float64(modules*dots) * printerDot * math.Sqrt2
	}
	withQuiet := n + 2*qr.QuietZone
	dots := max(1, int(math.Round(qrTarget/math.Sqrt2/float64(withQuiet)/printerDot)))
	for diagonal(n, dots) < qrMin {
		dots++
	}
	for dots > 1 && diagonal(withQuiet, dots) > qrMax {
		dots--
	}
	return float64(dots) * printerDot
}

// snap rounds a coordinate down to the printer-dot grid, so that every
// module edge falls on it.
func snap(v float64) float64 { return math.Floor(v/printerDot) * printerDot }

// qr draws code with modules of side m and its quiet zone from the top left
// corner (x, y). Dark modules are filled rectangles, one per horizontal run,
// so they print sharp at any resolution; the quiet zone is the white page.
func (p *page) qr(code *qr.Code, m, x, y float64) {
	n := code.Size()
	x0, y0 := x+qr.QuietZone*m, y+qr.QuietZone*m
	p.pdf.SetFillColor(black.split())
	for row := range n {
		for col := 0; col < n; {
			if !code.Black(col, row) {
				col++
				continue
			}
			start := col
			for col < n && code.Black(col, row) {
				col++
			}
			p.pdf.RectFromUpperLeftWithStyle(x0+float64(start)*m, y0+float64(row)*m, float64(col-start)*m, m, "F")
		}
	}
}

// text draws s in column [x, x+w] from p.y down and moves p.y below it. what
// names s in errors.
func (p *page) text(what, s string, x, w float64, st style) error {
	lines, size, err := p.fit(what, s, w, st)
	if err != nil {
		return err
	}
	lh := size * ptMM * lineSpacing
	if p.y+lh*float64(len(lines)) > p.bottom {
		return fmt.Errorf("%w: %s is too long", ErrTooLong, what)
	}
	for _, l := range lines {
		p.pdf.SetXY(x, p.y+size*ptMM*ascent)
		if err := p.pdf.Text(l); err != nil {
			return fmt.Errorf("certpdf: %s: %w", what, err)
		}
		p.y += lh
	}
	return nil
}

// fit sets the font for s and returns its lines in width w: on one line at
// the largest size from st.size down to st.minSize, else wrapped at
// st.minSize.
func (p *page) fit(what, s string, w float64, st style) ([]string, float64, error) {
	size := st.size
	if err := p.font(st, size); err != nil {
		return nil, 0, err
	}
	if err := p.glyphs(what, s); err != nil {
		return nil, 0, err
	}
	for {
		lines, err := p.wrap(what, s, w)
		if err != nil {
			return nil, 0, err
		}
		if len(lines) <= 1 || size-shrinkStep < st.minSize {
			return lines, size, nil
		}
		size -= shrinkStep
		if err := p.font(st, size); err != nil {
			return nil, 0, err
		}
	}
}

func (p *page) font(st style, size float64) error {
	if err := p.pdf.SetFont(st.family, "", size); err != nil {
		return fmt.Errorf("certpdf: font %s: %w", st.family, err)
	}
	p.pdf.SetTextColor(st.color.split())
	return nil
}

// glyphs checks that the current font draws every character of s as it
// should: gopdf would silently print a space for a character the font lacks,
// and sets every script left to right without shaping, which reverses or
// breaks up Arabic or Hebrew. Either would be a wrong name on a certificate.
func (p *page) glyphs(what, s string) error {
	for _, c := range s {
		if unicode.IsSpace(c) {
			continue // wrap turns spaces into line breaks and single spaces
		}
		var err error
		if !unicode.In(c, unicode.Latin, unicode.Greek, unicode.Cyrillic, unicode.Common, unicode.Inherited) {
			err = fmt.Errorf("the character %q (%U) is in a script this document cannot print (Latin, Greek and Cyrillic only)", c, c)
		} else if ok, e := p.pdf.IsCurrFontContainGlyph(c); e != nil {
			err = e
		} else if !ok {
			err = fmt.Errorf("the character %q (%U) is not in the embedded font", c, c)
		}
		if err != nil {
			return fmt.Errorf("certpdf: %s: %w", what, err)
		}
	}
	return nil
}

// wrap breaks s into lines no wider than w at spaces, and inside words
// longer than a line (a UVCI, a name without spaces).
func (p *page) wrap(what, s string, w float64) ([]string, error) {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		try := word
		if line != "" {
			try = line + " " + word
		}
		ok, err := p.fits(what, try, w)
		if err != nil {
			return nil, err
		}
		if ok {
			line = try
			continue
		}
		if line != "" {
			lines = append(lines, line)
		}
		for {
			if ok, err := p.fits(what, word, w); err != nil {
				return nil, err
			} else if ok {
				break
			}
			n, err := p.prefix(what, word, w)
			if err != nil {
				return nil, err
			}
			lines = append(lines, word[:n])
			word = word[n:]
		}
		line = word
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines, nil
}

// prefix returns the length in bytes of the longest prefix of s, at least
// one character, that fits in width w.
func (p *page) prefix(what, s string, w float64) (int, error) {
	_, n := utf8.DecodeRuneInString(s)
	for i := range s {
		if i <= n {
			continue
		}
		ok, err := p.fits(what, s[:i], w)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		n = i
	}
	return n, nil
}

func (p *page) fits(what, s string, w float64) (bool, error) {
	width, err := p.pdf.MeasureTextWidth(s)
	if err != nil {
		return false, fmt.Errorf("certpdf: %s: %w", what, err)
	}
	return width <= w, nil
}
