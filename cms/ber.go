package cms

import "fmt"

// Limits on what NormalizeBER and Parse read: a gateway upload or
// trust-list signature is a few kilobytes, a revocation batch of 1,000
// hashes some 40 KB.
const (
	// MaxSize is the largest input, in bytes.
	MaxSize = 16 << 20
	// MaxDepth is the deepest nesting of elements (a SignedData with an
	// X.509 certificate needs about 12).
	MaxDepth = 64
	// MaxElements is the most elements one input may hold.
	MaxElements = 1 << 18
)

const (
	classUniversal = 0
	classContext   = 2

	tagInteger     = 2
	tagBitString   = 3
	tagOctetString = 4
	tagNull        = 5
	tagOID         = 6
	tagSequence    = 16
	tagSet         = 17
)

// header is one element's identifier and length octets.
type header struct {
	class       byte // 0 universal, 1 application, 2 context-specific, 3 private
	constructed bool
	tag         uint32
	identLen    int
	length      int  // -1: indefinite
	hdrLen      int  // identifier and length octets
	minimal     bool // a definite length in its shortest form, as DER wants
}

// parseHeader reads the identifier and length octets at the start of b and
// checks that a definite length fits in b.
func parseHeader(b []byte) (header, error) {
	var h header
	if len(b) < 2 {
		return h, fmt.Errorf("truncated: %d byte(s) left where an element's header is expected", len(b))
	}
	h.class = b[0] >> 6
	h.constructed = b[0]&0x20 != 0
	h.tag = uint32(b[0] & 0x1f)
	i := 1
	if h.tag == 0x1f {
		// High tag number form: base 128, most significant group first.
		h.tag = 0
		for {
			if i >= len(b) {
				return h, fmt.Errorf("truncated: tag number not finished")
			}
			c := b[i]
			i++
			if h.tag == 0 && c == 0x80 {
				return h, fmt.Errorf("tag number has a leading zero group")
			}
			if i > 5 {
				return h, fmt.Errorf("tag number longer than 4 octets")
			}
			h.tag = h.tag<<7 | uint32(c&0x7f)
			if c&0x80 == 0 {
				break
			}
		}
		if h.tag < 0x1f {
			return h, fmt.Errorf("tag number %d written in the high tag number form", h.tag)
		}
	}
	h.identLen = i
	if i >= len(b) {
		return h, fmt.Errorf("truncated: no length octets")
	}
	l := b[i]
	i++
	switch {
	case l < 0x80:
		h.length, h.minimal = int(l), true
	case l == 0x80:
		if !h.constructed {
			return h, fmt.Errorf("indefinite length on a primitive element")
		}
		h.length = -1
	case l == 0xff:
		return h, fmt.Errorf("reserved length octet 0xff")
	default:
		n := int(l & 0x7f)
		if n > 4 {
			return h, fmt.Errorf("length in %d octets, more than %d bytes allowed", n, MaxSize)
		}
		if i+n > len(b) {
			return h, fmt.Errorf("truncated: length octets not finished")
		}
		v := 0
		for _, c := range b[i : i+n] {
			v = v<<8 | int(c)
		}
		if v > MaxSize {
			return h, fmt.Errorf("length %d over the %d-byte limit", v, MaxSize)
		}
		h.length, h.minimal = v, v >= 0x80 && b[i] != 0
		i += n
	}
	h.hdrLen = i
	if h.length > len(b)-i {
		return h, fmt.Errorf("truncated: length %d but %d byte(s) left", h.length, len(b)-i)
	}
	return h, nil
}

// isString reports the universal types whose BER encoding may be
// constructed from segments (X.690 §8.7, §8.6, §8.23): those DER writes as
// one primitive string.
func isString(tag uint32) bool {
	switch tag {
	case tagBitString, tagOctetString, 7, 12, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 30:
		return true
	}
	return false
}

// checkForm refuses universal elements in a form X.690 does not allow.
func checkForm(h header) error {
	if h.class != classUniversal {
		return nil
	}
	switch {
	case h.tag == 0:
		return fmt.Errorf("end-of-contents octets where an element is expected")
	case (h.tag == tagSequence || h.tag == tagSet) && !h.constructed:
		return fmt.Errorf("primitive encoding of a SEQUENCE or SET")
	case h.constructed && !isString(h.tag) && h.tag != tagSequence && h.tag != tagSet &&
		h.tag != 8 && h.tag != 11 && h.tag != 29:
		return fmt.Errorf("constructed encoding of universal type %d", h.tag)
	}
	return nil
}

