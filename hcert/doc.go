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
package hcert
