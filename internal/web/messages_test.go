package web

import (
	"testing"

	"dcc/i18n"
)

func TestMessagesBilingual(t *testing.T) {
	for _, err := range i18n.Lint(msg) {
		t.Error(err)
	}
	for key, l := range labels {
		if txt := split(l); txt.ES == txt.EN {
			t.Errorf("label %s: %q is not Spanish / English", key, l)
		}
	}
}
