package hcert

import (
	"bytes"
	"time"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"
)

// parseCommon reads the one shape nearly every DCC has, without
// reflection: an optional tag 18 around [bstr{1: alg, 4: kid}, {}, bstr
// CWT, bstr signature], the CWT a map of iss, exp, iat and hcert {1:
// payload} only, every length definite, every integer in its shortest
// form, no key twice. Anything else — and every malformed message — is
// not for it (ok false): Parse then reads the message the general way,
// which gives the same Unverified for what parseCommon accepts and the
// errors for the rest. The payload is checked as Parse checks it (a map
// with text keys, well-formed within the decoder's bounds).
func parseCommon(dm cbor.DecMode, msg []byte) (u *Unverified, ok bool) {
	r := reader{b: msg}
	if len(msg) > 0 && msg[0] == 0xd2 { // tag 18, COSE_Sign1
		r.i++
	}
	if n, ok := r.head(majorArray); !ok || n != 4 {
		return nil, false
	}
	// The three byte strings' places in msg, for the copy below.
	var at [3][2]int
	protected, ok := r.bytes()
	at[0] = [2]int{r.i - len(protected), r.i}
	if !ok || r.next() != 0xa0 { // the unprotected header: an empty map
		return nil, false
	}
	r.i++
	cwt, ok := r.bytes()
	at[1] = [2]int{r.i - len(cwt), r.i}
	if !ok || len(cwt) == 0 {
		return nil, false
	}
	sig, ok := r.bytes()
	at[2] = [2]int{r.i - len(sig), r.i}
	if !ok || len(sig) == 0 || r.i != len(msg) {
		return nil, false
	}
	u = &Unverified{}
	if !u.commonHeader(protected) || !u.commonClaims(dm, cwt) {
		return nil, false
	}
	// A copy, as the general path makes: the message may be a buffer its
	// caller reuses. One for the unexported parts; KID and Payload, which
	// callers see, have their own.
	c := bytes.Clone(msg)
	part := func(i int) []byte { return c[at[i][0]:at[i][1]:at[i][1]] }
	u.protected, u.cwt, u.signature = part(0), part(1), part(2)
	return u, true
}

// commonHeader reads a protected header of alg and kid only.
func (u *Unverified) commonHeader(h []byte) bool {
	r := reader{b: h}
	n, ok := r.head(majorMap)
	if !ok || n != 2 {
		return false
	}
	var seen [2]bool
	for range 2 {
		label, ok := r.int()
		if !ok {
			return false
		}
		switch {
		case label == headerAlg && !seen[0]:
			alg, ok := r.int()
			if !ok || alg < -1<<31 || alg >= 1<<31 {
				return false
			}
			u.Alg, seen[0] = int(alg), true
		case label == headerKID && !seen[1]:
			kid, ok := r.bytes()
			if !ok || len(kid) == 0 {
				return false
			}
			u.KID, seen[1] = bytes.Clone(kid), true
		default:
			return false
		}
	}
	return r.i == len(h)
}

// commonClaims reads a CWT of iss, exp, iat and the hcert claim only.
func (u *Unverified) commonClaims(dm cbor.DecMode, cwt []byte) bool {
	r := reader{b: cwt}
	n, ok := r.head(majorMap)
	if !ok || n < 3 || n > 4 {
		return false
	}
	var iss, exp, iat, hc bool
	for range n {
		label, ok := r.int()
		if !ok {
			return false
		}
		switch {
		case label == claimIss && !iss:
			s, ok := r.text()
			if !ok {
				return false
			}
			u.Claims.Issuer, iss = s, true
		case (label == claimExp && !exp) || (label == claimIat && !iat):
			t, ok := r.uint()
			if !ok || t > maxNumericDate {
				return false
			}
			if label == claimExp {
				u.Claims.Expires, exp = time.Unix(int64(t), 0).UTC(), true
			} else {
				u.Claims.IssuedAt, iat = time.Unix(int64(t), 0).UTC(), true
			}
		case label == claimHcert && !hc:
			if m, ok := r.head(majorMap); !ok || m != 1 {
				return false
			}
			if key, ok := r.int(); !ok || key != hcertV1 {
				return false
			}
			start := r.i
			if r.next()>>5 != majorMap || !r.skip(0) {
				return false
			}
			p := cwt[start:r.i]
			if !commonPayload(dm, p, nil) {
				return false
			}
			u.Payload, hc = bytes.Clone(p), true
		default:
			return false
		}
	}
	return exp && iat && hc && r.i == len(cwt)
}

