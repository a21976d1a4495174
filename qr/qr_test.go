package qr_test

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/encoder"
	rscqr "rsc.io/qr"

	"dcc/qr"
)

const vectors = "../../shared/testdata/dgc-testdata"

// hc1 returns "HC1:" followed by pseudo-random Base45 characters, n in all.
func hc1(n int) string {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	b := []byte("HC1:")
	for len(b) < n {
		b = append(b, qr.Alphabet[r.IntN(len(qr.Alphabet))])
	}
	return string(b[:n])
}

func mustEncode(t testing.TB, text string) *qr.Code {
	t.Helper()
	c, err := qr.Encode(text)
	if err != nil {
		t.Fatalf("Encode(%d chars): %v", len(text), err)
	}
	return c
}

func TestRoundTrip(t *testing.T) {
	for _, n := range []int{5, 45, 300, 600, 1000, 2000} {
		text := hc1(n)
		c := mustEncode(t, text)
		img, err := c.PNG(0)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := qr.Decode(img); err != nil || got != text {
			t.Errorf("%d chars (version %d): decoded %.20q…, %v", n, c.Version(), got, err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(img))
		if err != nil {
			t.Fatal(err)
		}
		if want := (c.Size() + 2*qr.QuietZone) * qr.DefaultScale; cfg.Width != want || cfg.Height != want {
			t.Errorf("%d chars: PNG %d×%d, want %d×%d (quiet zone of %d modules)", n, cfg.Width, cfg.Height, want, want, qr.QuietZone)
		}
		if c.Size() != 17+4*c.Version() {
			t.Errorf("version %d has size %d", c.Version(), c.Size())
		}
	}
}

// The smallest version that fits, at level Q (ISO/IEC 18004 Table 7:
// alphanumeric capacity 16 in version 1, 29 in 2, 644 in 19, 2420 in 40).
func TestVersion(t *testing.T) {
	for _, tc := range []struct{ n, version int }{
		{16, 1}, {17, 2}, {29, 2}, {30, 3}, {600, 19}, {644, 19}, {645, 20}, {2420, 40},
	} {
		c := mustEncode(t, hc1(tc.n))
		if c.Version() != tc.version {
			t.Errorf("%d chars: version %d, want %d", tc.n, c.Version(), tc.version)
		}
	}
	// docs/dependencies.md: a 600-character HC1 is version 19, 93×93.
	if c := mustEncode(t, hc1(600)); c.Version() != 19 || c.Size() != 93 {
		t.Errorf("600 chars: version %d, %d×%d; want 19, 93×93", c.Version(), c.Size(), c.Size())
	}
}

// zxing's encoder picks the version and mask by the same rules from the
// same bit stream, so its matrix must equal ours module for module.
func TestMatchesZxingEncoder(t *testing.T) {
	for _, n := range []int{7, 40, 150, 300, 600, 1000, 2420} {
		text := hc1(n)
		c := mustEncode(t, text)
		z, err := encoder.Encoder_encode(text, decoder.ErrorCorrectionLevel_Q, nil)
		if err != nil {
			t.Fatal(err)
		}
		if v := z.GetVersion().GetVersionNumber(); v != c.Version() {
			t.Errorf("%d chars: version %d, zxing %d", n, c.Version(), v)
			continue
		}
		m := z.GetMatrix()
		diff := 0
		for y := range c.Size() {
			for x := range c.Size() {
				if c.Black(x, y) != (m.Get(x, y) == 1) {
					diff++
				}
			}
		}
		if diff != 0 {
			t.Errorf("%d chars (version %d): %d modules differ from zxing (its mask %d)", n, c.Version(), diff, z.GetMaskPattern())
		}
	}
}

func TestEncodeRefused(t *testing.T) {
	for _, tc := range []struct {
		text   string
		char   rune
		offset int
	}{
		{"hc1:ABC", 'h', 0},
		{"HC1:ABc", 'c', 6},
		{"HC1:AB\nC", '\n', 6},
		{"HC1:é", 'é', 4},
		{"HC1:AB\xff", utf8.RuneError, 6},
		{"HC1:A_B", '_', 5},
	} {
		_, err := qr.Encode(tc.text)
		var ce *qr.CharError
		if !errors.As(err, &ce) || ce.Char != tc.char || ce.Offset != tc.offset {
			t.Errorf("Encode(%q) = %v; want CharError %q at %d", tc.text, err, tc.char, tc.offset)
		}
	}
	for _, text := range []string{"", hc1(2421)} {
		if _, err := qr.Encode(text); err == nil {
			t.Errorf("Encode(%d chars) succeeded", len(text))
		}
	}
}

func TestPNGScale(t *testing.T) {
	c := mustEncode(t, hc1(600)) // 93 + 8 = 101 modules per side
	for _, tc := range []struct{ scale, side int }{{0, 404}, {1, 101}, {10, 1010}, {81, 8181}} {
		p, err := c.PNG(tc.scale)
		if err != nil {
			t.Fatalf("scale %d: %v", tc.scale, err)
		}
		img, err := png.Decode(bytes.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != tc.side || b.Dy() != tc.side {
			t.Fatalf("scale %d: %v, want %d pixels per side", tc.scale, b, tc.side)
		}
		s := tc.side / 101
		for _, m := range []struct {
			x, y int
			dark bool
		}{{-4, -4, false}, {-1, 0, false}, {0, 0, true}, {92, 0, true}, {7, 0, false}, {92, 92, c.Black(92, 92)}, {96, 96, false}} {
			px := color.GrayModel.Convert(img.At((m.x+4)*s+s-1, (m.y+4)*s)).(color.Gray).Y
			if (px == 0) != m.dark {
				t.Errorf("scale %d: module (%d,%d) pixel %d, want dark %v", tc.scale, m.x, m.y, px, m.dark)
			}
		}
	}
	for _, scale := range []int{-1, 82} {
		if _, err := c.PNG(scale); err == nil {
			t.Errorf("PNG(%d) succeeded", scale)
		}
	}
}

func TestSVG(t *testing.T) {
	c := mustEncode(t, hc1(300))
	svg := c.SVG(0)
	var doc struct {
		XMLName xml.Name `xml:"svg"`
		Width   int      `xml:"width,attr"`
		ViewBox string   `xml:"viewBox,attr"`
		Paths   []struct {
			D string `xml:"d,attr"`
		} `xml:"path"`
	}
	if err := xml.Unmarshal(svg, &doc); err != nil {
		t.Fatalf("SVG is not well-formed XML: %v", err)
	}
	side := c.Size() + 2*qr.QuietZone
	if doc.Width != side*qr.DefaultScale || doc.ViewBox != "0 0 "+strconv.Itoa(side)+" "+strconv.Itoa(side) {
		t.Errorf("width %d, viewBox %q; want %d, 0 0 %d %d", doc.Width, doc.ViewBox, side*qr.DefaultScale, side, side)
	}
	if len(doc.Paths) != 1 {
		t.Fatalf("%d paths, want 1", len(doc.Paths))
	}
	// Redraw the path: each "Mx yhNv1h-Nz" is a run of dark modules.
	dark := 0
	for _, run := range strings.Split(strings.TrimSuffix(doc.Paths[0].D, "z"), "z") {
		var x, y, w, w2 int
		if _, err := fmt.Sscanf(run, "M%d %dh%dv1h-%d", &x, &y, &w, &w2); err != nil || w != w2 {
			t.Fatalf("path segment %q: %v", run, err)
		}
		for i := range w {
			if !c.Black(x-qr.QuietZone+i, y-qr.QuietZone) {
				t.Fatalf("path marks light module (%d,%d)", x-qr.QuietZone+i, y-qr.QuietZone)
			}
			dark++
		}
	}
	want := 0
	for y := range c.Size() {
		for x := range c.Size() {
			if c.Black(x, y) {
				want++
			}
		}
	}
	if dark != want {
		t.Errorf("path covers %d modules, symbol has %d dark", dark, want)
	}
}

// A phone photo arrives as a JPEG.
func TestJPEG(t *testing.T) {
	text := hc1(600)
	p, err := mustEncode(t, text).PNG(6)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(p))
	if err != nil {
		t.Fatal(err)
	}
	var j bytes.Buffer
	if err := jpeg.Encode(&j, img, &jpeg.Options{Quality: 75}); err != nil {
		t.Fatal(err)
	}
	if got, err := qr.Decode(j.Bytes()); err != nil || got != text {
		t.Errorf("JPEG quality 75: decoded %.20q…, %v", got, err)
	}
}

func TestDecodeRefused(t *testing.T) {
	var huge bytes.Buffer
	png.Encode(&huge, image.NewGray(image.Rect(0, 0, 8000, 6000))) // 48 megapixels
	white := image.NewGray(image.Rect(0, 0, 100, 100))
	for i := range white.Pix {
		white.Pix[i] = 0xff
	}
	var blank bytes.Buffer
	png.Encode(&blank, white)
	for name, tc := range map[string]struct {
		data     []byte
		notFound bool
	}{
		"empty":       {nil, false},
		"text":        {[]byte("HC1:NCFOXN%TS"), false},
		"truncated":   {blank.Bytes()[:60], false},
		"too large":   {huge.Bytes(), false},
		"over 20 MiB": {make([]byte, qr.MaxImageBytes+1), false},
		"no code":     {blank.Bytes(), true},
	} {
		_, err := qr.Decode(tc.data)
		if err == nil || errors.Is(err, qr.ErrNotFound) != tc.notFound {
			t.Errorf("%s: %v (want ErrNotFound: %v)", name, err, tc.notFound)
		}
	}
	if _, err := qr.DecodeImage(white); !errors.Is(err, qr.ErrNotFound) {
		t.Errorf("DecodeImage(blank): %v", err)
	}
}

// Every HC1 string of the member-state vectors, and synthetic ones from
// version 1 to 40, rendered as PNG, reads back byte for byte both with
// Decode and with zbarimg, an independent decoder.
func TestRenderedCodesDecode(t *testing.T) {
	texts := map[string]bool{}
	for _, n := range []int{10, 16, 17, 45, 120, 300, 600, 644, 645, 1000, 1500, 2000, 2420} {
		texts[hc1(n)] = true
	}
	vectorTexts := 0
	filepath.WalkDir(vectors, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return nil
		}
		if v, ok := readVector(t, path); ok && strings.HasPrefix(v.Prefix, "HC1:") {
			if _, err := qr.Encode(v.Prefix); err == nil && !texts[v.Prefix] {
				texts[v.Prefix] = true
				vectorTexts++
			}
		}
		return nil
	})
	t.Logf("%d HC1 strings from the vectors, %d in all", vectorTexts, len(texts))
	versions := map[int]bool{}
	dir := t.TempDir()
	var files, want []string
	var r qr.Renderer
	for text := range texts {
		c := mustEncode(t, text)
		versions[c.Version()] = true
		scales := []int{qr.DefaultScale}
		if strings.HasPrefix(text, hc1(4)) && text == hc1(len(text)) {
			scales = append(scales, 6) // the service's
		}
		for _, scale := range scales {
			p, err := r.PNG(c, scale)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := qr.Decode(p); err != nil || got != text {
				t.Errorf("%d chars (version %d), scale %d: Decode read %.30q…, %v", len(text), c.Version(), scale, got, err)
			}
			f := filepath.Join(dir, fmt.Sprintf("%d.png", len(files)))
			if err := os.WriteFile(f, p, 0o644); err != nil {
				t.Fatal(err)
			}
			files, want = append(files, f), append(want, text)
		}
	}
	if !versions[1] || !versions[19] || !versions[40] {
		t.Errorf("versions %v: want 1, 19 and 40 among them", versions)
	}
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg (Debian zbar-tools) not installed")
	}
	// One zbarimg for all the files: it prints one line per symbol, in
	// order. Only if that does not match are the files read one by one.
	out, err := exec.Command(zbar, append([]string{"--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"}, files...)...).Output()
	if got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n"); err == nil && slices.Equal(got, want) {
		return
	}
	for i, f := range files {
		out, err := exec.Command(zbar, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", f).Output()
		if got := strings.TrimSuffix(string(out), "\n"); err != nil || got != want[i] {
			t.Errorf("%d chars: zbarimg read %.30q…, %v; want %.30q…", len(want[i]), got, err, want[i])
		}
	}
}

