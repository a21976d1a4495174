package hcert_test

import (
	"bytes"
	"crypto/elliptic"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"dcc/hcert"
	"dcc/pki"
)

// TestParseForms: the shapes member states really produce parse and verify.
func TestParseForms(t *testing.T) {
	key := ecKey(t, elliptic.P256())
	dsc := newDSC(t, key)
	kid := pki.KID(dsc)
	body := cwt(t, "ES", now.Add(-time.Hour).Unix(), now.Add(time.Hour).Unix(), payload(t, "t"))
	msg, err := hcert.Sign(key, dsc, claims(), payload(t, "v"))
	if err != nil {
		t.Fatal(err)
	}
	untagged := msg[1:] // drop tag 18 (0xd2)
	for _, c := range []struct {
		name           string
		msg            []byte
		kidUnprotected bool
	}{
		{"tag 18", msg, false},
		{"untagged", untagged, false},
		{"tag 61 around tag 18", append([]byte{0xd8, 0x3d}, msg...), false},
		{"tag 61 around untagged", append([]byte{0xd8, 0x3d}, untagged...), false},
		{"kid in the unprotected header", sign1(t, key, map[int]any{1: -7}, map[int]any{4: kid}, body), true},
		{"alg and kid unprotected (CO20)", sign1(t, key, nil, map[int]any{1: -7, 4: kid}, body), true},
		{"wrong unprotected kid, right protected one (CO21)", sign1(t, key, map[int]any{1: -7, 4: kid}, map[int]any{4: []byte("foo")}, body), false},
		{"float iat and exp", sign1(t, key, map[int]any{1: -7, 4: kid}, nil, cwt(t, "ES", float64(now.Add(-time.Hour).Unix())+0.5, float64(now.Add(time.Hour).Unix()), payload(t, "t"))), false},
		{"no iss", sign1(t, key, map[int]any{1: -7, 4: kid}, nil, cwt(t, nil, now.Add(-time.Hour).Unix(), now.Add(time.Hour).Unix(), payload(t, "t"))), false},
		{"unknown claims and hcert entries", sign1(t, key, map[int]any{1: -7, 4: kid}, nil, detEnc(t, map[any]any{1: "ES", 4: now.Add(time.Hour).Unix(), 6: now.Unix(), 7: []byte{1}, "x": 1, -260: map[int]any{1: cbor.RawMessage(payload(t, "t")), 2: "future"}})), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			u, err := hcert.Parse(c.msg)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(u.KID, kid) || u.KIDUnprotected != c.kidUnprotected || u.Alg != hcert.ES256 {
				t.Errorf("kid %x unprotected %v alg %d", u.KID, u.KIDUnprotected, u.Alg)
			}
			if v, rep := u.Verify(list{dsc}, hcert.Options{At: now}); v == nil {
				t.Errorf("does not verify: %+v", rep)
			}
		})
	}
	// A protected kid wins over an unprotected one (CO22).
	u := mustParse(t, sign1(t, key, map[int]any{1: -7, 4: []byte("bad")}, map[int]any{4: kid}, body))
	if string(u.KID) != "bad" {
		t.Errorf("kid %x: the protected one must win", u.KID)
	}
	if v, _ := u.Verify(list{dsc}, hcert.Options{At: now}); v != nil {
		t.Error("verified under the unprotected kid")
	}
	// Float claims are read to the second.
	u = mustParse(t, sign1(t, key, map[int]any{1: -7, 4: kid}, nil, cwt(t, "ES", 1700000000.75, 1800000000.0, payload(t, "t"))))
	if u.Claims.IssuedAt.Unix() != 1700000000 || u.Claims.Expires.Unix() != 1800000000 {
		t.Errorf("float claims read as %v, %v", u.Claims.IssuedAt, u.Claims.Expires)
	}
}

