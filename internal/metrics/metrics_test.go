package metrics_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"dcc/internal/metrics"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	if rec.Code != 200 {
		t.Fatalf("scrape: %d %s", rec.Code, b)
	}
	return string(b)
}

func TestMetrics(t *testing.T) {
	m := metrics.New()
	m.ObserveHTTP("POST", "POST /api/v1/certificates/test", 201, 3*time.Millisecond)
	m.ObserveHTTP("GET", "", 404, time.Millisecond)
	m.Issued("AN", "t")
	m.Issued("AN", "t")
	m.Verified("VALID")
	m.Delivered(5, 2)
	m.RevocationsTaken(3)
	m.Gauge("dcc_outbox_pending", "Records not yet delivered.", func() float64 { return 7 })
	out := scrape(t, m)
	for _, want := range []string{
		`dcc_http_requests_total{code="201",method="POST",route="POST /api/v1/certificates/test"} 1`,
		`dcc_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`dcc_http_request_duration_seconds_bucket{route="POST /api/v1/certificates/test",le="0.005"} 1`,
		`dcc_certificates_issued_total{authority="AN",type="t"} 2`,
		`dcc_verifications_total{state="VALID"} 1`,
		`dcc_registry_deliveries_total{result="delivered"} 5`,
		`dcc_registry_deliveries_total{result="failed"} 2`,
		`dcc_registry_revocations_taken_total 3`,
		`dcc_outbox_pending 7`,
		`go_goroutines `,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	// Each Metrics counts on its own.
	if strings.Contains(scrape(t, metrics.New()), "dcc_certificates_issued_total{") {
		t.Error("a new Metrics shares the counts of another")
	}
}
