package issuance_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"dcc"
	"dcc/internal/issuance"
)

// A number the schema takes for an integer but that is not written as one
// (2.0, 2e0), or that no dose can be (-0, 1e400, 2^70), is refused with an
// error naming the field, by Issue and by IssueBatch alike; nothing is
// signed or stored, and nothing panics.
func TestNumberFormsAreRefused(t *testing.T) {
	f := newFixture(t, "all")
	region := f.authority(t, "AN")
	var reqs []issuance.Request
	var want []string
	for _, field := range []string{"dn", "sd"} {
		for _, lit := range []string{"2.0", "2e0", "20e-1", "-0", "1e400", "1180591620717411303424", "2.5"} {
			body := strings.Replace(vaccinationBody(), fmt.Sprintf(`"%s": 2`, field), fmt.Sprintf(`"%s": %s`, field, lit), 1)
			reqs = append(reqs, issuance.Request{Type: dcc.Vaccination, Body: []byte(body)})
			want = append(want, "v[0]."+field)
		}
	}
	check := func(t *testing.T, i int, err error) {
		t.Helper()
		var ve *dcc.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: err = %v, want a ValidationError", reqs[i].Body, err)
			return
		}
		for _, p := range ve.Problems {
			if p.Path == want[i] && p.Reason != "" {
				return
			}
		}
		t.Errorf("%s: no problem at %s: %v", reqs[i].Body, want[i], ve.Problems)
	}
	for i, req := range reqs {
		is, err := f.app.Issuance.Issue(ctx, region, req)
		if is != nil {
			t.Errorf("%s: issued %s", req.Body, is.UVCI)
		}
		check(t, i, err)
	}
	for i, r := range f.app.Issuance.IssueBatch(ctx, region, reqs, 0) {
		if r.Issued != nil {
			t.Errorf("%s: issued in a batch", reqs[i].Body)
		}
		check(t, i, r.Err)
	}
	if n := count(t, f, ""); n != 0 {
		t.Errorf("%d certificates stored", n)
	}
}
