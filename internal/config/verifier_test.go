package config_test

import (
	"strings"
	"testing"
	"time"

	"dcc/internal/config"
)

// The bounds on photos have defaults and are checked at start-up.
func TestVerifierImageBounds(t *testing.T) {
	c, err := config.Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if v := c.Verifier; v.MaxImageBytes != 10<<20 || v.MaxImagePixels != 16_000_000 || v.ImageDecodes != 0 ||
		v.ImageMemoryBytes != 256<<20 || time.Duration(v.ImageWait) != 2*time.Second {
		t.Errorf("defaults = %+v", v)
	}
	for _, tt := range []struct {
		json, want string
	}{
		{`"maxImageBytes": 100`, "verifier.maxImageBytes: 100"},
		{`"maxImageBytes": 30000000`, "verifier.maxImageBytes: 30000000"},
		{`"maxImagePixels": 50000000`, "verifier.maxImagePixels: 50000000"},
		{`"maxImagePixels": 1000`, "verifier.maxImagePixels: 1000"},
		{`"imageDecodes": -1`, "verifier.imageDecodes: -1"},
		{`"imageMemoryBytes": 1000000`, "verifier.imageMemoryBytes: 1000000"},
		{`"imageWait": "5m"`, "verifier.imageWait: 5m0s"},
		{`"imageWait": "1ms"`, "verifier.imageWait: 1ms"},
	} {
		c, err := config.Parse([]byte(strings.Replace(minimal, `"country": "ES",`, `"country": "ES", "verifier": {`+tt.json+`},`, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.json, err, tt.want)
		}
	}
	good := `"maxImageBytes": 5000000, "maxImagePixels": 12000000, "imageDecodes": 4, "imageMemoryBytes": 536870912, "imageWait": "500ms"`
	c, err = config.Parse([]byte(strings.Replace(minimal, `"country": "ES",`, `"country": "ES", "verifier": {`+good+`},`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil && strings.Contains(err.Error(), "verifier") {
		t.Errorf("a valid verifier section: %v", err)
	}
}
