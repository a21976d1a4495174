package cms

import (
	"bytes"
	"crypto/x509"
	"time"
)

// Verify checks the SignedData as the gateway's parser does (gateway.md
// §B.2): eContentType id-data, exactly one certificate and exactly one
// SignerInfo, which must name that certificate and verify with it
// (SignerInfo.Verify). content is the signed content of a detached
// signature; for an embedded one pass nil, or the same bytes. It returns
// the signer's certificate; whether that signer is trusted (an UPLOAD
// certificate, the trust anchor) is the caller's to decide. Errors are
// *Error.
func (sd *SignedData) Verify(content []byte) (*x509.Certificate, error) {
	switch {
	case sd.Content == nil && content == nil:
		return nil, errorf(ReasonContent, "the content is detached and was not given")
	case sd.Content != nil && content != nil && !bytes.Equal(sd.Content, content):
		return nil, errorf(ReasonContent, "the content given differs from the embedded content")
	case content == nil:
		content = sd.Content
	}
	if !sd.ContentType.Equal(oidData) {
		return nil, errorf(ReasonContentType, "eContentType is %v, want id-data (%v)", sd.ContentType, oidData)
	}
	if n := len(sd.Certificates); n != 1 {
		return nil, errorf(ReasonCertificates, "%d certificates, want exactly 1", n)
	}
	if n := len(sd.SignerInfos); n != 1 {
		return nil, errorf(ReasonSigners, "%d signer infos, want exactly 1", n)
	}
	cert := sd.Certificates[0]
	if err := sd.SignerInfos[0].Verify(cert, content); err != nil {
		return nil, err
	}
	return cert, nil
}

// Identifies reports whether the SignerInfo's sid names cert: its issuer
// and serial number, or its subject key identifier.
func (si *SignerInfo) Identifies(cert *x509.Certificate) bool {
	if si.SubjectKeyID != nil {
		return len(cert.SubjectKeyId) > 0 && bytes.Equal(si.SubjectKeyID, cert.SubjectKeyId)
	}
	return si.SerialNumber != nil && bytes.Equal(si.Issuer, cert.RawIssuer) && si.SerialNumber.Cmp(cert.SerialNumber) == 0
}

// Verify checks this SignerInfo against cert and the signed content, in
// the order BouncyCastle's SignerInformation.verify does: the sid names
// cert; the digest algorithm is SHA-256, SHA-384 or SHA-512; with signed
// attributes, contentType is id-data, messageDigest is the content's
// digest, CMSAlgorithmProtection (if present) names this SignerInfo's
// algorithms and signingTime (if present) lies within cert's validity;
// then the signature, over the signed attributes' DER or else over the
// content, verifies with cert's key. Use it directly to check a signer
// against a certificate the message does not carry.
func (si *SignerInfo) Verify(cert *x509.Certificate, content []byte) error {
	if !si.Identifies(cert) {
		return errorf(ReasonSignerMismatch, "the signer info's sid does not name the certificate %q (serial %v)", cert.Subject, cert.SerialNumber)
	}
	h, err := digestHash(si.DigestAlgorithm)
	if err != nil {
		return err
	}
	hw := h.New()
	hw.Write(content)
	digest := hw.Sum(nil)
	signed := digest
	if si.SignedAttrs != nil {
		if err := si.checkAttributes(cert, digest); err != nil {
			return err
		}
		hw.Reset()
		hw.Write(si.signedAttrsDER)
		signed = hw.Sum(nil)
	}
	return verifySignature(cert.PublicKey, si.SignatureAlgorithm, h, signed, si.Signature)
}

func (si *SignerInfo) checkAttributes(cert *x509.Certificate, digest []byte) error {
	switch {
	case si.ContentType == nil:
		return errorf(ReasonAttributes, "signedAttrs: no contentType")
	case !si.ContentType.Equal(oidData):
		return errorf(ReasonContentType, "signedAttrs: contentType is %v, want id-data (%v)", si.ContentType, oidData)
	case si.MessageDigest == nil:
		return errorf(ReasonAttributes, "signedAttrs: no messageDigest")
	case !bytes.Equal(si.MessageDigest, digest):
		return errorf(ReasonDigest, "signedAttrs: messageDigest %x is not the digest of the content, %x", si.MessageDigest, digest)
	}
	if p := si.algProtection; p != nil {
		if !sameAlgorithm(p.digest, si.DigestAlgorithm) {
			return errorf(ReasonAttributes, "signedAttrs: CMSAlgorithmProtection names digest %s, the signer info %s",
				algName(p.digest.Algorithm), algName(si.DigestAlgorithm.Algorithm))
		}
		if !sameAlgorithm(p.signature, si.SignatureAlgorithm) {
			return errorf(ReasonAttributes, "signedAttrs: CMSAlgorithmProtection names signature %s, the signer info %s",
				algName(p.signature.Algorithm), algName(si.SignatureAlgorithm.Algorithm))
		}
	}
	if t := si.SigningTime; !t.IsZero() && (t.Before(cert.NotBefore) || t.After(cert.NotAfter)) {
		return errorf(ReasonSigningTime, "signedAttrs: signingTime %s is outside the signer certificate's validity, %s to %s",
			t.Format(time.RFC3339), cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339))
	}
	return nil
}
