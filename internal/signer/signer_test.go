package signer_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"dcc"
	"dcc/hcert"
	"dcc/internal/signer"
	"dcc/pki"
)

var now = time.Now().Truncate(time.Second)

type ca struct {
	cert *x509.Certificate
	key  crypto.Signer
}

func newCA(t *testing.T) ca {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert, err := pki.NewCSCA(key, pki.CSCAOptions{Country: "ES", Now: now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return ca{cert, key}
}

func (c ca) dsc(t *testing.T, from time.Time, validity time.Duration, types ...pki.Type) signer.DSC {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	cert, err := pki.NewDSC(c.cert, c.key, key.Public(), pki.DSCOptions{Country: "ES", Types: types, Validity: validity, Now: from})
	if err != nil {
		t.Fatal(err)
	}
	return signer.DSC{Cert: cert, Key: key}
}

func payload(t *testing.T, typ string) []byte {
	p := map[string]string{"v": `"v": [{"tg": "840539006"}]`, "t": `"t": [{"tg": "840539006"}]`, "r": `"r": [{"tg": "840539006"}]`}[typ]
	tree, err := dcc.DecodeJSON([]byte(`{"ver": "1.3.0", ` + p + `}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := dcc.EncodeCBOR(tree)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func claims(valid time.Duration) hcert.Claims {
	return hcert.Claims{Issuer: "ES", IssuedAt: now, Expires: now.Add(valid)}
}

func TestChoosesByTypeAndValidity(t *testing.T) {
	c := newCA(t)
	vr := c.dsc(t, now.Add(-time.Minute), 365*24*time.Hour, pki.Vaccination, pki.Recovery)
	vrLonger := c.dsc(t, now.Add(-time.Minute), 2*365*24*time.Hour, pki.Vaccination, pki.Recovery)
	future := c.dsc(t, now.Add(24*time.Hour), 365*24*time.Hour) // not valid yet, every type
	s, err := signer.New(map[string][]signer.DSC{"MS": {vr, vrLonger, future}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Sign("MS", dcc.Vaccination, claims(30*24*time.Hour), payload(t, "v"))
	if err != nil {
		t.Fatal(err)
	}
	if !got.DSC.Equal(vrLonger.Cert) || string(got.KID) != string(pki.KID(vrLonger.Cert)) {
		t.Errorf("signed with %v, want the DSC valid longest", got.DSC.NotAfter)
	}
	// No DSC of the Ministry of Health may sign a test certificate today.
	_, err = s.Sign("MS", dcc.Test, claims(72*time.Hour), payload(t, "t"))
	if !errors.Is(err, signer.ErrNoDSC) {
		t.Errorf("test certificate: %v, want ErrNoDSC", err)
	}
	if s.CanSign("MS", dcc.Test, now) || !s.CanSign("MS", dcc.Test, now.Add(48*time.Hour)) {
		t.Error("CanSign does not follow extended key usage and validity")
	}
	// Another authority's keys are never used.
	if _, err := s.Sign("AN", dcc.Vaccination, claims(time.Hour), payload(t, "v")); !errors.Is(err, signer.ErrNoDSC) {
		t.Errorf("unknown authority: %v", err)
	}
}

// A certificate never outlives its DSC: exp is cut to the DSC's notAfter.
func TestExpiryCutToDSC(t *testing.T) {
	c := newCA(t)
	d := c.dsc(t, now.Add(-time.Minute), 10*24*time.Hour)
	s, err := signer.New(map[string][]signer.DSC{"AN": {d}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Sign("AN", dcc.Vaccination, claims(365*24*time.Hour), payload(t, "v"))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Claims.Expires.Equal(d.Cert.NotAfter.Truncate(time.Second)) {
		t.Errorf("exp = %v, want the DSC's notAfter %v", got.Claims.Expires, d.Cert.NotAfter)
	}
	u, err := hcert.Parse(got.COSE)
	if err != nil {
		t.Fatal(err)
	}
	if !u.Claims.Expires.Equal(got.Claims.Expires) {
		t.Errorf("signed exp %v differs from the reported %v", u.Claims.Expires, got.Claims.Expires)
	}
}

func TestNewRefusesAKeyNotTheCertificates(t *testing.T) {
	c := newCA(t)
	a, b := c.dsc(t, now, time.Hour), c.dsc(t, now, time.Hour)
	_, err := signer.New(map[string][]signer.DSC{"AN": {{Cert: a.Cert, Key: b.Key}}, "MD": {}})
	if err == nil || !strings.Contains(err.Error(), "not the certificate's key") || !strings.Contains(err.Error(), `"MD" has no DSC`) {
		t.Errorf("err = %v", err)
	}
}