// vector is the part of a member-state test vector about the picture.
type vector struct {
	Code     string `json:"2DCODE"`
	Prefix   string `json:"PREFIX"`
	Expected struct {
		Picture *bool `json:"EXPECTEDPICTUREDECODE"`
	} `json:"EXPECTEDRESULTS"`
}

func readVector(t *testing.T, path string) (vector, bool) {
	var v vector
	data, err := os.ReadFile(path)
	if err != nil {
		return v, false
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Logf("%s: not a test vector: %v", path, err)
		return v, false
	}
	return v, true
}

// check decodes a member-state image and holds it to its vector: it must
// read as PREFIX unless the vector says the picture is not decodable or
// does not test the picture at all.
func check(t *testing.T, name string, img []byte, v vector, hasVector bool) (ok bool) {
	got, err := qr.Decode(img)
	ok = err == nil && (!hasVector || v.Prefix == "" || got == v.Prefix)
	switch {
	case !hasVector || v.Prefix == "":
		if err != nil {
			t.Logf("%s (no vector to compare): %v", name, err)
		}
	case v.Expected.Picture != nil && !*v.Expected.Picture:
		if ok {
			t.Errorf("%s: decoded, but the vector says the picture must not decode", name)
		}
	case !ok && v.Expected.Picture != nil:
		t.Errorf("%s: read %.30q…, %v; want PREFIX %.30q…", name, got, err, v.Prefix)
	case !ok:
		// No EXPECTEDPICTUREDECODE: some vectors (ES 501–503) carry the
		// image of another certificate. Note it only.
		t.Logf("%s: read %.30q…, %v; PREFIX %.30q… (picture not tested by the vector)", name, got, err, v.Prefix)
	}
	return ok
}

