// Package cms signs, parses and verifies CMS SignedData (RFC 5652 §5) in
// the profile the EU DCC Gateway uses (shared/specs/gateway.md §B): the
// detached signature of a trust-list entry over the certificate's DER
// (§B.1, §A.4), and the embedded signatures of uploads, whose content is a
// DSC's DER or the UTF-8 of rule and revocation-batch JSON (§B.2, §C.4).
//
// Sign writes DER: eContentType id-data, digest SHA-256, the signed
// attributes contentType, signingTime and messageDigest (and, on request,
// CMSAlgorithmProtection, RFC 6211) as a sorted DER SET OF, signed with
// ecdsa-with-SHA256 or sha256WithRSAEncryption (RSASSA-PSS on request), the
// signer's certificate as the only one and issuerAndSerialNumber as sid.
// EncodeBase64 gives the wire form: standard base64, no line breaks.
//
// Parse reads DER and BER, which is what the reference gateway
// (BouncyCastle) sends: indefinite lengths and eContent as a constructed
// OCTET STRING in segments, as `openssl cms -sign -stream` writes it too.
// NormalizeBER turns that into DER first; it refuses truncated input,
// unterminated indefinite lengths, data after the structure, and input
// beyond MaxSize, MaxDepth or MaxElements.
//
// SignedData.Verify enforces what the gateway's parser (dgc-lib
// SignedMessageParser with BouncyCastle's SignerInformation.verify)
// enforces, §B.2: eContentType id-data; exactly one certificate and
// exactly one SignerInfo; a sid naming that certificate; with signed
// attributes, contentType id-data, messageDigest equal to the content's
// digest and signingTime, if present, within the certificate's validity;
// and the signature under the certificate's key (ECDSA with an ASN.1
// signature, RSA PKCS #1 v1.5, RSASSA-PSS), checked over the DER
// re-encoding of the signed attributes, sorted, as BouncyCastle checks it
// (OpenSSL keeps their order as received; both agree on a message whose
// attributes came sorted, as Sign and every common signer write them). To
// check a signer against a certificate the message does not carry (a trust
// anchor), use SignerInfo.Verify. Digests SHA-256, SHA-384 and SHA-512 are accepted. Every error is an
// *Error whose Reason callers branch on (the gateway answers
// ReasonMalformed with 0x402 and the others as an invalid signature).
//
// The package uses only the standard library (encoding/asn1 for OIDs,
// integers and times; its own BER reader for the rest). It does not build
// on github.com/smallstep/pkcs7, the project's other CMS code, because
// that library drops data after the structure, has no RSASSA-PSS, no typed
// errors, no way to re-pack a message as detached, and counts neither
// certificates nor signers, all of which this profile needs; nor on
// golang.org/x/crypto/cryptobyte, which is not in the module graph and
// would not read BER with indefinite lengths either.
package cms
