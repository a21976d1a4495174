package web

import (
	"fmt"
	"html/template"
	"strings"

	"dcc/i18n"
)

// bi renders a bilingual text for a page in lang="es": the English half in
// <span lang="en">, so that screen readers speak it in English (WCAG 3.1.2).
// It takes an i18n.Text, or a string "Español / English" split at its " / ".
// A string with no " / ", or with several (where the halves cannot be told
// apart), is only escaped. Pages use it as {{bi "Titular / Holder"}} or
// {{bi .Label}}.
func bi(v any) template.HTML {
	var es, en string
	switch t := v.(type) {
	case template.HTML:
		return t // rendered by bi already
	case i18n.Text:
		es, en = t.ES, t.EN
		if es == en { // a product name, the same in both
			en = ""
		}
	case string:
		es, en = halves(t)
	case fmt.Stringer:
		es, en = halves(t.String())
	default:
		es = fmt.Sprint(v)
	}
	out := template.HTMLEscapeString(es)
	if en != "" {
		if es != "" {
			out += " / "
		}
		out += `<span lang="en">` + template.HTMLEscapeString(en) + `</span>`
	}
	return template.HTML(out)
}

// halves splits "Español / English" at its one " / ".
func halves(s string) (es, en string) {
	if strings.Count(s, " / ") != 1 {
		return s, ""
	}
	es, en, _ = strings.Cut(s, " / ")
	return es, en
}
