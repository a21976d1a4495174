package server_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"dcc/internal/config"
	"dcc/internal/server"
)

// directVaccination is a vaccination request that gives dn, sd and dt
// itself instead of a dose history.
func directVaccination(dn, sd, dt, dob string) string {
	return fmt.Sprintf(`{"nam": {"fn": "Фёдоров", "gn": "Пётр"}, "dob": %q,
		"v": [{"vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215", "dn": %s, "sd": %s, "dt": %q}]}`, dob, dn, sd, dt)
}

func futureDate(days int) string { return time.Now().UTC().AddDate(0, 0, days).Format(time.DateOnly) }

func recoveryBody(dob, fr, df, du string) string {
	return fmt.Sprintf(`{"nam": {"fn": "Li"}, "dob": %q, "r": [{"fr": %q, "df": %q, "du": %q}]}`, dob, fr, df, du)
}

// A request whose payload breaks a rule is answered 422 with the field
// named, never 201 and never a dropped connection; nothing is stored.
func TestPayloadRulesThroughTheAPI(t *testing.T) {
	s := newStack(t, nil)
	an := s.token("AN")
	cases := []struct {
		name, typ, body, field string
	}{
		{"dn written 2.0", "vaccination", directVaccination("2.0", "2", recentDate(10), "1964-01-01"), "v[0].dn"},
		{"dn written 2e0", "vaccination", directVaccination("2e0", "2", recentDate(10), "1964-01-01"), "v[0].dn"},
		{"sd written 2.0", "vaccination", directVaccination("2", "2.0", recentDate(10), "1964-01-01"), "v[0].sd"},
		{"dn 1e400", "vaccination", directVaccination("1e400", "2", recentDate(10), "1964-01-01"), "v[0].dn"},
		// Impossible certificates.
		{"vaccination in 2100", "vaccination", directVaccination("2", "2", "2100-01-01", "1964-01-01"), "v[0].dt"},
		{"vaccination before birth", "vaccination", directVaccination("2", "2", "1964-04-30", "1964-05"), "v[0].dt"},
		{"born in the future", "vaccination", directVaccination("2", "2", recentDate(10), futureDate(400)), "dob"},
		{"sd 100", "vaccination", directVaccination("2", "100", recentDate(10), "1964-01-01"), "v[0].sd"},
		{"test sampled in 2030", "test", `{"nam": {"fn": "Li"}, "dob": "1970", "t": [{"tt": "LP6464-4", "sc": "2030-01-01T10:00:00Z", "tr": "260415000", "tc": "Lab"}]}`, "t[0].sc"},
		{"first positive test in 2030", "recovery", recoveryBody("1970", "2030-01-01", "2030-01-12", "2030-06-30"), "r[0].fr"},
		{"first positive test before birth", "recovery", recoveryBody(recentDate(20), recentDate(30), recentDate(19), futureDate(150)), "r[0].fr"},
	}
	for _, c := range cases {
		r := s.do("POST", "/api/v1/certificates/"+c.typ, an, c.body)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
			continue
		}
		if !slices.ContainsFunc(r.problem(t).Errors, func(e server.FieldProblem) bool { return e.Field == c.field && e.Reason != "" }) {
			t.Errorf("%s: no error at %s: %s", c.name, c.field, strings.TrimSpace(string(r.body)))
		}
	}
	// The same requests, well formed, are issued: the cases fail for the
	// reason they name.
	if r := s.do("POST", "/api/v1/certificates/vaccination", an, directVaccination("2", "2", recentDate(10), "1964-01-01")); r.status != http.StatusCreated {
		t.Errorf("the well-formed request: %d %s", r.status, r.body)
	}
	if r := s.do("POST", "/api/v1/certificates/recovery", an, recoveryBody("1970", recentDate(30), recentDate(19), futureDate(150))); r.status != http.StatusCreated {
		t.Errorf("a recovery valid into the future: %d %s", r.status, r.body)
	}
	if n := len(searchAll(t, s)); n != 2 {
		t.Errorf("%d certificates stored, want the two well-formed", n)
	}
}

// validation.clockSkew reaches issuance: a sample half an hour ahead of the
// clock is in the future by default, and within a skew of an hour.
func TestClockSkewReachesIssuance(t *testing.T) {
	ahead := time.Now().UTC().Add(30 * time.Minute).Truncate(time.Second).Format(time.RFC3339)
	body := fmt.Sprintf(`{"nam": {"fn": "Li"}, "dob": "1970", "t": [{"tt": "LP6464-4", "sc": %q, "tr": "260415000"}]}`, ahead)
	for skew, want := range map[time.Duration]int{0: http.StatusUnprocessableEntity, time.Hour: http.StatusCreated} {
		s := newStack(t, func(c *config.Config) {
			if skew != 0 {
				c.Validation.ClockSkew = config.Duration(skew)
			}
		})
		if r := s.do("POST", "/api/v1/certificates/test", s.token("lab"), body); r.status != want {
			t.Errorf("skew %s: %d %s, want %d", skew, r.status, r.body, want)
		}
	}
}
