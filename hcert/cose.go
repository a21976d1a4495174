package hcert

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/fxamacker/cbor/v2"

	"dcc/pki"
)

// COSE algorithm identifiers (RFC 9053, RFC 8230).
const (
	ES256 = -7
	PS256 = -37
)

// COSE header labels and CWT claim keys.
const (
	headerAlg  = 1
	headerCrit = 2
	headerKID  = 4

	claimIss   = 1
	claimExp   = 4
	claimIat   = 6
	claimHcert = -260
	hcertV1    = 1

	tagCOSESign1 = 18
	tagCWT       = 61
)

// MaxMessage bounds a COSE message: hc1 inflates at most 64 KiB.
const MaxMessage = 64 << 10

// Claims are the CWT claims of a DCC (HCERT §3.3.4–3.3.6).
type Claims struct {
	Issuer   string    // iss: ISO 3166-1 alpha-2 of the issuing country (optional when parsing)
	IssuedAt time.Time // iat, to the second
	Expires  time.Time // exp, to the second
}

// decMode is the decoding mode of untrusted COSE. A cbor.DecMode is
// immutable and safe for concurrent use; it is built once, as building it
// costs about as much as decoding a DCC's headers.
var decMode = sync.OnceValues(func() (cbor.DecMode, error) {
	return cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		MaxNestedLevels:  16,
		MaxArrayElements: 512,
		MaxMapPairs:      512,
		IndefLength:      cbor.IndefLengthForbidden,
		TagsMd:           cbor.TagsAllowed,
		UTF8:             cbor.UTF8RejectInvalid,
	}.DecMode()
})

// algFor picks the COSE algorithm for a public key, refusing keys the HCERT
// specification does not allow.
func algFor(pub crypto.PublicKey) (int, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return 0, fmt.Errorf("ECDSA key on %s: HCERT allows only P-256 (ES256)", k.Curve.Params().Name)
		}
		return ES256, nil
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return 0, fmt.Errorf("RSA key of %d bits: PS256 needs at least 2048", k.N.BitLen())
		}
		return PS256, nil
	}
	return 0, fmt.Errorf("%T keys are not allowed: use ECDSA P-256 (ES256) or RSA ≥ 2048 bits (PS256)", pub)
}

// sigStructure is the COSE Sig_structure for COSE_Sign1 (RFC 9052 §4.4):
// ["Signature1", protected, an empty byte string, payload], in deterministic
// CBOR.
func sigStructure(protected, payload []byte) ([]byte, error) {
	b := make([]byte, 0, 16+len(protected)+len(payload))
	b = append(b, 0x84) // array(4)
	b = appendText(b, "Signature1")
	b = appendBytes(b, protected)
	b = appendBytes(b, nil)
	return appendBytes(b, payload), nil
}

// The messages Sign writes are few and fixed in shape, so they are written
// byte by byte in deterministic CBOR (RFC 8949 §4.2.1: shortest heads, map
// keys in bytewise order), not through reflection: that is most of what
// signing costs besides the signature. TestSignEncodingMatchesCBOR holds
// them to github.com/fxamacker/cbor's core deterministic encoding.

