package pki_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"dcc/pki"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

var (
	oidSKI = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidKU  = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidBC  = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidAKI = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidEKU = asn1.ObjectIdentifier{2, 5, 29, 37}

	oidTest        = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 1}
	oidVaccination = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 2}
	oidRecovery    = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 3}
)

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
	csca, err := pki.NewCSCA(cscaKey, pki.CSCAOptions{Country: "ES", CommonName: "ES CSCA", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	dsc, err = pki.NewDSC(csca, cscaKey, key(t).Public(), pki.DSCOptions{Country: "ES", CommonName: "ES DSC 1", Types: types, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return csca, cscaKey, dsc
}

// extensions maps each extension OID to its criticality, failing on repeats.
func extensions(t *testing.T, c *x509.Certificate) map[string]bool {
	t.Helper()
	m := map[string]bool{}
	for _, e := range c.Extensions {
		if _, dup := m[e.Id.String()]; dup {
			t.Errorf("extension %v twice", e.Id)
		}
		m[e.Id.String()] = e.Critical
	}
	return m
}

// methodOneSKI is RFC 5280 §4.2.1.2 method 1, computed independently.
func methodOneSKI(t *testing.T, pub crypto.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	var spki struct {
		Algo asn1.RawValue
		Key  asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(spki.Key.Bytes)
	return sum[:]
}

func TestCSCAProfile(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for name, k := range map[string]crypto.Signer{"ECDSA": key(t), "RSA": rsaKey} {
		t.Run(name, func(t *testing.T) {
			csca, err := pki.NewCSCA(k, pki.CSCAOptions{Country: "ES", CommonName: "Spain CSCA", Now: now})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{oidKU.String(): true, oidBC.String(): true, oidSKI.String(): false}
			if got := extensions(t, csca); !mapsEqual(got, want) {
				t.Errorf("extensions (OID: critical) %v, want %v", got, want)
			}
			if csca.Version != 3 {
				t.Errorf("version %d", csca.Version)
			}
			if csca.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign {
				t.Errorf("key usage %b", csca.KeyUsage)
			}
			if !csca.BasicConstraintsValid || !csca.IsCA || csca.MaxPathLen != 0 || !csca.MaxPathLenZero {
				t.Errorf("basic constraints valid=%v CA=%v pathlen=%d zero=%v", csca.BasicConstraintsValid, csca.IsCA, csca.MaxPathLen, csca.MaxPathLenZero)
			}
			if !bytes.Equal(csca.SubjectKeyId, methodOneSKI(t, k.Public())) {
				t.Errorf("SKI %x is not SHA-1 of the public key bits", csca.SubjectKeyId)
			}
			if len(csca.ExtKeyUsage)+len(csca.UnknownExtKeyUsage) != 0 || len(csca.AuthorityKeyId) != 0 {
				t.Error("CSCA carries an EKU or AKI")
			}
			if got := csca.Subject.String(); got != "CN=Spain CSCA,C=ES" || !bytes.Equal(csca.RawIssuer, csca.RawSubject) {
				t.Errorf("subject %q, issuer %q", got, csca.Issuer)
			}
			if !csca.NotBefore.Before(now) || !csca.NotAfter.Equal(now.Add(pki.DefaultCSCAValidity)) {
				t.Errorf("validity %v – %v", csca.NotBefore, csca.NotAfter)
			}
			if csca.SerialNumber.Sign() <= 0 || csca.SerialNumber.BitLen() != 128 {
				t.Errorf("serial %x: want a positive 128-bit number", csca.SerialNumber)
			}
			if err := csca.CheckSignatureFrom(csca); err != nil {
				t.Errorf("self-signature: %v", err)
			}
			if !k.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(csca.PublicKey) {
				t.Error("public key differs")
			}
		})
	}
	// Defaults: common name and validity; serial numbers differ.
	k := key(t)
	a, _ := pki.NewCSCA(k, pki.CSCAOptions{Country: "SE", Now: now})
	b, _ := pki.NewCSCA(k, pki.CSCAOptions{Country: "SE", Now: now, Validity: time.Hour})
	if a.Subject.CommonName != "SE DCC CSCA" || a.SerialNumber.Cmp(b.SerialNumber) == 0 || !b.NotAfter.Equal(now.Add(time.Hour)) {
		t.Errorf("defaults: CN %q, serials %x %x, NotAfter %v", a.Subject.CommonName, a.SerialNumber, b.SerialNumber, b.NotAfter)
	}
}

func mapsEqual(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestDSCProfile(t *testing.T) {
	for _, c := range []struct {
		types []pki.Type
		eku   []asn1.ObjectIdentifier // nil: no EKU extension
	}{
		{nil, nil},
		{[]pki.Type{pki.Test}, []asn1.ObjectIdentifier{oidTest}},
		{[]pki.Type{pki.Vaccination}, []asn1.ObjectIdentifier{oidVaccination}},
		{[]pki.Type{pki.Recovery, pki.Test, pki.Vaccination}, []asn1.ObjectIdentifier{oidRecovery, oidTest, oidVaccination}},
	} {
		csca, _, dsc := setup(t, c.types...)
		want := map[string]bool{oidKU.String(): true, oidBC.String(): true, oidSKI.String(): false, oidAKI.String(): false}
		if c.eku != nil {
			want[oidEKU.String()] = false
		}
		if got := extensions(t, dsc); !mapsEqual(got, want) {
			t.Errorf("%v: extensions (OID: critical) %v, want %v", c.types, got, want)
		}
		if !slices.EqualFunc(dsc.UnknownExtKeyUsage, c.eku, asn1.ObjectIdentifier.Equal) || len(dsc.ExtKeyUsage) != 0 {
			t.Errorf("%v: EKU %v %v, want %v", c.types, dsc.ExtKeyUsage, dsc.UnknownExtKeyUsage, c.eku)
		}
		if dsc.KeyUsage != x509.KeyUsageDigitalSignature {
			t.Errorf("key usage %b", dsc.KeyUsage)
		}
		if !dsc.BasicConstraintsValid || dsc.IsCA {
			t.Errorf("basic constraints valid=%v CA=%v", dsc.BasicConstraintsValid, dsc.IsCA)
		}
		if !bytes.Equal(dsc.AuthorityKeyId, csca.SubjectKeyId) || !bytes.Equal(dsc.SubjectKeyId, methodOneSKI(t, dsc.PublicKey)) {
			t.Errorf("AKI %x (CSCA SKI %x), SKI %x", dsc.AuthorityKeyId, csca.SubjectKeyId, dsc.SubjectKeyId)
		}
		if dsc.Subject.String() != "CN=ES DSC 1,C=ES" || !bytes.Equal(dsc.RawIssuer, csca.RawSubject) {
			t.Errorf("subject %q issuer %q", dsc.Subject, dsc.Issuer)
		}
		if !dsc.NotAfter.Equal(now.Add(pki.DefaultDSCValidity)) || dsc.NotBefore.After(now) {
			t.Errorf("validity %v – %v", dsc.NotBefore, dsc.NotAfter)
		}
		if dsc.SerialNumber.BitLen() != 128 {
			t.Errorf("serial %x", dsc.SerialNumber)
		}
		if err := dsc.CheckSignatureFrom(csca); err != nil {
			t.Error(err)
		}
		for _, typ := range []pki.Type{pki.Test, pki.Vaccination, pki.Recovery} {
			if got, want := pki.Allows(dsc, typ), c.eku == nil || slices.Contains(c.types, typ); got != want {
				t.Errorf("%v: Allows(%v) = %v", c.types, typ, got)
			}
		}
	}
}

// The DSC's NotAfter is clipped to the CSCA's.
func TestDSCValidityClipped(t *testing.T) {
	k := key(t)
	csca, err := pki.NewCSCA(k, pki.CSCAOptions{Country: "ES", Now: now, Validity: 365 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	dsc, err := pki.NewDSC(csca, k, key(t).Public(), pki.DSCOptions{Country: "ES", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if !dsc.NotAfter.Equal(csca.NotAfter) {
		t.Errorf("DSC until %v, CSCA until %v", dsc.NotAfter, csca.NotAfter)
	}
	short, _ := pki.NewDSC(csca, k, key(t).Public(), pki.DSCOptions{Country: "ES", Now: now, Validity: time.Hour})
	if !short.NotAfter.Equal(now.Add(time.Hour)) {
		t.Errorf("short DSC until %v", short.NotAfter)
	}
}

func TestNewErrors(t *testing.T) {
	k := key(t)
	csca, err := pki.NewCSCA(k, pki.CSCAOptions{Country: "ES", Now: now, Validity: 365 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for _, cc := range []string{"", "es", "ESP", "E1", "É"} {
		if _, err := pki.NewCSCA(k, pki.CSCAOptions{Country: cc, Now: now}); err == nil || !strings.Contains(err.Error(), "ISO 3166-1") {
			t.Errorf("CSCA country %q: %v", cc, err)
		}
	}
	if _, err := pki.NewCSCA(k, pki.CSCAOptions{Country: "ES", Validity: -time.Hour}); err == nil {
		t.Error("CSCA with negative validity")
	}
	dsc, _ := pki.NewDSC(csca, k, key(t).Public(), pki.DSCOptions{Country: "ES", Now: now})
	for _, c := range []struct {
		name   string
		issuer *x509.Certificate
		key    crypto.Signer
		o      pki.DSCOptions
		msg    string
	}{
		{"other country", csca, k, pki.DSCOptions{Country: "FR", Now: now}, "differs from the CSCA's"},
		{"bad country", csca, k, pki.DSCOptions{Country: "Spain", Now: now}, "ISO 3166-1"},
		{"CSCA expired", csca, k, pki.DSCOptions{Country: "ES", Now: now.AddDate(2, 0, 0)}, "not valid at"},
		{"CSCA not yet valid", csca, k, pki.DSCOptions{Country: "ES", Now: now.AddDate(0, -1, 0)}, "not valid at"},
		{"not the CSCA's key", csca, key(t), pki.DSCOptions{Country: "ES", Now: now}, "does not belong"},
		{"issuer not a CA", dsc, k, pki.DSCOptions{Country: "ES", Now: now}, "not a CSCA"},
		{"negative validity", csca, k, pki.DSCOptions{Country: "ES", Now: now, Validity: -time.Hour}, "negative"},
		{"unknown type", csca, k, pki.DSCOptions{Country: "ES", Now: now, Types: []pki.Type{'x'}}, "unknown certificate type"},
	} {
		if _, err := pki.NewDSC(c.issuer, c.key, key(t).Public(), c.o); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.msg)
		}
	}
}

// issue signs a DSC template directly, for profiles NewDSC would not make.
func issue(t *testing.T, csca *x509.Certificate, cscaKey crypto.Signer, tmpl *x509.Certificate) *x509.Certificate {
	t.Helper()
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = big.NewInt(1)
	}
	if tmpl.Subject.Country == nil {
		tmpl.Subject = pkix.Name{Country: []string{"ES"}, CommonName: "crafted DSC"}
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotBefore, tmpl.NotAfter = now.Add(-time.Hour), now.AddDate(1, 0, 0)
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, csca, key(t).Public(), cscaKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAllows(t *testing.T) {
	csca, cscaKey, _ := setup(t)
	dot0 := func(last int) asn1.ObjectIdentifier {
		return asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 0, 1847, 2021, 1, last}
	}
	all := map[pki.Type]bool{pki.Test: true, pki.Vaccination: true, pki.Recovery: true}
	for _, c := range []struct {
		name    string
		std     []x509.ExtKeyUsage
		unknown []asn1.ObjectIdentifier
		want    map[pki.Type]bool
	}{
		{"no EKU extension", nil, nil, all},
		{"test", nil, []asn1.ObjectIdentifier{oidTest}, map[pki.Type]bool{pki.Test: true}},
		{"vaccination", nil, []asn1.ObjectIdentifier{oidVaccination}, map[pki.Type]bool{pki.Vaccination: true}},
		{"recovery", nil, []asn1.ObjectIdentifier{oidRecovery}, map[pki.Type]bool{pki.Recovery: true}},
		{"all three", nil, []asn1.ObjectIdentifier{oidTest, oidVaccination, oidRecovery}, all},
		{".0 test", nil, []asn1.ObjectIdentifier{dot0(1)}, map[pki.Type]bool{pki.Test: true}},
		{".0 vaccination", nil, []asn1.ObjectIdentifier{dot0(2)}, map[pki.Type]bool{pki.Vaccination: true}},
		{".0 recovery and test", nil, []asn1.ObjectIdentifier{dot0(3), oidTest}, map[pki.Type]bool{pki.Recovery: true, pki.Test: true}},
		{"other purposes only", []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, []asn1.ObjectIdentifier{{1, 2, 3, 4}}, nil},
		{"unrelated OID only", nil, []asn1.ObjectIdentifier{{1, 3, 6, 1, 4, 1, 1847, 2021, 1, 4}}, nil},
		{"code signing and vaccination", []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}, []asn1.ObjectIdentifier{oidVaccination}, map[pki.Type]bool{pki.Vaccination: true}},
	} {
		dsc := issue(t, csca, cscaKey, &x509.Certificate{ExtKeyUsage: c.std, UnknownExtKeyUsage: c.unknown})
		if has := slices.ContainsFunc(dsc.Extensions, func(e pkix.Extension) bool { return e.Id.Equal(oidEKU) }); has != (c.std != nil || c.unknown != nil) {
			t.Fatalf("%s: EKU extension present = %v", c.name, has)
		}
		for _, typ := range []pki.Type{pki.Test, pki.Vaccination, pki.Recovery} {
			if got := pki.Allows(dsc, typ); got != c.want[typ] {
				t.Errorf("%s: Allows(%v) = %v", c.name, typ, got)
			}
		}
	}
}

func TestOID(t *testing.T) {
	for typ, want := range map[pki.Type]asn1.ObjectIdentifier{pki.Test: oidTest, pki.Vaccination: oidVaccination, pki.Recovery: oidRecovery} {
		got := pki.OID(typ)
		if !got.Equal(want) {
			t.Errorf("OID(%v) = %v", typ, got)
		}
		got[0] = 9 // a copy: the package's table stays intact
		if !pki.OID(typ).Equal(want) {
			t.Errorf("OID(%v) shares its table", typ)
		}
	}
	if pki.Test.String() != "test" || pki.Type('x').String() != `Type('x')` {
		t.Errorf("String: %s %s", pki.Test, pki.Type('x'))
	}
}

func TestParseTypes(t *testing.T) {
	for in, want := range map[string][]pki.Type{
		"":                      nil,
		"v":                     {pki.Vaccination},
		"v,t,r":                 {pki.Vaccination, pki.Test, pki.Recovery},
		" Test , vaccination,t": {pki.Test, pki.Vaccination},
	} {
		if got, err := pki.ParseTypes(in); err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseTypes(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := pki.ParseTypes("v,x"); err == nil {
		t.Error(`ParseTypes("v,x") accepted`)
	}
}

func TestKID(t *testing.T) {
	_, _, dsc := setup(t)
	sum := sha256.Sum256(dsc.Raw)
	if got := pki.KID(dsc); !bytes.Equal(got, sum[:8]) {
		t.Errorf("KID %x, want %x", got, sum[:8])
	}
}

func TestCheckDSC(t *testing.T) {
	csca, cscaKey, dsc := setup(t)
	other, _, _ := setup(t)
	if err := pki.CheckDSC(dsc, []*x509.Certificate{csca}, "ES", now); err != nil {
		t.Errorf("valid chain: %v", err)
	}
	if err := pki.CheckDSC(dsc, []*x509.Certificate{other, csca}, "ES", now); err != nil {
		t.Errorf("valid chain among other CSCAs: %v", err)
	}

	// A CSCA of another country with the same key and key identifier.
	fr, err := pki.NewCSCA(cscaKey, pki.CSCAOptions{Country: "FR", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	// A CSCA claiming the right key identifier but holding another key.
	impostorKey := key(t)
	impostor := selfSigned(t, impostorKey, &x509.Certificate{Subject: csca.Subject, SubjectKeyId: csca.SubjectKeyId, NotBefore: csca.NotBefore, NotAfter: csca.NotAfter})
	// The DSC with its signature damaged.
	tampered := flipSignature(t, dsc)
	// A short-lived CSCA and a DSC (not made by NewDSC) outliving it.
	shortKey := key(t)
	short := selfSigned(t, shortKey, &x509.Certificate{Subject: pkix.Name{Country: []string{"ES"}, CommonName: "short"}, NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0)})
	outliving := issue(t, short, shortKey, &x509.Certificate{NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(3, 0, 0)})
	if err := pki.CheckDSC(outliving, []*x509.Certificate{short}, "ES", now); err != nil {
		t.Fatalf("outliving DSC while its CSCA is valid: %v", err)
	}

	for _, c := range []struct {
		name    string
		dsc     *x509.Certificate
		cscas   []*x509.Certificate
		country string
		at      time.Time
		noCSCA  bool // ErrNoCSCA expected (else a DSC validity error)
		msg     string
	}{
		{"asked for another country", dsc, []*x509.Certificate{csca}, "FR", now, true, "no CSCA with a matching key identifier"},
		{"CSCA of another country", dsc, []*x509.Certificate{fr}, "ES", now, true, "no CSCA with a matching key identifier"},
		{"AKI mismatch", dsc, []*x509.Certificate{other}, "ES", now, true, "no CSCA with a matching key identifier"},
		{"no CSCAs", dsc, nil, "ES", now, true, "no CSCA"},
		{"bad signature (impostor CSCA)", dsc, []*x509.Certificate{impostor}, "ES", now, true, "signature"},
		{"bad signature (tampered DSC)", tampered, []*x509.Certificate{csca}, "ES", now, true, "signature"},
		{"expired CSCA", outliving, []*x509.Certificate{short}, "ES", now.AddDate(2, 0, 0), true, "expired"},
		{"DSC expired", dsc, []*x509.Certificate{csca}, "ES", now.AddDate(3, 0, 0), false, "DSC: expired"},
		{"DSC not yet valid", dsc, []*x509.Certificate{csca}, "ES", now.AddDate(-1, 0, 0), false, "DSC: not valid before"},
	} {
		err := pki.CheckDSC(c.dsc, c.cscas, c.country, c.at)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if errors.Is(err, pki.ErrNoCSCA) != c.noCSCA || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want ErrNoCSCA=%v and %q", c.name, err, c.noCSCA, c.msg)
		}
	}
}

func selfSigned(t *testing.T, k crypto.Signer, tmpl *x509.Certificate) *x509.Certificate {
	t.Helper()
	tmpl.SerialNumber = big.NewInt(7)
	tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
	tmpl.KeyUsage = x509.KeyUsageCertSign
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// flipSignature returns c with one bit of its signature value changed.
func flipSignature(t *testing.T, c *x509.Certificate) *x509.Certificate {
	t.Helper()
	raw := bytes.Clone(c.Raw)
	i := bytes.LastIndex(raw, c.Signature)
	raw[i+len(c.Signature)/2] ^= 1
	out, err := x509.ParseCertificate(raw)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReadCertificates(t *testing.T) {
	csca, cscaKey, dsc := setup(t)
	dir := t.TempDir()
	if err := pki.WritePEM(filepath.Join(dir, "csca.pem"), csca); err != nil {
		t.Fatal(err)
	}
	if err := pki.WritePEM(filepath.Join(dir, "csca.pem"), dsc); err == nil {
		t.Error("WritePEM overwrote a file")
	}
	os.WriteFile(filepath.Join(dir, "dsc.der"), dsc.Raw, 0o644)
	keyDER, _ := x509.MarshalPKCS8PrivateKey(cscaKey)
	bundle := append(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: dsc.Raw})...)
	bundle = append(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: csca.Raw})...)
	os.WriteFile(filepath.Join(dir, "bundle.CRT"), bundle, 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub.pem"), 0o755)

	got, err := pki.ReadCertificates(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Directory order: bundle.CRT (DSC, CSCA), csca.pem, dsc.der.
	want := []*x509.Certificate{dsc, csca, csca, dsc}
	if !slices.EqualFunc(got, want, (*x509.Certificate).Equal) {
		t.Errorf("read %d certificates, not the 4 expected in order", len(got))
	}
	for name, n := range map[string]int{"csca.pem": 1, "dsc.der": 1, "bundle.CRT": 2} {
		if got, err := pki.ReadCertificates(filepath.Join(dir, name)); err != nil || len(got) != n {
			t.Errorf("%s: %d certificates, %v", name, len(got), err)
		}
	}
	if st, _ := os.Stat(filepath.Join(dir, "csca.pem")); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", st.Mode().Perm())
	}

	bad := t.TempDir()
	for name, data := range map[string][]byte{
		"text":         []byte("not a certificate"),
		"key only.pem": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		"broken.pem":   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: dsc.Raw[:100]}),
		"broken.der":   dsc.Raw[:len(dsc.Raw)-1],
		"huge.der":     make([]byte, pki.MaxCertificateFile+1),
	} {
		path := filepath.Join(bad, name)
		os.WriteFile(path, data, 0o644)
		if _, err := pki.ReadCertificates(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: %v, want an error naming the file", name, err)
		}
	}
	if _, err := pki.ReadCertificates(bad); err == nil {
		t.Error("a directory with broken certificates read")
	}
	if _, err := pki.ReadCertificates(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no certificate files") {
		t.Errorf("empty directory: %v", err)
	}
	if _, err := pki.ReadCertificates(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzParseCertificates(f *testing.F) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csca, err := pki.NewCSCA(k, pki.CSCAOptions{Country: "ES", Now: now})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(csca.Raw)
	f.Add(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: csca.Raw}))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		certs, err := pki.ParseCertificates(data)
		if err == nil && len(certs) == 0 {
			t.Error("no certificates and no error")
		}
		for _, c := range certs {
			pki.KID(c)
			pki.Allows(c, pki.Test)
			pki.CheckDSC(c, certs, "ES", now)
		}
	})
}
