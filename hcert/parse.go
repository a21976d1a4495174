package hcert

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"

	"dcc/pki"
)

// Unverified is a parsed COSE_Sign1 message whose signature has not been
// checked: nothing in it may be trusted until Verify succeeds.
type Unverified struct {
	Alg            int    // COSE algorithm: ES256 or PS256 for a valid DCC
	KID            []byte // key identifier: the first 8 bytes of the DSC's SHA-256
	KIDUnprotected bool   // the kid came from the unprotected header
	Claims         Claims
	Payload        []byte // the DCC payload's CBOR: untrusted

	protected []byte
	cwt       []byte
	signature []byte
}

// Signature returns a copy of the message's signature bytes (r||s for
// ES256), for revocation lists keyed by the signature's hash.
func (u *Unverified) Signature() []byte { return append([]byte(nil), u.signature...) }

// ParseError says which part of the message is malformed.
type ParseError struct {
	Part string // "COSE", "protected header", "unprotected header", "CWT", "hcert claim"
	Err  error
}

func (e *ParseError) Error() string { return fmt.Sprintf("hcert: %s: %v", e.Part, e.Err) }
func (e *ParseError) Unwrap() error { return e.Err }

func perr(part, format string, a ...any) error {
	return &ParseError{Part: part, Err: fmt.Errorf(format, a...)}
}

// CBOR major types, read from the first byte of an item to check types
// exactly: the decoder converts more than the COSE grammar allows (text
// into []byte, tagged items into their content, null into nil).
const (
	majorUint  = 0
	majorNeg   = 1
	majorBytes = 2
	majorText  = 3
	majorArray = 4
	majorMap   = 5
	majorTag   = 6
	majorOther = 7 // floats, simple values
)

func major(raw []byte) int {
	if len(raw) == 0 {
		return -1
	}
	return int(raw[0] >> 5)
}

func isInt(raw []byte) bool { return major(raw) == majorUint || major(raw) == majorNeg }

// Parse decodes a COSE_Sign1 message strictly into an unverified value. It
// accepts what member states produce: tag 18 or no tag, a CWT tag 61
// around it, and kid (and alg) in the unprotected header when the protected
// one lacks them. Anything else malformed is a *ParseError naming the part.
func Parse(msg []byte) (*Unverified, error) {
	if len(msg) > MaxMessage {
		return nil, perr("COSE", "message of %d bytes is larger than %d", len(msg), MaxMessage)
	}
	dm, err := decMode()
	if err != nil {
		return nil, err
	}
	if u, ok := parseCommon(dm, msg); ok {
		return u, nil
	}
	return parseGeneral(dm, msg)
}

// parseGeneral is Parse for every message: it decodes each part with the
// CBOR library and names what is malformed.
func parseGeneral(dm cbor.DecMode, msg []byte) (*Unverified, error) {
	body, err := untag(dm, msg)
	if err != nil {
		return nil, err
	}
	if major(body) != majorArray {
		return nil, perr("COSE", "not a COSE_Sign1 array [protected, unprotected, payload, signature]")
	}
	var parts []cbor.RawMessage
	if err := dm.Unmarshal(body, &parts); err != nil {
		return nil, perr("COSE", "%v", err)
	}
	if len(parts) != 4 {
		return nil, perr("COSE", "array of %d elements, want 4 [protected, unprotected, payload, signature]", len(parts))
	}
	var s struct{ protected, payload, signature []byte }
	if s.protected, err = bstr(dm, parts[0], "protected header"); err != nil {
		return nil, err
	}
	if s.payload, err = bstr(dm, parts[2], "payload (detached payloads are not supported)"); err != nil {
		return nil, err
	}
	if s.signature, err = bstr(dm, parts[3], "signature"); err != nil {
		return nil, err
	}
	if len(s.payload) == 0 {
		return nil, perr("COSE", "empty payload")
	}
	if len(s.signature) == 0 {
		return nil, perr("COSE", "empty signature")
	}
	u := &Unverified{protected: s.protected, cwt: s.payload, signature: s.signature}

	// RFC 9052 §3: a zero-length protected header means an empty map.
	prot := map[any]cbor.RawMessage{}
	if len(s.protected) > 0 {
		if major(s.protected) != majorMap {
			return nil, perr("protected header", "not a CBOR map inside its byte string")
		}
		if err := dm.Unmarshal(s.protected, &prot); err != nil {
			return nil, perr("protected header", "%v", err)
		}
	}
	if major(parts[1]) != majorMap {
		return nil, perr("unprotected header", "not a CBOR map")
	}
	var unprot map[any]cbor.RawMessage
	if err := dm.Unmarshal(parts[1], &unprot); err != nil {
		return nil, perr("unprotected header", "%v", err)
	}
	if err := checkCrit(dm, prot, unprot); err != nil {
		return nil, err
	}
	if err := u.readHeaders(dm, prot, unprot); err != nil {
		return nil, err
	}
	if err := u.readClaims(dm, s.payload); err != nil {
		return nil, err
	}
	return u, nil
}

