package issuance_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"dcc"
	"dcc/internal/issuance"
)

// Certificates of events that cannot have happened are refused, naming the
// field and the rule, and nothing is stored.
func TestImpossibleCertificatesAreRefused(t *testing.T) {
	f := newFixture(t, "all")
	region := f.authority(t, "AN")
	future := func(days int) string { return time.Now().UTC().AddDate(0, 0, days).Format(time.DateOnly) }
	vaccination := func(dob, dn, sd, dt string) string {
		return fmt.Sprintf(`{"nam": {"fn": "Фёдоров"}, "dob": %q,
			"v": [{"vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215", "dn": %s, "sd": %s, "dt": %q}]}`, dob, dn, sd, dt)
	}
	test := func(dob, sc string) string {
		return fmt.Sprintf(`{"nam": {"fn": "Li"}, "dob": %q, "t": [{"tt": "LP6464-4", "sc": %q, "tr": "260415000", "tc": "Lab"}]}`, dob, sc)
	}
	recovery := func(dob, fr, df, du string) string {
		return fmt.Sprintf(`{"nam": {"fn": "Li"}, "dob": %q, "r": [{"fr": %q, "df": %q, "du": %q}]}`, dob, fr, df, du)
	}
	inAnHour := time.Now().UTC().Add(time.Hour).Truncate(time.Second).Format(time.RFC3339)
	cases := []struct {
		name  string
		typ   dcc.Type
		body  string
		field string
	}{
		{"vaccination in 2100", dcc.Vaccination, vaccination("1964-01-01", "2", "2", "2100-01-01"), "v[0].dt"},
		{"vaccination before birth", dcc.Vaccination, vaccination("1964-05-01", "2", "2", "1964-04-30"), "v[0].dt"},
		{"sd 100", dcc.Vaccination, vaccination("1964-01-01", "2", "100", recentDate(10)), "v[0].sd"},
		{"born in the future", dcc.Vaccination, vaccination(future(400), "2", "2", recentDate(10)), "dob"},
		{"test sampled in 2030", dcc.Test, test("1970", "2030-01-01T10:00:00Z"), "t[0].sc"},
		{"test sampled in an hour", dcc.Test, test("1970", inAnHour), "t[0].sc"},
		{"first positive test in 2030", dcc.Recovery, recovery("1970", "2030-01-01", "2030-01-12", "2030-06-30"), "r[0].fr"},
		{"first positive test before birth", dcc.Recovery, recovery(recentDate(20), recentDate(30), recentDate(19), future(150)), "r[0].fr"},
	}
	for _, c := range cases {
		is, err := f.app.Issuance.Issue(ctx, region, issuance.Request{Type: c.typ, Body: []byte(c.body)})
		if is != nil {
			t.Errorf("%s: issued %s", c.name, is.UVCI)
			continue
		}
		var ve *dcc.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: err = %v, want a ValidationError", c.name, err)
			continue
		}
		found := false
		for _, p := range ve.Problems {
			found = found || (p.Path == c.field && p.Reason != "")
		}
		if !found {
			t.Errorf("%s: no problem at %s: %v", c.name, c.field, ve.Problems)
		}
	}
	if n := count(t, f, ""); n != 0 {
		t.Errorf("%d certificates stored", n)
	}
	// The same requests with possible dates are issued.
	for _, body := range []struct {
		typ  dcc.Type
		body string
	}{
		{dcc.Vaccination, vaccination("1964-01-01", "2", "2", recentDate(10))},
		{dcc.Test, test("1970", recentTime(1))},
		{dcc.Recovery, recovery("1970", recentDate(30), recentDate(19), future(150))},
	} {
		if _, err := f.app.Issuance.Issue(ctx, region, issuance.Request{Type: body.typ, Body: []byte(body.body)}); err != nil {
			t.Errorf("%s: %v", body.body, err)
		}
	}
}
