package gatewayserver_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"

	"dcc/cms"
	"dcc/internal/gatewayserver"
	"dcc/pki"
	"dcc/valueset"
)

func newTestKey() (crypto.Signer, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }

func TestTrustList(t *testing.T) {
	f := newFixture(t)
	es := f.as("ES")
	all := f.trustList(es, "/trustList")
	if len(all) != 6 {
		t.Fatalf("%d entries, want 6 (AUTHENTICATION, UPLOAD, CSCA of ES and FR)", len(all))
	}
	if !slices.IsSortedFunc(all, func(a, b gatewayserver.TrustListEntry) int { return strings.Compare(a.KID, b.KID) }) {
		t.Error("not sorted by kid")
	}
	for _, e := range all {
		der, err := base64.StdEncoding.DecodeString(*e.RawData)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(der)
		if e.Thumbprint != hex.EncodeToString(sum[:]) || e.KID != base64.StdEncoding.EncodeToString(sum[:8]) {
			t.Errorf("%s: thumbprint or kid is not of rawData", e.CertificateType)
		}
		if _, err := time.Parse("2006-01-02T15:04:05Z07:00", e.Timestamp); err != nil || strings.Contains(e.Timestamp, ".") {
			t.Errorf("timestamp %q", e.Timestamp)
		}
		sd, err := cms.ParseBase64(*e.Signature)
		if err != nil || sd.Content != nil {
			t.Fatalf("signature: %v (want detached)", err)
		}
		if err := sd.SignerInfos[0].Verify(f.demo.Anchor.Cert, der); err != nil {
			t.Errorf("%s %s: TA signature: %v", e.Country, e.CertificateType, err)
		}
	}
	cs := f.trustList(es, "/trustList/CSCA/fr")
	if len(cs) != 1 || cs[0].Country != "FR" || cs[0].CertificateType != "CSCA" {
		t.Fatalf("/trustList/CSCA/fr: %+v", cs)
	}
	page := f.trustList(es, "/trustList?page=1&pagesize=2")
	if len(page) != 2 || page[0].KID != all[2].KID || page[1].KID != all[3].KID {
		t.Errorf("page 1 of 2: %v", page)
	}
	if p := f.trustList(es, "/trustList?page=5"); len(p) != 0 {
		t.Errorf("page past the end: %d entries", len(p))
	}
	if r := f.do(es, "GET", "/trustList/issuers?country=ES,FR", "", ""); r.status != 200 || strings.TrimSpace(string(r.body)) != "[]" {
		t.Errorf("issuers: %d %s", r.status, r.body)
	}
	f.do(es, "GET", "/trustList/issuers?country=ESP", "", "").want(t, 400, "")
	f.do(es, "GET", "/trustList/XXX", "", "").want(t, 400, "")
	f.do(es, "GET", "/trustList/DSC/ESP", "", "").want(t, 400, "")
	f.do(es, "GET", "/trustList?pagesize=0", "", "").want(t, 400, "")
	f.do(es, "GET", "/trustList", "", "", "If-Modified-Since", "Wed, 21 Oct 2015 07:28:00 GMT").want(t, 400, "")
	if d := f.trustList(es, "/trustList", "If-Modified-Since", t0.Add(time.Hour).Format(time.RFC3339)); len(d) != 0 {
		t.Errorf("delta after onboarding: %d entries", len(d))
	}
	f.do(es, "GET", "/countrylist", "", "").want(t, 200, "")
	if r := f.do(es, "GET", "/countrylist", "", ""); strings.TrimSpace(string(r.body)) != `["ES","FR"]` {
		t.Errorf("countrylist %s", r.body)
	}
}

func TestValueSets(t *testing.T) {
	f := newFixture(t)
	es := f.as("ES")
	r := f.do(es, "GET", "/valuesets", "", "")
	var ids []string
	if err := json.Unmarshal(r.body, &ids); err != nil || len(ids) != 8 || !slices.Contains(ids, "country-2-codes") {
		t.Fatalf("%s %v", r.body, err)
	}
	r = f.do(es, "GET", "/valuesets/vaccines-covid-19-names", "", "")
	want, _ := valueset.EmbeddedJSON("vaccines-covid-19-names")
	if r.status != 200 || string(r.body) != string(want) {
		t.Fatalf("value set not verbatim: %d", r.status)
	}
	f.do(es, "GET", "/valuesets/nope", "", "").want(t, 404, "0x100")
}

