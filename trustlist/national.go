package trustlist

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// Document is the payload of the national trust list.
type Document struct {
	Country      string    `json:"country"`
	Issued       time.Time `json:"issued"`
	Expires      time.Time `json:"expires"` // verifiers refuse the list after this
	Certificates []Entry   `json:"certificates"`
}

// MediaType of a signed national trust list.
const MediaType = "application/jose+json"

// jws is RFC 7515 §7.2.2, the flattened JWS JSON serialisation.
type jws struct {
	Protected string `json:"protected"`
	Payload   string `json:"payload"`
	Signature string `json:"signature"`
}

type header struct {
	Alg string   `json:"alg"`
	Typ string   `json:"typ"`
	X5C []string `json:"x5c"` // the signer's certificate first, then its chain
}

const typ = "dcc-trustlist+json"

var b64 = base64.RawURLEncoding

// Sign signs a document with key, whose certificate (with any
// intermediates) is chain[0:]. ES256 for P-256 keys, PS256 for RSA.
func Sign(doc Document, key crypto.Signer, chain []*x509.Certificate) ([]byte, error) {
	if len(chain) == 0 {
		return nil, errors.New("trust list: no signer certificate")
	}
	if !samePublic(chain[0].PublicKey, key.Public()) {
		return nil, errors.New("trust list: the key is not the signer certificate's")
	}
	alg, err := algFor(key.Public())
	if err != nil {
		return nil, err
	}
	h := header{Alg: alg, Typ: typ}
	for _, c := range chain {
		h.X5C = append(h.X5C, base64.StdEncoding.EncodeToString(c.Raw))
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	pb, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	out := jws{Protected: b64.EncodeToString(hb), Payload: b64.EncodeToString(pb)}
	digest := sha256.Sum256([]byte(out.Protected + "." + out.Payload))
	var sig []byte
	switch pub := key.Public().(type) {
	case *ecdsa.PublicKey:
		der, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
		if err != nil {
			return nil, fmt.Errorf("trust list: sign: %w", err)
		}
		if sig, err = rawECDSA(der, pub.Curve); err != nil {
			return nil, err
		}
	case *rsa.PublicKey:
		if sig, err = key.Sign(rand.Reader, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}); err != nil {
			return nil, fmt.Errorf("trust list: sign: %w", err)
		}
	}
	out.Signature = b64.EncodeToString(sig)
	return json.Marshal(out)
}

func algFor(pub crypto.PublicKey) (string, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() {
			return "ES256", nil
		}
	case *rsa.PublicKey:
		if k.N.BitLen() >= 2048 {
			return "PS256", nil
		}
	}
	return "", errors.New("trust list: the signer key must be ECDSA P-256 or RSA of at least 2048 bits")
}

