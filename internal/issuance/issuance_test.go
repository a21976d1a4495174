package issuance_test

import (
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"dcc"
	"dcc/hc1"
	"dcc/hcert"
	"dcc/internal/deployment"
	"dcc/internal/issuance"
	"dcc/registry"
)

type trust []*x509.Certificate

func (tl trust) DSCs(kid []byte) []*x509.Certificate { return tl }

// verify decodes and verifies an HC1 string against the fixture's DSCs and
// returns the payload it carries.
func (f *fixture) verify(t *testing.T, s string) (*dcc.Payload, *hcert.Verified) {
	t.Helper()
	cose, err := hc1.Decode(s)
	if err != nil {
		t.Fatal(err)
	}
	u, err := hcert.Parse(cose)
	if err != nil {
		t.Fatal(err)
	}
	var tl trust
	for _, a := range f.app.Deployment.Authorities() {
		tl = append(tl, f.app.Signer.Certificates(a.ID)...)
	}
	v, rep := u.Verify(tl, hcert.Options{At: time.Now(), CSCAs: f.app.CSCAs})
	if v == nil {
		t.Fatalf("issued certificate does not verify: %+v", rep)
	}
	var p dcc.Payload
	if err := p.UnmarshalCBOR(v.Payload); err != nil {
		t.Fatal(err)
	}
	return &p, v
}

// testBody is a PCR test as a laboratory sends it (the laboratory is the
// test centre).
func testBody() string {
	return fmt.Sprintf(`{"nam": {"fn": "Musterfrau-Gößinger", "gn": "Gabriele"}, "dob": "1998-02-26",
		"t": [{"tt": "LP6464-4", "sc": %q, "tr": "260415000"}]}`, recentTime(3))
}

// authorityTestBody is a test as an authority sends it, naming the centre.
func authorityTestBody() string {
	return strings.Replace(testBody(), `"tr": "260415000"`, `"tr": "260415000", "tc": "Hospital Central de la Defensa"`, 1)
}

func vaccinationBody() string {
	return fmt.Sprintf(`{"nam": {"fn": "Фёдоров", "gn": "Пётр"}, "dob": "1964-01-01",
		"v": [{"vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215", "dn": 2, "sd": 2, "dt": %q}]}`, recentDate(10))
}

func TestLabIssuesTestCertificate(t *testing.T) {
	forEachStore(t, "all", func(t *testing.T, f *fixture) {
		lab := f.lab(t)
		got, err := f.app.Issuance.Issue(ctx, lab, issuance.Request{Type: dcc.Test, Body: []byte(testBody())})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(got.UVCI, "URN:UVCI:01:ES:AN/") {
			t.Errorf("UVCI %s does not carry the region's prefix AN", got.UVCI)
		}
		if got.Authority != "AN" || got.Lab != "LAB-AN-1" || !strings.HasPrefix(got.HC1, "HC1:") {
			t.Errorf("issued = %+v", got)
		}
		p, v := f.verify(t, got.HC1)
		e := p.T[0]
		if e.TC != "Laboratorio Clínico Demo de Sevilla" || e.IS != "Servicio Andaluz de Salud (demo)" || e.CO != "ES" ||
			e.TG != "840539006" || e.CI != got.UVCI || p.Ver != dcc.SchemaVersion {
			t.Errorf("entry = %+v", e)
		}
		if p.Nam.FNT != "MUSTERFRAU<GOESSINGER" || p.Nam.GNT != "GABRIELE" {
			t.Errorf("names = %+v, want ICAO transliterations filled in", p.Nam)
		}
		if v.Claims.Issuer != "ES" || !v.DSC.Equal(f.app.Signer.Certificates("AN")[0]) {
			t.Errorf("claims %+v signed by %s, want ES signed by the region's DSC", v.Claims, v.DSC.Subject)
		}
		if d := v.Claims.Expires.Sub(v.Claims.IssuedAt); d != 72*time.Hour {
			t.Errorf("test certificate valid for %v, want 72h", d)
		}
		// The stored record matches and carries the same HC1.
		back, rec, err := f.app.Issuance.Get(ctx, lab, got.UVCI)
		if err != nil || back.HC1 != got.HC1 || rec.Lab != "LAB-AN-1" || rec.Type != "t" {
			t.Errorf("Get = %+v, %+v, %v", back, rec, err)
		}
	})
}