// The base64 PNG in each raw vector ("2DCODE").
func TestMemberStateVectorImages(t *testing.T) {
	var files []string
	filepath.WalkDir(vectors, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") && strings.EqualFold(filepath.Base(filepath.Dir(path)), "raw") {
			files = append(files, path)
		}
		return nil
	})
	if len(files) == 0 {
		t.Skip("member-state test vectors not found under " + vectors)
	}
	decoded, total := 0, 0
	for _, f := range files {
		v, ok := readVector(t, f)
		if !ok || v.Code == "" {
			continue
		}
		img, err := base64.StdEncoding.DecodeString(v.Code)
		if err != nil {
			t.Errorf("%s: 2DCODE is not base64: %v", f, err)
			continue
		}
		total++
		if check(t, f, img, v, true) {
			decoded++
		}
	}
	t.Logf("2DCODE images: %d of %d decoded to PREFIX (%d vector files)", decoded, total, len(files))
	if total == 0 {
		t.Error("no 2DCODE images found")
	}
}

// otherCertificate lists PNG files that hold a different HC1 string than
// the vector of the same name (zbarimg reads them as we do).
var otherCertificate = map[string]bool{
	"ES/png/2101.png": true,
	"ES/png/2102.png": true,
	"ES/png/2103.png": true,
}

