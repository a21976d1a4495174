package hcert_test

import (
	"crypto/elliptic"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"slices"
	"testing"
	"time"

	"dcc/hcert"
	"dcc/pki"
)

// TestVerifyChecks: each check fails when it must, and a failed
// verification returns no content.
func TestVerifyChecks(t *testing.T) {
	key := ecKey(t, elliptic.P256())
	dsc := newDSC(t, key)
	sign := func(c hcert.Claims, group string, d *x509.Certificate) *hcert.Unverified {
		msg, err := hcert.Sign(key, d, c, payload(t, group))
		if err != nil {
			t.Fatal(err)
		}
		return mustParse(t, msg)
	}
	good := sign(claims(), "v", dsc)
	other := newDSC(t, ecKey(t, elliptic.P256()))

	future := claims()
	future.IssuedAt = now.Add(time.Hour)
	expired := claims()
	expired.Expires = now.Add(-time.Minute)
	short := newCert(t, key, certOpts{notAfter: now.AddDate(0, 1, 0)})
	late := newCert(t, key, certOpts{notBefore: now.Add(-time.Minute)})
	testOnly := newCert(t, key, certOpts{eku: []asn1.ObjectIdentifier{pki.OID(pki.Test)}})
	noneOfOurs := newCert(t, key, certOpts{eku: []asn1.ObjectIdentifier{{1, 2, 3, 4}}})
	altSpelling := newCert(t, key, certOpts{eku: []asn1.ObjectIdentifier{{1, 3, 6, 1, 4, 1, 0, 1847, 2021, 1, 2}}})

	// Keys that do not fit the algorithm the message names.
	p384 := ecKey(t, elliptic.P384())
	p384DSC := newDSC(t, p384)
	body := cwt(t, "ES", claims().IssuedAt.Unix(), claims().Expires.Unix(), payload(t, "v"))
	p384AsES256 := mustParse(t, sign1(t, p384, map[int]any{1: hcert.ES256, 4: pki.KID(p384DSC)}, nil, body))
	ecAsPS256 := mustParse(t, sign1(t, key, map[int]any{1: hcert.PS256, 4: pki.KID(dsc)}, nil, body))
	eddsa := mustParse(t, sign1(t, key, map[int]any{1: -8, 4: pki.KID(dsc)}, nil, body))
	rsa1024 := rsaKey(t, 1024)
	rsa1024DSC := newDSC(t, rsa1024)
	smallRSA := mustParse(t, sign1(t, rsa1024, map[int]any{1: hcert.PS256, 4: pki.KID(rsa1024DSC)}, nil, body))

	for _, c := range []struct {
		name  string
		u     *hcert.Unverified
		tl    hcert.TrustList
		at    time.Time
		check string
		want  hcert.Status
	}{
		{"unknown kid", good, list{other}, now, hcert.CheckKID, hcert.Fail},
		{"P-384 key labelled ES256", p384AsES256, list{p384DSC}, now, hcert.CheckAlg, hcert.Fail},
		{"EC key labelled PS256", ecAsPS256, list{dsc}, now, hcert.CheckAlg, hcert.Fail},
		{"EdDSA", eddsa, list{dsc}, now, hcert.CheckAlg, hcert.Fail},
		{"RSA-1024", smallRSA, list{rsa1024DSC}, now, hcert.CheckAlg, hcert.Fail},
		{"wrong key under the kid", good, anyKID{other}, now, hcert.CheckSignature, hcert.Fail},
		{"second DSC with the kid verifies", good, anyKID{other, dsc}, now, hcert.CheckSignature, hcert.Pass},
		{"unfitting and fitting DSCs with the kid", good, anyKID{p384DSC, dsc}, now, hcert.CheckAlg, hcert.Pass},
		{"iat in the future", sign(future, "v", dsc), list{dsc}, now, hcert.CheckExpiry, hcert.Fail},
		{"expired", sign(expired, "v", dsc), list{dsc}, now, hcert.CheckExpiry, hcert.Fail},
		{"exactly at exp", good, list{dsc}, claims().Expires, hcert.CheckExpiry, hcert.Pass},
		{"exactly at iat", good, list{dsc}, claims().IssuedAt, hcert.CheckExpiry, hcert.Pass},
		{"iat a second ahead", good, list{dsc}, claims().IssuedAt.Add(-time.Second), hcert.CheckExpiry, hcert.Fail},
		{"no validation time", good, list{dsc}, time.Time{}, hcert.CheckExpiry, hcert.Fail},
		{"exp after the DSC", good, anyKID{short}, now, hcert.CheckDSCValidity, hcert.Fail},
		{"iat before the DSC", good, anyKID{late}, now, hcert.CheckDSCValidity, hcert.Fail},
		// Sign refuses a type the DSC excludes, so these messages are signed
		// under an unrestricted DSC of the same key and checked against the
		// restricted one (as when a country re-issues a DSC for its key).
		{"EKU test only, vaccination", good, anyKID{testOnly}, now, hcert.CheckKeyUsage, hcert.Fail},
		{"EKU test only, test", sign(claims(), "t", testOnly), list{testOnly}, now, hcert.CheckKeyUsage, hcert.Pass},
		{"EKU with none of the OIDs", sign(claims(), "r", dsc), anyKID{noneOfOurs}, now, hcert.CheckKeyUsage, hcert.Fail},
		{"EKU with the .0 spelling", sign(claims(), "v", altSpelling), list{altSpelling}, now, hcert.CheckKeyUsage, hcert.Pass},
		{"no group in the payload", mustParse(t, sign1(t, key, map[int]any{1: -7, 4: pki.KID(dsc)}, nil, cwt(t, "ES", claims().IssuedAt.Unix(), claims().Expires.Unix(), detEnc(t, map[string]any{"ver": "1.3.0"})))), list{dsc}, now, hcert.CheckKeyUsage, hcert.Fail},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Clocks differ, and some signers round iat up: within the
			// skew a code issued "in the future" is valid, beyond it not.
			if c.name == "iat a second ahead" || c.name == "iat in the future" {
				want := map[string]hcert.Status{"iat a second ahead": hcert.Pass, "iat in the future": hcert.Fail}[c.name]
				if _, rep := c.u.Verify(c.tl, hcert.Options{At: c.at, ClockSkew: 5 * time.Minute}); rep.Status(c.check) != want {
					t.Errorf("with a 5-minute skew %s is %v, want %v", c.check, rep.Status(c.check), want)
				}
			}
			v, rep := c.u.Verify(c.tl, hcert.Options{At: c.at})
			if got := rep.Status(c.check); got != c.want {
				t.Errorf("%s is %v, want %v: %+v", c.check, got, c.want, rep)
			}
			if (v != nil) != rep.OK() {
				t.Errorf("content %v with OK %v", v != nil, rep.OK())
			}
			if c.want == hcert.Fail && (v != nil || rep.OK()) {
				t.Errorf("a failed verification returned content: %+v", rep)
			}
			// Every check appears once, in order; those after a fatal failure are skipped.
			names := []string{hcert.CheckKID, hcert.CheckAlg, hcert.CheckSignature, hcert.CheckExpiry, hcert.CheckDSCValidity, hcert.CheckKeyUsage, hcert.CheckChain}
			if len(rep.Checks) != len(names) {
				t.Fatalf("%d checks: %+v", len(rep.Checks), rep)
			}
			fatal := false
			for i, ch := range rep.Checks {
				if ch.Name != names[i] || ch.Reason == "" {
					t.Errorf("check %d is %q (%q), want %q with a reason", i, ch.Name, ch.Reason, names[i])
				}
				if fatal && ch.Status != hcert.Skipped {
					t.Errorf("%s ran after a fatal failure", ch.Name)
				}
				if ch.Status == hcert.Fail && i < 3 {
					fatal = true
				}
			}
		})
	}
}