func TestSignerCertificate(t *testing.T) {
	for name, dsn := range dsns(t) {
		t.Run(name, func(t *testing.T) { testSignerCertificate(t, dsn) })
	}
}

func testSignerCertificate(t *testing.T, dsn string) {
	f := newFixtureOn(t, dsn)
	es, fr := f.country("ES"), f.country("FR")
	cl := f.as("ES")
	dsc := f.newDSC("ES")
	before := f.now()
	f.advance(time.Minute)
	body := f.byUpload("ES", dsc.Raw)
	f.do(cl, "POST", "/signerCertificate", "application/cms", body).want(t, 201, "")
	f.do(cl, "POST", "/signerCertificate", "application/cms", body, "Content-Encoding", "base64").want(t, 409, "0x002")

	list := f.trustList(cl, "/trustList/DSC")
	if len(list) != 1 || list[0].Thumbprint != gatewayserver.Thumbprint(dsc) {
		t.Fatalf("DSC list %+v", list)
	}
	sd, err := cms.ParseBase64(*list[0].Signature)
	if err != nil || sd.Content != nil {
		t.Fatalf("stored signature: %v, want detached", err)
	}
	signer, err := sd.Verify(dsc.Raw)
	if err != nil || !signer.Equal(es.Upload) {
		t.Fatalf("stored signature does not verify with the UPLOAD certificate over the DER: %v", err)
	}

	t.Run("refused", func(t *testing.T) {
		otherKey, _ := newTestKey()
		otherCSCA, err := pki.NewCSCA(otherKey, pki.CSCAOptions{Country: "ES", Now: f.now()})
		if err != nil {
			t.Fatal(err)
		}
		// A DSC of a CSCA not onboarded.
		f.do(cl, "POST", "/signerCertificate", "application/cms", f.byUpload("ES", f.dscUnder(otherCSCA, otherKey, "ES").Raw)).want(t, 400, "0x004")
		// FR's DSC (C=FR) uploaded by ES.
		f.do(cl, "POST", "/signerCertificate", "application/cms", f.byUpload("ES", f.newDSC("FR").Raw)).want(t, 400, "0x004")
		// Signed by the AUTHENTICATION certificate, not the UPLOAD one.
		f.do(cl, "POST", "/signerCertificate", "application/cms", f.signed(f.newDSC("ES").Raw, es.Auth, es.AuthKey)).want(t, 400, "0x004")
		// Signed by FR's UPLOAD certificate.
		f.do(cl, "POST", "/signerCertificate", "application/cms", f.byUpload("FR", f.newDSC("ES").Raw)).want(t, 400, "0x004")
		// An UPLOAD certificate onboarded, but expired at the signing time
		// (pkcs7 signs at the real time, and does not refuse it).
		ek, _ := newTestKey()
		serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
		tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{Country: []string{"ES"}, CommonName: "ES expired upload"},
			NotBefore: time.Now().AddDate(-1, 0, 0), NotAfter: time.Now().Add(-time.Hour)}
		der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, ek.Public(), ek)
		expired, _ := x509.ParseCertificate(der)
		if err := f.store.AddTrustedParty(context.Background(), signedRow(t, f, "UPLOAD", "ES", expired)); err != nil {
			t.Fatal(err)
		}
		late, err := pkcs7.NewSignedData(f.newDSC("ES").Raw)
		if err != nil {
			t.Fatal(err)
		}
		late.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
		if err := late.AddSigner(expired, ek, pkcs7.SignerInfoConfig{}); err != nil {
			t.Fatal(err)
		}
		lateDER, err := late.Finish()
		if err != nil {
			t.Fatal(err)
		}
		r := f.do(cl, "POST", "/signerCertificate", "application/cms", cms.EncodeBase64(lateDER))
		r.want(t, 400, "0x009")
		if !strings.Contains(r.problem(t).Details, "signingTime") {
			t.Errorf("details %q", r.problem(t).Details)
		}
		// Two signers.
		two, err := pkcs7.NewSignedData(f.newDSC("ES").Raw)
		if err != nil {
			t.Fatal(err)
		}
		two.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
		for _, s := range []struct {
			c *x509.Certificate
			k crypto.Signer
		}{{es.Upload, es.UploadKey}, {fr.Upload, fr.UploadKey}} {
			if err := two.AddSigner(s.c, s.k, pkcs7.SignerInfoConfig{}); err != nil {
				t.Fatal(err)
			}
		}
		der, err = two.Finish()
		if err != nil {
			t.Fatal(err)
		}
		f.do(cl, "POST", "/signerCertificate", "application/cms", cms.EncodeBase64(der)).want(t, 400, "0x009")
		// Not CMS; base64 with a line break; not a certificate inside.
		f.do(cl, "POST", "/signerCertificate", "application/cms", "bm90IGNtcw==").want(t, 400, "0x402")
		f.do(cl, "POST", "/signerCertificate", "application/cms", body[:60]+"\n"+body[60:]).want(t, 400, "0x402")
		f.do(cl, "POST", "/signerCertificate", "application/cms", f.byUpload("ES", []byte("not a certificate"))).want(t, 400, "0x402")
		f.do(cl, "POST", "/signerCertificate", "application/json", body).want(t, 415, "")
	})

	f.advance(time.Minute)
	del := f.byUpload("ES", dsc.Raw)
	f.do(f.as("FR"), "DELETE", "/signerCertificate", "application/cms", f.byUpload("FR", dsc.Raw)).want(t, 400, "0x007")
	f.do(cl, "DELETE", "/signerCertificate", "application/cms", del).want(t, 204, "")
	f.do(cl, "POST", "/signerCertificate/delete", "application/cms", del).want(t, 404, "0x005")
	if l := f.trustList(cl, "/trustList/DSC"); len(l) != 0 {
		t.Errorf("full download holds the deleted DSC: %+v", l)
	}
	delta := f.trustList(cl, "/trustList/DSC/ES", "If-Modified-Since", before.Format(time.RFC3339))
	if len(delta) != 1 || delta[0].RawData != nil || delta[0].Signature != nil || delta[0].Thumbprint != gatewayserver.Thumbprint(dsc) {
		t.Fatalf("delta: %+v, want the deleted DSC with null rawData and signature", delta)
	}
	if r := f.do(cl, "GET", "/trustList/DSC", "", "", "If-Modified-Since", before.Format(time.RFC3339)); !strings.Contains(string(r.body), `"rawData":null`) {
		t.Errorf("deleted DSC JSON: %s", r.body)
	}
	// Uploaded again after its deletion: present again.
	f.do(cl, "POST", "/signerCertificate", "application/cms", f.byUpload("ES", dsc.Raw)).want(t, 201, "")
	if l := f.trustList(cl, "/trustList/DSC"); len(l) != 1 || l[0].RawData == nil {
		t.Errorf("re-uploaded DSC: %+v", l)
	}
}

