package pki_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"dcc/pki"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func key(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func setup(t *testing.T, types ...pki.Type) (csca *x509.Certificate, cscaKey *ecdsa.PrivateKey, dsc *x509.Certificate) {
	t.Helper()
	cscaKey = key(t)
	csca, err := pki.NewCSCA(cscaKey, pki.CSCAOptions{Country: "ES", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	dsc, err = pki.NewDSC(csca, cscaKey, key(t).Public(), pki.DSCOptions{Country: "ES", Types: types, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return csca, cscaKey, dsc
}

func TestProfiles(t *testing.T) {
	csca, _, dsc := setup(t, pki.Vaccination)
	if !csca.IsCA || csca.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign || len(csca.SubjectKeyId) != 20 ||
		csca.Subject.Country[0] != "ES" || !csca.MaxPathLenZero {
		t.Errorf("CSCA profile: %+v", csca)
	}
	if got := csca.NotAfter.Sub(csca.NotBefore); got < pki.DefaultCSCAValidity {
		t.Errorf("CSCA validity %v", got)
	}
	if dsc.IsCA || dsc.KeyUsage != x509.KeyUsageDigitalSignature || !bytes.Equal(dsc.AuthorityKeyId, csca.SubjectKeyId) {
		t.Errorf("DSC profile: %+v", dsc)
	}
	if len(dsc.UnknownExtKeyUsage) != 1 || !dsc.UnknownExtKeyUsage[0].Equal(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 2}) {
		t.Errorf("DSC EKU %v", dsc.UnknownExtKeyUsage)
	}
	if err := dsc.CheckSignatureFrom(csca); err != nil {
		t.Error(err)
	}
}

func TestDSCNeverOutlivesCSCA(t *testing.T) {
	k := key(t)
	csca, _ := pki.NewCSCA(k, pki.CSCAOptions{Country: "ES", Now: now, Validity: 365 * 24 * time.Hour})
	dsc, err := pki.NewDSC(csca, k, key(t).Public(), pki.DSCOptions{Country: "ES", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if dsc.NotAfter.After(csca.NotAfter) {
		t.Errorf("DSC until %v, CSCA until %v", dsc.NotAfter, csca.NotAfter)
	}
	if _, err := pki.NewDSC(csca, k, key(t).Public(), pki.DSCOptions{Country: "ES", Now: now.AddDate(2, 0, 0)}); err == nil {
		t.Error("DSC issued by an expired CSCA")
	}
	if _, err := pki.NewDSC(csca, k, key(t).Public(), pki.DSCOptions{Country: "FR", Now: now}); err == nil {
		t.Error("DSC of another country")
	}
	if _, err := pki.NewDSC(csca, key(t), key(t).Public(), pki.DSCOptions{Country: "ES", Now: now}); err == nil {
		t.Error("DSC signed with a key that is not the CSCA's")
	}
	if _, err := pki.NewCSCA(k, pki.CSCAOptions{Country: "es"}); err == nil {
		t.Error("lower-case country")
	}
}

func TestAllows(t *testing.T) {
	for _, c := range []struct {
		types []pki.Type
		want  map[pki.Type]bool
	}{
		{nil, map[pki.Type]bool{pki.Test: true, pki.Vaccination: true, pki.Recovery: true}},
		{[]pki.Type{pki.Test}, map[pki.Type]bool{pki.Test: true}},
		{[]pki.Type{pki.Vaccination, pki.Recovery}, map[pki.Type]bool{pki.Vaccination: true, pki.Recovery: true}},
	} {
		_, _, dsc := setup(t, c.types...)
		for _, typ := range []pki.Type{pki.Test, pki.Vaccination, pki.Recovery} {
			if got := pki.Allows(dsc, typ); got != c.want[typ] {
				t.Errorf("types %v: Allows(%v) = %v", c.types, typ, got)
			}
		}
	}
}

func TestCheckDSC(t *testing.T) {
	csca, _, dsc := setup(t)
	if err := pki.CheckDSC(dsc, []*x509.Certificate{csca}, "ES", now); err != nil {
		t.Errorf("valid chain: %v", err)
	}
	other, _, _ := setup(t)
	for name, c := range map[string]struct {
		cscas   []*x509.Certificate
		country string
		at      time.Time
	}{
		"wrong country":   {[]*x509.Certificate{csca}, "FR", now},
		"another CSCA":    {[]*x509.Certificate{other}, "ES", now},
		"DSC expired":     {[]*x509.Certificate{csca}, "ES", now.AddDate(3, 0, 0)},
		"before validity": {[]*x509.Certificate{csca}, "ES", now.AddDate(-1, 0, 0)},
	} {
		if err := pki.CheckDSC(dsc, c.cscas, c.country, c.at); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := pki.CheckDSC(dsc, []*x509.Certificate{other}, "ES", now); !errors.Is(err, pki.ErrNoCSCA) {
		t.Errorf("want ErrNoCSCA, got %v", err)
	}
}

func TestReadCertificates(t *testing.T) {
	csca, _, dsc := setup(t)
	dir := t.TempDir()
	if err := pki.WritePEM(filepath.Join(dir, "csca.pem"), csca); err != nil {
		t.Fatal(err)
	}
	if err := pki.WritePEM(filepath.Join(dir, "csca.pem"), csca); err == nil {
		t.Error("WritePEM overwrote a file")
	}
	os.WriteFile(filepath.Join(dir, "dsc.der"), dsc.Raw, 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o644)
	certs, err := pki.ReadCertificates(dir)
	if err != nil || len(certs) != 2 {
		t.Fatalf("%d certificates, %v", len(certs), err)
	}
	if _, err := pki.ReadCertificates(filepath.Join(dir, "notes.txt")); err == nil {
		t.Error("read a text file as a certificate")
	}
}

// The kid of a member state's DSC is the one its COSE messages carry.
func TestKIDOfVector(t *testing.T) {
	data, err := os.ReadFile("../../shared/testdata/dgc-testdata/common/2DCode/raw/CO3.json")
	if err != nil {
		t.Skipf("member-state test vectors not found: %v", err)
	}
	var v struct {
		COSE    string
		TESTCTX struct{ CERTIFICATE string }
	}
	json.Unmarshal(data, &v)
	der, _ := base64.StdEncoding.DecodeString(v.TESTCTX.CERTIFICATE)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	cose, _ := hex.DecodeString(v.COSE)
	// The protected header holds {1: alg, 4: h'<kid>'}: look for the kid's bytes.
	kid := pki.KID(cert)
	if !bytes.Contains(cose, append([]byte{0x04, 0x48}, kid...)) {
		t.Errorf("kid %x not found in the vector's COSE header", kid)
	}
}

func ExampleNewDSC() {
	cscaKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csca, _ := pki.NewCSCA(cscaKey, pki.CSCAOptions{Country: "ES"})
	dscKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	dsc, _ := pki.NewDSC(csca, cscaKey, dscKey.Public(), pki.DSCOptions{Country: "ES", Types: []pki.Type{pki.Test}})
	fmt.Println(dsc.Subject.CommonName, pki.Allows(dsc, pki.Test), pki.Allows(dsc, pki.Vaccination), len(pki.KID(dsc)))
	// Output: ES DCC DSC true false 8
}