// TestVerifyChain: with CSCAs, the DSC must be issued by a CSCA of the iss
// country.
func TestVerifyChain(t *testing.T) {
	caKey := ecKey(t, elliptic.P256())
	csca := newCert(t, caKey, certOpts{ca: true, notAfter: now.AddDate(10, 0, 0)})
	otherCSCA := newCert(t, ecKey(t, elliptic.P256()), certOpts{ca: true})
	frCSCA := newCert(t, caKey, certOpts{ca: true, country: "FR"})
	key := ecKey(t, elliptic.P256())
	dsc := newCert(t, key, certOpts{parent: csca, parentKey: caKey})
	msg, err := hcert.Sign(key, dsc, claims(), payload(t, "v"))
	if err != nil {
		t.Fatal(err)
	}
	noIss := mustParse(t, sign1(t, key, map[int]any{1: -7, 4: pki.KID(dsc)}, nil, cwt(t, nil, claims().IssuedAt.Unix(), claims().Expires.Unix(), payload(t, "v"))))
	for _, c := range []struct {
		name  string
		u     *hcert.Unverified
		cscas []*x509.Certificate
		want  hcert.Status
	}{
		{"issued by the CSCA", mustParse(t, msg), []*x509.Certificate{otherCSCA, csca}, hcert.Pass},
		{"self-signed DSC", mustParse(t, msg), []*x509.Certificate{otherCSCA}, hcert.Fail},
		{"CSCA of another country", mustParse(t, msg), []*x509.Certificate{frCSCA}, hcert.Fail},
		{"no iss", noIss, []*x509.Certificate{csca}, hcert.Fail},
	} {
		v, rep := c.u.Verify(list{dsc}, hcert.Options{At: now, CSCAs: c.cscas})
		if rep.Status(hcert.CheckChain) != c.want || (v != nil) != (c.want == hcert.Pass) {
			t.Errorf("%s: chain %v, want %v: %+v", c.name, rep.Status(hcert.CheckChain), c.want, rep)
		}
	}
}

