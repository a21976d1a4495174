package server

import (
	"testing"

	"dcc/i18n"
)

func TestMessagesBilingual(t *testing.T) {
	for _, err := range i18n.Lint(msg) {
		t.Error(err)
	}
}
