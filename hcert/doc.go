// Package hcert is the signed container of an EU DCC, as the eHealth
// Network's HCERT specification defines it: a CBOR Web Token (RFC 8392)
// with the claims iss, iat, exp and hcert (-260 → {1: DCC payload})
// (§3.3.1, §3.3.4–3.3.7), signed as a COSE_Sign1 message (RFC 9052) with
// ES256 or PS256 (§3.3.2) and the DSC's key identifier (§3.3.3, Appendix
// A.1), checked against the DSC's validity (§3.3.5–3.3.6), extended key
// usage (Appendix A.4) and, optionally, its CSCA (§5).
//
// Sign writes deterministic CBOR and verifies its own signature before
// returning. Parse gives an Unverified value whose content cannot be
// trusted; Verify is a separate, explicit step that reports each check by
// name and returns the verified content only when every check passes.
//
// COSE is written by hand on fxamacker/cbor rather than taken from go-cose
// so that the leniency policies are ours: a kid (and, as one real issuer
// does, alg) in the unprotected header is accepted, CWT tag 61 and an
// untagged message are accepted, float NumericDates are read to the
// second; a key that does not fit its algorithm (a P-384 key labelled
// ES256) is refused. go-cose serves the tests as an independent check.
//
// Parse is on every verification's path: it reads the shape nearly every
// DCC has (tag 18, a protected header of alg and kid, an empty unprotected
// one, a CWT of iss, exp, iat and hcert) directly, and any other message
// with the CBOR decoder, which also names what is malformed. A test and a
// fuzz target hold the two readings to the same result.
package hcert
