package cms

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// SignedData is a parsed CMS SignedData (RFC 5652 §5.1). Its byte slices
// may share memory with the input to Parse.
type SignedData struct {
	Version          int
	DigestAlgorithms []pkix.AlgorithmIdentifier
	// ContentType is eContentType.
	ContentType asn1.ObjectIdentifier
	// Content is eContent: nil when the content is detached, empty (not
	// nil) when an empty content is embedded.
	Content      []byte
	Certificates []*x509.Certificate
	// CRLs holds the DER of each revocation list carried, unread.
	CRLs        [][]byte
	SignerInfos []SignerInfo
	// Raw is the DER of the whole ContentInfo.
	Raw []byte

	raw rawSignedData
}

// rawSignedData keeps the DER of SignedData's fields, to write it again
// without its content (Detach).
type rawSignedData struct {
	version, digestAlgorithms, eContentType, certificates, crls, signerInfos []byte
}

// SignerInfo is one signer's part (RFC 5652 §5.3).
type SignerInfo struct {
	Version int
	// Issuer (the DER Name) and SerialNumber are the sid when it is an
	// issuerAndSerialNumber; SubjectKeyID when it is a subjectKeyIdentifier.
	Issuer             []byte
	SerialNumber       *big.Int
	SubjectKeyID       []byte
	DigestAlgorithm    pkix.AlgorithmIdentifier
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          []byte
	// SignedAttrs is nil when the SignerInfo has none (the signature is
	// then over the content itself); in the order they came.
	SignedAttrs   []Attribute
	UnsignedAttrs []Attribute

	// From the signed attributes (RFC 5652 §11): zero when absent.
	ContentType   asn1.ObjectIdentifier
	MessageDigest []byte
	SigningTime   time.Time

	signedAttrsDER []byte // the DER SET OF the signature covers
	algProtection  *algProtection
}

// Attribute is one attribute: its type and the DER of each value.
type Attribute struct {
	Type   asn1.ObjectIdentifier
	Values [][]byte
}

// algProtection is a CMSAlgorithmProtection value (RFC 6211 §2).
type algProtection struct {
	digest, signature pkix.AlgorithmIdentifier
}

func malformed(err error, format string, args ...any) error {
	return wrapf(ReasonMalformed, err, format, args...)
}

// Parse reads a CMS ContentInfo holding a SignedData, in DER or BER
// (indefinite lengths, eContent in segments), and checks its structure:
// nothing is verified yet (see Verify). Errors are *Error, with
// ReasonMalformed for the structure and ReasonAttributes for a malformed
// or repeated contentType, messageDigest, signingTime or
// CMSAlgorithmProtection signed attribute.
func Parse(b []byte) (*SignedData, error) {
	der, err := NormalizeBER(b)
	if err != nil {
		return nil, err
	}
	ci, _, err := readElement(der)
	if err != nil {
		return nil, malformed(err, "ContentInfo")
	}
	if !ci.is(classUniversal, true, tagSequence) {
		return nil, errorf(ReasonMalformed, "ContentInfo is a %s, want SEQUENCE", typeName(ci))
	}
	parts, err := children(ci)
	if err != nil {
		return nil, malformed(err, "ContentInfo")
	}
	if len(parts) != 2 {
		return nil, errorf(ReasonMalformed, "ContentInfo has %d elements, want contentType and content", len(parts))
	}
	ct, err := parseOID(parts[0])
	if err != nil {
		return nil, malformed(err, "ContentInfo.contentType")
	}
	if !ct.Equal(oidSignedData) {
		return nil, errorf(ReasonMalformed, "ContentInfo.contentType is %v, want signedData (%v)", ct, oidSignedData)
	}
	if !parts[1].is(classContext, true, 0) {
		return nil, errorf(ReasonMalformed, "ContentInfo.content is a %s, want [0]", typeName(parts[1]))
	}
	inner, err := children(parts[1])
	if err != nil || len(inner) != 1 || !inner[0].is(classUniversal, true, tagSequence) {
		return nil, malformed(err, "ContentInfo.content: want one SignedData SEQUENCE")
	}
	sd, err := parseSignedData(inner[0])
	if err != nil {
		return nil, err
	}
	sd.Raw = der
	return sd, nil
}

