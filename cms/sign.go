package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"slices"
	"time"
)

// SignOptions are Sign's choices; the zero value signs with the content
// embedded, a signing time of now and no CMSAlgorithmProtection.
type SignOptions struct {
	// Detached leaves eContent out, as in a trust-list entry's signature
	// (gateway.md §B.1); uploads embed it (§B.2).
	Detached bool
	// Now is the clock for signingTime; nil means time.Now.
	Now func() time.Time
	// NoSigningTime leaves the signingTime attribute out.
	NoSigningTime bool
	// AlgorithmProtection adds the CMSAlgorithmProtection attribute
	// (RFC 6211), as BouncyCastle does by default.
	AlgorithmProtection bool
	// PSS signs with RSASSA-PSS (SHA-256, MGF1-SHA-256, 32-byte salt)
	// instead of PKCS #1 v1.5; it needs an RSA key.
	PSS bool
}

// Sign returns the DER of a CMS SignedData (RFC 5652) over content, in the
// gateway's profile (gateway.md §B.2): eContentType id-data; digest
// SHA-256; signed attributes contentType, signingTime, messageDigest (and
// CMSAlgorithmProtection if asked), written as a sorted DER SET OF and
// signed as such; signature ecdsa-with-SHA256 for an ECDSA key,
// sha256WithRSAEncryption (or RSASSA-PSS) for an RSA key; cert as the only
// certificate, named by issuerAndSerialNumber. key must be cert's key, and
// cert valid at the signing time, or the message would not verify.
func Sign(content []byte, key crypto.Signer, cert *x509.Certificate, opts SignOptions) ([]byte, error) {
	if key == nil || cert == nil {
		return nil, errorf(ReasonSignerMismatch, "Sign needs a key and its certificate")
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return nil, errorf(ReasonSignerMismatch, "the key is not the certificate's (%q)", cert.Subject)
	}
	var sigAlg [][]byte // the AlgorithmIdentifier's elements
	var signOpts crypto.SignerOpts = crypto.SHA256
	switch cert.PublicKey.(type) {
	case *ecdsa.PublicKey:
		if opts.PSS {
			return nil, errorf(ReasonAlgorithm, "RSASSA-PSS needs an RSA key, the certificate has an ECDSA key")
		}
		sigAlg = [][]byte{encodeOID(oidECDSAWithSHA2)}
	case *rsa.PublicKey:
		if opts.PSS {
			sigAlg = pssAlgorithm()
			signOpts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
		} else {
			sigAlg = [][]byte{encodeOID(oidSHA256WithRSA), {0x05, 0x00}}
		}
	default:
		return nil, errorf(ReasonAlgorithm, "a %T key: want ECDSA or RSA", cert.PublicKey)
	}
	digestAlg := seq(encodeOID(oidSHA256))

	md := sha256.Sum256(content)
	attrs := [][]byte{
		attribute(oidContentType, encodeOID(oidData)),
		attribute(oidMessageDigest, octets(md[:])),
	}
	if !opts.NoSigningTime {
		now := time.Now
		if opts.Now != nil {
			now = opts.Now
		}
		t := now().UTC().Truncate(time.Second)
		if t.Before(cert.NotBefore) || t.After(cert.NotAfter) {
			return nil, errorf(ReasonSigningTime, "signing time %s is outside the certificate's validity, %s to %s",
				t.Format(time.RFC3339), cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339))
		}
		// UTCTime up to 2049, GeneralizedTime after (RFC 5652 §11.3).
		tb, err := asn1.Marshal(t)
		if err != nil {
			return nil, wrapf(ReasonSigningTime, err, "signing time %s", t.Format(time.RFC3339))
		}
		attrs = append(attrs, attribute(oidSigningTime, tb))
	}
	if opts.AlgorithmProtection {
		// signatureAlgorithm is [1] IMPLICIT.
		attrs = append(attrs, attribute(oidAlgProtection, seq(digestAlg, explicit(1, sigAlg...))))
	}
	// The signature is over the DER SET OF; the SignerInfo carries the same
	// elements under [0] IMPLICIT (RFC 5652 §5.4).
	slices.SortFunc(attrs, bytes.Compare)
	h := sha256.Sum256(tlv([]byte{0x31}, attrs...))
	sig, err := key.Sign(rand.Reader, h[:], signOpts)
	if err != nil {
		return nil, wrapf(ReasonSignature, err, "signing")
	}

	serial, err := asn1.Marshal(cert.SerialNumber)
	if err != nil {
		return nil, wrapf(ReasonSignerMismatch, err, "the certificate's serial number")
	}
	signerInfo := seq(
		encodeSmallInt(1),
		seq(cert.RawIssuer, serial),
		digestAlg,
		explicit(0, attrs...),
		seq(sigAlg...),
		octets(sig),
	)
	encap := [][]byte{encodeOID(oidData)}
	if !opts.Detached {
		encap = append(encap, explicit(0, octets(content)))
	}
	return contentInfo(encodeSmallInt(1), set(digestAlg), seq(encap...), explicit(0, cert.Raw), nil, set(signerInfo)), nil
}

func attribute(oid asn1.ObjectIdentifier, value []byte) []byte {
	return seq(encodeOID(oid), set(value))
}

// contentInfo writes a ContentInfo holding a SignedData with the given
// fields' DER (certificates and crls may be nil).
func contentInfo(version, digestAlgorithms, encap, certificates, crls, signerInfos []byte) []byte {
	sd := seq(version, digestAlgorithms, encap, certificates, crls, signerInfos)
	return seq(encodeOID(oidSignedData), explicit(0, sd))
}

// Detach returns the DER of a parsed SignedData without its content, the
// SignerInfos unchanged, as the gateway keeps an uploaded DSC's signature
// for its trust list (gateway.md §B.1). A detached SignedData comes back
// as it is, in DER.
func (sd *SignedData) Detach() []byte {
	r := sd.raw
	return contentInfo(r.version, r.digestAlgorithms, seq(r.eContentType), r.certificates, r.crls, r.signerInfos)
}
