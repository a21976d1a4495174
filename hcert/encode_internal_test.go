package hcert

import (
	"bytes"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// The hand-written encodings of Sign are what the CBOR library's core
// deterministic encoding gives for the same values, at every head size.
func TestSignEncodingMatchesCBOR(t *testing.T) {
	em, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		t.Fatal(err)
	}
	marshal := func(v any) []byte {
		t.Helper()
		b, err := em.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var payloads [][]byte
	for _, n := range []int{0, 1, 22, 23, 24, 255, 256, 65535, 65536} {
		payloads = append(payloads, marshal(map[string]any{"v": bytes.Repeat([]byte{'x'}, n)}))
	}
	times := []time.Time{time.Unix(0, 0), time.Unix(23, 0), time.Unix(24, 0), time.Unix(1<<16, 0), time.Unix(1<<32, 0),
		time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC), time.Unix(-1, 0), time.Unix(-1<<40, 0)}
	for _, p := range payloads {
		for i, at := range times {
			c := Claims{Issuer: "ES", IssuedAt: at, Expires: times[(i+3)%len(times)]}
			want := marshal(map[int]any{claimIss: c.Issuer, claimIat: c.IssuedAt.Unix(), claimExp: c.Expires.Unix(),
				claimHcert: map[int]cbor.RawMessage{hcertV1: p}})
			if got := encodeCWT(c, p); !bytes.Equal(got, want) {
				t.Fatalf("CWT of %d-byte payload, %v: % x\nwant % x", len(p), c, got[:min(len(got), 40)], want[:min(len(want), 40)])
			}
		}
		want := marshal([]any{"Signature1", p[:4], []byte{}, p})
		if got, _ := sigStructure(p[:4], p); !bytes.Equal(got, want) {
			t.Errorf("Sig_structure of %d bytes differs", len(p))
		}
		sig := p[:min(len(p), 64)]
		want = marshal(cbor.Tag{Number: tagCOSESign1, Content: []any{p[:3], map[int]any{}, p, sig}})
		if got := encodeSign1(p[:3], p, sig); !bytes.Equal(got, want) {
			t.Errorf("COSE_Sign1 around %d bytes differs", len(p))
		}
	}
	for _, alg := range []int{ES256, PS256, 0, 23, 24, -24, -25, 1000} {
		for _, kid := range [][]byte{{}, {1, 2, 3, 4, 5, 6, 7, 8}, bytes.Repeat([]byte{9}, 300)} {
			want := marshal(map[int]any{headerAlg: alg, headerKID: kid})
			if got := encodeProtected(alg, kid); !bytes.Equal(got, want) {
				t.Errorf("protected header alg %d kid of %d bytes: % x, want % x", alg, len(kid), got, want)
			}
		}
	}
}
