package certpdf

import (
	"errors"
	"fmt"

	"github.com/signintech/gopdf"

	"dcc/qr"
)

// The single A6 page (layout A6), in millimetres. Its margins are a
// millimetre narrower than the leaflet's panels: still inside what printers
// print, and the room the QR code and the facts beside it need.
const (
	cardPad    = 6.0  // text from the page's edges
	cardEmblem = 10.0 // the emblem's height
	cardGap    = 2.0  // between the columns, and the QR code's quiet zone and the facts
)

// The A6 page's text: labels of at least 6 points, values of at least 7.5.
var (
	cTitle    = style{family: bold, size: 10, minSize: 8, color: blue}
	cSubtitle = style{family: regular, size: 8.5, minSize: 7.5, color: blue}
	cKind     = style{family: bold, size: 8.5, minSize: 7.5, color: black}
	cHeading  = style{family: bold, size: 7.5, minSize: 7.5, color: blue}
	cName     = style{family: bold, size: 9.5, minSize: 8, color: black}
	cStd      = style{family: regular, size: 7.5, minSize: 7.5, color: grey}
	cValue    = style{family: regular, size: 8, minSize: 7.5, color: black}
	cUVCI     = style{family: bold, size: 8, minSize: 7.5, color: black}
	cFootES   = style{family: regular, size: 6.5, minSize: 6, color: black}
	cFootEN   = style{family: regular, size: 6.5, minSize: 6, color: grey}
)

// Short labels of the A6 page (the leaflet has Annex V's in full).
const (
	labelName      = "Apellido(s) y nombre(s) / Surname(s) and forename(s)"
	labelDOB       = "Fecha de nacimiento / Date of birth"
	labelUVCI      = "Identificador único del certificado / Unique certificate identifier"
	labelIssuer    = "Emisor / Issuer"
	labelAuthority = "Autoridad emisora / Issuing authority"
	noteOmitted    = "El nombre en su escritura original figura en el código QR. / The name in its original script is in the QR code."
)

// limits are the most lines the A6 page gives a value the QR code carries
// in full (0: as many as it takes); a value that needs more ends with "…".
// Values the QR code does not carry (the issuing authority) always print
// in full.
type limits struct{ name, std, value, issuer int }

// cardLimits are tried in turn until the page fits: everything in full,
// which all but extreme values allow, then shorter, the standardised name
// (a verifier reads it from the QR code) first and the name last.
var cardLimits = []limits{
	{},
	{std: 1},
	{std: 1, value: 2, issuer: 2},
	{std: 1, value: 2, issuer: 1, name: 2},
	{std: 1, value: 1, issuer: 1, name: 2},
}

// drawCard lays out the single A6 page (A6) with the first of cardLimits
// that lets everything fit.
func (r *Renderer) drawCard(c *content, code *qr.Code, demo bool) (*gopdf.GoPdf, error) {
	var err error
	for _, lim := range cardLimits {
		var pdf *gopdf.GoPdf
		if pdf, err = r.newPDF(gopdf.Rect{W: panelW, H: panelH}, c.kind); err != nil {
			return nil, err
		}
		pdf.AddPage()
		p := &page{pdf: pdf, left: cardPad, width: panelW - 2*cardPad, y: cardPad, bottom: panelH - cardPad}
		if err = p.card(c, code, demo, lim); err == nil {
			return pdf, nil
		}
		if !errors.Is(err, ErrTooLong) {
			return nil, err
		}
	}
	return nil, err
}

// card fills the A6 page: the title and type, the holder, the QR code with
// the entry's facts beside it, the UVCI, the issuer and, at the foot, the
// note that it is not a travel document. Demo material has the band at the
// top and no watermark: nothing may lie over the QR code.
func (p *page) card(c *content, code *qr.Code, demo bool, lim limits) error {
	if demo {
		if err := p.band(); err != nil {
			return err
		}
	}
	if err := p.footer(); err != nil {
		return err
	}
	if err := p.cardHeader(c); err != nil {
		return err
	}
	if err := p.cardHolder(c.card, lim); err != nil {
		return err
	}
	if err := p.cardCode(c.card, code, lim); err != nil {
		return err
	}
	return p.cardIssuer(c.card, lim)
}

// footer draws the note that the certificate is not a travel document at
// the foot of the page, on one line if it fits, else Spanish over English,
// and moves p.bottom above it.
func (p *page) footer() error {
	type line struct {
		s  string
		st style
	}
	lines := []line{{msg.NotTravel.String(), cFootES}}
	if l, _, err := p.fit("notes", lines[0].s, p.width, cFootES); err != nil {
		return err
	} else if len(l) > 1 {
		lines = []line{{msg.NotTravel.ES, cFootES}, {msg.NotTravel.EN, cFootEN}}
	}
	h := 0.0
	for _, l := range lines {
		wrapped, size, err := p.fit("notes", l.s, p.width, l.st)
		if err != nil {
			return err
		}
		h += float64(len(wrapped)) * size * ptMM * lineSpacing
	}
	y, top := p.y, p.bottom-h
	if top < y {
		return fmt.Errorf("%w: the notes", ErrTooLong)
	}
	bottom := p.bottom
	p.y, p.bottom = top, bottom+1e-6 // h to the rounding
	for _, l := range lines {
		if err := p.text("notes", l.s, p.left, p.width, l.st); err != nil {
			return err
		}
	}
	p.pdf.SetStrokeColor(blue.split())
	p.pdf.SetLineWidth(0.3)
	p.pdf.Line(p.left, top-gap/4, p.left+p.width, top-gap/4)
	p.y, p.bottom = y, top-gap/2
	return nil
}