func TestRules(t *testing.T) {
	for name, dsn := range dsns(t) {
		t.Run(name, func(t *testing.T) { testRules(t, dsn) })
	}
}

func testRules(t *testing.T, dsn string) {
	f := newFixtureOn(t, dsn)
	cl := f.as("ES")
	from, to := f.now().Add(72*time.Hour), f.now().Add(30*24*time.Hour)
	post := func(rule []byte) response {
		return f.do(cl, "POST", "/rules", "application/cms-text", f.byUpload("ES", rule))
	}

	good := f.byUpload("ES", ruleJSON("VR-ES-0001", "Acceptance", "ES", "Vaccination", "1.0.0", from, to))
	f.do(cl, "POST", "/rules", "application/cms-text", good).want(t, 201, "")
	r := f.do(cl, "GET", "/rules/es", "", "")
	var got map[string][]gatewayserver.RuleEntry
	if err := json.Unmarshal(r.body, &got); err != nil || len(got["VR-ES-0001"]) != 1 || got["VR-ES-0001"][0].CMS != good ||
		got["VR-ES-0001"][0].Version != "1.0.0" || got["VR-ES-0001"][0].ValidFrom != from.Format(time.RFC3339) {
		t.Fatalf("GET /rules/es: %s %v", r.body, err)
	}

	// The reason each case must be refused for, so that a case refused for
	// another reason fails.
	why := map[string]string{"not JSON": "could not be parsed", "schema": "Type: missing", "short description": "at least 20",
		"prefix": "prefix TR", "IR for Acceptance": "prefix IR", "other country": "Country does not match", "id country": "Identifier",
		"version not greater": "not above 1.0.0", "version lower": "0.9.0 is not above", "from after to": "is not after ValidFrom",
		"under 48h": "less than 48h", "over 2 weeks": "more than 2 weeks", "under 72h validity": "at least 72h", "before previous": "of the published version"}
	for _, c := range []struct {
		name   string
		rule   []byte
		status int
		code   string
	}{
		{"not JSON", []byte(`{"Identifier": `), 400, "0x200"},
		{"schema", []byte(`{"Identifier": "VR-ES-0002"}`), 400, "0x200"},
		{"short description", []byte(strings.Replace(string(ruleJSON("VR-ES-0002", "Acceptance", "ES", "Vaccination", "1.0.0", from, to)),
			"A rule that lets every certificate pass.", "Too short", 1)), 400, "0x200"},
		{"prefix", ruleJSON("TR-ES-0002", "Acceptance", "ES", "Vaccination", "1.0.0", from, to), 400, "0x250"},
		{"IR for Acceptance", ruleJSON("IR-ES-0002", "Acceptance", "ES", "General", "1.0.0", from, to), 400, "0x250"},
		{"other country", ruleJSON("VR-FR-0001", "Acceptance", "FR", "Vaccination", "1.0.0", from, to), 403, "0x210"},
		{"id country", ruleJSON("VR-FR-0001", "Acceptance", "ES", "Vaccination", "1.0.0", from, to), 403, "0x210"},
		{"version not greater", ruleJSON("VR-ES-0001", "Acceptance", "ES", "Vaccination", "1.0.0", from, to), 400, "0x220"},
		{"version lower", ruleJSON("VR-ES-0001", "Acceptance", "ES", "Vaccination", "0.9.0", from, to), 400, "0x220"},
		{"from after to", ruleJSON("VR-ES-0003", "Acceptance", "ES", "Vaccination", "1.0.0", to, from), 400, "0x240"},
		{"under 48h", ruleJSON("VR-ES-0003", "Acceptance", "ES", "Vaccination", "1.0.0", f.now().Add(24*time.Hour), to), 400, "0x240"},
		{"over 2 weeks", ruleJSON("VR-ES-0003", "Acceptance", "ES", "Vaccination", "1.0.0", f.now().Add(15*24*time.Hour), to.Add(30*24*time.Hour)), 400, "0x240"},
		{"under 72h validity", ruleJSON("VR-ES-0003", "Acceptance", "ES", "Vaccination", "1.0.0", from, from.Add(71*time.Hour)), 400, "0x240"},
		{"before previous", ruleJSON("VR-ES-0001", "Acceptance", "ES", "Vaccination", "1.1.0", from.Add(-time.Hour), to), 400, "0x240"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := post(c.rule)
			r.want(t, c.status, c.code)
			if d := r.problem(t).Details; !strings.Contains(d, why[c.name]) {
				t.Errorf("details %q, want the reason %q", d, why[c.name])
			}
		})
	}
	es := f.country("ES")
	f.do(cl, "POST", "/rules", "application/cms", f.signed(ruleJSON("VR-ES-0004", "Acceptance", "ES", "Vaccination", "1.0.0", from, to), es.Auth, es.AuthKey)).want(t, 400, "0x230")
	post(ruleJSON("VR-ES-0001", "Acceptance", "ES", "Vaccination", "1.1.0", from, to)).want(t, 201, "")
	post(ruleJSON("IR-ES-0001", "Invalidation", "ES", "General", "1.0.0", f.now().Add(time.Hour), to)).want(t, 201, "")

	f.do(cl, "DELETE", "/rules", "application/cms-text", f.byUpload("ES", []byte("VR-FR-0001"))).want(t, 403, "0x210")
	f.do(cl, "DELETE", "/rules", "application/cms-text", f.byUpload("ES", []byte("XX-ES-0001"))).want(t, 400, "0x250")
	f.do(cl, "DELETE", "/rules", "application/cms-text", f.byUpload("ES", []byte("VR-ES-0001"))).want(t, 204, "")
	f.do(cl, "POST", "/rules/delete", "application/cms-text", f.byUpload("ES", []byte("VR-ES-0001"))).want(t, 404, "0x270")
	r = f.do(cl, "GET", "/rules/ES", "", "")
	if strings.Contains(string(r.body), "VR-ES-0001") || !strings.Contains(string(r.body), "IR-ES-0001") {
		t.Errorf("after delete: %s", r.body)
	}
}

