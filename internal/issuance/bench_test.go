package issuance_test

import (
	"strconv"
	"testing"

	"dcc"
	"dcc/internal/issuance"
)

// BenchmarkIssueBatch is bulk issuance in process: strict validation,
// UVCI, ES256 signature (verified before use), CBOR/zlib/Base45, and the
// SQLite write of record, audit entry and payload encryption — 512
// certificates per transaction, signed on every CPU. One op is one
// certificate.
func BenchmarkIssueBatch(b *testing.B) {
	f := newFixture(b, "all")
	p := f.authority(b, "AN")
	const chunk = 512
	reqs := make([]issuance.Request, chunk)
	for i := range reqs {
		reqs[i] = issuance.Request{Type: dcc.Vaccination, Body: []byte(vaccinationBody())}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n += chunk {
		k := min(chunk, b.N-n)
		for _, r := range f.app.Issuance.IssueBatch(ctx, p, reqs[:k], 0) {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	}
}

// BenchmarkIssueBatchKeyed is BenchmarkIssueBatch as `dcc issue` runs
// it: every request under its own idempotency key, looked up once per chunk
// and stored with the record.
func BenchmarkIssueBatchKeyed(b *testing.B) {
	f := newFixture(b, "all")
	p := f.authority(b, "AN")
	const chunk = 512
	body := []byte(vaccinationBody())
	reqs := make([]issuance.Request, chunk)
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n += chunk {
		k := min(chunk, b.N-n)
		for i := range k {
			reqs[i] = issuance.Request{Type: dcc.Vaccination, Body: body, IdempotencyKey: "batch:bench:" + strconv.Itoa(n+i)}
		}
		for _, r := range f.app.Issuance.IssueBatch(ctx, p, reqs[:k], 0) {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	}
}

// BenchmarkIssue is one request at a time, each in its own transaction, as
// the API issues: the latency of the pipeline.
func BenchmarkIssue(b *testing.B) {
	f := newFixture(b, "all")
	p := f.authority(b, "AN")
	body := []byte(vaccinationBody())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.app.Issuance.Issue(ctx, p, issuance.Request{Type: dcc.Vaccination, Body: body}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIssueParallel is concurrent single requests (the HTTP server's
// load without HTTP): every CPU busy, one transaction per certificate.
func BenchmarkIssueParallel(b *testing.B) {
	f := newFixture(b, "all")
	p := f.authority(b, "AN")
	body := []byte(vaccinationBody())
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.app.Issuance.Issue(ctx, p, issuance.Request{Type: dcc.Vaccination, Body: body}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
