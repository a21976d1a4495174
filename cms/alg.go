package cms

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
)

// Object identifiers (RFC 5652, RFC 5754, RFC 5758, RFC 4055, RFC 6211).
var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidAlgProtection = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 52}

	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}

	oidECPublicKey   = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidECDSAWithSHA2 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA3 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA5 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}

	oidRSAEncryption = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidMGF1          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	oidRSAPSS        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidSHA256WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSHA384WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSHA512WithRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
)

// algName names an algorithm OID for error messages.
func algName(oid asn1.ObjectIdentifier) string {
	names := []struct {
		oid  asn1.ObjectIdentifier
		name string
	}{
		{oidSHA256, "SHA-256"}, {oidSHA384, "SHA-384"}, {oidSHA512, "SHA-512"},
		{oidECPublicKey, "id-ecPublicKey"}, {oidECDSAWithSHA2, "ecdsa-with-SHA256"},
		{oidECDSAWithSHA3, "ecdsa-with-SHA384"}, {oidECDSAWithSHA5, "ecdsa-with-SHA512"},
		{oidRSAEncryption, "rsaEncryption"}, {oidRSAPSS, "RSASSA-PSS"},
		{oidSHA256WithRSA, "sha256WithRSAEncryption"}, {oidSHA384WithRSA, "sha384WithRSAEncryption"},
		{oidSHA512WithRSA, "sha512WithRSAEncryption"},
	}
	for _, n := range names {
		if oid.Equal(n.oid) {
			return n.name + " (" + oid.String() + ")"
		}
	}
	return oid.String()
}

// noParams reports absent or NULL parameters, which RFC 5754 and RFC 4055
// both require readers to accept.
func noParams(ai pkix.AlgorithmIdentifier) bool {
	p := ai.Parameters
	return len(p.FullBytes) == 0 || (p.Class == classUniversal && p.Tag == tagNull && !p.IsCompound && len(p.Bytes) == 0)
}

// sameAlgorithm compares two AlgorithmIdentifiers, absent and NULL
// parameters being the same (as BouncyCastle compares them for
// CMSAlgorithmProtection).
func sameAlgorithm(a, b pkix.AlgorithmIdentifier) bool {
	if !a.Algorithm.Equal(b.Algorithm) {
		return false
	}
	if noParams(a) && noParams(b) {
		return true
	}
	return string(a.Parameters.FullBytes) == string(b.Parameters.FullBytes)
}

func hashOf(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	switch {
	case oid.Equal(oidSHA256):
		return crypto.SHA256, true
	case oid.Equal(oidSHA384):
		return crypto.SHA384, true
	case oid.Equal(oidSHA512):
		return crypto.SHA512, true
	}
	return 0, false
}

// digestHash is the hash a SignerInfo's digestAlgorithm names.
func digestHash(ai pkix.AlgorithmIdentifier) (crypto.Hash, error) {
	h, ok := hashOf(ai.Algorithm)
	if !ok {
		return 0, errorf(ReasonAlgorithm, "digestAlgorithm %s: want SHA-256, SHA-384 or SHA-512", algName(ai.Algorithm))
	}
	if !noParams(ai) {
		return 0, errorf(ReasonAlgorithm, "digestAlgorithm %s has parameters", algName(ai.Algorithm))
	}
	return h, nil
}

// verifySignature checks sig over digest (made with h) under pub, for the
// signatureAlgorithm ai.
func verifySignature(pub any, ai pkix.AlgorithmIdentifier, h crypto.Hash, digest, sig []byte) error {
	name := algName(ai.Algorithm)
	var want crypto.Hash
	ec := false
	switch {
	case ai.Algorithm.Equal(oidECPublicKey):
		want, ec = h, true // the digestAlgorithm's hash, as some signers write it
	case ai.Algorithm.Equal(oidECDSAWithSHA2):
		want, ec = crypto.SHA256, true
	case ai.Algorithm.Equal(oidECDSAWithSHA3):
		want, ec = crypto.SHA384, true
	case ai.Algorithm.Equal(oidECDSAWithSHA5):
		want, ec = crypto.SHA512, true
	case ai.Algorithm.Equal(oidRSAEncryption):
		want = h // OpenSSL writes rsaEncryption for PKCS #1 v1.5
	case ai.Algorithm.Equal(oidSHA256WithRSA):
		want = crypto.SHA256
	case ai.Algorithm.Equal(oidSHA384WithRSA):
		want = crypto.SHA384
	case ai.Algorithm.Equal(oidSHA512WithRSA):
		want = crypto.SHA512
	case ai.Algorithm.Equal(oidRSAPSS):
		return verifyPSS(pub, ai, h, digest, sig)
	default:
		return errorf(ReasonAlgorithm, "signatureAlgorithm %s is not ECDSA, RSA PKCS #1 v1.5 or RSASSA-PSS", name)
	}
	if want != h {
		return errorf(ReasonAlgorithm, "signatureAlgorithm %s does not go with digestAlgorithm %v", name, h)
	}
	if !noParams(ai) {
		return errorf(ReasonAlgorithm, "signatureAlgorithm %s has parameters", name)
	}
	if ec {
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return errorf(ReasonAlgorithm, "signatureAlgorithm %s needs an ECDSA key, the certificate has %T", name, pub)
		}
		if !ecdsa.VerifyASN1(k, digest, sig) {
			return errorf(ReasonSignature, "the %s signature does not verify with the certificate's key", name)
		}
		return nil
	}
	k, ok := pub.(*rsa.PublicKey)
	if !ok {
		return errorf(ReasonAlgorithm, "signatureAlgorithm %s needs an RSA key, the certificate has %T", name, pub)
	}
	if err := rsa.VerifyPKCS1v15(k, h, digest, sig); err != nil {
		return wrapf(ReasonSignature, err, "the %s signature does not verify with the certificate's key", name)
	}
	return nil
}