func TestRevocation(t *testing.T) {
	for name, dsn := range dsns(t) {
		t.Run(name, func(t *testing.T) { testRevocation(t, dsn) })
	}
}

func testRevocation(t *testing.T, dsn string) {
	f := newFixtureOn(t, dsn)
	cl := f.as("ES")
	since := f.now().Add(-time.Second).Format(time.RFC3339)
	f.do(cl, "GET", "/revocation-list", "", "", "If-Modified-Since", since).want(t, 204, "")
	f.do(cl, "GET", "/revocation-list", "", "").want(t, 400, "")
	f.do(cl, "GET", "/revocation-list", "", "", "If-Modified-Since", f.now().Add(time.Hour).Format(time.RFC3339)).want(t, 400, "")

	body := f.byUpload("ES", batchJSON("ES", f.now().Add(24*time.Hour), 3))
	r := f.do(cl, "POST", "/revocation-list", "application/cms", body)
	r.want(t, 201, "")
	id := r.header.Get("ETag")
	r = f.do(cl, "GET", "/revocation-list/"+id, "", "", "Accept", "application/cms-text")
	if r.status != 200 || string(r.body) != body || r.header.Get("ETag") != id {
		t.Fatalf("GET batch: %d %q", r.status, r.header.Get("ETag"))
	}
	f.do(cl, "GET", "/revocation-list/"+strings.ToUpper(id), "", "").want(t, 400, "")
	f.do(cl, "GET", "/revocation-list/00000000-0000-4000-8000-000000000000", "", "").want(t, 404, "")

	f.do(cl, "POST", "/revocation-list", "application/cms", f.byUpload("ES", batchJSON("FR", f.now().Add(time.Hour), 1))).want(t, 403, "0x000")
	f.do(cl, "POST", "/revocation-list", "application/cms", f.byUpload("ES", batchJSON("ES", f.now().Add(-time.Hour), 1))).want(t, 400, "0x000")
	f.do(cl, "POST", "/revocation-list", "application/cms", f.byUpload("ES", batchJSON("ES", f.now().Add(time.Hour), 1001))).want(t, 400, "0x000")
	f.do(cl, "POST", "/revocation-list", "application/cms", f.byUpload("FR", batchJSON("ES", f.now().Add(time.Hour), 1))).want(t, 403, "0x000")

	del := f.byUpload("ES", []byte(`{"batchId":"`+id+`"}`))
	f.do(f.as("FR"), "DELETE", "/revocation-list", "application/cms", f.byUpload("FR", []byte(`{"batchId":"`+id+`"}`))).want(t, 403, "")
	f.advance(time.Second)
	f.do(cl, "DELETE", "/revocation-list", "application/cms", del).want(t, 204, "")
	f.do(cl, "POST", "/revocation-list/delete", "application/cms", del).want(t, 410, "")
	f.do(cl, "GET", "/revocation-list/"+id, "", "").want(t, 410, "")
	r = f.do(cl, "GET", "/revocation-list", "", "", "If-Modified-Since", since)
	var list gatewayserver.BatchList
	if err := json.Unmarshal(r.body, &list); err != nil || len(list.Batches) != 1 || !list.Batches[0].Deleted || list.More {
		t.Fatalf("list after delete: %s", r.body)
	}

	// A country without revocation roles.
	ctx := context.Background()
	k, _ := newTestKey()
	auth := selfSignedCert(t, k, "IT")
	uk, _ := newTestKey()
	ck, _ := newTestKey()
	csca, err := pki.NewCSCA(ck, pki.CSCAOptions{Country: "IT", Now: f.now()})
	if err != nil {
		t.Fatal(err)
	}
	err = gatewayserver.Onboard(ctx, f.store, f.demo.Anchor, gatewayserver.Onboarding{Country: "IT", Authentication: []*x509.Certificate{auth},
		Upload: []*x509.Certificate{selfSignedCert(t, uk, "IT")}, CSCA: []*x509.Certificate{csca}}, f.now())
	if err != nil {
		t.Fatal(err)
	}
	it := f.client(auth, k)
	f.do(it, "GET", "/trustList/CSCA/IT", "", "").want(t, 200, "")
	f.do(it, "GET", "/revocation-list", "", "", "If-Modified-Since", since).want(t, 403, "0x403")
	f.do(it, "POST", "/revocation-list", "application/cms", body).want(t, 403, "0x403")
	f.do(it, "DELETE", "/revocation-list", "application/cms", del).want(t, 403, "0x403")
}

