package trustlist

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/smallstep/pkcs7"
)

// ErrAnchorSignature is an entry whose signature is not a valid signature
// of its certificate by one of the gateway's trust anchors.
var ErrAnchorSignature = errors.New("signature: not a valid CMS signature of rawData by a gateway trust anchor")

// ParseGatewaySigned is ParseGateway for a list whose integrity rests on the
// gateway's trust anchor (HCERT Appendix A.3.1: an "integrity (secure)
// protected" list): every DSC and CSCA entry's signature must be a CMS
// SignedData (RFC 5652) over the entry's certificate (rawData, DER; the
// content detached, as the gateway sends it, or attached and equal) made by
// one of anchors, or for a DSC entry by an UPLOAD certificate of its country
// that the list holds with an anchor's signature, as the gateway serves DSC
// entries. One entry that fails refuses the whole list. With no
// anchors it refuses every list: say ParseGateway to trust the channel alone.
func ParseGatewaySigned(data []byte, anchors []*x509.Certificate) (*List, error) {
	if len(anchors) == 0 {
		return nil, errors.New("trust list: no gateway trust anchor to check the entries' signatures with")
	}
	entries, err := decodeGateway(data)
	if err != nil {
		return nil, err
	}
	// The gateway signs UPLOAD (and AUTHENTICATION and CSCA) entries with
	// its trust anchor, and serves each DSC entry with the signature its
	// country made with an UPLOAD key when it uploaded it (gateway.md
	// §A.4, §B.1): the UPLOAD certificates that the anchor vouches for
	// are the signers a DSC entry may have, besides the anchor itself.
	uploads := map[string][]*x509.Certificate{}
	for _, e := range entries {
		if e.CertificateType != TypeUpload || e.checkAnchorSignature(anchors) != nil {
			continue // an unvouched UPLOAD certificate signs nothing
		}
		if c, err := e.certificate(); err == nil {
			uploads[e.Country] = append(uploads[e.Country], c)
		}
	}
	for i, e := range entries {
		switch e.CertificateType {
		case TypeCSCA:
			err = e.checkAnchorSignature(anchors)
		case TypeDSC:
			if err = e.checkAnchorSignature(anchors); err != nil && len(uploads[e.Country]) > 0 {
				if e.checkAnchorSignature(uploads[e.Country]) == nil {
					err = nil
				} else {
					err = fmt.Errorf("%w, nor by an UPLOAD certificate of %s that one vouches for", err, e.Country)
				}
			}
		default:
			continue
		}
		if err != nil {
			return nil, &EntryError{Index: i, KID: e.KID, Err: err}
		}
	}
	return fromEntries(entries)
}

// checkAnchorSignature verifies the entry's signature with the anchors as
// the only certificates the signer may be: the certificates the CMS
// message carries are ignored, so a message signed by anyone else fails.
// With signed attributes (as the gateway makes them), their message digest
// must be that of rawData and their signing time within the anchor's
// validity.
func (e Entry) checkAnchorSignature(anchors []*x509.Certificate) error {
	if e.Signature == "" {
		return fmt.Errorf("%w: the entry has none", ErrAnchorSignature)
	}
	raw, err := base64.StdEncoding.DecodeString(e.RawData)
	if err != nil {
		return fmt.Errorf("rawData: not base64: %w", err)
	}
	der, err := base64.StdEncoding.DecodeString(e.Signature)
	if err != nil {
		return fmt.Errorf("%w: not base64: %v", ErrAnchorSignature, err)
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return fmt.Errorf("%w: not CMS SignedData: %v", ErrAnchorSignature, err)
	}
	switch {
	case len(p7.Content) == 0:
		p7.Content = raw
	case !bytes.Equal(p7.Content, raw):
		return fmt.Errorf("%w: it signs other content than rawData", ErrAnchorSignature)
	}
	// One anchor at a time: the signer is found by issuer and serial number,
	// which two anchors (an old and a new one) might share.
	var last error
	for _, a := range anchors {
		p7.Certificates = []*x509.Certificate{a}
		if last = p7.Verify(); last == nil {
			return nil
		}
	}
	return fmt.Errorf("%w: %v", ErrAnchorSignature, last)
}