// pssParams is RSASSA-PSS-params (RFC 4055 §3.1); absent fields take the
// defaults (SHA-1), which verifyPSS refuses.
type pssParams struct {
	Hash         pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:0"`
	MGF          pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:1"`
	SaltLength   int                      `asn1:"optional,explicit,tag:2,default:20"`
	TrailerField int                      `asn1:"optional,explicit,tag:3,default:1"`
}

func verifyPSS(pub any, ai pkix.AlgorithmIdentifier, h crypto.Hash, digest, sig []byte) error {
	var p pssParams
	if rest, err := asn1.Unmarshal(ai.Parameters.FullBytes, &p); err != nil || len(rest) > 0 {
		return errorf(ReasonAlgorithm, "RSASSA-PSS parameters are malformed")
	}
	ph, ok := hashOf(p.Hash.Algorithm)
	if !ok || ph != h {
		return errorf(ReasonAlgorithm, "RSASSA-PSS hash %s, want that of digestAlgorithm (%v)", algName(p.Hash.Algorithm), h)
	}
	var mgfHash pkix.AlgorithmIdentifier
	if !p.MGF.Algorithm.Equal(oidMGF1) {
		return errorf(ReasonAlgorithm, "RSASSA-PSS mask generation %s, want MGF1", p.MGF.Algorithm)
	}
	if rest, err := asn1.Unmarshal(p.MGF.Parameters.FullBytes, &mgfHash); err != nil || len(rest) > 0 {
		return errorf(ReasonAlgorithm, "RSASSA-PSS MGF1 parameters are malformed")
	}
	if mh, ok := hashOf(mgfHash.Algorithm); !ok || mh != h {
		return errorf(ReasonAlgorithm, "RSASSA-PSS MGF1 hash %s, want %v", algName(mgfHash.Algorithm), h)
	}
	if p.TrailerField != 1 || p.SaltLength < 0 {
		return errorf(ReasonAlgorithm, "RSASSA-PSS salt length %d, trailer field %d", p.SaltLength, p.TrailerField)
	}
	k, ok := pub.(*rsa.PublicKey)
	if !ok {
		return errorf(ReasonAlgorithm, "signatureAlgorithm RSASSA-PSS needs an RSA key, the certificate has %T", pub)
	}
	// A salt length of 0 is rsa.PSSSaltLengthAuto, which finds the 0-byte salt too.
	if err := rsa.VerifyPSS(k, h, digest, sig, &rsa.PSSOptions{SaltLength: p.SaltLength, Hash: h}); err != nil {
		return wrapf(ReasonSignature, err, "the RSASSA-PSS signature does not verify with the certificate's key")
	}
	return nil
}

// pssAlgorithm is the RSASSA-PSS AlgorithmIdentifier Sign writes (its
// elements): SHA-256,
// MGF1 with SHA-256, a 32-byte salt (RFC 4055 §3.1), with NULL hash
// parameters as crypto/x509 writes them.
func pssAlgorithm() [][]byte {
	sha256ID := seq(encodeOID(oidSHA256), []byte{0x05, 0x00})
	return [][]byte{encodeOID(oidRSAPSS), seq(
		explicit(0, sha256ID),
		explicit(1, seq(encodeOID(oidMGF1), sha256ID)),
		explicit(2, []byte{0x02, 0x01, 32}),
	)}
}

// parseAlgorithm reads an AlgorithmIdentifier: an OID and at most one
// parameters element.
func parseAlgorithm(e element) (pkix.AlgorithmIdentifier, error) {
	var ai pkix.AlgorithmIdentifier
	if !e.is(classUniversal, true, tagSequence) {
		return ai, fmt.Errorf("%s, want SEQUENCE", typeName(e))
	}
	kids, err := children(e)
	if err != nil {
		return ai, err
	}
	if len(kids) < 1 || len(kids) > 2 {
		return ai, fmt.Errorf("%d elements, want an OID and at most one parameters element", len(kids))
	}
	if ai.Algorithm, err = parseOID(kids[0]); err != nil {
		return ai, err
	}
	if len(kids) == 2 {
		p := kids[1]
		ai.Parameters = asn1.RawValue{Class: int(p.class), Tag: int(p.tag), IsCompound: p.constructed, Bytes: p.body, FullBytes: p.full}
	}
	return ai, nil
}

// bigInt reads an INTEGER of any size.
func bigInt(e element) (*big.Int, error) {
	if !e.is(classUniversal, false, tagInteger) {
		return nil, fmt.Errorf("%s, want INTEGER", typeName(e))
	}
	v := new(big.Int)
	if _, err := asn1.Unmarshal(e.full, &v); err != nil {
		return nil, err
	}
	return v, nil
}
