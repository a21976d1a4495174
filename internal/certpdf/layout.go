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

// Layout is the form of the holder's document.
type Layout int

const (
	// Leaflet is one A4 portrait sheet of four A6 panels that folds into an
	// A6 leaflet, as the EU's reference issuance application prints it: the
	// cover with the EU emblem and the holder, the QR code with the
	// certificate's identifier, the entry's fields, and the notes on the
	// back. The top two panels are printed upside down so that they come out
	// upright once folded.
	//
	// To fold it: print on A4 at actual size (100 %, no "fit to page"), on
	// one side. Fold the sheet in half across, printed side out, the upside
	// down half going behind; then fold it in half again, the left half
	// going behind. The cover is on top, the QR code and the fields inside,
	// the notes on the back.
	Leaflet Layout = iota
	// A6 is one A6 portrait page, for A6 card or a screen: the title and
	// the certificate's type, the holder, the QR code (at least
	// QRMinSideA6 wide) with the entry's key facts under short labels
	// beside it and the UVCI below, the issuer, and the note that it is not
	// a travel document. What else the leaflet shows is in the QR code.
	// Values the QR code carries that would not fit end with "…".
	A6
)

// ParseLayout reads a layout's name: "a4" (or empty) for the leaflet,
// "a6" for the single A6 page.
func ParseLayout(s string) (Layout, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "a4":
		return Leaflet, nil
	case "a6":
		return A6, nil
	}
	return 0, fmt.Errorf("certpdf: layout %q: want a4 (the folding leaflet) or a6", s)
}