// The PNG files beside the vectors (<country>/png/N.png and
// <country>/2DCode/png/N.png), matched to raw/N.json, raw/N_Raw.json or, for
// IE's N_qr.png, Raw/N.json. Aztec codes are not QR codes and are skipped.
func TestMemberStatePNGFiles(t *testing.T) {
	var files []string
	filepath.WalkDir(vectors, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".png") && !strings.Contains(path, "aztec") {
			files = append(files, path)
		}
		return nil
	})
	if len(files) == 0 {
		t.Skip("member-state test vectors not found under " + vectors)
	}
	decoded, matched := 0, 0
	for _, f := range files {
		dir, stem := filepath.Dir(f), strings.TrimSuffix(strings.TrimSuffix(filepath.Base(f), ".png"), "_qr")
		country := dir
		if filepath.Base(dir) == "png" {
			country = filepath.Dir(dir)
		}
		country = strings.TrimSuffix(country, string(filepath.Separator)+"2DCode")
		var v vector
		found := false
		for _, cand := range []string{"2DCode/raw/" + stem + ".json", "2DCode/raw/" + stem + "_Raw.json", "2DCode/Raw/" + stem + ".json"} {
			if v, found = readVector(t, filepath.Join(country, cand)); found {
				break
			}
		}
		if found && v.Prefix != "" {
			matched++
		}
		img, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if rel, _ := filepath.Rel(vectors, f); otherCertificate[filepath.ToSlash(rel)] {
			got, err := qr.Decode(img)
			if err != nil || got == v.Prefix {
				t.Errorf("%s: listed as showing another certificate, but read %.30q…, %v", f, got, err)
			} else {
				decoded++
				t.Logf("%s: decoded; shows another certificate than its vector (known upstream mismatch)", f)
			}
			continue
		}
		if check(t, f, img, v, found) {
			decoded++
		}
	}
	t.Logf("PNG files: %d of %d decoded (%d matched to a vector's PREFIX)", decoded, len(files), matched)
	if matched == 0 {
		t.Error("no PNG file matched a vector")
	}
}

