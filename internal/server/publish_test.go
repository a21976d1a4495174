package server_test

import (
	"net/http"
	"testing"
	"time"

	"dcc/hc1"
	"dcc/hcert"
	"dcc/internal/server"
	"dcc/pki"
	"dcc/revocation"
	"dcc/trustlist"
)

func TestTrustListPublication(t *testing.T) {
	s := newStack(t, nil)
	r := s.do("GET", "/api/v1/trustlist", "", nil)
	if r.status != 200 || r.header.Get("ETag") == "" || r.header.Get("Content-Type") != trustlist.MediaType {
		t.Fatalf("%d %s", r.status, r.header)
	}
	doc, l, err := trustlist.Verify(r.body, s.app.CSCAs, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dscs, cscas := l.Len()
	if doc.Country != "ES" || dscs != 3 || cscas != 1 || !doc.Expires.After(time.Now().Add(47*time.Hour)) {
		t.Errorf("list: %s, %d DSCs, %d CSCAs, expires %v", doc.Country, dscs, cscas, doc.Expires)
	}
	// Every authority's DSC is on it.
	for _, a := range s.app.Deployment.Authorities() {
		for _, c := range s.app.Signer.Certificates(a.ID) {
			if got := l.DSCs(pki.KID(c)); len(got) != 1 || !got[0].Equal(c) {
				t.Errorf("DSC of %s missing", a.ID)
			}
		}
	}
	if r2 := s.do("GET", "/api/v1/trustlist", "", nil, "If-None-Match: "+r.header.Get("ETag")); r2.status != http.StatusNotModified || len(r2.body) != 0 {
		t.Errorf("If-None-Match: %d", r2.status)
	}
	// Tampering breaks the signature; another anchor is refused.
	bad := append([]byte(nil), r.body...)
	bad[len(bad)/2] ^= 1
	if _, _, err := trustlist.Verify(bad, s.app.CSCAs, time.Now()); err == nil {
		t.Error("a tampered list verified")
	}
	if _, _, err := trustlist.Verify(r.body, s.app.Signer.Certificates("AN"), time.Now()); err == nil {
		t.Error("verified against an anchor that did not sign it")
	}
	if _, _, err := trustlist.Verify(r.body, s.app.CSCAs, time.Now().Add(49*time.Hour)); err == nil {
		t.Error("an expired list verified")
	}
}

func TestRevocationPublication(t *testing.T) {
	s := newStack(t, nil)
	var revoked, kept server.Certificate
	s.do("POST", "/api/v1/certificates/test", s.token("lab"), testBody()).json(t, &revoked)
	s.do("POST", "/api/v1/certificates/test", s.token("lab"), testBody()).json(t, &kept)
	s.do("POST", server.CertificatePath(revoked.UVCI)+"/revoke", s.token("lab"), `{"reason": "wrong person"}`)

	r := s.do("GET", "/api/v1/revocations", "", nil)
	batches, err := revocation.Parse(r.body)
	if err != nil {
		t.Fatal(err)
	}
	if len(batches) != 3 {
		t.Fatalf("batches = %+v, want UCI, COUNTRYCODEUCI and SIGNATURE", batches)
	}
	// Each hash type alone revokes the certificate: a verifier may read
	// only one of them.
	for _, b := range batches {
		if b.KID != revoked.KID || b.Country != "ES" || len(b.Entries) != 1 {
			t.Errorf("batch = %+v", b)
		}
		list := revocation.NewList()
		list.Add([]revocation.Batch{b}, time.Now())
		check := func(c server.Certificate) (revocation.Match, bool) {
			cose, _ := hc1.Decode(c.HC1)
			u, err := hcert.Parse(cose)
			if err != nil {
				t.Fatal(err)
			}
			return list.Check(u.KID, revocation.Of(c.UVCI, u.Claims.Issuer, u.Signature()))
		}
		if m, ok := check(revoked); !ok || m.HashType != b.HashType {
			t.Errorf("%s batch: revoked certificate: %v %v", b.HashType, m, ok)
		}
		if _, ok := check(kept); ok {
			t.Errorf("%s batch: a certificate not revoked is on the list", b.HashType)
		}
	}
	if r2 := s.do("GET", "/api/v1/revocations", "", nil, "If-None-Match: "+r.header.Get("ETag")); r2.status != 304 {
		t.Errorf("If-None-Match: %d", r2.status)
	}
}
