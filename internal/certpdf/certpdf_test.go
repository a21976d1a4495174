package certpdf_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"html"
	"image"
	"image/draw"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"dcc"
	"dcc/hc1"
	"dcc/hcert"
	"dcc/internal/certpdf"
	"dcc/pki"
	"dcc/qr"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func vaccination() *dcc.Payload {
	return &dcc.Payload{
		Ver: "1.3.0",
		Nam: dcc.Name{FN: "Musterfrau-Gößinger", FNT: "MUSTERFRAU<GOESSINGER", GN: "Gabriele", GNT: "GABRIELE"},
		DOB: "1998-02-26",
		V: []dcc.VaccinationEntry{{
			TG: "840539006", VP: "1119349007", MP: "EU/1/20/1528", MA: "ORG-100030215",
			DN: 2, SD: 2, DT: "2021-06-11", CO: "ES", IS: "Ministerio de Sanidad",
			CI: "URN:UVCI:01:ES:MSND/7KQ2X9VW4HT8RM3F#G",
		}},
	}
}

func test() *dcc.Payload {
	return &dcc.Payload{
		Ver: "1.3.0",
		Nam: dcc.Name{FN: "Παπαδόπουλος", FNT: "PAPADOPOULOS", GN: "Ευάγγελος", GNT: "EVANGELOS"},
		DOB: "1975-09-03",
		T: []dcc.TestEntry{{
			TG: "840539006", TT: "LP217198-3", MA: "1232", SC: "2026-11-21T10:27:15+01:00",
			TR: "260415000", TC: "Laboratorio Central de Salud Pública", CO: "GR",
			IS: "Ministerio de Sanidad", CI: "URN:UVCI:01:ES:LAB1/3RK8W2QZ7MN5TX4H#K",
		}},
	}
}

func recovery() *dcc.Payload {
	return &dcc.Payload{
		Ver: "1.3.0",
		Nam: dcc.Name{FN: "Фёдоров", FNT: "FEDOROV", GN: "Пётр", GNT: "PETR"},
		DOB: "1964-01",
		R: []dcc.RecoveryEntry{{
			TG: "840539006", FR: "2026-10-01", DF: "2026-10-12", DU: "2027-03-30", CO: "UNHCR",
			IS: "Ministerio de Sanidad", CI: "URN:UVCI:01:ES:MSND/9WQ4T7ZK2RX8HV3M#P",
		}},
	}
}

