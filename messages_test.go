package dcc

import (
	"testing"

	"dcc/i18n"
)

// TestMessagesBilingual fails when a reason of the validator has no Spanish
// text, keeps the English one, or takes other arguments.
func TestMessagesBilingual(t *testing.T) {
	for _, err := range i18n.Lint(msg) {
		t.Error(err)
	}
}