func TestRevocationPaging(t *testing.T) {
	for name, dsn := range dsns(t) {
		t.Run(name, func(t *testing.T) { testRevocationPaging(t, dsn) })
	}
}

func testRevocationPaging(t *testing.T, dsn string) {
	f := newFixtureOn(t, dsn)
	ctx := context.Background()
	base := f.now().Add(-time.Hour)
	for i := range gatewayserver.MaxBatchList + 1 {
		err := f.store.AddBatch(ctx, gatewayserver.Batch{ID: uuidN(i), Country: "ES", KID: "UNKNOWN_KID", HashType: "UCI",
			Changed: base.Add(time.Duration(i) * time.Millisecond), Expires: f.now().Add(time.Hour), CMS: "x"})
		if err != nil {
			t.Fatal(err)
		}
	}
	cl := f.as("FR")
	get := func(since string) gatewayserver.BatchList {
		r := f.do(cl, "GET", "/revocation-list", "", "", "If-Modified-Since", since)
		r.want(t, 200, "")
		var l gatewayserver.BatchList
		if err := json.Unmarshal(r.body, &l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	l := get(base.Add(-time.Second).Format(time.RFC3339))
	if !l.More || len(l.Batches) != gatewayserver.MaxBatchList {
		t.Fatalf("first page: more %v, %d batches", l.More, len(l.Batches))
	}
	l = get(l.Batches[len(l.Batches)-1].Date.Format(time.RFC3339Nano))
	if l.More || len(l.Batches) != 1 || l.Batches[0].BatchID != uuidN(gatewayserver.MaxBatchList) {
		t.Fatalf("second page: %+v", l)
	}
	f.do(cl, "GET", "/revocation-list", "", "", "If-Modified-Since", l.Batches[0].Date.Format(time.RFC3339Nano)).want(t, 204, "")
}

func uuidN(i int) string {
	return "00000000-0000-4000-8000-" + strings.Repeat("0", 12-len(itoa(i))) + itoa(i)
}

func itoa(i int) string { return big.NewInt(int64(i)).String() }

// signedRow is a trusted-party row for cert signed by the demo's anchor,
// inserted as an operator restoring rows would.
func signedRow(t *testing.T, f *fixture, typ, cc string, cert *x509.Certificate) gatewayserver.TrustedParty {
	t.Helper()
	sig, err := cms.Sign(cert.Raw, f.demo.Anchor.Key, f.demo.Anchor.Cert, cms.SignOptions{Detached: true, Now: f.now})
	if err != nil {
		t.Fatal(err)
	}
	return gatewayserver.TrustedParty{Type: typ, Thumbprint: gatewayserver.Thumbprint(cert), Country: cc,
		RawData: base64.StdEncoding.EncodeToString(cert.Raw), Signature: cms.EncodeBase64(sig), CreatedAt: f.now()}
}

func selfSignedCert(t *testing.T, key crypto.Signer, cc string) *x509.Certificate {
	t.Helper()
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	var c []string
	if cc != "" {
		c = []string{cc}
	}
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{Country: c, CommonName: cc + " test"},
		NotBefore: t0.Add(-time.Hour), NotAfter: t0.AddDate(1, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert
}

// A trusted-party row whose TA signature was changed in the database is
// left out of downloads and cannot authenticate.
func TestTamperedRow(t *testing.T) {
	f := newFixture(t)
	es, fr := f.country("ES"), f.country("FR")
	f.do(f.as("ES"), "GET", "/trustList", "", "").want(t, 200, "")
	db, err := sql.Open("sqlite", "file:"+strings.TrimPrefix(f.demo.DSN, "sqlite:")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// ES's AUTHENTICATION row gets the signature of its UPLOAD row: a valid
	// TA signature, over other bytes.
	if _, err := db.Exec(`UPDATE trusted_party SET signature = (SELECT signature FROM trusted_party WHERE type = 'UPLOAD' AND country = 'ES')
		WHERE type = 'AUTHENTICATION' AND country = 'ES'`); err != nil {
		t.Fatal(err)
	}
	f.do(f.client(es.Auth, es.AuthKey), "GET", "/trustList", "", "").want(t, 401, "0x402")
	all := f.trustList(f.client(fr.Auth, fr.AuthKey), "/trustList")
	if len(all) != 5 {
		t.Fatalf("%d entries, want 5", len(all))
	}
	for _, e := range all {
		if e.Thumbprint == gatewayserver.Thumbprint(es.Auth) {
			t.Fatal("the tampered row is in the download")
		}
	}
}

func TestUnknownClient(t *testing.T) {
	f := newFixture(t)
	k, _ := newTestKey()
	f.do(f.client(selfSignedCert(t, k, "ES"), k), "GET", "/trustList", "", "").want(t, 401, "0x402")
	f.do(f.client(selfSignedCert(t, k, ""), k), "GET", "/trustList", "", "").want(t, 400, "0x401")
}

func TestProxyHeaders(t *testing.T) {
	f := newFixture(t)
	es := f.country("ES")
	for _, proxy := range []string{"127.0.0.1", ""} {
		h, err := gatewayserver.NewHandler(gatewayserver.Config{Store: f.store, Anchor: f.demo.Anchor.Cert, TrustedProxy: proxy})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		sum := sha256.Sum256(es.Auth.Raw)
		get := func(thumb, dn string) response {
			req, _ := http.NewRequest("GET", srv.URL+"/countrylist", nil)
			if thumb != "" {
				req.Header.Set(gatewayserver.HeaderThumbprint, thumb)
			}
			if dn != "" {
				req.Header.Set(gatewayserver.HeaderDN, dn)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return response{status: resp.StatusCode, body: b}
		}
		if proxy == "" {
			get(hex.EncodeToString(sum[:]), "C=ES").want(t, 401, "0x400")
			srv.Close()
			continue
		}
		get(hex.EncodeToString(sum[:]), "CN=x,C=ES").want(t, 200, "")
		get(strings.ToUpper(hex.EncodeToString(sum[:])), "c=ES").want(t, 200, "")
		get(base64.StdEncoding.EncodeToString(sum[:]), "CN%3Dx%2CC%3DES").want(t, 200, "")
		get(url.QueryEscape(base64.StdEncoding.EncodeToString(sum[:])), "C=ES").want(t, 200, "")
		// Only the '=' escaped: a '+' stays a '+'.
		get(strings.ReplaceAll(base64.StdEncoding.EncodeToString(sum[:]), "=", "%3D"), "C=ES").want(t, 200, "")
		get("", "C=ES").want(t, 401, "0x400")
		get("zz", "C=ES").want(t, 401, "0x400")
		get(hex.EncodeToString(sum[:]), "CN=x").want(t, 400, "0x401")
		get(hex.EncodeToString(sum[:]), "C=FR").want(t, 401, "0x402")
		srv.Close()
	}
}

func TestNormalizeThumbprint(t *testing.T) {
	var sum [32]byte
	sum[0], sum[1] = 0xf8, 0xff // base64 "+/8…": both special characters
	want := hex.EncodeToString(sum[:])
	b64 := base64.StdEncoding.EncodeToString(sum[:])
	for _, in := range []string{want, strings.ToUpper(want), b64, url.QueryEscape(b64), strings.ReplaceAll(b64, "=", "%3D")} {
		if got, ok := gatewayserver.NormalizeThumbprint(in); !ok || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", want[:63], "%zz", base64.StdEncoding.EncodeToString(sum[:31]), strings.ReplaceAll(b64, "+", " ")} {
		if got, ok := gatewayserver.NormalizeThumbprint(in); ok {
			t.Errorf("%q accepted as %q", in, got)
		}
	}
	for dn, c := range map[string]string{"CN=x,C=ES": "ES", "c = FR, O=y": "FR", "CN%3Dx%2CC%3DIT": "IT", "CN=x": ""} {
		if got := gatewayserver.DNCountry(dn); got != c {
			t.Errorf("DNCountry(%q) = %q, want %q", dn, got, c)
		}
	}
}