func bstr(dm cbor.DecMode, raw []byte, name string) ([]byte, error) {
	if major(raw) != majorBytes {
		return nil, perr("COSE", "%s is not a byte string", name)
	}
	var b []byte
	if err := dm.Unmarshal(raw, &b); err != nil {
		return nil, perr("COSE", "%s: %v", name, err)
	}
	return b, nil
}

// untag strips an optional CWT tag (61) and an optional COSE_Sign1 tag (18),
// in that order; any other tag is an error.
func untag(dm cbor.DecMode, msg []byte) ([]byte, error) {
	body := msg
	var seenCWT, seenSign1 bool
	for major(body) == majorTag {
		var tag cbor.RawTag
		if err := dm.Unmarshal(body, &tag); err != nil {
			return nil, perr("COSE", "%v", err)
		}
		switch {
		case tag.Number == tagCWT && !seenCWT && !seenSign1:
			seenCWT = true
		case tag.Number == tagCOSESign1 && !seenSign1:
			seenSign1 = true
		default:
			return nil, perr("COSE", "unexpected tag %d: want COSE_Sign1 (18), optionally inside CWT (61)", tag.Number)
		}
		body = tag.Content
	}
	if len(body) == 0 {
		return nil, perr("COSE", "empty message")
	}
	return body, nil
}

// checkCrit refuses critical header parameters this package does not
// process (RFC 9052 §3.1): only alg and kid are understood.
func checkCrit(dm cbor.DecMode, prot, unprot map[any]cbor.RawMessage) error {
	if _, ok := header(unprot, headerCrit); ok {
		return perr("unprotected header", "crit (label 2) must be in the protected header")
	}
	raw, ok := header(prot, headerCrit)
	if !ok {
		return nil
	}
	var labels []any
	if major(raw) != majorArray {
		return perr("protected header", "crit (label 2) is not an array")
	}
	if err := dm.Unmarshal(raw, &labels); err != nil || len(labels) == 0 {
		return perr("protected header", "crit (label 2) is not a non-empty array of labels")
	}
	for _, l := range labels {
		switch l {
		case uint64(headerAlg), uint64(headerKID):
		default:
			return perr("protected header", "critical header parameter %v is not understood", l)
		}
	}
	return nil
}

func (u *Unverified) readHeaders(dm cbor.DecMode, prot, unprot map[any]cbor.RawMessage) error {
	// alg belongs in the protected header; one real issuer (dgc-testdata
	// common/CO20) put it in the unprotected one too. Protected wins.
	part, raw, ok := "protected header", cbor.RawMessage(nil), false
	if raw, ok = header(prot, headerAlg); !ok {
		part = "unprotected header"
		if raw, ok = header(unprot, headerAlg); !ok {
			return perr("protected header", "no algorithm (label 1)")
		}
	}
	var alg int64
	if !isInt(raw) {
		return perr(part, "alg (label 1) is not an integer")
	}
	if err := dm.Unmarshal(raw, &alg); err != nil || alg < math.MinInt32 || alg > math.MaxInt32 {
		return perr(part, "alg (label 1) is out of range")
	}
	u.Alg = int(alg)

	// HCERT §3.3.3: kid may be unprotected; the protected one wins.
	part = "protected header"
	if raw, ok = header(prot, headerKID); !ok {
		part = "unprotected header"
		if raw, ok = header(unprot, headerKID); !ok {
			return perr("protected header", "no key identifier (label 4)")
		}
		u.KIDUnprotected = true
	}
	if major(raw) != majorBytes {
		return perr(part, "kid (label 4) is not a byte string")
	}
	if err := dm.Unmarshal(raw, &u.KID); err != nil {
		return perr(part, "kid: %v", err)
	}
	if len(u.KID) == 0 {
		return perr(part, "empty kid (label 4)")
	}
	return nil
}

// Bounds of a NumericDate: the Unix epoch to the end of year 9999.
const maxNumericDate = 253402300799

