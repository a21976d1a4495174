package gatewayserver_test

import (
	"context"
	"crypto/x509"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"dcc/internal/gatewayserver"
	"dcc/internal/pgtest"
	"dcc/pki"
)

// dsns returns a fresh SQLite database and, when DCC_TEST_POSTGRES_DSN is
// set, a fresh PostgreSQL schema.
func dsns(t *testing.T) map[string]string {
	out := map[string]string{"sqlite": ""} // the demo's own database
	if pgtest.Enabled() {
		out["postgres"] = pgtest.Schema(t, "gateway_test")
	} else {
		t.Log("PostgreSQL not configured (" + pgtest.EnvDSN + "): SQLite only")
	}
	return out
}

func TestStore(t *testing.T) {
	for name, dsn := range dsns(t) {
		if dsn == "" {
			dsn = "sqlite:" + filepath.Join(t.TempDir(), "gw.db")
		}
		t.Run(name, func(t *testing.T) { testStore(t, dsn) })
	}
}

func testStore(t *testing.T, dsn string) {
	ctx := context.Background()
	s, err := gatewayserver.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Reopening applies nothing twice.
	s2, err := gatewayserver.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()

	taKey, _ := newTestKey()
	ta := selfSignedCert(t, taKey, "EU")
	anchor := gatewayserver.Anchor{Cert: ta, Key: taKey}
	k1, _ := newTestKey()
	k2, _ := newTestKey()
	ck, _ := newTestKey()
	auth, up := selfSignedCert(t, k1, "ES"), selfSignedCert(t, k2, "ES")
	csca, err := pki.NewCSCA(ck, pki.CSCAOptions{Country: "ES", Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	o := gatewayserver.Onboarding{Country: "ES", Authentication: []*x509.Certificate{auth}, Upload: []*x509.Certificate{up},
		CSCA: []*x509.Certificate{csca}, Roles: []string{gatewayserver.RoleUploader}}
	for _, bad := range []gatewayserver.Onboarding{
		{Country: "es", Authentication: o.Authentication, Upload: o.Upload, CSCA: o.CSCA},
		{Country: "ES", Authentication: o.Authentication, Upload: o.Authentication, CSCA: o.CSCA},
		{Country: "ES", Authentication: o.Authentication, Upload: o.Upload, CSCA: o.Upload},
		{Country: "ES", Authentication: o.Authentication, Upload: o.Upload, CSCA: o.CSCA, Roles: []string{"ADMIN"}},
		{Country: "ES", Authentication: o.Authentication, Upload: o.Upload},
	} {
		if err := gatewayserver.Onboard(ctx, s, anchor, bad, t0); err == nil {
			t.Errorf("onboarded %+v", bad)
		}
	}
	if ps, _ := s.TrustedParties(ctx, "", "", time.Time{}); len(ps) != 0 {
		t.Fatalf("a refused onboarding left %d rows", len(ps))
	}
	if err := gatewayserver.Onboard(ctx, s, anchor, o, t0); err != nil {
		t.Fatal(err)
	}
	if err := gatewayserver.Onboard(ctx, s, anchor, o, t0); !errors.Is(err, gatewayserver.ErrExists) {
		t.Fatalf("second onboarding: %v", err)
	}
	ps, err := s.TrustedParties(ctx, gatewayserver.TypeAuthentication, "ES", time.Time{})
	if err != nil || len(ps) != 1 || len(ps[0].Roles) != 1 || ps[0].Roles[0] != gatewayserver.RoleUploader || !ps[0].CreatedAt.Equal(t0) {
		t.Fatalf("%+v %v", ps, err)
	}
	if _, err := gatewayserver.VerifyRow(ta, ps[0]); err != nil {
		t.Fatal(err)
	}
	other := selfSignedCert(t, k1, "EU")
	if _, err := gatewayserver.VerifyRow(other, ps[0]); err == nil {
		t.Fatal("verified against another anchor")
	}
	if cs, _ := s.Countries(ctx); len(cs) != 1 || cs[0] != "ES" {
		t.Fatalf("countries %v", cs)
	}

	d := gatewayserver.Signer{Thumbprint: "ab", KID: "k", Country: "ES", RawData: "r", Signature: "s", CreatedAt: t0}
	if err := s.AddSigner(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSigner(ctx, d); !errors.Is(err, gatewayserver.ErrExists) {
		t.Fatal(err)
	}
	if err := s.DeleteSigner(ctx, "ab", "FR", t0.Add(time.Hour)); !errors.Is(err, gatewayserver.ErrNotFound) {
		t.Fatal("deleted another country's DSC")
	}
	if err := s.DeleteSigner(ctx, "ab", "ES", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.Signers(ctx, "", time.Time{}); len(l) != 0 {
		t.Fatal("deleted DSC in the full list")
	}
	l, _ := s.Signers(ctx, "ES", t0.Add(30*time.Minute))
	if len(l) != 1 || l[0].Signature != "" || !l[0].DeletedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("delta %+v", l)
	}

	r := gatewayserver.Rule{ID: "VR-ES-0001", Version: "1.0.0", Country: "ES", ValidFrom: t0, ValidTo: t0.Add(time.Hour), CMS: "c", CreatedAt: t0}
	if err := s.AddRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := s.AddRule(ctx, r); !errors.Is(err, gatewayserver.ErrExists) {
		t.Fatal(err)
	}
	if rs, _ := s.Rules(ctx, "ES", ""); len(rs) != 1 || rs[0].CMS != "c" || !rs[0].ValidTo.Equal(r.ValidTo) {
		t.Fatalf("%+v", rs)
	}
	if n, err := s.DeleteRules(ctx, "VR-ES-0001"); n != 1 || err != nil {
		t.Fatal(n, err)
	}

	b := gatewayserver.Batch{ID: "00000000-0000-4000-8000-000000000001", Country: "ES", KID: "UNKNOWN_KID", HashType: "UCI",
		Changed: t0.Add(123456789 * time.Nanosecond), Expires: t0.Add(time.Hour), CMS: "m"}
	if err := s.AddBatch(ctx, b); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetBatch(ctx, b.ID)
	if err != nil || got != b {
		t.Fatalf("%+v %v", got, err)
	}
	if bs, _ := s.BatchesSince(ctx, b.Changed, 10); len(bs) != 0 {
		t.Fatal("since is not strict")
	}
	if err := s.DeleteBatch(ctx, b.ID, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBatch(ctx, b.ID, t0.Add(2*time.Hour)); !errors.Is(err, gatewayserver.ErrNotFound) {
		t.Fatal(err)
	}
	bs, _ := s.BatchesSince(ctx, b.Changed, 10)
	if len(bs) != 1 || !bs[0].Deleted {
		t.Fatalf("%+v", bs)
	}
	if _, err := s.GetBatch(ctx, "nope"); !errors.Is(err, gatewayserver.ErrNotFound) {
		t.Fatal(err)
	}

	// Clean-up: a batch expires, and what was deleted long enough ago goes.
	live := b
	live.ID, live.Expires = "00000000-0000-4000-8000-000000000002", t0.Add(3*time.Hour)
	if err := s.AddBatch(ctx, live); err != nil {
		t.Fatal(err)
	}
	if exp, purged, err := s.CleanUp(ctx, t0.Add(2*time.Hour)); exp != 0 || purged != 0 || err != nil {
		t.Fatalf("early clean-up: %d expired, %d purged, %v", exp, purged, err)
	}
	if exp, _, err := s.CleanUp(ctx, t0.Add(3*time.Hour)); exp != 1 || err != nil {
		t.Fatalf("clean-up at expiry: %d expired, %v", exp, err)
	}
	if got, _ := s.GetBatch(ctx, live.ID); !got.Deleted || got.CMS != "" || !got.Changed.Equal(t0.Add(3*time.Hour)) {
		t.Fatalf("expired batch %+v", got)
	}
	// The DSC (deleted at t0+1h) and the first batch (t0+2h) go after 14
	// days; the expired batch (t0+3h) stays an hour longer.
	if _, purged, err := s.CleanUp(ctx, t0.Add(gatewayserver.PurgeAfter+150*time.Minute)); purged != 2 || err != nil {
		t.Fatalf("purge: %d, %v", purged, err)
	}
	if l, _ := s.Signers(ctx, "", t0); len(l) != 0 {
		t.Fatalf("purged DSC still listed: %+v", l)
	}
	if _, err := s.GetBatch(ctx, live.ID); err != nil {
		t.Fatal("the later batch was purged too early")
	}
}

func TestOpenBadDSN(t *testing.T) {
	for _, dsn := range []string{"", "mysql://x", "sqlite:", "sqlite:/tmp/x?y"} {
		if _, err := gatewayserver.Open(context.Background(), dsn); err == nil {
			t.Errorf("%q opened", dsn)
		}
	}
}
