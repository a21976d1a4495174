package server_test

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"dcc/i18n"
	"dcc/internal/config"
	"dcc/internal/server"
)

// A revoked certificate's QR code and PDF are refused with 410 and a
// bilingual explanation; the record itself stays readable.
func TestRevokedNotServed(t *testing.T) {
	s := newStack(t, nil)
	lab := s.token("lab")
	var c server.Certificate
	s.do("POST", "/api/v1/certificates/test", lab, testBody()).json(t, &c)
	p := server.CertificatePath(c.UVCI)
	for _, suffix := range []string{"/qr.png", "/qr.svg", "/pdf"} {
		if r := s.do("GET", p+suffix, lab, nil); r.status != http.StatusOK {
			t.Fatalf("%s before revocation: %d", suffix, r.status)
		}
	}
	if r := s.do("POST", p+"/revoke", lab, `{"reason": "wrong person"}`); r.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	for _, suffix := range []string{"/qr.png", "/qr.svg", "/pdf", "/pdf?layout=a6"} {
		r := s.do("GET", p+suffix, lab, nil)
		if r.status != http.StatusGone || r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s after revocation: %d %q, want 410 with a problem", suffix, r.status, r.header.Get("Content-Type"))
			continue
		}
		pr := r.problem(t)
		if pr.Type != "/problems/revoked" || !strings.Contains(pr.Detail, "está revocado") || !strings.Contains(pr.Detail, "is revoked") {
			t.Errorf("%s: problem %+v", suffix, pr)
		}
		if bytes.Contains(r.body, []byte("HC1:")) {
			t.Errorf("%s: the refusal carries the HC1 string", suffix)
		}
	}
	if r := s.do("GET", p, lab, nil); r.status != http.StatusOK {
		t.Errorf("the revoked record itself: %d", r.status)
	}
	for _, err := range i18n.Lint(server.RevokedText()) {
		t.Error(err)
	}
}

// ?layout= chooses the leaflet or the single A6 page; demo material is marked as
// such, and a document of a deployment that is not a demo is not.
func TestPDFLayoutAndDemo(t *testing.T) {
	for _, demo := range []bool{true, false} {
		s := newStack(t, func(c *config.Config) { c.Demo = demo })
		lab := s.token("lab")
		var c server.Certificate
		s.do("POST", "/api/v1/certificates/test", lab, testBody()).json(t, &c)
		for layout, want := range map[string]string{"": "Pages: 1 A4", "a4": "Pages: 1 A4", "a6": "Pages: 1 A6"} {
			url := c.PDF
			if layout != "" {
				url += "?layout=" + layout
			}
			r := s.do("GET", url, lab, nil)
			if r.status != http.StatusOK || !bytes.HasPrefix(r.body, []byte("%PDF-")) {
				t.Fatalf("%s: %d", url, r.status)
			}
			info, text := poppler(t, r.body)
			if info != want {
				t.Errorf("layout %q: %s, want %s", layout, info, want)
			}
			if got := strings.Contains(text, "DEMO — no válido / not valid"); got != demo {
				t.Errorf("layout %q, demo %v: the DEMO band is there: %v", layout, demo, got)
			}
		}
		r := s.do("GET", c.PDF+"?layout=letter", lab, nil)
		if pr := r.problem(t); r.status != http.StatusUnprocessableEntity || len(pr.Errors) != 1 || pr.Errors[0].Field != "layout" ||
			!strings.Contains(pr.Errors[0].Reason, "a6") {
			t.Errorf("layout=letter: %d %+v", r.status, pr)
		}
	}
}

// poppler is the page count and size pdfinfo reads ("Pages: 1 A4") and the
// text pdftotext extracts, whitespace made single spaces; the test is skipped
// without poppler-utils.
func poppler(t *testing.T, pdf []byte) (info, text string) {
	t.Helper()
	for _, tool := range []string{"pdfinfo", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: install the Debian package poppler-utils to run this test", tool)
		}
	}
	path := filepath.Join(t.TempDir(), "cert.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindSubmatch(out)
	size := regexp.MustCompile(`(?m)^Page size:.*\((A\d)\)$`).FindSubmatch(out)
	if pages == nil || size == nil {
		t.Fatalf("pdfinfo:\n%s", out)
	}
	txt, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return "Pages: " + string(pages[1]) + " " + string(size[1]), strings.Join(strings.Fields(string(txt)), " ")
}
