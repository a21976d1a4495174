package cms

import (
	"errors"
	"fmt"
)

// Reason is the kind of rule a message broke, for callers that answer
// differently per kind (the gateway says 0x402 for a message it cannot
// parse and 0x009/0x260 for one whose signature does not verify).
type Reason string

// The reasons an *Error carries.
const (
	// ReasonMalformed: not base64, not BER, not a SignedData, over a limit,
	// or data after the structure.
	ReasonMalformed Reason = "malformed"
	// ReasonContentType: eContentType, or the contentType signed
	// attribute, is not id-data.
	ReasonContentType Reason = "content-type"
	// ReasonContent: the signed content is missing (a detached signature
	// checked without it) or given twice and different.
	ReasonContent Reason = "content"
	// ReasonCertificates: not exactly one certificate.
	ReasonCertificates Reason = "certificates"
	// ReasonSigners: not exactly one SignerInfo.
	ReasonSigners Reason = "signers"
	// ReasonSignerMismatch: the SignerInfo's sid does not name the
	// certificate, or (when signing) the key is not the certificate's.
	ReasonSignerMismatch Reason = "signer-mismatch"
	// ReasonAttributes: a signed attribute is missing, repeated or
	// malformed, or CMSAlgorithmProtection names other algorithms.
	ReasonAttributes Reason = "attributes"
	// ReasonDigest: the messageDigest attribute is not the digest of the
	// content.
	ReasonDigest Reason = "digest"
	// ReasonSigningTime: the signingTime attribute lies outside the signer
	// certificate's validity.
	ReasonSigningTime Reason = "signing-time"
	// ReasonAlgorithm: a digest or signature algorithm, or key type, this
	// package does not accept.
	ReasonAlgorithm Reason = "algorithm"
	// ReasonSignature: the signature does not verify (or could not be made).
	ReasonSignature Reason = "signature"
)

// Error is every error this package returns: the Reason to branch on, what
// failed, and the underlying error if any.
type Error struct {
	Reason Reason
	// Msg names the field and the rule, e.g. "2 signer infos, want exactly 1".
	Msg string
	Err error
}

func (e *Error) Error() string {
	s := "cms: " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error of the same Reason with no message,
// so errors.Is(err, &cms.Error{Reason: cms.ReasonSigners}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Err == nil && t.Reason == e.Reason
}

// ReasonOf returns the Reason of the first *Error in err's chain, or "" if
// there is none.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

func errorf(r Reason, format string, args ...any) *Error {
	return &Error{Reason: r, Msg: fmt.Sprintf(format, args...)}
}

func wrapf(r Reason, err error, format string, args ...any) *Error {
	return &Error{Reason: r, Msg: fmt.Sprintf(format, args...), Err: err}
}