// TestParseMalformed: every malformed part is an error naming it.
func TestParseMalformed(t *testing.T) {
	key := ecKey(t, elliptic.P256())
	dsc := newDSC(t, key)
	kid := pki.KID(dsc)
	msg, err := hcert.Sign(key, dsc, claims(), payload(t, "v"))
	if err != nil {
		t.Fatal(err)
	}
	prot := detEnc(t, map[int]any{1: -7, 4: kid})
	body := cwt(t, "ES", now.Unix(), now.Add(time.Hour).Unix(), payload(t, "v"))
	sig := bytes.Repeat([]byte{1}, 64)
	// cose assembles a tagged message from raw parts.
	cose := func(p, u, b, s any) []byte {
		return detEnc(t, cbor.Tag{Number: 18, Content: []any{p, u, b, s}})
	}
	raw := func(b []byte) cbor.RawMessage { return cbor.RawMessage(b) }
	withCWT := func(c []byte) []byte { return cose(prot, map[int]any{}, c, sig) }
	p := payload(t, "v")
	for _, c := range []struct {
		name, part, want string
		msg              []byte
	}{
		{"empty", "COSE", "empty message", nil},
		{"a map", "COSE", "not a COSE_Sign1 array", []byte{0xa0}},
		{"three elements", "COSE", "3 elements", detEnc(t, []any{prot, map[int]any{}, body})},
		{"five elements", "COSE", "5 elements", detEnc(t, []any{prot, map[int]any{}, body, sig, 0})},
		{"other tag", "COSE", "unexpected tag 98", append([]byte{0xd8, 0x62}, msg[1:]...)},
		{"tag 18 around tag 61", "COSE", "unexpected tag 61", append([]byte{0xd2, 0xd8, 0x3d}, msg[1:]...)},
		{"tag 18 twice", "COSE", "unexpected tag 18", append([]byte{0xd2}, msg...)},
		{"tag without content", "COSE", "", []byte{0xd2}},
		{"trailing bytes", "COSE", "extraneous", append(bytes.Clone(msg), 0x00)},
		{"truncated", "COSE", "", msg[:len(msg)-5]},
		{"indefinite-length array", "COSE", "indefinite", append(append([]byte{0xd2, 0x9f}, msg[2:]...), 0xff)},
		{"oversize", "COSE", "larger than", make([]byte, hcert.MaxMessage+1)},
		{"protected header not a bstr", "COSE", "protected header is not a byte string", cose(map[int]any{1: -7, 4: kid}, map[int]any{}, body, sig)},
		{"payload nil (detached)", "COSE", "payload", cose(prot, map[int]any{}, nil, sig)},
		{"payload text", "COSE", "payload", cose(prot, map[int]any{}, "text", sig)},
		{"empty payload", "COSE", "empty payload", cose(prot, map[int]any{}, []byte{}, sig)},
		{"signature not a bstr", "COSE", "signature is not a byte string", cose(prot, map[int]any{}, body, "sig")},
		{"empty signature", "COSE", "empty signature", cose(prot, map[int]any{}, body, []byte{})},
		{"protected header an array", "protected header", "not a CBOR map", cose(detEnc(t, []any{1}), map[int]any{}, body, sig)},
		{"protected header with trailing bytes", "protected header", "extraneous", cose(append(bytes.Clone(prot), 0), map[int]any{}, body, sig)},
		{"protected header duplicate key", "protected header", "duplicate", cose([]byte{0xa3, 0x01, 0x26, 0x04, 0x41, 0x00, 0x01, 0x26}, map[int]any{}, body, sig)},
		{"unprotected header not a map", "unprotected header", "not a CBOR map", cose(prot, []any{}, body, sig)},
		{"unprotected header duplicate key", "unprotected header", "duplicate", cose(prot, raw([]byte{0xa2, 0x04, 0x41, 0x00, 0x04, 0x41, 0x01}), body, sig)},
		{"no alg", "protected header", "no algorithm", cose(detEnc(t, map[int]any{4: kid}), map[int]any{}, body, sig)},
		{"alg as text", "protected header", "alg (label 1) is not an integer", cose(detEnc(t, map[int]any{1: "ES256", 4: kid}), map[int]any{}, body, sig)},
		{"alg out of range", "protected header", "out of range", cose(detEnc(t, map[int]any{1: uint64(1) << 40, 4: kid}), map[int]any{}, body, sig)},
		{"no kid", "protected header", "no key identifier", cose(detEnc(t, map[int]any{1: -7}), map[int]any{}, body, sig)},
		{"kid as text", "protected header", "kid (label 4) is not a byte string", cose(detEnc(t, map[int]any{1: -7, 4: "kid"}), map[int]any{}, body, sig)},
		{"unprotected kid as text", "unprotected header", "not a byte string", cose(detEnc(t, map[int]any{1: -7}), map[int]any{4: "kid"}, body, sig)},
		{"empty kid", "protected header", "empty kid", cose(detEnc(t, map[int]any{1: -7, 4: []byte{}}), map[int]any{}, body, sig)},
		{"unknown critical header", "protected header", "critical header parameter 99", cose(detEnc(t, map[int]any{1: -7, 2: []any{99}, 4: kid, 99: 1}), map[int]any{}, body, sig)},
		{"crit not an array", "protected header", "crit", cose(detEnc(t, map[int]any{1: -7, 2: 4, 4: kid}), map[int]any{}, body, sig)},
		{"crit unprotected", "unprotected header", "crit", cose(prot, map[int]any{2: []any{4}}, body, sig)},
		{"CWT not a map", "CWT", "not a CBOR map", withCWT(detEnc(t, []any{1}))},
		{"CWT with trailing bytes", "CWT", "extraneous", withCWT(append(bytes.Clone(body), 0))},
		{"CWT duplicate claim", "CWT", "duplicate", withCWT([]byte{0xa2, 0x01, 0x62, 'E', 'S', 0x01, 0x62, 'F', 'R'})},
		{"iss not text", "CWT", "iss (1) is not a text string", withCWT(cwt(t, 42, now.Unix(), now.Unix(), p))},
		{"no iat", "CWT", "no iat (6)", withCWT(cwt(t, "ES", nil, now.Unix(), p))},
		{"no exp", "CWT", "no exp (4)", withCWT(cwt(t, "ES", now.Unix(), nil, p))},
		{"iat as text", "CWT", "iat (6) is not a NumericDate", withCWT(cwt(t, "ES", "2026-01-01", now.Unix(), p))},
		{"iat as tagged date", "CWT", "iat (6) is not a NumericDate", withCWT(cwt(t, "ES", cbor.Tag{Number: 1, Content: now.Unix()}, now.Unix(), p))},
		{"exp negative", "CWT", "exp (4) -1 is out of range", withCWT(cwt(t, "ES", now.Unix(), -1, p))},
		{"exp beyond year 9999", "CWT", "out of range", withCWT(cwt(t, "ES", now.Unix(), int64(1)<<40, p))},
		{"exp NaN", "CWT", "not a NumericDate", withCWT(cwt(t, "ES", now.Unix(), raw([]byte{0xf9, 0x7e, 0x00}), p))},
		{"exp infinite", "CWT", "not a NumericDate", withCWT(cwt(t, "ES", now.Unix(), raw([]byte{0xf9, 0x7c, 0x00}), p))},
		{"no hcert claim", "CWT", "no hcert claim", withCWT(detEnc(t, map[int]any{1: "ES", 4: now.Unix(), 6: now.Unix()}))},
		{"hcert claim not a map", "hcert claim", "not a CBOR map", withCWT(detEnc(t, map[int]any{1: "ES", 4: now.Unix(), 6: now.Unix(), -260: []any{}}))},
		{"hcert claim without key 1", "hcert claim", "no EU DCC v1 entry", withCWT(detEnc(t, map[int]any{1: "ES", 4: now.Unix(), 6: now.Unix(), -260: map[int]any{2: raw(p)}}))},
		{"hcert claim with text key 1", "hcert claim", "no EU DCC v1 entry", withCWT(detEnc(t, map[int]any{1: "ES", 4: now.Unix(), 6: now.Unix(), -260: map[string]any{"1": raw(p)}}))},
		{"DCC payload not a map", "hcert claim", "not a CBOR map", withCWT(cwt(t, "ES", now.Unix(), now.Unix(), []byte{0x80}))},
		{"DCC payload with integer keys", "hcert claim", "text keys", withCWT(cwt(t, "ES", now.Unix(), now.Unix(), []byte{0xa1, 0x01, 0x02}))},
		{"DCC payload duplicate key", "hcert claim", "duplicate", withCWT(cwt(t, "ES", now.Unix(), now.Unix(), []byte{0xa2, 0x61, 'v', 0x80, 0x61, 'v', 0x80}))},
		{"too deeply nested", "CWT", "exceeded max nested level", withCWT(cwt(t, "ES", now.Unix(), now.Unix(), append(append([]byte{0xa1, 0x61, 'v'}, bytes.Repeat([]byte{0x81}, 40)...), 0x00)))},
	} {
		t.Run(c.name, func(t *testing.T) {
			u, err := hcert.Parse(c.msg)
			if err == nil {
				t.Fatalf("parsed: %+v", u)
			}
			var pe *hcert.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("%v is not a *ParseError", err)
			}
			if pe.Part != c.part || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %q (part %q), want part %q and %q", err, pe.Part, c.part, c.want)
			}
		})
	}
}