// appendHead appends the head of a data item of a major type (0–7) and
// argument n, in its shortest form.
func appendHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= 0xff:
		return append(b, m|24, byte(n))
	case n <= 0xffff:
		return append(b, m|25, byte(n>>8), byte(n))
	case n <= 0xffffffff:
		return append(b, m|26, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, m|27, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

func appendInt(b []byte, v int64) []byte {
	if v < 0 {
		return appendHead(b, 1, uint64(-1-v))
	}
	return appendHead(b, 0, uint64(v))
}

func appendBytes(b, v []byte) []byte { return append(appendHead(b, 2, uint64(len(v))), v...) }

func appendText(b []byte, v string) []byte { return append(appendHead(b, 3, uint64(len(v))), v...) }

// encodeCWT is the CWT claims map {1: iss, 4: exp, 6: iat, -260: {1:
// payload}}, keys in deterministic order (0x01 < 0x04 < 0x06 < 0x39…).
func encodeCWT(c Claims, payload []byte) []byte {
	b := make([]byte, 0, 32+len(payload))
	b = append(b, 0xa4) // map(4)
	b = appendInt(b, claimIss)
	b = appendText(b, c.Issuer)
	b = appendInt(b, claimExp)
	b = appendInt(b, c.Expires.Unix())
	b = appendInt(b, claimIat)
	b = appendInt(b, c.IssuedAt.Unix())
	b = appendInt(b, claimHcert)
	b = append(b, 0xa1) // map(1)
	b = appendInt(b, hcertV1)
	return append(b, payload...)
}

// encodeProtected is the protected header {1: alg, 4: kid}.
func encodeProtected(alg int, kid []byte) []byte {
	b := make([]byte, 0, 8+len(kid))
	b = append(b, 0xa2) // map(2)
	b = appendInt(b, headerAlg)
	b = appendInt(b, int64(alg))
	b = appendInt(b, headerKID)
	return appendBytes(b, kid)
}

// encodeSign1 is the message: tag 18 around [protected, {}, payload,
// signature].
func encodeSign1(protected, cwt, sig []byte) []byte {
	b := make([]byte, 0, 16+len(protected)+len(cwt)+len(sig))
	b = appendHead(b, 6, tagCOSESign1)
	b = append(b, 0x84) // array(4)
	b = appendBytes(b, protected)
	b = append(b, 0xa0) // map(0): the unprotected header
	b = appendBytes(b, cwt)
	return appendBytes(b, sig)
}

// SigStructure returns the bytes that a COSE_Sign1 message signs; exposed
// for golden tests and independent verifiers.
func SigStructure(protected, payload []byte) ([]byte, error) { return sigStructure(protected, payload) }

// Sign builds the CWT around payload (the DCC payload, already CBOR, e.g.
// from (*dcc.Payload).MarshalCBOR) in deterministic CBOR, signs it with
// signer as the DSC dsc and returns the COSE_Sign1 message (tag 18) with alg
// and kid (pki.KID(dsc)) in the protected header. The algorithm follows the
// DSC's key: ES256 for ECDSA P-256, PS256 for RSA of at least 2048 bits;
// other keys are refused. So are claims outside the DSC's validity, a
// payload without exactly one of v, t, r, and a certificate type the DSC's
// extended key usage does not allow. The signature is
// verified with the DSC's public key before it is returned: a signer that
// does not belong to the DSC never produces a certificate.
func Sign(signer crypto.Signer, dsc *x509.Certificate, c Claims, payload []byte) ([]byte, error) {
	alg, err := algFor(dsc.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("hcert: DSC: %w", err)
	}
	if !publicKeysEqual(signer.Public(), dsc.PublicKey) {
		return nil, errors.New("hcert: the signing key does not belong to the DSC")
	}
	if len(c.Issuer) != 2 || c.Issuer[0] < 'A' || c.Issuer[0] > 'Z' || c.Issuer[1] < 'A' || c.Issuer[1] > 'Z' {
		return nil, fmt.Errorf("hcert: iss %q: want the issuing country as ISO 3166-1 alpha-2, e.g. ES", c.Issuer)
	}
	if c.IssuedAt.IsZero() || !c.Expires.After(c.IssuedAt) {
		return nil, errors.New("hcert: claims need an issuing time and an expiry after it")
	}
	// A certificate never outlives, nor predates, the DSC that signs it
	// (HCERT §5.1.1: verifiers reject it).
	if c.IssuedAt.Before(dsc.NotBefore) || c.Expires.After(dsc.NotAfter) {
		return nil, fmt.Errorf("hcert: validity %s…%s is not within the DSC's %s…%s: shorten --validity or use a newer DSC",
			c.IssuedAt.UTC().Format(time.RFC3339), c.Expires.UTC().Format(time.RFC3339), dsc.NotBefore.UTC().Format(time.RFC3339), dsc.NotAfter.UTC().Format(time.RFC3339))
	}
	// A payload of no certificate type, or of a type the DSC's extended key
	// usage excludes, is never signed: every verifier would reject it.
	typ, err := payloadType(payload)
	if err != nil {
		return nil, fmt.Errorf("hcert: %w", err)
	}
	if !pki.Allows(dsc, typ) {
		return nil, fmt.Errorf("hcert: the DSC's extended key usage does not allow %s certificates: sign with a DSC issued for them", typ)
	}
	// payloadType decoded the payload strictly: one well-formed map.
	cwt := encodeCWT(c, payload)
	protected := encodeProtected(alg, pki.KID(dsc))
	tbs, err := sigStructure(protected, cwt)
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256(tbs)
	var sig []byte
	switch alg {
	case ES256:
		der, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
		if err != nil {
			return nil, fmt.Errorf("hcert: signing: %w", err)
		}
		if sig, err = rawECDSA(der); err != nil {
			return nil, fmt.Errorf("hcert: signing: %w", err)
		}
	case PS256:
		sig, err = signer.Sign(rand.Reader, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256})
		if err != nil {
			return nil, fmt.Errorf("hcert: signing: %w", err)
		}
	}
	if err := verifySignature(dsc.PublicKey, alg, tbs, sig); err != nil {
		return nil, fmt.Errorf("hcert: the new signature does not verify with the DSC: %w", err)
	}
	return encodeSign1(protected, cwt, sig), nil
}

