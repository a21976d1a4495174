package i18n_test

import (
	"strings"
	"testing"

	"dcc/i18n"
)

func TestFormatWith(t *testing.T) {
	what := i18n.Text{ES: "la vacunación", EN: "the vaccination"}
	f := i18n.Format{ES: "%s es posterior a hoy: %s no puede certificarse", EN: "%s is in the future: %s cannot be certified"}
	got := f.With("2030-01-01", what)
	if got.ES != "2030-01-01 es posterior a hoy: la vacunación no puede certificarse" || got.EN != "2030-01-01 is in the future: the vaccination cannot be certified" {
		t.Fatalf("With: %+v", got)
	}
	if s := got.String(); !strings.Contains(s, " / ") {
		t.Errorf("String: %q", s)
	}
	if gap := f.With("x", i18n.Text{EN: "only English"}); gap.ES != "" || gap.EN == "" {
		t.Errorf("a Text argument without Spanish gave %+v", gap)
	}
	if got.In("es-ES") != got.ES || got.In("en") != got.EN || got.In("fr") != got.EN {
		t.Errorf("In")
	}
}

func TestLint(t *testing.T) {
	table := struct {
		Good   i18n.Text
		NoES   i18n.Text
		Same   i18n.Text
		Name   i18n.Text
		Args   i18n.Format
		Nested struct{ Deep i18n.Text }
		ByCode map[string]i18n.Text
	}{
		Good:   i18n.Text{ES: "hola", EN: "hello"},
		NoES:   i18n.Text{EN: "required: say why"},
		Same:   i18n.Text{ES: "not translated", EN: "not translated"},
		Name:   i18n.Text{ES: "DSC", EN: "DSC"},
		Args:   i18n.Format{ES: "%s tiene %d", EN: "%q has %d"},
		Nested: struct{ Deep i18n.Text }{i18n.Text{ES: "", EN: "deep"}},
		ByCode: map[string]i18n.Text{"x": {ES: "equis", EN: ""}},
	}
	errs := i18n.Lint(&table)
	var got []string
	for _, e := range errs {
		got = append(got, strings.SplitN(e.Error(), ":", 2)[0])
	}
	want := "NoES Same Args Nested.Deep ByCode.x"
	if strings.Join(got, " ") != want {
		t.Errorf("Lint found %q, want %q (%v)", strings.Join(got, " "), want, errs)
	}
}