func TestType(t *testing.T) {
	key := ecKey(t, elliptic.P256())
	dsc := newDSC(t, key)
	for _, c := range []struct {
		name    string
		payload []byte
		want    pki.Type
		err     bool
	}{
		{"vaccination", payload(t, "v"), pki.Vaccination, false},
		{"test", payload(t, "t"), pki.Test, false},
		{"recovery", payload(t, "r"), pki.Recovery, false},
		{"null and empty groups are no groups", detEnc(t, map[string]any{"v": []any{1}, "t": nil, "r": []any{}}), pki.Vaccination, false},
		{"no group", detEnc(t, map[string]any{"ver": "1.3.0"}), 0, true},
		{"two groups", detEnc(t, map[string]any{"v": []any{1}, "t": []any{1}}), 0, true},
	} {
		msg := sign1(t, key, map[int]any{1: -7, 4: pki.KID(dsc)}, nil, cwt(t, "ES", now.Unix(), now.Add(time.Hour).Unix(), c.payload))
		got, err := mustParse(t, msg).Type()
		if got != c.want || (err != nil) != c.err {
			t.Errorf("%s: %v, %v; want %v (error %v)", c.name, got, err, c.want, c.err)
		}
		if c.err && !errors.Is(err, hcert.ErrType) {
			t.Errorf("%s: %v is not ErrType", c.name, err)
		}
	}
}
