package gateway_test

import (
	"context"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"dcc/cms"
	"dcc/gateway"
	"dcc/trustlist"
)

func TestTrustListAll(t *testing.T) {
	ta := newParty(t, certOpts{country: "EU", cn: "DCCG_TA", ca: true}, nil)
	de, fr := newCountry(t, "DE", 3), newCountry(t, "FR", 2)
	g, cfg, _ := testGateway(t, ta, de, fr)
	c := newClient(t, cfg)
	if c.Country() != "DE" {
		t.Errorf("Country() = %q", c.Country())
	}
	l, err := c.TrustList(context.Background(), gateway.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Refused) != 0 || len(l.Entries) != len(g.trust) {
		t.Fatalf("%d entries, refused %v; want %d, none", len(l.Entries), l.Refused, len(g.trust))
	}
	for _, e := range l.Of(gateway.TypeDSC, "FR") {
		if !e.SignedBy.Equal(fr.Up.Cert) || !e.Issuer.Equal(fr.CSCA.Cert) {
			t.Errorf("DSC %s: signed by %v, issued by %v", e.KID, e.SignedBy.Subject, e.Issuer.Subject)
		}
	}
	if got := l.Certificates(gateway.TypeUpload, "DE"); len(got) != 1 || !got[0].Equal(de.Up.Cert) {
		t.Errorf("UPLOAD of DE: %v", got)
	}

	// By type and country: the path, and the signers fetched to check the DSCs.
	g.uploads = nil
	l, err = c.TrustList(context.Background(), gateway.Query{Type: gateway.TypeDSC, Country: "FR"})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Entries) != 2 || len(l.Refused) != 0 {
		t.Errorf("DSC/FR: %d entries, refused %v", len(l.Entries), l.Refused)
	}
	for _, e := range l.Entries {
		if e.CertificateType != "DSC" || e.Country != "FR" {
			t.Errorf("DSC/FR returned %s of %s", e.CertificateType, e.Country)
		}
	}
	if _, err := c.TrustList(context.Background(), gateway.Query{Country: "FR"}); err == nil {
		t.Error("a country without a type was accepted")
	}
	if _, err := c.TrustList(context.Background(), gateway.Query{Type: "XXX"}); err == nil || !strings.Contains(err.Error(), "Query.Type") {
		t.Errorf("unknown type: %v", err)
	}
}

// twoSigners returns a's message with b's SignerInfo added to its own.
func twoSigners(t *testing.T, a, b string) string {
	t.Helper()
	parts := func(s string) []asn1.RawValue {
		der, err := cms.DecodeBase64(s)
		if err != nil {
			t.Fatal(err)
		}
		var ci, oid, wrapped, sd asn1.RawValue
		asn1.Unmarshal(der, &ci)
		rest, _ := asn1.Unmarshal(ci.Bytes, &oid)
		asn1.Unmarshal(rest, &wrapped)
		if _, err := asn1.Unmarshal(wrapped.Bytes, &sd); err != nil {
			t.Fatal(err)
		}
		var out []asn1.RawValue
		for rest := sd.Bytes; len(rest) > 0; {
			var v asn1.RawValue
			var err error
			if rest, err = asn1.Unmarshal(rest, &v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		return out
	}
	pa, pb := parts(a), parts(b)
	sis := pa[len(pa)-1]
	sis.Bytes = append(slices.Clone(sis.Bytes), pb[len(pb)-1].Bytes...)
	sis.FullBytes = nil
	var body []byte
	for _, p := range pa[:len(pa)-1] {
		body = append(body, p.FullBytes...)
	}
	s, _ := asn1.Marshal(sis)
	body = append(body, s...)
	sd, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: body})
	oid, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2})
	wrapped, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: sd})
	ci, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: append(oid, wrapped...)})
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(ci)
}