func TestReportOK(t *testing.T) {
	all := func(s hcert.Status) hcert.Report {
		var r hcert.Report
		for _, n := range []string{hcert.CheckKID, hcert.CheckAlg, hcert.CheckSignature, hcert.CheckExpiry, hcert.CheckDSCValidity, hcert.CheckKeyUsage} {
			r.Checks = append(r.Checks, hcert.Check{Name: n, Status: s})
		}
		return r
	}
	withChain := func(r hcert.Report, s hcert.Status) hcert.Report {
		r.Checks = append(r.Checks, hcert.Check{Name: hcert.CheckChain, Status: s})
		return r
	}
	for _, c := range []struct {
		name string
		r    hcert.Report
		want bool
	}{
		{"empty", hcert.Report{}, false},
		{"all pass, chain skipped", withChain(all(hcert.Pass), hcert.Skipped), true},
		{"all pass, chain fails", withChain(all(hcert.Pass), hcert.Fail), false},
		{"all skipped", withChain(all(hcert.Skipped), hcert.Skipped), false},
		// The last check of a name decides.
		{"kid passes, then is skipped", withChain(hcert.Report{Checks: append(all(hcert.Pass).Checks, hcert.Check{Name: hcert.CheckKID, Status: hcert.Skipped})}, hcert.Skipped), false},
		{"kid skipped, then passes", withChain(hcert.Report{Checks: append(all(hcert.Skipped).Checks[:1], all(hcert.Pass).Checks...)}, hcert.Skipped), true},
	} {
		if got := c.r.OK(); got != c.want {
			t.Errorf("%s: OK() = %v", c.name, got)
		}
	}
}

// TestPassReasons: the reasons of the checks a valid certificate passes
// read as they always have (they are written without fmt, and operators
// and stored results read them).
func TestPassReasons(t *testing.T) {
	key := ecKey(t, elliptic.P256())
	dsc := newDSC(t, key)
	dsc.Subject.CommonName = `DSC "ñ" \ 1` // quoted as %q quotes
	msg, err := hcert.Sign(key, dsc, claims(), payload(t, "v"))
	if err != nil {
		t.Fatal(err)
	}
	u := mustParse(t, msg)
	v, rep := u.Verify(list{dsc}, hcert.Options{At: now})
	if v == nil {
		t.Fatalf("not verified: %+v", rep)
	}
	st := func(x time.Time) string { return x.UTC().Format(time.RFC3339) }
	c := claims()
	want := []hcert.Check{
		{Name: hcert.CheckKID, Status: hcert.Pass, Reason: fmt.Sprintf("%d DSC(s) with kid %x", 1, u.KID)},
		{Name: hcert.CheckAlg, Status: hcert.Pass, Reason: fmt.Sprintf("%s with %d fitting DSC key(s)", "ES256", 1)},
		{Name: hcert.CheckSignature, Status: hcert.Pass, Reason: fmt.Sprintf("%s by DSC %q", "ES256", dsc.Subject.CommonName)},
		{Name: hcert.CheckExpiry, Status: hcert.Pass, Reason: fmt.Sprintf("valid from %s to %s", st(c.IssuedAt), st(c.Expires))},
		{Name: hcert.CheckDSCValidity, Status: hcert.Pass, Reason: fmt.Sprintf("DSC valid from %s to %s", st(dsc.NotBefore), st(dsc.NotAfter))},
		{Name: hcert.CheckKeyUsage, Status: hcert.Pass, Reason: fmt.Sprintf("%s certificates allowed", pki.Vaccination)},
		{Name: hcert.CheckChain, Status: hcert.Skipped, Reason: "no CSCA given"},
	}
	if !slices.Equal(rep.Checks, want) {
		t.Errorf("checks\n got %+v\nwant %+v", rep.Checks, want)
	}
}
