package trustlist_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"dcc/pki"
	"dcc/trustlist"
)

var now = time.Now()

type country struct {
	csca    *x509.Certificate
	cscaKey crypto.Signer
	dscs    []*x509.Certificate
}

func newCountry(t testing.TB, cc string, n int) country {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csca, err := pki.NewCSCA(key, pki.CSCAOptions{Country: cc, Now: now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	c := country{csca: csca, cscaKey: key}
	for range n {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		d, err := pki.NewDSC(csca, key, k.Public(), pki.DSCOptions{Country: cc, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		c.dscs = append(c.dscs, d)
	}
	return c
}

func gatewayJSON(t testing.TB, edit func(es []trustlist.Entry), cs ...country) []byte {
	var es []trustlist.Entry
	for _, c := range cs {
		es = append(es, trustlist.EntryFor(c.csca, trustlist.TypeCSCA, now))
		for _, d := range c.dscs {
			es = append(es, trustlist.EntryFor(d, trustlist.TypeDSC, now))
		}
	}
	es = append(es, trustlist.Entry{KID: "x", CertificateType: "UPLOAD", RawData: "not even base64"})
	if edit != nil {
		edit(es)
	}
	b, err := json.Marshal(es)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseGateway(t *testing.T) {
	es, de := newCountry(t, "ES", 2), newCountry(t, "DE", 1)
	l, err := trustlist.ParseGateway(gatewayJSON(t, nil, es, de))
	if err != nil {
		t.Fatal(err)
	}
	if d, c := l.Len(); d != 3 || c != 2 {
		t.Errorf("%d DSCs, %d CSCAs", d, c)
	}
	for _, d := range append(es.dscs, de.dscs...) {
		if got := l.DSCs(pki.KID(d)); len(got) != 1 || !got[0].Equal(d) {
			t.Errorf("DSC %s not found by kid", d.Subject)
		}
	}
	for _, tt := range []struct {
		name string
		edit func(es []trustlist.Entry)
		want string
	}{
		{"thumbprint", func(es []trustlist.Entry) { es[1].Thumbprint = strings.Repeat("0", 64) }, "thumbprint"},
		{"kid", func(es []trustlist.Entry) { es[1].KID = es[2].KID }, "kid"},
		{"country", func(es []trustlist.Entry) { es[1].Country = "FR" }, "country"},
		{"raw data", func(es []trustlist.Entry) { es[1].RawData = "AAAA" }, "rawData"},
		{"timestamp", func(es []trustlist.Entry) { es[1].Timestamp = "yesterday" }, "timestamp"},
	} {
		_, err := trustlist.ParseGateway(gatewayJSON(t, tt.edit, es))
		var ee *trustlist.EntryError
		if !errors.As(err, &ee) || ee.Index != 1 || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	for _, bad := range []string{`{}`, `[{"kid": "a", "extra": 1}]`, `[] []`} {
		if _, err := trustlist.ParseGateway([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// A certificate added twice counts once.
func TestDuplicates(t *testing.T) {
	es := newCountry(t, "ES", 2)
	l := trustlist.New()
	l.AddDSC(es.dscs[0])
	l.AddDSC(es.dscs[0]) // the same certificate twice counts once
	if got := l.DSCs(pki.KID(es.dscs[0])); len(got) != 1 {
		t.Errorf("duplicate added: %d", len(got))
	}
	l.AddDSC(es.dscs[1])
	if d, _ := l.Len(); d != 2 {
		t.Errorf("Len = %d", d)
	}
}

func sign(t *testing.T, c country, key crypto.Signer, signer *x509.Certificate, validity time.Duration) []byte {
	t.Helper()
	var entries []trustlist.Entry
	for _, d := range c.dscs {
		entries = append(entries, trustlist.EntryFor(d, trustlist.TypeDSC, now))
	}
	b, err := trustlist.Sign(trustlist.Document{Country: "ES", Issued: now, Expires: now.Add(validity), Certificates: entries},
		key, []*x509.Certificate{signer})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNationalListSignedAndVerified(t *testing.T) {
	es := newCountry(t, "ES", 3)
	for _, keyType := range []string{"ES256", "PS256"} {
		t.Run(keyType, func(t *testing.T) {
			var key crypto.Signer
			if keyType == "ES256" {
				key, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			} else {
				key, _ = rsa.GenerateKey(rand.Reader, 2048)
			}
			signer, err := pki.NewTrustListSigner(es.csca, es.cscaKey, key.Public(), pki.DSCOptions{Country: "ES", Now: now})
			if err != nil {
				t.Fatal(err)
			}
			// The signer may never sign a DCC.
			for _, typ := range []pki.Type{pki.Vaccination, pki.Test, pki.Recovery} {
				if pki.Allows(signer, typ) {
					t.Errorf("the trust-list signer may sign %c certificates", typ)
				}
			}
			body := sign(t, es, key, signer, 48*time.Hour)
			doc, l, err := trustlist.Verify(body, []*x509.Certificate{es.csca}, now)
			if err != nil {
				t.Fatal(err)
			}
			if d, _ := l.Len(); d != 3 || doc.Country != "ES" {
				t.Errorf("%d DSCs, %s", d, doc.Country)
			}
			other := newCountry(t, "ES", 0)
			var ve *trustlist.VerifyError
			for name, err := range map[string]error{
				"other anchor": second(trustlist.Verify(body, []*x509.Certificate{other.csca}, now)),
				"expired":      second(trustlist.Verify(body, []*x509.Certificate{es.csca}, now.Add(49*time.Hour))),
				"no anchor":    second(trustlist.Verify(body, nil, now)),
				"garbage":      second(trustlist.Verify([]byte(`{"protected": "e30", "payload": "", "signature": ""}`), []*x509.Certificate{es.csca}, now)),
			} {
				if !errors.As(err, &ve) {
					t.Errorf("%s: %v", name, err)
				}
			}
			// A payload swapped from another signed list fails the signature.
			var a, b map[string]string
			json.Unmarshal(body, &a)
			json.Unmarshal(sign(t, newCountry(t, "ES", 1), key, signer, time.Hour), &b)
			a["payload"] = b["payload"]
			swapped, _ := json.Marshal(a)
			if _, _, err := trustlist.Verify(swapped, []*x509.Certificate{es.csca}, now); err == nil {
				t.Error("swapped payload verified")
			}
		})
	}
}

func second[A, B any](_ A, _ B, err error) error { return err }

func TestPublisherCachesAndRenews(t *testing.T) {
	es := newCountry(t, "ES", 2)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signer, _ := pki.NewTrustListSigner(es.csca, es.cscaKey, key.Public(), pki.DSCOptions{Country: "ES", Now: now})
	clock := now
	p, err := trustlist.NewPublisher("ES", es.dscs, []*x509.Certificate{es.csca}, key, []*x509.Certificate{signer},
		4*time.Hour, func() time.Time { return clock })
	if err != nil {
		t.Fatal(err)
	}
	a, _ := p.Signed()
	clock = clock.Add(2 * time.Hour)
	b, _ := p.Signed()
	if a.ETag != b.ETag || string(a.Body) != string(b.Body) {
		t.Error("re-signed with most of the validity left")
	}
	clock = clock.Add(90 * time.Minute) // a quarter left
	c, _ := p.Signed()
	if c.ETag == a.ETag || !c.Expires.After(a.Expires) {
		t.Error("not renewed near expiry")
	}
	if _, _, err := trustlist.Verify(c.Body, []*x509.Certificate{es.csca}, clock); err != nil {
		t.Error(err)
	}
}

func FuzzParseGateway(f *testing.F) {
	f.Add(string(gatewayJSON(f, nil, newCountry(f, "ES", 1))))
	f.Add(`[{"kid": "", "certificateType": "DSC", "rawData": "MAA="}]`)
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = trustlist.ParseGateway([]byte(s))
	})
}

func FuzzVerify(f *testing.F) {
	es := newCountry(f, "ES", 1)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	signer, _ := pki.NewTrustListSigner(es.csca, es.cscaKey, key.Public(), pki.DSCOptions{Country: "ES", Now: now})
	b, _ := trustlist.Sign(trustlist.Document{Country: "ES", Issued: now, Expires: now.Add(time.Hour)}, key, []*x509.Certificate{signer})
	f.Add(string(b))
	f.Fuzz(func(t *testing.T, s string) {
		_, _, _ = trustlist.Verify([]byte(s), []*x509.Certificate{es.csca}, now)
	})
}
