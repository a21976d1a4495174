package app_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"testing"
	"time"

	"dcc"
	"dcc/hc1"
	"dcc/hcert"
	"dcc/internal/app"
	"dcc/internal/demo"
	"dcc/internal/gwsync"
	"dcc/pki"
	"dcc/revocation"
	"dcc/rules"
	"dcc/trustlist"
	"dcc/verify"
)

// foreign is another country's certificate, signed by its DSC.
func foreign(t *testing.T, key *ecdsa.PrivateKey, dsc *x509.Certificate, uvci string, now time.Time) string {
	t.Helper()
	tree, err := dcc.DecodeJSON([]byte(`{"ver":"1.3.0","nam":{"fn":"Dupont","fnt":"DUPONT","gn":"Marie","gnt":"MARIE"},"dob":"1980-01-01",
		"v":[{"tg":"840539006","vp":"1119349007","mp":"EU/1/20/1528","ma":"ORG-100030215","dn":2,"sd":2,"dt":"2021-06-01",
		"co":"FR","is":"Ministère de la Santé","ci":"` + uvci + `"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	payload, err := dcc.EncodeCBOR(tree)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := hcert.Sign(key, dsc, hcert.Claims{Issuer: "FR", IssuedAt: now.Add(-time.Hour).Truncate(time.Second),
		Expires: now.AddDate(0, 0, 30).Truncate(time.Second)}, payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := hc1.Encode(msg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A download from the gateway, once installed, makes the national
// verification service accept another country's certificate, report its
// revoked one as revoked, and publish that country's DSC in the national
// trust list and its batch in /api/v1/revocations.
func TestInstallGatewayDownload(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	now := time.Now()
	if _, err := demo.Create(dir, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(ctx, load(t, dir, demo.ConfigFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()

	cscaKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csca, err := pki.NewCSCA(cscaKey, pki.CSCAOptions{Country: "FR", Now: now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	dsc, err := pki.NewDSC(csca, cscaKey, key.Public(), pki.DSCOptions{Country: "FR", Now: now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	valid := foreign(t, key, dsc, "URN:UVCI:01:FR:VALID0000001#A", now)
	revoked := foreign(t, key, dsc, "URN:UVCI:01:FR:REVOKED00001#B", now)
	opts := verify.Options{At: now}

	if r := a.Verification.Text(ctx, valid, opts); r.State != verify.Invalid {
		t.Fatalf("before the download a French certificate is %s", r.State)
	}
	before, err := a.TrustList.Signed()
	if err != nil {
		t.Fatal(err)
	}

	kid := base64.StdEncoding.EncodeToString(pki.KID(dsc))
	// Spain's rule as the gateway distributes it: three doses at least.
	from := now.Add(-24 * time.Hour).UTC().Truncate(time.Second)
	rule, err := rules.Parse([]byte(`{"Identifier":"VR-ES-0001","Type":"Acceptance","Country":"ES","Version":"1.0.0","SchemaVersion":"1.0.0",` +
		`"Engine":"CERTLOGIC","EngineVersion":"0.7.5","CertificateType":"Vaccination",` +
		`"Description":[{"lang":"en","desc":"At least three doses of a vaccine are required."}],` +
		`"ValidFrom":"` + from.Format(time.RFC3339) + `","ValidTo":"` + from.AddDate(1, 0, 0).Format(time.RFC3339) + `",` +
		`"AffectedFields":["v.0.dn"],"Logic":{">=":[{"var":"payload.v.0.dn"},3]}}`))
	if err != nil {
		t.Fatal(err)
	}
	d := &gwsync.Download{Rules: []*rules.Rule{rule}, Generation: 1, FetchedAt: now, DSCs: []*x509.Certificate{dsc}, CSCAs: []*x509.Certificate{csca},
		Revocations: []revocation.Batch{{Country: "FR", KID: kid, HashType: revocation.UCI, Expires: now.Add(24 * time.Hour),
			Entries: []revocation.Entry{revocation.EntryOf(revocation.Of("URN:UVCI:01:FR:REVOKED00001#B", "FR", nil).UCI)}}}}
	commit, err := a.Prepare(d)
	if err != nil {
		t.Fatal(err)
	}
	// Prepared, not yet committed: nothing has changed.
	if r := a.Verification.Text(ctx, valid, opts); r.State != verify.Invalid {
		t.Fatalf("prepared only, a French certificate is %s", r.State)
	}
	commit()

	if r := a.Verification.Text(ctx, valid, opts); r.State != verify.Valid {
		t.Errorf("after the download the valid French certificate is %s: %s %+v", r.State, r.Reason, r.Checks)
	}
	r := a.Verification.Text(ctx, revoked, opts)
	if r.State != verify.Invalid || !hasFailed(r, "revocation") {
		t.Errorf("the revoked French certificate: %s %s %+v", r.State, r.Reason, r.Checks)
	}
	after, err := a.TrustList.Signed()
	if err != nil {
		t.Fatal(err)
	}
	_, published, err := trustlist.Verify(after.Body, a.CSCAs, now)
	if err != nil {
		t.Fatal(err)
	}
	if after.ETag == before.ETag || len(published.DSCs(pki.KID(dsc))) != 1 {
		t.Errorf("the national trust list does not carry the French DSC %s", kid)
	}
	// Arriving in Spain, its downloaded rule applies.
	if r := a.Verification.Text(ctx, valid, verify.Options{At: now, Country: "ES"}); r.State != verify.NotAccepted ||
		len(r.Rules) != 1 || r.Rules[0].Identifier != "VR-ES-0001" {
		t.Errorf("with Spain's downloaded rule: %s %s %+v", r.State, r.Reason, r.Rules)
	}
	if got := a.Verification.OtherRevocations(); len(got) != 1 || got[0].Country != "FR" {
		t.Errorf("published other revocations: %+v", got)
	}
}

func hasFailed(r verify.Result, name string) bool {
	for _, c := range r.Checks {
		if c.Name == name && c.Status == verify.Fail {
			return true
		}
	}
	return false
}