func Example() {
	c, err := qr.Encode("HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH")
	if err != nil {
		panic(err)
	}
	png, err := c.PNG(2)
	if err != nil {
		panic(err)
	}
	text, err := qr.Decode(png)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Version(), c.Size(), text)
	// Output: 3 29 HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH
}

func ExampleEncode_refused() {
	_, err := qr.Encode("HC1:6bfox")
	fmt.Println(err)
	// Output: qr: character 'b' at offset 5 is not in the QR alphanumeric set (0-9 A-Z space $%*+-./:); HC1 strings are upper-case Base45
}

func FuzzDecode(f *testing.F) {
	for _, text := range []string{"HC1:ABC", hc1(100)} {
		c, _ := qr.Encode(text)
		p, _ := c.PNG(1)
		f.Add(p)
		var j bytes.Buffer
		img, _ := png.Decode(bytes.NewReader(p))
		jpeg.Encode(&j, img, nil)
		f.Add(j.Bytes())
	}
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 8<<10 {
			return
		}
		// Bound the work per input: a few kilobytes can declare a huge
		// image, which Decode would accept up to MaxImagePixels.
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil && cfg.Width*cfg.Height > 1<<16 {
			return
		}
		text, err := qr.Decode(data)
		if err == nil && text == "" {
			// An empty symbol is possible; nothing else to check.
			return
		}
		if err != nil && text != "" {
			t.Errorf("text %q with error %v", text, err)
		}
	})
}

// QR → PNG of a 600-character HC1 string (version 19, level Q) at 4 px
// per module, side by side with rsc.io/qr, which scores no mask (it always
// uses mask 0) and is the fastest Go encoder we know.
func BenchmarkEncodePNG(b *testing.B) {
	text := hc1(600)
	b.Run("dcc", func(b *testing.B) {
		var r qr.Renderer
		b.ReportAllocs()
		for b.Loop() {
			c, err := qr.Encode(text)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := r.PNG(c, 4); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rsc.io-qr", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c, err := rscqr.Encode(text, rscqr.Q)
			if err != nil {
				b.Fatal(err)
			}
			c.Scale = 4
			c.PNG()
		}
	})
}

