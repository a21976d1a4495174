package issuance_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"dcc/internal/app"
	"dcc/internal/config"
	"dcc/internal/demo"
	"dcc/internal/deployment"
	"dcc/internal/pgtest"
)

var ctx = context.Background()

// fixture is the demo country, built the way `dcc serve` builds it.
type fixture struct {
	app   *app.App
	creds *demo.Credentials
	now   time.Time
}

func newFixture(t testing.TB, role string) *fixture {
	return newFixtureOn(t, role, "")
}

// forEachStore runs fn on SQLite, and on PostgreSQL when
// DCC_TEST_POSTGRES_DSN is set (in a fresh schema).
func forEachStore(t *testing.T, role string, fn func(t *testing.T, f *fixture)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newFixtureOn(t, role, "")) })
	if !pgtest.Enabled() {
		return
	}
	t.Run("postgres", func(t *testing.T) { fn(t, newFixtureOn(t, role, pgtest.Schema(t, "issuance_test"))) })
}

func newFixtureOn(t testing.TB, role, dsn string) *fixture {
	t.Helper()
	dir := t.TempDir()
	now := time.Now()
	creds, err := demo.Create(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	file := demo.ConfigFile
	if role == config.RoleAuthority {
		file = demo.AuthorityConfigFile("AN")
	}
	cfg, err := config.Load(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	if dsn != "" {
		cfg.Store.DSN = dsn
	}
	a, err := app.Open(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return &fixture{app: a, creds: creds, now: now}
}

func (f *fixture) principal(t testing.TB, token string) deployment.Principal {
	t.Helper()
	p, ok := f.app.Deployment.Authenticate(token)
	if !ok {
		t.Fatal("demo token not accepted")
	}
	return p
}

func (f *fixture) lab(t testing.TB) deployment.Principal {
	return f.principal(t, f.creds.Labs[0].Token)
}

// authority returns the demo authority with the id: AN (region), MD
// (Defence), MS (Health).
func (f *fixture) authority(t testing.TB, id string) deployment.Principal {
	for _, a := range f.creds.Authorities {
		if a.ID == id {
			return f.principal(t, a.Token)
		}
	}
	t.Fatalf("no demo authority %s", id)
	return deployment.Principal{}
}

func (f *fixture) operator(t testing.TB) deployment.Principal {
	return f.principal(t, f.creds.Operators[0].Token)
}

func recentDate(daysAgo int) string {
	return time.Now().UTC().AddDate(0, 0, -daysAgo).Format(time.DateOnly)
}

func recentTime(hoursAgo int) string {
	return time.Now().UTC().Add(-time.Duration(hoursAgo) * time.Hour).Truncate(time.Second).Format(time.RFC3339)
}
