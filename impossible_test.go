package dcc_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"dcc"
)

// Certificates of events that cannot have happened: in the future, before
// the holder was born, by a holder not yet born, or with an implausible
// number of doses. Issuance refuses them naming the field and the rule; a
// verifier reports them.
func TestImpossibleCertificates(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	v := newValidator(t).WithClock(func() time.Time { return now }, 5*time.Minute)
	n := func(s string) json.Number { return json.Number(s) }
	const (
		E = dcc.Error
		W = dcc.Warning
	)
	cases := []struct {
		name       string
		base       string
		edits      map[string]any
		path, want string
		lenient    dcc.Severity
	}{
		{"vaccination in 2100", "vaccination", map[string]any{"v.0.dt": "2100-01-01"}, "v[0].dt", "in the future", E},
		{"vaccination tomorrow everywhere", "vaccination", map[string]any{"v.0.dt": "2026-03-12"}, "v[0].dt", "in the future", E},
		{"vaccination before birth", "vaccination", map[string]any{"dob": "1979-04-14", "v.0.dt": "1979-04-13"}, "v[0].dt", "before the date of birth", W},
		{"vaccination before a partial dob", "vaccination", map[string]any{"dob": "1990-05", "v.0.dt": "1990-04-30"}, "v[0].dt", "before the date of birth", W},
		{"vaccination before a year of birth", "vaccination", map[string]any{"dob": "1990", "v.0.dt": "1989-12-31"}, "v[0].dt", "before the date of birth", W},
		{"test sampled in 2030", "test-rat", map[string]any{"t.0.sc": "2030-01-01T10:00:00Z"}, "t[0].sc", "in the future", E},
		{"test sampled 10 minutes ahead", "test-rat", map[string]any{"t.0.sc": "2026-03-10T12:10:00Z"}, "t[0].sc", "in the future", E},
		{"test sampled 10 minutes ahead, with an offset", "test-rat", map[string]any{"t.0.sc": "2026-03-10T14:10:00+02:00"}, "t[0].sc", "in the future", E},
		{"test sampled before birth", "test-rat", map[string]any{"dob": "1980-06", "t.0.sc": "1980-05-31T23:00:00Z"}, "t[0].sc", "before the date of birth", W},
		{"first positive test in 2030", "recovery", map[string]any{"r.0.fr": "2030-01-01", "r.0.df": "2030-01-12", "r.0.du": "2030-06-30"}, "r[0].fr", "in the future", E},
		{"first positive test before birth", "recovery", map[string]any{"dob": "2021-06"}, "r[0].fr", "before the date of birth", W},
		{"born in the future", "vaccination", map[string]any{"dob": "2027-01-01"}, "dob", "in the future", E},
		{"born in a future month", "vaccination", map[string]any{"dob": "2026-04"}, "dob", "in the future", E},
		{"born in a future year", "vaccination", map[string]any{"dob": "2027"}, "dob", "in the future", E},
		{"sd 100", "vaccination", map[string]any{"v.0.sd": n("100")}, "v[0].sd", "at most 9", W},
		{"dn 10 of 10", "vaccination", map[string]any{"v.0.dn": n("10"), "v.0.sd": n("10")}, "v[0].dn", "at most 9", W},
	}
	for _, c := range cases {
		tree := readTree(t, "testdata/"+c.base+".json")
		for k, val := range c.edits {
			set(tree, k, val)
		}
		for _, mode := range []dcc.Mode{dcc.Strict, dcc.Lenient} {
			rep := v.ValidateTree(tree, mode)
			want := dcc.Error
			if mode == dcc.Lenient {
				want = c.lenient
			}
			i := slices.IndexFunc(rep.Problems, func(p dcc.Problem) bool {
				return p.Path == c.path && strings.Contains(p.Reason, c.want)
			})
			if i < 0 {
				t.Errorf("%s (%s): want %q at %s, got %v", c.name, mode, c.want, c.path, rep.Problems)
				continue
			}
			if got := rep.Problems[i].Severity; got != want {
				t.Errorf("%s (%s): severity %s, want %s: %v", c.name, mode, got, want, rep.Problems[i])
			}
		}
	}
}

// What is possible stays valid: an event today (in any time zone), within
// the clock skew, on the day of birth, in the year of a partial date of
// birth; a recovery certificate valid from and until dates in the future;
// nine doses.
func TestPossibleCertificates(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	v := newValidator(t).WithClock(func() time.Time { return now }, 5*time.Minute)
	n := func(s string) json.Number { return json.Number(s) }
	cases := []struct {
		name  string
		base  string
		edits map[string]any
	}{
		{"vaccination today", "vaccination", map[string]any{"v.0.dt": "2026-03-10"}},
		{"vaccination tomorrow, already today east of UTC", "vaccination", map[string]any{"v.0.dt": "2026-03-11"}},
		{"vaccination on the day of birth", "vaccination", map[string]any{"dob": "2021-03-28"}},
		{"vaccination in the month of a partial dob", "vaccination", map[string]any{"dob": "2021-03", "v.0.dt": "2021-03-01"}},
		{"vaccination in the year of a partial dob", "vaccination", map[string]any{"dob": "1964", "v.0.dt": "1964-03-01"}},
		{"unknown date of birth", "vaccination", map[string]any{"dob": ""}},
		{"born this year", "vaccination", map[string]any{"dob": "2026", "v.0.dt": "2026-03-01"}},
		{"born this month", "vaccination", map[string]any{"dob": "2026-03", "v.0.dt": "2026-03-09"}},
		{"test sampled within the skew", "test-rat", map[string]any{"t.0.sc": "2026-03-10T12:04:00Z"}},
		{"test sampled on the day of birth, east of UTC", "test-rat", map[string]any{"dob": "1980-06-01", "t.0.sc": "1980-06-01T00:30:00+02:00"}},
		{"recovery valid into the future", "recovery", map[string]any{"r.0.fr": "2026-03-01", "r.0.df": "2026-03-12", "r.0.du": "2026-08-28"}},
		{"nine doses", "vaccination", map[string]any{"v.0.dn": n("9"), "v.0.sd": n("9")}},
	}
	for _, c := range cases {
		tree := readTree(t, "testdata/"+c.base+".json")
		for k, val := range c.edits {
			set(tree, k, val)
		}
		for _, mode := range []dcc.Mode{dcc.Strict, dcc.Lenient} {
			if rep := v.ValidateTree(tree, mode); !rep.Valid() {
				t.Errorf("%s (%s): %v", c.name, mode, rep.Errors())
			}
		}
	}
}

// Verification judges at the time it is given, with the validator's skew.
func TestValidateAtAGivenTime(t *testing.T) {
	v := newValidator(t)
	tree := readTree(t, "testdata/test-rat.json") // sampled 2021-06-01T10:00:00Z
	before := time.Date(2021, 6, 1, 9, 0, 0, 0, time.UTC)
	if rep := v.ValidateTreeAt(tree, dcc.Lenient, before); !slices.Contains(paths(rep.Errors()), "t[0].sc") {
		t.Errorf("an hour before the sample: want an error at t[0].sc, got %v", rep.Problems)
	}
	within := time.Date(2021, 6, 1, 9, 56, 0, 0, time.UTC)
	if rep := v.ValidateTreeAt(tree, dcc.Lenient, within); !rep.Valid() {
		t.Errorf("four minutes before the sample, within the default skew of %s: %v", dcc.DefaultClockSkew, rep.Problems)
	}
	if rep := v.WithClock(nil, 0).ValidateTreeAt(tree, dcc.Lenient, within); rep.Valid() {
		t.Errorf("four minutes before the sample without skew: valid")
	}
}
