package server_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"dcc/internal/server"
)

// directVaccination is a vaccination request that gives dn, sd and dt
// itself instead of a dose history.
func directVaccination(dn, sd, dt, dob string) string {
	return fmt.Sprintf(`{"nam": {"fn": "Фёдоров", "gn": "Пётр"}, "dob": %q,
		"v": [{"vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215", "dn": %s, "sd": %s, "dt": %q}]}`, dob, dn, sd, dt)
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
	if n := len(searchAll(t, s)); n != 1 {
		t.Errorf("%d certificates stored, want the one well-formed", n)
	}
}
