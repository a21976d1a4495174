package hcert_test

import (
	"crypto/elliptic"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
	"time"

	"dcc/hcert"
	"dcc/pki"
)

// FuzzParse: Parse never panics on any input and bounds what it accepts;
// whatever parses can be verified and typed without panicking.
func FuzzParse(f *testing.F) {
	key := ecKey(f, elliptic.P256())
	dsc := newDSC(f, key)
	msg, err := hcert.Sign(key, dsc, claims(), payload(f, "v"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(msg)
	f.Add(msg[1:])
	f.Add(append([]byte{0xd8, 0x3d}, msg...))
	f.Add(sign1(f, key, nil, map[int]any{1: -7, 4: pki.KID(dsc)}, cwt(f, "ES", 1.7e9, 1.8e9, payload(f, "t"))))
	// A few member-state messages, when the test data is there.
	for _, name := range []string{"common/2DCode/raw/CO20.json", "common/2DCode/raw/CO28.json", "common/2DCode/raw/CO1.json", "CZ/2DCode/raw/1.json"} {
		data, err := os.ReadFile(vectorRoot + "/" + name)
		if err != nil {
			continue
		}
		var v vector
		if json.Unmarshal(data, &v) == nil {
			if b, err := hex.DecodeString(v.COSE); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		u, err := hcert.Parse(data)
		if err != nil {
			if u != nil {
				t.Fatal("an error with a value")
			}
			return
		}
		if len(data) > hcert.MaxMessage || len(u.KID) == 0 || len(u.Payload) == 0 {
			t.Fatalf("accepted: %d bytes, kid %x, payload %d bytes", len(data), u.KID, len(u.Payload))
		}
		u.Type()
		v, rep := u.Verify(anyKID{dsc}, hcert.Options{At: now})
		if (v != nil) != rep.OK() {
			t.Fatalf("content %v but OK %v", v != nil, rep.OK())
		}
		u.Verify(list{}, hcert.Options{At: time.Time{}})
	})
}
