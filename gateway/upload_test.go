package gateway_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"dcc/cms"
	"dcc/gateway"
	"dcc/revocation"
)

// checkWire checks an upload as the gateway's parser would (§B.2) and
// returns its content.
func checkWire(t *testing.T, u upload, method, path string, up *party) []byte {
	t.Helper()
	if u.Method != method || u.Path != path || u.ContentType != "application/cms" {
		t.Errorf("sent %s %s (%s), want %s %s (application/cms)", u.Method, u.Path, u.ContentType, method, path)
	}
	if strings.ContainsAny(u.Body, "\r\n ") {
		t.Errorf("%s %s: the base64 has line breaks", method, path)
	}
	sd, err := cms.ParseBase64(u.Body)
	if err != nil {
		t.Fatal(err)
	}
	if sd.Content == nil {
		t.Fatalf("%s %s: detached", method, path)
	}
	signer, err := sd.Verify(nil)
	if err != nil || !signer.Equal(up.Cert) {
		t.Fatalf("%s %s: signer %v, %v; want the UPLOAD certificate", method, path, signer, err)
	}
	return sd.Content
}

func TestUploads(t *testing.T) {
	ta := newParty(t, certOpts{country: "EU", cn: "DCCG_TA", ca: true}, nil)
	de, fr := newCountry(t, "DE", 1), newCountry(t, "FR", 0)
	g, cfg, _ := testGateway(t, ta, de, fr)
	c := newClient(t, cfg)
	ctx := context.Background()
	dsc := newParty(t, certOpts{country: "DE", cn: "DE DSC new"}, de.CSCA).Cert

	if err := c.UploadDSC(ctx, dsc); err != nil {
		t.Fatal(err)
	}
	if got := checkWire(t, g.uploads[0], "POST", "/signerCertificate", de.Up); !bytes.Equal(got, dsc.Raw) {
		t.Error("the DSC upload does not carry the DSC's DER")
	}
	// Again: 409, which is done.
	if err := c.UploadDSC(ctx, dsc); err != nil || len(g.uploads) != 2 {
		t.Errorf("second upload: %v", err)
	}
	if err := c.DeleteDSC(ctx, dsc); err != nil {
		t.Fatal(err)
	}
	if got := checkWire(t, g.uploads[2], "DELETE", "/signerCertificate", de.Up); !bytes.Equal(got, dsc.Raw) {
		t.Error("the DSC delete does not carry the DSC's DER")
	}
	if err := c.UploadDSC(ctx, fr.Up.Cert); err == nil || len(g.uploads) != 3 {
		t.Errorf("a certificate of FR was sent: %v", err)
	}

	rule := ruleJSON("DE", "VR-DE-0001", "1.0.0")
	if err := c.UploadRule(ctx, []byte(rule)); err != nil {
		t.Fatal(err)
	}
	if got := checkWire(t, g.uploads[3], "POST", "/rules", de.Up); string(got) != rule {
		t.Errorf("rule upload content %s", got)
	}
	if err := c.DeleteRule(ctx, "VR-DE-0001"); err != nil {
		t.Fatal(err)
	}
	if got := checkWire(t, g.uploads[4], "DELETE", "/rules", de.Up); string(got) != "VR-DE-0001" {
		t.Errorf("rule delete content %q", got)
	}
	for _, bad := range []string{ruleJSON("FR", "VR-FR-0001", "1.0.0"), `{"Identifier":"VR-DE-0001"}`} {
		if err := c.UploadRule(ctx, []byte(bad)); err == nil {
			t.Errorf("rule %s uploaded", bad)
		}
	}
	for _, bad := range []string{"VR-FR-0001", "XX-DE-0001", "VR-DE-1"} {
		if err := c.DeleteRule(ctx, bad); err == nil {
			t.Errorf("DeleteRule(%q)", bad)
		}
	}
	if len(g.uploads) != 5 {
		t.Fatalf("refused uploads were sent: %d", len(g.uploads))
	}

	batch := func(n int, expires time.Time) revocation.Batch {
		bs, err := revocation.Parse(batchJSON("DE", expires, n))
		if err != nil {
			t.Fatal(err)
		}
		return bs[0]
	}
	b := batch(1000, time.Now().Add(48*time.Hour))
	id, err := c.UploadRevocationBatch(ctx, b)
	if err != nil || id != "0f6d2ac6-6a3c-4f3c-9a5e-1b2c3d4e5f60" {
		t.Fatalf("batch upload: %q, %v", id, err)
	}
	got, err := revocation.Parse(checkWire(t, g.uploads[5], "POST", "/revocation-list", de.Up))
	if err != nil || len(got) != 1 || len(got[0].Entries) != 1000 || got[0].Entries[999] != b.Entries[999] || got[0].KID != b.KID {
		t.Errorf("batch content: %v", err)
	}
	if err := c.DeleteRevocationBatch(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got := checkWire(t, g.uploads[6], "DELETE", "/revocation-list", de.Up); string(got) != `{"batchId":"`+id+`"}` {
		t.Errorf("batch delete content %s", got)
	}
	for name, bad := range map[string]revocation.Batch{
		"1001 entries": batch(1001, time.Now().Add(time.Hour)),
		"expired":      batch(1, time.Now().Add(-time.Hour)),
		"no entries":   batch(0, time.Now().Add(time.Hour)),
		"other country": func() revocation.Batch {
			b := batch(1, time.Now().Add(time.Hour))
			b.Country = "FR"
			return b
		}(),
		"short hash": func() revocation.Batch {
			b := batch(1, time.Now().Add(time.Hour))
			b.Entries[0].Hash = "AAAA"
			return b
		}(),
	} {
		if _, err := c.UploadRevocationBatch(ctx, bad); err == nil {
			t.Errorf("%s: uploaded", name)
		}
	}
	if err := c.DeleteRevocationBatch(ctx, "nope"); err == nil {
		t.Error("DeleteRevocationBatch(nope)")
	}
	if len(g.uploads) != 7 {
		t.Errorf("refused batches were sent: %d uploads", len(g.uploads))
	}

	// The gateway's refusal comes back typed.
	g.fail["DELETE /revocation-list"] = failure{410, `{"code":"0x000","problem":"Batch already deleted","sendValue":"","details":""}`}
	if err := c.DeleteRevocationBatch(ctx, id); !errors.Is(err, gateway.ErrGone) {
		t.Errorf("deleted twice: %v", err)
	}
	g.fail["POST /rules"] = failure{400, `{"code":"0x240","problem":"Invalid timestamp","sendValue":"","details":""}`}
	var pe *gateway.ProblemError
	if err := c.UploadRule(ctx, []byte(rule)); !errors.As(err, &pe) || !strings.Contains(pe.Hint(), "72 h") {
		t.Errorf("0x240: %v", err)
	}
}

func TestDownloadOnly(t *testing.T) {
	ta := newParty(t, certOpts{country: "EU", cn: "DCCG_TA", ca: true}, nil)
	de := newCountry(t, "DE", 1)
	g, cfg, _ := testGateway(t, ta, de)
	cfg.UploadKey, cfg.UploadCert = "", ""
	c := newClient(t, cfg)
	if err := c.UploadDSC(context.Background(), de.DSCs[0].Cert); !errors.Is(err, gateway.ErrNoUploadKey) {
		t.Errorf("upload without a key: %v", err)
	}
	if len(g.uploads) != 0 {
		t.Error("sent")
	}
}
