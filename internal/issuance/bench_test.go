package issuance_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"strconv"
	"testing"
	"time"

	"dcc"
	"dcc/hc1"
	"dcc/internal/issuance"
	"dcc/internal/pgtest"
)

// BenchmarkIssueBatch is bulk issuance in process: strict validation,
// UVCI, ES256 signature (verified before use), CBOR/zlib/Base45, and the
// write of record, audit entry and payload encryption — 512 certificates
// per transaction, signed on every CPU — on SQLite, and on PostgreSQL when
// DCC_TEST_POSTGRES_DSN is set. One op is one certificate.
func BenchmarkIssueBatch(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchIssueBatch(b, newFixture(b, "all")) })
	if pgtest.Enabled() {
		b.Run("postgres", func(b *testing.B) { benchIssueBatch(b, newFixtureOn(b, "all", pgtest.Schema(b, "issuance_bench"))) })
	}
}

func benchIssueBatch(b *testing.B, f *fixture) {
	p := f.authority(b, "AN")
	const chunk = 512
	reqs := make([]issuance.Request, chunk)
	for i := range reqs {
		reqs[i] = issuance.Request{Type: dcc.Vaccination, Body: []byte(vaccinationBody())}
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for n := 0; n < b.N; n += chunk {
		k := min(chunk, b.N-n)
		for _, r := range f.app.Issuance.IssueBatch(ctx, p, reqs[:k], 0) {
			if r.Err != nil {
				b.Fatal(r.Err)
			}
		}
	}
	reportCPU(b, cpu)
}

// reportCPU reports the CPU time per op since start, in µs: what bounds
// the rate on the machine's cores (2 cores: 2 s / cpu-µs per op) however
// loaded the machine is by others.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(b.N), "cpu-µs/op")
}

// BenchmarkIssueBatchLimit is what a certificate of BenchmarkIssueBatch
// cannot cost less than: an ES256 signature, its verification and the HC1
// encoding (zlib, Base45) of the same COSE message, on every CPU. Run beside
// BenchmarkIssueBatch, the ratio of the two is what the rest of issuance
// (validation, CBOR, the store) adds.
func BenchmarkIssueBatchLimit(b *testing.B) {
	f := newFixture(b, "all")
	got, err := f.app.Issuance.Issue(ctx, f.authority(b, "AN"), issuance.Request{Type: dcc.Vaccination, Body: []byte(vaccinationBody())})
	if err != nil {
		b.Fatal(err)
	}
	cose, err := hc1.Decode(got.HC1)
	if err != nil {
		b.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	var enc hc1.Encoder
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b, cpuTime())
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			digest := sha256.Sum256(cose)
			sig, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
			if err != nil {
				b.Error(err)
				return
			}
			if !ecdsa.VerifyASN1(&key.PublicKey, digest[:], sig) {
				b.Error("signature does not verify")
				return
			}
			if _, err := enc.Encode(cose); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkIssueBatchKeyed is bulk issuance as `dcc issue` runs it:
// IssueChunks, chunks of 512, every request under its own idempotency key,
// looked up once per chunk and stored with the record, a chunk signed while
// the one before it is stored; on SQLite, and on PostgreSQL when
// DCC_TEST_POSTGRES_DSN is set.
func BenchmarkIssueBatchKeyed(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchIssueChunks(b, newFixture(b, "all")) })
	if pgtest.Enabled() {
		b.Run("postgres", func(b *testing.B) { benchIssueChunks(b, newFixtureOn(b, "all", pgtest.Schema(b, "issuance_bench"))) })
	}
}

func benchIssueChunks(b *testing.B, f *fixture) {
	p := f.authority(b, "AN")
	const chunk = 512
	body := []byte(vaccinationBody())
	n := 0
	next := func() ([]issuance.Request, error) {
		if n >= b.N {
			return nil, io.EOF
		}
		reqs := make([]issuance.Request, min(chunk, b.N-n))
		for i := range reqs {
			reqs[i] = issuance.Request{Type: dcc.Vaccination, Body: body, IdempotencyKey: "batch:bench:" + strconv.Itoa(n+i)}
		}
		n += len(reqs)
		return reqs, nil
	}
	stored := func(res []issuance.BatchResult) error {
		for _, r := range res {
			if r.Err != nil {
				return r.Err
			}
		}
		return nil
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	if err := f.app.Issuance.IssueChunks(ctx, p, 0, next, stored); err != nil {
		b.Fatal(err)
	}
	reportCPU(b, cpu)
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