func TestPermissions(t *testing.T) {
	forEachStore(t, "all", func(t *testing.T, f *fixture) {
		lab, region, health, defence, op := f.lab(t), f.authority(t, "AN"), f.authority(t, "MS"), f.authority(t, "MD"), f.operator(t)
		refuse := []struct {
			name string
			p    deployment.Principal
			typ  dcc.Type
			body string
		}{
			{"lab vaccination", lab, dcc.Vaccination, vaccinationBody()},
			{"lab recovery", lab, dcc.Recovery, `{}`},
			{"Ministry of Health test", health, dcc.Test, testBody()},
			{"operator vaccination", op, dcc.Vaccination, vaccinationBody()},
		}
		for _, tt := range refuse {
			_, err := f.app.Issuance.Issue(ctx, tt.p, issuance.Request{Type: tt.typ, Body: []byte(tt.body)})
			var fe *deployment.ForbiddenError
			if !errors.As(err, &fe) {
				t.Errorf("%s: err = %v, want ForbiddenError", tt.name, err)
			}
		}
		// Nothing was stored or audited as issued.
		if n := count(t, f, ""); n != 0 {
			t.Errorf("%d certificates stored after refusals", n)
		}
		// Allowed: the region all three, Defence all three, Health v and r.
		for _, tt := range []struct {
			p   deployment.Principal
			typ dcc.Type
		}{{region, dcc.Test}, {region, dcc.Vaccination}, {defence, dcc.Test}, {health, dcc.Vaccination}} {
			body := vaccinationBody()
			if tt.typ == dcc.Test {
				body = authorityTestBody()
			}
			got, err := f.app.Issuance.Issue(ctx, tt.p, issuance.Request{Type: tt.typ, Body: []byte(body)})
			if err != nil {
				t.Errorf("%s %s: %v", tt.p.ID, tt.typ, err)
				continue
			}
			if !strings.HasPrefix(got.UVCI, "URN:UVCI:01:ES:"+tt.p.ID+"/") {
				t.Errorf("%s issued %s", tt.p.ID, got.UVCI)
			}
			p, v := f.verify(t, got.HC1)
			if !v.DSC.Equal(f.app.Signer.Certificates(tt.p.ID)[0]) {
				t.Errorf("%s's certificate signed by %s", tt.p.ID, v.DSC.Subject)
			}
			if is := entryIssuer(p); is != tt.p.Name {
				t.Errorf("is = %q, want %q", is, tt.p.Name)
			}
		}
		// One authority never reads or revokes another's certificates.
		mine, err := f.app.Issuance.Issue(ctx, defence, issuance.Request{Type: dcc.Vaccination, Body: []byte(vaccinationBody())})
		if err != nil {
			t.Fatal(err)
		}
		for _, other := range []deployment.Principal{region, health, lab} {
			if _, _, err := f.app.Issuance.Get(ctx, other, mine.UVCI); !errors.Is(err, issuance.ErrNotFound) {
				t.Errorf("%s read Defence's certificate: %v", other.ID, err)
			}
			if err := f.app.Issuance.Revoke(ctx, other, mine.UVCI, "x"); !errors.Is(err, issuance.ErrNotFound) {
				t.Errorf("%s revoked Defence's certificate: %v", other.ID, err)
			}
			if _, err := f.app.Issuance.Reissue(ctx, other, mine.UVCI, issuance.Request{}, ""); !errors.Is(err, issuance.ErrNotFound) {
				t.Errorf("%s re-issued Defence's certificate: %v", other.ID, err)
			}
		}
		// The registry operator reads every certificate.
		if _, _, err := f.app.Issuance.Get(ctx, op, mine.UVCI); err != nil {
			t.Errorf("operator Get: %v", err)
		}
	})
}

func entryIssuer(p *dcc.Payload) string {
	switch {
	case len(p.V) > 0:
		return p.V[0].IS
	case len(p.T) > 0:
		return p.T[0].IS
	case len(p.R) > 0:
		return p.R[0].IS
	}
	return ""
}

