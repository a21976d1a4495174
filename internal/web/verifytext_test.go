package web

import (
	"testing"

	"dcc/i18n"
)

func TestVerifyTextInBothLanguages(t *testing.T) {
	for _, e := range i18n.Lint(verifyText()) {
		t.Error(e)
	}
}
