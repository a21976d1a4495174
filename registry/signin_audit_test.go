package registry_test

import (
	"testing"
	"time"

	"dcc/registry"
)

// Failed sign-ins counted together are one row that says how many.
func TestAuditSignInFailures(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend, dsn string) {
		s := open(t, dsn, testKeys(t, "k1"))
		since := time.Date(2026, 12, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))
		if err := s.AuditSignInFailures(ctx, "api:203.0.113.7", 123, since, time.Minute); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []struct {
			actor string
			n     int
		}{{"", 1}, {"api:203.0.113.7", 0}, {"api:203.0.113.7", -1}} {
			if err := s.AuditSignInFailures(ctx, bad.actor, bad.n, since, time.Minute); err == nil {
				t.Errorf("%q, %d failures: recorded", bad.actor, bad.n)
			}
		}
		es, err := s.AuditByActor(ctx, "api:203.0.113.7")
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 1 || es[0].Action != registry.ActionSignInFailed || es[0].Detail != "failed=123 interval=60s since=2026-12-01T09:00:00Z" {
			t.Errorf("audit = %+v", es)
		}
	})
}
