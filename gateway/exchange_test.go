package gateway_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dcc/gateway"
	"dcc/internal/gatewayserver"
	"dcc/pki"
	"dcc/revocation"
)

// Two countries exchange DSCs, rules and revocations through the
// project's gateway-compatible server over real mutual TLS: what one
// uploads the other downloads, checked end to end, and a deletion
// reaches the other side.
func TestExchangeThroughGatewayServer(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	demo, _, err := gatewayserver.OpenDemo(ctx, t.TempDir(), now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	store, err := gatewayserver.Open(ctx, demo.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h, err := gatewayserver.NewHandler(gatewayserver.Config{Store: store, Anchor: demo.Anchor.Cert})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, TLSConfig: gatewayserver.ServerTLS(demo.TLS)}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	base := "https://" + ln.Addr().String()

	client := func(c gatewayserver.DemoCountry) *gateway.Client {
		t.Helper()
		cl, err := gateway.New(gateway.Config{
			BaseURL:     base,
			AuthKey:     "file:" + filepath.Join(c.Dir, "auth", "key.pem"),
			AuthCert:    filepath.Join(c.Dir, "auth", "cert.pem"),
			UploadKey:   "file:" + filepath.Join(c.Dir, "upload", "key.pem"),
			UploadCert:  filepath.Join(c.Dir, "upload", "cert.pem"),
			ServerCA:    filepath.Join(demo.Dir, gatewayserver.DemoServerCert),
			TrustAnchor: filepath.Join(demo.Dir, gatewayserver.DemoAnchorCert),
		})
		if err != nil {
			t.Fatalf("%s: %v", c.Code, err)
		}
		t.Cleanup(func() { cl.Close() })
		return cl
	}
	es, fr := demo.Countries[0], demo.Countries[1]
	if es.Code != "ES" || fr.Code != "FR" {
		t.Fatalf("demo countries %s, %s", es.Code, fr.Code)
	}
	a, b := client(es), client(fr)

	// A (ES) uploads a DSC issued by its CSCA; a second upload is done.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	dsc, err := pki.NewDSC(es.CSCA, es.CSCAKey, key.Public(), pki.DSCOptions{Country: "ES", Now: now.Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.UploadDSC(ctx, dsc); err != nil {
		t.Fatalf("upload DSC: %v", err)
	}
	if err := a.UploadDSC(ctx, dsc); err != nil {
		t.Fatalf("upload DSC again: %v", err)
	}
	// A DSC of a CSCA the gateway does not know is refused, with a hint.
	stray, _ := pki.NewCSCA(key, pki.CSCAOptions{Country: "ES", Now: now.Add(-time.Hour)})
	other, _ := pki.NewDSC(stray, key, key.Public(), pki.DSCOptions{Country: "ES", Now: now.Add(-time.Minute)})
	var pe *gateway.ProblemError
	if err := a.UploadDSC(ctx, other); !errors.As(err, &pe) || pe.Status != http.StatusBadRequest {
		t.Errorf("a DSC of an unknown CSCA: %v", err)
	}

	// B (FR) downloads the trust list: A's DSC is there, checked, and
	// nothing is refused.
	tl, err := b.TrustList(ctx, gateway.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tl.Refused) != 0 {
		t.Errorf("refused: %+v", tl.Refused)
	}
	kid := base64.StdEncoding.EncodeToString(pki.KID(dsc))
	found := false
	for _, e := range tl.Entries {
		if e.CertificateType == "DSC" && e.KID == kid && e.Certificate.Equal(dsc) {
			found = true
		}
	}
	if !found {
		t.Fatalf("ES's DSC %s is not on FR's trust list (%d entries)", kid, len(tl.Entries))
	}

	// A uploads a rule; B downloads ES's rules, verified and parsed.
	validFrom := now.Add(72 * time.Hour).UTC().Truncate(time.Second)
	rule := `{"Identifier":"VR-ES-0001","Type":"Acceptance","Country":"ES","Version":"1.0.0","SchemaVersion":"1.0.0",` +
		`"Engine":"CERTLOGIC","EngineVersion":"0.7.5","CertificateType":"Vaccination",` +
		`"Description":[{"lang":"en","desc":"At least one vaccination entry is present."}],` +
		`"ValidFrom":"` + validFrom.Format(time.RFC3339) + `","ValidTo":"` + validFrom.AddDate(1, 0, 0).Format(time.RFC3339) + `",` +
		`"AffectedFields":["v.0"],"Logic":{"if":[{"var":"payload.v.0"},true,false]}}`
	if err := a.UploadRule(ctx, []byte(rule)); err != nil {
		t.Fatalf("upload rule: %v", err)
	}
	rs, err := b.Rules(ctx, "ES", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs.Refused) != 0 || len(rs.Rules) != 1 {
		t.Fatalf("ES rules: %+v", rs)
	}

	// A uploads a revocation batch; B pages the list and reads it.
	h16 := revocation.Of("URN:UVCI:01:ES:AN/ABCDEFGHIJKLMNOPQ#R", "ES", nil).UCI
	id, err := a.UploadRevocationBatch(ctx, revocation.Batch{Country: "ES", Expires: now.Add(24 * time.Hour), KID: kid,
		HashType: revocation.UCI, Entries: []revocation.Entry{revocation.EntryOf(h16)}})
	if err != nil {
		t.Fatalf("upload revocation batch: %v", err)
	}
	var ids []string
	for info, err := range b.RevocationList(ctx, now.Add(-time.Hour)) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, info.BatchID)
	}
	if len(ids) != 1 || ids[0] != id {
		t.Fatalf("revocation list %v, want [%s]", ids, id)
	}
	batch, err := b.RevocationBatch(ctx, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := revocation.NewList()
	l.Add([]revocation.Batch{*batch}, now)
	if _, ok := l.Check(pki.KID(dsc), revocation.Of("URN:UVCI:01:ES:AN/ABCDEFGHIJKLMNOPQ#R", "ES", nil)); !ok {
		t.Error("the downloaded batch does not revoke the certificate")
	}
	// Only the uploader may delete its batch; then the batch is gone.
	if err := b.DeleteRevocationBatch(ctx, id); err == nil {
		t.Error("FR deleted ES's batch")
	}
	if err := a.DeleteRevocationBatch(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := b.RevocationBatch(ctx, id, nil); !errors.Is(err, gateway.ErrGone) {
		t.Errorf("deleted batch: %v, want ErrGone", err)
	}

	// A rotates its UPLOAD key: the operator onboards the new certificate
	// beside the old one, A signs with the new key, and B accepts the DSC
	// entry it signed.
	upKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	upCert, err := pki.NewCSCA(upKey, pki.CSCAOptions{Country: "ES", CommonName: "ES DCC Gateway upload (rotated)", Now: now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := gatewayserver.Onboard(ctx, store, demo.Anchor, gatewayserver.Onboarding{Country: "ES", Upload: []*x509.Certificate{upCert}}, now); err != nil {
		t.Fatalf("onboard a new UPLOAD certificate: %v", err)
	}
	dir := t.TempDir()
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(upKey)
	os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), 0o600)
	os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: upCert.Raw}), 0o644)
	rotated, err := gateway.New(gateway.Config{
		BaseURL:     base,
		AuthKey:     "file:" + filepath.Join(es.Dir, "auth", "key.pem"),
		AuthCert:    filepath.Join(es.Dir, "auth", "cert.pem"),
		UploadKey:   "file:" + filepath.Join(dir, "key.pem"),
		UploadCert:  filepath.Join(dir, "cert.pem"),
		ServerCA:    filepath.Join(demo.Dir, gatewayserver.DemoServerCert),
		TrustAnchor: filepath.Join(demo.Dir, gatewayserver.DemoAnchorCert),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer rotated.Close()
	key2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	dsc2, err := pki.NewDSC(es.CSCA, es.CSCAKey, key2.Public(), pki.DSCOptions{Country: "ES", Now: now.Add(-time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if err := rotated.UploadDSC(ctx, dsc2); err != nil {
		t.Fatalf("upload with the rotated UPLOAD key: %v", err)
	}
	tl, err = b.TrustList(ctx, gateway.Query{})
	if err != nil {
		t.Fatal(err)
	}
	signedBy := map[string]*x509.Certificate{}
	for _, e := range tl.Entries {
		if e.CertificateType == "DSC" {
			signedBy[e.KID] = e.SignedBy
		}
	}
	if s := signedBy[base64.StdEncoding.EncodeToString(pki.KID(dsc2))]; s == nil || !s.Equal(upCert) {
		t.Errorf("the DSC uploaded after the rotation is not on FR's list, signed by the new UPLOAD certificate (refused: %+v)", tl.Refused)
	}
	if s := signedBy[kid]; s == nil || s.Equal(upCert) {
		t.Error("the DSC uploaded before the rotation lost its entry or its old signature")
	}

	// A withdraws the DSC: B's delta shows it deleted.
	since := now.Add(-time.Second)
	if err := a.DeleteDSC(ctx, dsc); err != nil {
		t.Fatal(err)
	}
	delta, err := b.TrustList(ctx, gateway.Query{Type: "DSC", Since: since})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(delta.Deleted, " "), kid) {
		t.Errorf("delta deleted %v, want %s", delta.Deleted, kid)
	}
}
