package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics collects the figures of one server.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	issued     *prometheus.CounterVec
	verified   *prometheus.CounterVec
	deliveries *prometheus.CounterVec
	pulled     prometheus.Counter
}

// New makes a Metrics with the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dcc_http_requests_total", Help: "HTTP requests by method, route pattern and status code.",
		}, []string{"method", "route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dcc_http_request_duration_seconds", Help: "HTTP request durations by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		issued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dcc_certificates_issued_total", Help: "Certificates signed and stored, by issuing authority and type (v, t, r).",
		}, []string{"authority", "type"}),
		verified: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dcc_verifications_total", Help: "Certificates verified by the verification service, by outcome.",
		}, []string{"state"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dcc_registry_deliveries_total", Help: "Records sent to the national registry by the outbox, by result (delivered, failed).",
		}, []string{"result"}),
		pulled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "dcc_registry_revocations_taken_total", Help: "Revocations made in the national registry taken into this authority's store.",
		}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.issued, m.verified, m.deliveries, m.pulled,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// ObserveHTTP counts a request; route is the pattern it matched ("" when
// none did), never the path, which may hold a UVCI.
func (m *Metrics) ObserveHTTP(method, route string, code int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

// Issued counts a certificate stored for authority, of type typ.
func (m *Metrics) Issued(authority, typ string) { m.issued.WithLabelValues(authority, typ).Inc() }

// Verified counts a verification's outcome (VALID, INVALID, NOT ACCEPTED).
func (m *Metrics) Verified(state string) { m.verified.WithLabelValues(state).Inc() }

// Delivered counts records the registry confirmed and records that failed.
func (m *Metrics) Delivered(delivered, failed int) {
	m.deliveries.WithLabelValues("delivered").Add(float64(delivered))
	m.deliveries.WithLabelValues("failed").Add(float64(failed))
}

// RevocationsTaken counts revocations pulled back from the registry.
func (m *Metrics) RevocationsTaken(n int) { m.pulled.Add(float64(n)) }

// Gauge adds a gauge read at each scrape, such as the outbox backlog.
func (m *Metrics) Gauge(name, help string, read func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, read))
}

// LabeledGauge adds a gauge read at each scrape with one fixed label, such
// as the time of the last synchronisation of one kind.
func (m *Metrics) LabeledGauge(name, help, label, value string, read func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help,
		ConstLabels: prometheus.Labels{label: value}}, read))
}