// cardHeader is the EU emblem with the title beside it, the certificate's
// type below and a rule.
func (p *page) cardHeader(c *content) error {
	top := p.y
	p.flag(p.left, top, cardEmblem)
	x := p.left + cardEmblem*3/2 + 3
	w := p.left + p.width - x
	p.y = top + 0.6
	if err := p.text("title", titleES, x, w, cTitle); err != nil {
		return err
	}
	if err := p.text("title", titleEN, x, w, cSubtitle); err != nil {
		return err
	}
	p.y = max(p.y, top+cardEmblem) + 1.5
	if err := p.text("type", c.kind, p.left, p.width, cKind); err != nil {
		return err
	}
	p.rule()
	return nil
}

// cardHolder is the holder's name as written and standardised, and the
// date of birth.
func (p *page) cardHolder(k card, lim limits) error {
	if err := p.text("nam", labelName, p.left, p.width, sLabel); err != nil {
		return err
	}
	std := cStd
	if k.name != "" {
		if err := p.textMax("nam", k.name, p.left, p.width, cName, lim.name); err != nil {
			return err
		}
	} else {
		std = cName // the standardised form is all the page shows
	}
	if k.std != "" {
		if err := p.textMax("nam.fnt", k.std, p.left, p.width, std, lim.std); err != nil {
			return err
		}
	}
	if k.omitted {
		if err := p.text("nam", noteOmitted, p.left, p.width, sLabel); err != nil {
			return err
		}
	}
	p.y += 0.8
	return p.inline("dob", labelDOB, k.dob, p.left, p.width, cUVCI)
}

// cardCode draws the QR code on the left margin, at least QRMinSideA6
// wide, the entry's facts in the column beside it and the UVCI below.
func (p *page) cardCode(k card, code *qr.Code, lim limits) error {
	n := code.Size()
	m := moduleSize(n, QRMinSideA6)
	side, qz := float64(n)*m, qr.QuietZone*m
	// x, y: the quiet zone's top left corner, the symbol on the margin
	// (the quiet zone is white page, so it may lie in the margin).
	x := p.snapX(max(0, p.left-qz))
	y := p.snapY(p.y + 0.5)
	if y+side+2*qz > p.bottom {
		return fmt.Errorf("%w: the QR code", ErrTooLong)
	}
	p.qr(code, m, x, y)

	colX := x + side + 2*qz + cardGap/2
	colW := p.left + p.width - colX
	p.y = y + qz
	if err := p.text("heading", k.heading, colX, colW, cHeading); err != nil {
		return err
	}
	p.y += 0.8
	for _, f := range k.facts {
		if err := p.text(f.what, f.label, colX, colW, sLabel); err != nil {
			return err
		}
		if err := p.textMax(f.what, f.value, colX, colW, cValue, lim.value); err != nil {
			return err
		}
		p.y += 1
	}
	p.y = max(p.y, y+side+2*qz) + 0.5
	if err := p.text("ci", labelUVCI, p.left, p.width, sLabel); err != nil {
		return err
	}
	return p.text("ci", k.ci, p.left, p.width, cUVCI)
}

// cardIssuer is the certificate's issuer and, when it is another, the
// issuing authority beside it.
func (p *page) cardIssuer(k card, lim limits) error {
	p.y += 1.2
	type col struct {
		what, label, value string
		most               int
	}
	var cols []col
	if k.is != "" {
		cols = append(cols, col{"is", labelIssuer, k.is, lim.issuer})
	}
	if k.authority != "" {
		cols = append(cols, col{"Authority", labelAuthority, k.authority, 0})
	}
	if len(cols) == 0 {
		return nil
	}
	w := (p.width - cardGap*float64(len(cols)-1)) / float64(len(cols))
	top, bottom := p.y, p.y
	for i, c := range cols {
		x := p.left + float64(i)*(w+cardGap)
		p.y = top
		if err := p.text(c.what, c.label, x, w, sLabel); err != nil {
			return err
		}
		if err := p.textMax(c.what, c.value, x, w, cValue, c.most); err != nil {
			return err
		}
		bottom = max(bottom, p.y)
	}
	p.y = bottom
	return nil
}

// inline draws a label and its value on one line when they fit, else the
// label above the value.
func (p *page) inline(what, label, value string, x, w float64, st style) error {
	width := func(s string, st style) (float64, error) {
		if err := p.font(st, st.size); err != nil {
			return 0, err
		}
		if err := p.glyphs(what, s); err != nil {
			return 0, err
		}
		v, err := p.pdf.MeasureTextWidth(s)
		if err != nil {
			return 0, fmt.Errorf("certpdf: %s: %w", what, err)
		}
		return v, nil
	}
	lw, err := width(label+" ", sLabel)
	if err != nil {
		return err
	}
	vw, err := width(value, st)
	if err != nil {
		return err
	}
	if lw+vw > w {
		if err := p.text(what, label, x, w, sLabel); err != nil {
			return err
		}
		return p.text(what, value, x, w, st)
	}
	lh := st.size * ptMM * lineSpacing
	if p.y+lh > p.bottom {
		return fmt.Errorf("%w: %s is too long", ErrTooLong, what)
	}
	base := p.y + st.size*ptMM*ascent
	for _, part := range []struct {
		s  string
		st style
		x  float64
	}{{label, sLabel, x}, {value, st, x + lw}} {
		if err := p.font(part.st, part.st.size); err != nil {
			return err
		}
		p.pdf.SetXY(part.x, base)
		if err := p.pdf.Text(part.s); err != nil {
			return fmt.Errorf("certpdf: %s: %w", what, err)
		}
	}
	p.y += lh
	return nil
}