// commonPayload reports whether p is a well-formed map (within the
// decoder's bounds, without tags) of at most 16 distinct text keys in
// their shortest form — what Parse and payloadType ask of a payload, read without
// decoding it — and gives each key and its raw value to each, when set.
// False means the general path must judge.
func commonPayload(dm cbor.DecMode, p []byte, each func(key string, value []byte)) bool {
	r := reader{b: p}
	n, ok := r.head(majorMap)
	if !ok || n > 16 {
		return false
	}
	var keys [16]string
	for i := range int(n) {
		k, ok := r.text()
		if !ok {
			return false
		}
		for _, prev := range keys[:i] {
			if prev == k {
				return false
			}
		}
		keys[i] = k
		start := r.i
		if !r.skip(1) {
			return false
		}
		if each != nil {
			each(k, p[start:r.i])
		}
	}
	return r.i == len(p) && dm.Wellformed(p) == nil
}

// reader reads definite-length CBOR whose heads are in their shortest
// form; anything else is refused (ok false), never guessed at.
type reader struct {
	b []byte
	i int
}

func (r *reader) next() byte {
	if r.i >= len(r.b) {
		return 0xff // a break: refused everywhere
	}
	return r.b[r.i]
}

// anyHead reads a head: its major type and argument.
func (r *reader) anyHead() (major int, arg uint64, ok bool) {
	if r.i >= len(r.b) {
		return 0, 0, false
	}
	c := r.b[r.i]
	major, info := int(c>>5), c&0x1f
	r.i++
	var n int
	switch {
	case info < 24:
		return major, uint64(info), true
	case info == 24:
		n = 1
	case info == 25:
		n = 2
	case info == 26:
		n = 4
	case info == 27:
		n = 8
	default: // indefinite lengths, reserved values
		return 0, 0, false
	}
	if len(r.b)-r.i < n {
		return 0, 0, false
	}
	for _, d := range r.b[r.i : r.i+n] {
		arg = arg<<8 | uint64(d)
	}
	r.i += n
	// The shortest form only (floats, major 7, are what they are).
	if major != majorOther && (n == 1 && arg < 24 || n > 1 && arg < 1<<(8*(n/2))) {
		return 0, 0, false
	}
	return major, arg, true
}

func (r *reader) head(want int) (uint64, bool) {
	m, arg, ok := r.anyHead()
	return arg, ok && m == want
}

func (r *reader) uint() (uint64, bool) { return r.head(majorUint) }

// int reads an integer in int32's range.
func (r *reader) int() (int64, bool) {
	m, arg, ok := r.anyHead()
	switch {
	case !ok || arg >= 1<<31:
		return 0, false
	case m == majorUint:
		return int64(arg), true
	case m == majorNeg:
		return -1 - int64(arg), true
	}
	return 0, false
}

func (r *reader) bytes() ([]byte, bool) {
	n, ok := r.head(majorBytes)
	if !ok || n > uint64(len(r.b)-r.i) {
		return nil, false
	}
	b := r.b[r.i : r.i+int(n)]
	r.i += int(n)
	return b, true
}

func (r *reader) text() (string, bool) {
	n, ok := r.head(majorText)
	if !ok || n > uint64(len(r.b)-r.i) {
		return "", false
	}
	b := r.b[r.i : r.i+int(n)]
	r.i += int(n)
	return string(b), utf8.Valid(b)
}

// skip passes over one data item without tags, at most 8 levels and 512
// elements deep and wide: a DCC payload is 3 levels deep.
func (r *reader) skip(depth int) bool {
	if depth > 8 {
		return false
	}
	m, arg, ok := r.anyHead()
	if !ok {
		return false
	}
	switch m {
	case majorBytes, majorText:
		if arg > uint64(len(r.b)-r.i) {
			return false
		}
		r.i += int(arg)
	case majorArray, majorMap:
		if arg > 512 {
			return false
		}
		n := int(arg)
		if m == majorMap {
			n *= 2
		}
		for range n {
			if !r.skip(depth + 1) {
				return false
			}
		}
	case majorTag:
		// The decoder checks the content of the tags it knows: tagged
		// payloads (some issuers wrap t/sc in tag 0) are for it to read.
		return false
	case majorOther:
		// Simple values and floats carry no content beyond their head.
	}
	return true
}