func publicKeysEqual(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}

// rawECDSA turns an ASN.1 ECDSA signature into COSE's r||s (32 bytes each).
func rawECDSA(der []byte) ([]byte, error) {
	var s struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &s)
	if err != nil || len(rest) > 0 {
		return nil, errors.New("signer returned a malformed ECDSA signature")
	}
	out := make([]byte, 64)
	s.R.FillBytes(out[:32])
	s.S.FillBytes(out[32:])
	return out, nil
}

// keyFits says whether pub is a key HCERT allows for alg: a P-256 key for
// ES256, an RSA key of at least 2048 bits for PS256.
func keyFits(pub crypto.PublicKey, alg int) error {
	keyAlg, err := algFor(pub)
	if err != nil {
		return err
	}
	if keyAlg != alg {
		return fmt.Errorf("the message says %s but the DSC key is for %s", algName(alg), algName(keyAlg))
	}
	return nil
}

// verifySignature checks sig over tbs with pub for alg.
func verifySignature(pub crypto.PublicKey, alg int, tbs, sig []byte) error {
	if err := keyFits(pub, alg); err != nil {
		return err
	}
	digest := sha256.Sum256(tbs)
	switch alg {
	case ES256:
		// COSE signatures are r||s (RFC 9053 §2.1), never ASN.1 DER.
		if len(sig) != 64 {
			return fmt.Errorf("ES256 signature of %d bytes, want 64 (r||s)", len(sig))
		}
		r := new(big.Int).SetBytes(sig[:32])
		s := new(big.Int).SetBytes(sig[32:])
		if !ecdsa.Verify(pub.(*ecdsa.PublicKey), digest[:], r, s) {
			return errors.New("ES256 signature does not verify")
		}
	case PS256:
		// RFC 8230 §2: the salt is as long as the hash.
		if err := rsa.VerifyPSS(pub.(*rsa.PublicKey), crypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}); err != nil {
			return fmt.Errorf("PS256 signature does not verify: %w", err)
		}
	default:
		return fmt.Errorf("algorithm %d is not allowed (ES256 or PS256)", alg)
	}
	return nil
}

func algName(alg int) string {
	switch alg {
	case ES256:
		return "ES256"
	case PS256:
		return "PS256"
	}
	return fmt.Sprintf("algorithm %d", alg)
}