func parseSignedData(e element) (*SignedData, error) {
	f, err := children(e)
	if err != nil {
		return nil, malformed(err, "SignedData")
	}
	sd := &SignedData{}
	next := func(name string) (element, error) {
		if len(f) == 0 {
			return element{}, errorf(ReasonMalformed, "SignedData ends before %s", name)
		}
		k := f[0]
		f = f[1:]
		return k, nil
	}

	k, err := next("version")
	if err != nil {
		return nil, err
	}
	if sd.Version, err = parseSmallInt(k); err != nil {
		return nil, malformed(err, "SignedData.version")
	}
	if v := sd.Version; v != 1 && v != 3 && v != 4 && v != 5 {
		return nil, errorf(ReasonMalformed, "SignedData.version is %d, want 1, 3, 4 or 5", v)
	}
	sd.raw.version = k.full

	if k, err = next("digestAlgorithms"); err != nil {
		return nil, err
	}
	if !k.is(classUniversal, true, tagSet) {
		return nil, errorf(ReasonMalformed, "SignedData.digestAlgorithms is a %s, want SET", typeName(k))
	}
	algs, err := children(k)
	if err != nil {
		return nil, malformed(err, "SignedData.digestAlgorithms")
	}
	for i, a := range algs {
		ai, err := parseAlgorithm(a)
		if err != nil {
			return nil, malformed(err, "SignedData.digestAlgorithms[%d]", i)
		}
		sd.DigestAlgorithms = append(sd.DigestAlgorithms, ai)
	}
	sd.raw.digestAlgorithms = k.full

	if k, err = next("encapContentInfo"); err != nil {
		return nil, err
	}
	if err := sd.parseEncap(k); err != nil {
		return nil, err
	}

	if len(f) > 0 && f[0].is(classContext, true, 0) {
		k, _ = next("certificates")
		certs, err := children(k)
		if err != nil {
			return nil, malformed(err, "SignedData.certificates")
		}
		for i, c := range certs {
			if !c.is(classUniversal, true, tagSequence) {
				return nil, errorf(ReasonMalformed, "SignedData.certificates[%d] is a %s, not an X.509 certificate", i, typeName(c))
			}
			cert, err := x509.ParseCertificate(c.full)
			if err != nil {
				return nil, malformed(err, "SignedData.certificates[%d]", i)
			}
			sd.Certificates = append(sd.Certificates, cert)
		}
		sd.raw.certificates = k.full
	}
	if len(f) > 0 && f[0].is(classContext, true, 1) {
		k, _ = next("crls")
		crls, err := children(k)
		if err != nil {
			return nil, malformed(err, "SignedData.crls")
		}
		for _, c := range crls {
			sd.CRLs = append(sd.CRLs, c.full)
		}
		sd.raw.crls = k.full
	}

	if k, err = next("signerInfos"); err != nil {
		return nil, err
	}
	if !k.is(classUniversal, true, tagSet) {
		return nil, errorf(ReasonMalformed, "SignedData.signerInfos is a %s, want SET", typeName(k))
	}
	infos, err := children(k)
	if err != nil {
		return nil, malformed(err, "SignedData.signerInfos")
	}
	for i, s := range infos {
		si, err := parseSignerInfo(s)
		if err != nil {
			var ce *Error
			if errors.As(err, &ce) {
				ce.Msg = fmt.Sprintf("SignedData.signerInfos[%d]: %s", i, ce.Msg)
			}
			return nil, err
		}
		sd.SignerInfos = append(sd.SignerInfos, *si)
	}
	sd.raw.signerInfos = k.full
	if len(f) > 0 {
		return nil, errorf(ReasonMalformed, "SignedData has %d element(s) after signerInfos", len(f))
	}
	return sd, nil
}