func samePublic(a, b crypto.PublicKey) bool {
	x, err1 := x509.MarshalPKIXPublicKey(a)
	y, err2 := x509.MarshalPKIXPublicKey(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// rawECDSA turns an ASN.1 ECDSA signature into JWS's r||s.
func rawECDSA(der []byte, curve elliptic.Curve) ([]byte, error) {
	var v struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &v); err != nil {
		return nil, fmt.Errorf("trust list: signature: %w", err)
	}
	n := (curve.Params().BitSize + 7) / 8
	out := make([]byte, 2*n)
	v.R.FillBytes(out[:n])
	v.S.FillBytes(out[n:])
	return out, nil
}

// VerifyError says why a signed trust list was not accepted.
type VerifyError struct{ Reason string }

func (e *VerifyError) Error() string { return "trust list not accepted: " + e.Reason }

func refuse(format string, a ...any) error { return &VerifyError{Reason: fmt.Sprintf(format, a...)} }

// Verify checks a signed national trust list against anchors (the
// country's CSCA, or the trust-list signer's certificate itself) at time at,
// and returns its document and certificates. It refuses a list whose
// signature does not verify, whose signer does not chain to an anchor or is
// not valid at at, whose header is not this format's, or that has expired.
func Verify(data []byte, anchors []*x509.Certificate, at time.Time) (*Document, *List, error) {
	if len(data) > MaxSize {
		return nil, nil, refuse("larger than %d bytes", MaxSize)
	}
	if len(anchors) == 0 {
		return nil, nil, refuse("no trust anchor given to check it against")
	}
	var j jws
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return nil, nil, refuse("not a JWS JSON document: %v", err)
	}
	hb, err := b64.DecodeString(j.Protected)
	if err != nil {
		return nil, nil, refuse("protected header: %v", err)
	}
	var h header
	hd := json.NewDecoder(bytes.NewReader(hb))
	hd.DisallowUnknownFields()
	if err := hd.Decode(&h); err != nil {
		return nil, nil, refuse("protected header: %v", err)
	}
	if h.Typ != typ {
		return nil, nil, refuse("typ %q, want %q", h.Typ, typ)
	}
	if len(h.X5C) == 0 {
		return nil, nil, refuse("no signer certificate (x5c)")
	}
	var chain []*x509.Certificate
	for i, s := range h.X5C {
		der, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, nil, refuse("x5c[%d]: %v", i, err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, nil, refuse("x5c[%d]: %v", i, err)
		}
		chain = append(chain, c)
	}
	signer := chain[0]
	if err := checkChain(signer, chain[1:], anchors, at); err != nil {
		return nil, nil, err
	}
	sig, err := b64.DecodeString(j.Signature)
	if err != nil {
		return nil, nil, refuse("signature: %v", err)
	}
	digest := sha256.Sum256([]byte(j.Protected + "." + j.Payload))
	switch pub := signer.PublicKey.(type) {
	case *ecdsa.PublicKey:
		if h.Alg != "ES256" || pub.Curve != elliptic.P256() || len(sig) != 64 {
			return nil, nil, refuse("alg %q does not fit the signer's key", h.Alg)
		}
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		if !ecdsa.Verify(pub, digest[:], r, s) {
			return nil, nil, refuse("the signature does not verify")
		}
	case *rsa.PublicKey:
		if h.Alg != "PS256" || pub.N.BitLen() < 2048 {
			return nil, nil, refuse("alg %q does not fit the signer's key", h.Alg)
		}
		if err := rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}); err != nil {
			return nil, nil, refuse("the signature does not verify")
		}
	default:
		return nil, nil, refuse("unsupported signer key")
	}
	pb, err := b64.DecodeString(j.Payload)
	if err != nil {
		return nil, nil, refuse("payload: %v", err)
	}
	var doc Document
	pd := json.NewDecoder(bytes.NewReader(pb))
	pd.DisallowUnknownFields()
	if err := pd.Decode(&doc); err != nil {
		return nil, nil, refuse("payload: %v", err)
	}
	if !at.Before(doc.Expires) {
		return nil, nil, refuse("expired on %s; fetch a current list", doc.Expires.UTC().Format(time.RFC3339))
	}
	if at.Before(doc.Issued.Add(-5 * time.Minute)) {
		return nil, nil, refuse("issued in the future (%s)", doc.Issued.UTC().Format(time.RFC3339))
	}
	l, err := fromEntries(doc.Certificates)
	if err != nil {
		return nil, nil, refuse("%v", err)
	}
	return &doc, l, nil
}

// checkChain: the signer is an anchor, or is signed (directly or through
// the given intermediates) by one; every certificate on the way is valid at
// at, and the signer may sign (digitalSignature).
func checkChain(signer *x509.Certificate, inter, anchors []*x509.Certificate, at time.Time) error {
	for _, a := range anchors {
		if a.Equal(signer) {
			return validAt(signer, at)
		}
	}
	if signer.KeyUsage != 0 && signer.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return refuse("the signer certificate's key usage does not allow signatures")
	}
	roots := x509.NewCertPool()
	for _, a := range anchors {
		roots.AddCert(a)
	}
	pool := x509.NewCertPool()
	for _, c := range inter {
		pool.AddCert(c)
	}
	_, err := signer.Verify(x509.VerifyOptions{Roots: roots, Intermediates: pool, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return refuse("the signer %q does not chain to a trust anchor: %v", signer.Subject.CommonName, err)
	}
	return nil
}

func validAt(c *x509.Certificate, at time.Time) error {
	if at.Before(c.NotBefore) || at.After(c.NotAfter) {
		return refuse("the signer certificate is not valid on %s", at.UTC().Format(time.RFC3339))
	}
	return nil
}
