package gateway_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"dcc/gateway"
	"dcc/revocation"
)

func TestValueSetsAndCountries(t *testing.T) {
	ta := newParty(t, certOpts{country: "EU", cn: "DCCG_TA", ca: true}, nil)
	g, cfg, _ := testGateway(t, ta, newCountry(t, "DE", 0), newCountry(t, "FR", 0))
	g.valuesets["disease-agent-targeted"] = `{"valueSetId":"disease-agent-targeted","valueSetDate":"2021-04-27","valueSetValues":{"840539006":{"display":"COVID-19","lang":"en","active":true,"version":"http://snomed.info/sct/900000000000207008/version/20210131","system":"http://snomed.info/sct"}}}`
	c := newClient(t, cfg)
	ctx := context.Background()
	ids, err := c.ValueSets(ctx)
	if err != nil || len(ids) != 1 || ids[0] != "disease-agent-targeted" {
		t.Errorf("ValueSets: %v, %v", ids, err)
	}
	vs, err := c.ValueSet(ctx, "disease-agent-targeted")
	if err != nil || string(vs) != g.valuesets["disease-agent-targeted"] {
		t.Errorf("ValueSet: %s, %v", vs, err)
	}
	var pe *gateway.ProblemError
	if _, err := c.ValueSet(ctx, "nothing"); !errors.Is(err, gateway.ErrNotFound) || !errors.As(err, &pe) || pe.Code != "0x100" || !strings.Contains(pe.Hint(), "no value set") {
		t.Errorf("unknown value set: %v", err)
	}
	cs, err := c.Countries(ctx)
	if err != nil || strings.Join(cs, ",") != "DE,FR" {
		t.Errorf("Countries: %v, %v", cs, err)
	}
	g.countries = []string{"DE", "fr"}
	if _, err := c.Countries(ctx); err == nil {
		t.Error("a lower-case country was accepted")
	}
}

func TestRules(t *testing.T) {
	ta := newParty(t, certOpts{country: "EU", cn: "DCCG_TA", ca: true}, nil)
	de, fr := newCountry(t, "DE", 0), newCountry(t, "FR", 0)
	g, cfg, _ := testGateway(t, ta, de, fr)
	listed := func(id, version string, cms string) string {
		return fmt.Sprintf(`%q:[{"version":%q,"validFrom":"2021-07-01T00:00:00Z","validTo":"2030-06-01T00:00:00Z","cms":%q}]`, id, version, cms)
	}
	good := sign(t, fr.Up, []byte(ruleJSON("FR", "VR-FR-0001", "1.0.0")), false)
	g.rules["FR"] = "{" + strings.Join([]string{
		listed("VR-FR-0001", "1.0.0", good),
		// Of DE, signed by DE's UPLOAD key, but listed for FR.
		listed("VR-DE-0001", "1.0.0", sign(t, de.Up, []byte(ruleJSON("DE", "VR-DE-0001", "1.0.0")), false)),
		// Of DE, signed by FR's UPLOAD key.
		listed("VR-DE-0002", "1.0.0", sign(t, fr.Up, []byte(ruleJSON("DE", "VR-DE-0002", "1.0.0")), false)),
		// Signed by FR's CSCA.
		listed("VR-FR-0002", "1.0.0", sign(t, fr.CSCA, []byte(ruleJSON("FR", "VR-FR-0002", "1.0.0")), false)),
		// Listed under another version.
		listed("VR-FR-0003", "1.0.1", sign(t, fr.Up, []byte(ruleJSON("FR", "VR-FR-0003", "1.0.0")), false)),
		// Detached.
		listed("VR-FR-0004", "1.0.0", sign(t, fr.Up, []byte(ruleJSON("FR", "VR-FR-0004", "1.0.0")), true)),
		// Not a valid rule (unknown field).
		listed("VR-FR-0005", "1.0.0", sign(t, fr.Up, []byte(strings.Replace(ruleJSON("FR", "VR-FR-0005", "1.0.0"), `"Engine"`, `"Extra":1,"Engine"`, 1)), false)),
	}, ",") + "}"
	c := newClient(t, cfg)
	rs, err := c.Rules(context.Background(), "FR", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Rules) != 1 || rs.Rules[0].Identifier != "VR-FR-0001" || rs.Rules[0].CMS != good || !rs.Rules[0].SignedBy.Equal(fr.Up.Cert) {
		t.Errorf("rules %v", rs.Rules)
	}
	want := map[string]string{
		"VR-DE-0001": "UPLOAD", "VR-DE-0002": `Country "DE"`, "VR-FR-0002": "UPLOAD",
		"VR-FR-0003": "listed as", "VR-FR-0004": "not embedded", "VR-FR-0005": "Extra",
	}
	if len(rs.Refused) != len(want) {
		t.Errorf("refused %v", rs.Refused)
	}
	for _, r := range rs.Refused {
		if !strings.Contains(r.Reason, want[r.ID]) {
			t.Errorf("%s refused for %q, want %q", r.ID, r.Reason, want[r.ID])
		}
	}
	// Given UPLOAD certificates are the only ones tried.
	rs, err = c.Rules(context.Background(), "FR", []*x509.Certificate{de.Up.Cert})
	if err != nil || len(rs.Rules) != 0 {
		t.Errorf("with DE's UPLOAD certificate: %v, %v", rs, err)
	}
	if _, err := c.Rules(context.Background(), "fr", nil); err == nil {
		t.Error("lower-case country accepted")
	}
}

