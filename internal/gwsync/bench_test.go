package gwsync_test

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"testing"
	"time"

	"dcc/gateway"
	"dcc/internal/pgtest"
	"dcc/pki"
	"dcc/revocation"
)

const (
	benchBatches = 100
	benchEntries = gateway.MaxBatchEntries
)

// BenchmarkRevocationDownload measures FR's first synchronisation after ES
// uploaded 100 batches of 1,000 UCI hashes: listing, fetching and checking
// each batch's CMS, then storing them all in one transaction. Each
// iteration starts from an empty registry store.
func BenchmarkRevocationDownload(b *testing.B) {
	for _, pg := range []bool{false, true} {
		name := "sqlite"
		if pg {
			name = "postgres"
		}
		b.Run(name, func(b *testing.B) { revocationDownload(b, pg) })
	}
}

func revocationDownload(b *testing.B, pg bool) {
	ctx := context.Background()
	if pg && !pgtest.Enabled() {
		b.Skipf("%s is not set: the PostgreSQL run is skipped", pgtest.EnvDSN)
	}
	w := newWorld(b)
	uploadBatches(b, w)
	now := w.clock()

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st := newStore(b, pg)
		fr := w.syncer("FR", st, nil, nil)
		b.StartTimer()

		rep, err := fr.Sync(ctx)

		b.StopTimer()
		if err != nil {
			b.Fatalf("FR sync: %v", err)
		}
		if rep.Batches != benchBatches || len(rep.Refused) != 0 {
			b.Fatalf("FR stored %d batches, want %d; refused %v", rep.Batches, benchBatches, rep.Refused)
		}
		stored, err := st.GatewayBatches(ctx, now)
		if err != nil {
			b.Fatal(err)
		}
		if len(stored) != benchBatches {
			b.Fatalf("the store holds %d batches, want %d", len(stored), benchBatches)
		}
		for _, sb := range stored {
			bs, err := revocation.Parse(sb.Body)
			if err != nil || len(bs) != 1 || len(bs[0].Entries) != benchEntries {
				b.Fatalf("stored batch %s: %d batches, err %v", sb.ID, len(bs), err)
			}
		}
		st.Close()
		b.StartTimer()
	}
	b.StopTimer()
	if s := b.Elapsed().Seconds() / float64(b.N); s > 0 {
		b.ReportMetric(benchBatches*benchEntries/s, "entries/s")
	}
}

// uploadBatches has ES upload the batches directly with its gateway
// client, each of distinct hashes.
func uploadBatches(b *testing.B, w *world) {
	b.Helper()
	ctx := context.Background()
	cl := w.client("ES")
	kid := base64.StdEncoding.EncodeToString(pki.KID(w.dsc("ES")))
	expires := w.clock().Add(30 * 24 * time.Hour)
	for i := range benchBatches {
		entries := make([]revocation.Entry, benchEntries)
		for j := range entries {
			var h revocation.Hash
			binary.BigEndian.PutUint64(h[:8], uint64(i))
			binary.BigEndian.PutUint64(h[8:], uint64(j))
			entries[j] = revocation.EntryOf(h)
		}
		if _, err := cl.UploadRevocationBatch(ctx, revocation.Batch{Country: "ES", KID: kid,
			HashType: revocation.UCI, Expires: expires, Entries: entries}); err != nil {
			b.Fatalf("upload batch %d: %v", i, err)
		}
	}
}
