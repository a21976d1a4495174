package doses

import (
	"fmt"
	"testing"

	"dcc/i18n"
)

func TestMessagesBilingual(t *testing.T) {
	for _, err := range i18n.Lint(msg) {
		t.Error(err)
	}
	got := Explain(&FieldError{"doses[0].date", fmt.Errorf("%q is %w", "2021-13-01", ErrDate)})
	if got.ES != msg.Date.ES || got.EN == "" {
		t.Errorf("Explain: %+v", got)
	}
}