func BenchmarkPNG(b *testing.B) {
	c := mustEncode(b, hc1(600))
	var r qr.Renderer
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.PNG(c, 4); err != nil {
			b.Fatal(err)
		}
	}
}

// The PNG is well formed to the last byte: chunk CRCs, the exact length
// of the data, zlib's Adler-32 (which image/png does not check), and the
// scanlines of the symbol, quiet zone included, at every scale.
func TestPNGStream(t *testing.T) {
	for _, n := range []int{5, 300, 600, 2420} {
		c := mustEncode(t, hc1(n))
		side := c.Size() + 2*qr.QuietZone
		for _, scale := range []int{1, 2, 3, 4, 6, 11, qr.MaxPNGSide / side} {
			name := fmt.Sprintf("version %d, scale %d", c.Version(), scale)
			p, err := c.PNG(scale)
			if err != nil {
				t.Fatal(err)
			}
			if len(p) != cap(p) {
				t.Errorf("%s: %d bytes in a buffer of %d: the size computed is not the size written", name, len(p), cap(p))
			}
			if !bytes.HasPrefix(p, []byte("\x89PNG\r\n\x1a\n")) {
				t.Fatalf("%s: no PNG signature", name)
			}
			var types []string
			var idat []byte
			w := side * scale
			for rest := p[8:]; len(rest) > 0; {
				if len(rest) < 12 {
					t.Fatalf("%s: %d bytes after the last chunk", name, len(rest))
				}
				size := int(binary.BigEndian.Uint32(rest))
				body := rest[4 : 8+size]
				if crc := binary.BigEndian.Uint32(rest[8+size:]); crc != crc32.ChecksumIEEE(body) {
					t.Fatalf("%s: chunk %q has a wrong CRC", name, body[:4])
				}
				typ := string(body[:4])
				types = append(types, typ)
				switch typ {
				case "IHDR":
					if want := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(w)), uint32(w)); !bytes.Equal(body[4:12], want) || !bytes.Equal(body[12:], []byte{1, 0, 0, 0, 0}) {
						t.Fatalf("%s: IHDR % x", name, body[4:])
					}
				case "IDAT":
					idat = append(idat, body[4:]...)
				}
				rest = rest[12+size:]
			}
			if !slices.Equal(types, []string{"IHDR", "IDAT", "IEND"}) {
				t.Fatalf("%s: chunks %v", name, types)
			}
			zr, err := zlib.NewReader(bytes.NewReader(idat))
			if err != nil {
				t.Fatal(err)
			}
			raw, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("%s: inflating the image data: %v", name, err)
			}
			stride := (w+7)/8 + 1
			want := make([]byte, 0, w*stride)
			for y := range w {
				line := make([]byte, stride)
				for x := range w {
					if !c.Black(x/scale-qr.QuietZone, y/scale-qr.QuietZone) {
						line[1+x/8] |= 0x80 >> (x % 8)
					}
				}
				for x := w; x < 8*(stride-1); x++ {
					line[1+x/8] |= 0x80 >> (x % 8) // padding bits, written light
				}
				want = append(want, line...)
			}
			if !bytes.Equal(raw, want) {
				t.Errorf("%s: the scanlines differ from the symbol (%d bytes, want %d)", name, len(raw), len(want))
			}
		}
	}
}

// A Renderer gives the same PNG as the one-off method.
func TestRendererReuse(t *testing.T) {
	var r qr.Renderer
	for _, n := range []int{20, 600, 300} {
		c, err := qr.Encode(hc1(n))
		if err != nil {
			t.Fatal(err)
		}
		a, err1 := r.PNG(c, 3)
		b, err2 := c.PNG(3)
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Fatalf("%d chars: Renderer and PNG differ (%v, %v)", n, err1, err2)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	text := hc1(600)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := qr.Encode(text); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePNG(b *testing.B) {
	text := hc1(600)
	p, err := mustEncode(b, text).PNG(0)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if got, err := qr.Decode(p); err != nil || got != text {
			b.Fatal(err)
		}
	}
}
