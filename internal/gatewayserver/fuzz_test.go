package gatewayserver_test

import (
	"testing"
	"time"

	"dcc/internal/gatewayserver"
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