func batchJSON(cc string, expires time.Time, n int) []byte {
	b := revocation.Batch{Country: cc, Expires: expires.UTC().Truncate(time.Second), KID: "AAECAwQFBgc=", HashType: revocation.UCI}
	for i := range n {
		var h revocation.Hash
		h[0], h[1] = byte(i), byte(i>>8)
		b.Entries = append(b.Entries, revocation.EntryOf(h))
	}
	j, _ := json.Marshal(b)
	return j
}

func TestRevocationList(t *testing.T) {
	ta := newParty(t, certOpts{country: "EU", cn: "DCCG_TA", ca: true}, nil)
	de, fr := newCountry(t, "DE", 0), newCountry(t, "FR", 0)
	g, cfg, _ := testGateway(t, ta, de, fr)
	ids := []string{
		"00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002",
		"00000000-0000-4000-8000-000000000003", "00000000-0000-4000-8000-000000000004",
	}
	d := []string{"2026-11-01T10:00:00Z", "2026-11-01T10:00:00.123456789Z", "2026-11-02T08:30:00.5Z", "2026-11-03T00:00:00Z"}
	item := func(i int, deleted bool) string {
		return fmt.Sprintf(`{"batchId":%q,"country":"FR","date":%q,"deleted":%t}`, ids[i], d[i], deleted)
	}
	// Three pages, each asked for with the last date before it; the
	// gateway repeats items of the same second; then 204.
	g.revPages["2021-06-01T00:00:00Z"] = `{"more":true,"batches":[` + item(0, false) + `,` + item(1, false) + `]}`
	g.revPages[d[1]] = `{"more":true,"batches":[` + item(1, false) + `,` + item(2, false) + `]}`
	g.revPages[d[2]] = `{"more":true,"batches":[` + item(2, false) + `,` + item(3, true) + `]}`
	c := newClient(t, cfg)
	var got []string
	for b, err := range c.RevocationList(context.Background(), time.Time{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %t", b.BatchID[len(b.BatchID)-1:], b.Deleted))
	}
	if strings.Join(got, ",") != "1 false,2 false,3 false,4 true" {
		t.Errorf("batches %v", got)
	}
	if h := strings.Join(g.headers["/revocation-list"], " "); h != "2021-06-01T00:00:00Z "+d[1]+" "+d[2]+" "+d[3] {
		t.Errorf("If-Modified-Since sent: %s", h)
	}

	// A batch, checked against FR's UPLOAD certificate from the trust list.
	g.batches[ids[0]] = sign(t, fr.Up, batchJSON("FR", time.Now().Add(24*time.Hour), 3), false)
	b, err := c.RevocationBatch(context.Background(), ids[0], nil)
	if err != nil || b.Country != "FR" || len(b.Entries) != 3 {
		t.Fatalf("batch: %+v, %v", b, err)
	}
	// Signed by DE's UPLOAD key but claiming FR; signed by FR's CSCA; a deleted batch.
	g.batches[ids[1]] = sign(t, de.Up, batchJSON("FR", time.Now().Add(24*time.Hour), 1), false)
	g.batches[ids[2]] = sign(t, fr.CSCA, batchJSON("FR", time.Now().Add(24*time.Hour), 1), false)
	g.gone[ids[3]] = true
	for i, want := range map[int]string{1: "UPLOAD", 2: "UPLOAD"} {
		if b, err := c.RevocationBatch(context.Background(), ids[i], nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("batch %d: %v, %v", i, b, err)
		}
	}
	if b, err := c.RevocationBatch(context.Background(), ids[1], []*x509.Certificate{de.Up.Cert}); err == nil || !strings.Contains(err.Error(), `of "FR" signed by an UPLOAD certificate of "DE"`) {
		t.Errorf("batch of FR by DE: %v, %v", b, err)
	}
	if b, err := c.RevocationBatch(context.Background(), ids[3], nil); !errors.Is(err, gateway.ErrGone) || b != nil {
		t.Errorf("deleted batch: %v, %v", b, err)
	}
	if _, err := c.RevocationBatch(context.Background(), "00000000-0000-4000-8000-00000000000F", nil); err == nil {
		t.Error("upper-case batch id accepted")
	}
}

func TestRevocationListStops(t *testing.T) {
	ta := newParty(t, certOpts{country: "EU", cn: "DCCG_TA", ca: true}, nil)
	g, cfg, _ := testGateway(t, ta, newCountry(t, "DE", 0))
	c := newClient(t, cfg)
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// "more" without advancing would loop for ever.
	g.revPages["2026-01-01T00:00:00Z"] = `{"more":true,"batches":[{"batchId":"00000000-0000-4000-8000-000000000001","country":"DE","date":"2026-01-01T00:00:00Z","deleted":false}]}`
	var errs []error
	n := 0
	for _, err := range c.RevocationList(context.Background(), from) {
		n++
		if err != nil {
			errs = append(errs, err)
		}
	}
	if n != 2 || len(errs) != 1 || !strings.Contains(errs[0].Error(), "does not advance") {
		t.Errorf("%d yields, errors %v", n, errs)
	}
	g.revPages["2026-01-01T00:00:00Z"] = `{"more":false,"batches":[{"batchId":"not-a-uuid","country":"DE","date":"2026-01-01T00:00:00Z","deleted":false}]}`
	for b, err := range c.RevocationList(context.Background(), from) {
		if err == nil {
			t.Errorf("bad batch id yielded %v", b)
		}
	}
}

func TestParseRevocationListStrict(t *testing.T) {
	for _, in := range []string{``, `null`, `[]`, `{"more":false}`, `{"batches":[]}`, `{"more":false,"batches":[],"x":1}`,
		`{"more":false,"batches":[{"batchId":"00000000-0000-4000-8000-000000000001","country":"DE","deleted":false}]}`,
		`{"more":false,"batches":[{"batchId":"00000000-0000-4000-8000-000000000001","country":"D","date":"2026-01-01T00:00:00Z","deleted":false}]}`,
		`{"more":false,"batches":[]} {}`} {
		if _, err := gateway.ParseRevocationList([]byte(in)); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestProblemErrors(t *testing.T) {
	ta := newParty(t, certOpts{country: "EU", cn: "DCCG_TA", ca: true}, nil)
	de := newCountry(t, "DE", 0)
	g, cfg, _ := testGateway(t, ta, de)
	c := newClient(t, cfg)
	g.fail["GET /trustList"] = failure{401, `{"code":"0x402","problem":"Client is not authorized to access the service","sendValue":"abc","details":""}`}
	g.fail["GET /countrylist"] = failure{403, `{"code":"0x403","problem":"Missing role","sendValue":"","details":"REVOCATION_LIST_READER"}`}
	g.fail["GET /valuesets"] = failure{400, `<html>Bad Request</html>`}
	l, err := c.TrustList(context.Background(), gateway.Query{})
	var pe *gateway.ProblemError
	if l != nil || !errors.Is(err, gateway.ErrUnauthorized) || !errors.As(err, &pe) {
		t.Fatalf("401: %v, %v", l, err)
	}
	if pe.Status != 401 || pe.Code != "0x402" || pe.SendValue != "abc" || !strings.Contains(pe.Hint(), "onboarded") || !strings.Contains(err.Error(), "hint:") {
		t.Errorf("401 problem: %+v, hint %q", pe, pe.Hint())
	}
	if _, err := c.Countries(context.Background()); !errors.Is(err, gateway.ErrForbidden) || !strings.Contains(err.Error(), "REVOCATION_LIST_READER") {
		t.Errorf("403: %v", err)
	}
	if _, err := c.ValueSets(context.Background()); !errors.Is(err, gateway.ErrBadRequest) || !strings.Contains(err.Error(), "<html>") {
		t.Errorf("400 without a problem report: %v", err)
	}
	if errors.Is(err, gateway.ErrNotFound) {
		t.Error("400 is ErrNotFound")
	}
	// 0x402 from the CMS converters means something else.
	p := &gateway.ProblemError{Status: 400, Code: "0x402"}
	if !strings.Contains(p.Hint(), "parse the CMS") {
		t.Errorf("0x402/400 hint %q", p.Hint())
	}
}

func TestUnknownClient(t *testing.T) {
	ta := newParty(t, certOpts{country: "EU", cn: "DCCG_TA", ca: true}, nil)
	de, fr := newCountry(t, "DE", 0), newCountry(t, "FR", 0)
	g, cfg, _ := testGateway(t, ta, de, fr)
	delete(g.auth, sha256Of(de.Auth.Cert)) // TLS still accepts it; the gateway does not know it
	c := newClient(t, cfg)
	_, err := c.Countries(context.Background())
	var pe *gateway.ProblemError
	if !errors.As(err, &pe) || pe.Code != "0x402" || !errors.Is(err, gateway.ErrUnauthorized) {
		t.Errorf("unknown client: %v", err)
	}
}

func TestServerDown(t *testing.T) {
	ta := newParty(t, certOpts{country: "EU", cn: "DCCG_TA", ca: true}, nil)
	_, cfg, srv := testGateway(t, ta, newCountry(t, "DE", 0))
	srv.Close()
	// A port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL = "https://" + ln.Addr().String()
	ln.Close()
	c := newClient(t, cfg)
	ctx := context.Background()
	if l, err := c.TrustList(ctx, gateway.Query{}); l != nil || err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("TrustList: %v, %v", l, err)
	}
	if rs, err := c.Rules(ctx, "DE", nil); rs != nil || err == nil {
		t.Errorf("Rules: %v, %v", rs, err)
	}
	n := 0
	for _, err := range c.RevocationList(ctx, time.Time{}) {
		n++
		if err == nil {
			t.Error("a batch from a server that is down")
		}
	}
	if n != 1 {
		t.Errorf("%d yields", n)
	}
	if err := c.UploadDSC(ctx, nil); err == nil {
		t.Error("UploadDSC(nil)")
	}
}