func TestCheckTrustListRefusals(t *testing.T) {
	ta := newParty(t, certOpts{country: "EU", cn: "DCCG_TA", ca: true}, nil)
	de, fr := newCountry(t, "DE", 2), newCountry(t, "FR", 1)
	now := time.Now()
	base := entries(t, ta, de, fr)
	// Indexes: DE AUTH 0, UPLOAD 1, CSCA 2, DSC 3, 4; FR AUTH 5, UPLOAD 6, CSCA 7, DSC 8.
	if l := gateway.CheckTrustList(base, []*x509.Certificate{ta.Cert}, now); len(l.Refused) != 0 || len(l.Entries) != 9 {
		t.Fatalf("the fixture: %d entries, refused %v", len(l.Entries), l.Refused)
	}

	// An UPLOAD certificate of the same key, issuer and serial as DE's,
	// whose validity ended before the DSC entry was signed.
	expiredUp := newParty(t, certOpts{country: "DE", cn: "DE NB_UP", key: de.Up.Key, serial: de.Up.Cert.SerialNumber.Int64(),
		notBefore: now.Add(-2 * 365 * 24 * time.Hour), expires: now.Add(-365 * 24 * time.Hour)}, nil)
	// A DSC of DE issued by FR's CSCA.
	foreign := newParty(t, certOpts{country: "DE", cn: "DE DSC by FR"}, fr.CSCA)
	// A DSC of DE issued by a CA that only looks like DE's CSCA.
	fake := newParty(t, certOpts{country: "DE", cn: "DE CSCA", ca: true}, nil)
	impostor := newParty(t, certOpts{country: "DE", cn: "DE DSC X"}, fake)

	for _, tt := range []struct {
		name   string
		edit   func(es []trustlist.Entry) []trustlist.Entry
		kid    func(es []trustlist.Entry) string
		reason string
	}{
		{"thumbprint mismatch", func(es []trustlist.Entry) []trustlist.Entry {
			es[3].Thumbprint = strings.Repeat("0", 64)
			return es
		}, nil, "thumbprint"},
		{"kid mismatch", func(es []trustlist.Entry) []trustlist.Entry {
			es[3].KID = es[4].KID
			return es
		}, func(es []trustlist.Entry) string { return es[4].KID }, "kid"},
		{"signature over other bytes", func(es []trustlist.Entry) []trustlist.Entry {
			es[3].Signature = sign(t, de.Up, de.DSCs[1].Cert.Raw, true)
			return es
		}, nil, "digest"},
		{"TA entry signed by the country", func(es []trustlist.Entry) []trustlist.Entry {
			es[0].Signature = sign(t, de.Up, de.Auth.Cert.Raw, true)
			return es
		}, func(es []trustlist.Entry) string { return es[0].KID }, "trust-anchor signature"},
		{"DSC entry signed by a non-UPLOAD certificate", func(es []trustlist.Entry) []trustlist.Entry {
			es[3].Signature = sign(t, de.CSCA, de.DSCs[0].Cert.Raw, true)
			return es
		}, nil, "UPLOAD certificate of DE"},
		{"DSC entry signed by another country's UPLOAD", func(es []trustlist.Entry) []trustlist.Entry {
			es[3].Signature = sign(t, fr.Up, de.DSCs[0].Cert.Raw, true)
			return es
		}, nil, "UPLOAD certificate of DE"},
		{"DSC not signed by a CSCA of its country", func(es []trustlist.Entry) []trustlist.Entry {
			es[3] = entry(t, foreign.Cert, "DSC", de.Up)
			return es
		}, nil, "no CSCA of DE"},
		{"DSC signed by a look-alike CSCA", func(es []trustlist.Entry) []trustlist.Entry {
			es[3] = entry(t, impostor.Cert, "DSC", de.Up)
			return es
		}, nil, "no CSCA of DE"},
		{"expired UPLOAD certificate", func(es []trustlist.Entry) []trustlist.Entry {
			es[1] = entry(t, expiredUp.Cert, "UPLOAD", ta)
			return es
		}, nil, "signing"},
		{"two signers", func(es []trustlist.Entry) []trustlist.Entry {
			es[3].Signature = twoSigners(t, es[3].Signature, sign(t, fr.Up, de.DSCs[0].Cert.Raw, true))
			return es
		}, nil, "2 signers"},
		{"country not the certificate's", func(es []trustlist.Entry) []trustlist.Entry {
			es[3].Country = "FR"
			return es
		}, nil, "country"},
		{"unknown type", func(es []trustlist.Entry) []trustlist.Entry {
			es[3].CertificateType = "ISSUER"
			return es
		}, nil, "certificateType"},
		{"missing signature", func(es []trustlist.Entry) []trustlist.Entry {
			es[3].Signature = ""
			return es
		}, nil, "signature: missing"},
		{"listed twice", func(es []trustlist.Entry) []trustlist.Entry {
			return append(es, es[3])
		}, nil, "twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			es := tt.edit(slices.Clone(base))
			kid := es[3].KID
			if tt.kid != nil {
				kid = tt.kid(es)
			}
			l := gateway.CheckTrustList(es, []*x509.Certificate{ta.Cert}, now)
			if tt.name == "expired UPLOAD certificate" {
				// The UPLOAD entry itself is sound; the DSC entries it
				// signed after its end are not.
				if len(l.Refused) != 2 || l.Refused[0].KID != kid || l.Refused[1].KID != es[4].KID ||
					!strings.Contains(l.Refused[0].Reason, "signingTime") || len(l.Entries) != 7 {
					t.Errorf("refused %v, %d entries", l.Refused, len(l.Entries))
				}
				return
			}
			if len(l.Refused) != 1 || l.Refused[0].KID != kid || !strings.Contains(l.Refused[0].Reason, tt.reason) {
				t.Fatalf("refused %v, want kid %s for %q", l.Refused, kid, tt.reason)
			}
			for _, e := range l.Entries {
				if e.KID == kid && e.Thumbprint == es[3].Thumbprint && tt.name != "listed twice" {
					t.Errorf("refused entry %s is in the result", kid)
				}
			}
			if want := len(es) - 1; len(l.Entries) != want {
				t.Errorf("%d entries, want %d: one bad entry refuses only itself", len(l.Entries), want)
			}
		})
	}

	// With no trust anchor, nothing but deletions passes.
	if l := gateway.CheckTrustList(base, nil, now); len(l.Entries) != 0 || len(l.Refused) != len(base) {
		t.Errorf("without an anchor: %d entries, %d refused", len(l.Entries), len(l.Refused))
	}
	// Another anchor of the same name does not do.
	other := newParty(t, certOpts{country: "EU", cn: "DCCG_TA", ca: true, serial: ta.Cert.SerialNumber.Int64()}, nil)
	if l := gateway.CheckTrustList(base, []*x509.Certificate{other.Cert}, now); len(l.Entries) != 0 {
		t.Errorf("another anchor: %d entries", len(l.Entries))
	}
	// A signature made after now is refused.
	if l := gateway.CheckTrustList(base, []*x509.Certificate{ta.Cert}, now.Add(-time.Hour)); len(l.Entries) != 0 {
		t.Errorf("signed in the future: %d entries", len(l.Entries))
	}
}

