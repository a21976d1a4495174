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
	// Number forms in integer fields: refused by the decoder, never a panic.
	for _, lit := range []string{"2.0", "2e0", "-0", "1e400", "1180591620717411303424"} {
		f.Add(`{"country": "ES", "delivery": {"batch": ` + lit + `}, "http": {"burst": ` + lit + `}}`)
		f.Add(`{"country": "ES", "doses": {"defaultCourse": ` + lit + `, "courseLength": {"EU/1/20/1528": ` + lit + `}}}`)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := config.Parse([]byte(s))
		if err != nil {
			return
		}
		_ = c.Validate()
	})
}