// count returns the number of certificates in the store (of an authority).
func count(t *testing.T, f *fixture, authority string) int {
	t.Helper()
	rs, _, err := f.app.Store.Search(ctx, registry.Query{Authority: authority, Limit: 1000}, "test")
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

func TestBadInputNamesEveryField(t *testing.T) {
	forEachStore(t, "all", func(t *testing.T, f *fixture) {
		region := f.authority(t, "AN")
		tests := []struct {
			name  string
			typ   dcc.Type
			body  string
			paths []string
		}{
			{"syntax", dcc.Test, `{"nam": `, []string{""}},
			{"not an object", dcc.Test, `[1]`, []string{""}},
			{"ci given", dcc.Test, `{"nam": {"fn": "A"}, "dob": "1990", "t": [{"tt": "LP6464-4", "sc": "2021-06-01T10:00:00Z", "tr": "260415000", "ci": "URN:UVCI:01:ES:X#1"}]}`, []string{"t[0].ci"}},
			{"wrong issuer", dcc.Test, `{"nam": {"fn": "A"}, "dob": "1990", "t": [{"tt": "LP6464-4", "sc": "2021-06-01T10:00:00Z", "tr": "260415000", "is": "Someone else"}]}`, []string{"t[0].is"}},
			{"other group", dcc.Test, `{"nam": {"fn": "A"}, "dob": "1990", "v": [], "t": [{"tt": "LP6464-4", "sc": "2021-06-01T10:00:00Z", "tr": "260415000"}]}`, []string{"v"}},
			{"no entry", dcc.Recovery, `{"nam": {"fn": "A"}, "dob": "1990"}`, []string{"r"}},
			{"two entries", dcc.Recovery, `{"nam": {"fn": "A"}, "dob": "1990", "r": [{}, {}]}`, []string{"r"}},
			{"several fields", dcc.Vaccination, `{"nam": {"gn": "Ana"}, "dob": "1990-13-01", "v": [{"vp": "x", "mp": "EU/1/20/1528", "ma": "ORG-100030215", "dn": 0, "sd": 2, "dt": "2021-02-30"}]}`,
				[]string{"dob", "v[0].vp", "v[0].dn", "v[0].dt"}},
			{"untransliterable", dcc.Recovery, `{"nam": {"fn": "山田"}, "dob": "1990", "r": [{"fr": "2021-01-01", "df": "2021-01-12", "du": "2021-06-30"}]}`, []string{"nam.fnt"}},
			{"history on a test", dcc.Test, `{"nam": {"fn": "A"}, "dob": "1990", "history": {"doses": []}, "t": [{"tt": "LP6464-4", "sc": "2021-06-01T10:00:00Z", "tr": "260415000"}]}`, []string{"history"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.app.Issuance.Issue(ctx, region, issuance.Request{Type: tt.typ, Body: []byte(tt.body)})
				var ve *dcc.ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("err = %v, want a ValidationError", err)
				}
				got := map[string]bool{}
				for _, p := range ve.Problems {
					got[p.Path] = true
					if p.Reason == "" {
						t.Errorf("%s: empty reason", p.Path)
					}
				}
				for _, want := range tt.paths {
					if !got[want] {
						t.Errorf("no problem reported at %q; got %v", want, ve.Problems)
					}
				}
			})
		}
		if n := count(t, f, ""); n != 0 {
			t.Errorf("%d certificates stored for rejected requests", n)
		}
		if es, _ := f.app.Store.AuditByActor(ctx, region.Actor()); len(es) != 0 {
			t.Errorf("rejected requests left audit entries %+v", es)
		}
	})
}