// sign issues p as a real DCC with a fresh CSCA and DSC, so that the QR code
// is of the size a real certificate has.
func sign(t testing.TB, p *dcc.Payload) certpdf.Certificate {
	t.Helper()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	cscaKey, dscKey := key(), key()
	csca, err := pki.NewCSCA(cscaKey, pki.CSCAOptions{Country: "ES", Now: now.AddDate(-1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	dsc, err := pki.NewDSC(csca, cscaKey, dscKey.Public(), pki.DSCOptions{Country: "ES", Now: now.AddDate(-1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	payload, err := p.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	claims := hcert.Claims{Issuer: "ES", IssuedAt: now, Expires: now.AddDate(0, 6, 0)}
	msg, err := hcert.Sign(dscKey, dsc, claims, payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := hc1.Encode(msg)
	if err != nil {
		t.Fatal(err)
	}
	return certpdf.Certificate{HC1: s, Payload: p, IssuedAt: claims.IssuedAt, Expires: claims.Expires, Authority: "Consejería de Sanidad, Comunidad de Madrid"}
}

func renderer(t testing.TB) *certpdf.Renderer {
	t.Helper()
	r, err := certpdf.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// render writes c to a PDF file in a temporary directory.
func render(t *testing.T, r *certpdf.Renderer, c certpdf.Certificate) string {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Render(&buf, c); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("output starts with %q, not a PDF header", buf.Bytes()[:min(8, buf.Len())])
	}
	path := filepath.Join(t.TempDir(), "cert.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// poppler runs a poppler-utils command, skipping the test if it is missing.
func poppler(t *testing.T, name string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not found: install the Debian package poppler-utils to run this test", name)
	}
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// text extracts the page's text with whitespace runs (line breaks included)
// made single spaces.
func text(t *testing.T, pdf string) string {
	t.Helper()
	return strings.Join(strings.Fields(poppler(t, "pdftotext", "-enc", "UTF-8", pdf, "-")), " ")
}

// labels are the leaflet's texts of every certificate: the fields of
// Annex V in full and the notes of the back.
var labels = []string{
	"Certificado COVID Digital de la UE", "EU Digital COVID Certificate",
	"Titular / Holder",
	"Apellido(s) / Surname(s)", "Apellido(s) normalizado(s) / Standardised surname(s)",
	"Nombre(s) / Forename(s)", "Nombre(s) normalizado(s) / Standardised forename(s)",
	"Fecha de nacimiento / Date of birth",
	"Enfermedad o agente objetivo / Disease or agent targeted",
	"Identificador único del certificado / Unique certificate identifier",
	"Emisor del certificado / Certificate issuer",
	"Autoridad emisora / Issuing authority", "Consejería de Sanidad, Comunidad de Madrid",
	"Emitido el / Issued on", "2026-11-22 12:00 UTC",
	"Caduca el / Expires on", "2027-05-22 12:00 UTC",
	"Información / Information",
	"Este certificado no es un documento de viaje.", "This certificate is not a travel document.",
	"Antes de viajar, compruebe las medidas de salud pública aplicables",
	"La validez del certificado la determinan las normas del país de destino.", "The validity rules of the country of destination apply.",
	"Cómo verificarlo: lea el código QR", "How to verify it: scan the QR code",
	"Emisor del certificado: Consejería de Sanidad, Comunidad de Madrid (Ministerio de Sanidad).",
	"Certificate issuer: Consejería de Sanidad, Comunidad de Madrid (Ministerio de Sanidad).",
}

// a6Labels are the single A6 page's texts of every certificate: short
// labels, the issuer and the one note.
var a6Labels = []string{
	"Certificado COVID Digital de la UE", "EU Digital COVID Certificate",
	"Apellido(s) y nombre(s) / Surname(s) and forename(s)",
	"Fecha de nacimiento / Date of birth",
	"Identificador único del certificado / Unique certificate identifier",
	"Emisor / Issuer", "Ministerio de Sanidad",
	"Autoridad emisora / Issuing authority", "Consejería de Sanidad, Comunidad de Madrid",
	"Este certificado no es un documento de viaje.", "This certificate is not a travel document.",
}

// demoBand is the marking of demo material on every panel.
const demoBand = "DEMO — no válido / not valid"

func TestText(t *testing.T) {
	r := renderer(t)
	for _, tc := range []struct {
		name    string
		payload *dcc.Payload
		want    []string // on both layouts
		leaflet []string // the leaflet's fields besides
		a6      []string // the A6 page's short labels
	}{
		{"vaccination", vaccination(), []string{
			"Musterfrau-Gößinger", "MUSTERFRAU<GOESSINGER", "Gabriele", "GABRIELE", "1998-02-26",
			"URN:UVCI:01:ES:MSND/7KQ2X9VW4HT8RM3F#G", "Ministerio de Sanidad",
			"Certificado de vacunación / Vaccination certificate", "Vacunación / Vaccination",
			"Comirnaty", "2/2", "2021-06-11", "Spain",
		}, []string{
			"COVID-19", "SARS-CoV-2 mRNA vaccine", "Biontech Manufacturing GmbH",
			"Vacuna o profilaxis / Vaccine or prophylaxis",
			"Producto de la vacuna / Vaccine product",
			"Titular de la autorización de comercialización o fabricante de la vacuna / Vaccine marketing authorisation holder or manufacturer",
			"Número en una serie de dosis / Number in a series of doses",
			"Fecha de la vacunación / Date of vaccination",
			"Estado miembro o tercer país en que se administró la vacuna / Member State or third country in which the vaccine was administered",
		}, []string{
			"MUSTERFRAU<GOESSINGER<<GABRIELE",
			"Vacuna / Vaccine Comirnaty", "Dosis / Dose 2/2", "Fecha / Date 2021-06-11", "País / Country España / Spain",
		}},
		{"test", test(), []string{
			"Παπαδόπουλος", "PAPADOPOULOS", "Ευάγγελος", "EVANGELOS", "1975-09-03",
			"URN:UVCI:01:ES:LAB1/3RK8W2QZ7MN5TX4H#K",
			"Certificado de prueba diagnóstica / Test certificate",
			"Inmunoensayo rápido", "Rapid immunoassay", "No detectado", "Not detected",
			"2026-11-21 10:27 UTC+01:00", "Laboratorio Central de Salud Pública", "Grecia", "Greece",
		}, []string{
			"Abbott Rapid Diagnostics, Panbio COVID-19 Ag Rapid Test",
			"Tipo de prueba / Type of test", "Fabricante de la prueba / Test manufacturer",
			"Fecha y hora de recogida de la muestra / Date and time of the test sample collection",
			"Resultado de la prueba / Result of the test",
			"Centro o instalación de realización de pruebas / Testing centre or facility",
			"Estado miembro o tercer país en que se realizó la prueba / Member State or third country in which the test was carried out",
		}, []string{
			"PAPADOPOULOS<<EVANGELOS",
			"Tipo / Type Inmunoensayo rápido / Rapid immunoassay", "Resultado / Result No detectado / Not detected",
			"Muestra / Sample 2026-11-21 10:27 UTC+01:00", "País / Country Grecia / Greece",
			"Centro / Centre Laboratorio Central de Salud Pública",
		}},
		{"recovery", recovery(), []string{
			"Фёдоров", "FEDOROV", "Пётр", "PETR", "1964-01",
			"URN:UVCI:01:ES:MSND/9WQ4T7ZK2RX8HV3M#P",
			"Certificado de recuperación / Certificate of recovery",
			"United Nations High Commissioner for Refugees", "2026-10-01", "2026-10-12", "2027-03-30",
		}, []string{
			"Fecha del primer resultado positivo de la prueba NAAT / Date of first positive NAAT test result",
			"Certificado válido desde / Certificate valid from",
			"Certificado válido hasta / Certificate valid until",
		}, []string{
			"FEDOROV<<PETR",
			"Primer positivo / First positive 2026-10-01", "Válido desde / Valid from 2026-10-12", "Válido hasta / Valid until 2027-03-30",
			"País / Country Alto Comisionado de las Naciones Unidas para los Refugiados (ACNUR) / United Nations High Commissioner for Refugees",
		}},
	} {
		for _, layout := range []certpdf.Layout{certpdf.Leaflet, certpdf.A6} {
			t.Run(tc.name+"/"+layout.String(), func(t *testing.T) {
				c := sign(t, tc.payload)
				c.Layout = layout
				pdf := render(t, r, c)
				got := text(t, pdf)
				want := append(append(tc.want, tc.leaflet...), labels...)
				if layout == certpdf.A6 {
					want = append(append(tc.want, tc.a6...), a6Labels...)
				}
				for _, want := range want {
					if !strings.Contains(got, want) {
						t.Errorf("the text lacks %q", want)
					}
				}
				if strings.Contains(got, "DEMO") {
					t.Error("a document not marked as demo material says DEMO")
				}
				if strings.Contains(got, "…") {
					t.Error("a value is shortened")
				}
				if t.Failed() {
					t.Logf("text: %s", got)
				}
				info := poppler(t, "pdfinfo", pdf)
				pages := map[certpdf.Layout]*regexp.Regexp{
					certpdf.Leaflet: regexp.MustCompile(`(?m)^Pages:\s+1$(?s:.*)^Page size:\s+595.2\d x 841.8\d pts \(A4\)`),
					certpdf.A6:      regexp.MustCompile(`(?m)^Pages:\s+1$(?s:.*)^Page size:\s+297.6\d x 420.9\d pts`),
				}[layout]
				if !pages.MatchString(info) {
					t.Errorf("want %s pages:\n%s", layout, info)
				}
				inPanels(t, pdf, layout)
			})
		}
	}
}

// Demo material says so on every panel of the leaflet, besides the
// watermarks and the note on the back, and once at the top of the A6 page.
func TestDemo(t *testing.T) {
	r := renderer(t)
	for _, tc := range []struct {
		layout certpdf.Layout
		bands  int
		want   []string
	}{
		{certpdf.Leaflet, 4, []string{"Documento de un sistema de demostración", "Document of a demonstration system", "Musterfrau-Gößinger"}},
		{certpdf.A6, 1, []string{"Musterfrau-Gößinger"}},
	} {
		t.Run(tc.layout.String(), func(t *testing.T) {
			c := sign(t, vaccination())
			c.Layout, c.Demo = tc.layout, true
			got := text(t, render(t, r, c))
			if n := strings.Count(got, demoBand); n != tc.bands {
				t.Errorf("the band %q appears %d times, want %d", demoBand, n, tc.bands)
			}
			if tc.layout == certpdf.A6 && !strings.HasPrefix(got, demoBand) {
				t.Errorf("the document does not start with the band: %.80s", got)
			}
			for _, want := range tc.want {
				if !strings.Contains(got, want) {
					t.Errorf("the text lacks %q", want)
				}
			}
		})
	}
}

// longVaccination is a vaccination with long accented names, so a large
// QR code.
func longVaccination() *dcc.Payload {
	p := vaccination()
	p.Nam = dcc.Name{
		FN: "Fernández-Villaverde Gómez de la Serna y Muñoz-Caravaca", FNT: "FERNANDEZ<VILLAVERDE<GOMEZ<DE<LA<SERNA<Y<MUNOZ<CARAVACA",
		GN: "María de los Ángeles Inmaculada Concepción", GNT: "MARIA<DE<LOS<ANGELES<INMACULADA<CONCEPCION",
	}
	p.V[0].IS = "Consejería de Sanidad y Políticas Sociales de la Región de Murcia"
	return p
}

// The QR code on the printed page reads back as the HC1 string with zbarimg
// from the page rendered at 100 dpi, in both layouts and marked as demo
// material (the band must not cover it), and its symbol is at least 50 mm
// wide: 55 mm or more on the leaflet, 50 mm or more on the A6 page
// (certpdf.QRSide). HCERT §4.2.2 recommends a diagonal of 35–60 mm; the
// document prints it larger on purpose, so that it reads at low resolution.
// At 300 dpi, a printer's resolution, every module is the same whole number
// of pixels, on the upside-down panel of the leaflet too.
func TestQRCode(t *testing.T) {
	r := renderer(t)
	vacc, long, tst, rec := sign(t, vaccination()), sign(t, longVaccination()), sign(t, test()), sign(t, recovery())
	type qrCase struct {
		name string
		dpi  int
		cert certpdf.Certificate
	}
	var cases []qrCase
	for _, layout := range []certpdf.Layout{certpdf.Leaflet, certpdf.A6} {
		for _, c := range []qrCase{
			{"vaccination", 100, vacc},
			{"long vaccination", 100, long},
			{"test", 100, tst},
			{"recovery", 100, rec},
			{"vaccination at 300 dpi", 300, vacc},
			// The extremes: the smallest symbol (version 1), the largest
			// code with its quiet zone (version 34), and the smallest
			// modules (version 40: 0.34 mm, too small to read at 100 dpi).
			{"version 1", 100, certpdf.Certificate{HC1: "HC1:0123", Payload: vaccination()}},
			{"version 34", 200, certpdf.Certificate{HC1: "HC1:" + strings.Repeat("6", 1706), Payload: vaccination()}},
			{"version 40", 300, certpdf.Certificate{HC1: "HC1:" + strings.Repeat("6BF", 805), Payload: vaccination()}},
		} {
			c.name = layout.String() + "/" + c.name
			c.cert.Layout, c.cert.Demo = layout, true
			cases = append(cases, c)
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, err := qr.Encode(tc.cert.HC1)
			if err != nil {
				t.Fatal(err)
			}
			pdf := render(t, r, tc.cert)
			if info := poppler(t, "pdfinfo", pdf); !regexp.MustCompile(`(?m)^Pages:\s+1$`).MatchString(info) {
				t.Fatalf("not one page:\n%s", info)
			}
			prefix := filepath.Join(t.TempDir(), "page")
			poppler(t, "pdftoppm", "-r", strconv.Itoa(tc.dpi), "-png", "-singlefile", pdf, prefix)
			data, err := os.ReadFile(prefix + ".png")
			if err != nil {
				t.Fatal(err)
			}
			// The page must read back with zbarimg, an independent reader
			// as a verifier's would be. The project's own decoder (zxing)
			// misses a few percent of whole-page renders of codes of
			// version 17-20 at these sizes (a finder-pattern estimate off
			// by a module), which zbar reads: logged, and what it reads
			// must still be the certificate.
			got := zbarRead(t, prefix+".png")
			if got != tc.cert.HC1 {
				t.Fatalf("QR code of version %d reads %.40q… (%d chars), want %.40q… (%d chars)", code.Version(), got, len(got), tc.cert.HC1, len(tc.cert.HC1))
			}
			if own, err := qr.Decode(data); err != nil {
				t.Logf("QR code of version %d: the project's decoder: %v", code.Version(), err)
			} else if own != tc.cert.HC1 {
				t.Fatalf("the project's decoder reads %.40q…, want %.40q…", own, tc.cert.HC1)
			}

			decoded, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			img := gray(decoded)
			box := symbolBounds(t, img)
			w, h := box.Dx(), box.Dy()
			if math.Abs(float64(w-h)) > 2 {
				t.Errorf("QR code is %d×%d px: not square", w, h)
			}
			mm := func(px float64) float64 { return px / float64(tc.dpi) * 25.4 }
			n := float64(code.Size())
			t.Logf("HC1 of %d characters, version %d (%d modules): symbol %.1f mm wide, module %.2f mm",
				len(tc.cert.HC1), code.Version(), code.Size(), mm(float64(w)), mm(float64(w))/n)
			if side := mm(float64(w)); side < 50 {
				t.Errorf("the QR code is %.1f mm wide, want at least 50 mm", side)
			}
			// What the layout says, to the pixel (and a pixel of
			// anti-aliasing).
			if want := certpdf.QRSide(code, tc.cert.Layout); math.Abs(mm(float64(w))-want) > mm(2) || want < tc.cert.Layout.QRMinSide() {
				t.Errorf("the QR code is %.1f mm wide, the layout says %.1f mm (at least %.0f mm)", mm(float64(w)), want, tc.cert.Layout.QRMinSide())
			}
			if tc.dpi == 300 && (w%code.Size() != 0 || h%code.Size() != 0) {
				t.Errorf("%d×%d px for %d modules: not a whole number of pixels per module", w, h, code.Size())
			}
			// The quiet zone is light: 4 modules around the symbol, less a
			// pixel for anti-aliasing.
			qz := int(float64(w)/n*qr.QuietZone) - 1
			if dark := countDark(img, box.Inset(-qz)) - countDark(img, box); dark != 0 {
				t.Errorf("%d dark pixels in the quiet zone", dark)
			}
		})
	}
}

// gray converts a page raster (RGB, even with pdftoppm -gray) to grey.
func gray(img image.Image) *image.Gray {
	g := image.NewGray(img.Bounds())
	if rgba, ok := img.(*image.RGBA); ok { // the usual case, 40 times faster than At
		for i := range len(g.Pix) {
			p := rgba.Pix[4*i : 4*i+3]
			g.Pix[i] = uint8((299*int(p[0]) + 587*int(p[1]) + 114*int(p[2])) / 1000)
		}
		return g
	}
	draw.Draw(g, g.Rect, img, img.Bounds().Min, draw.Src)
	return g
}

// countDark counts the dark pixels of img in box.
func countDark(img *image.Gray, box image.Rectangle) int {
	n := 0
	box = box.Intersect(img.Rect)
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			if img.GrayAt(x, y).Y < 0x80 {
				n++
			}
		}
	}
	return n
}

// symbolBounds finds the bounding box of the QR code's dark modules: zxing
// locates the three finder patterns, then the box grows from their centres
// while the row or column just outside it has dark pixels. It stops at the
// quiet zone, since the finder patterns are the symbol's corners.
func symbolBounds(t *testing.T, img *image.Gray) image.Rectangle {
	t.Helper()
	w, h := img.Rect.Dx(), img.Rect.Dy()
	src, err := gozxing.NewPlanarYUVLuminanceSource(img.Pix, img.Stride, h, 0, 0, w, h, false)
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		t.Fatal(err)
	}
	box := image.Rectangle{Min: image.Pt(math.MaxInt, math.MaxInt), Max: image.Pt(math.MinInt, math.MinInt)}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err == nil {
		for _, p := range res.GetResultPoints()[:3] { // finder patterns; a fourth is an alignment pattern
			x, y := int(p.GetX()), int(p.GetY())
			box.Min.X, box.Min.Y = min(box.Min.X, x), min(box.Min.Y, y)
			box.Max.X, box.Max.Y = max(box.Max.X, x+1), max(box.Max.Y, y+1)
		}
	} else {
		// zxing misses a few whole-page renders (see TestQRCode): start
		// from the densest square patch of the page instead, which only
		// the symbol is.
		box = densestSquare(t, img)
	}
	bounds := img.Rect
	line := func(x0, y0, x1, y1 int) bool { // any dark pixel in [x0,x1)×[y0,y1)
		return countDark(img, image.Rect(x0, y0, x1, y1)) > 0
	}
	for grown := true; grown; {
		grown = false
		if box.Min.X > bounds.Min.X && line(box.Min.X-1, box.Min.Y, box.Min.X, box.Max.Y) {
			box.Min.X, grown = box.Min.X-1, true
		}
		if box.Max.X < bounds.Max.X && line(box.Max.X, box.Min.Y, box.Max.X+1, box.Max.Y) {
			box.Max.X, grown = box.Max.X+1, true
		}
		if box.Min.Y > bounds.Min.Y && line(box.Min.X, box.Min.Y-1, box.Max.X, box.Min.Y) {
			box.Min.Y, grown = box.Min.Y-1, true
		}
		if box.Max.Y < bounds.Max.Y && line(box.Min.X, box.Max.Y, box.Max.X, box.Max.Y+1) {
			box.Max.Y, grown = box.Max.Y+1, true
		}
	}
	return box
}

// Absent optional fields are left out, not printed blank; an empty dob says
// the date of birth is unknown (Annex V).
func TestOptionalFields(t *testing.T) {
	p := test()
	p.Nam = dcc.Name{GN: "Ωρίων", GNT: "ORION"} // schema 1.3.1+: a given name alone
	p.DOB = ""
	p.T[0].MA, p.T[0].TC = "", ""
	p.T[0].TT, p.T[0].NM = "LP6464-4", "Roche LightCycler qPCR"
	for _, tc := range []struct {
		layout       certpdf.Layout
		want, absent []string
	}{
		{certpdf.Leaflet,
			[]string{"Ωρίων", "ORION", "desconocida / unknown", "Nucleic acid amplification with probe detection", "Roche LightCycler qPCR"},
			[]string{"Apellido(s)", "Fabricante de la prueba", "Centro o instalación", "Autoridad emisora", "Emitido el", "Caduca el"}},
		{certpdf.A6,
			[]string{"Ωρίων", "ORION", "Fecha de nacimiento / Date of birth desconocida / unknown", "Nucleic acid amplification with probe detection"},
			[]string{"<<", ",", "Centro / Centre", "Autoridad emisora"}},
	} {
		t.Run(tc.layout.String(), func(t *testing.T) {
			pdf := render(t, renderer(t), certpdf.Certificate{HC1: "HC1:0123", Payload: p, Layout: tc.layout})
			got := text(t, pdf)
			for _, want := range tc.want {
				if !strings.Contains(got, want) {
					t.Errorf("the text lacks %q", want)
				}
			}
			for _, absent := range tc.absent {
				if strings.Contains(got, absent) {
					t.Errorf("the text has %q", absent)
				}
			}
			if t.Failed() {
				t.Logf("text: %s", got)
			}
		})
	}
}

// Values as long as the schema allows wrap or shrink inside the page's
// margins, and are all there.
func TestLongValues(t *testing.T) {
	// long repeats s to the schema's maximum of 80 characters.
	long := func(s string) string {
		r := []rune(strings.Repeat(s+" ", 80))
		return strings.TrimSpace(string(r[:80]))
	}
	p := test()
	p.Nam = dcc.Name{
		FN:  long("Gößinger-Παπαδόπουλος"),
		FNT: strings.Repeat("ABCDEFGHIJ", 8), // no space at all
		GN:  long("Фёдоров Пётр"),
		GNT: strings.Repeat("W", 80), // the widest letter
	}
	e := &p.T[0]
	e.NM = long("Nucleic acid amplification, real-time PCR")
	e.TC = long("Centro de Salud Virgen de la Macarena,")
	e.IS = long("Consejería de Salud y Familias, Junta de Andalucía,")
	e.CI = "URN:UVCI:01:ES:" + strings.Repeat("X", 63) + "#Q"
	for _, layout := range []certpdf.Layout{certpdf.Leaflet, certpdf.A6} {
		t.Run(layout.String(), func(t *testing.T) {
			c := sign(t, p)
			c.Authority = strings.Repeat("Servicio Andaluz de Salud ", 4)
			c.Layout, c.Demo = layout, true
			pdf := render(t, renderer(t), c)

			// Wrapping breaks lines, at spaces or inside a word: compare
			// without whitespace. The A6 page shortens values the QR code
			// carries, never the UVCI or the authority, which it does not
			// carry; it leaves out the test's name.
			got := text(t, pdf)
			full := []string{e.CI, c.Authority}
			shortened := []string{p.Nam.FN, p.Nam.FNT, p.Nam.GN, p.Nam.GNT, e.NM, e.TC, e.IS}
			if layout == certpdf.A6 {
				// One line of names as written, one standardised.
				shortened = []string{p.Nam.FN + ", " + p.Nam.GN, p.Nam.FNT + "<<" + p.Nam.GNT, e.TC, e.IS}
			}
			for _, want := range full {
				if !shown(got, want, certpdf.Leaflet) {
					t.Errorf("the text lacks %q", want)
				}
			}
			for _, want := range shortened {
				if !shown(got, want, layout) {
					t.Errorf("the text lacks %q", want)
				}
			}
			if t.Failed() {
				t.Logf("text: %s", got)
			}
			inPanels(t, pdf, layout)
		})
	}
}

// shown reports whether got, squashed, shows want in full or, on the A6
// page, at least its first 8 characters and then "…", the mark of a value
// shortened because the QR code has it.
func shown(got, want string, layout certpdf.Layout) bool {
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	got, want = squash(got), squash(want)
	if strings.Contains(got, want) {
		return true
	}
	if layout != certpdf.A6 {
		return false
	}
	w := []rune(want)
	for i := strings.Index(got, string(w[:8])); i >= 0; {
		rest := []rune(got[i:])
		n := 0
		for n < len(w) && n < len(rest) && rest[n] == w[n] {
			n++
		}
		if n < len(rest) && rest[n] == '…' {
			return true
		}
		j := strings.Index(got[i+1:], string(w[:8]))
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// inPanels checks that every word of the document lies within the margins
// of one A6 panel (less a point for glyph side bearings): 7 mm on the four
// of the A4 leaflet, 6 mm on the A6 page. A6 is 297.64 × 420.94 points. The
// DEMO band's words are 5 mm from the panel's top, within what printers
// print at a sheet's edge.
func inPanels(t *testing.T, pdf string, layout certpdf.Layout) {
	t.Helper()
	const w, h, bandTop = 210.0 / 2 * 72 / 25.4, 297.0 / 2 * 72 / 25.4, 5*72/25.4 - 1
	margin := 7*72/25.4 - 1
	if layout == certpdf.A6 {
		margin = 6*72/25.4 - 1
	}
	band := strings.Fields(demoBand)
	words := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`).
		FindAllStringSubmatch(poppler(t, "pdftotext", "-bbox", pdf, "-"), -1)
	if len(words) < 50 {
		t.Fatalf("pdftotext -bbox found %d words", len(words))
	}
	pages := strings.Count(poppler(t, "pdftotext", "-bbox", pdf, "-"), "<page ")
	if layout == certpdf.A6 && pages != 1 {
		t.Errorf("%d pages, want 1", pages)
	}
	for _, m := range words {
		var f [4]float64
		for i := range f {
			f[i], _ = strconv.ParseFloat(m[i+1], 64)
		}
		// The panel of the word's top left corner.
		px, py := math.Floor(f[0]/w)*w, math.Floor(f[1]/h)*h
		top, bottom := py+margin, py+h-margin
		if slices.Contains(band, m[5]) {
			// The band of the panel upright (y from its top) or upside
			// down (from its bottom).
			top, bottom = py+bandTop, py+h-bandTop
		}
		if f[0] < px+margin || f[2] > px+w-margin || f[1] < top || f[3] > bottom {
			t.Errorf("%q at x %.0f–%.0f, y %.0f–%.0f pt: outside the margins of the panel at (%.0f, %.0f)", m[5], f[0], f[2], f[1], f[3], px, py)
		}
	}
}

// Values far beyond the schema's limits are refused rather than drawn off
// the page; the A6 page shortens what the QR code carries, so refuses only
// an issuing authority (which it does not) beyond any reason.
func TestTooLong(t *testing.T) {
	p := vaccination()
	p.V[0].IS = strings.Repeat("Ministerio de Sanidad ", 200)
	r := renderer(t)
	err := r.Render(io.Discard, certpdf.Certificate{HC1: "HC1:0123", Payload: p})
	if !errors.Is(err, certpdf.ErrTooLong) || !strings.Contains(err.Error(), "is is too long") {
		t.Errorf("got %v, want ErrTooLong naming is", err)
	}
	got := text(t, render(t, r, certpdf.Certificate{HC1: "HC1:0123", Payload: p, Layout: certpdf.A6}))
	if !strings.Contains(got, "Emisor / Issuer Ministerio de Sanidad Ministerio de") || !strings.Contains(got, "…") {
		t.Errorf("the A6 page does not show the issuer shortened: %s", got)
	}
	err = r.Render(io.Discard, certpdf.Certificate{HC1: "HC1:0123", Payload: vaccination(), Layout: certpdf.A6,
		Authority: strings.Repeat("Servicio de Salud ", 100)})
	if !errors.Is(err, certpdf.ErrTooLong) || !strings.Contains(err.Error(), "Authority is too long") {
		t.Errorf("got %v, want ErrTooLong naming Authority", err)
	}
}

// A name in a script the document cannot print (right to left, CJK) is
// left to the QR code; the standardised names and a note say so.
func TestUnprintableScriptLeftToQR(t *testing.T) {
	r := renderer(t)
	p := vaccination()
	p.Nam.FN, p.Nam.FNT = "عبد الله", "ABD<ALLAH"
	p.Nam.GN, p.Nam.GNT = "太郎", "TARO"
	for _, layout := range []certpdf.Layout{certpdf.Leaflet, certpdf.A6} {
		t.Run(layout.String(), func(t *testing.T) {
			got := text(t, render(t, r, certpdf.Certificate{HC1: "HC1:0123", Payload: p, Layout: layout}))
			for _, want := range []string{"ABD<ALLAH", "TARO", "The name in its original script is in the QR code"} {
				if !strings.Contains(got, want) {
					t.Errorf("text lacks %q", want)
				}
			}
			if strings.Contains(got, "太郎") || strings.Contains(got, "الله") {
				t.Error("an unprintable name was printed")
			}
		})
	}
}

// The A6 page's text is small but readable: no word under 6 points, and
// the values (the holder, the UVCI, the entry's facts) at 7.5 points or
// more. pdftotext's word boxes are DejaVu Sans's ascent and descent, 1.164
// times the size.
func TestA6Sizes(t *testing.T) {
	c := sign(t, test())
	c.Layout, c.Demo = certpdf.A6, true
	pdf := render(t, renderer(t), c)
	values := map[string]bool{}
	for _, v := range []string{"Παπαδόπουλος, Ευάγγελος", "PAPADOPOULOS<<EVANGELOS", "1975-09-03", c.Payload.T[0].CI,
		"Inmunoensayo rápido / Rapid immunoassay", "No detectado / Not detected", "2026-11-21 10:27 UTC+01:00",
		"Grecia / Greece", "Laboratorio Central de Salud Pública", "Ministerio de Sanidad", c.Authority} {
		for _, w := range strings.Fields(v) {
			values[w] = true
		}
	}
	delete(values, "/") // words of labels too
	delete(values, "de")
	pt := func(size float64) float64 { return size*1.164 - 0.05 }
	words := regexp.MustCompile(`<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>`).
		FindAllStringSubmatch(poppler(t, "pdftotext", "-bbox", pdf, "-"), -1)
	seen := 0
	for _, m := range words {
		y0, _ := strconv.ParseFloat(m[1], 64)
		y1, _ := strconv.ParseFloat(m[2], 64)
		word := html.UnescapeString(m[3])
		if y1-y0 < pt(6) {
			t.Errorf("%q is %.1f pt", word, (y1-y0)/1.164)
		}
		if values[word] {
			seen++
			if y1-y0 < pt(7.5) {
				t.Errorf("the value's word %q is %.1f pt", word, (y1-y0)/1.164)
			}
		}
	}
	if seen < 20 {
		t.Errorf("found %d words of values", seen)
	}
}

func TestErrors(t *testing.T) {
	r := renderer(t)
	two := vaccination()
	two.V = append(two.V, two.V[0])
	both := vaccination()
	both.R = recovery().R
	none := vaccination()
	none.V = nil
	symbol := vaccination()
	symbol.Nam.GN = "Ana 🚀"
	for _, tc := range []struct {
		name string
		cert certpdf.Certificate
		want string
	}{
		{"nil payload", certpdf.Certificate{HC1: "HC1:0123"}, "no payload"},
		{"empty HC1", certpdf.Certificate{Payload: vaccination()}, "empty HC1"},
		{"no prefix", certpdf.Certificate{HC1: "6BFOXN", Payload: vaccination()}, `does not start with "HC1:"`},
		{"not alphanumeric", certpdf.Certificate{HC1: "HC1:abc", Payload: vaccination()}, "cannot be encoded as a QR code"},
		{"too long for a QR code", certpdf.Certificate{HC1: "HC1:" + strings.Repeat("A", 5000), Payload: vaccination()}, "cannot be encoded as a QR code"},
		{"two entries", certpdf.Certificate{HC1: "HC1:0123", Payload: two}, "2 v entries"},
		{"two groups", certpdf.Certificate{HC1: "HC1:0123", Payload: both}, "exactly one of v, t or r"},
		{"no group", certpdf.Certificate{HC1: "HC1:0123", Payload: none}, "exactly one of v, t or r"},
		{"glyph missing", certpdf.Certificate{HC1: "HC1:0123", Payload: symbol}, `nam.gn: the character '🚀' (U+1F680) is not in the embedded font`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := r.Render(&buf, tc.cert)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got error %v, want one containing %q", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", buf.Len())
			}
		})
	}
	var charErr *qr.CharError
	if err := r.Render(io.Discard, certpdf.Certificate{HC1: "HC1:abc", Payload: vaccination()}); !errors.As(err, &charErr) {
		t.Errorf("got %v, want a wrapped *qr.CharError", err)
	}
	if err := r.Render(io.Discard, certpdf.Certificate{HC1: "HC1:0123"}); !errors.Is(err, certpdf.ErrNoPayload) {
		t.Errorf("got %v, want ErrNoPayload", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	err := renderer(t).Render(failWriter{}, certpdf.Certificate{HC1: "HC1:0123", Payload: vaccination()})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("got %v, want the writer's error", err)
	}
}

// One Renderer serves many goroutines (run with -race), and the same
// certificate renders to the same bytes.
func TestConcurrent(t *testing.T) {
	r := renderer(t)
	certs := []certpdf.Certificate{sign(t, vaccination()), sign(t, test()), sign(t, recovery())}
	want := make([][]byte, len(certs))
	for i, c := range certs {
		var buf bytes.Buffer
		if err := r.Render(&buf, c); err != nil {
			t.Fatal(err)
		}
		want[i] = buf.Bytes()
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(certs))
	for range 4 {
		for i, c := range certs {
			wg.Go(func() {
				var buf bytes.Buffer
				if err := r.Render(&buf, c); err != nil {
					errs <- err
				} else if !bytes.Equal(buf.Bytes(), want[i]) {
					errs <- fmt.Errorf("certificate %d: output differs between renderings", i)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func BenchmarkRender(b *testing.B) {
	r := renderer(b)
	c := sign(b, vaccination())
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Render(io.Discard, c); err != nil {
			b.Fatal(err)
		}
	}
}

// zbarRead is the QR code zbarimg reads in a PNG file (skipping the test
// when zbar-tools is not installed; .ci/run installs it).
func zbarRead(t *testing.T, png string) string {
	t.Helper()
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg (Debian zbar-tools) not installed")
	}
	out, err := exec.Command(zbar, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", png).Output()
	if err != nil {
		t.Fatalf("zbarimg %s: %v", png, err)
	}
	return strings.TrimSuffix(string(out), "\n")
}

// densestSquare is a box inside the largest square-ish region of
// 16-pixel blocks that are at least a third dark: the QR symbol, on a page
// of text whose blocks are lighter or whose runs are not square.
func densestSquare(t *testing.T, img *image.Gray) image.Rectangle {
	t.Helper()
	const b = 16
	cols, rows := img.Rect.Dx()/b, img.Rect.Dy()/b
	dense := make([]bool, cols*rows)
	for y := range rows {
		for x := range cols {
			dense[y*cols+x] = 3*countDark(img, image.Rect(x*b, y*b, (x+1)*b, (y+1)*b)) >= b*b
		}
	}
	seen := make([]bool, cols*rows)
	var best image.Rectangle
	bestN := 0
	for i := range dense {
		if !dense[i] || seen[i] {
			continue
		}
		n, r := 0, image.Rect(i%cols, i/cols, i%cols+1, i/cols+1)
		stack := []int{i}
		seen[i] = true
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			n++
			x, y := j%cols, j/cols
			r = r.Union(image.Rect(x, y, x+1, y+1))
			for _, k := range []int{j - 1, j + 1, j - cols, j + cols} {
				if k >= 0 && k < len(dense) && dense[k] && !seen[k] && (k%cols == x || k/cols == y) {
					seen[k] = true
					stack = append(stack, k)
				}
			}
		}
		if ratio := float64(r.Dx()) / float64(r.Dy()); n > bestN && ratio > 0.8 && ratio < 1.25 {
			best, bestN = r, n
		}
	}
	if bestN < 25 {
		t.Fatal("locating the QR code: no dense square region on the page")
	}
	// A box well inside the symbol, which symbolBounds grows to its edges.
	return image.Rect(best.Min.X*b, best.Min.Y*b, best.Max.X*b, best.Max.Y*b).Inset(2 * b)
}

func TestParseLayout(t *testing.T) {
	for in, want := range map[string]certpdf.Layout{"": certpdf.Leaflet, "a4": certpdf.Leaflet, "A4": certpdf.Leaflet, "a6": certpdf.A6, " A6 ": certpdf.A6} {
		if got, err := certpdf.ParseLayout(in); err != nil || got != want {
			t.Errorf("ParseLayout(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"a5", "letter", "leaflet2"} {
		if _, err := certpdf.ParseLayout(in); err == nil || !strings.Contains(err.Error(), "want a4") {
			t.Errorf("ParseLayout(%q): got %v, want an error naming the layouts", in, err)
		}
	}
	if err := renderer(t).Render(io.Discard, certpdf.Certificate{HC1: "HC1:0123", Payload: vaccination(), Layout: 7}); err == nil {
		t.Error("an unknown layout rendered")
	}
}