// parseEncap reads EncapsulatedContentInfo: eContentType and, unless
// detached, eContent, an OCTET STRING (whose segments NormalizeBER joined).
func (sd *SignedData) parseEncap(e element) error {
	if !e.is(classUniversal, true, tagSequence) {
		return errorf(ReasonMalformed, "SignedData.encapContentInfo is a %s, want SEQUENCE", typeName(e))
	}
	f, err := children(e)
	if err != nil {
		return malformed(err, "SignedData.encapContentInfo")
	}
	if len(f) < 1 || len(f) > 2 {
		return errorf(ReasonMalformed, "SignedData.encapContentInfo has %d elements, want eContentType and eContent", len(f))
	}
	if sd.ContentType, err = parseOID(f[0]); err != nil {
		return malformed(err, "SignedData.encapContentInfo.eContentType")
	}
	sd.raw.eContentType = f[0].full
	if len(f) == 1 {
		return nil
	}
	if !f[1].is(classContext, true, 0) {
		return errorf(ReasonMalformed, "SignedData.encapContentInfo.eContent is a %s, want [0]", typeName(f[1]))
	}
	inner, err := children(f[1])
	if err != nil || len(inner) != 1 || !inner[0].is(classUniversal, false, tagOctetString) {
		return malformed(err, "SignedData.encapContentInfo.eContent: want one OCTET STRING")
	}
	sd.Content = inner[0].body
	if sd.Content == nil {
		sd.Content = []byte{}
	}
	return nil
}

func parseSignerInfo(e element) (*SignerInfo, error) {
	if !e.is(classUniversal, true, tagSequence) {
		return nil, errorf(ReasonMalformed, "a %s, want SEQUENCE", typeName(e))
	}
	f, err := children(e)
	if err != nil {
		return nil, malformed(err, "SignerInfo")
	}
	if len(f) < 5 {
		return nil, errorf(ReasonMalformed, "%d elements, want at least version, sid, digestAlgorithm, signatureAlgorithm and signature", len(f))
	}
	si := &SignerInfo{}
	if si.Version, err = parseSmallInt(f[0]); err != nil {
		return nil, malformed(err, "version")
	}
	switch sid := f[1]; {
	case sid.is(classUniversal, true, tagSequence):
		if si.Version != 1 {
			return nil, errorf(ReasonMalformed, "version is %d with an issuerAndSerialNumber, want 1", si.Version)
		}
		ias, err := children(sid)
		if err != nil || len(ias) != 2 || !ias[0].is(classUniversal, true, tagSequence) {
			return nil, malformed(err, "sid: want issuerAndSerialNumber, an issuer Name and a serial number")
		}
		si.Issuer = ias[0].full
		if si.SerialNumber, err = bigInt(ias[1]); err != nil {
			return nil, malformed(err, "sid.serialNumber")
		}
	case sid.is(classContext, false, 0):
		if si.Version != 3 {
			return nil, errorf(ReasonMalformed, "version is %d with a subjectKeyIdentifier, want 3", si.Version)
		}
		if len(sid.body) == 0 {
			return nil, errorf(ReasonMalformed, "sid: empty subjectKeyIdentifier")
		}
		si.SubjectKeyID = sid.body
	default:
		return nil, errorf(ReasonMalformed, "sid is a %s, want issuerAndSerialNumber or [0] subjectKeyIdentifier", typeName(sid))
	}
	if si.DigestAlgorithm, err = parseAlgorithm(f[2]); err != nil {
		return nil, malformed(err, "digestAlgorithm")
	}
	f = f[3:]
	if f[0].is(classContext, true, 0) {
		if err := si.parseSignedAttrs(f[0]); err != nil {
			return nil, err
		}
		f = f[1:]
	}
	if len(f) < 2 {
		return nil, errorf(ReasonMalformed, "ends before signatureAlgorithm and signature")
	}
	if si.SignatureAlgorithm, err = parseAlgorithm(f[0]); err != nil {
		return nil, malformed(err, "signatureAlgorithm")
	}
	if !f[1].is(classUniversal, false, tagOctetString) {
		return nil, errorf(ReasonMalformed, "signature is a %s, want OCTET STRING", typeName(f[1]))
	}
	si.Signature = f[1].body
	f = f[2:]
	if len(f) > 0 && f[0].is(classContext, true, 1) {
		if si.UnsignedAttrs, err = parseAttributes(f[0]); err != nil {
			return nil, malformed(err, "unsignedAttrs")
		}
		f = f[1:]
	}
	if len(f) > 0 {
		return nil, errorf(ReasonMalformed, "%d element(s) after the signature and unsignedAttrs", len(f))
	}
	return si, nil
}

