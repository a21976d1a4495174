package certpdf

import (
	"testing"

	"dcc/i18n"
)

// Every message of the document is in Spanish and English.
func TestMessages(t *testing.T) {
	for _, err := range i18n.Lint(msg) {
		t.Error(err)
	}
}
