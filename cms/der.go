package cms

import (
	"bytes"
	"encoding/asn1"
	"fmt"
	"slices"
)

// element is one DER element: its header fields, all its bytes and its
// contents.
type element struct {
	class       byte
	constructed bool
	tag         uint32
	ident       []byte // identifier octets
	full, body  []byte
}

func (e element) is(class byte, constructed bool, tag uint32) bool {
	return e.class == class && e.constructed == constructed && e.tag == tag
}

// readElement splits the first DER element off b (already normalised, so
// errors here mean a broken invariant, but are reported all the same).
func readElement(b []byte) (element, []byte, error) {
	h, err := parseHeader(b)
	if err != nil {
		return element{}, nil, err
	}
	if h.length < 0 {
		return element{}, nil, fmt.Errorf("indefinite length")
	}
	end := h.hdrLen + h.length
	return element{class: h.class, constructed: h.constructed, tag: h.tag, ident: b[:h.identLen], full: b[:end], body: b[h.hdrLen:end]}, b[end:], nil
}

// children returns the elements inside a constructed element.
func children(e element) ([]element, error) {
	var out []element
	for b := e.body; len(b) > 0; {
		k, rest, err := readElement(b)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
		b = rest
	}
	return out, nil
}

// typeName names a universal tag for error messages.
func typeName(e element) string {
	if e.class == classUniversal {
		switch e.tag {
		case tagInteger:
			return "INTEGER"
		case tagBitString:
			return "BIT STRING"
		case tagOctetString:
			return "OCTET STRING"
		case tagNull:
			return "NULL"
		case tagOID:
			return "OBJECT IDENTIFIER"
		case tagSequence:
			return "SEQUENCE"
		case tagSet:
			return "SET"
		}
		return fmt.Sprintf("universal %d", e.tag)
	}
	return fmt.Sprintf("[%d] (class %d)", e.tag, e.class)
}

func parseOID(e element) (asn1.ObjectIdentifier, error) {
	if !e.is(classUniversal, false, tagOID) {
		return nil, fmt.Errorf("%s, want OBJECT IDENTIFIER", typeName(e))
	}
	var oid asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(e.full, &oid); err != nil {
		return nil, err
	}
	return oid, nil
}

func parseSmallInt(e element) (int, error) {
	if !e.is(classUniversal, false, tagInteger) {
		return 0, fmt.Errorf("%s, want INTEGER", typeName(e))
	}
	var v int
	if _, err := asn1.Unmarshal(e.full, &v); err != nil {
		return 0, err
	}
	return v, nil
}

// canonical returns the DER of e with the elements of every SET in it
// sorted (X.690 §11.6), as a signature over signed attributes is
// checked: over their DER re-encoding, whatever order they came in.
func canonical(e element) ([]byte, error) {
	if !e.constructed {
		return e.full, nil
	}
	kids, err := children(e)
	if err != nil {
		return nil, err
	}
	parts := make([][]byte, len(kids))
	for i, k := range kids {
		if parts[i], err = canonical(k); err != nil {
			return nil, err
		}
	}
	if e.is(classUniversal, true, tagSet) {
		slices.SortFunc(parts, bytes.Compare)
	}
	return tlv(e.ident, parts...), nil
}

// tlv writes one DER element: the identifier octets, then the length and
// the concatenated contents.
func tlv(ident []byte, parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, len(ident)+lengthSize(n)+n)
	out = append(out, ident...)
	out = appendLength(out, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func seq(parts ...[]byte) []byte { return tlv([]byte{0x30}, parts...) }

func set(parts ...[]byte) []byte {
	sorted := slices.Clone(parts)
	slices.SortFunc(sorted, bytes.Compare)
	return tlv([]byte{0x31}, sorted...)
}

func octets(b []byte) []byte { return tlv([]byte{0x04}, b) }

// explicit wraps parts in the context-specific constructed tag n.
func explicit(n byte, parts ...[]byte) []byte { return tlv([]byte{0xa0 | n}, parts...) }

func encodeOID(oid asn1.ObjectIdentifier) []byte {
	// Every OID written here is a fixed, valid one.
	b := []byte{byte(oid[0]*40 + oid[1])}
	for _, v := range oid[2:] {
		var grp []byte
		for {
			grp = append(grp, byte(v&0x7f))
			if v >>= 7; v == 0 {
				break
			}
		}
		for i := len(grp) - 1; i >= 0; i-- {
			c := grp[i]
			if i > 0 {
				c |= 0x80
			}
			b = append(b, c)
		}
	}
	return tlv([]byte{0x06}, b)
}

func encodeSmallInt(v int) []byte {
	// Versions only: 0 ≤ v < 128.
	return []byte{0x02, 0x01, byte(v)}
}
