package verify

import (
	"testing"

	"dcc/i18n"
)

func TestMessagesInBothLanguages(t *testing.T) {
	for _, e := range i18n.Lint(messages()) {
		t.Error(e)
	}
}

func TestTrustNote(t *testing.T) {
	m := messages()
	for _, c := range []struct {
		countries []string
		issuer    string
		want      i18n.Text
	}{
		{nil, "NL", m.TrustEmpty},
		{[]string{"ES"}, "NL", m.TrustOnly.With("ES", "NL")},
		{[]string{"ES"}, "ES", m.TrustHasIssuer.With("ES")},
		{[]string{"DE", "ES"}, "NL", m.TrustNotIssuer.With("NL", "DE, ES")},
	} {
		if got := m.trustNote(c.countries, c.issuer); got != c.want {
			t.Errorf("%v, %s: %+v", c.countries, c.issuer, got)
		}
	}
	if got := m.trustNote([]string{"ES"}, "NL"); got.ES != "La lista de confianza solo contiene certificados de firma de ES; un certificado de otro país (este dice ser de NL) no puede comprobarse aquí, lo que no significa que sea falso" {
		t.Errorf("ES: %q", got.ES)
	}
}
