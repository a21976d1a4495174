package web_test

import (
	"html"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A revoked certificate's QR code and PDF are refused with 410 and a
// page that says why in both languages, as the API refuses them; the
// certificate's page no longer offers them.
func TestRevokedCertificateHasNoQRCodeOrPDF(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)
	c.signIn(s.labToken())
	base := strings.TrimSuffix(c.post("/issue/test", testForm(c.csrfToken())).want(t, http.StatusSeeOther).location(t), "?issued=1")
	c.get(base+"/qr.png").want(t, http.StatusOK)
	c.get(base+"/pdf").want(t, http.StatusOK)
	detail := c.get(base).want(t, http.StatusOK)
	c.post(base+"/revoke", url.Values{"csrf": {detail.csrf(t)}, "reason": {"persona equivocada"}, "confirm": {"yes"}}).want(t, http.StatusSeeOther)

	for _, path := range []string{base + "/qr.png", base + "/pdf", base + "/pdf?layout=a6"} {
		res := c.get(path).want(t, http.StatusGone)
		body := html.UnescapeString(res.body)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type %s, want the explanation page", path, ct)
		}
		for _, want := range []string{"Certificado revocado / Certificate revoked", "Este certificado está revocado", "This certificate is revoked"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the page lacks %q", path, want)
			}
		}
		if strings.Contains(body, "HC1:") {
			t.Errorf("%s: the refusal shows the HC1 string", path)
		}
	}
	page := c.get(base).want(t, http.StatusOK)
	if strings.Contains(page.body, `/qr.png"`) || strings.Contains(page.body, `/pdf"`) || strings.Contains(page.body, "HC1:") {
		t.Error("the revoked certificate's page still offers its QR code, PDF or HC1 string")
	}
	if !strings.Contains(page.body, `id="no-copies"`) {
		t.Error("the revoked certificate's page does not say why there is no QR code or PDF")
	}
}

// The PDF comes as the folding A4 leaflet or, with ?layout=a6, as one A6
// page; the demo deployment's are marked DEMO.
func TestPDFLayouts(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)
	c.signIn(s.labToken())
	base := strings.TrimSuffix(c.post("/issue/test", testForm(c.csrfToken())).want(t, http.StatusSeeOther).location(t), "?issued=1")
	page := c.get(base).want(t, http.StatusOK)
	if !strings.Contains(page.body, `href="`+base+`/pdf?layout=a6"`) {
		t.Error("the page does not offer the A6 PDF")
	}
	for query, want := range map[string]struct{ file, size, pages string }{
		"":           {"certificado-covid-test.pdf", "(A4)", "1"},
		"?layout=a4": {"certificado-covid-test.pdf", "(A4)", "1"},
		"?layout=a6": {"certificado-covid-test-a6.pdf", "(A6)", "1"},
	} {
		res := c.get(base+"/pdf"+query).want(t, http.StatusOK)
		if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="`+want.file+`"`) {
			t.Errorf("%s: Content-Disposition %q, want %s", query, cd, want.file)
		}
		info, text := popplerInfo(t, res.body)
		if !strings.Contains(info, want.size) || !strings.Contains(info, "Pages:           "+want.pages+"\n") {
			t.Errorf("%s: want %s pages %s:\n%s", query, want.pages, want.size, info)
		}
		if !strings.Contains(text, "DEMO — no válido / not valid") || !strings.Contains(text, "Musterfrau-Gößinger") {
			t.Errorf("%s: the demo PDF lacks the DEMO band or the holder: %s", query, text)
		}
	}
	res := c.get(base+"/pdf?layout=letter").want(t, http.StatusBadRequest)
	if !strings.Contains(html.UnescapeString(res.body), "Formato desconocido / Unknown layout") {
		t.Error("an unknown layout is not explained")
	}
}

// popplerInfo is what pdfinfo says of pdf and its text (pdftotext,
// whitespace made single spaces); the test is skipped without poppler-utils.
func popplerInfo(t *testing.T, pdf string) (info, text string) {
	t.Helper()
	for _, tool := range []string{"pdfinfo", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: install the Debian package poppler-utils to run this test", tool)
		}
	}
	path := filepath.Join(t.TempDir(), "cert.pdf")
	if err := os.WriteFile(path, []byte(pdf), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	txt, err := exec.Command("pdftotext", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out), strings.Join(strings.Fields(string(txt)), " ")
}