func TestDoseHistory(t *testing.T) {
	forEachStore(t, "all", func(t *testing.T, f *fixture) {
		health := f.authority(t, "MS")
		d1, d2, d3 := recentDate(300), recentDate(200), recentDate(20)
		body := fmt.Sprintf(`{"nam": {"fn": "García", "gn": "Ana"}, "dob": "1960-04-02",
		"history": {"doses": [{"date": %q, "mp": "EU/1/20/1528"}, {"date": %q, "mp": "EU/1/20/1528"}, {"date": %q, "mp": "EU/1/20/1507"}]},
		"v": [{}]}`, d2, d1, d3)
		got, err := f.app.Issuance.Issue(ctx, health, issuance.Request{Type: dcc.Vaccination, Body: []byte(body)})
		if err != nil {
			t.Fatal(err)
		}
		p, _ := f.verify(t, got.HC1)
		v := p.V[0]
		// Comirnaty ×2 then a Spikevax booster: 3/3, dated and named by the last dose;
		// ma and vp from the encoding instructions.
		if v.DN != 3 || v.SD != 3 || v.DT != d3 || v.MP != "EU/1/20/1507" || v.MA != "ORG-100031184" || v.VP != "1119349007" {
			t.Errorf("v[0] = %+v", v)
		}
		// A given dn that contradicts the history is refused.
		bad := strings.Replace(body, `"v": [{}]`, `"v": [{"dn": 2}]`, 1)
		_, err = f.app.Issuance.Issue(ctx, health, issuance.Request{Type: dcc.Vaccination, Body: []byte(bad)})
		var ve *dcc.ValidationError
		if !errors.As(err, &ve) || ve.Problems[0].Path != "v[0].dn" {
			t.Errorf("contradicting dn: %v", err)
		}
		bad = strings.Replace(body, d1, "2021-02-30", 1)
		_, err = f.app.Issuance.Issue(ctx, health, issuance.Request{Type: dcc.Vaccination, Body: []byte(bad)})
		if !errors.As(err, &ve) || ve.Problems[0].Path != "history.doses[1].date" {
			t.Errorf("bad history date: %v", err)
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	forEachStore(t, "all", func(t *testing.T, f *fixture) {
		lab := f.lab(t)
		req := issuance.Request{Type: dcc.Test, Body: []byte(testBody()), IdempotencyKey: "order-42"}
		first, err := f.app.Issuance.Issue(ctx, lab, req)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		again := make([]*issuance.Issued, 4)
		for i := range again {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				if again[i], err = f.app.Issuance.Issue(ctx, lab, req); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		for _, a := range again {
			if a == nil || a.UVCI != first.UVCI || a.HC1 != first.HC1 || !a.Replayed {
				t.Errorf("retry = %+v, want the first certificate %s replayed", a, first.UVCI)
			}
		}
		if n := count(t, f, ""); n != 1 {
			t.Errorf("%d certificates stored, want 1", n)
		}
		other := req
		other.Body = []byte(strings.Replace(testBody(), "Gabriele", "Erika", 1))
		_, err = f.app.Issuance.Issue(ctx, lab, other)
		var ce *issuance.ConflictError
		if !errors.As(err, &ce) {
			t.Errorf("same key, other body: %v, want ConflictError", err)
		}
	})
}

func TestRevokeAndReissue(t *testing.T) {
	forEachStore(t, "all", func(t *testing.T, f *fixture) {
		region := f.authority(t, "AN")
		old, err := f.app.Issuance.Issue(ctx, region, issuance.Request{Type: dcc.Vaccination, Body: []byte(vaccinationBody())})
		if err != nil {
			t.Fatal(err)
		}
		// Re-issue with the same content: a new UVCI, linked both ways.
		nw, err := f.app.Issuance.Reissue(ctx, region, old.UVCI, issuance.Request{}, "DSC rotation")
		if err != nil {
			t.Fatal(err)
		}
		if nw.UVCI == old.UVCI || nw.Replaces != old.UVCI {
			t.Errorf("re-issued %s replaces %q", nw.UVCI, nw.Replaces)
		}
		p, _ := f.verify(t, nw.HC1)
		if p.V[0].CI != nw.UVCI || p.Nam.FN != "Фёдоров" {
			t.Errorf("re-issued payload = %+v", p)
		}
		_, rec, _ := f.app.Issuance.Get(ctx, region, old.UVCI)
		if rec.RevokedAt == nil || rec.ReplacedBy != nw.UVCI || rec.RevokeReason != "DSC rotation" {
			t.Errorf("old record = %+v", rec)
		}
		// A revoked certificate is not re-issued or revoked again.
		if _, err := f.app.Issuance.Reissue(ctx, region, old.UVCI, issuance.Request{}, ""); err == nil {
			t.Error("revoked certificate re-issued")
		}
		var ce *issuance.ConflictError
		if err := f.app.Issuance.Revoke(ctx, region, old.UVCI, "again"); !errors.As(err, &ce) {
			t.Errorf("revoke twice = %v", err)
		}
		// Re-issue with a corrected body of another type is refused.
		if _, err := f.app.Issuance.Reissue(ctx, region, nw.UVCI, issuance.Request{Type: dcc.Test, Body: []byte(testBody())}, ""); err == nil {
			t.Error("re-issue changed the type")
		}
		// Corrected body.
		fixed := strings.Replace(vaccinationBody(), "1964-01-01", "1964-01-02", 1)
		third, err := f.app.Issuance.Reissue(ctx, region, nw.UVCI, issuance.Request{Body: []byte(fixed)}, "wrong date of birth")
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := f.verify(t, third.HC1); p.DOB != "1964-01-02" {
			t.Errorf("corrected dob = %s", p.DOB)
		}
		if err := f.app.Issuance.Revoke(ctx, region, third.UVCI, " "); err == nil {
			t.Error("revocation without a reason accepted")
		}
		if err := f.app.Issuance.Revoke(ctx, region, third.UVCI, "holder deceased"); err != nil {
			t.Error(err)
		}
	})
}

func TestAuthorityRoleUsesOutbox(t *testing.T) {
	forEachStore(t, "authority", func(t *testing.T, f *fixture) {
		region := f.authority(t, "AN")
		if _, err := f.app.Issuance.Issue(ctx, region, issuance.Request{Type: dcc.Test, Body: []byte(authorityTestBody())}); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.app.Store.OutboxPending(ctx); n != 1 {
			t.Errorf("outbox pending = %d, want 1", n)
		}
		// In the authority role only that authority's keys are opened.
		if f.app.Signer.Certificates("MS") != nil {
			t.Error("the authority process holds another authority's DSC")
		}
		// The authority's own configuration holds no other authority's
		// credentials; a principal of another authority is refused anyway.
		if _, ok := f.app.Deployment.Authenticate(f.creds.Authorities[2].Token); ok {
			t.Error("the Ministry of Health signs in at the region's process")
		}
		health := deployment.Principal{Role: deployment.RoleAuthority, ID: "MS", Authority: "MS"}
		_, err := f.app.Issuance.Issue(ctx, health, issuance.Request{Type: dcc.Vaccination, Body: []byte(vaccinationBody())})
		var fe *deployment.ForbiddenError
		if !errors.As(err, &fe) {
			t.Errorf("another authority issuing through this authority's process: %v, want ForbiddenError", err)
		}
	})
}

func TestIssueBatch(t *testing.T) {
	forEachStore(t, "all", func(t *testing.T, f *fixture) {
		region := f.authority(t, "AN")
		reqs := []issuance.Request{
			{Type: dcc.Test, Body: []byte(authorityTestBody())},
			{Type: dcc.Test, Body: []byte(`{"nam": {}}`)},
			{Type: dcc.Vaccination, Body: []byte(vaccinationBody())},
			{Type: dcc.Recovery, Body: []byte(`not json`)},
		}
		for range 20 {
			reqs = append(reqs, issuance.Request{Type: dcc.Test, Body: []byte(authorityTestBody())})
		}
		res := f.app.Issuance.IssueBatch(ctx, region, reqs, 0)
		ok := 0
		for i, r := range res {
			switch {
			case i == 1 || i == 3:
				if r.Err == nil || r.Issued != nil {
					t.Errorf("line %d: want an error, got %+v", i, r)
				}
			case r.Err != nil:
				t.Errorf("line %d: %v", i, r.Err)
			default:
				ok++
				f.verify(t, r.Issued.HC1)
			}
		}
		if n := count(t, f, "AN"); n != ok || ok != 22 {
			t.Errorf("stored %d, issued %d, want 22", n, ok)
		}
	})
}

func TestIssuedPayloadIsStoredAsSigned(t *testing.T) {
	forEachStore(t, "all", func(t *testing.T, f *fixture) {
		region := f.authority(t, "AN")
		body := fmt.Sprintf(`{"nam": {"fn": "Παπαδόπουλος", "gn": "Ευάγγελος"}, "dob": "1975", "r": [{"fr": %q, "df": %q, "du": %q}]}`,
			recentDate(30), recentDate(19), time.Now().UTC().AddDate(0, 4, 0).Format(time.DateOnly))
		got, err := f.app.Issuance.Issue(ctx, region, issuance.Request{Type: dcc.Recovery, Body: []byte(body)})
		if err != nil {
			t.Fatal(err)
		}
		p, _ := f.verify(t, got.HC1)
		signed, _ := json.Marshal(p)
		if string(signed) != string(got.Payload) {
			t.Errorf("stored payload %s differs from the signed one %s", got.Payload, signed)
		}
		if p.Nam.FNT != "PAPADOPOULOS" {
			t.Errorf("fnt = %s", p.Nam.FNT)
		}
	})
}
