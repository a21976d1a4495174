package web_test

import (
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