func (u *Unverified) readClaims(dm cbor.DecMode, cwt []byte) error {
	if major(cwt) != majorMap {
		return perr("CWT", "the payload is not a CBOR map of claims")
	}
	var claims map[any]cbor.RawMessage
	if err := dm.Unmarshal(cwt, &claims); err != nil {
		return perr("CWT", "%v", err)
	}
	// iss is optional (HCERT §3.3.4).
	if raw, ok := header(claims, claimIss); ok {
		if major(raw) != majorText {
			return perr("CWT", "iss (1) is not a text string")
		}
		if err := dm.Unmarshal(raw, &u.Claims.Issuer); err != nil {
			return perr("CWT", "iss (1): %v", err)
		}
	}
	var err error
	if u.Claims.IssuedAt, err = timeClaim(dm, claims, claimIat, "iat (6)"); err != nil {
		return err
	}
	if u.Claims.Expires, err = timeClaim(dm, claims, claimExp, "exp (4)"); err != nil {
		return err
	}
	raw, ok := header(claims, claimHcert)
	if !ok {
		return perr("CWT", "no hcert claim (-260)")
	}
	if major(raw) != majorMap {
		return perr("hcert claim", "not a CBOR map")
	}
	var hc map[any]cbor.RawMessage
	if err := dm.Unmarshal(raw, &hc); err != nil {
		return perr("hcert claim", "%v", err)
	}
	p, ok := header(hc, hcertV1)
	if !ok {
		return perr("hcert claim", "no EU DCC v1 entry (key 1)")
	}
	if major(p) != majorMap {
		return perr("hcert claim", "the DCC payload (key 1) is not a CBOR map")
	}
	var probe map[string]cbor.RawMessage
	if err := dm.Unmarshal(p, &probe); err != nil {
		return perr("hcert claim", "the DCC payload is not a map with text keys: %v", err)
	}
	u.Payload = p
	return nil
}

// header looks a label up in a map decoded with interface keys: the
// decoder gives non-negative integers as uint64, negative ones as int64.
func header(m map[any]cbor.RawMessage, label int) (cbor.RawMessage, bool) {
	var v cbor.RawMessage
	var ok bool
	if label >= 0 {
		v, ok = m[uint64(label)]
	} else {
		v, ok = m[int64(label)]
	}
	return v, ok
}

// timeClaim reads a NumericDate (RFC 8392 §2): HCERT §3.3.5–6 want an
// integer; RFC 8392 also allows a float, read here to the second.
func timeClaim(dm cbor.DecMode, claims map[any]cbor.RawMessage, key int, name string) (time.Time, error) {
	raw, ok := header(claims, key)
	if !ok {
		return time.Time{}, perr("CWT", "no %s claim", name)
	}
	var n int64
	switch {
	case isInt(raw):
		if err := dm.Unmarshal(raw, &n); err != nil {
			return time.Time{}, perr("CWT", "%s is out of range", name)
		}
	case len(raw) > 0 && raw[0] >= 0xf9 && raw[0] <= 0xfb: // half, single, double float
		var f float64
		if err := dm.Unmarshal(raw, &f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > maxNumericDate {
			return time.Time{}, perr("CWT", "%s is not a NumericDate", name)
		}
		n = int64(f)
	default:
		return time.Time{}, perr("CWT", "%s is not a NumericDate (an integer number of seconds)", name)
	}
	if n < 0 || n > maxNumericDate {
		return time.Time{}, perr("CWT", "%s %d is out of range", name, n)
	}
	return time.Unix(n, 0).UTC(), nil
}

// Type says which certificate type the payload holds, from its group key.
func (u *Unverified) Type() (pki.Type, error) {
	t, err := payloadType(u.Payload)
	if err != nil {
		return 0, fmt.Errorf("hcert: %w", err)
	}
	return t, nil
}

// ErrType means the payload does not hold exactly one of v, t, r.
var ErrType = errors.New("the payload must hold exactly one of v (vaccination), t (test), r (recovery)")

func payloadType(payload []byte) (pki.Type, error) {
	dm, err := decMode()
	if err != nil {
		return 0, err
	}
	// The common payload is read without decoding it; any other as below.
	var groups [3]bool
	if commonPayload(dm, payload, func(key string, v []byte) {
		if i := strings.Index("vtr", key); len(key) == 1 && i >= 0 {
			groups[i] = !(len(v) == 1 && (v[0] == 0xf6 || v[0] == 0x80))
		}
	}) {
		var found []pki.Type
		for i, t := range []pki.Type{pki.Vaccination, pki.Test, pki.Recovery} {
			if groups[i] {
				found = append(found, t)
			}
		}
		if len(found) != 1 {
			return 0, ErrType
		}
		return found[0], nil
	}
	return payloadTypeGeneral(dm, payload)
}

// payloadTypeGeneral is payloadType for every payload, decoded.
func payloadTypeGeneral(dm cbor.DecMode, payload []byte) (pki.Type, error) {
	var m map[string]cbor.RawMessage
	if err := dm.Unmarshal(payload, &m); err != nil {
		return 0, fmt.Errorf("the payload is not a CBOR map with text keys: %w", err)
	}
	var found []pki.Type
	for _, t := range []pki.Type{pki.Vaccination, pki.Test, pki.Recovery} {
		// A null or empty group (BG vectors have null ones) is no group.
		if v, ok := m[string(rune(t))]; ok && !(len(v) == 1 && (v[0] == 0xf6 || v[0] == 0x80)) {
			found = append(found, t)
		}
	}
	if len(found) != 1 {
		return 0, ErrType
	}
	return found[0], nil
}
