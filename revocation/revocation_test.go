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

// A verifier looks up COUNTRYCODEUCI with the CWT iss and, when the
// entry's co differs, with co as well (gateway.md §C.2).
func TestCountryCodeUCIWithEntryCountry(t *testing.T) {
	kid := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	h := revocation.OfCertificate(uvci, "ES", "AT", nil)
	if !h.HasEntryCountryUCI || h.EntryCountryUCI != first16([]byte("AT"+uvci)) || h.CountryCodeUCI != first16([]byte("ES"+uvci)) {
		t.Fatalf("hashes = %+v", h)
	}
	if same := revocation.OfCertificate(uvci, "ES", "ES", nil); same.HasEntryCountryUCI {
		t.Error("co = iss: a second look-up")
	}
	list := func(h revocation.Hash) *revocation.List {
		l := revocation.NewList()
		l.Add([]revocation.Batch{{Country: "AT", KID: base64.StdEncoding.EncodeToString(kid), Expires: time.Now().Add(time.Hour),
			HashType: revocation.CountryCodeUCI, Entries: []revocation.Entry{revocation.EntryOf(h)}}}, time.Now())
		return l
	}
	if m, ok := list(first16([]byte("AT"+uvci))).Check(kid, h); !ok || !m.EntryCountry || m.HashType != revocation.CountryCodeUCI {
		t.Errorf("hashed with co: %+v %v", m, ok)
	}
	if m, ok := list(first16([]byte("ES"+uvci))).Check(kid, h); !ok || m.EntryCountry {
		t.Errorf("hashed with iss: %+v %v", m, ok)
	}
	// Of, as an issuer hashes, knows only iss.
	if _, ok := list(first16([]byte("AT"+uvci))).Check(kid, revocation.Of(uvci, "ES", nil)); ok {
		t.Error("Of matched a hash with co")
	}
	if _, ok := list(first16([]byte("FR"+uvci))).Check(kid, h); ok {
		t.Error("a third country's hash matched")
	}
}

// Batches of a DSC the revoking country does not know carry the literal
// kid UNKNOWN_KID (gateway.md §C.4) and apply under any kid.
func TestUnknownKID(t *testing.T) {
	h := revocation.Of(uvci, "ES", nil)
	doc := `{"country": "ES", "expires": "2099-01-01T00:00:00Z", "kid": "UNKNOWN_KID", "hashType": "UCI", "entries": [{"hash": "` + b64(h.UCI) + `"}]}`
	bs, err := revocation.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	l := revocation.NewList()
	l.Add(bs, time.Now())
	if _, ok := l.Check([]byte{9, 9, 9, 9, 9, 9, 9, 9}, h); !ok {
		t.Error("an UNKNOWN_KID batch did not apply")
	}
	if _, err := revocation.Parse([]byte(strings.Replace(doc, "UNKNOWN_KID", "UNKNOWN-KID", 1))); err == nil {
		t.Error("accepted a kid that is neither base64 of 8 bytes nor UNKNOWN_KID")
	}
}

// Batches a gateway would refuse but Add takes as given behave as they
// always did: a kid of another length matches that kid, a kid in a
// non-canonical base64 and an unknown hash type match nothing, and each
// counts in Len. A look-up allocates nothing.
func TestListOddBatches(t *testing.T) {
	h := revocation.Of(uvci, "ES", make([]byte, 64))
	exp := time.Now().Add(time.Hour)
	short := []byte{1, 2, 3}
	kid := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	canonical := base64.StdEncoding.EncodeToString(kid) // AQIDBAUGBwg=
	nonCanonical := canonical[:10] + "h="               // the same 8 bytes, other padding bits
	if raw, err := base64.StdEncoding.DecodeString(nonCanonical); err != nil || string(raw) != string(kid) {
		t.Fatalf("%q decodes to %x, %v", nonCanonical, raw, err)
	}
	l := revocation.NewList()
	l.Add([]revocation.Batch{
		{Country: "AA", Expires: exp, KID: base64.StdEncoding.EncodeToString(short), HashType: revocation.UCI, Entries: []revocation.Entry{revocation.EntryOf(h.UCI)}},
		{Country: "BB", Expires: exp, KID: nonCanonical, HashType: revocation.Signature, Entries: []revocation.Entry{revocation.EntryOf(h.Signature)}},
		{Country: "CC", Expires: exp, HashType: "OTHER", Entries: []revocation.Entry{revocation.EntryOf(h.CountryCodeUCI)}},
		{Country: "DD", Expires: exp, KID: canonical, HashType: revocation.CountryCodeUCI, Entries: []revocation.Entry{revocation.EntryOf(h.CountryCodeUCI)}},
	}, time.Now())
	if l.Len() != 4 {
		t.Errorf("Len = %d, want 4", l.Len())
	}
	if m, ok := l.Check(short, h); !ok || m.Country != "AA" || m.HashType != revocation.UCI {
		t.Errorf("3-byte kid: %+v %v", m, ok)
	}
	if m, ok := l.Check(kid, h); !ok || m.Country != "DD" || m.HashType != revocation.CountryCodeUCI {
		t.Errorf("8-byte kid: %+v %v, want only the canonical batch (DD)", m, ok)
	}
	if m, ok := l.Check([]byte{9, 9, 9, 9, 9, 9, 9, 9}, h); ok {
		t.Errorf("other kid: %+v", m)
	}
	if n := testing.AllocsPerRun(100, func() { l.Check(kid, h) }); n != 0 {
		t.Errorf("Check allocates %v times", n)
	}
}
