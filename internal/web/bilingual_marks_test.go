package web_test

import (
	"net/http"
	"strings"
	"testing"

	"dcc/i18n"
	"dcc/internal/web"
)

// bi marks the English half of a label, escapes both halves, and marks
// nothing where it cannot tell the halves apart.
func TestBi(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{"Titular / Holder", `Titular / <span lang="en">Holder</span>`},
		{"Apellidos <b> / Surname & co", `Apellidos &lt;b&gt; / <span lang="en">Surname &amp; co</span>`},
		{"Comirnaty", "Comirnaty"},
		{"a / b / c", "a / b / c"},
		{"2021-03-01", "2021-03-01"},
		{i18n.Text{ES: "Revocado", EN: "Revoked"}, `Revocado / <span lang="en">Revoked</span>`},
		{i18n.Text{ES: "a / b", EN: "c / d"}, `a / b / <span lang="en">c / d</span>`},
		{i18n.Text{ES: "Spikevax", EN: "Spikevax"}, "Spikevax"},
		{i18n.Text{EN: "only English"}, `<span lang="en">only English</span>`},
		{3, "3"},
	} {
		if got := string(web.Bi(c.in)); got != c.want {
			t.Errorf("bi(%#v) = %s, want %s", c.in, got, c.want)
		}
	}
}

// The form as served marks its English halves, and links an input in error
// to its hint and its error.
func TestFormMarksEnglishAndErrors(t *testing.T) {
	s := newSystem(t, nil)
	c := s.client(t)
	c.signIn(s.labToken())
	form := testForm(c.csrfToken())
	form.Set("dob", "1998-02-30")
	res := c.post("/issue/test", form).want(t, http.StatusUnprocessableEntity)
	for _, want := range []string{
		`<legend>Titular / <span lang="en">Holder</span></legend>`,
		`id="f-dob" name="dob" value="1998-02-30" autocomplete="off" aria-describedby="f-dob-hint f-dob-error" aria-invalid="true"`,
		`<small class="hint" id="f-dob-hint">`, `<div class="error" id="f-dob-error">`,
		`<div class="problems" id="problems" role="alert" tabindex="-1" autofocus>`,
	} {
		if !strings.Contains(res.raw, want) {
			t.Errorf("the page lacks %s:\n%s", want, res.raw)
		}
	}
}
