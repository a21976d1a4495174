package cms_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"dcc/cms"
)

// signer is a key and its self-signed certificate.
type signer struct {
	key  crypto.Signer
	cert *x509.Certificate
}

// keys are made once per test binary: RSA generation is slow under -race.
var keyCache sync.Map

func testKey(t testing.TB, kind string) crypto.Signer {
	t.Helper()
	if k, ok := keyCache.Load(kind); ok {
		return k.(crypto.Signer)
	}
	var k crypto.Signer
	var err error
	switch kind {
	case "P-256":
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "P-384":
		k, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "RSA-2048":
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	case "RSA-3072":
		k, err = rsa.GenerateKey(rand.Reader, 3072)
	default:
		// A second, distinct key of a kind: "P-256#2".
		base, _, ok := strings.Cut(kind, "#")
		if !ok {
			t.Fatalf("unknown key kind %q", kind)
		}
		return freshKey(t, base)
	}
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := keyCache.LoadOrStore(kind, k)
	return k2.(crypto.Signer)
}

func freshKey(t testing.TB, kind string) crypto.Signer {
	t.Helper()
	var k crypto.Signer
	var err error
	switch kind {
	case "P-256":
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "RSA-2048":
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	default:
		t.Fatalf("no fresh key of kind %q", kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// t0 is the tests' clock: certificates are valid a day either side.
var t0 = time.Date(2024, 3, 15, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return t0 }

// newSigner makes a self-signed certificate for a key of kind, valid from
// notBefore to notAfter, with the given serial.
func newSigner(t testing.TB, kind string, notBefore, notAfter time.Time, serial int64) signer {
	t.Helper()
	key := testKey(t, kind)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: "CMS test " + kind, Country: []string{"DE"}},
		NotBefore:    notBefore, NotAfter: notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		SubjectKeyId: []byte{1, 2, 3, 4, byte(serial)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return signer{key: key, cert: cert}
}

func validSigner(t testing.TB, kind string) signer {
	return newSigner(t, kind, t0.Add(-24*time.Hour), t0.Add(24*time.Hour), 4711)
}

func mustSign(t testing.TB, content []byte, s signer, opts cms.SignOptions) []byte {
	t.Helper()
	if opts.Now == nil {
		opts.Now = clock
	}
	der, err := cms.Sign(content, s.key, s.cert, opts)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// wantReason fails unless err is a *cms.Error of reason whose text holds
// every fragment.
func wantReason(t testing.TB, err error, reason cms.Reason, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want reason %q", reason)
	}
	var ce *cms.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *cms.Error", err, err)
	}
	if ce.Reason != reason {
		t.Fatalf("reason %q (%v), want %q", ce.Reason, err, reason)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Fatalf("error %q does not mention %q", err, f)
		}
	}
}

// tnode is the tests' own view of a DER element, to take messages apart
// and build wrong ones. It reads single-octet tags only, all that CMS and
// X.509 use.
type tnode struct {
	tag     byte
	body    []byte   // primitive
	kids    []*tnode // constructed
	keepDER bool     // ber writes this subtree as DER
}

func (n *tnode) constructed() bool { return n.tag&0x20 != 0 }

func tparse(t testing.TB, b []byte) *tnode {
	t.Helper()
	n, rest, err := tread(b)
	if err != nil || len(rest) > 0 {
		t.Fatalf("test DER reader: %v (%d bytes left)", err, len(rest))
	}
	return n
}

func tread(b []byte) (*tnode, []byte, error) {
	if len(b) < 2 || b[0]&0x1f == 0x1f {
		return nil, nil, fmt.Errorf("bad header")
	}
	n := &tnode{tag: b[0]}
	l, i := int(b[1]), 2
	if l&0x80 != 0 {
		k := l & 0x7f
		if k == 0 || k > 4 || len(b) < 2+k {
			return nil, nil, fmt.Errorf("bad length")
		}
		l = 0
		for _, c := range b[2 : 2+k] {
			l = l<<8 | int(c)
		}
		i += k
	}
	if len(b)-i < l {
		return nil, nil, fmt.Errorf("truncated")
	}
	body := b[i : i+l]
	if !n.constructed() {
		n.body = body
		return n, b[i+l:], nil
	}
	for len(body) > 0 {
		k, r, err := tread(body)
		if err != nil {
			return nil, nil, err
		}
		n.kids = append(n.kids, k)
		body = r
	}
	return n, b[i+l:], nil
}

func tlength(n int) []byte {
	if n < 0x80 {
		return []byte{byte(n)}
	}
	var b []byte
	for ; n > 0; n >>= 8 {
		b = append([]byte{byte(n)}, b...)
	}
	return append([]byte{0x80 | byte(len(b))}, b...)
}

// der writes n in DER (as it was read).
func (n *tnode) der() []byte {
	body := n.body
	if n.constructed() {
		body = nil
		for _, k := range n.kids {
			body = append(body, k.der()...)
		}
	}
	return append(append([]byte{n.tag}, tlength(len(body))...), body...)
}

// ber writes n the way a streaming BER encoder does: every constructed
// element with an indefinite length, and every OCTET STRING longer than
// chunk as a constructed string of chunk-sized segments, the first of them
// nested once more (BER allows segments to be constructed too).
func (n *tnode) ber(chunk int) []byte {
	if n.keepDER {
		return n.der()
	}
	if n.constructed() {
		out := []byte{n.tag, 0x80}
		for _, k := range n.kids {
			out = append(out, k.ber(chunk)...)
		}
		return append(out, 0, 0)
	}
	if n.tag != 0x04 || len(n.body) <= chunk {
		return n.der()
	}
	out := []byte{0x24, 0x80}
	for i := 0; i < len(n.body); i += chunk {
		seg := n.body[i:min(i+chunk, len(n.body))]
		prim := append(append([]byte{0x04}, tlength(len(seg))...), seg...)
		if i == 0 {
			prim = append(append([]byte{0x24}, tlength(len(prim))...), prim...)
		}
		out = append(out, prim...)
	}
	return append(out, 0, 0)
}

func prim(tag byte, body []byte) *tnode { return &tnode{tag: tag, body: body} }

func oidNode(t testing.TB, oid asn1.ObjectIdentifier) *tnode {
	t.Helper()
	b, err := asn1.Marshal(oid)
	if err != nil {
		t.Fatal(err)
	}
	return tparse(t, b)
}

// message is a SignedData taken apart.
type message struct {
	root *tnode
}

func parts(t testing.TB, der []byte) message { return message{root: tparse(t, der)} }

func (m message) signedData() *tnode { return m.root.kids[1].kids[0] }
func (m message) encap() *tnode      { return m.signedData().kids[2] }

// certs is the [0] certificates node, or nil.
func (m message) certs() *tnode {
	for _, k := range m.signedData().kids {
		if k.tag == 0xa0 {
			return k
		}
	}
	return nil
}

func (m message) signerInfos() *tnode {
	k := m.signedData().kids
	return k[len(k)-1]
}

func (m message) signerInfo() *tnode { return m.signerInfos().kids[0] }

// signedAttr returns the value node of the signed attribute oid.
func (m message) signedAttr(t testing.TB, oid asn1.ObjectIdentifier) *tnode {
	t.Helper()
	want := oidNode(t, oid).der()
	for _, a := range m.signerInfo().kids[3].kids {
		if string(a.kids[0].der()) == string(want) {
			return a.kids[1].kids[0]
		}
	}
	t.Fatalf("no signed attribute %v", oid)
	return nil
}

var (
	oidSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
)