// normalizer turns BER into DER; base is the whole input, for offsets.
type normalizer struct {
	base  []byte
	count int
}

// fail reports a problem at b, a slice of p.base.
func (p *normalizer) fail(b []byte, err error) error {
	return wrapf(ReasonMalformed, err, "BER at byte %d", cap(p.base)-cap(b))
}

// header reads and checks the header at b, counting the element.
func (p *normalizer) header(b []byte, depth int) (header, error) {
	if depth > MaxDepth {
		return header{}, p.fail(b, fmt.Errorf("nested deeper than %d", MaxDepth))
	}
	if p.count++; p.count > MaxElements {
		return header{}, p.fail(b, fmt.Errorf("more than %d elements", MaxElements))
	}
	h, err := parseHeader(b)
	if err == nil {
		err = checkForm(h)
	}
	if err != nil {
		return h, p.fail(b, err)
	}
	return h, nil
}

// NormalizeBER returns the DER form of one BER element (X.690): definite
// lengths in their shortest form, and strings sent in segments (a
// constructed OCTET STRING, as `openssl cms -stream` and BouncyCastle
// write eContent) joined into one primitive string. It refuses anything
// else: truncation, an indefinite length without its end-of-contents
// octets, data after the element, and input over MaxSize, MaxDepth or
// MaxElements. The order of SET elements is kept, so signed bytes inside
// (certificates) stay as they were. Input that is already DER is returned
// as it is, not copied.
func NormalizeBER(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, errorf(ReasonMalformed, "empty input")
	}
	if len(b) > MaxSize {
		return nil, errorf(ReasonMalformed, "%d bytes, over the %d-byte limit", len(b), MaxSize)
	}
	p := &normalizer{base: b}
	if der, err := p.isDER(b); err != nil || der {
		if err != nil {
			return nil, err
		}
		return b, nil
	}
	p.count = 0
	n, rest, err := p.parse(b, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) > 0 {
		return nil, p.fail(rest, fmt.Errorf("%d byte(s) after the end of the structure", len(rest)))
	}
	out := make([]byte, 0, n.size())
	return n.encode(out), nil
}

// isDER reports whether b is one element that needs no rewriting. It stops
// at the first thing to rewrite; parse then checks the whole input.
func (p *normalizer) isDER(b []byte) (bool, error) {
	h, err := p.header(b, 0)
	if err != nil {
		return false, err
	}
	if !p.plain(h) {
		return false, nil
	}
	if end := h.hdrLen + h.length; end != len(b) {
		return false, p.fail(b[end:], fmt.Errorf("%d byte(s) after the end of the structure", len(b)-end))
	}
	if !h.constructed {
		return true, nil
	}
	return p.plainContents(b[h.hdrLen:], 1)
}

// plain reports whether an element's header is DER as it stands.
func (p *normalizer) plain(h header) bool {
	return h.length >= 0 && h.minimal && !(h.constructed && h.class == classUniversal && isString(h.tag))
}

// plainContents reports whether the elements in b need no rewriting.
func (p *normalizer) plainContents(b []byte, depth int) (bool, error) {
	for len(b) > 0 {
		h, err := p.header(b, depth)
		if err != nil {
			return false, err
		}
		if !p.plain(h) {
			return false, nil
		}
		if h.constructed {
			if ok, err := p.plainContents(b[h.hdrLen:h.hdrLen+h.length], depth+1); err != nil || !ok {
				return ok, err
			}
		}
		b = b[h.hdrLen+h.length:]
	}
	return true, nil
}

// node is a parsed element, ready to be written as DER.
type node struct {
	ident       []byte
	class       byte
	tag         uint32
	constructed bool
	body        []byte   // a primitive element's contents
	segs        [][]byte // a joined string's segments (without BIT STRING's unused-bits octets)
	unused      int      // a joined BIT STRING's unused bits; -1 for other strings
	kids        []*node
	clen        int // length of the DER contents
}

