package gatewayserver_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"dcc/cms"
	"dcc/internal/gatewayserver"
	"dcc/pki"
)

func FuzzParseBatch(f *testing.F) {
	f.Add(batchJSON("ES", t0.Add(time.Hour), 2))
	f.Add([]byte(`{"country":"ES","expires":"2030-01-01T00:00:00Z","kid":"AAAAAAAAAAA=","hashType":"SIGNATURE","entries":[{"hash":"AAAAAAAAAAAAAAAAAAAAAA=="}]}`))
	f.Add([]byte(`{"batches":[]}`))
	f.Add([]byte(`[{}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := gatewayserver.ParseBatch(data)
		if err != nil {
			return
		}
		if len(b.Country) != 2 || len(b.Entries) == 0 || len(b.Entries) > gatewayserver.MaxBatchEntries || b.Expires.IsZero() {
			t.Fatalf("accepted %+v", b)
		}
	})
}

func FuzzParseBatchDelete(f *testing.F) {
	f.Add([]byte(`{"batchId":"00000000-0000-4000-8000-000000000001"}`))
	f.Add([]byte(`{"batchId":"00000000-0000-4000-8000-00000000000A"}`))
	f.Add([]byte(`{"batchId":"x"} {}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		id, err := gatewayserver.ParseBatchDelete(data)
		if err == nil && len(id) != 36 {
			t.Fatalf("accepted %q", id)
		}
	})
}

func FuzzCheckRule(f *testing.F) {
	f.Add(ruleJSON("VR-ES-0001", "Acceptance", "ES", "Vaccination", "1.0.0", t0.Add(72*time.Hour), t0.Add(30*24*time.Hour)))
	f.Add(ruleJSON("IR-ES-0001", "Invalidation", "ES", "General", "1.0.0", t0.Add(time.Hour), t0.Add(30*24*time.Hour)))
	f.Add([]byte(`{"Identifier":"VR-FR-0001"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, p := gatewayserver.CheckRule(data, "ES", nil, t0)
		if p == nil && (r == nil || r.Country != "ES") {
			t.Fatalf("accepted %v", r)
		}
		if p != nil && (p.Code < "0x200" || p.Code > "0x270") {
			t.Fatalf("code %s", p.Code)
		}
	})
}

// FuzzUpload sends arbitrary bodies to every upload and delete endpoint, as
// ES through the trusted proxy: each answer is a success or a ProblemReport
// with a client error, never a server error. Its seeds run with the tests;
// under -fuzz it is slow, because the fuzzer instruments the SQLite engine
// behind the store too: the parsers alone are fuzzed fast by FuzzParseBatch,
// FuzzParseBatchDelete, FuzzCheckRule here and package cms's fuzz targets.
func FuzzUpload(f *testing.F) {
	ctx := context.Background()
	d, _, err := gatewayserver.OpenDemo(ctx, f.TempDir(), t0)
	if err != nil {
		f.Fatal(err)
	}
	s, err := gatewayserver.Open(ctx, d.DSN)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	h, err := gatewayserver.NewHandler(gatewayserver.Config{Store: s, Anchor: d.Anchor.Cert, TrustedProxy: "127.0.0.1", Now: func() time.Time { return t0 }})
	if err != nil {
		f.Fatal(err)
	}
	es := d.Countries[0]
	sign := func(content []byte) string {
		der, err := cms.Sign(content, es.UploadKey, es.Upload, cms.SignOptions{Now: func() time.Time { return t0 }})
		if err != nil {
			f.Fatal(err)
		}
		return cms.EncodeBase64(der)
	}
	k, _ := newTestKey()
	dsc, err := pki.NewDSC(es.CSCA, es.CSCAKey, k.Public(), pki.DSCOptions{Country: "ES", Now: t0})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(0, sign(dsc.Raw))
	f.Add(1, sign(ruleJSON("VR-ES-0001", "Acceptance", "ES", "Vaccination", "1.0.0", t0.Add(72*time.Hour), t0.Add(30*24*time.Hour))))
	f.Add(2, sign(batchJSON("ES", t0.Add(time.Hour), 2)))
	f.Add(3, sign([]byte(`{"batchId":"00000000-0000-4000-8000-000000000001"}`)))
	f.Add(4, sign([]byte("VR-ES-0001")))
	f.Add(0, "MIAGCSqGSIb3DQEHAqCA")
	f.Add(5, "AAAA")
	f.Add(1, "AAAA")
	sum := sha256.Sum256(es.Auth.Raw)
	paths := []string{"/signerCertificate", "/rules", "/revocation-list", "/revocation-list/delete", "/rules/delete", "/signerCertificate/delete"}
	f.Fuzz(func(t *testing.T, which int, body string) {
		path := paths[uint(which)%uint(len(paths))]
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.RemoteAddr = "127.0.0.1:4711"
		req.Header.Set("Content-Type", "application/cms")
		req.Header.Set(gatewayserver.HeaderThumbprint, hex.EncodeToString(sum[:]))
		req.Header.Set(gatewayserver.HeaderDN, "C=ES")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch {
		case rec.Code == 201 || rec.Code == 204:
		case rec.Code >= 400 && rec.Code < 500:
			var p gatewayserver.Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Code == "" {
				t.Fatalf("%s: %d without a ProblemReport: %q", path, rec.Code, rec.Body.String())
			}
		default:
			t.Fatalf("%s: status %d: %s", path, rec.Code, rec.Body.String())
		}
	})
}
