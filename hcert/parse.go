package hcert

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/fxamacker/cbor/v2"

	"dcc/pki"
)

// Unverified is a parsed COSE_Sign1 message whose signature has not been
// checked: nothing in it may be trusted until Verify succeeds.
type Unverified struct {
	Alg            int
	KID            []byte
	KIDUnprotected bool // the kid came from the unprotected header
	Claims         Claims
	Payload        []byte // the DCC payload's CBOR: untrusted

	protected []byte
	cwt       []byte
	signature []byte
}

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

type sign1 struct {
	_           struct{} `cbor:",toarray"`
	Protected   []byte
	Unprotected map[any]cbor.RawMessage
	Payload     []byte
	Signature   []byte
}

// Parse decodes a COSE_Sign1 message strictly, accepting what member
// states produce: tag 18 or no tag, a CWT tag 61 around it, and kid (and
// alg) in the unprotected header when the protected one lacks them.
func Parse(msg []byte) (*Unverified, error) {
	if len(msg) > MaxMessage {
		return nil, perr("COSE", "message of %d bytes is larger than %d", len(msg), MaxMessage)
	}
	dm, err := decMode()
	if err != nil {
		return nil, err
	}
	body := cbor.RawMessage(msg)
	for range 2 { // at most tag 61 around tag 18
		var tag cbor.RawTag
		if len(body) == 0 || body[0]>>5 != 6 {
			break
		}
		if err := dm.Unmarshal(body, &tag); err != nil {
			return nil, perr("COSE", "%v", err)
		}
		switch tag.Number {
		case tagCWT, tagCOSESign1:
			if tag.Number == tagCWT && len(tag.Content) > 0 && tag.Content[0]>>5 == 6 {
				body = tag.Content
				continue
			}
			body = tag.Content
		default:
			return nil, perr("COSE", "tag %d: want COSE_Sign1 (18), optionally inside CWT (61)", tag.Number)
		}
		break
	}
	var s sign1
	if err := dm.Unmarshal(body, &s); err != nil {
		return nil, perr("COSE", "not a COSE_Sign1 array [protected, unprotected, payload, signature]: %v", err)
	}
	if s.Payload == nil {
		return nil, perr("COSE", "detached or empty payload")
	}
	if len(s.Signature) == 0 {
		return nil, perr("COSE", "empty signature")
	}
	u := &Unverified{protected: s.Protected, cwt: s.Payload, signature: s.Signature}

	prot := map[any]cbor.RawMessage{}
	if len(s.Protected) > 0 {
		if err := dm.Unmarshal(s.Protected, &prot); err != nil {
			return nil, perr("protected header", "not a CBOR map: %v", err)
		}
	}
	if _, ok := header(prot, headerCrit); ok {
		return nil, perr("protected header", "critical headers (label 2) are not supported")
	}
	alg, algOK, err := intHeader(dm, prot, s.Unprotected, headerAlg)
	if err != nil {
		return nil, err
	}
	if !algOK {
		return nil, perr("protected header", "no algorithm (label 1)")
	}
	u.Alg = alg
	if raw, ok := header(prot, headerKID); ok {
		if err := dm.Unmarshal(raw, &u.KID); err != nil {
			return nil, perr("protected header", "kid is not a byte string: %v", err)
		}
	} else if raw, ok := header(s.Unprotected, headerKID); ok {
		if err := dm.Unmarshal(raw, &u.KID); err != nil {
			return nil, perr("unprotected header", "kid is not a byte string: %v", err)
		}
		u.KIDUnprotected = true
	}
	if len(u.KID) == 0 {
		return nil, perr("protected header", "no key identifier (label 4)")
	}

	var claims map[any]cbor.RawMessage
	if err := dm.Unmarshal(s.Payload, &claims); err != nil {
		return nil, perr("CWT", "not a CBOR map of claims: %v", err)
	}
	if raw, ok := header(claims, claimIss); ok {
		if err := dm.Unmarshal(raw, &u.Claims.Issuer); err != nil {
			return nil, perr("CWT", "iss (1) is not a text string")
		}
	}
	if u.Claims.IssuedAt, err = timeClaim(dm, claims, claimIat, "iat (6)"); err != nil {
		return nil, err
	}
	if u.Claims.Expires, err = timeClaim(dm, claims, claimExp, "exp (4)"); err != nil {
		return nil, err
	}
	raw, ok := header(claims, claimHcert)
	if !ok {
		return nil, perr("CWT", "no hcert claim (-260)")
	}
	var hc map[any]cbor.RawMessage
	if err := dm.Unmarshal(raw, &hc); err != nil {
		return nil, perr("hcert claim", "not a CBOR map: %v", err)
	}
	p, ok := header(hc, hcertV1)
	if !ok {
		return nil, perr("hcert claim", "no EU DCC v1 entry (key 1)")
	}
	var probe map[string]cbor.RawMessage
	if err := dm.Unmarshal(p, &probe); err != nil {
		return nil, perr("hcert claim", "the DCC payload is not a map with text keys: %v", err)
	}
	u.Payload = p
	return u, nil
}

// header looks a label up in a map decoded with interface keys.
func header(m map[any]cbor.RawMessage, label int) (cbor.RawMessage, bool) {
	if label >= 0 {
		if v, ok := m[uint64(label)]; ok {
			return v, true
		}
	}
	v, ok := m[int64(label)]
	return v, ok
}

func intHeader(dm cbor.DecMode, prot, unprot map[any]cbor.RawMessage, label int) (int, bool, error) {
	part := "protected header"
	raw, ok := header(prot, label)
	if !ok {
		if raw, ok = header(unprot, label); !ok {
			return 0, false, nil
		}
		part = "unprotected header"
	}
	var v int64
	if err := dm.Unmarshal(raw, &v); err != nil {
		return 0, false, perr(part, "label %d is not an integer", label)
	}
	return int(v), true, nil
}

// timeClaim reads a NumericDate (RFC 8392): an integer or, as some issuers
// wrote, a floating-point number of seconds.
func timeClaim(dm cbor.DecMode, claims map[any]cbor.RawMessage, key int, name string) (time.Time, error) {
	raw, ok := header(claims, key)
	if !ok {
		return time.Time{}, perr("CWT", "no %s claim", name)
	}
	var n int64
	if err := dm.Unmarshal(raw, &n); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	var f float64
	if err := dm.Unmarshal(raw, &f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e12 {
		return time.Time{}, perr("CWT", "%s is not a NumericDate", name)
	}
	return time.Unix(int64(f), 0).UTC(), nil
}

// Type says which certificate type the payload holds, from its group key.
func (u *Unverified) Type() (pki.Type, error) { return payloadType(u.Payload) }

func payloadType(payload []byte) (pki.Type, error) {
	var m map[string]cbor.RawMessage
	if err := cbor.Unmarshal(payload, &m); err != nil {
		return 0, err
	}
	var found []pki.Type
	for key, t := range map[string]pki.Type{"v": pki.Vaccination, "t": pki.Test, "r": pki.Recovery} {
		if _, ok := m[key]; ok {
			found = append(found, t)
		}
	}
	if len(found) != 1 {
		return 0, errors.New("the payload must hold exactly one of v, t, r")
	}
	return found[0], nil
}