func (p *normalizer) parse(b []byte, depth int) (*node, []byte, error) {
	h, err := p.header(b, depth)
	if err != nil {
		return nil, nil, err
	}
	n := &node{ident: b[:h.identLen], class: h.class, tag: h.tag, constructed: h.constructed, unused: -1}
	if !h.constructed {
		n.body = b[h.hdrLen : h.hdrLen+h.length]
		n.clen = h.length
		return n, b[h.hdrLen+h.length:], nil
	}
	var body, rest []byte
	if h.length >= 0 {
		body, rest = b[h.hdrLen:h.hdrLen+h.length], b[h.hdrLen+h.length:]
	} else {
		body = b[h.hdrLen:]
	}
	for {
		if h.length < 0 {
			if len(body) == 0 {
				return nil, nil, p.fail(b, fmt.Errorf("indefinite-length element without end-of-contents octets"))
			}
			if len(body) >= 2 && body[0] == 0 && body[1] == 0 {
				rest = body[2:]
				break
			}
		} else if len(body) == 0 {
			break
		}
		kid, r, err := p.parse(body, depth+1)
		if err != nil {
			return nil, nil, err
		}
		n.kids = append(n.kids, kid)
		body = r
	}
	if h.class == classUniversal && isString(h.tag) {
		if err := p.join(n, b); err != nil {
			return nil, nil, err
		}
		return n, rest, nil
	}
	for _, k := range n.kids {
		n.clen += k.size()
	}
	return n, rest, nil
}

// join makes a constructed string primitive (X.690 §8.7.3, §8.6.4): its
// segments must be strings of the same type; of BIT STRING segments only
// the last may leave bits unused.
func (p *normalizer) join(n *node, at []byte) error {
	n.ident = append([]byte(nil), n.ident...)
	n.ident[0] &^= 0x20
	n.constructed = false
	bits := n.tag == tagBitString
	if bits {
		n.unused = 0
	}
	for i, k := range n.kids {
		if k.class != classUniversal || k.tag != n.tag {
			return p.fail(at, fmt.Errorf("segment %d of a constructed string of type %d has type %d", i+1, n.tag, k.tag))
		}
		last := i == len(n.kids)-1
		switch {
		case k.segs != nil:
			n.segs = append(n.segs, k.segs...)
			if bits {
				if k.unused != 0 && !last {
					return p.fail(at, fmt.Errorf("BIT STRING segment %d leaves bits unused but is not the last", i+1))
				}
				n.unused = k.unused
			}
		case bits:
			if len(k.body) == 0 || k.body[0] > 7 || (len(k.body) == 1 && k.body[0] != 0) {
				return p.fail(at, fmt.Errorf("BIT STRING segment %d is malformed", i+1))
			}
			if k.body[0] != 0 && !last {
				return p.fail(at, fmt.Errorf("BIT STRING segment %d leaves bits unused but is not the last", i+1))
			}
			n.unused = int(k.body[0])
			n.segs = append(n.segs, k.body[1:])
		default:
			n.segs = append(n.segs, k.body)
		}
	}
	if n.segs == nil {
		n.segs = [][]byte{}
	}
	for _, s := range n.segs {
		n.clen += len(s)
	}
	if bits {
		n.clen++
	}
	n.kids = nil
	return nil
}

func (n *node) size() int { return len(n.ident) + lengthSize(n.clen) + n.clen }

func (n *node) encode(out []byte) []byte {
	out = append(out, n.ident...)
	out = appendLength(out, n.clen)
	switch {
	case n.constructed:
		for _, k := range n.kids {
			out = k.encode(out)
		}
	case n.segs != nil:
		if n.unused >= 0 {
			out = append(out, byte(n.unused))
		}
		for _, s := range n.segs {
			out = append(out, s...)
		}
	default:
		out = append(out, n.body...)
	}
	return out
}

func lengthSize(n int) int {
	if n < 0x80 {
		return 1
	}
	s := 1
	for ; n > 0; n >>= 8 {
		s++
	}
	return s
}

func appendLength(out []byte, n int) []byte {
	if n < 0x80 {
		return append(out, byte(n))
	}
	k := lengthSize(n) - 1
	out = append(out, 0x80|byte(k))
	for i := k - 1; i >= 0; i-- {
		out = append(out, byte(n>>(8*i)))
	}
	return out
}