func parseAttributes(e element) ([]Attribute, error) {
	kids, err := children(e)
	if err != nil {
		return nil, err
	}
	attrs := make([]Attribute, 0, len(kids))
	for i, k := range kids {
		f, err := children(k)
		if err != nil || !k.is(classUniversal, true, tagSequence) || len(f) != 2 || !f[1].is(classUniversal, true, tagSet) {
			return nil, fmt.Errorf("attribute %d: want SEQUENCE of a type and a SET of values", i)
		}
		a := Attribute{}
		if a.Type, err = parseOID(f[0]); err != nil {
			return nil, fmt.Errorf("attribute %d: type: %w", i, err)
		}
		vals, err := children(f[1])
		if err != nil {
			return nil, fmt.Errorf("attribute %d: values: %w", i, err)
		}
		for _, v := range vals {
			a.Values = append(a.Values, v.full)
		}
		attrs = append(attrs, a)
	}
	return attrs, nil
}

// parseSignedAttrs reads signedAttrs, keeps their canonical DER for the
// signature check and reads the attributes RFC 5652 §11 and RFC 6211
// define, each of which may appear once, with one value.
func (si *SignerInfo) parseSignedAttrs(e element) error {
	attrs, err := parseAttributes(e)
	if err != nil {
		return malformed(err, "signedAttrs")
	}
	si.SignedAttrs = attrs
	// The signature covers the SET OF with the SET tag (RFC 5652 §5.4).
	set := e
	set.class, set.tag, set.ident = classUniversal, tagSet, []byte{0x31}
	if si.signedAttrsDER, err = canonical(set); err != nil {
		return malformed(err, "signedAttrs")
	}
	seen := map[string]bool{}
	for _, a := range attrs {
		var name string
		switch {
		case a.Type.Equal(oidContentType):
			name = "contentType"
		case a.Type.Equal(oidMessageDigest):
			name = "messageDigest"
		case a.Type.Equal(oidSigningTime):
			name = "signingTime"
		case a.Type.Equal(oidAlgProtection):
			name = "CMSAlgorithmProtection"
		default:
			continue
		}
		if seen[name] {
			return errorf(ReasonAttributes, "signedAttrs: %s appears twice", name)
		}
		seen[name] = true
		if len(a.Values) != 1 {
			return errorf(ReasonAttributes, "signedAttrs: %s has %d values, want 1", name, len(a.Values))
		}
		v, _, err := readElement(a.Values[0])
		if err == nil {
			err = si.setAttribute(name, v)
		}
		if err != nil {
			return wrapf(ReasonAttributes, err, "signedAttrs: %s", name)
		}
	}
	return nil
}

func (si *SignerInfo) setAttribute(name string, v element) error {
	var err error
	switch name {
	case "contentType":
		si.ContentType, err = parseOID(v)
	case "messageDigest":
		if !v.is(classUniversal, false, tagOctetString) {
			return fmt.Errorf("%s, want OCTET STRING", typeName(v))
		}
		si.MessageDigest = v.body
	case "signingTime":
		// UTCTime or GeneralizedTime (RFC 5652 §11.3).
		if !v.is(classUniversal, false, 23) && !v.is(classUniversal, false, 24) {
			return fmt.Errorf("%s, want UTCTime or GeneralizedTime", typeName(v))
		}
		var t time.Time
		if _, err = asn1.Unmarshal(v.full, &t); err == nil && t.IsZero() {
			// Zero stands for "absent" in SigningTime.
			err = fmt.Errorf("the time 0001-01-01T00:00:00Z")
		}
		si.SigningTime = t.UTC()
	case "CMSAlgorithmProtection":
		si.algProtection, err = parseAlgProtection(v)
	}
	return err
}

// parseAlgProtection reads CMSAlgorithmProtection (RFC 6211 §2) as a
// SignedData carries it: digestAlgorithm and [1] signatureAlgorithm.
func parseAlgProtection(v element) (*algProtection, error) {
	if !v.is(classUniversal, true, tagSequence) {
		return nil, fmt.Errorf("%s, want SEQUENCE", typeName(v))
	}
	f, err := children(v)
	if err != nil {
		return nil, err
	}
	if len(f) != 2 || !f[1].is(classContext, true, 1) {
		return nil, fmt.Errorf("want digestAlgorithm and [1] signatureAlgorithm")
	}
	p := &algProtection{}
	if p.digest, err = parseAlgorithm(f[0]); err != nil {
		return nil, fmt.Errorf("digestAlgorithm: %w", err)
	}
	sig := f[1]
	sig.class, sig.tag = classUniversal, tagSequence
	if p.signature, err = parseAlgorithm(sig); err != nil {
		return nil, fmt.Errorf("signatureAlgorithm: %w", err)
	}
	return p, nil
}