func TestTrustListDelta(t *testing.T) {
	ta := newParty(t, certOpts{country: "EU", cn: "DCCG_TA", ca: true}, nil)
	de, fr := newCountry(t, "DE", 2), newCountry(t, "FR", 1)
	g, cfg, _ := testGateway(t, ta, de, fr)
	newDSC := newParty(t, certOpts{country: "FR", cn: "FR DSC new"}, fr.CSCA)
	deleted := entry(t, de.DSCs[0].Cert, "DSC", nil)
	add, _ := json.Marshal(entry(t, newDSC.Cert, "DSC", fr.Up))
	// The wire form of a deleted DSC: rawData and signature null.
	g.delta = `[` + string(add) + `,{"kid":"` + deleted.KID + `","timestamp":"2026-01-02T03:04:05Z","country":"DE","certificateType":"DSC","thumbprint":"` + deleted.Thumbprint + `","signature":null,"rawData":null}]`
	c := newClient(t, cfg)
	since := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.FixedZone("CET", 3600))
	l, err := c.TrustList(context.Background(), gateway.Query{Since: since})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Entries) != 1 || !l.Entries[0].Certificate.Equal(newDSC.Cert) || len(l.Refused) != 0 {
		t.Errorf("delta: %d entries, refused %v", len(l.Entries), l.Refused)
	}
	if !slices.Equal(l.Deleted, []string{deleted.KID}) {
		t.Errorf("deleted %v, want %s", l.Deleted, deleted.KID)
	}
	if got := g.headers["/trustList"]; len(got) != 1 || got[0] != "2026-01-02T02:04:05.123456789Z" {
		t.Errorf("If-Modified-Since sent %q, want ISO-8601 UTC with full precision", got)
	}
	// The signers came in full, without If-Modified-Since.
	if len(g.headers["/trustList/UPLOAD"])+len(g.headers["/trustList/CSCA"]) != 0 {
		t.Errorf("signers fetched as a delta: %v", g.headers)
	}
}

func TestParseTrustListStrict(t *testing.T) {
	for _, in := range []string{``, `null`, `{}`, `[{"kid":"x","extra":1}]`, `[] []`, `[{"kid":1}]`} {
		if _, err := gateway.ParseTrustList([]byte(in)); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	if es, err := gateway.ParseTrustList([]byte(`[{"kid":"a","rawData":null}]`)); err != nil || len(es) != 1 {
		t.Errorf("null rawData: %v", err)
	}
}

// A forged copy of an entry listed before it does not shadow it.
func TestCheckTrustListForgedCopyFirst(t *testing.T) {
	ta := newParty(t, certOpts{country: "EU", cn: "DCCG_TA", ca: true}, nil)
	de := newCountry(t, "DE", 1)
	es := entries(t, ta, de)
	forgedUp, forgedDSC := es[1], es[3]
	forgedUp.Signature = sign(t, de.Up, de.Up.Cert.Raw, true)
	forgedDSC.Signature = sign(t, de.CSCA, de.DSCs[0].Cert.Raw, true)
	es = append([]trustlist.Entry{forgedUp, forgedDSC}, es...)
	l := gateway.CheckTrustList(es, []*x509.Certificate{ta.Cert}, time.Now())
	if len(l.Entries) != 4 || len(l.Refused) != 2 {
		t.Errorf("%d entries, refused %v", len(l.Entries), l.Refused)
	}
}
