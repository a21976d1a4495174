package registry_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"unicode/utf8"

	"dcc/registry"
)

// FuzzRoundTrip stores records whose UVCI and payload come from the fuzzer,
// as they come from issuing authorities over the network, and reads them
// back unchanged.
func FuzzRoundTrip(f *testing.F) {
	f.Add("URN:UVCI:01:ES:ABC#1", `{"ver":"1.3.0"}`)
	f.Add("x'); DROP TABLE audit; --", `{"a":"\u0000"}`)
	f.Add("$1", `[1,2,3]`)
	s := open(f, backends(f)[0].newDSN(f), testKeys(f, "k1"))
	n := 0
	f.Fuzz(func(t *testing.T, uvci, payload string) {
		if !utf8.ValidString(uvci) {
			return
		}
		n++
		r := record(0)
		r.UVCI = fmt.Sprintf("%d/%s", n, uvci)
		r.Payload = []byte(payload)
		err := s.Insert(ctx, r, "fuzz")
		if !json.Valid(r.Payload) || len(r.UVCI) > 128 {
			if err == nil {
				t.Fatal("invalid record accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, r.UVCI, "fuzz")
		if err != nil {
			t.Fatal(err)
		}
		if got.UVCI != r.UVCI || !bytes.Equal(got.Payload, r.Payload) {
			t.Fatalf("round trip changed the record")
		}
		if err := s.Revoke(ctx, r.UVCI, registry.Revocation{Reason: uvci + " "}, "fuzz"); err != nil {
			t.Fatal(err)
		}
		if err := s.Revoke(ctx, r.UVCI, registry.Revocation{Reason: "x"}, "fuzz"); !errors.Is(err, registry.ErrAlreadyRevoked) {
			t.Fatal(err)
		}
	})
}

func BenchmarkInsertSQLite(b *testing.B) {
	s := open(b, backends(b)[0].newDSN(b), testKeys(b, "k1"))
	b.ResetTimer()
	for i := range b.N {
		if err := s.Insert(ctx, record(i), "bench"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
