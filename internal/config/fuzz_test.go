package config_test

import (
	"testing"

	"dcc/internal/config"
)

// FuzzParse: any input is decoded or refused, never a panic; what decodes
// validates or says why.
func FuzzParse(f *testing.F) {
	f.Add(minimal)
	f.Add(`{"country": "ES", "validity": {"test": "99999d"}}`)
	f.Add(`{"country": "ES", "http": {"addr": "[::1"}, "delivery": {"retryBase": "-1s"}}`)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := config.Parse([]byte(s))
		if err != nil {
			return
		}
		_ = c.Validate()
	})
}
