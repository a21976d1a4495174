// Package metrics is what `dcc serve` tells its operators in the Prometheus
// text format at GET /metrics: HTTP requests by route and status and their
// durations, certificates issued by authority and type, verifications by
// outcome, deliveries to the national registry and the outbox backlog, and
// the Go runtime's and the process's own figures.
//
// It holds counts only: no UVCI, name, token or address is ever a label.
// Each Metrics has its own registry (no global state), so tests and
// several servers in one process do not share counters.
package metrics