func (l Layout) String() string {
	switch l {
	case Leaflet:
		return "a4"
	case A6:
		return "a6"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// Geometry, in millimetres (the document's unit).
const (
	a4W, a4H       = 210.0, 297.0
	panelW, panelH = a4W / 2, a4H / 2 // A6
	// pad keeps text off the panel's edges, 7 mm: inside what printers
	// print on the edges of a sheet (the outer panels' edges are the
	// sheet's).
	pad         = 7.0
	bandInset   = 5.0 // the DEMO band, from the panel's top and sides: printable at a sheet's edge
	bandH       = 6.0
	gap         = 4.0       // around rules
	ptMM        = 25.4 / 72 // one typographic point
	lineSpacing = 1.25      // line height / font size
	ascent      = 0.93      // DejaVu Sans's ascender / font size: the first baseline below the top
	shrinkStep  = 0.5       // points

	// QRMinSide is the least width of the QR symbol (without its quiet
	// zone) on the leaflet: 55 mm, so that a photo or a scan at 100 dpi
	// reads it. This is larger than HCERT §4.2.2's recommended 35–60 mm
	// diagonal, on purpose: modules of 0.5–0.8 mm read from a crumpled
	// print or a poor camera.
	QRMinSide = 55.0
	// QRMinSideA6 is the least width of the QR symbol on the single A6
	// page: 50 mm, so that the holder and the entry's facts fit around
	// it. A real certificate's symbol (version 17 to 22 or so) still has
	// modules of 0.5 mm or more, which read at 100 dpi.
	QRMinSideA6 = 50.0
	// printerDot is 1/300 inch. Modules of a whole number of dots print as
	// the same whole number of dots each on 300 and 600 dpi printers, wherever
	// the page falls on the printer's grid: §4.2.2 asks that "each symbol
	// (dot) of the QR code" be "exactly square" on low-resolution printers.
	printerDot = 25.4 / 300
)

// rgb is a colour as 0xRRGGBB.
type rgb uint32

const (
	black     rgb = 0x000000
	grey      rgb = 0x555555
	blue      rgb = 0x003399 // the EU flag's blue
	yellow    rgb = 0xFFCC00 // the EU flag's yellow
	white     rgb = 0xFFFFFF
	red       rgb = 0xB00020 // the DEMO band
	pale      rgb = 0xFADDE1 // the DEMO watermark: light, behind the text
	foldGuide rgb = 0xBBBBBB
)

func (c rgb) split() (r, g, b uint8) { return uint8(c >> 16), uint8(c >> 8), uint8(c) }

// style is how a piece of text is set. Text wider than its column first
// shrinks, down to minSize, then wraps.
type style struct {
	family        string
	size, minSize float64 // points
	color         rgb
}

var (
	sTitle    = style{family: bold, size: 12, minSize: 9, color: blue}
	sSubtitle = style{family: regular, size: 10, minSize: 8, color: blue}
	sKind     = style{family: bold, size: 10, minSize: 8, color: black}
	sHeading  = style{family: bold, size: 9, minSize: 9, color: blue}
	sLabel    = style{family: regular, size: 6, minSize: 6, color: grey}
	sName     = style{family: bold, size: 10.5, minSize: 8, color: black}
	sValue    = style{family: regular, size: 8.5, minSize: 8.5, color: black}
	sNoteES   = style{family: regular, size: 7, minSize: 7, color: black}
	sNoteEN   = style{family: regular, size: 7, minSize: 7, color: grey}
	sBand     = style{family: bold, size: 8.5, minSize: 6, color: white}
	sMark     = style{family: bold, size: 60, minSize: 60, color: pale}
)

// panel is an A6 part of the document: the page position of its top left
// corner as drawn, before a rotation of 180° about its centre (the leaflet's
// top row).
type panel struct {
	x, y    float64
	rotated bool
}

// page is the state of the panel being laid out. Coordinates are those of
// the page before the panel's rotation.
type page struct {
	pdf         *gopdf.GoPdf
	at          panel
	left, width float64 // the text column
	y           float64 // top of the next line
	bottom      float64 // text must end above this
}

// draw lays out c and the QR code in layout, marked as demo material when
// demo is set.
func (r *Renderer) draw(c *content, code *qr.Code, layout Layout, demo bool) (*gopdf.GoPdf, error) {
	if layout == A6 {
		return r.drawCard(c, code, demo)
	}
	return r.drawLeaflet(c, code, demo)
}

// newPDF starts a document of one page size with the fonts.
func (r *Renderer) newPDF(size gopdf.Rect, subject string) (*gopdf.GoPdf, error) {
	pdf := new(gopdf.GoPdf)
	pdf.Start(gopdf.Config{PageSize: size, Unit: gopdf.UnitMM})
	pdf.SetInfo(gopdf.PdfInfo{Title: titleEN, Subject: subject})
	for _, family := range []string{regular, bold} {
		if err := pdf.AddTTFFontFromFontContainer(family, r.fonts); err != nil {
			return nil, fmt.Errorf("certpdf: font %s: %w", family, err)
		}
	}
	return pdf, nil
}

// drawLeaflet lays out the A4 sheet of four panels (Leaflet).
func (r *Renderer) drawLeaflet(c *content, code *qr.Code, demo bool) (*gopdf.GoPdf, error) {
	pdf, err := r.newPDF(gopdf.Rect{W: a4W, H: a4H}, c.kind)
	if err != nil {
		return nil, err
	}
	// The leaflet's panels: the cover bottom right, the back bottom left;
	// inside, the QR code top right and the fields top left, upside down
	// (see Leaflet for the folds).
	panels := []struct {
		at        panel
		watermark bool
		fill      func(*page) error
	}{
		{panel{panelW, panelH, false}, true, func(p *page) error { return p.cover(c) }},
		{panel{panelW, 0, true}, false, func(p *page) error { return p.code(c, code) }},
		{panel{0, 0, true}, true, func(p *page) error { return p.fields(c) }},
		{panel{0, panelH, false}, true, func(p *page) error { return p.notes(c) }},
	}
	pdf.AddPage()
	foldLines(pdf)
	for _, pn := range panels {
		at := pn.at
		p := &page{pdf: pdf, at: at, left: at.x + pad, width: panelW - 2*pad, y: at.y + pad, bottom: at.y + panelH - pad}
		if at.rotated {
			pdf.Rotate(180, at.x+panelW/2, at.y+panelH/2)
		}
		if demo {
			if pn.watermark {
				if err := p.watermark(); err != nil {
					return nil, err
				}
			}
			if err := p.band(); err != nil {
				return nil, err
			}
		}
		if err := pn.fill(p); err != nil {
			return nil, err
		}
		if at.rotated {
			pdf.RotateReset()
		}
	}
	return pdf, nil
}

// foldLines marks the leaflet's folds, light and dashed.
func foldLines(pdf *gopdf.GoPdf) {
	pdf.SetStrokeColor(foldGuide.split())
	pdf.SetLineWidth(0.2)
	pdf.SetLineType("dashed")
	pdf.Line(0, panelH, a4W, panelH)
	pdf.Line(panelW, 0, panelW, a4H)
	pdf.SetLineType("solid")
}

// cover is the front: the EU emblem, the title, the certificate's type and
// the holder.
func (p *page) cover(c *content) error {
	p.emblem(32)
	p.y += 3
	for _, t := range []struct {
		s  string
		st style
	}{{titleES, sTitle}, {titleEN, sSubtitle}} {
		if err := p.text("title", t.s, p.left, p.width, t.st); err != nil {
			return err
		}
	}
	p.y += 1.5
	if err := p.text("type", c.kind, p.left, p.width, sKind); err != nil {
		return err
	}
	p.rule()
	return p.section(c.holder, sName)
}

// code is the inside left panel: the QR code, as large as the panel allows
// within the bounds, and the certificate's identifier and issue below it.
func (p *page) code(c *content, code *qr.Code) error {
	m := moduleSize(code.Size(), QRMinSide)
	side := float64(code.Size()+2*qr.QuietZone) * m
	if p.y+side > p.bottom {
		return fmt.Errorf("%w: the QR code", ErrTooLong)
	}
	x := p.snapX(p.at.x + (panelW-side)/2)
	y := p.snapY(p.y)
	p.qr(code, m, x, y)
	p.y = y + side
	return p.section(c.cert, sValue)
}

// fields is the inside right panel: the entry.
func (p *page) fields(c *content) error {
	return p.section(c.entry, sValue)
}

// notes is the back: what the holder should know.
func (p *page) notes(c *content) error {
	if err := p.text("notes", msg.Notes.String(), p.left, p.width, sHeading); err != nil {
		return err
	}
	p.y += 1.5
	for i, n := range c.notes {
		st := sNoteES
		if i%2 == 1 {
			st = sNoteEN
		}
		if err := p.text("notes", n, p.left, p.width, st); err != nil {
			return err
		}
		p.y += 0.8 + 1.2*float64(i%2)
	}
	return nil
}

// band draws the "DEMO — no válido / not valid" band across the top of the
// panel, above everything else the panel holds.
func (p *page) band() error {
	x, y, w := p.at.x+bandInset, p.at.y+bandInset, panelW-2*bandInset
	p.pdf.SetFillColor(red.split())
	p.pdf.RectFromUpperLeftWithStyle(x, y, w, bandH, "F")
	s := msg.Demo + " — " + msg.NotValid.String()
	lines, size, err := p.fit("band", s, w-2, sBand)
	if err != nil {
		return err
	}
	tw, err := p.pdf.MeasureTextWidth(lines[0])
	if err != nil || len(lines) != 1 {
		return fmt.Errorf("certpdf: the DEMO band does not fit: %v", err)
	}
	h := size * ptMM
	p.pdf.SetXY(x+(w-tw)/2, y+bandH/2+0.36*h) // the capitals centred
	if err := p.pdf.Text(lines[0]); err != nil {
		return fmt.Errorf("certpdf: band: %w", err)
	}
	p.y = max(p.y, y+bandH+2)
	return nil
}

// watermark writes DEMO large and pale across the panel, under its text.
func (p *page) watermark() error {
	cx, cy := p.at.x+panelW/2, p.at.y+panelH/2
	if err := p.font(sMark, sMark.size); err != nil {
		return err
	}
	w, err := p.pdf.MeasureTextWidth(msg.Demo)
	if err != nil {
		return fmt.Errorf("certpdf: watermark: %w", err)
	}
	p.pdf.Rotate(55, cx, cy)
	p.pdf.SetXY(cx-w/2, cy+sMark.size*ptMM*0.35)
	err = p.pdf.Text(msg.Demo)
	p.pdf.RotateReset()
	if err != nil {
		return fmt.Errorf("certpdf: watermark: %w", err)
	}
	return nil
}

// emblem draws the EU emblem as the flag shows it: twelve five-pointed
// yellow stars in a circle on blue, h millimetres high and 3:2, centred at
// the top of the text column. The proportions are the flag's: the circle's
// radius a third of the height, a star's an eighteenth.
func (p *page) emblem(h float64) {
	p.flag(p.at.x+(panelW-h*3/2)/2, p.y, h)
	p.y += h
}

// flag draws the emblem h millimetres high from its top left corner (x, y).
func (p *page) flag(x, y, h float64) {
	w := h * 3 / 2
	p.pdf.SetFillColor(blue.split())
	p.pdf.RectFromUpperLeftWithStyle(x, y, w, h, "F")
	cx, cy := x+w/2, y+h/2
	p.pdf.SetFillColor(yellow.split())
	for i := range 12 {
		a := float64(i) * math.Pi / 6
		star(p.pdf, cx+h/3*math.Sin(a), cy-h/3*math.Cos(a), h/18)
	}
}

// star fills a five-pointed star of outer radius r at (x, y), a point up
// (as the flag's stars are, whatever their place on the circle).
func star(pdf *gopdf.GoPdf, x, y, r float64) {
	inner := r * math.Sin(math.Pi/10) / math.Sin(7*math.Pi/10) // the regular star's, 0.382 r
	pts := make([]gopdf.Point, 10)
	for i := range pts {
		rad := r
		if i%2 == 1 {
			rad = inner
		}
		a := float64(i) * math.Pi / 5
		pts[i] = gopdf.Point{X: x + rad*math.Sin(a), Y: y - rad*math.Cos(a)}
	}
	pdf.Polygon(pts, "F")
}

// section draws a heading and the fields below it, each label above its
// value, in the text column.
func (p *page) section(s section, value style) error {
	if err := p.text(s.title, s.title, p.left, p.width, sHeading); err != nil {
		return err
	}
	p.y += 1
	for _, f := range s.fields {
		if err := p.text(f.what, f.label, p.left, p.width, sLabel); err != nil {
			return err
		}
		if err := p.text(f.what, f.value, p.left, p.width, value); err != nil {
			return err
		}
		p.y += 1.3
	}
	return nil
}

// rule draws a thin line across the text column with space around it.
func (p *page) rule() {
	p.y += gap / 2
	p.pdf.SetStrokeColor(blue.split())
	p.pdf.SetLineWidth(0.3)
	p.pdf.Line(p.left, p.y, p.left+p.width, p.y)
	p.y += gap / 2
}

// moduleSize returns the side of a module of a symbol n modules wide: the
// fewest whole printer dots that make the symbol at least least wide.
func moduleSize(n int, least float64) float64 {
	dots := int(math.Ceil(least / float64(n) / printerDot))
	return float64(dots) * printerDot
}

// QRMinSide is the least width in millimetres of the QR symbol (without
// its quiet zone) in layout l: QRMinSide, or QRMinSideA6 on the A6 page.
func (l Layout) QRMinSide() float64 {
	if l == A6 {
		return QRMinSideA6
	}
	return QRMinSide
}

// QRSide is the width in millimetres of the QR symbol (without its quiet
// zone) that the document in layout l prints for code.
func QRSide(code *qr.Code, l Layout) float64 {
	return float64(code.Size()) * moduleSize(code.Size(), l.QRMinSide())
}

// snapX and snapY move a coordinate to the printer-dot grid of the page as
// printed, so that every module edge falls on it: for a rotated panel, the
// grid as it is after the rotation.
func (p *page) snapX(v float64) float64 { return p.snap(v, p.at.x+panelW/2) }
func (p *page) snapY(v float64) float64 { return p.snap(v, p.at.y+panelH/2) }

func (p *page) snap(v, centre float64) float64 {
	grid := func(v float64) float64 { return math.Floor(v/printerDot) * printerDot }
	if !p.at.rotated {
		return grid(v)
	}
	// The rotation maps v to 2·centre − v; the code's far edge, v + side,
	// lands on 2·centre − v − side, on the grid when v's image is.
	return 2*centre - grid(2*centre-v)
}

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
	return p.textMax(what, s, x, w, st, 0)
}

// textMax is text in at most most lines (0: any number): the last one
// ends with an ellipsis when s needs more. Only for values the QR code
// carries in full.
func (p *page) textMax(what, s string, x, w float64, st style, most int) error {
	lines, size, err := p.fit(what, s, w, st)
	if err != nil {
		return err
	}
	if most > 0 && len(lines) > most {
		lines = lines[:most]
		if lines[most-1], err = p.ellipsis(what, lines[most-1], w); err != nil {
			return err
		}
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

// ellipsis is line shortened, in the current font, so that it ends with
// "…" within width w: the mark that the value goes on in the QR code.
func (p *page) ellipsis(what, line string, w float64) (string, error) {
	r := []rune(line)
	for {
		s := strings.TrimRight(string(r), " ") + "…"
		ok, err := p.fits(what, s, w)
		if err != nil || ok || len(r) == 0 {
			return s, err
		}
		r = r[:len(r)-1]
	}
}

func (p *page) fits(what, s string, w float64) (bool, error) {
	width, err := p.pdf.MeasureTextWidth(s)
	if err != nil {
		return false, fmt.Errorf("certpdf: %s: %w", what, err)
	}
	return width <= w, nil
}
