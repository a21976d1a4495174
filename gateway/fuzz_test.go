package gateway_test

import (
	"crypto/x509"
	"encoding/json"
	"testing"
	"time"

	"dcc/gateway"
)

// FuzzParseTrustList: the parser never panics, and what it accepts goes
// through the checks without panicking either, and round-trips.
func FuzzParseTrustList(f *testing.F) {
	ta := newParty(f, certOpts{country: "EU", cn: "DCCG_TA", ca: true}, nil)
	good, _ := json.Marshal(entries(f, ta, newCountry(f, "DE", 1)))
	f.Add(good)
	f.Add([]byte(`[{"kid":"AAAAAAAAAAA=","timestamp":"2021-05-05T12:54:49Z","country":"DE","certificateType":"DSC","thumbprint":"00","signature":null,"rawData":null}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"kid":"x","rawData":"MIAGCSqGSIb3DQEHAqCA"}]`))
	anchors := []*x509.Certificate{ta.Cert}
	now := time.Now()
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := gateway.ParseTrustList(data)
		if err != nil {
			return
		}
		l := gateway.CheckTrustList(es, anchors, now)
		if len(l.Entries)+len(l.Refused)+len(l.Deleted) != len(es) {
			t.Fatalf("%d entries in, %d + %d + %d out", len(es), len(l.Entries), len(l.Refused), len(l.Deleted))
		}
		again, _ := json.Marshal(es)
		if _, err := gateway.ParseTrustList(again); err != nil {
			t.Fatalf("re-encoded list refused: %v", err)
		}
	})
}

// FuzzParseRevocationList: no panic; an accepted page re-encodes to one
// accepted again with the same batches.
func FuzzParseRevocationList(f *testing.F) {
	f.Add([]byte(`{"more":true,"batches":[{"batchId":"00000000-0000-4000-8000-000000000001","country":"DE","date":"2026-11-01T10:00:00.123456789Z","deleted":false}]}`))
	f.Add([]byte(`{"more":false,"batches":[]}`))
	f.Add([]byte(`{"more":false,"batches":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := gateway.ParseRevocationList(data)
		if err != nil {
			return
		}
		again, _ := json.Marshal(p)
		q, err := gateway.ParseRevocationList(again)
		if err != nil || len(q.Batches) != len(p.Batches) || q.More != p.More {
			t.Fatalf("round trip: %v", err)
		}
		for i := range p.Batches {
			if !p.Batches[i].Date.Equal(q.Batches[i].Date) || p.Batches[i].BatchID != q.Batches[i].BatchID {
				t.Fatalf("batch %d changed", i)
			}
		}
	})
}

// FuzzParseRuleList: no panic on the JSON of GET /rules/{country}.
func FuzzParseRuleList(f *testing.F) {
	f.Add([]byte(`{"VR-DE-0001":[{"version":"1.0.0","validFrom":"2021-07-01T00:00:00Z","validTo":"2030-06-01T00:00:00Z","cms":"MIA="}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		gateway.ParseRuleList(data)
	})
}
