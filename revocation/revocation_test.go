package revocation_test

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"dcc/revocation"
)

const uvci = "URN:UVCI:01:ES:AN/L10AI431U1L9UQPCOYC#J"

func first16(s []byte) (h revocation.Hash) {
	sum := sha256.Sum256(s)
	copy(h[:], sum[:16])
	return h
}

func TestHashes(t *testing.T) {
	sig := make([]byte, 64)
	for i := range sig {
		sig[i] = byte(i)
	}
	h := revocation.Of(uvci, "ES", sig)
	if h.UCI != first16([]byte(uvci)) || h.CountryCodeUCI != first16([]byte("ES"+uvci)) || !h.HasSignature {
		t.Errorf("hashes = %+v", h)
	}
	// ES256: only r, so flipping s (ECDSA malleability) changes nothing.
	if h.Signature != first16(sig[:32]) {
		t.Error("ECDSA signature hash is not over r")
	}
	flipped := append([]byte(nil), sig...)
	flipped[40] ^= 0xff
	if revocation.SignatureHash(flipped) != h.Signature {
		t.Error("the s half changes the hash")
	}
	rsaSig := make([]byte, 256)
	if revocation.SignatureHash(rsaSig) != first16(rsaSig) {
		t.Error("RSA signature hash is not over the whole signature")
	}
	if revocation.Of(uvci, "ES", nil).HasSignature {
		t.Error("no signature, yet a signature hash")
	}
}

func b64(h revocation.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

func TestListCheck(t *testing.T) {
	kid := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	other := []byte{8, 7, 6, 5, 4, 3, 2, 1}
	h := revocation.Of(uvci, "ES", make([]byte, 64))
	doc := `{"batches": [
		{"country": "ES", "expires": "2099-01-01T00:00:00Z", "kid": "` + base64.StdEncoding.EncodeToString(kid) + `", "hashType": "UCI", "entries": [{"hash": "` + b64(h.UCI) + `"}]},
		{"country": "ES", "expires": "2000-01-01T00:00:00Z", "kid": "", "hashType": "SIGNATURE", "entries": [{"hash": "` + b64(h.Signature) + `"}]},
		{"country": "DE", "expires": "2099-01-01T00:00:00Z", "kid": "", "hashType": "COUNTRYCODEUCI", "entries": []}
	]}`
	bs, err := revocation.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	l := revocation.NewList()
	if n := l.Add(bs, time.Now()); n != 2 {
		t.Errorf("%d batches taken, want 2 (one expired)", n)
	}
	if m, ok := l.Check(kid, h); !ok || m.HashType != revocation.UCI || m.Country != "ES" {
		t.Errorf("Check = %+v %v", m, ok)
	}
	// The batch belongs to the kid: the same UVCI under another DSC is not revoked.
	if _, ok := l.Check(other, h); ok {
		t.Error("a batch of another kid matched")
	}
	// Kid-less batches apply to any DSC.
	l.Add([]revocation.Batch{{Country: "ES", Expires: time.Now().Add(time.Hour), HashType: revocation.CountryCodeUCI,
		Entries: []revocation.Entry{revocation.EntryOf(h.CountryCodeUCI)}}}, time.Now())
	if m, ok := l.Check(other, h); !ok || m.HashType != revocation.CountryCodeUCI {
		t.Errorf("kid-less batch: %+v %v", m, ok)
	}
}

func TestParseForms(t *testing.T) {
	one := `{"country": "ES", "expires": "2099-01-01T00:00:00Z", "kid": "", "hashType": "UCI", "entries": []}`
	for _, in := range []string{one, "[" + one + "," + one + "]", `{"batches": [` + one + `]}`} {
		if _, err := revocation.Parse([]byte(in)); err != nil {
			t.Errorf("%s: %v", in, err)
		}
	}
	for _, bad := range []string{
		strings.Replace(one, `"UCI"`, `"SHA1"`, 1),
		strings.Replace(one, `"kid": ""`, `"kid": "AAAA"`, 1),
		strings.Replace(one, `"entries": []`, `"entries": [{"hash": "AAAA"}]`, 1),
		strings.Replace(one, `"expires": "2099-01-01T00:00:00Z", `, ``, 1),
		strings.Replace(one, `"entries"`, `"entrys"`, 1),
		one + " {}",
	} {
		if _, err := revocation.Parse([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`{"country": "ES", "expires": "2099-01-01T00:00:00Z", "kid": "AQIDBAUGBwg=", "hashType": "UCI", "entries": [{"hash": "AAAAAAAAAAAAAAAAAAAAAA=="}]}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, s string) {
		bs, err := revocation.Parse([]byte(s))
		if err != nil {
			return
		}
		revocation.NewList().Add(bs, time.Now())
	})
}
